"""How likely a firm is to land: the scoring tables, the model store, outcome histories, and (loaded on
first use, with scikit-learn) the estimators and training.

Imports :mod:`recommender.chainmap`, :mod:`recommender.scoring` (training only) and :mod:`recommender.tables`.
"""

from typing import TYPE_CHECKING

from ._modelstore import (
    ALLOWED_TYPES,
    DEFAULT_MODEL,
    SYNTHETIC_LABEL,
    TRUSTED_TYPES,
    LandingModel,
    ModelInfo,
    default_models_dir,
    link_fingerprint,
    list_versions,
    load_model,
    save_model,
)
from ._outcomes import DATE_HEADERS, NEGATIVE_OUTCOMES, OUTCOME_HEADERS, POSITIVE_OUTCOMES, History, read_history
from ._tables import (
    CATEGORICAL_FEATURES,
    FEATURE_COLUMNS,
    FEATURE_LABELS,
    NUMERIC_FEATURES,
    PRIOR_LIKELIHOOD,
    PRIOR_VERSION,
    Factor,
    LandingEstimate,
    LandingTables,
    estimate_landing,
    feature_columns,
    feature_frame,
    landing_tables,
    priority,
)

if TYPE_CHECKING:
    from ._estimators import AdditiveBinner, AdditiveLogisticClassifier, make_landing_pipeline
    from ._training import BASELINES, METRICS, Evaluation, model_card, ranking_metrics, train_landing

__all__ = ['ALLOWED_TYPES', 'AdditiveBinner', 'AdditiveLogisticClassifier', 'BASELINES', 'CATEGORICAL_FEATURES', 'DATE_HEADERS', 'DEFAULT_MODEL', 'Evaluation', 'FEATURE_COLUMNS', 'FEATURE_LABELS', 'Factor', 'History', 'LandingEstimate', 'LandingModel', 'LandingTables', 'METRICS', 'ModelInfo', 'NEGATIVE_OUTCOMES', 'NUMERIC_FEATURES', 'OUTCOME_HEADERS', 'POSITIVE_OUTCOMES', 'PRIOR_LIKELIHOOD', 'PRIOR_VERSION', 'SYNTHETIC_LABEL', 'TRUSTED_TYPES', 'default_models_dir', 'estimate_landing', 'feature_columns', 'feature_frame', 'landing_tables', 'link_fingerprint', 'list_versions', 'load_model', 'make_landing_pipeline', 'model_card', 'priority', 'ranking_metrics', 'read_history', 'save_model', 'train_landing']

#: Names whose modules import scikit-learn, loaded on first use (PEP 562): a command that only
#: ranks or scores reads the landing tables and never pays for those imports.
_LAZY = {
    **dict.fromkeys(("AdditiveBinner", "AdditiveLogisticClassifier", "make_landing_pipeline"), "._estimators"),
    **dict.fromkeys(("BASELINES", "METRICS", "Evaluation", "model_card", "ranking_metrics", "train_landing"), "._training"),
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
