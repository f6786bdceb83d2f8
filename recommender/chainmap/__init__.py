"""The chain map: its schema and loading, link features, validated updates and their audit log.

Imports only :mod:`recommender.exceptions` and :mod:`recommender._columnar`.
"""

from ._audit import AuditEntry, AuditLog
from ._links import LINK_FEATURE_COLUMNS, PRESENCE, encode_links
from ._schema import (
    ACTIONS,
    COMPONENT_NAMES,
    COMPONENTS,
    GAP_STATUSES,
    PRIORITIES,
    STAGE_NAMES,
    STAGES,
    STATUS_NAMES,
    STATUSES,
    Chain,
    ChainMap,
    Ident,
    Leader,
    Link,
    Names,
    Park,
    Priority,
    Quote,
    Status,
    Strategy,
    Vocabulary,
    default_map_dir,
    load_map,
)
from ._updates import HISTORY_DIR, UPDATABLE_FIELDS, LinkChange, LinkNotFoundError, update_link

__all__ = ['ACTIONS', 'AuditEntry', 'AuditLog', 'COMPONENTS', 'COMPONENT_NAMES', 'Chain', 'ChainMap', 'GAP_STATUSES', 'HISTORY_DIR', 'Ident', 'LINK_FEATURE_COLUMNS', 'Leader', 'Link', 'LinkChange', 'LinkNotFoundError', 'Names', 'PRESENCE', 'PRIORITIES', 'Park', 'Priority', 'Quote', 'STAGES', 'STAGE_NAMES', 'STATUSES', 'STATUS_NAMES', 'Status', 'Strategy', 'UPDATABLE_FIELDS', 'Vocabulary', 'default_map_dir', 'encode_links', 'load_map', 'update_link']
