"""Firm descriptions and industry codes → affinity to each chain link, with evidence.

:class:`LinkMatcher` is a scikit-learn transformer. ``fit`` takes a vocabulary table (one row
per term: the link it names, its kind and weight; :func:`link_vocabulary` builds it from a
chain map) and compiles every term, together with the generic and trade words of
:mod:`recommender.matching`, into one Aho–Corasick automaton (``daachorse``, a double-array automaton).
``transform`` joins the descriptions it is given into one UTF-8 string (one per line) and
scans it once, leftmost-longest; rows, clauses, links and the noisy-or are then numpy work
over all the matches, so a file of firms costs a few passes, not one Python loop per firm.
Clause by clause:

* generic scope items (技术开发, 货物进出口 …) occupy their span and count for nothing; a link's
  keyword that is one (知识产权服务) is weak, needs an accepted activity beside it, and neither
  leads the description nor makes the items after it weigh as later ones;
* what a description denies is not read: the rest of a clause after a negation (does not …,
  不从事 …) and the words of a bracketed exclusion (（不含…）, （除…外）, （…除外）), to its
  closing bracket;
* with activities (``activities``: make, recycle, trade, invest …, from the map's
  ``vocabulary.yaml``), the activity of a term is read from its clause, else from the whole
  description; a link takes the term only where that activity is one it accepts, and a shared
  object's word only beside an accepted activity: a fund that invests in solid-state batteries,
  a trader of copper foil or a recycler of lithium-ion batteries fills no battery-making link;
* without activities, a clause with a trade word (销售, 批发, distributor …) and no make word
  (制造, 生产, manufacture …) names products the firm only sells: its terms are discarded,
  except for service links (logistics, e-commerce …), where trading is the service;
* compounds with a gap (``固态…电池``) match their parts a few characters apart in one clause,
  and win over a shorter term inside them (specific over generic);
* English terms match on word boundaries (a trailing plural ``s`` allowed), hyphens as spaces;
* terms in a 主营 / 主要产品 clause (:data:`LEAD_TERMS`) weigh fully, and where the description
  has none (or its note names no link), those of the first clause that names a link; other terms weigh
  :data:`LATER_FACTOR` of their weight (the main business leads, not the count of scope items);
  such a clause keeps its own activity, none borrowed from the rest of the description;
* a service link's own word names the service: it needs no activity word beside it, only none
  of the non-production activities the link does not take; activity words inside a
  raw-material or customer span are not the firm's;
* in a registered scope's list of items (separated by ；), a class-name item and an item naming
  that class's product (汽车零部件及配件制造, 汽车零部件研发) restate one business and count once,
  the strongest: the number of catalogue items a firm registers is no measure of its business;
  two classes that agree on a link state it (电子专用材料制造 and 有色金属压延加工: the foils), weighing
  as a class code and an item do, in either order; a class item that nothing of the firm's supports
  claims no link and leads no item after it; a catalogue item most scopes list borrows no activity
  from the other items, nor does a word of the map's that itself names a service performed or a
  development done (通用航空服务, 人工智能基础软件开发);
* a manufacturer's research is not its production: beside a clause that makes a product of the
  map's, a clause that only researches another link's product (固态电池技术研发) weighs as a
  secondary item, unless the firm makes that product too or its industry code states that link;
* every Chinese word is compiled in traditional characters too (Hong Kong and Taiwan text).

A link's affinity is the noisy-or of the weights of its distinct matched terms and of the
firm's industry code (exact 4-digit code, or a 3- or 2-digit prefix), so two independent
pieces of evidence raise it and one weak one does not saturate it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate, chain
from typing import Any

import daachorse
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._cache import KeptValues
from .._columnar import Column, as_list, n_rows, python_strings
from ..chainmap._schema import ChainMap
from ..reference._industry import industry_class, industry_code_for_name
from ..reference._text import traditional
from ._vocabulary import (
    APPLICATION_OPENERS,
    CLAUSE_DELIMITERS,
    EQUIPMENT_HEADS,
    GENERIC_TERMS,
    INPUT_HEADS,
    LEAD_TERMS,
    MAKE_TERMS,
    NEGATION_BRACKET,
    NEGATION_BRACKET_CLOSE,
    NEGATION_TERMS,
    TRADE_TERMS,
    english_forms,
    is_agent_noun,
)

#: The links an industry code states, with their weights, and the code prefix that states them.
CodeLinks = tuple[str, tuple[tuple[int, float], ...]]

__all__ = ["GAP", "VOCABULARY_COLUMNS", "LinkMatcher", "MatchResult", "PhraseSet", "activity_words", "link_vocabulary", "name_words"]

#: Columns of the vocabulary table that :meth:`LinkMatcher.fit` takes; optional further columns
#: ``accepts`` (the activities the link accepts, ``;``-separated) and ``requires`` (True for a
#: shared object's word: it counts only beside an accepted activity).
VOCABULARY_COLUMNS = ("link_id", "term", "kind", "weight", "service")

_TERM, _GENERIC, _TRADE, _GREEN, _ACTIVITY, _LEAD, _PART, _CUSTOMER, _INPUT, _APPLY = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9
# the denials, last: a negation (to the end of its clause), a bracketed exclusion's opening words
# and its closing words (the bracket's words, back to its opening bracket)
_DENY, _EXCLUDE, _EXCLUDE_END = 10, 11, 12
#: Above this many candidate terms a call tests the bytes after them with numpy before the
#: expression; below, the expression alone (a Python call per term costs less than numpy's;
#: target: POST /v1/score, one firm or a batch, benchmarks/README.md "Matching: sibling links").
EQUIPMENT_BATCH = 64
#: Up to this many terms in a call, adjacent terms are paired in Python, from it on with numpy
#: (the same target and measurement as :data:`EQUIPMENT_BATCH`).
PAIR_BATCH = 48
#: The GB/T 4754-2017 division of special equipment (专用设备制造业): its links make the equipment
#: of other links' production.
EQUIPMENT_DIVISION = "35"
#: Words that close a span naming a customer (为…供应) or a raw material (以…为原料), the words
#: that open it, and how far back (bytes) the opening word is looked for.
CUSTOMER_CLOSERS = ("供应", "配套", "供货", "代工", "贴牌")
CUSTOMER_OPENERS = tuple(w.encode() for w in ("为", "向"))
INPUT_CLOSERS = ("为原料", "为主要原料", "为原材料", "作原料", "为主料", "为基材", "为前驱体", "为碳源", "为载体")
INPUT_OPENERS = tuple(w.encode() for w in ("以", "利用", "采用"))
SPAN_BYTES = 72
#: Weight factor of a term inside such a span.
SECONDARY_FACTOR = 0.6
#: A word with this between two parts matches them with up to :data:`GAP_BYTES` bytes between.
#: What separates the items of a registered business scope (经营范围: 一般项目：A；B；C), in
#: the lowered UTF-8 text the matcher reads.
SCOPE_ITEM_SEPARATOR = "；".encode()
GAP = "…"
GAP_BYTES = 12  # four CJK characters
GAP_BYTES_EN = 24  # in English, a few words (spent lithium-ion batteries)
#: Weight factor of a term outside the lead (the first clause that names a link, or a 主营 clause).
LATER_FACTOR = 0.85
#: A link whose only evidence is one weak piece (a short or one-word term of weight at most
#: :data:`WEAK_WEIGHT`: 电池, battery, 正极) gets this share of its
#: weight: it still matches, below any firm with specific or corroborated evidence (an industry
#: code alone is not weak: it is the firm's own statement of its class).
WEAK_WEIGHT = 0.6
WEAK_FACTOR = 0.6
#: Where a firm's description supports two or more links equally (a tie at its strongest
#: affinity) and its registered name's trade part names some of them (XX铜箔有限公司: 企业名称 =
#: 行政区划 + 字号 + 行业或经营特点 + 组织形式, 企业名称登记管理规定), the others weigh as the
#: firm's later items (below the scorer's main-business margin): the name decides the tie, it adds
#: no link and outweighs no stronger one.
NAME_TIE_FACTOR = LATER_FACTOR
#: The kinds of a link's terms a firm's name is read for: its names and specific keywords.
NAME_TERM_KINDS = ("name", "long", "mid", "en_phrase")
#: The class value of a registered name's statement of its trade among the class items'
#: (:func:`_stated_together`): a statement apart from any GB/T 4754 class or group.
NAME_CLASS = 99999
_DELIMITERS = sorted({d.encode() for d in CLAUSE_DELIMITERS})
#: The activity of a description that names none (a catalogue line of products).
DEFAULT_ACTIVITY = "make"
#: Endings of a word of the map's that itself names a service the firm performs or a development
#: it does (the catalogue's …服务 and …软件开发 items: 通用航空服务, 人工智能基础软件开发).
PERFORMED_ENDINGS = ("服务", "开发", "服務", "開發")
#: The activity of recovering materials from waste: what a clause that does it names beside its
#: feed is recovered, not made.
RECYCLE_ACTIVITY = "recycle"
#: The activity of research and development: a clause that names it and no other production
#: activity (固态电池技术研发), in a description where another clause makes a product of the map's,
#: is the manufacturer's research, a secondary item (its production is what it makes).
RESEARCH_ACTIVITY = "research"

#: Below this many bytes (a batch of about seventy typical descriptions), :func:`_clause_ends` finds
#: the delimiters with a small automaton, from it with numpy: numpy's fixed cost is about 60 µs,
#: the automaton's time grows faster with the text; they cost the same at about 32 KB (target:
#: POST /v1/score in batches of 8 to 16: 6 µs for a batch of eight, 13 µs by a regular expression).
CLAUSE_SEARCH_BYTES = 16384


def _clause_ends(data: bytes) -> np.ndarray:
    """Sorted byte offsets just after each :data:`CLAUSE_DELIMITERS` in UTF-8 ``data`` (the
    delimiters never overlap, so this is where a left-to-right scan would cut)."""
    if len(data) < CLAUSE_SEARCH_BYTES:  # a few descriptions: one automaton pass, with less fixed cost
        found = _DELIMITER_AUTOMATON.find(data)
        return np.fromiter((end for _, end, _ in found), dtype=np.int64, count=len(found))
    array = np.frombuffer(data, dtype=np.uint8)
    # (bytes.translate marks the first bytes in one C pass: half the time of a numpy lookup table)
    candidates = np.flatnonzero(np.frombuffer(data.translate(_DELIMITER_FIRST_BYTES), dtype=np.bool_))
    first = array[candidates]
    ends = []
    for delimiter in _DELIMITERS:
        hit = candidates[(first == delimiter[0]) & (candidates + len(delimiter) <= len(array))]
        for k in range(1, len(delimiter)):
            hit = hit[array[hit + k] == delimiter[k]]
        ends.append(hit + len(delimiter))
    return np.sort(np.concatenate(ends)) if ends else np.zeros(0, dtype=np.int64)


_DELIMITER_AUTOMATON = daachorse.DoubleArrayAhoCorasick(_DELIMITERS, daachorse.MATCH_KIND_LEFTMOST_LONGEST)
_DELIMITER_FIRST_BYTES = bytearray(256)  # a translation table: 1 for a delimiter's first byte, else 0
for _delimiter in _DELIMITERS:
    _DELIMITER_FIRST_BYTES[_delimiter[0]] = 1


_WIDE_OPENING, _WIDE_CLOSING = "（".encode(), "）".encode()


def _closing_bracket(data: bytes, begin: int, end: int) -> int:
    """Where the first closing bracket (）or )) in ``data[begin:end]`` starts; ``end`` if none."""
    wide = data.find(_WIDE_CLOSING, begin, end)
    narrow = data.find(b")", begin, end if wide < 0 else wide)
    return narrow if narrow >= 0 else wide if wide >= 0 else end


def _opening_bracket(data: bytes, begin: int, end: int) -> int:
    """Just after the last opening bracket (（ or () in ``data[begin:end]``; ``begin`` if none."""
    wide = data.rfind(_WIDE_OPENING, begin, end)
    narrow = data.rfind(b"(", max(begin, wide), end)
    return narrow + 1 if narrow >= 0 else wide + 3 if wide >= 0 else begin


#: Default term weights by kind; a term's weight is its evidence strength in the noisy-or.
TERM_WEIGHTS = {"name": 0.9, "long": 0.8, "mid": 0.7, "short": 0.55, "en_phrase": 0.8, "en_word": 0.6, "class": 0.5}
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
    codes, else the term kind that sets its weight; ``equipment``: the links that make the
    special equipment of the link's own production (GB/T 4754-2017 division 35, 专用设备制造业,
    and supplying the link); ``downstream``: the links its product goes into (``supplies``,
    followed); both ``;``-separated.
    """
    rows: list[tuple[str, str, str, float, bool, str, bool]] = []
    vocabulary = chain_map.vocabulary
    shared = _links_by_term(chain_map)
    makers = [link for link in chain_map.links if any(code.startswith(EQUIPMENT_DIVISION) for code in link.industry_codes)]
    equipment = {link.id: ";".join(maker.id for maker in makers if link.id in maker.supplies) for link in chain_map.links}
    downstream = {link.id: ";".join(sorted(_downstream(chain_map, link.id))) for link in chain_map.links}
    for link in chain_map.links:
        service = link.stage == "service"
        accepts = ";".join(vocabulary.accepted(link))
        for name in (link.name.zh, link.name.en):
            rows.append((link.id, name, "name", TERM_WEIGHTS["name"], service, accepts, False))
        for term in (*link.keywords.zh, *link.keywords.en):
            if _normal(term) in _GENERIC_KEYS:  # a catalogue item most scopes list: weak, beside an activity
                rows.append((link.id, term, "class", TERM_WEIGHTS["class"], service, accepts, True))
                continue
            kind = _term_kind(term)
            rows.append((link.id, term, kind, TERM_WEIGHTS[kind], service, accepts, False))
        for term in (*link.trade_terms.zh, *link.trade_terms.en) if link.trade_terms is not None else ():
            if len(shared.get(_normal(term), ())) > 1:  # a trade word several links use: weak, beside an activity
                rows.append((link.id, term, "class", TERM_WEIGHTS["class"], service, accepts, True))
            else:
                kind = _term_kind(term)
                rows.append((link.id, term, kind, TERM_WEIGHTS[kind], service, accepts, False))
        for object_id in link.objects:
            entry = vocabulary.objects[object_id]
            for term in (*entry.zh, *entry.en):
                kind = _term_kind(term)
                rows.append((link.id, term, kind, TERM_WEIGHTS[kind], service, accepts, True))
        for code in link.industry_codes:
            rows.append((link.id, code, "code", CODE_WEIGHTS[len(code)], service, accepts, False))
    # the products named by the GB/T 4754 classes of the links' codes (锂离子电池制造 → 锂离子电池),
    # as shared objects (beside an accepted activity), where they name at most two links
    by_term: dict[str, list] = {}
    for link in chain_map.links:
        accepts = ";".join(vocabulary.accepted(link))
        for code in link.industry_codes:
            known = industry_class(code) if len(code) == 4 else None
            for term in (*class_products(known.name), *description_products(known.description)) if known is not None else ():
                by_term.setdefault(term, []).append((link.id, link.stage == "service", accepts))
    containing = _owners_of_keys_containing(list(by_term), shared)
    for term, links in by_term.items():
        # the links that name it: its classes' links, and those with a term containing it (铝合金 in 铝合金压铸件)
        named = {link_id for link_id, _, _ in links} | containing.get(term, set())
        if len(named) <= 2:
            for link_id, service, accepts in dict.fromkeys(links):
                rows.append((link_id, term, "class", TERM_WEIGHTS["class"], service, accepts, True))
    class_rows = _class_name_rows(chain_map)
    rows.extend(row[:7] for row in class_rows)
    before = [""] * (len(rows) - len(class_rows))
    item_activity = {item: entry.activity or "" for item, entry in vocabulary.class_items.items()}
    with python_strings():  # fitting reads the table value by value: Python strings, not Arrow buffers
        table = pd.DataFrame(rows, columns=[*VOCABULARY_COLUMNS, "accepts", "requires"])
        return table.assign(equipment=table["link_id"].map(equipment), downstream=table["link_id"].map(downstream),
                            class_code=before + [row[7] for row in class_rows],
                            names_activity=before + [item_activity.get(row[1], "") for row in class_rows])


def _downstream(chain_map: ChainMap, link_id: str) -> set[str]:
    """The links a link's product goes into, directly or further down (``supplies``, followed)."""
    out: set[str] = set()
    todo = [link_id]
    while todo:
        for target in chain_map.link_by_id[todo.pop()].supplies:
            if target not in out:
                out.add(target)
                todo.append(target)
    out.discard(link_id)
    return out


#: GB/T 4754-2017 divisions whose class names are read as scope items (section C, 制造业, 13-43):
#: a registered scope names a manufacturing class by the catalogue item that is its name
#: (有色金属压延加工, 电子专用材料制造); service and research classes (软件开发, 专业设计服务,
#: 工程和技术研究和试验发展) are items most scopes list.
CLASS_NAME_DIVISIONS = range(13, 44)


def _class_name_rows(chain_map: ChainMap) -> list[tuple[str, str, str, float, bool, str, bool, str]]:
    """The names of the GB/T 4754 classes (小类) a link lists and of their groups (中类), as its weak
    terms (kind ``class_name``, with the class's code last): an item of a registered scope worded as
    the class's name (经营范围规范表述目录 words most manufacturing items so) states the firm's class
    as a class code does, and corroborates the links of that class; alone it stays weak (beside an
    accepted activity, :data:`WEAK_FACTOR`), as a shared word does. The catalogue's items that word
    a class otherwise (the map's ``class_items``) are read so for the links that list the class or
    a group or division it lies in, whatever its division, and for the links the item names (its ``links``)."""
    rows: list[tuple[str, str, str, float, bool, str, bool, str]] = []
    vocabulary = chain_map.vocabulary
    for link in chain_map.links:
        accepts = ";".join(vocabulary.accepted(link))
        names: dict[str, str] = {}
        for code in link.industry_codes:
            if len(code) != 4 or not code.isdigit() or int(code[:2]) not in CLASS_NAME_DIVISIONS:
                continue
            for known in (industry_class(code), industry_class(code[:3])):
                if known is not None and not known.name.startswith("其他"):
                    names.setdefault(known.name, known.code)
        for item, entry in vocabulary.class_items.items():
            if link.id in entry.links or any(entry.code.startswith(code) for code in link.industry_codes):
                names.setdefault(item, entry.code)
        for name, code in names.items():
            rows.append((link.id, name, "class_name", TERM_WEIGHTS["class"], link.stage == "service", accepts, True, code))
    return rows


def _owners_of_keys_containing(terms: list[str], owners_of: Mapping[str, set[str]]) -> dict[str, set[str]]:
    """Each term → the union of the owners of every key that contains it (``term in key``), found
    by one automaton over the terms run through each key rather than a test of every pair."""
    out: dict[str, set[str]] = {}
    if not terms:
        return out
    finder = daachorse.CharwiseDoubleArrayAhoCorasick(terms)
    for key, owners in owners_of.items():
        for i in {i for _, _, i in finder.find_overlapping(key)}:
            out.setdefault(terms[i], set()).update(owners)
    return out


def _links_by_term(chain_map: ChainMap) -> dict[str, set[str]]:
    """The links whose names, keywords, trade terms or objects name each (normalised) term."""
    out: dict[str, set[str]] = {}
    objects = chain_map.vocabulary.objects
    for link in chain_map.links:
        trade = (*link.trade_terms.zh, *link.trade_terms.en) if link.trade_terms is not None else ()
        owned = [word for o in link.objects for word in (*objects[o].zh, *objects[o].en)]
        for term in (link.name.zh, link.name.en, *link.keywords.zh, *link.keywords.en, *trade, *owned):
            out.setdefault(_normal(term), set()).add(link.id)
    return out


_CLASS_SUFFIX = re.compile(r"(?:的)?(?:加工处理|综合利用|制造|加工|冶炼|生产|处理|服务|活动|业)$")
#: Parts of class names that name no product (其他…, 类似产品, 研究, 设计 …).
_CLASS_NOISE = re.compile(r"类似|副产品|研究|试验|设计|开发|装饰|表面|老年人|残疾人|机构|管理|支持|中介|空间|代理")


def class_products(name: str) -> tuple[str, ...]:
    """The product nouns of a GB/T 4754 class name: its parts (split at 及, 和, 、, 与) without
    the process word (制造, 加工, 冶炼 …) or 其他, of three characters or more, leaving out parts
    that name no product (``有机肥料及微生物肥料制造`` → 有机肥料, 微生物肥料)."""
    out = []
    for part in re.split(r"[及和、与，]", _CLASS_SUFFIX.sub("", name.removeprefix("其他"))):
        part = _CLASS_SUFFIX.sub("", part.removeprefix("其他"))
        if len(part) >= 3 and not _CLASS_NOISE.search(part):
            out.append(part)
    return tuple(out)


#: A product noun of a class description ends in one of these heads (件, 器, 剂, 纤维, 合金 …);
#: a part that starts or contains one of the _DESCRIPTION_NOISE words is a phrase, not a product.
_PRODUCT_HEAD = re.compile(r"(?:[件器机板剂药油酒粉肥纸浆箔膜管车船床锭丝纱布胶漆烯]|纤维|塑料|电路|燃料|软件|器具|元件|合金|电容器|仪表|调味品)$")
_DESCRIPTION_NOISE = re.compile(r"^(?:也|对|其|制造|由|在|如|不论|具有|包含|融合|顺应|采取|通过|向|按|才能|除|仅|供方|者|各种|各类|其他|相关|一般)|"
                                r"条件|指|包括|提供|补充|促进|制成|用于|利用|进行|形成|构成|附有|未列明|零部件|零组件|半成品|附件")


def description_products(description: str) -> tuple[str, ...]:
    """Product nouns of a GB/T 4754 class description (``指铸铁件、铸钢件等各种成品、半成品的制造`` →
    铸铁件, 铸钢件): its parts between punctuation, 的, 及, 和, 与, 或 and 等, of three to eight
    characters, ending in a product head (:data:`_PRODUCT_HEAD`) and without a word that makes
    the part a phrase rather than a product."""
    out = []
    for part in re.split(r"[、，；。：（）()\[\]［］“”\s]|的|及|和|与|或|等", description):
        part = part.removeprefix("指").removeprefix("包括")
        if (3 <= len(part) <= 8 and re.fullmatch(r"[\u4e00-\u9fff]+", part) and _PRODUCT_HEAD.search(part)
                and not _DESCRIPTION_NOISE.search(part)):
            out.append(part)
    return tuple(dict.fromkeys(out))


def map_matcher(chain_map: ChainMap, **params: Any) -> LinkMatcher:
    """An unfitted :class:`LinkMatcher` with the map's words: its activities, the words of firm
    names, the classes no link lists and the strategy's green keywords; ``params`` set the others
    (``use_trade_rule=False`` for an ablation). Fit it on :func:`link_vocabulary` of the map."""
    green = chain_map.strategy.green_keywords
    return LinkMatcher(green_terms=(*green.zh, *green.en), activities=activity_words(chain_map), firm_names=name_words(chain_map),
                       other_words=other_class_words(chain_map), **params)


def activity_words(chain_map: ChainMap) -> tuple[tuple[str, str, bool], ...]:
    """``(word, activity, production)`` for every word of the map's activities (and of the
    broader activities each implies), English words in their inflected forms too
    (:func:`english_forms`)."""
    out = []
    activities = chain_map.vocabulary.activities
    for activity_id, activity in activities.items():
        for word in (*activity.zh, *(form for w in activity.en for form in english_forms(w))):
            out.append((word, activity_id, activity.production))
            # a narrow activity's words name the broader ones it implies (熔炼 is making)
            out.extend((word, broader, activities[broader].production) for broader in activity.implies)
    return tuple(out)


def other_class_words(chain_map: ChainMap) -> tuple[str, ...]:
    """The words of the classes no link lists that hold a link's word for another thing
    (``other_classes`` in ``vocabulary.yaml``: 电力电子元器件 is not 电子元器件)."""
    return tuple(word for other in chain_map.vocabulary.other_classes.values() for word in other.words)


def name_words(chain_map: ChainMap) -> tuple[tuple[str, str, bool], ...]:
    """``(word, activity, services)`` for every word that ends a firm's name when the whole firm
    does a non-production activity (``names`` of an activity in ``vocabulary.yaml``: 投资, 银行,
    Capital …); ``services`` false where such a firm fills no service link either (餐饮, Clinic)."""
    return tuple(
        (word, activity_id, activity.services)
        for activity_id, activity in chain_map.vocabulary.activities.items()
        if activity.names is not None and not activity.production
        for word in (*activity.names.zh, *activity.names.en)
    )


#: Legal forms and the like that end a registered name: stripped before its last word is read.
_LEGAL_ZH = r"(?:股份有限公司|有限责任公司|有限公司|集团|控股|公司|合伙企业|企业|[（(][^）)]*[）)]|[^\s]{0,8}?(?:分公司|支公司|分行|支行|营业部|办事处))"
_LEGAL_EN = (r"(?:co|company|ltd|limited|inc|incorporated|llc|llp|lp|l\.p|plc|corp|corporation|gmbh|ag|sa|s\.a|nv|n\.v|"
             r"bv|b\.v|pte|pty|kk|k\.k|spa|s\.p\.a|group|holdings?|hk|international|global|china|asia)")


#: The legal form and branch words that end a registered name, and the words of no particular
#: trade before them (科技, 实业, technology): what precedes them ends with the name's trade part
#: (企业名称 = 行政区划 + 字号 + 行业或经营特点 + 组织形式).
_LEGAL_TAIL = re.compile(rf"(?:[\s,.&]*(?:{_LEGAL_ZH}|科技|技术|实业|工业|发展|\b(?:{_LEGAL_EN}|technology|technologies|industries|industrial)\b))+[\s,.]*$")


def _names_term(trade_part: str, term: str) -> bool:
    """Whether a name's trade part ends with a term (an English one as whole words): the
    region and the firm's own style (字号) before it are no statement of its trade."""
    return trade_part.endswith(term) and (not term.isascii() or len(trade_part) == len(term)
                                          or not trade_part[-len(term) - 1].isalnum())


_UNSEEN = object()  # a code not yet in LinkMatcher.code_links_


#: Below this many names a call searches them one by one with Python's compiled pattern, from
#: this many on in one pyarrow pass (see :meth:`LinkMatcher.name_activity`).
NAME_BATCH = 256


def _name_pattern(words: Iterable[str]) -> re.Pattern:
    """A regular expression for a firm name ending in one of ``words`` (before its legal form)."""
    zh = sorted({w for w in words if not w.isascii()}, key=len, reverse=True)
    en = sorted({w.lower() for w in words if w.isascii()}, key=len, reverse=True)
    parts = []
    if zh:
        parts.append(rf"(?P<zh>{'|'.join(map(re.escape, zh))})(?:管理|服务|发展|经营)?(?:\s*{_LEGAL_ZH})*")
    if en:
        parts.append(rf"(?:^|[^a-z0-9])(?P<en>{'|'.join(map(re.escape, en))})(?:[\s,.&]+{_LEGAL_EN})*[\s,.]*")
    return re.compile(rf"(?:{'|'.join(parts)})$")


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
    activities : tuple of (word, activity, production), default=()
        The words of the activities (:func:`activity_words`).
    firm_names : tuple of (word, activity, services), default=()
        The words that end a firm's name when the whole firm does an activity (:func:`name_words`).
    other_words : tuple of str, default=()
        Words of classes no link lists that hold a link's word for another thing
        (:func:`other_class_words`): they name no link, and the words inside them name nothing.
    """

    def __init__(self, min_affinity: float = 0.3, use_trade_rule: bool = True, green_terms: tuple[str, ...] = (),
                 activities: tuple[tuple[str, str, bool], ...] = (), firm_names: tuple[tuple[str, str, bool], ...] = (),
                 other_words: tuple[str, ...] = ()):
        self.min_affinity = min_affinity
        self.use_trade_rule = use_trade_rule
        self.green_terms = green_terms
        self.activities = activities
        self.firm_names = firm_names
        self.other_words = other_words

    def fit(self, vocabulary: pd.DataFrame, y: object = None) -> LinkMatcher:
        """Compile the vocabulary table (columns :data:`VOCABULARY_COLUMNS`)."""
        missing = set(VOCABULARY_COLUMNS) - set(vocabulary.columns)
        if missing:
            raise ValueError(f"The 'vocabulary' parameter of LinkMatcher.fit must have columns {VOCABULARY_COLUMNS}; missing {sorted(missing)}.")
        if not 0 <= self.min_affinity < 1:
            raise ValueError(f"The 'min_affinity' parameter of LinkMatcher must be in [0, 1). Got {self.min_affinity!r} instead.")
        vocabulary = vocabulary.astype(object)  # plain values: a pandas string column read value by value costs a call per cell
        self.link_ids_ = np.array(list(dict.fromkeys(vocabulary["link_id"])), dtype=object)
        index = {link: i for i, link in enumerate(self.link_ids_)}
        self.service_ = np.zeros(len(self.link_ids_), dtype=bool)
        # activities: one bit each; a word's mask is the activities it names
        names = list(dict.fromkeys([*(activity for _, activity, _ in self.activities), *(entry[1] for entry in self.firm_names)]))
        if len(names) > 63:
            raise ValueError("The 'activities' parameter of LinkMatcher names more than 63 activities.")
        self.activity_bits_ = {name: np.uint64(1) << np.uint64(k) for k, name in enumerate(names)}
        words: dict[str, np.uint64] = {}
        for word, activity, _ in self.activities:
            for key in _chinese_forms(spellings(_normal(word))):
                words[key] = words.get(key, np.uint64(0)) | self.activity_bits_[activity]
        trade_bit = self.trade_bit_ = self.activity_bits_.get("trade", np.uint64(0))
        # production activities, and the non-production ones other than trading, which govern
        # the activity a term names itself (a maker often registers sales too, never consulting)
        self.production_bits_ = np.uint64(0)
        for _, activity, production in self.activities:
            if production:
                self.production_bits_ |= self.activity_bits_[activity]
        self.default_bit_ = self.activity_bits_.get(DEFAULT_ACTIVITY, np.uint64(0))
        self.research_bit_ = self.activity_bits_.get(RESEARCH_ACTIVITY, np.uint64(0))
        # recycling and the narrower activities that imply it (collect, process, reuse: every
        # word of theirs names recycling too)
        recycle = self.activity_bits_.get(RECYCLE_ACTIVITY, np.uint64(0))
        self.recycle_bit_ = recycle
        for activity, bit in self.activity_bits_.items():
            own = [_normal(word) for word, name, _ in self.activities if name == activity]
            if recycle and own and all(words[word] & recycle for word in own):
                self.recycle_bit_ |= bit
        self.governing_ = np.uint64(0)
        for bit in self.activity_bits_.values():
            if not bit & self.production_bits_ and bit != trade_bit:
                self.governing_ |= bit
        extra = vocabulary.columns.intersection(["accepts", "requires"])
        accepts_of = vocabulary["accepts"] if "accepts" in extra else pd.Series([""] * len(vocabulary), index=vocabulary.index)
        requires_of = vocabulary["requires"] if "requires" in extra else pd.Series([False] * len(vocabulary), index=vocabulary.index)
        terms: dict[str, dict[int, tuple[float, np.uint64, bool]]] = {}
        codes: dict[str, dict[int, float]] = {}
        table = vocabulary[list(VOCABULARY_COLUMNS)].assign(accepts=accepts_of.to_numpy(), requires=requires_of.to_numpy())
        # the specific words a registered name's trade part may end with: per word, the links of
        # every such word it ends with (a tie they decide), and those whose own word it is, not a
        # shared object's (a link it states beside a class item: 铝箔 in XX铝箔有限公司, where
        # 合金材料 would name any alloy)
        named_by: dict[str, set[int]] = {}
        own_by: dict[str, set[int]] = {}
        for link, term, kind, requires in table[["link_id", "term", "kind", "requires"]].itertuples(index=False):
            if kind in NAME_TERM_KINDS and isinstance(term, str) and GAP not in term:
                named_by.setdefault(_normal(term), set()).add(index[link])
                if not requires:
                    own_by.setdefault(_normal(term), set()).add(index[link])
        trade_words = {}
        for word in named_by:
            endings = [word[i:] for i in range(len(word)) if _names_term(word, word[i:])]
            trade_words[word] = tuple(tuple(sorted(set().union(*(links.get(e, ()) for e in endings)))) for links in (named_by, own_by))
        self.name_automaton_ = _Automaton(trade_words)
        for link, term, kind, weight, service, accepts, requires in table.itertuples(index=False):
            col = index[link]
            self.service_[col] = bool(service)
            key = _normal(str(term))
            if not key:
                continue
            if kind == "code":
                code_slot = codes.setdefault(key, {})
                code_slot[col] = max(code_slot.get(col, 0.0), float(weight))
                continue
            mask = np.uint64(0)
            for activity in str(accepts or "").split(";"):
                mask |= self.activity_bits_.get(activity, np.uint64(0))
            for form in _term_forms(key):
                slot = terms.setdefault(form, {})
                old = slot.get(col)
                if old is None or (old[2] and not requires) or (old[2] == bool(requires) and old[0] < float(weight)):
                    slot[col] = (float(weight), mask, bool(requires))
        # class names (kind class_name) corroborate only: the (term, link) pairs they alone give
        is_class = (table["kind"] == "class_name").to_numpy()
        pairs = {(_normal(str(t)), index[link]) for t, link in zip(table["term"], table["link_id"], strict=True)}
        stated = {(_normal(str(t)), index[link]) for t, link in zip(table["term"][~is_class], table["link_id"][~is_class], strict=True)}
        class_only = {(form, col) for key, col in pairs - stated for form in _term_forms(key) if form in terms}
        class_only -= _inherit_prefix_terms(terms, {key for key, _ in class_only})
        green = {_normal(word) for word in self.green_terms}
        entries: dict[str, tuple] = {}
        # Generic items only matter where they would hide a term or an activity inside them
        # (they occupy their span); the others are left out, which keeps the pass short.
        for word in (*GENERIC_TERMS, *self.other_words):
            low = _normal(word)
            if _holds_any(low, terms) or _holds_any(low, words):
                entries[low] = (_GENERIC, (), False, np.uint64(0))
        for word in LEAD_TERMS:
            entries[_normal(word)] = (_LEAD, (), False, np.uint64(0))
        for word in CUSTOMER_CLOSERS:
            entries.setdefault(word, (_CUSTOMER, (), False, np.uint64(0)))
        for word in INPUT_CLOSERS:
            entries.setdefault(word, (_INPUT, (), False, np.uint64(0)))
        for word in APPLICATION_OPENERS:
            entries.setdefault(_normal(word), (_APPLY, (), False, np.uint64(0)))
        if self.activities:  # denials matter where activities are read
            for word in NEGATION_TERMS:
                entries[_normal(word)] = (_DENY, (), False, np.uint64(0))
            for word in NEGATION_BRACKET:
                for bracket in ("（", "("):
                    entries[bracket + _normal(word)] = (_EXCLUDE, (), False, np.uint64(0))
            for word in NEGATION_BRACKET_CLOSE:
                for bracket in ("）", ")"):
                    entries[_normal(word) + bracket] = (_EXCLUDE_END, (), False, np.uint64(0))
            for word in GENERIC_TERMS:  # registration boilerplate in brackets (（除依法须经批准的项目外…）) excludes nothing
                if word.startswith("依法"):
                    for bracket in ("（", "("):
                        entries[bracket + "除" + word] = (_GENERIC, (), False, np.uint64(0))
        for word, mask in words.items():
            entries[word] = (_ACTIVITY, (), word in green, mask)
        longest = max(map(len, words), default=0)
        for word in green:  # a green word names the activities of the words it holds, the first too (再生利用, 回收利用: recycling)
            named = _inherent_activity(word, words, longest)
            for stop in range(1, min(len(word), longest) + 1):
                named |= words.get(word[:stop], np.uint64(0))
            entries.setdefault(word, (_GREEN, (), True, named))
        for word in TRADE_TERMS:
            low = _normal(word)
            entries[low] = (_TRADE, (), low in green, words.get(low, np.uint64(0)) | trade_bit)
        gaps = {key: tuple(key.split(GAP, 1)) for key in terms if GAP in key}
        for head, tail in gaps.values():
            for part in (head, tail):
                entries.setdefault(part, (_PART, (), False, np.uint64(0)))
        # the word lists in traditional characters too (銷售, 主營, 一般項目: Hong Kong and Taiwan text)
        for key in [key for key in entries if not key.isascii()]:
            entries.setdefault(traditional(key), entries[key])
        # the activity a catalogue item names itself (the map's class_items: a service it runs)
        naming: dict[str, np.uint64] = {}
        if "names_activity" in vocabulary.columns:
            for t, activity in zip(vocabulary["term"].tolist(), vocabulary["names_activity"].tolist(), strict=True):
                for form in _term_forms(_normal(str(t))) if activity else ():
                    naming[form] = naming.get(form, np.uint64(0)) | self.activity_bits_.get(str(activity), np.uint64(0))
        for key, slot in terms.items():  # a link term wins over the word lists
            entries[key] = (_TERM, tuple(slot.items()), key in green, _inherent_activity(key, words, longest) | naming.get(key, np.uint64(0)))
        self.automaton_ = _Automaton(entries)
        # per pattern of the pass: its kind, whether it is green, its activities, and its links as flat arrays
        payloads: list[tuple[Any, ...]] = self.automaton_.payloads
        self.kinds_ = np.array([p[0] for p in payloads], dtype=np.int8)
        self.greens_ = np.array([p[2] for p in payloads], dtype=bool)
        self.masks_ = np.array([p[3] for p in payloads], dtype=np.uint64)
        # an agent noun in the plural (makers, distributors) names other firms, not the firm's activity
        self.agent_ = np.array([p[0] in (_ACTIVITY, _TRADE) and key.isascii() and is_agent_noun(key)
                                for key, p in zip(self.automaton_.patterns, payloads, strict=True)], dtype=bool)
        # the activities each link accepts (an equipment reading's; a link's codes are vetoed for
        # a firm named for another)
        self.accepts_by_link_ = np.zeros(len(self.link_ids_), dtype=np.uint64)
        for link, accepts in zip(table["link_id"], table["accepts"], strict=True):
            for activity in str(accepts or "").split(";"):
                self.accepts_by_link_[index[link]] |= self.activity_bits_.get(activity, np.uint64(0))
        # the readings: the automaton's patterns, then the equipment readings of some of them
        added = self._equipment_readings(vocabulary, index)
        # per reading: whether it is a catalogue item most registered scopes list (知识产权服务)
        catalogue = _GENERIC_KEYS | {traditional(key) for key in _GENERIC_KEYS}
        self.catalogue_ = np.array([str(reading) in catalogue for reading in self.readings_], dtype=bool)
        # per reading: whether it names a service the firm performs or a development it does
        # (通用航空服务, 人工智能基础软件开发): as an item of a registered scope, its own statement
        self.performed_ = np.array([str(reading).endswith(PERFORMED_ENDINGS) for reading in self.readings_], dtype=bool)
        # one entry per (reading, link): its column, weight, accepted activities, whether it needs
        # one, whether it is a class name's (beside other evidence only), the GB/T 4754 class it
        # then states, and whether it names what a recovery link recovers (below); an equipment
        # reading is the term's own evidence, never a class name's
        recovers = {col for col, accepts in enumerate(self.accepts_by_link_.tolist())
                    if accepts & int(self.recycle_bit_) and not accepts & int(self.default_bit_)}
        # the class a class-name entry states: the table's (a catalogue item's), else the one so named
        class_codes: dict[tuple[str, int], str] = {}
        if "class_code" in vocabulary.columns:
            for t, link, code in zip(table["term"][is_class], table["link_id"][is_class], vocabulary["class_code"][is_class], strict=True):
                for form in _term_forms(_normal(str(t))) if code else ():
                    class_codes[(form, index[link])] = str(code)
        flat = [(col, w, mask | inherent, req, (key, col) in class_only,
                 (class_codes.get((key, col)) or industry_code_for_name(key) or "") if (key, col) in class_only else "",
                 (key, col) in class_only and col in recovers)
                for key, (_, links, _, inherent) in zip(self.automaton_.patterns, payloads, strict=True) for col, (w, mask, req) in links]
        flat += [(col, weight, self.accepts_by_link_[col], False, False, "", False) for _, cols, weight in added for col in cols]
        sizes = [len(p[1]) for p in payloads] + [len(cols) for _, cols, _ in added]
        self.link_ptr_ = np.r_[0, np.cumsum(sizes)].astype(np.int64)
        self.link_col_ = np.array([f[0] for f in flat], dtype=np.int64)
        self.link_weight_ = np.array([f[1] for f in flat], dtype=np.float64)
        self.link_accepts_ = np.array([f[2] for f in flat], dtype=np.uint64)
        self.link_requires_ = np.array([f[3] for f in flat], dtype=bool)
        self.link_corroborates_ = np.array([f[4] for f in flat], dtype=bool)
        self.link_class_ = np.array([f[5] for f in flat], dtype=object)
        self.link_class_code_ = np.array([int(f[5]) if f[5].isdigit() else -1 for f in flat], dtype=np.int64)
        # per entry, the product it names (for a class name, the longest reading of its link inside
        # it), and whether it can share that product with another entry: in a scope a class-name
        # item and an item naming its product count once
        reading = np.repeat(np.arange(len(sizes)), sizes)
        self.link_root_ = _product_roots(self.readings_, reading, self.link_col_)
        derived = self.link_root_ != reading
        roots = set(zip(self.link_root_[derived].tolist(), self.link_col_[derived].tolist(), strict=True))
        self.link_nests_ = derived | np.array([pair in roots for pair in zip(reading.tolist(), self.link_col_.tolist(), strict=True)], dtype=bool)
        # a link that recovers a product and makes nothing (cathode regeneration, electrolyte
        # recovery) is stated by the product's class name together with a recycling item of the
        # same description (电子专用材料制造 beside 资源再生利用技术研发): two items, the firm's own
        # evidence, not a corroboration
        self.link_recovers_ = np.array([f[6] for f in flat], dtype=bool)
        self.recovers_ = np.zeros(len(sizes), dtype=bool)  # per reading: whether any of its entries does
        self.recovers_[np.repeat(np.arange(len(sizes)), sizes)[self.link_recovers_]] = True
        self.has_service_ = np.array([any(self.service_[col] for col, _ in p[1]) for p in payloads]
                                     + [bool(self.service_[cols].any()) for _, cols, _ in added], dtype=bool)
        # compounds with a gap: pattern indexes of each gap term, and the patterns whose text ends
        # with its head or its tail (a tail inside a longer term, as 电池 in 锂离子电池, counts)
        position = {pattern: i for i, pattern in enumerate(self.automaton_.patterns)}
        ending = _patterns_by_ending(self.automaton_.patterns, {form for head, tail in gaps.values() for form in (head, *_term_forms(tail))})
        self.gaps_ = [
            (position[key],
             frozenset(ending.get(head, ())),
             {i: len(form.encode()) for form in _term_forms(tail) for i in ending.get(form, ())})
            for key, (head, tail) in gaps.items()
        ]
        self.part_ = np.zeros(len(payloads), dtype=bool)
        self.head_ = np.zeros(len(payloads), dtype=bool)
        self.gaps_by_head_: dict[int, list[tuple[int, dict[int, int]]]] = {}
        for gap, heads, tails in self.gaps_:
            self.part_[list(heads | tails.keys())] = True
            self.head_[list(heads)] = True
            for head_pattern in heads:
                self.gaps_by_head_.setdefault(head_pattern, []).append((gap, tails))
        # Make words for trade clauses, with generic items and link terms as occluders: 开发 in
        # 技术开发 or 再生 in 再生纸 is not a make word.
        make = {_normal(word): False for word in GENERIC_TERMS}
        make.update(dict.fromkeys(terms, False))
        make.update({_normal(word): True for word in MAKE_TERMS})
        self.make_automaton_ = _Automaton(make)
        self.make_words_ = np.array(self.make_automaton_.payloads, dtype=bool)
        self.codes_ = {k: tuple(v.items()) for k, v in codes.items()}
        self.code_links_ = KeptValues()  # _code_links by code, kept across calls (the same classes recur)
        self.n_terms_ = len(terms)
        # firm names: the activity their last word names (XX投资有限公司, Acme Capital)
        name_masks: dict[str, np.uint64] = {}
        self.serviceless_ = np.uint64(0)  # activities whose firms fill no service link either
        for word, activity, *services in self.firm_names:
            bit = self.activity_bits_[activity]
            for key in _chinese_forms((word.lower(),)):
                name_masks[key] = name_masks.get(key, np.uint64(0)) | bit
            if services and not services[0]:
                self.serviceless_ |= bit
        self.name_masks_ = name_masks
        self.name_re_ = _name_pattern(name_masks) if name_masks else None
        self.name_words_ = _AnyWord(name_masks)
        self._supply_bits(vocabulary, index)
        return self

    def _supply_bits(self, vocabulary: pd.DataFrame, index: Mapping[str, int]) -> None:
        """Per reading (pattern), its links (:attr:`owners_`) and the links their products go
        into (:attr:`downstream_`, none for a word that is only a shared object's), as packed
        bit rows."""
        n_links = len(self.link_ids_)
        below = np.zeros((n_links, n_links), dtype=bool)
        if "downstream" in vocabulary.columns:
            for link, names in dict.fromkeys(zip(vocabulary["link_id"].tolist(), vocabulary["downstream"].tolist(), strict=True)):
                below[index[link], [index[name] for name in str(names or "").split(";") if name in index]] = True
        owners = np.zeros((len(self.readings_), n_links), dtype=bool)
        reading = np.repeat(np.arange(len(self.readings_)), np.diff(self.link_ptr_))
        owners[reading, self.link_col_] = True
        self.owners_ = np.packbits(owners, axis=1)
        # a shared object's word alone (电池, battery) heads a compound as its category, not its product
        own = np.zeros(len(self.readings_), dtype=bool)
        own[reading[~self.link_requires_]] = True
        self.downstream_ = np.packbits(((owners.astype(np.float32) @ below.astype(np.float32)) > 0) & own[:, None], axis=1)  # (BLAS: exact up to 2²⁴ links)
        self.owner_bits_ = [int.from_bytes(row.tobytes(), "big") for row in self.owners_]
        self.downstream_bits_ = [int.from_bytes(row.tobytes(), "big") for row in self.downstream_]

    def _equipment_readings(self, vocabulary: pd.DataFrame, index: Mapping[str, int]) -> list[tuple[int, list[int], float]]:
        """Equipment for a link's production is not the link (化成分容设备, food machinery): each
        term of a link whose special equipment other links make (the ``equipment`` column) gets
        a second reading, those links alone at the term's weight, read where an
        :data:`EQUIPMENT_HEADS` word follows the term. Sets :attr:`equipment_reading_` (per
        pattern, its equipment reading or -1) and :attr:`readings_` (the automaton's patterns,
        then the equipment readings, named for the evidence), and returns the added readings as
        (pattern, the links that make the equipment, weight): ``fit`` builds every per-entry
        array (``link_*_``: one value per reading and link) over the patterns and these together
        (``test_every_entry_array_covers_every_reading`` checks that each reaches every reading)."""
        makers: dict[int, set[int]] = {}
        if "equipment" in vocabulary.columns:
            for link, names in dict.fromkeys(zip(vocabulary["link_id"].tolist(), vocabulary["equipment"].tolist(), strict=True)):
                for name in str(names or "").split(";"):
                    if name in index:
                        makers.setdefault(index[link], set()).add(index[name])
        patterns = self.automaton_.pattern_array
        self.equipment_reading_ = np.full(len(patterns), -1, dtype=np.int64)
        added: list[tuple[int, list[int], float]] = []
        for i, (kind, links, _, _) in enumerate(self.automaton_.payloads):
            equipment = sorted({maker for col, _ in links for maker in makers.get(col, ())}) if kind == _TERM else []
            if equipment:
                self.equipment_reading_[i] = len(patterns) + len(added)
                added.append((i, equipment, max(weight for _, (weight, _, _) in links)))
        self.readings_ = np.concatenate([patterns, np.array([patterns[i] for i, _, _ in added], dtype=object)])
        return added

    def name_activity(self, names: Iterable[object]) -> np.ndarray:
        """Per firm name, the mask of the activities its last word names (0 for none): a firm
        registered as XX投资有限公司 or Acme Capital invests, whatever its description lists."""
        texts: list[str] = [name if isinstance(name, str) else "" for name in names]
        if self.name_re_ is None or not texts:
            return np.zeros(len(texts), dtype=np.uint64)
        none = np.uint64(0)
        if len(texts) < NAME_BATCH:
            # Python's compiled pattern, name by name: pyarrow compiles the pattern on every call
            # (about 1 ms), more than a whole score of one firm (target: POST /v1/score,
            # benchmarks/README.md "A firm's name read once per call"); a name without any of
            # the words cannot end in one, so most names skip the pattern (which tries every
            # word at every character: 7 µs a name)
            masks = []
            for name in texts:
                lowered = name.strip().lower()
                found = self.name_re_.search(lowered) if self.name_words_.any_in(lowered) else None
                if found is None:
                    masks.append(none)
                else:
                    word = found.groupdict()
                    masks.append(self.name_masks_.get(word.get("zh") or word.get("en") or "", none))
            return np.array(masks, dtype=np.uint64)
        # one vectorised pass (pyarrow's RE2) over every name: 100,000 names 1.07 s -> 0.19 s
        lowered = pc.utf8_lower(pc.utf8_trim_whitespace(pa.array(texts, pa.string())))
        found = pc.extract_regex(lowered, self.name_re_.pattern)
        groups = {field.name for field in found.type}
        zh = found.field("zh").to_pylist() if "zh" in groups else [None] * len(texts)
        en = found.field("en").to_pylist() if "en" in groups else [None] * len(texts)
        return np.array([self.name_masks_.get(a or b or "", none) for a, b in zip(zh, en, strict=True)], dtype=np.uint64)

    def transform(self, X: pd.DataFrame | Sequence[str]) -> sp.csr_matrix:
        """Affinity matrix, shape (n_firms, n_links)."""
        return self.match(X).affinity

    def match(self, X: pd.DataFrame | Mapping[str, Column] | Sequence[str]) -> MatchResult:
        """Affinities with the evidence behind each.

        Parameters
        ----------
        X : DataFrame or mapping of columns with a ``description`` column (and optionally
            ``industry_code``), or a sequence of descriptions.
        """
        if not hasattr(self, "automaton_"):  # sklearn's check costs more than a small match
            check_is_fitted(self, "automaton_")
        if isinstance(X, (pd.DataFrame, Mapping)):
            n = n_rows(X)
            descriptions: Sequence = as_list(X["description"]) if "description" in X else [""] * n
            industry = as_list(X["industry_code"]) if "industry_code" in X else [""] * n
            firm_names = as_list(X["name"]) if "name" in X else ()
        else:
            descriptions = list(X)
            industry = [""] * len(descriptions)
            firm_names = ()
        n = len(descriptions)
        coded = self._code_links(industry)
        named = self.name_activity(firm_names) if len(firm_names) and self.name_re_ is not None else np.zeros(n, dtype=np.uint64)
        encoded = [text.lower().encode("utf-8", "surrogatepass") if isinstance(text, str) else b"" for text in descriptions]
        # every description in one UTF-8 string, one per line: one pass of each automaton per call
        row_start = np.fromiter(_line_starts(encoded), dtype=np.int64, count=n)
        haystack = b"\n".join(encoded).replace(b"-", b" ")  # same length: offsets hold
        pattern, start, end = self.automaton_.find_all(haystack)
        agent = self.agent_[pattern].nonzero()[0]
        if len(agent):
            after = np.frombuffer(haystack, dtype=np.uint8)[np.minimum(end[agent], len(haystack) - 1)]
            plural = agent[(end[agent] < len(haystack)) & (after == ord("s"))]
            if len(plural):
                keep = np.ones(len(pattern), dtype=bool)
                keep[plural] = False
                pattern, start, end = pattern[keep], start[keep], end[keep]
        row = np.searchsorted(row_start, start, side="right") - 1
        bounds = _clause_ends(haystack)
        listed = _listed_rows(haystack, bounds, row_start, n)
        clause = np.searchsorted(bounds, start, side="right")
        kind = self.kinds_[pattern]
        # what a description denies is not the firm's: the rest of the clause after a negation
        # (does not …, 不从事 …), the words of a bracketed exclusion (再生资源回收（除生产性废旧金属）,
        # 知识产权服务（专利代理服务除外）)
        negated_row = np.zeros(n, dtype=bool)
        denials = (kind >= _DENY).nonzero()[0]
        if len(denials):
            # the denied spans and the matches inside them
            deny_start, deny_end = end[denials], np.append(bounds, len(haystack))[clause[denials]]
            if (kind[denials] != _DENY).any():
                deny_start, deny_end = self._excluded(haystack, kind[denials], start[denials], deny_start, deny_end, bounds, clause[denials])
            lo = np.searchsorted(start, deny_start)
            hi = np.searchsorted(start, deny_end)
            size = np.maximum(hi - lo, 0)
            denied = np.repeat(lo - np.cumsum(size) + size, size) + np.arange(size.sum())
            # a row that denies an activity (does not manufacture); a bracketed exclusion of a
            # scope item (（不含…）, in most scopes) removes what it names and nothing else
            negated_row[row[denials[kind[denials] == _DENY]]] = True
            kind = kind.copy()
            kind[denied] = _DENY  # they name nothing: no term, activity or lead is read from them
        green = np.zeros(n, dtype=bool)
        green[row[self.greens_[pattern]]] = True
        # activities by clause and by row
        mask = np.where(kind == _DENY, np.uint64(0), self.masks_[pattern]) if len(denials) else self.masks_[pattern]
        if not self.use_trade_rule:  # ablation: trading counts as no activity at all
            mask = mask & ~self.trade_bit_
        # what a raw material or a customer is or does is not the firm's activity (以回收不锈钢为原料,
        # 为电池回收企业供应): activity words inside those spans name none
        secondary = self._secondary_spans(haystack, kind, start, end, clause, bounds)
        if len(secondary[0]):
            acting = np.flatnonzero(mask != 0)
            last = np.searchsorted(secondary[0], start[acting], side="right") - 1
            inside = acting[(last >= 0) & (start[acting] < secondary[1][np.maximum(last, 0)])]
            if len(inside):
                mask = mask.copy()
                mask[inside] = 0
        # the activities words name, and those link terms name themselves (电池回收), apart
        named_by_term = kind == _TERM
        clause_mask, clause_inherent = np.zeros((2, len(bounds) + 1), dtype=np.uint64)
        row_mask, row_inherent = np.zeros((2, n), dtype=np.uint64)
        for targets, by_term in (((clause_mask, row_mask), ~named_by_term), ((clause_inherent, row_inherent), named_by_term)):
            acting = ((mask != 0) & by_term).nonzero()[0]
            if len(acting):  # matches come in text order: clauses and rows are sorted, so reduce runs
                for target, key in zip(targets, (clause[acting], row[acting]), strict=True):
                    runs = np.concatenate(([True], key[1:] != key[:-1])).nonzero()[0]
                    target[key[runs]] = np.bitwise_or.reduceat(mask[acting], runs)
        # a non-production activity named beside a term (咨询, 投资, 出租 …), with no production
        # word of its own, governs the activity the term names: 电池回收咨询 is consulting
        for explicit, inherent in ((clause_mask, clause_inherent), (row_mask, row_inherent)):
            at = inherent.nonzero()[0]
            governed = ((explicit[at] & self.governing_) != 0) & ((explicit[at] & self.production_bits_) == 0)
            explicit[at] |= np.where(governed, np.uint64(0), inherent[at])
        lead_clause = np.zeros(len(bounds) + 1, dtype=bool)
        lead_clause[clause[kind == _LEAD]] = True
        lead_row = np.zeros(n, dtype=bool)
        lead_row[row[kind == _LEAD]] = True
        gap_term, gap_start, gap_end = self._gapped(haystack, pattern, start, end, clause)
        is_term = kind == _TERM
        term, term_start, term_row, term_clause = pattern[is_term], start[is_term], row[is_term], clause[is_term]
        term_end = end[is_term]
        if len(gap_term):  # the compound wins over a shorter term inside it (specific over generic)
            by_start = np.argsort(gap_start, kind="stable")
            span_start, span_end = gap_start[by_start], np.maximum.accumulate(gap_end[by_start])
            last = np.searchsorted(span_start, term_start, side="right") - 1
            keep = ~((last >= 0) & (term_end <= span_end[np.maximum(last, 0)]))
            gap_row = np.searchsorted(row_start, gap_start, side="right") - 1
            gap_clause = np.searchsorted(bounds, gap_start, side="right")
            term = np.concatenate([term[keep], gap_term])
            term_start = np.concatenate([term_start[keep], gap_start])
            term_row = np.concatenate([term_row[keep], gap_row])
            term_clause = np.concatenate([term_clause[keep], gap_clause])
            term_end = np.concatenate([term_end[keep], gap_end])
            order = np.argsort(term_start, kind="stable")
            term, term_start, term_row, term_clause = term[order], term_start[order], term_row[order], term_clause[order]
            term_end = term_end[order]
        reading = self.equipment_reading_[term]
        has = (reading >= 0).nonzero()[0]  # terms of links whose equipment other links make
        if len(has):  # such a term before an equipment head names what the equipment is for
            if len(has) > EQUIPMENT_BATCH:  # many: the three bytes after each first, with numpy
                has = has[np.isin(_three_bytes(haystack, term_end[has]), _EQUIPMENT_STARTS)]
            swap = [k for k, at in zip(has.tolist(), term_end[has].tolist(), strict=True) if _EQUIPMENT_RE.match(haystack, at)]
            if swap:
                term = term.copy()
                term[swap] = reading[swap]
        # a term right before another whose product goes into the first one's (钠离子电池硬碳,
        # 动力电池铜箔, battery copper foil) names what that product is for: the first weighs as a
        # secondary item, the second is the firm's product and not weak
        modifier = head = None
        if len(term) <= PAIR_BATCH:  # a few terms: Python's integers as bit sets cost less than numpy
            starts, ends, readings = term_start.tolist(), term_end.tolist(), term.tolist()
            owners, below = self.owner_bits_, self.downstream_bits_
            use = np.array([k for k in range(len(readings) - 1)
                            if (starts[k + 1] == ends[k] or (starts[k + 1] == ends[k] + 1 and haystack[ends[k]] == 0x20))
                            and below[readings[k + 1]] & owners[readings[k]]], dtype=np.int64)
        else:
            gap = term_start[1:] - term_end[:-1]
            pair = ((gap == 0) | (gap == 1)).nonzero()[0]
            spaced = gap[pair] == 1  # English words, one space apart
            if spaced.any():
                pair = pair[~spaced | _spaced(haystack, term_end[pair])]
            use = pair[(self.downstream_[term[pair + 1]] & self.owners_[term[pair]]).any(axis=1)]
        if len(use):
            modifier, head = np.zeros((2, len(term)), dtype=bool)
            modifier[use] = True
            head[use + 1] = True
        service_only = np.zeros(len(term), dtype=bool)
        discarded = np.zeros(n, dtype=bool)
        is_trade = kind == _TRADE
        # with activities, trading is one of them (below); without, the trade rule reads clauses
        if not self.activity_bits_ and self.use_trade_rule and len(term) and is_trade.any():
            service_only, dropped = self._traded(haystack, term, term_start, start[is_trade], bounds)
            discarded[term_row[service_only | dropped]] = True
            keep = ~dropped
            term, term_row, term_clause, service_only = term[keep], term_row[keep], term_clause[keep], service_only[keep]
            term_start, term_end = term_start[keep], term_end[keep]
            if modifier is not None and head is not None:
                modifier, head = modifier[keep], head[keep]
        # each term's links, in text order then the term's own link order
        first_link = self.link_ptr_[term]
        counts = self.link_ptr_[term + 1] - first_link
        owner = np.repeat(np.arange(len(term)), counts)
        entry = first_link[owner] + np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
        col = self.link_col_[entry]
        service = self.service_[col]
        # (each entry's row and clause, and its link's flags, read once)
        entry_row, entry_clause = term_row[owner], term_clause[owner]
        link_accepts, link_weight, link_requires = self.link_accepts_[entry], self.link_weight_[entry], self.link_requires_[entry]
        ok = ~service_only[owner] | service
        # the activity around the term: its clause's, else the description's; a link takes the
        # term only where that activity is one it accepts (or, for its own words, where none is named)
        own_acts = clause_mask[entry_clause]
        # (a 主营 / 主要产品 clause is the firm's own statement: it keeps its own activity, none
        # borrowed from the 销售 items of the rest of a scope)
        lead = lead_clause[entry_clause]
        # (each item of a registered scope's list is a statement of its own, read below by what it
        # names; where the firm's registered name says which activity it does, XX教育科技有限公司,
        # XX物流有限公司, the firm does that to the items that name none: the 咨询 or 销售 of its
        # other items is not done to them)
        items_alone = listed & (named == 0)
        borrowed_acts = np.where(listed & ~items_alone, named, row_mask)
        acts = np.where((own_acts == 0) & ~lead, borrowed_acts[entry_row], own_acts)
        # a catalogue item most scopes list (知识产权服务, 低温仓储) is listed by firms of every trade:
        # the activity of the other items (批发, 销售) says nothing of it, it borrows none
        # (and in a registered scope's list of items, a word of the map's that itself names a service
        # the firm performs or a development it does, 通用航空服务, 人工智能基础软件开发, is a statement of
        # its own: the 销售 or 批发 of the other items is not done to it; unless the firm's registered
        # name says which activity it does, as for a service link's word below)
        own_statement = self.catalogue_[term] | (self.performed_[term] & items_alone[term_row])
        if own_statement.any():
            acts = np.where(own_statement[owner], own_acts, acts)
        fits = (acts & link_accepts) != 0
        # a description that names no activity at all (a catalogue line of products) is read as
        # making them: a shared object's specific word goes to the links that accept making (a
        # weak or catalogue word alone does not); a description that denies an activity (does
        # not manufacture) gets no such reading
        unnamed = (acts == 0) & ~negated_row[entry_row] & (link_weight > WEAK_WEIGHT)
        # a service link's own word names the service itself (猎头, executive search, 劳务派遣服务):
        # it needs no activity word beside it, only none of the non-production activities the
        # link does not take (investing in it, trading, consulting on it): production words
        # around it name the clients' trades (manufacturers, plant directors)
        # (in a 主营 clause, the firm's statement of its main business, only the clause's own activity)
        # (and in a registered scope's list of items, separated by ；, each item is a statement of its
        # own: the 销售 or 租赁 of other items is not done to the service an item names; unless the
        # firm's registered name says which activity it does, XX地产有限公司, then read in its light)
        own_clause = lead
        borrowed = (service & (own_acts == 0) & (acts != 0)).nonzero()[0]  # service words that borrow the description's activity
        if len(borrowed):
            own_clause = own_clause.copy()
            own_clause[borrowed] |= items_alone[entry_row[borrowed]]
        foreign = np.where(own_clause, own_acts, acts) & ~self.production_bits_ & ~link_accepts
        own_service = service & ~link_requires & (foreign == 0)
        # a recovery link's class name takes its activity from the description's recycling items
        class_recovered = None
        if self.recovers_[term].any():  # (a per-reading flag first: few descriptions have such a class name)
            class_recovered = self.link_recovers_[entry] & ((row_mask[entry_row] & self.recycle_bit_) != 0)
            fits |= class_recovered
        ok &= fits | ((acts == 0) & ~link_requires) | (unnamed & ((link_accepts & self.default_bit_) != 0)) | own_service
        # a firm named for a non-production activity (XX投资有限公司) fills no production link
        # that does not accept that activity; service links keep their own reading, except for
        # firms whose whole activity serves none of the map's links (banks, restaurants)
        by_name = named[entry_row]
        ok &= (by_name == 0) | (((by_name & self.serviceless_) == 0) & (service | ((by_name & link_accepts) != 0)))
        discarded[entry_row[~ok & ((acts & self.trade_bit_) != 0)]] = True  # named only to trade
        kept_owner = owner[ok]
        e_row, e_col, e_term, e_clause = entry_row[ok], col[ok], term[kept_owner], entry_clause[ok]
        e_entry = entry[ok]
        e_weight = self.link_weight_[e_entry]
        # a term followed by 用 (电动摩托车用电池, 车用…) names what the product is for, a customer's
        # product: it weighs as a secondary item (用于 after a term says what the term itself is for)
        e_secondary = (_application(haystack, term_end) if modifier is None else _application(haystack, term_end) | modifier)[kept_owner]
        # recovering is not making: in a clause where a term is read under a recycling activity
        # (black mass leached, spent cells dismantled, electrolyte drained and recovered), the
        # products named beside it are recovered from that feed (nickel sulfate, lithium salts):
        # a link that does not recycle takes them as a secondary item
        recycling_clause = (clause_mask & self.recycle_bit_) != 0 if self.recycle_bit_ else None
        if recycling_clause is not None and recycling_clause.any():
            at = (recycling_clause[entry_clause] & ok).nonzero()[0]  # the entries of such clauses
            accepts = link_accepts[at] & self.recycle_bit_
            recycling = fits[at] & ((acts[at] & accepts) != 0)
            if recycling.any():
                recycles = np.zeros(len(bounds) + 1, dtype=bool)
                recycles[entry_clause[at[recycling]]] = True
                recovered = np.zeros(len(owner), dtype=bool)
                recovered[at] = recycles[entry_clause[at]] & (accepts == 0)
                e_secondary |= recovered[ok]
        if len(secondary[0]):  # a customer's product or a raw material is not the firm's product
            e_start = term_start[kept_owner]
            last = np.searchsorted(secondary[0], e_start, side="right") - 1
            e_secondary |= (last >= 0) & (e_start < secondary[1][np.maximum(last, 0)])
        # a manufacturer's research is not its production: where a clause makes a product the
        # map names (锂离子电池的研发、生产与销售, 食品生产（酱油…）), a clause that only researches one
        # (固态电池技术研发, 生物发酵技术研发) weighs as a secondary item; a firm whose words name
        # no making (a research firm, a design house) is read by its research
        if len(e_row) and self.research_bit_:
            self._research_beside_making(clause_mask, e_row, e_clause, e_entry, e_term, e_secondary, coded)
        # a term counts once per description and link: its first accepted occurrence
        first = _first_occurrences((e_row * len(self.readings_) + e_term) * len(self.link_ids_) + e_col)
        e_row, e_col, e_term, e_clause, e_weight = e_row[first], e_col[first], e_term[first], e_clause[first], e_weight[first]
        e_entry = e_entry[first]
        e_secondary = e_secondary[first]
        # the main business weighs fully: the first clause that names a link as the firm's own
        # product (not as a raw material or a customer's), and 主营 clauses
        corroborating = self.link_corroborates_[e_entry]
        if len(e_row):
            # (a catalogue item most scopes list, 知识产权服务, is no statement of the main business:
            # it neither leads, so that the items after it weigh as later ones, nor is led)
            # (nor is an item worded as a GB/T 4754 class name, 电子专用材料制造, that nothing else
            # of the firm's supports for its link: alone it claims no link, so it cannot make the
            # firm's own words after it later items)
            catalogue = self.catalogue_[e_term]
            primary = (~e_secondary & ~catalogue).nonzero()[0]
            class_item = corroborating
            if len(primary) and class_item[primary].any():  # (only rows whose first primary entry is one can change)
                leading = primary[np.concatenate(([True], e_row[primary][1:] != e_row[primary][:-1]))]
                rows_led = np.zeros(n, dtype=bool)
                rows_led[e_row[leading[class_item[leading]]]] = True
                class_item = class_item & rows_led[e_row]
                if class_item.any():
                    catalogue = catalogue | _unsupported_class_items(e_row, e_col, e_term, class_item, self.link_class_[e_entry],
                                                                     industry, coded, len(self.link_ids_))
                    primary = (~e_secondary & ~catalogue).nonzero()[0]
            first_clause = np.full(n, -1, dtype=np.int64)
            if len(primary):
                starts = primary[np.concatenate(([True], e_row[primary][1:] != e_row[primary][:-1]))]
                first_clause[e_row[starts]] = e_clause[starts]
            # a description that says what its main business is (主营, 主要产品 …) is taken at its
            # word: its other clauses, the first one too, are secondary items; a note whose words
            # name no link (主要产品：生物基戊二胺) says nothing the matcher reads, and the first item
            # naming a link leads as it would without it
            says = lead_row
            if lead_row.any():
                says = np.zeros(n, dtype=bool)
                says[e_row[lead_clause[e_clause] & ~e_secondary & ~catalogue]] = True
            main = lead_clause[e_clause] | (((e_clause == first_clause[e_row]) | catalogue) & ~says[e_row])
            # (beside a stated main business, another business weighs as a secondary item: however many
            # words name it, it does not outweigh the firm's own statement)
            e_weight = np.where(main, e_weight, e_weight * np.where(says[e_row], SECONDARY_FACTOR, LATER_FACTOR))
            e_weight = np.where(e_secondary, e_weight * SECONDARY_FACTOR, e_weight)
        weak_term = link_weight <= WEAK_WEIGHT if head is None else (link_weight <= WEAK_WEIGHT) & ~head[owner]
        e_weak = weak_term[ok][first]
        recovered_class: np.ndarray | None = None
        if class_recovered is not None:  # a class name with a recycling item: two statements, the firm's own evidence
            recovered_class = class_recovered[ok][first]
            e_weak = e_weak & ~recovered_class
            corroborating = corroborating & ~recovered_class
        # in a registered scope's list of items, a class-name item and an item naming its product
        # (汽车零部件及配件制造, 汽车零部件研发) count once, the strongest: a firm registers an item for
        # each thing it does to its product, and the number of items is no measure of the business
        once = None
        if listed.any():
            root = self.link_root_[e_entry]
            restating = listed[e_row] & self.link_nests_[e_entry]
            # (only firms with a class-name item whose product is a reading of its link can restate)
            with_class = np.zeros(n, dtype=bool)
            with_class[e_row[restating & (root != e_term)]] = True
            once = _once_per_product(e_row, e_col, root, e_weight, restating & with_class[e_row])
        if once is not None:
            e_row, e_col, e_term, e_entry, e_weight = e_row[once], e_col[once], e_term[once], e_entry[once], e_weight[once]
            e_weak, corroborating = e_weak[once], corroborating[once]
            recovered_class = recovered_class[once] if recovered_class is not None else None
        rows, cols, weights, weak = [e_row], [e_col], [e_weight], [e_weak]
        evidence = [self.readings_[e_term]]
        code_rows, code_cols, code_weights, code_terms = [], [], [], []
        # a firm whose words name the map's products only to trade them is a distributor of
        # those products: a trade class code (金属及金属矿批发) says it trades, not that it fills
        # a trading link (bulk commodities); a production class code still names its class (a
        # catalogue item worded as a class, 互联网销售, names no product of its own: it does not count)
        distributor = discarded & (np.bincount(e_row[~corroborating], minlength=n) == 0)
        for i, stated_by_code in enumerate(coded):
            if stated_by_code:
                prefix, payload = stated_by_code
                for c, w in payload:
                    if named[i] and (named[i] & self.serviceless_ or not (self.service_[c] or named[i] & self.accepts_by_link_[c])):
                        continue
                    if distributor[i] and self.accepts_by_link_[c] & self.trade_bit_:
                        continue
                    code_rows.append(i)
                    code_cols.append(c)
                    code_weights.append(w)
                    code_terms.append(f"code:{prefix}")
        rows.append(np.asarray(code_rows, dtype=np.int64))
        cols.append(np.asarray(code_cols, dtype=np.int64))
        weights.append(np.asarray(code_weights, dtype=np.float64))
        weak.append(np.zeros(len(code_weights), dtype=bool))  # a class code is the firm's own statement
        evidence.append(np.asarray(code_terms, dtype=object))
        # a registered name whose trade part names a link (XX铝箔有限公司) states it as a class item
        # does: beside a class item of the firm's for that link, the two state it; beside its own
        # words or code, it adds as a class item would; alone it claims nothing (read only for
        # firms with class items, the scopes whose products stand in the catalogue's words)
        name_rows, name_cols, name_terms = self._name_statements(firm_names, e_row[corroborating]) if len(firm_names) else ((), (), ())
        rows.append(np.asarray(name_rows, dtype=np.int64))
        cols.append(np.asarray(name_cols, dtype=np.int64))
        weights.append(np.full(len(name_rows), TERM_WEIGHTS["class"]))
        weak.append(np.zeros(len(name_rows), dtype=bool))
        evidence.append(np.asarray(name_terms, dtype=object))
        rows_, cols_, weights_, evidence_, weak_ = (np.concatenate(a) for a in (rows, cols, weights, evidence, weak))
        alone = None
        if corroborating.any():  # a class name counts beside the firm's code or own words for that link only (_combine)
            # and not beside the firm's code of that very class: the code is the same statement
            at = corroborating.nonzero()[0]  # (the term entries come first, then the codes')
            same: dict[tuple[str, str], bool] = {}  # (pairs of code and class recur)
            restated: list[int] = []  # class names of the firm's own code
            for k, code, stated in zip(at.tolist(), [industry[i] for i in e_row[at].tolist()], self.link_class_[e_entry[at]].tolist(), strict=True):
                if stated and isinstance(code, str):
                    key = (code, stated)
                    if key not in same:
                        same[key] = code.strip().startswith(stated)
                    if same[key]:
                        restated.append(k)
            alone = np.concatenate([corroborating, np.zeros(len(code_rows), dtype=bool), np.ones(len(name_rows), dtype=bool)])
            # two class names of different classes that agree on a link state it; a class name read
            # as what the firm recovers (beside a recycling item) states no making of it
            classes = self.link_class_code_[e_entry]
            if recovered_class is not None and recovered_class.any():
                key = e_row * len(self.readings_) + e_term
                classes = np.where(np.isin(key, key[recovered_class], kind="sort"), -1, classes)
            classes = np.concatenate([classes, np.full(len(code_rows), -1, dtype=np.int64), np.full(len(name_rows), NAME_CLASS, dtype=np.int64)])
            if restated:
                keep = np.ones(len(rows_), dtype=bool)
                keep[restated] = False
                rows_, cols_, weights_, evidence_, weak_ = rows_[keep], cols_[keep], weights_[keep], evidence_[keep], weak_[keep]
                alone, classes = alone[keep], classes[keep]
            stated = _stated_together(rows_, cols_, alone, classes)
            together = alone & ~stated
            if together.any():  # they state the link as a class code and an item do (below)
                weights_ = _as_code_and_item(rows_, cols_, weights_, together)
            alone = stated
        result = self._combine(n, rows_, cols_, weights_, evidence_, weak_, discarded, green, alone)
        if len(firm_names):
            self._name_decides_ties(result, firm_names)
        return result

    def _name_statements(self, firm_names: Sequence[object], rows: np.ndarray) -> tuple[list[int], list[int], list[str]]:
        """For each of ``rows`` (with repeats) whose registered name's trade part ends with a
        link's own specific word, the links that word states: (rows, link columns, words)."""
        out_rows: list[int] = []
        out_cols: list[int] = []
        out_terms: list[str] = []
        for row, k in self._trade_words(firm_names, rows).items():
            stated = self.name_automaton_.payloads[k][1]
            out_rows.extend([row] * len(stated))
            out_cols.extend(stated)
            out_terms.extend([self.name_automaton_.patterns[k]] * len(stated))
        return out_rows, out_cols, out_terms

    def _trade_words(self, firm_names: Sequence[object], rows: np.ndarray | Sequence[int]) -> dict[int, int]:
        """Row → the pattern of :attr:`name_automaton_` that its registered name's trade part ends
        with (企业名称 = 行政区划 + 字号 + 行业或经营特点 + 组织形式: a word followed by the legal form,
        :data:`_LEGAL_TAIL`, or by nothing), for the names of ``rows`` (repeats allowed) that have
        one. One pass of the automaton over those names."""
        at = sorted(set(rows.tolist() if isinstance(rows, np.ndarray) else rows))
        encoded = [_normal(name).encode("utf-8", "surrogatepass") if isinstance(name, str) else b""
                   for name in (firm_names[i] for i in at)]
        if not any(encoded):
            return {}
        haystack = b"\n".join(encoded)
        pattern, start, end = self.name_automaton_.find_all(haystack)
        found: dict[int, int] = {}
        if not len(pattern):
            return found
        row_start = list(_line_starts(encoded))
        for k, s, e in zip(reversed(pattern.tolist()), reversed(start.tolist()), reversed(end.tolist()), strict=True):  # the last word of each name first
            r = bisect_right(row_start, s) - 1
            if at[r] in found:
                continue
            tail = haystack[e:row_start[r] + len(encoded[r])].decode("utf-8", "surrogatepass")
            if not tail or _LEGAL_TAIL.fullmatch(tail):
                found[at[r]] = k
        return found

    def _code_links(self, industry: Sequence[object]) -> list[CodeLinks | None]:
        """Per row, the links its GB/T 4754 industry code states, with their weights, and the code
        prefix that states them (the exact 4-digit class, else its longest 3- or 2-digit prefix with
        links); None for none. Each distinct code is looked up once, and kept across calls (a file
        has a few hundred)."""
        found = self.code_links_
        found.bound()
        out = []
        for code in industry:
            key = code if isinstance(code, str) else ""
            links = found.get(key, _UNSEEN)
            if links is _UNSEEN:  # (read into a local: another thread may empty the cache meanwhile)
                text = key.strip()
                links = found[key] = next(((text[:d], self.codes_[text[:d]]) for d in (4, 3, 2) if len(text) >= d and text[:d] in self.codes_), None)
            out.append(links)
        return out

    def _research_beside_making(self, clause_mask: np.ndarray, e_row: np.ndarray, e_clause: np.ndarray, e_entry: np.ndarray,
                                e_term: np.ndarray, e_secondary: np.ndarray, coded: Sequence[CodeLinks | None]) -> None:
        """Mark (in place, in ``e_secondary``) the entries of research-only clauses of rows whose
        other clauses make a product of the map's (a clause naming a production activity other than
        research, with an entry of the firm's own words: not a class-name item, a catalogue item or a
        secondary one), except those of a link the row makes or its industry code states alone
        (``coded``: :meth:`_code_links`)."""
        research = self.research_bit_
        other = self.production_bits_ & ~research
        researching = (clause_mask & research) != 0  # (per clause first: few clauses only research)
        if not (researching & ((clause_mask & other) == 0)).any():
            return
        acts = clause_mask[e_clause]
        made = (acts & other) != 0
        only = researching[e_clause] & ~made
        making = made & ~e_secondary & ~self.link_corroborates_[e_entry] & ~self.catalogue_[e_term]
        if not only.any() or not making.any():
            return
        makes = np.zeros(len(coded), dtype=bool)
        makes[e_row[making]] = True
        candidates = np.flatnonzero(only & makes[e_row])
        if not len(candidates):
            return
        # (research on a product the firm also makes, or that its industry code states as its class's
        # one link, is its own business: 锂离子电池的研发与销售 beside 锂离子电池的生产; 生物有机肥料研发
        # of a firm coded 2625)
        width = len(self.link_ids_)
        key = e_row * width + self.link_col_[e_entry]
        own = set(key[making].tolist())
        for i in set(e_row[candidates].tolist()):
            stated_by_code = coded[i]
            if stated_by_code and len(stated_by_code[1]) == 1:  # (a class several links share says not which)
                own.add(i * width + stated_by_code[1][0][0])
        e_secondary[candidates[[k not in own for k in key[candidates].tolist()]]] = True

    def _name_decides_ties(self, result: MatchResult, firm_names: Sequence[object]) -> None:
        """Where a row's strongest affinity is shared by two or more links and the firm's registered
        name (without its legal form) names some but not all of them, scale the others by
        :data:`NAME_TIE_FACTOR` (in place)."""
        data, indices, indptr = result.data, result.indices, result.indptr
        size = indptr[1:] - indptr[:-1]
        if size.max(initial=0) < 2:
            return
        filled = (size > 0).nonzero()[0]
        top = np.zeros(len(size))
        top[filled] = np.maximum.reduceat(data, indptr[filled])
        row_of = np.repeat(np.arange(len(size)), size)
        tied = np.abs(data - top[row_of]) <= 1e-9
        counts = np.bincount(row_of[tied], minlength=len(size))
        at = np.flatnonzero(tied & (counts[row_of] > 1))  # the tied entries, row by row
        if not len(at):
            return
        rows, cols = row_of[at].tolist(), indices[at].tolist()
        words = self._trade_words(firm_names, rows)
        k = 0
        for end in np.flatnonzero(np.append(np.diff(row_of[at]) != 0, True)).tolist():
            i, entries, k = rows[k], range(k, end + 1), end + 1
            if i not in words:
                continue
            links = self.name_automaton_.payloads[words[i]][0]
            named = [e for e in entries if cols[e] in links]
            if named and len(named) < len(entries):
                for e in entries:
                    if e not in named:
                        data[at[e]] *= NAME_TIE_FACTOR

    @staticmethod
    def _excluded(haystack: bytes, kind: np.ndarray, start: np.ndarray, after: np.ndarray, clause_end: np.ndarray,
                  bounds: np.ndarray, clause: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The spans (start, end) the denials at ``start`` deny: a negation's, from after it to
        ``clause_end``; a bracketed exclusion's, its bracket: from after its opening words to
        the closing bracket (（不含危险化学品）), or from the opening bracket to its closing
        words (（专利代理服务除外）), within the clause (a bracket left open: to its end)."""
        span_start, span_end = after.copy(), clause_end.copy()
        opens = (kind == _EXCLUDE).nonzero()[0]
        if len(opens):  # (a find per bracket: cheaper than a numpy pass over every bracket of the text)
            span_end[opens] = [_closing_bracket(haystack, begin, end)
                               for begin, end in zip(after[opens].tolist(), clause_end[opens].tolist(), strict=True)]
        closes = (kind == _EXCLUDE_END).nonzero()[0]
        if len(closes):
            clause_start = np.concatenate(([0], bounds))[clause[closes]]
            span_start[closes] = [_opening_bracket(haystack, begin, end)
                                  for begin, end in zip(clause_start.tolist(), start[closes].tolist(), strict=True)]
            span_end[closes] = start[closes]
        return span_start, span_end

    def _secondary_spans(self, haystack: bytes, kind: np.ndarray, start: np.ndarray, end: np.ndarray, clause: np.ndarray,
                         bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sorted (start, end) byte spans that name what a firm buys or whom it supplies, not
        what it makes: ``为…供应`` / ``为…配套`` (a customer), ``以…为原料`` (a raw material),
        found from their closing words (few), looking back in the clause for the opening one;
        and the applications a product is for (用于…), from the opening word to the end of its
        clause (activity words there are the customer's: 用于生产锂电池)."""
        found: list[tuple[int, int]] = []
        applied = (kind == _APPLY).nonzero()[0]
        if len(applied):
            ends = np.append(bounds, len(haystack))[clause[applied]]
            found.extend(zip(end[applied].tolist(), ends.tolist(), strict=True))
        clause_start = np.concatenate(([0], bounds))
        for k in ((kind == _CUSTOMER) | (kind == _INPUT)).nonzero()[0].tolist():
            begin, close = int(clause_start[clause[k]]), int(start[k])
            openers = CUSTOMER_OPENERS if kind[k] == _CUSTOMER else INPUT_OPENERS
            at = max((haystack.rfind(o, max(begin, close - SPAN_BYTES), close) for o in openers), default=-1)
            if at >= 0:
                found.append((at, close))
            elif kind[k] == _INPUT:  # a raw material at the head of its clause (废纸为原料)
                found.append((begin, close))
        if not found:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        spans = np.array(sorted(found), dtype=np.int64)
        return spans[:, 0], np.maximum.accumulate(spans[:, 1])

    def _gapped(self, haystack: bytes, pattern: np.ndarray, start: np.ndarray, end: np.ndarray, clause: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Matches of the compounds with a gap (``固态…电池``): a head, then within
        :data:`GAP_BYTES` (:data:`GAP_BYTES_EN` of ASCII text) in the same clause a tail (in any
        of its forms: battery, batteries). Returns their pattern, start and end."""
        empty = np.zeros(0, dtype=np.int64)
        if not self.gaps_ or not len(pattern):
            return empty, empty, empty
        parts = self.part_[pattern].nonzero()[0]
        if not len(parts):
            return empty, empty, empty
        found_pattern, found_start, found_end = [], [], []
        p_list, s_list, e_list, c_list = (a[parts].tolist() for a in (pattern, start, end, clause))
        by_head = self.gaps_by_head_
        for k in self.head_[pattern[parts]].nonzero()[0].tolist():
            for gap, tails in by_head[p_list[k]]:
                for j in range(k + 1, len(p_list)):
                    tail_start = e_list[j] - tails.get(p_list[j], 0)
                    if s_list[j] - e_list[k] > GAP_BYTES_EN or c_list[j] != c_list[k]:
                        break
                    gap_bytes = tail_start - e_list[k]
                    if (p_list[j] in tails and gap_bytes >= 0
                            and (gap_bytes <= GAP_BYTES or (gap_bytes <= GAP_BYTES_EN and haystack[e_list[k]:tail_start].isascii()))):
                        found_pattern.append(gap)
                        found_start.append(s_list[k])
                        found_end.append(e_list[j])
                        break
        return (np.asarray(found_pattern, dtype=np.int64), np.asarray(found_start, dtype=np.int64),
                np.asarray(found_end, dtype=np.int64))

    def _traded(self, haystack: bytes, term: np.ndarray, term_start: np.ndarray, trade_start: np.ndarray,
                bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each term match: whether it stands in a clause that trades without making, and
        has service links to keep there (``service_only``) or none (``dropped``).

        Clauses end at :data:`CLAUSE_DELIMITERS` (a line break, so at every description too);
        make words found by a second automaton, outside the spans of generic items and link
        terms, mark the clauses that also make what they name.
        """
        make, make_start, _ = self.make_automaton_.find_all(haystack)
        is_make = self.make_words_[make]
        selling = np.zeros(len(bounds) + 1, dtype=bool)  # by clause: the clause ends before bounds[k]
        selling[np.searchsorted(bounds, trade_start, side="right")] = True
        selling[np.searchsorted(bounds, make_start[is_make], side="right")] = False
        in_selling = selling[np.searchsorted(bounds, term_start, side="right")]
        service = self.has_service_[term]
        return in_selling & service, in_selling & ~service

    def _combine(self, n: int, row: np.ndarray, col: np.ndarray, weight: np.ndarray, term: np.ndarray,
                 weak: np.ndarray, discarded: np.ndarray, green: np.ndarray, corroborating: np.ndarray | None = None) -> MatchResult:
        """Evidence entries (in order within each row) → affinities: a noisy-or per (row, link),
        the first strongest term as its evidence, a link with one weak piece of evidence alone
        scaled by :data:`WEAK_FACTOR`, a link whose every entry only ``corroborating`` (a class
        name's) dropped, affinities below ``min_affinity`` dropped."""
        key = row * len(self.link_ids_) + col
        order = key.argsort(kind="stable")
        row, col, weight, term, weak, key = row[order], col[order], weight[order], term[order], weak[order], key[order]
        group = np.concatenate(([True], key[1:] != key[:-1])).nonzero()[0] if len(row) else np.zeros(0, dtype=np.int64)
        bounds = np.empty(len(group) + 1, dtype=np.int64)  # the groups' starts, then the end (np.diff's append, for less)
        bounds[:-1], bounds[-1] = group, len(row)
        size = bounds[1:] - bounds[:-1]
        affinity = np.where((size == 1) & weak[group], WEAK_FACTOR, 1.0) * weight[group]
        several = size > 1
        if several.any():  # the noisy-or: one minus the product of the misses
            affinity[several] = 1.0 - np.multiply.reduceat(1.0 - weight, group)[several]
        if corroborating is not None and len(group):
            affinity[np.logical_and.reduceat(corroborating[order], group)] = 0.0
        best = np.maximum.reduceat(weight, group) if len(group) else weight
        position = np.where(weight == np.repeat(best, size), np.arange(len(row)), len(row))
        evidence = term[np.minimum.reduceat(position, group)] if len(group) else term
        kept = affinity >= self.min_affinity
        kept_rows = row[group][kept]
        indptr = np.zeros(n + 1, dtype=np.int64)
        counts = np.bincount(kept_rows, minlength=n)
        np.add.accumulate(counts, out=indptr[1:])
        trade_only = discarded & (counts == 0)
        return MatchResult(
            affinity[kept].astype(np.float64, copy=False), col[group][kept].astype(np.int32, copy=False), indptr, len(self.link_ids_),
            evidence[kept].astype(object, copy=False), trade_only, green,
        )


def _unsupported_class_items(row: np.ndarray, col: np.ndarray, term: np.ndarray, class_item: np.ndarray, stated: np.ndarray,
                             industry: Sequence[object], coded: Sequence[CodeLinks | None], n_links: int) -> np.ndarray:
    """Per evidence entry, whether it is a class-name entry (``class_item``) that nothing else of
    its row supports for its link: no other term of the row names the link, no second class item
    does, and the row's industry code is neither of the entry's own class (``stated``) nor a code
    of the link (``coded``: the links each row's code states, :meth:`LinkMatcher._code_links`).
    Such an item claims no link (:meth:`LinkMatcher._combine` drops it)."""
    # the entries of the rows with a class item (few), as (row, link) keys
    with_class = np.zeros(int(row.max()) + 1, dtype=bool)
    with_class[row[class_item]] = True
    near = with_class[row].nonzero()[0]
    key = row[near] * n_links + col[near]
    order = np.lexsort((term[near], key))
    k, t, c = key[order], term[near][order], class_item[near][order]
    same = np.concatenate(([False], k[1:] == k[:-1]))
    # a (row, link) run with a term that is no class item, or with two distinct class items
    run = np.cumsum(~same) - 1
    other = np.zeros(run[-1] + 1 if len(run) else 0, dtype=bool)
    other[run[~c]] = True
    other[run[same & (t != np.concatenate(([-1], t[:-1])))]] = True
    candidate = near[order][c & ~other[run]]
    out = np.zeros(len(row), dtype=bool)
    if not len(candidate):
        return out
    rows = row[candidate].tolist()
    texts = [code.strip() if isinstance(code, str) else "" for code in (industry[i] for i in rows)]
    out[candidate] = [not (code and ((own and code.startswith(own)) or _states(coded[i], link)))
                      for i, code, link, own in zip(rows, texts, col[candidate].tolist(), stated[candidate].tolist(), strict=True)]
    return out


def _states(code_links: CodeLinks | None, link: int) -> bool:
    """Whether an industry code's links (:meth:`LinkMatcher._code_links`) include ``link``."""
    return code_links is not None and any(c == link for c, _ in code_links[1])


def _as_code_and_item(rows: np.ndarray, cols: np.ndarray, weights: np.ndarray, together: np.ndarray) -> np.ndarray:
    """``weights`` with the class-name entries that state a link together (``together``, of one
    row and link: two items of different classes) weighing as a class code and an item do: the
    first of each (row, link) a 4-digit code's weight, the others a class name's. The items'
    order in the scope says nothing of which is the main business (two class items are one
    statement of the firm's class, not a lead and a later item)."""
    at = together.nonzero()[0]
    key = rows[at] * (int(cols.max()) + 1) + cols[at]
    out = weights.copy()
    out[at] = np.where(_first_occurrences(key), CODE_WEIGHTS[4], TERM_WEIGHTS["class"])
    return out


def _stated_together(rows: np.ndarray, cols: np.ndarray, corroborating: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """``corroborating`` without the class-name entries of a (row, link) that two class names of
    different classes name (电子专用材料制造 3985 and 有色金属压延加工 325 for the foils): two items of
    a registered scope that agree on a link state it as a class code and an item do. ``classes``
    holds each entry's GB/T 4754 class or group as an integer (-1: none); a class and its own
    group (有色金属压延加工 325, 铜压延加工 3251) are one statement, so two entries differ where their
    groups (the first three digits) do or where both are classes (four digits) and differ."""
    at = (corroborating & (classes >= 0)).nonzero()[0]
    if len(at) < 2:
        return corroborating
    key = rows[at] * (int(cols.max()) + 1) + cols[at]
    group = np.where(classes[at] >= 1000, classes[at] // 10, classes[at])
    single = np.where(classes[at] >= 1000, classes[at], -1)
    stated = np.zeros(len(at), dtype=bool)
    for part in (group, single):
        order = np.lexsort((part, key))
        k, v = key[order], part[order]
        new_key = np.concatenate(([True], k[1:] != k[:-1]))
        before = np.concatenate(([v[0]], v[:-1]))
        # a second distinct value within one (row, link), not counting the missing ones (-1)
        second = ~new_key & (v != before) & (v >= 0) & (before >= 0)
        if second.any():
            stated[order] |= np.isin(k, k[second], kind="sort")
    if not stated.any():
        return corroborating
    out = corroborating.copy()
    out[at[stated]] = False
    return out


def _listed_rows(haystack: bytes, bounds: np.ndarray, row_start: np.ndarray, n: int) -> np.ndarray:
    """Per row (of ``n``), whether its description is a registered scope's list of items: whether a
    ；(:data:`SCOPE_ITEM_SEPARATOR`) ends one of its clauses (``bounds``, the offsets just after each
    delimiter; of the :data:`CLAUSE_DELIMITERS` only it ends in its last byte)."""
    if not len(bounds):
        return np.zeros(n, dtype=bool)
    last = bounds - 1  # each delimiter's last byte
    semi = last[np.frombuffer(haystack, dtype=np.uint8)[last] == SCOPE_ITEM_SEPARATOR[-1]]
    listed = np.zeros(n, dtype=bool)
    if len(semi):
        listed[np.searchsorted(row_start, semi, side="right") - 1] = True  # the rows they stand in
    return listed


def _once_per_product(row: np.ndarray, col: np.ndarray, root: np.ndarray, weight: np.ndarray, listed: np.ndarray) -> np.ndarray | None:
    """Which evidence entries to keep where those of a listed row (``listed``, per entry: of a
    registered scope, and able to share a product with another entry) name one product of one
    link (the same ``root``, :func:`_product_roots`): only the strongest, the first of equals.
    ``None`` where all are kept."""
    at = listed.nonzero()[0]
    if len(at) < 2:
        return None
    key = (row[at] * (int(col.max()) + 1) + col[at]) * (int(root.max()) + 1) + root[at]
    if len(at) > 4096:  # many: the entries that share a key first, by hashing (few do)
        shared = pd.Series(key).duplicated(keep=False).to_numpy()
        if not shared.any():
            return None
        at, key = at[shared], key[shared]
    order = np.lexsort((at, -weight[at], key))
    ordered = key[order]
    repeated = np.concatenate(([False], ordered[1:] == ordered[:-1]))
    if not repeated.any():
        return None
    keep = np.ones(len(row), dtype=bool)
    keep[at[order[repeated]]] = False
    return keep


def _product_roots(readings: np.ndarray, reading: np.ndarray, col: np.ndarray) -> np.ndarray:
    """Per (reading, link) entry, the product it names: for a GB/T 4754 class name, the index of
    the longest reading of the same link inside it (汽车零部件 in 汽车零部件及配件制造, 工业机器人 in
    工业机器人制造, the words an item about that product uses), else of its own reading. A class-name item and an item naming its product
    restate one business; two product words, one inside the other (脱墨 and 脱墨浆), stay two."""
    root = reading.copy()
    texts = [str(text) for text in readings]
    index: dict[str, int] = {}
    for i, text in enumerate(texts):
        index.setdefault(text, i)
    keys = list(index)
    finder = daachorse.CharwiseDoubleArrayAhoCorasick(keys)
    links_of: dict[int, set[int]] = {}
    for r, c in zip(reading.tolist(), col.tolist(), strict=True):
        links_of.setdefault(index[texts[r]], set()).add(c)
    for k, (r, c) in enumerate(zip(reading.tolist(), col.tolist(), strict=True)):
        text = texts[r]
        if industry_code_for_name(text) is None:  # not a class name: its own product
            continue
        best = None
        for start, end, i in finder.find_overlapping(text):  # (by end, the longer first at one end)
            inner = keys[i]
            if end - start == len(text) or c not in links_of.get(index[inner], ()):
                continue
            if text.isascii() and not _on_word_boundary(text, start, end - 1):
                continue
            if best is None or len(inner) > len(keys[best]):
                best = i
        if best is not None:
            root[k] = index[keys[best]]
    return root


def _inherit_prefix_terms(terms: dict[str, dict[int, tuple[float, np.uint64, bool]]], keys: set[str]) -> set[tuple[str, int]]:
    """A class name that begins with another term (锂离子电池制造, 汽车零部件及配件制造), or one of
    whose listed products does (传动部件 in 轴承、齿轮和传动部件制造), is found instead of that term
    (the longest match wins): it takes the links the term names by their own words
    (not a shared object's word: 有色金属 in 有色金属压延加工 is no bulk commodity), with their
    weights, so the product it names weighs as it did. Returns the (term, link) pairs it took."""
    taken = set()
    for key in keys:
        slot = terms.get(key)
        if slot is None:
            continue
        for at in (0, *(m.end() for m in _CLASS_PART.finditer(key))):
            prefix = next((key[at:k] for k in range(len(key) - (at == 0), at, -1)
                           if key[at:k] in terms and key[at:k] not in keys and not all(r for _, _, r in terms[key[at:k]].values())), None)
            for col, (weight, mask, requires) in terms[prefix].items() if prefix is not None else ():
                old = slot.get(col)
                if requires:
                    continue
                if (key, col) in taken and old is not None:  # two listed products of one link: both count
                    slot[col] = (1.0 - (1.0 - old[0]) * (1.0 - weight), old[1] | mask, False)
                elif old is None or old[2] or weight > old[0]:
                    slot[col] = (weight, mask, requires)
                    taken.add((key, col))
    return taken


#: What separates the products a class name lists (轴承、齿轮和传动部件制造).
_CLASS_PART = re.compile("[、，,和及与]")


def _inherent_activity(key: str, words: Mapping[str, np.uint64], longest: int) -> np.uint64:
    """The activities a term names itself: an activity word after its start (电芯制造, 废钢回收,
    paper recycling), or the whole term (梯次利用). A word that opens a longer term modifies the
    product that follows (再生纸, 回收纸, recycled paper): the term names a product, and the firm's
    activity must be read around it (a seller of recycled copy paper makes none).

    ``longest`` is the length of the longest of ``words``: each piece of the term after its first
    character, up to that length, is looked up (a term is short, the word list long). In English
    the pieces are whole words (current collectors names no collecting, nor renting)."""
    inherent = words.get(key, np.uint64(0))
    if key.isascii():
        tokens = key.split()
        for start in range(1, len(tokens)):
            for stop in range(start + 1, len(tokens) + 1):
                inherent |= words.get(" ".join(tokens[start:stop]), np.uint64(0))
        return inherent
    for start in range(1, len(key) + 1):
        for stop in range(start, min(len(key), start + longest) + 1):
            mask = words.get(key[start:stop])
            if mask is not None:
                inherent |= mask
    return inherent


def _normal(text: str) -> str:
    """A term as the matcher compares it: lowered, hyphens as spaces (``solid-state`` = ``solid state``)."""
    return text.strip().lower().replace("-", " ")


#: The generic scope items as the matcher compares them.
_GENERIC_KEYS = frozenset(_normal(word) for word in GENERIC_TERMS)


def _holds_any(text: str, keys: Mapping[str, object]) -> bool:
    """Whether one of ``keys`` occurs in ``text`` (each piece of a short text looked up, not each key)."""
    return any(text[i:j] in keys for i in range(len(text)) for j in range(i + 1, len(text) + 1))


def _patterns_by_ending(patterns: Sequence[str], endings: Iterable[str]) -> dict[str, list[int]]:
    """Each of ``endings`` → the indexes of the patterns without a gap that end with it,
    ascending: what ``p.endswith(x) and GAP not in p`` over every pattern finds, in one pass
    (fitting looks up the head and tail forms of every gap term)."""
    wanted = set(endings)
    longest = max(map(len, wanted), default=0)
    ending: dict[str, list[int]] = {}
    for i, pattern in enumerate(patterns):
        if GAP not in pattern:
            for start in range(max(0, len(pattern) - longest), len(pattern)):
                if pattern[start:] in wanted:
                    ending.setdefault(pattern[start:], []).append(i)
    return ending


def _term_forms(key: str) -> tuple[str, ...]:
    """A term, its British or American spelling (:func:`spellings`) and their English plural in
    -ies (``battery`` → ``batteries``; -s/-es are allowed at match time); a Chinese term in
    traditional characters too (:func:`_chinese_forms`)."""
    out = []
    for form in spellings(key):
        out.append(form)
        if form.isascii() and len(form) > 3 and form.endswith("y") and form[-2] not in "aeiou":
            out.append(form[:-1] + "ies")
    return _chinese_forms(out)


def _chinese_forms(keys: Iterable[str]) -> tuple[str, ...]:
    """Each of ``keys`` and, for Chinese, its form in traditional characters (铝箔, 鋁箔): Hong
    Kong and Taiwan firms write them; the text is matched as written, not converted."""
    out = []
    for key in keys:
        out.append(key)
        if not key.isascii():
            out.append(traditional(key))
    return tuple(dict.fromkeys(out))


#: British and American spellings of one English word part (centre/center, fibre/fiber,
#: -isation/-ization …), the British first.
_SPELLINGS = (("centre", "center"), ("fibre", "fiber"), ("litre", "liter"), ("metre", "meter"), ("colour", "color"),
              ("mould", "mold"), ("aluminium", "aluminum"), ("isation", "ization"), ("ising", "izing"), ("ised", "ized"),
              ("programme", "program"), ("sulph", "sulf"), ("catalogue", "catalog"))
_SPELLING_RE = re.compile("|".join(sorted({w for pair in _SPELLINGS for w in pair}, key=len, reverse=True)))


def spellings(key: str) -> tuple[str, ...]:
    """An English term in its British and its American spelling (``training centre`` →
    training centre, training center; ``graphitization`` → graphitisation, graphitization);
    any other term alone."""
    if not key.isascii() or not _SPELLING_RE.search(key):
        return (key,)
    british = {american: brit for brit, american in _SPELLINGS}
    american = dict(_SPELLINGS)
    forms = (_SPELLING_RE.sub(lambda m: british.get(m.group(), m.group()), key),
             _SPELLING_RE.sub(lambda m: american.get(m.group(), m.group()), key))
    return tuple(dict.fromkeys((key, *forms)))


_USE, _FOR = "用".encode(), "于".encode()
_USE_PAIR = (_USE[0] << 8) | _USE[1]  # its first two bytes, as :data:`_INPUT_PAIRS` reads them

def _heads_after_term(heads: tuple[str, ...]) -> tuple[list[bytes], re.Pattern[bytes]]:
    """Head nouns as they follow a term (an English one after a space, then a word's end), in
    traditional characters too, longest first, and an expression matching one at an offset."""
    forms = sorted({(form if not form.isascii() else " " + form).encode()
                    for head in heads for form in _chinese_forms((head.lower(),))}, key=len, reverse=True)
    return forms, re.compile(b"(?:" + b"|".join(map(re.escape, forms)) + rb")(?![a-z])")


#: :data:`EQUIPMENT_HEADS` after a term, and the first three bytes of each (a cheap test before
#: the expression).
_EQUIPMENT_FORMS, _EQUIPMENT_RE = _heads_after_term(EQUIPMENT_HEADS)
_EQUIPMENT_STARTS = np.array(sorted({(f[0] << 16) | (f[1] << 8) | f[2] for f in _EQUIPMENT_FORMS}), dtype=np.int32)
#: :data:`INPUT_HEADS` after a term, and the first two bytes of each (as a table over two bytes).
_INPUT_FORMS, _INPUT_RE = _heads_after_term(INPUT_HEADS)
_INPUT_PAIRS = np.zeros(1 << 16, dtype=bool)
_INPUT_PAIRS[[(f[0] << 8) | f[1] for f in _INPUT_FORMS]] = True


def _three_bytes(haystack: bytes, at: np.ndarray) -> np.ndarray:
    """The three bytes of ``haystack`` from each offset ``at`` as one integer (past its end: 0)."""
    data = np.frombuffer(haystack, dtype=np.uint8)
    out = np.zeros(len(at), dtype=np.int32)
    for k in range(3):
        inside = at + k < len(data)
        out = (out << 8) | np.where(inside, data[np.minimum(at + k, len(data) - 1)], 0)
    return out


def _spaced(haystack: bytes, at: np.ndarray) -> np.ndarray:
    """Whether a space stands at each of the byte offsets ``at`` (where a term ends: an English
    word follows it; a term never ends in one, so an offset past the text reads its last byte)."""
    return np.frombuffer(haystack, dtype=np.uint8)[np.minimum(at, len(haystack) - 1)] == 0x20


def _application(haystack: bytes, term_end: np.ndarray) -> np.ndarray:
    """Per term occurrence (its end offset in ``haystack``): whether 用 follows it and 于 does
    not: the term names the application of the product after it (摩托车用, 车用), not the product;
    or whether an :data:`INPUT_HEADS` word follows it (脱墨剂, de-inking chemicals): it names what
    the input the firm supplies is for."""
    if not len(term_end):
        return np.zeros(0, dtype=bool)
    data = np.frombuffer(haystack + b"\n\n", dtype=np.uint8)  # room for two bytes after the last term
    # the first two bytes after each term: 用 and the input heads by a table over two bytes, then
    # the whole words (用 not followed by 于, the head's expression) on the few left
    pair = (data[term_end].astype(np.int32) << 8) | data[term_end + 1]
    out = pair == _USE_PAIR
    if out.any():
        use = out.nonzero()[0]
        out[use] = [haystack.startswith(_USE, at) and not haystack.startswith(_FOR, at + len(_USE)) for at in term_end[use].tolist()]
    heads = _INPUT_PAIRS[pair].nonzero()[0]
    if len(heads):
        out[[k for k, at in zip(heads.tolist(), term_end[heads].tolist(), strict=True) if _INPUT_RE.match(haystack, at)]] = True
    return out


def _line_starts(lines: Sequence[bytes]) -> Iterator[int]:
    """The offset of each of ``lines`` in ``b"\\n".join(lines)``."""
    return accumulate([len(line) + 1 for line in lines[:-1]], initial=0)


def _first_occurrences(keys: np.ndarray) -> np.ndarray:
    """Mask of the first occurrence of each key, in order (hashing for many keys, sorting for few)."""
    if len(keys) > 4096:
        return ~pd.Series(keys).duplicated().to_numpy()
    first = np.zeros(len(keys), dtype=bool)
    if len(keys):  # the indexes np.unique(keys, return_index=True) gives, without its fixed cost
        order = keys.argsort(kind="stable")
        ordered = keys[order]
        first[order[np.concatenate(([True], ordered[1:] != ordered[:-1]))]] = True
    return first


def _whole_word_bytes(data: bytes, start: int, end: int) -> bool:
    """:func:`_on_word_boundary` for the match ``data[start:end]`` of UTF-8 bytes (end exclusive):
    a byte below 0x80 is an ASCII character, and every byte of any other character is above."""
    if start > 0 and data[start - 1] in _ASCII_ALNUM:
        return False
    after = end
    if after < len(data) and data[after] == 0x73:  # s
        after += 1
    elif data[after : after + 2] == b"es":
        after += 2
    return not (after < len(data) and data[after] in _ASCII_ALNUM)


_ASCII_ALNUM = frozenset(b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


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
    """Leftmost-longest multi-pattern search (``daachorse``, compiled Rust) over lowered
    text, each pattern with a payload; ASCII patterns match whole words only (a trailing plural
    ``s``/``es`` allowed). Pickles by its patterns (the compiled automata are rebuilt).

    :meth:`find` searches one text and reports character offsets; :meth:`find_all` searches
    UTF-8 bytes (many texts joined) and reports byte offsets. Over UTF-8 both find the same
    matches: a pattern's bytes can only match at a character boundary, and of two patterns
    matching at one place the longer in characters is the longer in bytes.
    """

    def __init__(self, entries: Mapping[str, Any]):
        self.patterns = [key for key in entries if key]
        self.payloads = [entries[key] for key in self.patterns]
        self.ascii = [key.isascii() for key in self.patterns]
        self._compile()

    def _compile(self) -> None:
        self._ascii = np.array(self.ascii, dtype=bool)
        self.pattern_array = np.array(self.patterns, dtype=object)
        self._text_automaton: daachorse.CharwiseDoubleArrayAhoCorasick | None = None
        self._bytes_automaton: daachorse.DoubleArrayAhoCorasick | None = None

    def __getstate__(self) -> dict:
        return {"patterns": self.patterns, "payloads": self.payloads, "ascii": self.ascii}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._compile()

    def __len__(self) -> int:
        return len(self.patterns)

    def find_all(self, data: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pattern indexes, starts and ends (exclusive) of the matches in lowered UTF-8
        ``data``, in byte offsets, as arrays."""
        empty = np.zeros(0, dtype=np.int64)
        if not self.patterns or not data:
            return empty, empty, empty
        if self._bytes_automaton is None:
            self._bytes_automaton = daachorse.DoubleArrayAhoCorasick(
                [p.encode() for p in self.patterns], daachorse.MATCH_KIND_LEFTMOST_LONGEST)
        found = self._bytes_automaton.find(data)
        flat = np.fromiter(chain.from_iterable(found), dtype=np.int64, count=3 * len(found)).reshape(-1, 3)
        start, end, pattern = flat[:, 0], flat[:, 1], flat[:, 2]
        ascii_ = self._ascii[pattern]
        if ascii_.any():
            check = ascii_.nonzero()[0]
            whole = [_whole_word_bytes(data, s, e) for s, e in zip(start[check].tolist(), end[check].tolist(), strict=True)]
            keep = np.ones(len(pattern), dtype=bool)
            keep[check] = whole
            pattern, start, end = pattern[keep], start[keep], end[keep]
        return pattern, start, end

    def find(self, lowered: str) -> list[tuple[int, int, str, object]]:
        """``[(start, end, pattern, payload), …]`` (``end`` exclusive) in ``lowered``."""
        if not self.patterns or not lowered:
            return []
        if self._text_automaton is None:
            self._text_automaton = daachorse.CharwiseDoubleArrayAhoCorasick(self.patterns, daachorse.MATCH_KIND_LEFTMOST_LONGEST)
        patterns, payloads, ascii_ = self.patterns, self.payloads, self.ascii
        return [
            (start, end, patterns[i], payloads[i])
            for start, end, i in self._text_automaton.find(lowered)
            if not ascii_[i] or _on_word_boundary(lowered, start, end - 1)
        ]


class _AnyWord:
    """Whether a text contains any of some words anywhere (one Aho–Corasick pass, every
    occurrence counted, boundaries or not); pickles by its words."""

    def __init__(self, words: Iterable[str]):
        self.words = tuple(word for word in words if word)
        self._automaton: daachorse.CharwiseDoubleArrayAhoCorasick | None = None

    def __getstate__(self) -> dict:
        return {"words": self.words}

    def __setstate__(self, state: dict) -> None:
        self.words = state["words"]
        self._automaton = None

    def any_in(self, text: str) -> bool:
        if not self.words or not text:
            return False
        if self._automaton is None:
            self._automaton = daachorse.CharwiseDoubleArrayAhoCorasick(list(self.words))
        return bool(self._automaton.find(text))


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
