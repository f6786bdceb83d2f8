"""The landing model as scoring reads it: features, lookup tables, estimates, the prior, priority.

Scoring does not run the fitted pipeline (:mod:`recommender.likelihood._estimators`, scikit-learn):
:class:`LandingTables` holds what it computes as lookup tables (bin edges, category codes, one
part and one label per level), plain data that a saved model carries beside its skops file.
Estimates from the tables equal the pipeline's (tested), at numpy speed, and a command that only
ranks or scores never imports scikit-learn (``tests/test_imports.py``).

* :func:`feature_frame` turns the scorer's rows into the declared :data:`FEATURE_COLUMNS`.
* :func:`estimate_landing` gives each firm its likelihood and its exact per-feature parts
  (:class:`LandingEstimate`), or the documented prior :data:`PRIOR_LIKELIHOOD` without a model.
* :func:`priority` combines score and likelihood::

    priority = 100 × √( score/100 × likelihood )

  so it runs 0–100 and orders firms by ``score × likelihood``, the strategic value expected to
  land per firm courted. A firm the city wants but that will not come, or one that would come
  but serves nothing, ranks low.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd
from scipy.special import expit

from .._columnar import Columns, as_list, n_rows
from .._packagedata import read_labels
from ..chainmap._schema import COMPONENTS

if TYPE_CHECKING:  # the pipeline's types only: scikit-learn is not imported to score
    from sklearn.pipeline import Pipeline

    from ._estimators import AdditiveBinner, AdditiveLogisticClassifier

__all__ = [
    "CATEGORICAL_FEATURES",
    "FEATURE_COLUMNS",
    "FEATURE_LABELS",
    "NUMERIC_FEATURES",
    "PRIOR_LIKELIHOOD",
    "PRIOR_VERSION",
    "Factor",
    "LandingEstimate",
    "LandingTables",
    "estimate_landing",
    "feature_columns",
    "feature_frame",
    "landing_tables",
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
    out["affinity"] = numbers("affinity")
    out["size"] = numbers("size")
    for name in ("employees", "revenue", "patents"):  # (at least 1, or NaN: no floating-point warning)
        out[f"{name}_log"] = np.log10(np.maximum(numbers(name), 0) + 1)
    out["profile_gaps"] = np.array([len([m for m in str(v).split(",") if m]) for v in as_list(scored["missing"])], dtype=np.float64)
    out["firm_green"] = numbers("firm_green")
    out["trade_only"] = numbers("trade_only")
    for name in CATEGORICAL_FEATURES:
        values = np.empty(n, dtype=object)
        values[:] = [v if isinstance(v, str) and v else None for v in as_list(scored[name])]
        out[name] = values
    return {name: out[name] for name in FEATURE_COLUMNS}


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
