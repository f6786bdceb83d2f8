"""Profiles, the score components, their explanation.

Imports :mod:`recommender.chainmap`, :mod:`recommender.matching` and :mod:`recommender.likelihood` (for the landing factors' labels).
"""

from ._explanation import LANGUAGES, explain_columns, explain_frame, likelihood_reasons
from ._profile import (
    FIELDS,
    NUMERIC_BOUNDS,
    NUMERIC_FIELDS,
    RANGE_COLUMNS,
    profile_columns,
    profile_records,
)
from ._scorer import COMPONENT_COLUMNS, DETAIL_COLUMNS, PRIORS, RESULT_COLUMNS, Scorer

__all__ = ['COMPONENT_COLUMNS', 'DETAIL_COLUMNS', 'FIELDS', 'LANGUAGES', 'NUMERIC_BOUNDS', 'NUMERIC_FIELDS', 'PRIORS', 'RANGE_COLUMNS', 'RESULT_COLUMNS', 'Scorer', 'explain_columns', 'explain_frame', 'likelihood_reasons', 'profile_columns', 'profile_records']
