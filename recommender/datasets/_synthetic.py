"""Seeded generator of realistic fictional candidate firms, for benchmarks and tests.

:func:`synthetic_firms` returns a table shaped like a cleaned vendor export (the canonical English
column names ``name, description, city, country, industry_code, employees, revenue, founded,
tags, customers, patents``), every cell a string and every gap ``""``. Chinese rows carry a
business scope (经营范围) in the registry's style: 3-8 product or process items of one industry,
2-5 generic items (技术服务、货物进出口, …) and the 一般项目 / 许可项目 framing with its legal
clauses. English rows carry a short company profile, as a foreign investor writes it.

About 10 % of the firms only trade (销售 / 批发 / 进出口, "Distributor of …") and about 5 % are
generic technology shells (技术开发、技术咨询 only): they fill no link of a chain and should rank low.

The phrase table :data:`INDUSTRIES` (``data/industries.yaml``; about 40 industries, each with 8-20 Chinese product and process
phrases, English phrases, GB/T 4754-2017 classes, licences and typical customers) was written from
how firms describe their own products, independently of any matcher vocabulary, so that a matcher
is tested on language it was not built from. Every firm is fictional; the customers named are real
terminal makers only because vendor exports name them.

Generation is vectorised: random choices are drawn with NumPy over the phrase tables (lengths are
balanced on integer arrays before any text is built), strings are assembled by one ``"".join`` per
row, and short cells (cities, tags, years, …) share one string object per distinct value. One
million rows take about 5 s of CPU and under 1 GB of memory, most of it the descriptions.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd

from .._packagedata import read_yaml
from ..scoring._profile import FIELDS

__all__ = ["synthetic_firms", "INDUSTRIES"]

#: The columns written: the canonical profile fields (one table, :mod:`recommender.scoring`).
COLUMNS: tuple[str, ...] = FIELDS

DESC_MIN, DESC_MAX = 100, 300
_MAX_ITEMS, _MAX_GENERIC = 8, 7
_CHUNK = 200_000


class Industry(NamedTuple):
    """One row of :data:`INDUSTRIES`.

    Attributes
    ----------
    label : str
        Chinese name of the industry.
    role : {"maker", "service", "trader", "generic"}
        ``maker`` produces goods, ``service`` sells a service, ``trader`` only sells goods it buys,
        ``generic`` is a technology shell with no product.
    weight : float
        Relative frequency among generated firms.
    name_words : tuple of str
        Words that end a Chinese firm name before 有限公司 (``新材料科技``, ``贸易``).
    items : tuple of str
        Chinese business-scope items: products and processes (8-20).
    en_words : tuple of str
        Words for English firm names (``Materials``).
    en_items : tuple of str
        English product or service phrases for company profiles.
    codes : tuple of str
        Plausible GB/T 4754-2017 four-digit classes, as text (leading zeros kept).
    licences : tuple of str
        许可项目 items a firm of the industry may hold (may be empty).
    customers : tuple of str
        Terminal makers or anchor firms such firms name as customers (may be empty).
    """

    label: str
    role: Literal["maker", "service", "trader", "generic"]
    weight: float
    name_words: tuple[str, ...]
    items: tuple[str, ...]
    en_words: tuple[str, ...]
    en_items: tuple[str, ...]
    codes: tuple[str, ...]
    licences: tuple[str, ...]
    customers: tuple[str, ...]


def _load_industries() -> dict[str, Industry]:
    out: dict[str, Industry] = {}
    for key, row in read_yaml(__package__, "data/industries.yaml").items():
        fields: dict[str, Any] = {name: tuple(v) if isinstance(v, list) else v for name, v in row.items()}
        out[key] = Industry(**fields)
    return out


#: The industries of the generated firms, by key (the table is ``data/industries.yaml``).
INDUSTRIES: MappingProxyType[str, Industry] = MappingProxyType(_load_industries())

# The legal clauses that close the 一般项目 and 许可项目 parts of a business scope.
_C_GEN = "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
_C_LIC = "（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
_C_LIC_LONG = "（依法须经批准的项目，经相关部门批准后方可开展经营活动，具体经营项目以相关部门批准文件或许可证件为准）"

#: The other phrase tables (``data/phrases.yaml``): generic business-scope items, cities, foreign
#: investors, brand characters, English name parts and profile sentences, vendor tags.
_PHRASES: dict[str, Any] = read_yaml(__package__, "data/phrases.yaml")
_GENERIC: tuple[str, ...] = tuple(_PHRASES["generic_items"])


def _choice(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    """Indices drawn with the given (unnormalised) weights."""
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def _obj(strings) -> np.ndarray:
    """A 1-D object array of the given strings (for fancy indexing without copies)."""
    out = np.empty(len(strings), dtype=object)
    out[:] = list(strings)
    return out


def _int_text(values: np.ndarray, blank: np.ndarray) -> np.ndarray:
    """Integers as shared text objects, ``""`` where ``blank``."""
    uniq, inv = np.unique(values, return_inverse=True)
    table = _obj([str(int(v)) for v in uniq])
    out = table[inv]
    out[blank] = ""
    return out


class _Tables:
    """Flattened numeric views of the phrase tables, built once per process."""

    def __init__(self) -> None:
        inds = list(INDUSTRIES.values())
        self.weight = np.array([i.weight for i in inds])
        self.role = np.array([("maker", "service", "trader", "generic").index(i.role) for i in inds])
        # Chinese items, flattened; ind_items[k, j] = global id of item j of industry k (padded)
        items = sorted({s for i in inds for s in i.items} | set(_GENERIC))
        self.item_id = {s: n for n, s in enumerate(items)}
        # text of id i: item i alone; of id i + n: "；" + item i; of id 2n: "" (empty slot)
        self.n_items = len(items)
        self.item_text = _obj(items + ["；" + s for s in items] + [""])
        self.item_len = np.array([len(s) + 1 for s in items] + [0])  # with one separator
        self.empty = len(items)
        width = max(len(i.items) for i in inds)
        self.ind_items = np.full((len(inds), width), self.empty, dtype=np.int32)
        for k, ind in enumerate(inds):
            self.ind_items[k, : len(ind.items)] = [self.item_id[s] for s in ind.items]
        self.ind_n_items = np.array([len(i.items) for i in inds])
        # generic items per industry, leaving out those the industry already lists as its own
        gw = len(_GENERIC)
        self.ind_generic = np.full((len(inds), gw), self.empty, dtype=np.int32)
        self.ind_n_generic = np.zeros(len(inds), dtype=np.int64)
        for k, ind in enumerate(inds):
            own = [self.item_id[s] for s in _GENERIC if s not in ind.items]
            self.ind_generic[k, : len(own)] = own
            self.ind_n_generic[k] = len(own)
        # licences
        lic = sorted({s for i in inds for s in i.licences})
        self.lic = _obj(lic)
        self.lic_len = np.array([len(s) for s in lic])
        lw = max(1, max(len(i.licences) for i in inds))
        self.ind_lic = np.zeros((len(inds), lw), dtype=np.int32)
        self.ind_n_lic = np.array([len(i.licences) for i in inds])
        for k, ind in enumerate(inds):
            self.ind_lic[k, : len(ind.licences)] = [lic.index(s) for s in ind.licences]
        # codes, customers, name words
        self.codes, self.ind_codes, self.ind_n_codes = self._ragged([i.codes for i in inds])
        self.cust, self.ind_cust, self.ind_n_cust = self._ragged([i.customers for i in inds])
        self.words, self.ind_words, self.ind_n_words = self._ragged([i.name_words for i in inds])
        self.en_words, self.ind_en_words, self.ind_n_en_words = self._ragged([i.en_words for i in inds])
        # cities
        cities, foreign = _PHRASES["cn_cities"], _PHRASES["foreign"]
        self.city = _obj([c["city"] for c in cities])
        self.city_w = np.array([c["weight"] for c in cities])
        self.city_country = _obj([c["country"] for c in cities])
        self.prefix, self.city_prefix, self.city_n_prefix = self._ragged([c["prefixes"] for c in cities])
        self.brand = _obj(list(dict.fromkeys(_PHRASES["brand_chars"])))  # 100-odd distinct characters
        # foreign
        self.f_country = _obj([f["country"] for f in foreign])
        self.f_w = np.array([f["weight"] for f in foreign])
        self.f_city, self.f_cities, self.f_n_cities = self._ragged([f["cities"] for f in foreign])
        self.f_suffix, self.f_suffixes, self.f_n_suffixes = self._ragged([f["suffixes"] for f in foreign])
        # English profiles
        en_items = list(dict.fromkeys(s for i in inds for s in i.en_items))
        self.en_item = _obj(en_items + [""])
        self.en_blank = len(en_items)
        self.en_item_len = np.array([len(s) for s in en_items] + [0])
        self.en_item_for = np.array([" for " in s for s in en_items] + [False])
        ids = {s: n for n, s in enumerate(en_items)}
        w = max(len(i.en_items) for i in inds)
        self.ind_en_items = np.full((len(inds), w), self.en_blank, dtype=np.int32)
        for k, ind in enumerate(inds):
            self.ind_en_items[k, : len(ind.en_items)] = [ids[s] for s in ind.en_items]
        self.ind_n_en_items = np.array([len(i.en_items) for i in inds])
        roles = ("maker", "service", "trader", "generic")
        self.role_open, self.role_opens, self.role_n_opens = self._ragged([_PHRASES["en_openings"][r] for r in roles])
        self.open_len = np.array([len(s) for s in self.role_open])
        extra, self.role_extras, self.role_n_extras = self._ragged([_PHRASES["en_extras"][r] for r in roles])
        self.extra = _obj(list(extra) + [""])
        self.extra_blank = len(extra)
        self.extra_len = np.array([len(s) for s in extra] + [0])
        self.market = _obj(("",) + tuple(x for x in _PHRASES["en_markets"] if x))
        self.market_len = np.array([len(x) for x in self.market])
        self.list_sep = _obj(("", ", ", " and "))
        prefixes = _PHRASES["en_name_prefixes"]
        self.en_a, self.en_b, self.en_c = _obj(_PHRASES["en_name_heads"]), _obj(_PHRASES["en_name_tails"]), _obj(prefixes)
        uniq_c = list(dict.fromkeys(prefixes))
        self.en_c_uid = np.array([uniq_c.index(c) for c in prefixes])  # "" repeats on purpose
        # tags
        self.tags = {key: (_obj(list(table)), np.array(list(table.values()))) for key, table in _PHRASES["tags"].items()}

    @staticmethod
    def _ragged(rows: list[tuple[str, ...]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Flatten ragged string tuples into (unique strings, padded id table, lengths)."""
        vocab = list(dict.fromkeys(s for r in rows for s in r))
        ids = {s: n for n, s in enumerate(vocab)}
        width = max(1, max(len(r) for r in rows))
        table = np.zeros((len(rows), width), dtype=np.int32)
        for k, r in enumerate(rows):
            table[k, : len(r)] = [ids[s] for s in r]
        return _obj(vocab), table, np.array([len(r) for r in rows])


_TABLES: _Tables | None = None


def _tables() -> _Tables:
    global _TABLES
    if _TABLES is None:
        _TABLES = _Tables()
    return _TABLES


def _pick(rng: np.random.Generator, table: np.ndarray, counts: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For each row index in ``rows``, one random column of ``table[rows]`` below ``counts[rows]``."""
    n = counts[rows]
    col = (rng.random(len(rows)) * np.maximum(n, 1)).astype(np.int64)
    return table[rows, col]


def _distinct(rng: np.random.Generator, table: np.ndarray, counts: np.ndarray, rows: np.ndarray,
              take: int, n_perm: int = 64) -> np.ndarray:
    """For each row index in ``rows``, ``take`` distinct entries of ``table[rows]`` (below
    ``counts[rows]``, which must be at least ``take``) in random order.

    Draws ``n_perm`` random permutations per table row once, then gives each output row a random
    permutation and a random rotation of it: O(len(rows) * take) gathers instead of a sort per row.
    """
    k_rows, width = table.shape
    keys = rng.random((k_rows, n_perm, width))
    keys[np.broadcast_to(np.arange(width) >= counts[:, None, None], keys.shape)] = 2.0
    perms = np.take_along_axis(np.broadcast_to(table[:, None, :], keys.shape), np.argsort(keys, axis=2), 2)
    n = counts[rows]
    p = rng.integers(0, n_perm, len(rows))
    rot = (rng.random(len(rows)) * n).astype(np.int64)
    pos = (rot[:, None] + np.arange(take)[None, :]) % n[:, None]
    return perms[rows[:, None], p[:, None], pos]


def _zh_descriptions(rng: np.random.Generator, ind: np.ndarray, t: _Tables) -> list[str]:
    """Business scopes (经营范围) for Chinese rows of industries ``ind``."""
    m = len(ind)
    n_items = t.ind_n_items[ind]
    items = _distinct(rng, t.ind_items, t.ind_n_items, ind, _MAX_ITEMS)  # (m, 8) global ids
    gens = _distinct(rng, t.ind_generic, t.ind_n_generic, ind, _MAX_GENERIC + 1)  # col 0 may go in front
    k_items = np.minimum(rng.integers(3, _MAX_ITEMS + 1, m), n_items)
    k_gen = rng.integers(2, 6, m)
    front = (rng.random(m) < 0.25).astype(np.int64)  # one generic item placed before the industry's

    # framing: 0 modern, 1 licence after, 2 licence first, 3 old style (no 一般项目)
    has_lic = t.ind_n_lic[ind] > 0
    style = _choice(rng, np.array([45, 25, 15, 15]), m)
    style[(~has_lic) & ((style == 1) | (style == 2))] = 0
    lic = t.ind_lic[ind, (rng.random(m) * np.maximum(t.ind_n_lic[ind], 1)).astype(np.int64)]
    clause = rng.random(m) < 0.7
    head_len = np.select(
        [style <= 1, style == 2],
        [5, 5 + t.lic_len[lic] + 1 + len(_C_LIC_LONG) + 5],
        0,
    )

    def tail_length() -> np.ndarray:
        return 1 + np.where(
            (style == 3), np.where(clause, len(_C_LIC), 0),
            np.where(clause | (style == 2), len(_C_GEN), 0)
        ) + np.where(style == 1, 5 + t.lic_len[lic] + len(_C_LIC), 0)

    tail_len = tail_length()
    rows = np.arange(m)
    item_cum = np.cumsum(t.item_len[items], axis=1)  # length of the first j+1 items, with separators
    gen_len = t.item_len[gens]
    back_cum = np.cumsum(gen_len[:, 1:], axis=1)  # generic slots after the items

    def total() -> np.ndarray:
        n_back = k_gen - front  # at least 1
        return (head_len + item_cum[rows, k_items - 1] + back_cum[rows, n_back - 1]
                + front * gen_len[:, 0] - 1 + tail_len)

    # grow each scope towards a target length drawn for the row: industry items first, then
    # generic items (up to 5), then the closing clause; below DESC_MIN, up to 7 generic items;
    # above DESC_MAX, drop items again
    target = rng.triangular(DESC_MIN, 150, DESC_MAX, m)
    cap = np.minimum(n_items, _MAX_ITEMS)
    for _ in range(32):
        length = total()
        want = length < target
        grow_i = want & (k_items < cap)
        grow_g = want & ~grow_i & (k_gen < 5)
        add_clause = want & ~grow_i & ~grow_g & ~clause
        grow_g2 = (length < DESC_MIN) & ~grow_i & ~grow_g & clause & (k_gen < _MAX_GENERIC)
        high = length > DESC_MAX
        if not (grow_i.any() or grow_g.any() or add_clause.any() or grow_g2.any() or high.any()):
            break
        k_items[grow_i] += 1
        k_gen[grow_g | grow_g2] += 1
        if add_clause.any():
            clause[add_clause] = True
            tail_len = tail_length()
        shrink_i = high & (k_items > 3)
        k_items[shrink_i] -= 1
        shrink_g = high & ~shrink_i & (k_gen > 2)
        k_gen[shrink_g] -= 1
    # the old style is the shortest frame; at full size the modern frame always reaches DESC_MIN
    short = (total() < DESC_MIN) & (style == 3)
    if short.any():
        style[short] = 0
        head_len[short] = 5
        tail_len = tail_length()

    # every piece but the first carries its leading separator, so a row is one "".join
    n, empty = t.n_items, 2 * t.n_items
    slots = [np.where(front == 1, gens[:, 0], empty), np.where(front == 1, items[:, 0] + n, items[:, 0])]
    slots += [np.where(j < k_items, items[:, j] + n, empty) for j in range(1, _MAX_ITEMS)]
    n_back = k_gen - front
    slots += [np.where(j <= n_back, gens[:, j] + n, empty) for j in range(1, _MAX_GENERIC + 1)]

    lic_txt = t.lic[lic]
    head = np.full(m, "", dtype=object)
    head[style <= 1] = "一般项目："
    s2 = style == 2
    head[s2] = "许可项目：" + lic_txt[s2] + "。" + _C_LIC_LONG + "一般项目："
    tail = np.full(m, "。", dtype=object)
    tail[(style <= 2) & (clause | s2)] = "。" + _C_GEN
    tail[(style == 3) & clause] = "。" + _C_LIC
    s1 = style == 1
    tail[s1] = tail[s1] + "许可项目：" + lic_txt[s1] + _C_LIC
    cols = [head.tolist()] + [t.item_text[x].tolist() for x in slots] + [tail.tolist()]
    return list(map("".join, zip(*cols, strict=True)))


def _en_descriptions(rng: np.random.Generator, ind: np.ndarray, t: _Tables) -> list[str]:
    """Short English company profiles for rows of industries ``ind``.

    ``<opening><p1>, <p2> and <p3><market>. <extra> <extra>``, with 2-4 phrases of the industry and
    1-3 extras of its role, grown or shrunk until the length is within bounds.
    """
    m = len(ind)
    rows = np.arange(m)
    role = t.role[ind]
    ph = _distinct(rng, t.ind_en_items, t.ind_n_en_items, ind, 4)
    ex = _distinct(rng, t.role_extras, t.role_n_extras, role, 3)
    opening = _pick(rng, t.role_opens, t.role_n_opens, role)
    market = rng.integers(0, len(t.market), m)
    k = rng.integers(2, 5, m)
    n_extra = rng.integers(1, 3, m)
    ph_cum = np.cumsum(t.en_item_len[ph], axis=1)
    ex_cum = np.cumsum(t.extra_len[ex] + 1, axis=1)  # each extra with its leading space

    def market_ids() -> np.ndarray:
        last = ph[rows, k - 1]
        return np.where((role == 0) & ~t.en_item_for[last], market, 0)  # market 0 is ""

    def total() -> np.ndarray:
        # separators: (k - 2) * ", " + " and "; ". " after the list; extras joined by spaces
        return (t.open_len[opening] + ph_cum[rows, k - 1] + 2 * (k - 2) + 5
                + t.market_len[market_ids()] + 2 + ex_cum[rows, n_extra - 1] - 1)

    for _ in range(12):
        length = total()
        low, high = length < DESC_MIN, length > DESC_MAX
        if not (low.any() or high.any()):
            break
        grow_e = low & (n_extra < 3)
        n_extra[grow_e] += 1
        k[low & ~grow_e & (k < 4)] += 1
        shrink_k = high & (k > 2)
        k[shrink_k] -= 1
        n_extra[high & ~shrink_k & (n_extra > 1)] -= 1

    blank = t.en_blank
    cols = [t.role_open[opening].tolist(), t.en_item[ph[:, 0]].tolist()]
    for j in (1, 2, 3):
        sep = np.where(j == k - 1, 2, np.where(j < k - 1, 1, 0))  # 0 "", 1 ", ", 2 " and "
        cols.append(t.list_sep[sep].tolist())
        cols.append(t.en_item[np.where(j < k, ph[:, j], blank)].tolist())
    cols.append(t.market[market_ids()].tolist())
    cols.append([". "] * m)
    cols.append(t.extra[ex[:, 0]].tolist())
    for j in (1, 2):
        cols.append(np.where(j < n_extra, " ", "").astype(object).tolist())
        cols.append(t.extra[np.where(j < n_extra, ex[:, j], t.extra_blank)].tolist())
    return list(map("".join, zip(*cols, strict=True)))


def _chunk(rng: np.random.Generator, m: int, english_share: float, t: _Tables) -> dict[str, np.ndarray]:
    """Generate ``m`` rows: text columns as object arrays, name parts as integer arrays."""
    ind = _choice(rng, t.weight, m)
    role = t.role[ind]
    is_en = rng.random(m) < english_share
    en_rows = np.flatnonzero(is_en)
    zh_rows = np.flatnonzero(~is_en)

    desc = np.empty(m, dtype=object)
    desc[zh_rows] = _zh_descriptions(rng, ind[zh_rows], t)
    desc[en_rows] = _en_descriptions(rng, ind[en_rows], t)

    # places
    city_i = _choice(rng, t.city_w, m)
    f_i = _choice(rng, t.f_w, m)
    city = t.city[city_i]
    country = t.city_country[city_i]
    city[en_rows] = t.f_city[_pick(rng, t.f_cities, t.f_n_cities, f_i[en_rows])]
    country[en_rows] = t.f_country[f_i[en_rows]]

    # name parts (kept as integers so duplicates can be redrawn cheaply)
    prefix = _pick(rng, t.city_prefix, t.city_n_prefix, city_i)
    word = _pick(rng, t.ind_words, t.ind_n_words, ind)
    en_word = _pick(rng, t.ind_en_words, t.ind_n_en_words, ind)
    suffix = _pick(rng, t.f_suffixes, t.f_n_suffixes, f_i)
    b1 = rng.integers(0, len(t.brand), m)
    b2 = rng.integers(0, len(t.brand), m)
    b3 = rng.integers(0, len(t.en_c), m)
    form = (rng.random(m) < 0.05).astype(np.int64)  # 股份有限公司

    # industry code for ~60 % of rows
    code = t.codes[_pick(rng, t.ind_codes, t.ind_n_codes, ind)]
    code[rng.random(m) >= 0.6] = ""

    # size and age
    maker = role == 0
    mu = np.select([role == 0, role == 1, role == 2], [np.log(150), np.log(60), np.log(12)], np.log(5))
    emp = np.clip(np.rint(np.exp(mu + rng.normal(0, 1.0, m))), 1, 30_000).astype(np.int64)
    per_head = np.exp(np.select([role == 2], [np.log(250)], np.log(60)) + rng.normal(0, 0.6, m))
    rev = np.maximum(emp * per_head, 1.0)
    rev_txt = np.where(rng.random(m) < 0.2, np.round(rev, 1), np.rint(rev))
    rev_blank = rng.random(m) < 0.15
    uniq, inv = np.unique(rev_txt, return_inverse=True)
    table = _obj([f"{v:.1f}" if v != int(v) else str(int(v)) for v in uniq])
    revenue = table[inv]
    revenue[rev_blank] = ""
    age = np.floor(rng.exponential(np.where(role == 3, 4.0, 12.0), m)).astype(np.int64)
    founded = np.clip(2025 - age, 1978, 2025)
    patents = np.where(
        role >= 2, 0,
        np.floor(rng.exponential(1.0, m) * np.sqrt(emp) * np.where(maker, 2.5, 0.8)).astype(np.int64),
    )

    # tags
    tags = np.empty(m, dtype=object)
    hk = country == "中国香港"
    foreign = is_en & ~hk
    for key, mask in (("maker", (role == 0) & ~is_en & ~hk), ("service", (role == 1) & ~is_en & ~hk),
                      ("trader", (role == 2) & ~is_en & ~hk), ("generic", (role == 3) & ~is_en & ~hk),
                      ("foreign", foreign), ("hk", hk)):
        rows = np.flatnonzero(mask)
        strings, weights = t.tags[key]
        tags[rows] = strings[_choice(rng, weights, len(rows))]

    # customers: about a quarter of makers with known buyers name one or two
    n_cust = t.ind_n_cust[ind]
    has_c = (n_cust > 0) & (role <= 1) & (rng.random(m) < 0.25)
    c1 = _pick(rng, t.ind_cust, t.ind_n_cust, ind)
    c2 = _pick(rng, t.ind_cust, t.ind_n_cust, ind)
    customers = np.full(m, "", dtype=object)
    rows = np.flatnonzero(has_c)
    customers[rows] = t.cust[c1[rows]]
    two = rows[(c2[rows] != c1[rows]) & (rng.random(len(rows)) < 0.4)]
    sep = np.where(rng.random(len(two)) < 0.8, "；", ";").astype(object)
    customers[two] = customers[two] + sep + t.cust[c2[two]]

    return {
        "description": desc, "city": city, "country": country, "industry_code": code,
        "employees": _int_text(emp, rng.random(m) < 0.08),
        "revenue": revenue,
        "founded": _int_text(founded, rng.random(m) < 0.05),
        "tags": tags, "customers": customers,
        "patents": _int_text(patents, rng.random(m) < 0.1),
        "_is_en": is_en, "_prefix": prefix, "_word": word, "_en_word": en_word,
        "_suffix": suffix, "_b1": b1, "_b2": b2, "_b3": b3, "_form": form,
    }


def _names(rng: np.random.Generator, parts: dict[str, np.ndarray], t: _Tables) -> np.ndarray:
    """Firm names; rows whose name repeats an earlier one get a new brand (a few rounds)."""
    is_en = parts["_is_en"]
    b1, b2, b3 = parts["_b1"], parts["_b2"], parts["_b3"]
    nb, na, nB, nc = len(t.brand), len(t.en_a), len(t.en_b), len(t.en_c)
    for _ in range(6):
        # integer keys equal exactly when the assembled strings are equal
        en_key = (((b1 % na) * nB + b2 % nB) * nc + t.en_c_uid[b3]) * 512 + parts["_en_word"]
        zh_key = ((b1 * nb + b2) * 512 + parts["_word"]) * 128 + parts["_prefix"]
        key = np.where(is_en, (en_key * 64 + parts["_suffix"]) * 2 + 1,
                       (zh_key * 2 + parts["_form"]) * 2)
        dup = pd.Series(key).duplicated().to_numpy()
        if not dup.any():
            break
        k = int(dup.sum())
        b1[dup] = rng.integers(0, nb, k)
        b2[dup] = rng.integers(0, nb, k)
        b3[dup] = rng.integers(0, nc, k)
    out = np.empty(len(is_en), dtype=object)
    zh, en = np.flatnonzero(~is_en), np.flatnonzero(is_en)
    zh_form = _obj(["有限公司", "股份有限公司"])
    out[zh] = list(map("".join, zip(
        t.prefix[parts["_prefix"][zh]].tolist(), t.brand[b1[zh]].tolist(), t.brand[b2[zh]].tolist(),
        t.words[parts["_word"][zh]].tolist(), zh_form[parts["_form"][zh]].tolist(),
        strict=True,
    )))
    # English brands reuse the brand draws as indices into the syllable tables
    space = [" "] * len(en)
    out[en] = list(map("".join, zip(
        t.en_a[b1[en] % na].tolist(), t.en_b[b2[en] % nB].tolist(), space, t.en_c[b3[en]].tolist(),
        t.en_words[parts["_en_word"][en]].tolist(), space, t.f_suffix[parts["_suffix"][en]].tolist(),
        strict=True,
    )))
    return out


def synthetic_firms(n: int, *, seed: int = 0, english_share: float = 0.1) -> pd.DataFrame:
    """Generate ``n`` realistic fictional candidate firms.

    Parameters
    ----------
    n : int
        Number of rows (0 or more).
    seed : int, default 0
        Seed of the NumPy generator; the same ``(n, seed, english_share)`` gives the same table.
    english_share : float, default 0.1
        Expected share of rows written as English profiles of foreign (and Hong Kong) investors,
        between 0 and 1.

    Returns
    -------
    pandas.DataFrame
        Columns ``name, description, city, country, industry_code, employees, revenue,
        founded, tags, customers, patents``, all of ``str`` dtype, gaps as ``""``.
        ``description`` is 100-300 characters: a Chinese business scope (3-8 items of one
        industry from :data:`INDUSTRIES`, 2-5 generic items, more only where needed to reach the
        minimum length, 一般项目 / 许可项目 framing) or an English profile. ``industry_code`` is a GB/T 4754-2017 class for about 60 % of rows;
        ``employees``, ``revenue`` (万元), ``founded`` and ``patents`` are integers (revenue
        sometimes with one decimal) written as text, a few blank. About 10 % of firms only
        trade and about 5 % are generic technology firms. Names are unique but for rare
        collisions.

    Raises
    ------
    ValueError
        If ``n`` is negative or ``english_share`` is outside ``[0, 1]``.

    Examples
    --------
    >>> df = synthetic_firms(1000, seed=1)
    >>> df.shape
    (1000, 11)
    >>> bool(df["description"].str.len().between(100, 300).all())
    True
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    if not 0.0 <= float(english_share) <= 1.0:
        raise ValueError(f"english_share must be within [0, 1], got {english_share!r}")
    if n == 0:
        return pd.DataFrame({k: pd.Series([], dtype="str") for k in COLUMNS})
    t = _tables()
    rng = np.random.default_rng(seed)
    chunks = [_chunk(rng, min(_CHUNK, n - start), float(english_share), t)
              for start in range(0, n, _CHUNK)]
    parts = {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}
    del chunks
    data = {"name": _names(rng, parts, t)}
    data.update({k: parts.pop(k) for k in COLUMNS if k != "name"})
    del parts
    return pd.DataFrame({k: pd.Series(v, dtype="str") for k, v in data.items()}, columns=list(COLUMNS))
