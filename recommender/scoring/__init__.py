"""Profiles, the score components, their explanation.

Imports :mod:`recommender.chainmap`, :mod:`recommender.matching` and :mod:`recommender.likelihood` (for the landing factors' labels).
"""

from ._explanation import LANGUAGES, REASON_SEPARATOR, explain_columns, explain_frame, explain_row, level_text, likelihood_reasons
from ._profile import (
    FIELDS,
    NUMERIC_BOUNDS,
    NUMERIC_FIELDS,
    PROFILE_COLUMNS,
    RANGE_COLUMNS,
    TEXT_FIELDS,
    prepare_profiles,
    profile_columns,
    profile_frame,
    profile_records,
)
from ._scorer import COMPONENT_COLUMNS, DETAIL_COLUMNS, PRIORS, RESULT_COLUMNS, Scorer

__all__ = ['COMPONENT_COLUMNS', 'DETAIL_COLUMNS', 'FIELDS', 'LANGUAGES', 'NUMERIC_BOUNDS', 'NUMERIC_FIELDS', 'PRIORS', 'PROFILE_COLUMNS', 'RANGE_COLUMNS', 'REASON_SEPARATOR', 'RESULT_COLUMNS', 'Scorer', 'TEXT_FIELDS', 'explain_columns', 'explain_frame', 'explain_row', 'level_text', 'likelihood_reasons', 'prepare_profiles', 'profile_columns', 'profile_frame', 'profile_records']
