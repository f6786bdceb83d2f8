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

Scoring does not run the pipeline: :mod:`recommender.likelihood._tables` holds what it computes
as lookup tables (:class:`~recommender.likelihood.LandingTables`), with the features, the prior
and ``priority``. This module, and scikit-learn with it, is imported only to train or to read a
pipeline.
"""


from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.pipeline import Pipeline
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._tables import _FIRST_CODE, _MISSING_CODE, _OTHER_CODE, CATEGORICAL_FEATURES

__all__ = ["AdditiveBinner", "AdditiveLogisticClassifier", "make_landing_pipeline"]


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


