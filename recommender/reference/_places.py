"""China's administrative divisions (province, prefecture-level city, county) and a resolver for place text.

The list is package data (``data/admin_divisions_2024.csv``: ``code,name,level,parent``), the Ministry of
Civil Affairs' county-level-and-above code list, read on first use. :func:`resolve_place` reads the place a
所属省份 / 所属城市 / 所属区县 / 注册地址 value names by matching, from the start of the text, a province,
then a city of that province, then a county of that city, each written in full (``"广东省深圳市南山区"``) or
short (``"广东深圳南山"``).

Municipalities (北京, 上海, 天津, 重庆) and the regions Hong Kong, Macau and Taiwan are both province
and city. A county-level city governed directly by its province (湖北 仙桃市, 河南 济源市) is its own city.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from ._text import compact, data_rows

__all__ = ["Place", "city_of", "resolve_place"]

_DATA_FILE = "admin_divisions_2024.csv"
#: Provinces whose own name is also the city's: the four municipalities, Taiwan, Hong Kong, Macau.
_CITY_PROVINCES = frozenset({"11", "12", "31", "50", "71", "81", "82"})
_ETHNIC = (
    "蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|拉祜|水|东乡|纳西|景颇|柯尔克孜|土|"
    "达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺|各"
)
_AUTONOMOUS = re.compile(rf"^(.{{2,}}?)(?:(?:{_ETHNIC})族?)+自治(?:区|州|县|旗)$")
_SUFFIXES = ("特别行政区", "自治区", "地区", "林区", "省", "市", "盟", "区", "县", "旗")
_COUNTRY = re.compile(r"^(?:中华人民共和国|中国)")


@dataclass(frozen=True, slots=True)
class Place:
    """A resolved place; names are the official full names.

    Attributes
    ----------
    province : str
        E.g. ``"广东省"``, ``"北京市"``, ``"香港特别行政区"``.
    city : str or None
        The prefecture-level city (``"深圳市"``), the province itself for a municipality or region, or a
        county-level city its province governs directly; None when the text names only a province.
    county : str or None
        The county or district (``"南山区"``), when named.
    code : str
        The six-digit division code of the most specific unit named.
    """

    province: str
    city: str | None
    county: str | None
    code: str


@dataclass(frozen=True, slots=True)
class _Unit:
    code: str
    name: str
    level: int
    parent: str | None


@dataclass(frozen=True, slots=True)
class _Index:
    units: dict[str, _Unit]
    #: spelling → codes of provinces / of cities anywhere / of counties anywhere (full names only).
    provinces: dict[str, tuple[str, ...]]
    cities: dict[str, tuple[str, ...]]
    counties: dict[str, tuple[str, ...]]
    #: parent code → {spelling: child code}, full and short spellings.
    children: dict[str, dict[str, str]]
    longest: int


def _short(name: str) -> str:
    """The name without its administrative suffix, kept only if two characters or more remain."""
    match = _AUTONOMOUS.match(name)
    if match:
        return match.group(1)
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@cache
def _index() -> _Index:
    """Read the packaged list once and index every spelling."""
    units: dict[str, _Unit] = {}
    for row in data_rows(_DATA_FILE):
        units[row["code"]] = _Unit(row["code"], row["name"], int(row["level"]), row["parent"] or None)
    provinces: dict[str, list[str]] = defaultdict(list)
    cities: dict[str, list[str]] = defaultdict(list)
    counties: dict[str, list[str]] = defaultdict(list)
    children: dict[str, dict[str, str]] = defaultdict(dict)
    for unit in units.values():
        spellings = {unit.name, _short(unit.name)}
        if unit.level == 1:
            for spelling in spellings:
                provinces[spelling].append(unit.code)
        elif unit.level == 2 or _own_city(unit):
            for spelling in spellings:
                cities[spelling].append(unit.code)
        else:
            counties[unit.name].append(unit.code)
        if unit.parent is not None:
            for spelling in spellings:
                children[unit.parent].setdefault(spelling, unit.code)
    longest = max(len(unit.name) for unit in units.values())
    return _Index(
        units,
        {k: tuple(v) for k, v in provinces.items()},
        {k: tuple(v) for k, v in cities.items()},
        {k: tuple(v) for k, v in counties.items()},
        dict(children),
        longest,
    )


def _own_city(unit: _Unit) -> bool:
    """A county-level city (or 林区) its province governs directly, outside the municipalities."""
    return unit.level == 3 and unit.parent is not None and unit.parent.endswith("0000") and unit.code[:2] not in _CITY_PROVINCES and unit.name.endswith(("市", "林区"))


def _prefix(text: str, start: int, spellings: Mapping[str, object], longest: int) -> tuple[str, int] | None:
    """The longest spelling that ``text`` has at ``start``, with the position after it."""
    for end in range(min(len(text), start + longest), start, -1):
        if text[start:end] in spellings:
            return text[start:end], end
    return None


def _place(index: _Index, code: str) -> Place:
    chain: list[_Unit] = []
    unit: _Unit | None = index.units[code]
    while unit is not None:
        chain.append(unit)
        unit = index.units[unit.parent] if unit.parent is not None else None
    chain.reverse()
    province = chain[0]
    if len(chain) == 1:
        city = province.name if province.code[:2] in _CITY_PROVINCES else None
        return Place(province.name, city, None, code)
    if len(chain) == 3:
        return Place(province.name, chain[1].name, chain[2].name, code)
    unit = chain[1]
    if unit.level == 2 or _own_city(unit):
        return Place(province.name, unit.name, None, code)
    city = province.name if province.code[:2] in _CITY_PROVINCES else None
    return Place(province.name, city, unit.name, code)


def _descend(index: _Index, text: str, position: int, code: str) -> str:
    """From a matched unit, follow child spellings as far as the text goes.

    After a province alone, a county of that province written in full also counts (广东省台山市).
    """
    while code in index.children:
        found = _prefix(text, position, index.children[code], index.longest)
        if found is None:
            break
        code, position = index.children[code][found[0]], found[1]
    if index.units[code].level == 1:
        found = _prefix(text, position, index.counties, index.longest)
        if found is not None:
            inside = [c for c in index.counties[found[0]] if c[:2] == code[:2]]
            if len(inside) == 1:
                code = inside[0]
    return code


def _common_province(codes: tuple[str, ...]) -> str | None:
    provinces = {code[:2] for code in codes}
    return f"{provinces.pop()}0000" if len(provinces) == 1 else None


def resolve_place(text: str) -> Place | None:
    """The place a province, city, county or address text names, or None.

    Parameters
    ----------
    text : str
        E.g. ``"江门市"``, ``"江门"``, ``"广东省深圳市南山区科技园…"``, ``"南山区"``, ``"北京"``, ``"香港"``.
        A leading 中国 / 中华人民共和国 is ignored.

    Returns
    -------
    Place or None
        None for text that starts with no known name. A county name used in several cities
        (朝阳区: 北京 and 长春) is resolved only when the text first names the province or city; alone it
        gives the province if all its namesakes share one, else None.
    """
    if not isinstance(text, str):
        return None
    text = _COUNTRY.sub("", compact(text))
    if not text:
        return None
    index = _index()
    # the longest spelling at the start wins; a tie goes to the province (吉林), then the city
    tables = (index.provinces, index.cities, index.counties)
    matches = [(found, rank) for rank, table in enumerate(tables) if (found := _prefix(text, 0, table, index.longest))]
    for found, rank in sorted(matches, key=lambda match: (-match[0][1], match[1])):
        codes = tables[rank][found[0]]
        if len(codes) == 1:
            return _place(index, _descend(index, text, found[1], codes[0]))
        if rank == 2:
            province = _common_province(codes)
            return None if province is None else _place(index, province)
    return None


def city_of(text: str) -> str | None:
    """The short name of the city a place text names (``"深圳"``, ``"江门"``, ``"北京"``, ``"香港"``), or None.

    Parameters
    ----------
    text : str
        As for :func:`resolve_place`.

    Returns
    -------
    str or None
        None when the text names no city (only a province, an ambiguous county, or nothing known).
    """
    place = resolve_place(text)
    if place is None or place.city is None:
        return None
    return _short(place.city)
