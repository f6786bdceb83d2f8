"""Link affinities + link features + firm traits → a 0–100 score made of named components.

For a firm with affinity ``a_l`` to link ``l`` (from :mod:`recommender.matching`) the best
link is the one of highest ``a_l × value_l``, where ``value_l`` weighs the link's features
(:mod:`recommender.chainmap`) by the strategy's component points. On that link:

==============  ==============================================================================
component       points
==============  ==============================================================================
chain_need      P × a × need (status × priority; the action is the link's 补链/强链/延链/建链)
stage           P × a × stage weight ("waist" first)
maturity        P × a × maturity weight (follow strategy)
relatedness     P × a × share of the link's supply neighbourhood present locally
park_fit        P × a × fit of the park that hosts the link
green           P × a for a green link, else P × g × ½ when the firm describes green work
firm_strength   P × g × (0.4 size + 0.4 certifications + 0.2 patents)
origin          P × g × the best origin share (east bank, GBA core, 侨资, foreign, local)
leader_supply   P × g × (1 for a named chain leader among customers, 0.8 a terminal maker)
==============  ==============================================================================

with P the component's points from strategy.yaml and ``g = 0.25 + 0.75 a``: firm traits
count fully only for a firm that serves a link, so a firm that matches nothing scores low.
Components are rounded to 0.01 and the score is their exact sum.

A missing field (blank) takes a documented prior (:data:`PRIORS`), neither good nor bad, is
listed in ``missing`` and lowers ``confidence``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._cache import KeptValues, per_value
from ..chainmap._links import encode_links
from ..chainmap._schema import COMPONENTS, ChainMap
from ..matching._matcher import LinkMatcher, MatchResult, PhraseSet, link_vocabulary, map_matcher
from ..reference._places import resolve_place
from ._profile import profile_columns

__all__ = ["COMPONENT_COLUMNS", "DETAIL_COLUMNS", "PRIORS", "RESULT_COLUMNS", "Scorer"]

#: Output column of each component, in report order.
COMPONENT_COLUMNS = tuple(f"score_{name}" for name in COMPONENTS)
#: The result columns every scored row carries (``reasons`` is added by explanation).
RESULT_COLUMNS = ("score", "chain", "link", "action", "link_2", "action_2", "park", "confidence", "reasons", "errors", *COMPONENT_COLUMNS)
#: Columns of :meth:`Scorer.score_frame`: the result columns (without reasons) and the details
#: that explanation and shortlisting read.
DETAIL_COLUMNS = (
    "score", "chain", "link", "action", "link_2", "action_2", "park", "confidence", "errors", *COMPONENT_COLUMNS,
    "chain_id", "link_id", "chain_en", "link_en", "park_en", "stage", "status", "maturity",
    "affinity", "evidence", "trade_only", "size", "tags_found", "origin_group", "origin_place",
    "leader", "leader_kind", "firm_green", "missing", "name", "employees", "employees_low", "employees_high", "revenue", "patents",
    "link_2_id", "chain_2", "chain_2_en", "link_2_en", "affinity_2", "value_ratio",
)

#: A link whose affinity is within this share of the firm's strongest affinity competes with it
#: on value (补链 over 强链); a link supported less well is a second business at most.
MAIN_BUSINESS_MARGIN = 0.1

#: Values taken by a sub-score whose field is blank: a typical candidate, neither good nor bad.
PRIORS = {"size": 0.3, "tags": 0.15, "patents": 0.2, "origin": 0.3, "leader_supply": 0.1}

_COMPLETENESS_FIELDS = ("description", "place", "size", "tags", "customers", "patents", "industry_code")
#: The ``missing`` text of every combination of those fields (bit k: field k is missing).
_MISSING_TEXTS = np.array(
    [",".join(f for k, f in enumerate(_COMPLETENESS_FIELDS) if combination >> k & 1) for combination in range(1 << len(_COMPLETENESS_FIELDS))],
    dtype=object,
)
#: Link features a score reads: numbers and texts (``link_id`` last, from the matcher).
_LINK_NUMBERS = ("need", "stage_weight", "maturity_weight", "relatedness", "park_fit", "green")
_LINK_TEXTS = ("chain_zh", "link_zh", "action", "park_zh", "chain_id", "chain_en", "link_en", "park_en", "stage", "status", "maturity", "link_id")
_CHINA = {"中国", "中华人民共和国", "china", "prc", "cn", "中国大陆", "p.r.china", "people's republic of china"}


def _size_score(employees: np.ndarray, revenue: np.ndarray) -> np.ndarray:
    # a log10 of at least 1 is never below +0.0, so only the top is clipped (np.minimum: the same
    # values as np.clip to [0, 1], NaN kept, for a third of its cost); NaN and infinities raise no
    # floating-point warning here, so no np.errstate (about 2 µs a call)
    by_staff = np.minimum(np.log10(np.maximum(employees, 1)) / math.log10(5_000), 1.0)
    by_revenue = np.minimum(np.log10(np.maximum(revenue, 1)) / math.log10(500_000), 1.0)
    size = np.fmax(by_staff, by_revenue)  # NaN only where both are missing
    return size


def _key_share(payload: object) -> tuple[str, float]:
    """A tag's or origin group's phrase payload: its key and share."""
    if not (isinstance(payload, tuple) and len(payload) == 2):  # PhraseSet keeps payloads as objects
        raise TypeError(f"not a (key, share) payload: {payload!r}")
    key, share = payload
    return str(key), float(share)


def _leader_payload(payload: object) -> tuple[str, str, float]:
    """A chain leader's phrase payload: its Chinese name, kind and share."""
    if not (isinstance(payload, tuple) and len(payload) == 3):
        raise TypeError(f"not a (name, kind, share) payload: {payload!r}")
    name, kind, share = payload
    return str(name), str(kind), float(share)


class Scorer:
    """Scores firm profiles against one chain map.

    Parameters
    ----------
    chain_map : ChainMap
        The validated map whose links, parks, leaders and strategy define the score.
    matcher : LinkMatcher, optional
        An unfitted matcher to fit on the map's vocabulary (default: :func:`map_matcher`, the
        ``LinkMatcher`` with the map's words and the strategy's green keywords).
    """

    def __init__(self, chain_map: ChainMap, *, matcher: LinkMatcher | None = None):
        self.chain_map = chain_map
        strategy = chain_map.strategy
        self.points = {name: strategy.components[name].points for name in COMPONENTS}
        self.links = encode_links(chain_map)
        self.matcher = (matcher or map_matcher(chain_map)).fit(link_vocabulary(chain_map))
        order = self.links.index.get_indexer(pd.Index(self.matcher.link_ids_))
        if (order < 0).any():
            raise KeyError(f"links the map does not encode: {[i for i, k in zip(self.matcher.link_ids_, order, strict=True) if k < 0]}")
        #: the link features in the matcher's column order, and each link's chain value
        #: (the strategy's points × the link's features): what one unit of affinity is worth
        self.link_features = self.links.iloc[order]
        f = self.link_features
        p = self.points
        self.link_value = (
            p["chain_need"] * f["need"] + p["stage"] * f["stage_weight"] + p["maturity"] * f["maturity_weight"]
            + p["relatedness"] * f["relatedness"] + p["park_fit"] * f["park_fit"] + p["green"] * f["green"]
        ).to_numpy(dtype=np.float64)
        # the link's numbers and texts by matcher column, with a last row for "no link"
        self._link_numbers = np.vstack([f[list(_LINK_NUMBERS)].to_numpy(dtype=np.float64), np.zeros(len(_LINK_NUMBERS))])
        texts = f[list(_LINK_TEXTS[:-1])].to_numpy(dtype=object)
        texts = np.column_stack([texts, np.asarray(self.matcher.link_ids_, dtype=object)])
        self._link_texts = np.vstack([texts, np.full(len(_LINK_TEXTS), "", dtype=object)])
        self._is_gap = texts[:, _LINK_TEXTS.index("status")] == "missing"  # per link: the city lacks it
        # the main link of each industry class that several links list (vocabulary.yaml class_links),
        # as the evidence of a code match and the link's column
        column = {link_id: k for k, link_id in enumerate(self.matcher.link_ids_)}
        self._class_main = {f"code:{code}": column[main.link] for code, main in chain_map.vocabulary.class_links.items() if main.link in column}
        self._tags = PhraseSet((alias, (key, tag.share)) for key, tag in strategy.firm_tags.items() for alias in tag.aliases)
        self._places = PhraseSet((place, (key, group.share)) for key, group in strategy.origins.items() for place in group.places)
        self._origin_tags = PhraseSet((tag, (key, group.share)) for key, group in strategy.origins.items() for tag in group.tags)
        self._foreign = max(((g.share, k) for k, g in strategy.origins.items() if g.foreign_country), default=None)
        self._domestic = max(((g.share, k) for k, g in strategy.origins.items() if g.domestic_city), default=None)
        # firm traits by value, kept across calls: vendor lists and the service's callers repeat
        # cities, countries, tags and customers (pure functions of the map, which never changes here)
        self._trait_cache: dict[str, KeptValues] = {"tags": KeptValues(), "origin": KeptValues(), "leader": KeptValues()}
        shares = {"local_leader": 1.0, "terminal_maker": 0.8}
        self._leaders = PhraseSet(
            (alias, (leader.name.zh, leader.kind, shares[leader.kind]))
            for leader in chain_map.leaders
            for alias in (leader.name.zh, leader.name.en, *leader.aliases)
        )

    # -- firm traits: computed once per distinct value (vendor lists repeat cities and tags) --
    def _tag_score(self, text: str) -> tuple[float, str]:
        hits = self._tags.find(text)
        shares = {key: share for key, share in (_key_share(payload) for _, payload in hits)}
        score = (1.0 - math.prod(1.0 - v for v in shares.values())) if text else math.nan
        return score, "、".join(phrase for phrase, _ in hits)

    def _origin(self, city: str, country: str, tags: str) -> tuple[float, str, str]:
        best = (0.0, "", "")
        for phrase, payload in self._places.find(f"{city} {country}"):
            key, share = _key_share(payload)
            if share > best[0]:
                best = (share, key, phrase)
        for phrase, payload in self._origin_tags.find(tags):
            key, share = _key_share(payload)
            if share > best[0]:
                best = (share, key, f"tag:{phrase}")
        domestic = not country or country.strip().lower() in _CHINA
        if self._foreign and not domestic and self._foreign[0] > best[0]:
            best = (self._foreign[0], self._foreign[1], country)
        # a known city elsewhere in China: a domestic transfer (never below the blank-city prior)
        if self._domestic and domestic and city and self._domestic[0] > best[0] and not best[1]:
            place = resolve_place(city)
            if place is not None or (country and city.isascii() and city.strip()):
                best = (self._domestic[0], self._domestic[1], city.strip())
        return (best[0] if city or country or best[0] > 0 else math.nan), best[1], best[2]

    def _leader(self, customers: str) -> tuple[float, str, str]:
        hits = self._leaders.find(customers)
        best = max((_leader_payload(payload) for _, payload in hits), key=lambda p: p[2], default=None)
        if best is None:
            return (0.0 if customers else math.nan), "", ""
        return best[2], best[0], best[1]

    # -- the score ---------------------------------------------------------------------
    def score_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Score a table of canonical text columns (any subset of the profile fields).

        Returns
        -------
        DataFrame with :data:`DETAIL_COLUMNS`, same index as ``frame``.
        """
        return self.score_with_match(frame)[0]

    def score_with_match(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, MatchResult]:
        """:meth:`score_frame` and the link affinities behind it (for shortlists)."""
        scored, match = self.score_columns(profile_columns(frame))
        return pd.DataFrame(scored, index=frame.index), match

    def score_columns(self, profiles: Mapping[str, np.ndarray]) -> tuple[dict[str, np.ndarray], MatchResult]:
        """:meth:`score_with_match` on columns: prepared profiles
        (:func:`~recommender.scoring.profile_columns`) → a dict of :data:`DETAIL_COLUMNS`.

        The columnar form has no per-call cost beyond numpy's, so scoring one firm is cheap.
        """
        match = self.matcher.match(profiles)
        return self._score(profiles, match), match

    def _best_links(self, match: MatchResult) -> tuple[np.ndarray, ...]:
        """Per row: the best link (highest affinity × value), its affinity and evidence, and
        the second link, its affinity and value (or -1, 0, 0)."""
        n = len(match.indptr) - 1
        best, second = np.full(n, -1, dtype=np.int64), np.full(n, -1, dtype=np.int64)
        strength, strength_2, value_2 = np.zeros(n), np.zeros(n), np.zeros(n)
        evidence = np.full(n, "", dtype=object)
        if len(match.data):
            # entries are stored row by row, in the order of match.evidence
            weighted = match.data * self.link_value[match.indices]
            per_row = match.indptr[1:] - match.indptr[:-1]
            rows = np.repeat(np.arange(n), per_row)
            # the firm's main business decides: its best-supported links first, the link's
            # value choosing only among links supported nearly as well (MAIN_BUSINESS_MARGIN)
            present = per_row.nonzero()[0]
            strongest = np.zeros(n)
            strongest[present] = np.maximum.reduceat(match.data, match.indptr[present])
            main = match.data >= strongest[rows] * (1.0 - MAIN_BUSINESS_MARGIN)
            # a class code names a whole class: where several links list it, the code alone does
            # not say which, and most firms of a class do its established business, so support
            # from a code alone ranks after the firm's own words, a link the city has before a
            # gap (a gap is claimed on what the firm says, never on its class alone), then the
            # class's main link by its GB/T 4754 name (vocabulary.yaml class_links), then the
            # less valued link
            code_only = np.char.startswith(match.evidence.astype(str), "code:")
            gap_by_code = code_only & self._is_gap[match.indices]
            class_main = np.zeros(len(match.data), dtype=bool)
            if len(self._class_main) and code_only.any():
                at = np.flatnonzero(code_only)
                mains = self._class_main  # a dict: an index built per call cost a tenth of a batch's score
                class_main[at] = [mains.get(term, -1) == link for term, link in zip(match.evidence[at].tolist(), match.indices[at].tolist(), strict=True)]
            order = np.lexsort((np.where(code_only, weighted, -weighted), ~class_main, gap_by_code, code_only, ~main, rows))
            sorted_rows = rows[order]
            starts = np.concatenate(([True], sorted_rows[1:] != sorted_rows[:-1]))
            first = order[starts]
            hit_rows = rows[first]
            best[hit_rows] = match.indices[first]
            strength[hit_rows] = match.data[first]
            evidence[hit_rows] = match.evidence[first]
            runner = np.flatnonzero(np.concatenate((starts[1:], [True])) == 0)  # not the last of its row
            runner = runner[starts[runner]]  # the first of its row with another after it
            nxt = order[runner + 1]
            second[rows[nxt]] = match.indices[nxt]
            strength_2[rows[nxt]] = match.data[nxt]
            value_2[rows[nxt]] = weighted[nxt]
        return best, strength, evidence, second, strength_2, value_2

    def _score(self, profiles: Mapping[str, np.ndarray], match: MatchResult) -> dict[str, np.ndarray]:
        p = self.points
        best, a, evidence, second, a_2, value_2 = self._best_links(match)
        take = np.where(best >= 0, best, len(self._link_numbers) - 1)
        texts_2 = dict(zip(_LINK_TEXTS, self._link_texts[np.where(second >= 0, second, len(self._link_numbers) - 1)].T, strict=True))
        with np.errstate(invalid="ignore", divide="ignore"):
            value_1 = a * self.link_value[np.maximum(best, 0)]
            # rounded to 3 places in one call: the value ratio and both affinities
            ratio, affinity, affinity_2 = np.round(np.array([value_2 / np.where(value_1 > 0, value_1, 1.0), a, a_2]), 3)
            value_ratio = np.where(second >= 0, ratio, 0.0)
        need, stage, maturity, relatedness, park_fit, green_link = self._link_numbers[take].T
        texts = dict(zip(_LINK_TEXTS, self._link_texts[take].T, strict=True))

        gate = 0.25 + 0.75 * a
        col = profiles.__getitem__
        employees, revenue, patents = col("employees"), col("revenue"), col("patents")
        size = _size_score(employees, revenue)
        traits = self._trait_cache
        tag_score, tags_found = per_value(self._tag_score, col("tags"), dtypes=(float, object), cache=traits["tags"])
        # (a log1p of at least 0 is never below +0.0: only the top is clipped, as in _size_score; NaN
        # and infinities raise no floating-point warning here)
        patent_score = np.minimum(np.log1p(np.maximum(patents, 0)) / math.log1p(100), 1.0)
        origin, origin_group, origin_place = per_value(
            self._origin, col("city"), col("country"), col("tags"), dtypes=(float, object, object), cache=traits["origin"]
        )
        leader, leader_name, leader_kind = per_value(self._leader, col("customers"), dtypes=(float, object, object), cache=traits["leader"])
        firm_green = match.green

        # one row per field of _COMPLETENESS_FIELDS
        missing_mask = np.array([
            col("description") == "", np.isnan(origin), np.isnan(size), np.isnan(tag_score), np.isnan(leader),
            np.isnan(patent_score), col("industry_code") == "",
        ])
        strength = (
            0.4 * np.where(np.isnan(size), PRIORS["size"], size)
            + 0.4 * np.where(np.isnan(tag_score), PRIORS["tags"], tag_score)
            + 0.2 * np.where(np.isnan(patent_score), PRIORS["patents"], patent_score)
        )
        parts = {
            "chain_need": p["chain_need"] * a * need,
            "stage": p["stage"] * a * stage,
            "maturity": p["maturity"] * a * maturity,
            "relatedness": p["relatedness"] * a * relatedness,
            "firm_strength": p["firm_strength"] * gate * strength,
            "origin": p["origin"] * gate * np.where(np.isnan(origin), PRIORS["origin"], origin),
            "leader_supply": p["leader_supply"] * gate * np.where(np.isnan(leader), PRIORS["leader_supply"], leader),
            "park_fit": p["park_fit"] * a * park_fit,
            "green": p["green"] * np.where(green_link > 0, a, 0.5 * gate * firm_green),
        }
        rounded = np.round(np.array([parts[name] for name in COMPONENTS]), 2)
        completeness = 1.0 - missing_mask.sum(axis=0, dtype=np.float64) / len(_COMPLETENESS_FIELDS)  # the mean, for less
        score, confidence = np.round(np.array([rounded.sum(axis=0), a * (0.6 + 0.4 * completeness)]), 2)  # in one call
        missing = _MISSING_TEXTS[(1 << np.arange(len(_COMPLETENESS_FIELDS))) @ missing_mask]

        out = {
            "score": score,
            "chain": texts["chain_zh"],
            "link": texts["link_zh"],
            "action": texts["action"],
            "link_2": texts_2["link_zh"],
            "action_2": texts_2["action"],
            "park": texts["park_zh"],
            "confidence": confidence,
            "errors": profiles["errors"],
            **{f"score_{name}": rounded[k] for k, name in enumerate(COMPONENTS)},
            "chain_id": texts["chain_id"],
            "link_id": texts["link_id"],
            "chain_en": texts["chain_en"],
            "link_en": texts["link_en"],
            "park_en": texts["park_en"],
            "stage": texts["stage"],
            "status": texts["status"],
            "maturity": texts["maturity"],
            "affinity": affinity,
            "evidence": evidence,
            "trade_only": match.trade_only,
            "size": size,
            "tags_found": tags_found,
            "origin_group": origin_group,
            "origin_place": origin_place,
            "leader": leader_name,
            "leader_kind": leader_kind,
            "firm_green": firm_green,
            "missing": missing,
            "name": profiles["name"],
            "employees": employees,
            "employees_low": profiles["employees_low"],
            "employees_high": profiles["employees_high"],
            "revenue": revenue,
            "patents": patents,
            "link_2_id": texts_2["link_id"],
            "chain_2": texts_2["chain_zh"],
            "chain_2_en": texts_2["chain_en"],
            "link_2_en": texts_2["link_en"],
            "affinity_2": affinity_2,
            "value_ratio": value_ratio,
        }
        return {name: out[name] for name in DETAIL_COLUMNS}
