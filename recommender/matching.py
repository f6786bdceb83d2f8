"""Firm descriptions and industry codes → affinity to each chain link, with evidence.

:class:`LinkMatcher` is a scikit-learn transformer. ``fit`` takes a vocabulary table (one row
per term: the link it names, its kind and weight; :func:`link_vocabulary` builds it from a
chain map) and compiles every term, together with the generic and trade words of
:mod:`recommender.vocabulary`, into one Aho–Corasick automaton (``ahocorasick_rs``).
``transform`` scans each description once, leftmost-longest, clause by clause:

* generic scope items (技术开发, 货物进出口 …) occupy their span and count for nothing;
* a clause with a trade word (销售, 批发, distributor …) and no make word (制造, 生产,
  manufacture …) names products the firm only sells: its terms are discarded, except for
  service links (logistics, e-commerce …), where trading is the service;
* English terms match on word boundaries (a trailing plural ``s`` allowed).

A link's affinity is the noisy-or of the weights of its distinct matched terms and of the
firm's industry code (exact 4-digit code, or a 3- or 2-digit prefix), so two independent
pieces of evidence raise it and one weak one does not saturate it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import ahocorasick_rs
import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .chainmap import ChainMap
from .columns import as_list, n_rows
from .vocabulary import CLAUSE_DELIMITERS, GENERIC_TERMS, MAKE_TERMS, TRADE_TERMS

__all__ = ["VOCABULARY_COLUMNS", "LinkMatcher", "MatchResult", "PhraseSet", "link_vocabulary"]

#: Columns of the vocabulary table that :meth:`LinkMatcher.fit` takes.
VOCABULARY_COLUMNS = ("link_id", "term", "kind", "weight", "service")

_TERM, _GENERIC, _TRADE, _GREEN = 0, 1, 2, 3
_DELIMITER_RE = re.compile("|".join(re.escape(d) for d in CLAUSE_DELIMITERS))

#: Default term weights by kind; a term's weight is its evidence strength in the noisy-or.
TERM_WEIGHTS = {"name": 0.9, "long": 0.8, "mid": 0.7, "short": 0.55, "en_phrase": 0.8, "en_word": 0.6}
CODE_WEIGHTS = {4: 0.6, 3: 0.4, 2: 0.2}


def _term_kind(term: str) -> str:
    if term.isascii():
        return "en_phrase" if " " in term or "-" in term else "en_word"
    return "long" if len(term) >= 4 else "mid" if len(term) == 3 else "short"


def link_vocabulary(chain_map: ChainMap) -> pd.DataFrame:
    """The vocabulary table of a chain map: names, keywords and industry codes of every link.

    Returns
    -------
    DataFrame with columns :data:`VOCABULARY_COLUMNS`; ``kind`` is ``"code"`` for industry
    codes, else the term kind that sets its weight.
    """
    rows: list[tuple[str, str, str, float, bool]] = []
    for link in chain_map.links:
        service = link.stage == "service"
        for name in (link.name.zh, link.name.en):
            rows.append((link.id, name, "name", TERM_WEIGHTS["name"], service))
        for term in (*link.keywords.zh, *link.keywords.en):
            kind = _term_kind(term)
            rows.append((link.id, term, kind, TERM_WEIGHTS[kind], service))
        for code in link.industry_codes:
            rows.append((link.id, code, "code", CODE_WEIGHTS[len(code)], service))
    return pd.DataFrame(rows, columns=list(VOCABULARY_COLUMNS))


@dataclass(frozen=True)
class MatchResult:
    """Affinities of n firms to L links.

    Attributes
    ----------
    data, indices, indptr : ndarray
        The affinities in compressed sparse row form (values in (0, 1], columns sorted in
        each row); :attr:`affinity` is the same as a ``scipy.sparse.csr_matrix``.
    n_links : int
        L.
    evidence : ndarray of object, shape (nnz,)
        For each stored entry of ``affinity`` (in CSR order), the strongest matched term,
        or ``"code:3841"`` for an industry-code match.
    trade_only : ndarray of bool, shape (n,)
        True where the description named link terms only in trade clauses.
    green : ndarray of bool, shape (n,)
        True where the description names green or circular work (the ``green_terms``).
    """

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    n_links: int
    evidence: np.ndarray
    trade_only: np.ndarray
    green: np.ndarray

    @cached_property
    def affinity(self) -> sp.csr_matrix:
        """shape (n, L); absent entries are 0."""
        return sp.csr_matrix((self.data, self.indices, self.indptr), shape=(len(self.indptr) - 1, self.n_links))

    def evidence_for(self, row: int, col: int) -> str:
        start, end = self.indptr[row], self.indptr[row + 1]
        hit = np.searchsorted(self.indices[start:end], col)
        if hit < end - start and self.indices[start + hit] == col:
            return str(self.evidence[start + hit])
        return ""


class LinkMatcher(TransformerMixin, BaseEstimator):
    """Affinity of each firm description (and industry code) to each chain link.

    Parameters
    ----------
    min_affinity : float, default=0.3
        Affinities below this are dropped (e.g. a 2-digit industry code alone).
    use_trade_rule : bool, default=True
        Discard terms named only in trade clauses (销售, 批发, distributor …).
    green_terms : tuple of str, default=()
        Words that mark a description as green or circular work (无废城市); found in the same
        pass and reported in :attr:`MatchResult.green`.
    """

    def __init__(self, min_affinity: float = 0.3, use_trade_rule: bool = True, green_terms: tuple[str, ...] = ()):
        self.min_affinity = min_affinity
        self.use_trade_rule = use_trade_rule
        self.green_terms = green_terms

    def fit(self, vocabulary: pd.DataFrame, y: object = None) -> LinkMatcher:
        """Compile the vocabulary table (columns :data:`VOCABULARY_COLUMNS`)."""
        missing = set(VOCABULARY_COLUMNS) - set(vocabulary.columns)
        if missing:
            raise ValueError(f"The 'vocabulary' parameter of LinkMatcher.fit must have columns {VOCABULARY_COLUMNS}; missing {sorted(missing)}.")
        if not 0 <= self.min_affinity < 1:
            raise ValueError(f"The 'min_affinity' parameter of LinkMatcher must be in [0, 1). Got {self.min_affinity!r} instead.")
        self.link_ids_ = np.array(list(dict.fromkeys(vocabulary["link_id"])), dtype=object)
        index = {link: i for i, link in enumerate(self.link_ids_)}
        self.service_ = np.zeros(len(self.link_ids_), dtype=bool)
        terms: dict[str, dict[int, float]] = {}
        codes: dict[str, dict[int, float]] = {}
        for link, term, kind, weight, service in vocabulary[list(VOCABULARY_COLUMNS)].itertuples(index=False):
            col = index[link]
            self.service_[col] = bool(service)
            table = codes if kind == "code" else terms
            key = str(term).strip().lower()
            if key:
                slot = table.setdefault(key, {})
                slot[col] = max(slot.get(col, 0.0), float(weight))
        green = {word.strip().lower() for word in self.green_terms}
        entries: dict[str, tuple[int, tuple, bool]] = {}
        # Generic items only matter to the term pass where they would hide a term inside them
        # (they occupy their span); the others are left out, which keeps the pass short.
        for word in GENERIC_TERMS:
            if any(key in word.lower() for key in terms):
                entries[word.lower()] = (_GENERIC, (), False)
        for word in green:
            entries[word] = (_GREEN, (), True)
        for word in TRADE_TERMS:
            entries[word.lower()] = (_TRADE, (), word.lower() in green)
        for key, slot in terms.items():  # a link term wins over the word lists
            entries[key] = (_TERM, tuple(slot.items()), key in green)
        self.automaton_ = _Automaton(entries)
        # Make words for trade clauses, with generic items and link terms as occluders: 开发 in
        # 技术开发 or 再生 in 再生纸 is not a make word.
        make = {word.lower(): False for word in GENERIC_TERMS}
        make.update(dict.fromkeys(terms, False))
        make.update({word.lower(): True for word in MAKE_TERMS})
        self.make_automaton_ = _Automaton(make)
        self.codes_ = {k: tuple(v.items()) for k, v in codes.items()}
        self.n_terms_ = len(terms)
        return self

    def transform(self, X: pd.DataFrame | Sequence[str]) -> sp.csr_matrix:
        """Affinity matrix, shape (n_firms, n_links)."""
        return self.match(X).affinity

    def match(self, X: pd.DataFrame | Sequence[str]) -> MatchResult:
        """Affinities with the evidence behind each.

        Parameters
        ----------
        X : DataFrame or mapping of columns with a ``description`` column (and optionally
            ``industry_code``), or a sequence of descriptions.
        """
        check_is_fitted(self, "automaton_")
        if isinstance(X, (pd.DataFrame, Mapping)):
            n = n_rows(X)
            descriptions: Iterable = as_list(X["description"]) if "description" in X else [""] * n
            industry = as_list(X["industry_code"]) if "industry_code" in X else [""] * n
        else:
            descriptions = list(X)
            industry = [""] * len(descriptions)
        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        evidence: list[str] = []
        trade_only: list[bool] = []
        green: list[bool] = []
        scan = self._scan
        floor = self.min_affinity
        for text, code in zip(descriptions, industry, strict=True):
            hits, traded, is_green = scan(text if isinstance(text, str) else "", code if isinstance(code, str) else "")
            green.append(is_green)
            kept = sorted((col, strength, term) for col, (strength, _, term) in hits.items() if strength >= floor)
            for col, strength, term in kept:
                indices.append(col)
                data.append(strength)
                evidence.append(term)
            indptr.append(len(indices))
            trade_only.append(traded and not kept)
        return MatchResult(
            np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64),
            len(self.link_ids_), np.asarray(evidence, dtype=object), np.asarray(trade_only, dtype=bool), np.asarray(green, dtype=bool),
        )

    def _scan(self, text: str, code: str) -> tuple[dict[int, list], bool, bool]:
        """One description: ``{col: [affinity, best weight, best term]}``, whether a trade
        clause was discarded, and whether a green word was named.

        One leftmost-longest pass finds link terms, generic items and trade words. Most rows
        hold no trade word and take every term. A row with one is split into clauses; make
        words (a second automaton) outside the spans of terms and generic items decide
        whether each trade clause also makes what it names.
        """
        hits: dict[int, list] = {}
        lowered = text.lower()
        terms: list[tuple[int, int, str, tuple]] = []
        trades: list[int] = []
        automaton = self.automaton_
        green = False
        for start, end, key, (kind, payload, is_green) in automaton.find(lowered):
            green |= is_green
            if kind == _TERM:
                terms.append((start, end, key, payload))
            elif kind == _TRADE:
                trades.append(start)
        discarded = False
        if terms:
            if trades and self.use_trade_rule:
                terms, discarded = self._drop_traded(lowered, terms, trades)
            counted: set[str] = set()
            for _, _, key, payload in terms:
                if key not in counted:
                    counted.add(key)
                    for col, weight in payload:
                        _add(hits, col, weight, key)
        code = code.strip()
        if code:
            for digits in (4, 3, 2):
                payload = self.codes_.get(code[:digits]) if len(code) >= digits else None
                if payload:
                    for col, weight in payload:
                        _add(hits, col, weight, f"code:{code[:digits]}")
                    break
        return hits, discarded, green

    def _drop_traded(self, lowered: str, terms: list, trades: list[int]) -> tuple[list, bool]:
        """Terms of a row with trade words: drop those of clauses that trade without making
        (except for service links)."""
        bounds = [m.end() for m in _DELIMITER_RE.finditer(lowered)]
        trade_clauses = {bisect_right(bounds, pos) for pos in trades}
        make_clauses = {bisect_right(bounds, start) for start, _, _, is_make in self.make_automaton_.find(lowered) if is_make}
        selling = trade_clauses - make_clauses
        if not selling:
            return terms, False
        service = self.service_
        kept = []
        discarded = False
        for start, end, key, payload in terms:
            if bisect_right(bounds, start) in selling:
                discarded = True
                payload = tuple((col, w) for col, w in payload if service[col])
                if not payload:
                    continue
            kept.append((start, end, key, payload))
        return kept, discarded


def _add(hits: dict[int, list], col: int, weight: float, term: str) -> None:
    slot = hits.get(col)
    if slot is None:
        hits[col] = [weight, weight, term]
    else:
        slot[0] = 1.0 - (1.0 - slot[0]) * (1.0 - weight)
        if weight > slot[1]:
            slot[1], slot[2] = weight, term


def _on_word_boundary(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end+1]`` is a whole word (a trailing plural ``s``/``es`` allowed)."""
    if start > 0 and text[start - 1].isascii() and text[start - 1].isalnum():
        return False
    after = end + 1
    if after < len(text) and text[after] == "s":
        after += 1
    elif after + 1 < len(text) and text[after : after + 2] == "es":
        after += 2
    return not (after < len(text) and text[after].isascii() and text[after].isalnum())


class _Automaton:
    """Leftmost-longest multi-pattern search (``ahocorasick_rs``, compiled Rust) over lowered
    text, each pattern with a payload; ASCII patterns match whole words only (a trailing plural
    ``s``/``es`` allowed). Pickles by its patterns (the compiled automaton is rebuilt)."""

    def __init__(self, entries: dict[str, object]):
        self.patterns = [key for key in entries if key]
        self.payloads = [entries[key] for key in self.patterns]
        self.ascii = [key.isascii() for key in self.patterns]
        self._compile()

    def _compile(self) -> None:
        self._automaton = (
            ahocorasick_rs.AhoCorasick(self.patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
            if self.patterns else None
        )

    def __getstate__(self) -> dict:
        return {"patterns": self.patterns, "payloads": self.payloads, "ascii": self.ascii}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._compile()

    def __len__(self) -> int:
        return len(self.patterns)

    def find(self, lowered: str) -> list[tuple[int, int, str, object]]:
        """``[(start, end, pattern, payload), …]`` (``end`` exclusive) in ``lowered``."""
        if self._automaton is None or not lowered:
            return []
        patterns, payloads, ascii_ = self.patterns, self.payloads, self.ascii
        return [
            (start, end, patterns[i], payloads[i])
            for i, start, end in self._automaton.find_matches_as_indexes(lowered)
            if not ascii_[i] or _on_word_boundary(lowered, start, end - 1)
        ]


class PhraseSet:
    """A fixed set of phrases found in text by one Aho–Corasick pass.

    ``find(text)`` returns the payloads of the phrases present (each once, in order of first
    appearance); ASCII phrases match whole words, case-insensitively.
    """

    def __init__(self, phrases: Iterable[tuple[str, object]]):
        entries: dict[str, object] = {}
        for phrase, payload in phrases:
            entries.setdefault(phrase.strip().lower(), payload)
        self._automaton = _Automaton(entries)

    def find(self, text: str) -> list[tuple[str, object]]:
        """``[(phrase, payload), …]`` for the phrases in ``text``."""
        if not text:
            return []
        found: dict[str, object] = {}
        for _, _, key, payload in self._automaton.find(text.lower()):
            found.setdefault(key, payload)
        return list(found.items())
