"""The chain map: its schema and loading, link features, validated updates and their audit log.

Imports only :mod:`recommender.exceptions` and :mod:`recommender._columnar`.
"""

from ._audit import AuditEntry, AuditLog
from ._links import LINK_FEATURE_COLUMNS, PRESENCE, encode_links, link_action
from ._schema import (
    ACTIONS,
    COMPONENTS,
    STAGES,
    STATUSES,
    Chain,
    ChainMap,
    Leader,
    Link,
    Park,
    Quote,
    Strategy,
    Vocabulary,
    default_map_dir,
    load_map,
)
from ._updates import HISTORY_DIR, PRIORITIES, UPDATABLE_FIELDS, LinkChange, LinkNotFoundError, update_link

__all__ = ['ACTIONS', 'AuditEntry', 'AuditLog', 'COMPONENTS', 'Chain', 'ChainMap', 'HISTORY_DIR', 'LINK_FEATURE_COLUMNS', 'Leader', 'Link', 'LinkChange', 'LinkNotFoundError', 'PRESENCE', 'PRIORITIES', 'Park', 'Quote', 'STAGES', 'STATUSES', 'Strategy', 'UPDATABLE_FIELDS', 'Vocabulary', 'default_map_dir', 'encode_links', 'link_action', 'load_map', 'update_link']
