"""Training a landing model on a history, and judging it on a later period.

Validation respects time: the history is sorted by first-contact date, the latest
``test_share`` of it (all firms contacted on or after the cut-off date) is held out, the
model is fitted on the older firms and scored on the newer ones, beside two baselines:

* ``rule_score``: the strategic score of :mod:`recommender.scoring` alone;
* ``firm_size``: the firm's size sub-score alone (0–1; the scorer's prior 0.3 when unknown).

ROC-AUC, average precision and precision@k rank firms by the raw value; the Brier score needs
probabilities, so each baseline is first turned into one by a one-feature logistic regression
fitted on the training period (Platt scaling). Calibration is shown as observed landing rate
against mean predicted likelihood in quantile bins of the test period.

The model that ships is then refitted on the whole history (``refit=True``, the default), so
it has seen the most recent firms too; the metrics are those of the held-out run.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from dataclasses import dataclass
from typing import TypedDict

import numpy as np
import pandas as pd
import sklearn

from ..chainmap._schema import ChainMap
from ..exceptions import ModelError
from ..scoring._scorer import PRIORS, Scorer
from ._estimators import make_landing_pipeline
from ._modelstore import LandingModel, ModelInfo, link_fingerprint
from ._outcomes import History
from ._tables import FEATURE_COLUMNS, FEATURE_LABELS, feature_frame

__all__ = [
    "BASELINES",
    "METRICS",
    "Evaluation",
    "model_card",
    "ranking_metrics",
    "train_landing",
]

#: Metrics reported, in order.
METRICS = ("roc_auc", "average_precision", "brier", "precision_at_50", "precision_at_100", "base_rate")
#: The rows of the metrics table: the model, then the baselines.
BASELINES = ("rule_score", "firm_size")
_KS = (50, 100)
_MIN_CLASS_ROWS = 5


@dataclass(frozen=True)
class _TimeSplit:
    """Older firms to train on, newer ones to test on."""

    cutoff: np.datetime64  # the first test date
    train: np.ndarray  # row positions
    test: np.ndarray


def _time_split(dates: np.ndarray, labels: np.ndarray, *, test_share: float = 0.25) -> _TimeSplit:
    """Hold out the latest ``test_share`` of the rows (every row on or after the cut-off date).

    Raises
    ------
    ModelError
        ``test_share`` is not in (0, 1), or either part lacks ``5`` rows of each class.
    """
    if not 0 < test_share < 1:
        raise ModelError(f"The 'test_share' parameter of _time_split must be in (0, 1). Got {test_share!r} instead.")
    dates = np.asarray(dates, dtype="datetime64[D]")
    ordered = np.sort(dates)
    cutoff = ordered[min(len(ordered) - 1, int(np.floor(len(ordered) * (1 - test_share))))]
    test = np.flatnonzero(dates >= cutoff)
    train = np.flatnonzero(dates < cutoff)
    for part, rows in (("training (older)", train), ("test (newer)", test)):
        counts = np.bincount(np.asarray(labels)[rows], minlength=2) if len(rows) else np.zeros(2, dtype=int)
        if counts.min() < _MIN_CLASS_ROWS:
            raise ModelError(
                f"the {part} period from the cut-off {cutoff} holds {counts[1]} landed and {counts[0]} lost firms; "
                f"each needs at least {_MIN_CLASS_ROWS} of both. Add history or change --test-share."
            )
    return _TimeSplit(cutoff=cutoff, train=train, test=test)


def _precision_at_k(y: np.ndarray, value: np.ndarray, k: int) -> float:
    """Share of landed firms among the ``k`` of highest ``value`` (ties by position)."""
    k = min(k, len(y))
    top = np.argsort(-np.asarray(value, dtype=np.float64), kind="stable")[:k]
    return float(np.mean(np.asarray(y)[top])) if k else float("nan")


def ranking_metrics(y: np.ndarray, value: np.ndarray, probability: np.ndarray) -> dict[str, float]:
    """:data:`METRICS` of one predictor: ranking metrics on ``value``, Brier on ``probability``."""
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score  # training only

    y = np.asarray(y)
    out = {
        "roc_auc": float(roc_auc_score(y, value)),
        "average_precision": float(average_precision_score(y, value)),
        "brier": float(brier_score_loss(y, probability)),
    }
    for k in _KS:
        out[f"precision_at_{k}"] = _precision_at_k(y, value, k)
    out["base_rate"] = float(np.mean(y))
    return {name: round(out[name], 4) for name in METRICS}


def _calibration_table(y: np.ndarray, probability: np.ndarray, *, n_bins: int = 10) -> pd.DataFrame:
    """Observed landing rate against mean predicted likelihood, in quantile bins.

    Returns
    -------
    DataFrame with columns ``predicted``, ``observed``, ``firms``, one row per non-empty bin.
    """
    from sklearn.calibration import calibration_curve  # training only (0.2 s of imports)

    observed, predicted = calibration_curve(y, probability, n_bins=n_bins, strategy="quantile")
    edges = np.unique(np.quantile(probability, np.linspace(0, 1, n_bins + 1)))
    counts = np.bincount(np.clip(np.searchsorted(edges[1:-1], probability, side="right"), 0, len(edges) - 2), minlength=len(edges) - 1)
    counts = counts[counts > 0]
    if len(counts) != len(observed):  # bins that calibration_curve merged; counts are then only indicative
        counts = np.full(len(observed), np.nan)
    return pd.DataFrame({"predicted": np.round(predicted, 4), "observed": np.round(observed, 4), "firms": counts})


@dataclass(frozen=True)
class Evaluation:
    """The held-out judgement of a landing model."""

    cutoff: str
    train_period: tuple[str, str]
    test_period: tuple[str, str]
    train_rows: int
    test_rows: int
    table: pd.DataFrame  # index: "model", *BASELINES; columns: METRICS
    calibration: pd.DataFrame
    test_likelihood: np.ndarray  # the held-out predictions, in test order
    test_rows_index: np.ndarray  # positions of the test rows in the history

    def metrics(self) -> dict[str, dict[str, float]]:
        return {str(name): {str(k): float(v) for k, v in row.items()} for name, row in self.table.to_dict("index").items()}


class _PipelineParams(TypedDict):
    """The keyword arguments of :func:`make_landing_pipeline`, stored with the model."""

    n_bins: int
    min_frequency: int
    C: float
    random_state: int | None


def _period(dates: np.ndarray) -> tuple[str, str]:
    return str(dates.min()), str(dates.max())


def _platt(train_value: np.ndarray, y_train: np.ndarray, test_value: np.ndarray) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression  # training only

    model = LogisticRegression(C=1e6).fit(train_value.reshape(-1, 1), y_train)
    return model.predict_proba(test_value.reshape(-1, 1))[:, 1]


def train_landing(
    history: History,
    chain_map: ChainMap,
    *,
    name: str = "default",
    synthetic: bool = False,
    test_share: float = 0.25,
    n_bins: int = 8,
    min_frequency: int = 10,
    C: float = 0.1,
    random_state: int = 0,
    refit: bool = True,
) -> tuple[LandingModel, Evaluation]:
    """Fit a landing model on a history for one map and judge it on the latest period.

    Parameters
    ----------
    history : History
        From :func:`recommender.likelihood.read_history`.
    chain_map : ChainMap
        The map whose scorer computes the chain-fit features.
    name : str
        The model's name (its folder in a models folder).
    synthetic : bool
        The history is made up (a demo), not the bureau's own outcomes: recorded in the model's
        info and card, and shown beside its version in every output.
    test_share : float
        Share of the rows, the latest, held out.
    n_bins, min_frequency, C, random_state
        Passed to :func:`recommender.likelihood.make_landing_pipeline`.
    refit : bool
        Refit the returned model on the whole history (the metrics stay those of the split).

    Returns
    -------
    The model (with its :class:`~recommender.likelihood.ModelInfo`) and its evaluation.
    """
    scorer = Scorer(chain_map)
    scored = scorer.score_frame(history.profiles)
    features = feature_frame(scored, scorer.points)
    y = history.label
    split = _time_split(history.contact_date, y, test_share=test_share)
    params = _PipelineParams(n_bins=n_bins, min_frequency=min_frequency, C=C, random_state=random_state)
    held_out = make_landing_pipeline(**params).fit(features.iloc[split.train], y[split.train])
    p_test = held_out.predict_proba(features.iloc[split.test])[:, 1]
    y_train, y_test = y[split.train], y[split.test]

    score = scored["score"].to_numpy(dtype=np.float64)
    size = scored["size"].fillna(PRIORS["size"]).to_numpy(dtype=np.float64)
    rows = {"model": ranking_metrics(y_test, p_test, p_test)}
    for baseline, value in (("rule_score", score), ("firm_size", size)):
        probability = _platt(value[split.train], y_train, value[split.test])
        rows[baseline] = ranking_metrics(y_test, value[split.test], probability)
    table = pd.DataFrame.from_dict(rows, orient="index")[list(METRICS)]
    dates = history.contact_date
    evaluation = Evaluation(
        cutoff=str(split.cutoff),
        train_period=_period(dates[split.train]),
        test_period=_period(dates[split.test]),
        train_rows=len(split.train),
        test_rows=len(split.test),
        table=table,
        calibration=_calibration_table(y_test, p_test),
        test_likelihood=p_test,
        test_rows_index=split.test,
    )
    final = make_landing_pipeline(**params).fit(features, y) if refit else held_out
    digest = hashlib.sha256(json.dumps(
        [history.sha256, params, test_share, refit, sklearn.__version__, link_fingerprint(chain_map), FEATURE_COLUMNS]
    ).encode()).hexdigest()[:8]
    last = str(dates.max()).replace("-", "")
    info = ModelInfo(
        name=name,
        version=f"{last}-{digest}",
        format=1,
        sklearn_version=sklearn.__version__,
        skops_version=importlib.metadata.version("skops"),
        feature_columns=FEATURE_COLUMNS,
        map_id=chain_map.id,
        map_version=chain_map.version,
        link_fingerprint=link_fingerprint(chain_map),
        link_ids=tuple(chain_map.link_ids),
        history_file=history.path.replace("\\", "/").rsplit("/", 1)[-1],
        history_sha256=history.sha256,
        rows=len(y),
        positives=int(y.sum()),
        train_period=evaluation.train_period,
        test_period=evaluation.test_period,
        params={**params, "test_share": test_share, "refit": refit},
        metrics=evaluation.metrics(),
        synthetic=synthetic,
    )
    return LandingModel(pipeline=final, info=info), evaluation


# -- the model card --------------------------------------------------------------------------
_METRIC_LABELS = {
    "roc_auc": "ROC-AUC ↑", "average_precision": "average precision ↑", "brier": "Brier score ↓",
    "precision_at_50": "precision@50 ↑", "precision_at_100": "precision@100 ↑", "base_rate": "landing rate",
}
_ROW_LABELS = {"model": "landing model", "rule_score": "baseline: rule-based score alone", "firm_size": "baseline: firm size alone"}


def _markdown(frame: pd.DataFrame, labels: dict[str, str] | None = None) -> str:
    header = "| | " + " | ".join(_METRIC_LABELS.get(c, c) for c in frame.columns) + " |"
    lines = [header, "|---" * (len(frame.columns) + 1) + "|"]
    for index, row in frame.iterrows():
        cells = [f"{v:.3f}" if isinstance(v, float) and not np.isnan(v) else str(v) for v in row]
        lines.append(f"| {(labels or {}).get(str(index), index)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def model_card(model: LandingModel, evaluation: Evaluation) -> str:
    """A Markdown model card: data, dates, metrics, baselines, calibration, features, limits."""
    info = model.info
    shapes = model.pipeline.named_steps["model"]
    binner = model.pipeline.named_steps["bin"]
    spread = {
        name: float(np.ptp(shapes.shapes_[j])) if len(shapes.shapes_[j]) else 0.0
        for j, name in enumerate(binner.feature_names_in_)
    }
    strongest = sorted(spread, key=spread.__getitem__, reverse=True)
    calibration = evaluation.calibration.copy()
    calibration.index = [f"bin {i + 1}" for i in range(len(calibration))]
    cal_lines = ["| | mean predicted | observed | firms |", "|---|---|---|---|"]
    for index, row in calibration.iterrows():
        firms = "" if np.isnan(row["firms"]) else f"{int(row['firms'])}"
        cal_lines.append(f"| {index} | {row['predicted']:.3f} | {row['observed']:.3f} | {firms} |")
    feature_lines = [
        f"| `{name}` | {FEATURE_LABELS[name][1]} / {FEATURE_LABELS[name][0]} | {spread[name]:.2f} |" for name in strongest
    ]
    return f"""# Model card: landing model `{model.version}`

How likely a courted firm is to land (落地/签约) in map **{info.map_id}** ({info.map_version}), as a
calibrated probability with exact per-feature contributions (see `recommender/likelihood/_estimators.py`).

## Data
- Training data: {"**synthetic** (合成数据): made-up outcomes for a demo; the likelihoods describe no real firm and must not steer real courting" if info.synthetic else "real outcomes (the bureau's own history)"}.
- History: `{info.history_file}` (sha256 `{info.history_sha256[:16]}…`), {info.rows} firms, {info.positives} landed or signed
  ({info.positives / info.rows:.1%}). Positive = 落地/landed or 签约/signed; negative = 未落地/lost.
- First-contact dates: {info.train_period[0]} to {info.test_period[1]}.
- Map: `{info.map_id}`, {len(info.link_ids)} links (fingerprint `{info.link_fingerprint}`); the model is refused for a
  map whose links differ.

## Validation (respecting time)
- Trained on the {evaluation.train_rows} firms first contacted {evaluation.train_period[0]} – {evaluation.train_period[1]};
  tested on the {evaluation.test_rows} contacted {evaluation.test_period[0]} – {evaluation.test_period[1]} (cut-off {evaluation.cutoff}).
- The shipped model was then {"refitted on the whole history" if info.params.get("refit") else "kept as trained on the older period"}.

{_markdown(evaluation.table, _ROW_LABELS)}

Baselines rank by the raw value; their Brier scores use a logistic fit of that value on the
training period.

### Calibration on the test period
Mean predicted likelihood {float(np.mean(evaluation.test_likelihood)):.3f} against an observed landing rate of
{evaluation.metrics()["model"]["base_rate"]:.3f}; by quantile bin of the predicted likelihood:

{chr(10).join(cal_lines)}

## Model
- Pipeline: `AdditiveBinner(n_bins={info.params.get("n_bins")}, min_frequency={info.params.get("min_frequency")})` →
  `AdditiveLogisticClassifier(C={info.params.get("C")})`: an additive logistic model; log-odds = baseline + one
  part per feature, exactly. Missing values have their own level; unseen or rare categories count as "other".
- scikit-learn {info.sklearn_version}, skops {info.skops_version}; saved with skops and loaded only with an explicit type
  allow-list by the same scikit-learn version.

### Features, by the spread of their contribution (log-odds, max − min)
| feature | meaning | spread |
|---|---|---|
{chr(10).join(feature_lines)}

Rebuild: `recommender train {info.history_file} -o <models folder>/{info.name} --map <folder of map {info.map_id}>`
(`--map` may be left out for the embedded map); the same history and parameters give the same version.

## Limits
- It learns who landed in the past, under past policies, staff and markets; a change of policy or of the map
  makes it stale. Retrain when the history grows or the map changes.
- Outcomes depend on things no profile holds (the officer's follow-up, land and subsidies offered, the firm's
  own plans); the likelihood is a prior for prioritising, not a forecast for one firm.
- Firms never courted are absent from the history, so the model knows little about kinds the bureau never
  approached.
- Parts are additive: interactions between features (e.g. a large firm from a given origin) are not modelled.
- If trained on the demo history (`seeds/examples/history.csv`), every number above describes **synthetic**
  data and says nothing about any real city.
"""
