"""Outcomes from the pipeline train the landing model.

:func:`write_history` turns the closed leads into a history in the format
:func:`recommender.likelihood.read_history` reads: the profile as it was when the firm was added,
the first-contact date (the day it left 线索; the day it was added when it never did) and the
outcome (签约/落地 count 1, 流失 0; open leads are left out). :func:`train_from_pipeline`
trains a candidate with the library's training code, validates it on the latest period
against the model now served and the two baselines, and stores it with its card as a
``candidate``. Only :func:`promote` (an admin) makes ranking use it: the model is copied into
the promoted folder, whose newest version the service serves (every worker notices the new
files).

Below :data:`MIN_OUTCOMES` outcomes, or :data:`MIN_PER_CLASS` of either class, nothing is
trained (:class:`HistoryTooSmall`) and the served model (or the prior) stays.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender import ChainMap
from recommender.likelihood import (
    DEFAULT_MODEL,
    LandingModel,
    estimate_landing,
    list_versions,
    load_model,
    model_card,
    ranking_metrics,
    read_history,
    save_model,
    train_landing,
)
from recommender.scoring import Scorer
from recommender.tables import CANONICAL_COLUMNS

from ..db.models import Lead, ModelRecord, utcnow
from ..exceptions import HistoryTooSmall
from ..settings import Settings
from .stages import OUTCOME_OF_STAGE

__all__ = [
    "MIN_OUTCOMES", "MIN_PER_CLASS", "MODEL_NAME", "HistoryTooSmall", "TrainResult", "promote", "promoted_dir",
    "train_from_pipeline", "write_history",
]

#: The fewest outcomes a model is trained on, and the fewest of each class (won, lost).
MIN_OUTCOMES = 100
MIN_PER_CLASS = 20
#: The name of models trained from the pipeline.
MODEL_NAME = "pipeline"


@dataclasses.dataclass(frozen=True)
class TrainResult:
    record: ModelRecord
    card: str
    table: pd.DataFrame  # metrics: the candidate, the current model, the baselines


def promoted_dir(settings: Settings) -> Path:
    """Where promoted models go; the service serves this folder's newest version once it has one."""
    return settings.state_dir / "models" / MODEL_NAME


def _candidates_dir(settings: Settings) -> Path:
    return settings.state_dir / "models" / "candidates" / MODEL_NAME


def served_model(settings: Settings) -> LandingModel | None:
    """The model the service serves with these settings (as :class:`api.state.RecommenderStore` picks it)."""
    promoted = promoted_dir(settings)
    if settings.model is None and promoted.is_dir() and list_versions(promoted):
        return load_model(promoted)
    ref = settings.model if settings.model is not None else DEFAULT_MODEL
    return None if ref == "prior" else load_model(ref, models_dir=settings.models_dir)


def write_history(db: Session, path: Path) -> tuple[int, int, dt.date | None, dt.date | None]:
    """Write the closed leads as a history file; (outcomes, positives, first date, last date)."""
    leads = db.scalars(select(Lead).where(Lead.stage.in_(tuple(OUTCOME_OF_STAGE))).order_by(Lead.id)).all()
    path.parent.mkdir(parents=True, exist_ok=True)
    dates = []
    positives = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([*CANONICAL_COLUMNS, "contact_date", "outcome"])
        for lead in leads:
            date = lead.first_contact_date or lead.created_at.date()
            dates.append(date)
            positives += lead.stage != "lost"
            writer.writerow([lead.profile.get(c, "") for c in CANONICAL_COLUMNS] + [date.isoformat(), OUTCOME_OF_STAGE[lead.stage]])
    return len(leads), positives, (min(dates) if dates else None), (max(dates) if dates else None)


def _check_size(outcomes: int, positives: int) -> None:
    lost = outcomes - positives
    if outcomes < MIN_OUTCOMES or positives < MIN_PER_CLASS or lost < MIN_PER_CLASS:
        raise HistoryTooSmall(
            f"线索库中的结果太少，无法训练：{outcomes} 个结果（签约/落地 {positives}，流失 {lost}）；至少需要 {MIN_OUTCOMES} 个，"
            f"每类至少 {MIN_PER_CLASS} 个。继续使用当前模型。 / the pipeline's history is too small to train on: {outcomes} outcomes "
            f"({positives} signed or landed, {lost} lost); at least {MIN_OUTCOMES} are needed with {MIN_PER_CLASS} of each class. "
            "The current model (or the prior) stays in use."
        )


def _current_row(history, evaluation, chain_map: ChainMap, current: LandingModel | None) -> pd.DataFrame:
    rows = evaluation.test_rows_index
    scorer = Scorer(chain_map)
    scored = scorer.score_frame(history.profiles.iloc[rows].reset_index(drop=True))
    likelihood = estimate_landing(scored, scorer.points, current).likelihood
    y = history.label[rows]
    value = likelihood if np.ptp(likelihood) > 0 else scored["score"].to_numpy(dtype=np.float64)  # the prior is flat
    name = f"current: {current.version if current is not None else 'prior'}"
    return pd.DataFrame.from_dict({name: ranking_metrics(y, value, likelihood)}, orient="index")


def train_from_pipeline(
    db: Session, settings: Settings, chain_map: ChainMap, *, actor: str, current: LandingModel | None, test_share: float = 0.25,
) -> TrainResult:
    """Train a candidate model on the pipeline's outcomes and store it (status ``candidate``).

    Raises
    ------
    HistoryTooSmall
        Below the documented minimum; nothing is trained.
    ModelError
        The validation split lacks firms of a class (from the library).
    """
    stamp = utcnow().strftime("%Y%m%dT%H%M%S")
    history_path = settings.state_dir / "models" / "histories" / f"leads-{stamp}.csv"
    outcomes, positives, first, last = write_history(db, history_path)
    try:
        _check_size(outcomes, positives)
    except HistoryTooSmall:
        history_path.unlink(missing_ok=True)
        raise
    history = read_history(history_path)
    model, evaluation = train_landing(history, chain_map, name=MODEL_NAME, test_share=test_share)
    table = pd.concat([evaluation.table, _current_row(history, evaluation, chain_map, current)])
    evaluation = dataclasses.replace(evaluation, table=table)
    card = model_card(model, evaluation) + (
        f"\n## Real outcomes\n- Learned from **{outcomes} real outcomes** of this bureau's lead pipeline "
        f"({positives} signed or landed, {outcomes - positives} lost), first contacted {first} – {last}.\n"
        f"- Trained by {actor} on {utcnow():%Y-%m-%d %H:%M} UTC; a candidate until an admin promotes it.\n"
    )
    path = save_model(model, _candidates_dir(settings), card=card)
    record = db.get(ModelRecord, model.version)
    if record is None:
        record = ModelRecord(id=model.version, status="candidate", path=str(path), card=card,
                             metrics={k: {m: float(v) for m, v in row.items()} for k, row in table.to_dict("index").items()},
                             outcomes=outcomes, positives=positives, first_date=first, last_date=last, created_by=actor)
        db.add(record)
        db.flush()
    return TrainResult(record=record, card=card, table=table)


def promote(db: Session, settings: Settings, model_id: str, chain_map: ChainMap, *, actor: str) -> ModelRecord:
    """Make a stored model the one ranking uses (the previous one is marked ``retired``).

    Raises
    ------
    LookupError
        No such model.
    ModelError
        Its files fail their checks or it does not fit the map.
    """
    record = db.get(ModelRecord, model_id)
    if record is None:
        raise LookupError(f"未找到模型 {model_id} / no model {model_id!r}")
    model = load_model(Path(record.path))
    model.check_map(chain_map)
    model.pipeline  # noqa: B018 - read and check the pipeline itself before copying it
    save_model(model, promoted_dir(settings), card=record.card)
    for other in db.scalars(select(ModelRecord).where(ModelRecord.status == "promoted", ModelRecord.id != model_id)):
        other.status = "retired"
    record.status, record.promoted_at, record.promoted_by = "promoted", utcnow(), actor
    db.flush()
    return record
