"""The public entry point: a chain map and its scorer, scoring one profile or ranking many.

``Recommender`` ties the stages together (profile → link affinities → features → score →
explanation → ranking) and is what the command line, the service and notebooks call, so a
firm gets the same score whichever way it comes in.

Beside the strategic ``score`` every result carries the landing ``likelihood`` (0–1) from a
landing model (:mod:`recommender.likelihood`; the documented prior when none is given, model
version ``"prior"``), its per-feature parts, and ``priority`` = 100 × √(score/100 ×
likelihood), which orders rankings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import NamedTuple, Unpack

import numpy as np
import pandas as pd

from ._columnar import Columns, as_list
from .chainmap._schema import COMPONENTS, ChainMap, load_map
from .likelihood._modelstore import LandingModel, load_model
from .likelihood._tables import PRIOR_VERSION, Factor, estimate_landing, priority
from .ranking._rank import Coverage, RankOptions, RankReport, rank_file, rank_frame
from .scoring._explanation import LANGUAGES, explain_columns, likelihood_reasons
from .scoring._profile import profile_columns, profile_records
from .scoring._scorer import Scorer

__all__ = ["Component", "Recommender", "Result"]

#: The scored columns a Result reads (chain, link and park in the asked language).
_RESULT_READ = ("name", "score", "chain_id", "chain", "link_id", "link", "action", "link_2_id", "link_2", "action_2", "park", "confidence", "errors")


class Component(NamedTuple):
    """One named part of a score."""

    name: str
    points: float
    max_points: float


@dataclass(frozen=True)
class Result:
    """The score of one firm, its parts, its reasons and the versions that produced it.

    The service's ``ScoreResponse`` is built from these fields (their order and descriptions);
    :meth:`as_dict` is its JSON form.
    """

    firm: str
    score: float = field(metadata={"description": "0–100, the sum of the components"})  # == sum(c.points for c in components), to 0.01
    chain_id: str | None
    chain: str | None
    link_id: str | None
    link: str | None
    action: str | None = field(metadata={"description": "补链 | 强链 | 延链 | 建链"})
    link_2_id: str | None = field(metadata={"description": "a second business's link, where the firm has one"})
    link_2: str | None
    action_2: str | None
    park: str | None
    confidence: float
    components: tuple[Component, ...]
    reasons: tuple[str, ...]
    errors: tuple[str, ...]
    likelihood: float = field(metadata={"description": "0–1: how likely the firm is to land, from the landing model (or the prior)"})
    priority: float = field(metadata={"description": "0–100: 100 × √(score/100 × likelihood); orders rankings"})
    likelihood_baseline: float = field(metadata={"description": "log-odds; logit(likelihood) = baseline + Σ factors' log_odds"})
    likelihood_factors: tuple[Factor, ...] = field(metadata={"description": "each feature's part of the likelihood, largest first; empty under the prior"})
    likelihood_reasons: tuple[str, ...] = field(metadata={"description": "the three parts that move the likelihood most, as officers read them (as in ranked files)"})
    map_version: str
    model_version: str = field(metadata={"description": "the landing model's name/version, or 'prior'"})

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready dict, field by field in order: components as name → points, factors as objects, tuples as lists."""
        out: dict[str, object] = dict(self.__dict__)  # the fields, in order (set by __init__ in order)
        out["components"] = {c.name: c.points for c in self.components}
        for name in _LIST_FIELDS:
            out[name] = list(getattr(self, name))
        # Factor._asdict() spelled out: 2.4x less time, for the twenty-odd factors of every answer
        out["likelihood_factors"] = [{"feature": f, "level": lv, "log_odds": x} for f, lv, x in self.likelihood_factors]
        return out


#: The tuple fields :meth:`Result.as_dict` gives as plain lists (the other two it re-forms).
_LIST_FIELDS = tuple(f.name for f in fields(Result) if str(f.type).startswith("tuple[") and f.name not in ("components", "likelihood_factors"))


class Recommender:
    """Scores and ranks firms against one chain map.

    Parameters
    ----------
    chain_map : ChainMap or path, optional
        A loaded map, a map folder, or None for the embedded map.
    model : LandingModel, str, path or None, optional
        The landing model: a loaded one, a ``.skops`` file or model folder, a name in
        ``models_dir`` (``"demo"``: trained on the synthetic demo history), or None /
        ``"prior"`` for the documented prior (every likelihood
        :data:`~recommender.likelihood.PRIOR_LIKELIHOOD`, model version ``"prior"``).
    models_dir : path, optional
        Where model names are looked up (default: the package's ``recommender/models``).

    Raises
    ------
    ModelError
        The model cannot be loaded, or was trained for a map whose links differ.
    """

    def __init__(
        self,
        chain_map: ChainMap | str | Path | None = None,
        *,
        model: LandingModel | str | Path | None = None,
        models_dir: str | Path | None = None,
    ):
        self.chain_map = chain_map if isinstance(chain_map, ChainMap) else load_map(chain_map)
        self.scorer = Scorer(self.chain_map)
        self.model = None if model is None or str(model) == PRIOR_VERSION else load_model(model, models_dir=models_dir)
        if self.model is not None:
            self.model.check_map(self.chain_map)

    @property
    def map_version(self) -> str:
        return self.chain_map.version

    @property
    def model_version(self) -> str:
        """The landing model's ``name/version``, or ``"prior"``."""
        return self.model.version if self.model is not None else PRIOR_VERSION

    def results(self, frame: pd.DataFrame | Columns, *, lang: str = "zh") -> list[Result]:
        """Score firms given as canonical columns, text or (numeric fields) numbers (a DataFrame or
        a dict of columns, e.g. :func:`~recommender.scoring.profile_records`); one :class:`Result` per row."""
        if lang not in LANGUAGES:
            raise ValueError(f"The 'lang' parameter of Recommender.results must be one of {LANGUAGES}. Got {lang!r} instead.")
        scored, _ = self.scorer.score_columns(profile_columns(frame))
        points = self.scorer.points
        landing = estimate_landing(scored, points, self.model)
        priorities = priority(scored["score"], landing.likelihood).tolist()
        likelihoods = np.round(landing.likelihood, 4).tolist()
        reasons = explain_columns(scored, self.chain_map, lang, joined=False)
        landing_reasons = likelihood_reasons(landing, self.chain_map, lang=lang, joined=False)
        en = lang == "en"
        names = {"chain": "chain_en", "link": "link_en", "link_2": "link_2_en", "park": "park_en"} if en else {}
        rows = [as_list(scored[names.get(name, name)]) for name in _RESULT_READ]
        # each row's components, as (name, points, max points) in COMPONENTS order
        maxima = [(name, float(points[name])) for name in COMPONENTS]
        component_points = zip(*(as_list(scored[f"score_{name}"]) for name in COMPONENTS), strict=True)
        baseline = round(landing.baseline, 4)
        factors = landing.all_factors()
        map_version = self.map_version
        out = []
        for i, (name, score, chain_id, chain, link_id, link, action, link_2_id, link_2, action_2, park, confidence, errors, parts) in enumerate(
            zip(*rows, component_points, strict=True)
        ):
            has = bool(link_id)
            out.append(Result(
                firm=name,
                score=float(score),
                chain_id=chain_id or None,
                chain=chain if has else None,
                link_id=link_id or None,
                link=link if has else None,
                action=action or None,
                link_2_id=link_2_id or None,
                link_2=link_2 or None,
                action_2=action_2 or None,
                park=(park or None) if has else None,
                confidence=float(confidence),
                components=tuple(
                    Component(component, float(value), most) for (component, most), value in zip(maxima, parts, strict=True)
                ),
                reasons=tuple(reasons[i]),
                errors=tuple(e for e in errors.split("；") if e) if errors else (),
                map_version=map_version,
                likelihood=likelihoods[i],
                priority=priorities[i],
                likelihood_baseline=baseline,
                likelihood_factors=factors[i],
                likelihood_reasons=tuple(landing_reasons[i]),
                model_version=landing.version,
            ))
        return out

    def score(self, profile: Mapping[str, object], *, lang: str = "zh") -> Result:
        """Score one firm profile given as a mapping of canonical field names."""
        return self.score_many([profile], lang=lang)[0]

    def score_many(self, profiles: Sequence[Mapping[str, object]], *, lang: str = "zh") -> list[Result]:
        """Score firm profiles given as mappings of canonical field names, in one pass."""
        return self.results(profile_records(profiles), lang=lang)

    def rank(self, firms: pd.DataFrame, *, lang: str = "zh", shortlist: int = 0) -> tuple[pd.DataFrame, Coverage | None]:
        """Rank a DataFrame of firms (canonical column names) in memory; see :func:`rank_frame`."""
        return rank_frame(self.scorer, firms, lang=lang, shortlist_k=shortlist, model=self.model)

    def rank_file(self, source: str | Path, target: str | Path, *, shortlist: int = 0, **options: Unpack[RankOptions]) -> RankReport:
        """Rank a CSV/XLSX file into another with this map and model; see :func:`rank_file` (``shortlist`` is its
        ``shortlist_k``) and :class:`RankOptions` for the other options."""
        return rank_file(self.scorer, source, target, shortlist_k=shortlist, model=self.model, **options)
