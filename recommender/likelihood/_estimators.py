"""The landing model: how likely a courted firm is to land, as an exact sum of per-feature parts.

``score`` says how much the city wants a firm; the landing model says how likely the firm is
to come. It is a scikit-learn :class:`~sklearn.pipeline.Pipeline` of two estimators::

    scored rows ──feature_frame()──► FEATURE_COLUMNS ──AdditiveBinner──► bin codes
                 ──AdditiveLogisticClassifier──► likelihood = σ(baseline + Σ_j part_j)

* :func:`feature_frame` turns the scorer's rows into the declared :data:`FEATURE_COLUMNS`:
  the chain-fit components as shares of their points (0–1), the link affinity and the firm's
  own traits (size, staff, revenue, patents, missing fields) and its categories (chain,
  action, stage, origin group, kind of chain leader it supplies).
* :class:`AdditiveBinner` cuts each numeric column into quantile bins and keeps each
  frequent category; a missing value gets its own code, and a category seen too rarely in
  training or never seen gets the "other" code (``handle_unknown="other"``), so neither
  missing values nor unseen categories break a prediction.
* :class:`AdditiveLogisticClassifier` is an L2 logistic regression on the one-hot levels of
  each column: a generalised additive model with step-shaped parts. Its log-odds are
  ``baseline_`` plus one part per column, exactly (``contributions``); each part is centred
  so that it is 0 on average over the training firms, and a level it never saw counts 0.
  A logistic regression fitted by (lightly penalised) maximum likelihood is calibrated on its
  training period without a separate calibration step; :mod:`recommender.likelihood` checks
  it on a later period (Brier score, calibration curve), where drift can still shift it.

Scoring does not run the pipeline: :class:`LandingTables` holds what the fitted pipeline
computes as lookup tables (bin edges, category codes, one part and one label per level), plain
data that a saved model carries beside its skops file. Estimates from the tables equal the
pipeline's (tested), at numpy speed and without loading scikit-learn estimators from disk.

Without a trained model, :data:`PRIOR_LIKELIHOOD` (model version ``"prior"``) is used.

``priority`` combines the two: the geometric mean of the score's share and the likelihood,

    priority = 100 × √( score/100 × likelihood )

so it runs 0–100 and orders firms by ``score × likelihood``, the strategic value expected to
land per firm courted. A firm the city wants but that will not come, or one that would come
but serves nothing, ranks low.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.pipeline import Pipeline
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from .._columnar import Columns, as_list, n_rows
from .._packagedata import read_labels
from ..chainmap._schema import COMPONENTS

__all__ = [
    "CATEGORICAL_FEATURES",
    "FEATURE_COLUMNS",
    "FEATURE_LABELS",
    "NUMERIC_FEATURES",
    "PRIOR_LIKELIHOOD",
    "PRIOR_VERSION",
    "AdditiveBinner",
    "AdditiveLogisticClassifier",
    "Factor",
    "LandingEstimate",
    "LandingTables",
    "estimate_landing",
    "feature_columns",
    "feature_frame",
    "landing_tables",
    "make_landing_pipeline",
    "priority",
]

#: Numeric features: each score component as a share of its points, then the firm's traits.
NUMERIC_FEATURES = (
    *(f"fit_{name}" for name in COMPONENTS),
    "affinity", "size", "employees_log", "revenue_log", "patents_log", "profile_gaps", "firm_green", "trade_only",
)
#: Categorical features ("" in the scored rows counts as missing).
CATEGORICAL_FEATURES = ("chain_id", "action", "stage", "origin_group", "leader_kind")
#: Columns of :func:`feature_frame`, the input of the landing pipeline.
FEATURE_COLUMNS = (*NUMERIC_FEATURES, *CATEGORICAL_FEATURES)

#: Names officers read, (zh, en), for each feature; the table is ``feature_labels.yaml`` beside this module.
FEATURE_LABELS: dict[str, tuple[str, str]] = read_labels(__package__, "feature_labels.yaml")

#: Likelihood used when no trained model is given: roughly one courted firm in five lands.
#: It is the same for every firm, so with the prior ``priority`` orders exactly as ``score``.
PRIOR_LIKELIHOOD = 0.2
#: Model version reported when the prior is used.
PRIOR_VERSION = "prior"

_MISSING_CODE, _OTHER_CODE, _FIRST_CODE = 0, 1, 2


# -- features ----------------------------------------------------------------------------
def feature_frame(scored: pd.DataFrame, points: Mapping[str, float]) -> pd.DataFrame:
    """The scorer's rows → the landing model's input.

    Parameters
    ----------
    scored : DataFrame
        Rows of :meth:`recommender.scoring.Scorer.score_frame` (its ``DETAIL_COLUMNS``).
    points : mapping
        Each component's points in the map's strategy (``Scorer.points``); components are
        divided by them, so the model reads shares (0–1) that do not move when the strategy
        is reweighted.

    Returns
    -------
    DataFrame of shape (n_rows, len(FEATURE_COLUMNS)), same index: numeric columns as float
    (NaN when missing), categorical columns as object (None when missing).
    """
    return pd.DataFrame(feature_columns(scored, points), index=scored.index)


def feature_columns(scored: pd.DataFrame | Columns, points: Mapping[str, float]) -> dict[str, np.ndarray]:
    """:func:`feature_frame` on columns (a DataFrame or the dict of
    :meth:`~recommender.scoring.Scorer.score_columns`) → a dict of :data:`FEATURE_COLUMNS`."""
    def numbers(name: str) -> np.ndarray:
        return np.asarray(scored[name], dtype=np.float64)

    n = n_rows(scored)
    out: dict[str, np.ndarray] = {}
    for name in COMPONENTS:
        value = numbers(f"score_{name}")
        out[f"fit_{name}"] = value / points[name] if points[name] > 0 else np.zeros(n)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["affinity"] = numbers("affinity")
        out["size"] = numbers("size")
        for name in ("employees", "revenue", "patents"):
            out[f"{name}_log"] = np.log10(np.maximum(numbers(name), 0) + 1)
    out["profile_gaps"] = np.array([len([m for m in str(v).split(",") if m]) for v in as_list(scored["missing"])], dtype=np.float64)
    out["firm_green"] = numbers("firm_green")
    out["trade_only"] = numbers("trade_only")
    for name in CATEGORICAL_FEATURES:
        values = np.empty(n, dtype=object)
        values[:] = [v if isinstance(v, str) and v else None for v in as_list(scored[name])]
        out[name] = values
    return {name: out[name] for name in FEATURE_COLUMNS}


# -- the binner ----------------------------------------------------------------------------
def _blank(value: object) -> bool:
    """None, NA, NaN or "" (a missing category)."""
    return value is None or value is pd.NA or (isinstance(value, float) and value != value) or (isinstance(value, str) and value == "")


def _is_missing(values: np.ndarray) -> np.ndarray:
    """:func:`_blank` over an array, vectorised."""
    values = np.asarray(values, dtype=object)
    return np.asarray(pd.isna(values), dtype=bool) | (values == "")


class AdditiveBinner(TransformerMixin, BaseEstimator):
    """Each column → one integer code per value: quantile bins for numbers, levels for categories.

    Codes: 0 missing, 1 other (a category rarer than ``min_frequency`` in training, or unseen),
    2, 3, … the bins in increasing order or the kept categories in sorted order. A numeric
    column with at most ``n_bins`` distinct values keeps one bin per value.

    Parameters
    ----------
    n_bins : int, default=8
        Bins per numeric column (fewer when quantiles coincide).
    categorical_features : sequence of str or int, optional
        Columns (names for a DataFrame, positions otherwise) holding categories; the rest are
        numeric. None: every column is numeric.
    min_frequency : int, default=10
        A category seen fewer times in training is coded "other".
    handle_unknown : {"other", "error"}, default="other"
        What a category unseen in training becomes when transforming: "other" (code 1), or a
        ValueError naming the column and the values.

    Attributes
    ----------
    edges_ : list of ndarray or None
        Per column, the bin edges (numeric) or None (categorical).
    categories_ : list of ndarray or None
        Per column, the kept categories (categorical) or None (numeric).
    labels_ : list of list of str
        Per column, a readable label for each code.
    """

    def __init__(self, *, n_bins=8, categorical_features=None, min_frequency=10, handle_unknown="other"):
        self.n_bins = n_bins
        self.categorical_features = categorical_features
        self.min_frequency = min_frequency
        self.handle_unknown = handle_unknown

    # validation -------------------------------------------------------------------------
    def _check_params(self) -> None:
        if isinstance(self.n_bins, bool) or not isinstance(self.n_bins, (int, np.integer)) or self.n_bins < 2:
            raise ValueError(f"The 'n_bins' parameter of AdditiveBinner must be an int >= 2. Got {self.n_bins!r} instead.")
        if isinstance(self.min_frequency, bool) or not isinstance(self.min_frequency, (int, np.integer)) or self.min_frequency < 1:
            raise ValueError(f"The 'min_frequency' parameter of AdditiveBinner must be an int >= 1. Got {self.min_frequency!r} instead.")
        if self.handle_unknown not in ("other", "error"):
            raise ValueError(f"The 'handle_unknown' parameter of AdditiveBinner must be 'other' or 'error'. Got {self.handle_unknown!r} instead.")

    def _categorical_mask(self, n_features: int) -> np.ndarray:
        mask = np.zeros(n_features, dtype=bool)
        names = list(getattr(self, "feature_names_in_", []))
        for item in self.categorical_features or ():
            if isinstance(item, str):
                if item not in names:
                    raise ValueError(f"The 'categorical_features' parameter of AdditiveBinner names {item!r}, which is not a column of X. Got columns {names} instead.")
                mask[names.index(item)] = True
            elif isinstance(item, (int, np.integer)) and 0 <= item < n_features:
                mask[item] = True
            else:
                raise ValueError(f"The 'categorical_features' parameter of AdditiveBinner must hold column names or positions < {n_features}. Got {item!r} instead.")
        return mask

    def _columns(self, X, *, reset: bool) -> list[np.ndarray]:
        """Validate X; return its columns (float for numeric, object for categorical)."""
        if not self.categorical_features:
            X = validate_data(self, X, reset=reset, ensure_all_finite="allow-nan", dtype=np.float64)
            if reset:
                self.is_categorical_ = np.zeros(X.shape[1], dtype=bool)
            return [X[:, j] for j in range(X.shape[1])]
        if hasattr(X, "iloc"):
            if X.shape[0] < 1:
                raise ValueError(f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 is required.")
        else:
            # numbers, text or both; rejects 1-D, empty, complex and sparse input
            X = check_array(X, dtype=None, ensure_all_finite=False)
        validate_data(self, X, reset=reset, skip_check_array=True)
        if reset:
            self.is_categorical_ = self._categorical_mask(self.n_features_in_)
        if hasattr(X, "iloc"):
            columns = [
                X.iloc[:, j].to_numpy(dtype=np.float64, na_value=np.nan)
                if not self.is_categorical_[j] and pd.api.types.is_numeric_dtype(X.iloc[:, j].dtype)
                else X.iloc[:, j].to_numpy(dtype=object)
                for j in range(X.shape[1])
            ]
        else:
            columns = [X[:, j].astype(object) for j in range(X.shape[1])]
        if any(column.dtype == object and any(isinstance(v, complex) for v in column[:1000]) for column in columns):
            raise ValueError("Complex data not supported")
        out = []
        for j, column in enumerate(columns):
            if self.is_categorical_[j]:
                out.append(np.array([None if _blank(v) else str(v) for v in column], dtype=object))
            else:
                if column.dtype == object:
                    column = np.array([np.nan if v is None or v is pd.NA else v for v in column], dtype=object)
                out.append(check_array(column.reshape(-1, 1), dtype=np.float64, ensure_all_finite="allow-nan").ravel())
        return out

    # fitting ----------------------------------------------------------------------------
    def fit(self, X, y=None):
        """Learn each column's bin edges or kept categories.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        self._check_params()
        columns = self._columns(X, reset=True)
        self.edges_, self.categories_, self.labels_ = [], [], []
        for j, column in enumerate(columns):
            if self.is_categorical_[j]:
                present = column[~_is_missing(column)]
                values, counts = np.unique(present.astype(str), return_counts=True) if len(present) else (np.array([], dtype=str), np.array([], dtype=int))
                kept = values[counts >= self.min_frequency]
                self.edges_.append(None)
                self.categories_.append(kept.astype(object))
                self.labels_.append(["missing", "other", *map(str, kept)])
            else:
                edges = self._edges(column[~np.isnan(column)])
                self.edges_.append(edges)
                self.categories_.append(None)
                self.labels_.append(["missing", "other", *_bin_labels(edges)])
        return self

    def _edges(self, values: np.ndarray) -> np.ndarray:
        distinct = np.unique(values)
        if len(distinct) <= 1:
            return np.array([], dtype=np.float64)
        if len(distinct) <= self.n_bins:
            return (distinct[:-1] + distinct[1:]) / 2
        cuts = np.quantile(values, np.linspace(0, 1, self.n_bins + 1)[1:-1])
        # a cut equal to the minimum would leave the first bin empty
        return np.unique(cuts[cuts > distinct[0]])

    def transform(self, X):
        """Codes of shape (n_samples, n_features), as float.

        Raises
        ------
        ValueError
            For an unseen category when ``handle_unknown="error"``.
        """
        check_is_fitted(self)
        columns = self._columns(X, reset=False)
        codes = np.empty((len(columns[0]), len(columns)), dtype=np.float64)
        for j, column in enumerate(columns):
            if self.is_categorical_[j]:
                missing = _is_missing(column)
                kept = self.categories_[j]
                lookup = {value: _FIRST_CODE + i for i, value in enumerate(kept)}
                coded = np.array([_MISSING_CODE if m else lookup.get(v, _OTHER_CODE) for v, m in zip(column, missing, strict=True)])
                if self.handle_unknown == "error":
                    unseen = sorted({v for v, m, c in zip(column, missing, coded, strict=True) if not m and c == _OTHER_CODE})
                    if unseen:
                        raise ValueError(f"Column {self._name(j)} holds categories unseen in training: {unseen[:10]}.")
                codes[:, j] = coded
            else:
                missing = np.isnan(column)
                bins = _FIRST_CODE + np.searchsorted(self.edges_[j], np.where(missing, 0.0, column), side="right")
                codes[:, j] = np.where(missing, _MISSING_CODE, bins)
        return codes

    def _name(self, j: int) -> str:
        names = getattr(self, "feature_names_in_", None)
        return repr(str(names[j])) if names is not None else str(j)

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self)
        names = getattr(self, "feature_names_in_", None)
        if input_features is not None:
            return np.asarray(input_features, dtype=object)
        if names is not None:
            return np.asarray(names, dtype=object)
        return np.asarray([f"x{j}" for j in range(self.n_features_in_)], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = bool(self.categorical_features)
        return tags


def _bin_labels(edges: np.ndarray) -> list[str]:
    if len(edges) == 0:
        return ["all"]
    f = [f"{e:.3g}" for e in edges]
    return [f"< {f[0]}", *(f"[{a}, {b})" for a, b in zip(f[:-1], f[1:], strict=True)), f"≥ {f[-1]}"]


# -- the classifier ------------------------------------------------------------------------
class AdditiveLogisticClassifier(ClassifierMixin, BaseEstimator):
    """Binary logistic regression on the one-hot levels of each (discrete) column.

    The log-odds of the positive class are ``baseline_ + Σ_j shape_j(x_j)``: each distinct
    value of column ``j`` seen in training is a level with its own weight, centred so that
    the average over training rows is 0. A value not seen in training contributes 0.
    Meant for the codes of :class:`AdditiveBinner`; on a continuous column every distinct
    value would be its own level.

    Parameters
    ----------
    C : float, default=1.0
        Inverse strength of the L2 penalty on the level weights.
    max_iter : int, default=1000
        Iterations of the L-BFGS solver.
    tol : float, default=1e-6
        Solver tolerance.
    random_state : int, RandomState or None, default=None
        Passed to the solver (L-BFGS is deterministic; kept for the library's conventions).

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
    levels_ : list of ndarray
        Per column, the levels seen in training (sorted).
    shapes_ : list of ndarray
        Per column, the centred log-odds contribution of each level.
    baseline_ : float
        Log-odds of a firm whose every part is 0 (the training average).
    n_iter_ : ndarray of shape (1,)
        Solver iterations.
    """

    def __init__(self, *, C=1.0, max_iter=1000, tol=1e-6, random_state=None):
        self.C = C
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def fit(self, X, y):
        """Fit the level weights.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), discrete values
        y : array-like of shape (n_samples,), two classes

        Returns
        -------
        self
        """
        if isinstance(self.C, bool) or not isinstance(self.C, (int, float, np.number)) or not self.C > 0:
            raise ValueError(f"The 'C' parameter of AdditiveLogisticClassifier must be a float > 0. Got {self.C!r} instead.")
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        if len(self.classes_) != 2:
            raise ValueError(
                f"Only binary classification is supported by AdditiveLogisticClassifier: y must hold exactly 2 classes. "
                f"Got {len(self.classes_)} class(es) instead: {list(self.classes_)[:5]}."
            )
        self.levels_ = [np.unique(X[:, j]) for j in range(X.shape[1])]
        design = self._design(X)
        from sklearn.linear_model import LogisticRegression  # here: importing it costs a few tenths of a second

        self.logit_ = LogisticRegression(C=self.C, max_iter=self.max_iter, tol=self.tol, random_state=self.random_state)
        self.logit_.fit(design, y_index)
        self.n_iter_ = self.logit_.n_iter_
        weights = self.logit_.coef_.ravel()
        offsets = np.cumsum([0, *(len(levels) for levels in self.levels_)])
        self.shapes_, means = [], []
        for j in range(X.shape[1]):
            shape = weights[offsets[j]: offsets[j + 1]]
            mean = float(shape[np.searchsorted(self.levels_[j], X[:, j])].mean())
            self.shapes_.append(shape - mean)
            means.append(mean)
        self.baseline_ = float(self.logit_.intercept_[0] + sum(means))
        return self

    def _design(self, X: np.ndarray) -> sp.csr_matrix:
        blocks = []
        for j, levels in enumerate(self.levels_):
            position = np.searchsorted(levels, X[:, j])
            found = (position < len(levels)) & (levels[np.minimum(position, len(levels) - 1)] == X[:, j])
            rows = np.flatnonzero(found)
            blocks.append(sp.csr_matrix((np.ones(len(rows)), (rows, position[found])), shape=(X.shape[0], len(levels))))
        return sp.hstack(blocks, format="csr")

    def contributions(self, X) -> np.ndarray:
        """Each column's part of the log-odds, shape (n_samples, n_features).

        ``decision_function(X) == baseline_ + contributions(X).sum(axis=1)`` exactly.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        parts = np.zeros(X.shape, dtype=np.float64)
        for j, levels in enumerate(self.levels_):
            position = np.searchsorted(levels, X[:, j])
            clipped = np.minimum(position, len(levels) - 1)
            found = (position < len(levels)) & (levels[clipped] == X[:, j])
            parts[:, j] = np.where(found, self.shapes_[j][clipped], 0.0)
        return parts

    def decision_function(self, X) -> np.ndarray:
        """Log-odds of ``classes_[1]``, shape (n_samples,)."""
        check_is_fitted(self)
        return self.baseline_ + self.contributions(X).sum(axis=1)

    def predict_proba(self, X) -> np.ndarray:
        """Probabilities of ``classes_``, shape (n_samples, 2)."""
        p = expit(self.decision_function(X))
        return np.column_stack([1.0 - p, p])

    def predict(self, X) -> np.ndarray:
        """The more likely class of each sample."""
        positive = self.decision_function(X) > 0
        return self.classes_[positive.astype(int)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags


def make_landing_pipeline(*, n_bins: int = 8, min_frequency: int = 10, C: float = 0.1, random_state: int | None = 0) -> Pipeline:
    """The unfitted landing pipeline over :data:`FEATURE_COLUMNS`."""
    return Pipeline([
        ("bin", AdditiveBinner(n_bins=n_bins, categorical_features=list(CATEGORICAL_FEATURES), min_frequency=min_frequency)),
        ("model", AdditiveLogisticClassifier(C=C, random_state=random_state)),
    ])


# -- estimates -------------------------------------------------------------------------------
class Factor(NamedTuple):
    """One feature's part of a likelihood: its value's label and its log-odds contribution.

    A named tuple: every answer carries one per feature, and making them is a cost per firm.
    """

    feature: str
    level: str
    log_odds: float


@dataclass(frozen=True)
class LandingEstimate:
    """Likelihoods of a batch of firms and their exact per-feature parts.

    ``logit(likelihood[i]) == baseline + parts[i].sum()`` (before rounding); for the prior,
    ``parts`` has no columns.
    """

    likelihood: np.ndarray  # (n,), 0-1
    baseline: float  # log-odds
    parts: np.ndarray  # (n, n_features) log-odds, columns ``names``
    labels: np.ndarray  # (n, n_features) of object: the label of each feature's bin or category
    cells: np.ndarray  # (n, n_features) of object: each part as a Factor (its rounded log-odds)
    names: tuple[str, ...]  # the features (FEATURE_COLUMNS), or () under the prior
    version: str
    index: pd.Index | None = None  # the scored rows' index, for the frames below

    @property
    def contributions(self) -> pd.DataFrame:
        """``parts`` as a frame: one column per feature, indexed like the scored rows."""
        return pd.DataFrame(self.parts, columns=list(self.names), index=self._index())

    @property
    def levels(self) -> pd.DataFrame:
        """``labels`` as a frame: one column per feature, indexed like the scored rows."""
        return pd.DataFrame(self.labels, columns=list(self.names), index=self._index())

    def _index(self) -> pd.Index:
        return self.index if self.index is not None else pd.RangeIndex(len(self.likelihood))

    def factors(self, i: int) -> tuple[Factor, ...]:
        """Row ``i``'s parts, largest in size first."""
        return self._factors(slice(i, i + 1))[0]

    def all_factors(self) -> list[tuple[Factor, ...]]:
        """:meth:`factors` of every row."""
        return self._factors(slice(None))

    def _factors(self, rows: slice) -> list[tuple[Factor, ...]]:
        order = np.argsort(-np.abs(self.parts[rows]), axis=1, kind="stable")  # no columns under the prior: ()
        cells = self.cells[rows]  # taken along the rows by indexing (np.take_along_axis, for less)
        return list(map(tuple, cells[np.arange(len(cells))[:, np.newaxis], order].tolist()))


class LandingTables:
    """A fitted landing pipeline as lookup tables: what it computes, at numpy speed, without it.

    Computes what ``binner.transform`` then ``model.contributions`` compute, for the columns
    of :func:`feature_columns`: each feature's bin code, then every part and label by one
    lookup in flat tables indexed by (feature, code). Plain data (:meth:`to_dict`), so a saved
    model scores without loading its pipeline.
    """

    def __init__(self, names, numeric, categorical, offsets, parts, labels, baseline):
        self.names = tuple(names)
        self.numeric = [(int(j), str(name), np.asarray(edges, dtype=np.float64)) for j, name, edges in numeric]
        self.categorical = [(int(j), str(name), {str(k): int(v) for k, v in lookup.items()}) for j, name, lookup in categorical]
        self.numeric_positions = np.array([j for j, _, _ in self.numeric], dtype=np.intp)
        self.offsets = np.asarray(offsets, dtype=np.intp)
        self.parts = np.asarray(parts, dtype=np.float64)
        self.labels = np.asarray(labels, dtype=object)
        self.baseline = float(baseline)
        self.source: tuple | None = None  # the fitted arrays the tables were made from (from_pipeline)
        # each entry as the Factor an answer shows (log-odds rounded to 4 places), made once
        feature_of = np.repeat(np.arange(len(self.names)), np.diff(np.r_[self.offsets, len(self.parts)]))
        self.factors = np.empty(len(self.parts), dtype=object)
        for i, (k, label, part) in enumerate(zip(feature_of.tolist(), self.labels.tolist(), self.parts.tolist(), strict=True)):
            self.factors[i] = Factor(self.names[k], str(label), round(part, 4))

    @classmethod
    def from_pipeline(cls, pipeline: Pipeline) -> LandingTables:
        """The tables of a fitted :func:`make_landing_pipeline`."""
        binner: AdditiveBinner = pipeline.named_steps["bin"]
        model: AdditiveLogisticClassifier = pipeline.named_steps["model"]
        names = tuple(map(str, binner.feature_names_in_))
        sizes = [len(labels) for labels in binner.labels_]  # codes run 0 … len(labels) - 1
        offsets = np.cumsum([0, *sizes[:-1]]).astype(np.intp)
        parts = np.zeros(sum(sizes))
        for j, (levels, shape) in enumerate(zip(model.levels_, model.shapes_, strict=True)):
            seen = (levels >= 0) & (levels < sizes[j]) & (levels == np.round(levels))
            parts[offsets[j] + levels[seen].astype(np.intp)] = shape[seen]
        tables = cls(
            names,
            [(j, name, binner.edges_[j]) for j, name in enumerate(names) if not binner.is_categorical_[j]],
            [(j, name, {value: _FIRST_CODE + i for i, value in enumerate(binner.categories_[j])})
             for j, name in enumerate(names) if binner.is_categorical_[j]],
            offsets, parts, [str(label) for labels in binner.labels_ for label in labels], model.baseline_,
        )
        tables.source = (binner.edges_, model.shapes_)  # refitting replaces these: then recompile
        return tables

    def to_dict(self) -> dict:
        """JSON-ready (floats round-trip exactly through JSON)."""
        return {
            "names": list(self.names),
            "numeric": [[j, name, edges.tolist()] for j, name, edges in self.numeric],
            "categorical": [[j, name, lookup] for j, name, lookup in self.categorical],
            "offsets": self.offsets.tolist(),
            "parts": self.parts.tolist(),
            "labels": self.labels.tolist(),
            "baseline": self.baseline,
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> LandingTables:
        """Tables from :meth:`to_dict`.

        Raises
        ------
        ValueError
            A key is missing, or the tables do not fit together.
        """
        try:
            tables = cls(**{key: data[key] for key in ("names", "numeric", "categorical", "offsets", "parts", "labels", "baseline")})
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"landing tables are incomplete ({exc!r})") from None
        columns = sorted([j for j, _, _ in tables.numeric] + [j for j, _, _ in tables.categorical])
        if columns != list(range(len(tables.names))) or len(tables.offsets) != len(tables.names) or len(tables.parts) != len(tables.labels):
            raise ValueError("landing tables do not fit together")
        return tables

    def estimate(self, features: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(parts, labels, factors), each of shape (n, n_features)."""
        n = len(features[self.names[0]])
        codes = np.empty((n, len(self.names)), dtype=np.intp)
        # one row per numeric feature (np.array stacks equal-length columns for less than column_stack)
        values = np.array([features[name] for _, name, _ in self.numeric], dtype=np.float64).reshape(len(self.numeric), n).T
        missing = np.isnan(values)
        values[missing] = 0.0
        bins = np.empty(values.shape, dtype=np.intp)
        for k, (_, _, edges) in enumerate(self.numeric):
            bins[:, k] = edges.searchsorted(values[:, k], side="right")
        codes[:, self.numeric_positions] = np.where(missing, _MISSING_CODE, _FIRST_CODE + bins)
        for j, name, lookup in self.categorical:
            codes[:, j] = [_MISSING_CODE if v is None else lookup.get(v, _OTHER_CODE) for v in features[name].tolist()]
        flat = codes + self.offsets
        return self.parts[flat], self.labels[flat], self.factors[flat]


_TABLES: weakref.WeakKeyDictionary[Pipeline, LandingTables] = weakref.WeakKeyDictionary()


def landing_tables(pipeline: Pipeline) -> LandingTables:
    """The :class:`LandingTables` of a fitted pipeline, made once per fit."""
    tables = _TABLES.get(pipeline)
    binner, model = pipeline.named_steps["bin"], pipeline.named_steps["model"]
    if tables is None or tables.source is None or tables.source[0] is not binner.edges_ or tables.source[1] is not model.shapes_:
        tables = _TABLES[pipeline] = LandingTables.from_pipeline(pipeline)
    return tables


def _estimate(tables: LandingTables, features: Mapping[str, np.ndarray], version: str, index: pd.Index | None) -> LandingEstimate:
    parts, labels, cells = tables.estimate(features)
    return LandingEstimate(
        likelihood=expit(tables.baseline + parts.sum(axis=1)),
        baseline=tables.baseline,
        parts=parts,
        labels=labels,
        cells=cells,
        names=tables.names,
        version=version,
        index=index,
    )


def estimate_landing(scored: pd.DataFrame | Mapping[str, np.ndarray], points: Mapping[str, float], model=None) -> LandingEstimate:
    """Likelihoods of scored firms under a trained model, or the documented prior.

    Parameters
    ----------
    scored : DataFrame or mapping of columns
        Rows of :meth:`recommender.scoring.Scorer.score_frame` (or the columns of
        :meth:`~recommender.scoring.Scorer.score_columns`).
    points : mapping
        The scorer's component points (``Scorer.points``).
    model : LandingModel or None
        A loaded model (:func:`recommender.likelihood.load_model`) already checked against
        the map; None for :func:`_prior_estimate`.
    """
    index = scored.index if isinstance(scored, pd.DataFrame) else None
    if model is None:
        return _prior_estimate(n_rows(scored), index)
    tables = model.tables if hasattr(model, "tables") else landing_tables(model.pipeline)
    return _estimate(tables, feature_columns(scored, points), model.version, index)


def _prior_estimate(n: int, index: Sequence[Any] | pd.Index | None = None) -> LandingEstimate:
    """The documented prior for ``n`` firms: :data:`PRIOR_LIKELIHOOD` each, no parts."""
    return LandingEstimate(
        likelihood=np.full(n, PRIOR_LIKELIHOOD),
        baseline=float(np.log(PRIOR_LIKELIHOOD / (1 - PRIOR_LIKELIHOOD))),
        parts=np.zeros((n, 0)),
        labels=np.empty((n, 0), dtype=object),
        cells=np.empty((n, 0), dtype=object),
        names=(),
        version=PRIOR_VERSION,
        index=None if index is None else pd.Index(index),
    )


def priority(score, likelihood):
    """``100 × √(score/100 × likelihood)``, rounded to 0.01: 0–100, ordered as score × likelihood.

    Parameters
    ----------
    score : float or ndarray, 0–100
    likelihood : float or ndarray, 0–1
    """
    s = np.clip(np.asarray(score, dtype=np.float64) / 100.0, 0.0, 1.0)
    p = np.clip(np.asarray(likelihood, dtype=np.float64), 0.0, 1.0)
    return np.round(100.0 * np.sqrt(s * p), 2)
