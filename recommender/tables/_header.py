"""Header recognition: which input column feeds which field, and where the header row is.

Vendor exports (企查查, 天眼查, 启信宝 ...) and officers' sheets put title rows, blank rows and
merged cells above the header, and sometimes a two-row header (a group row such as
``基本信息 | 联系方式`` over the column names, or names merged down over two rows).
:func:`find_header` takes the row among the first :data:`HEADER_SEARCH_ROWS` that names the most
known fields (one of them the firm name), and joins the row below it when that row only fills
the gaps of the header (its firm-name cell empty, its other cells under empty header cells or
naming known fields).

Imports nothing from :mod:`recommender`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["CANONICAL_COLUMNS", "HEADER_SEARCH_ROWS", "PASSTHROUGH_COLUMNS", "VENDOR_COLUMNS", "Header", "field_of", "find_header"]

#: Canonical profile column -> accepted header aliases. Matching ignores case, surrounding
#: spaces, a BOM, full-/half-width differences and ``_``; a trailing unit in brackets is
#: accepted only where it names a unit of the field (e.g. ``营业收入（万元）`` or ``营业收入(元)``,
#: not ``营业收入(人)``).
CANONICAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("企业名称", "公司名称", "名称", "单位名称", "企业名", "name", "company", "company name", "firm", "enterprise"),
    "description": (
        "主营业务", "经营范围", "主营产品", "业务描述", "简介", "企业简介", "产品", "主要产品", "business scope",
        "main business", "products", "description", "profile",
    ),
    "city": ("所属城市", "所在城市", "所在地", "城市", "注册地", "地区", "所属地区", "location", "city", "headquarters"),
    "country": ("国家", "国家/地区", "所属国家", "country"),
    "industry_code": ("行业代码", "国标行业代码", "行业分类代码", "industry_code", "industry code", "gb/t 4754"),
    "employees": ("员工人数", "从业人数", "参保人数", "人员规模", "职工人数", "employees", "headcount", "staff"),
    "revenue": ("营业收入", "营收", "年营业额", "营业额", "年营收", "revenue"),
    "founded": ("成立年份", "成立日期", "成立时间", "注册日期", "founded", "year founded", "established"),
    "tags": ("企业标签", "科技型企业标签", "科技型企业", "资质", "标签", "企业资质", "tags", "certifications"),
    "customers": ("主要客户", "客户", "customers", "key customers"),
    "patents": ("专利数", "专利数量", "专利", "专利信息", "patents", "patent count"),
}
#: Vendor columns that feed a field through a conversion: places and addresses give the city,
#: industry names the GB/T 4754 code, capital a size signal, the company type an origin hint,
#: the registration status whether the firm is active, the credit code duplicate detection.
VENDOR_COLUMNS: dict[str, tuple[str, ...]] = {
    "district": ("所属区县", "区县", "所在区县"),
    "province": ("所属省份", "省份", "所在省份", "省"),
    "address": ("企业地址", "注册地址", "通信地址", "地址", "办公地址", "经营地址", "address"),
    "industry_name": ("国标行业门类", "国标行业大类", "国标行业中类", "国标行业小类", "所属行业", "行业", "国民经济行业",
                      "国标行业", "industry"),
    "capital": ("注册资本", "实缴资本", "registered capital", "paid-in capital"),
    "company_type": ("企业类型", "公司类型", "企业性质", "company type"),
    "status": ("登记状态", "经营状态", "企业状态", "status"),
    "credit_code": ("统一社会信用代码", "信用代码", "社会信用代码", "credit code", "unified social credit code"),
    "size_class": ("企业规模",),
    "listing": ("上市状态", "上市情况"),
}
#: Vendor columns known to carry nothing to score: they pass through, reported as such.
PASSTHROUGH_COLUMNS = (
    "序号", "电话", "联系电话", "更多电话", "邮箱", "更多邮箱", "网址", "官网", "法定代表人", "英文名称", "英文名", "曾用名", "股票代码",
    "股票简称", "实际控制人", "企业邮箱", "所属地区代码",
    "融资轮次", "纳税人识别号", "注册号", "组织机构代码", "核准日期", "营业期限", "登记机关", "no", "no.", "phone", "email",
    "website", "legal representative",
)
#: Rows read from the top of a file when looking for the header.
HEADER_SEARCH_ROWS = 30

_UNITS = {"revenue": {"万元": 1e4, "万元人民币": 1e4, "元": 1.0, "千元": 1e3, "亿元": 1e8},
          "capital": {"万元": 1e4, "万元人民币": 1e4, "元": 1.0, "亿元": 1e8},
          "employees": {"人": 1.0}, "patents": {"件": 1.0, "项": 1.0, "个": 1.0}, "founded": {"年": 1.0}}
_UNIT_SUFFIX = re.compile(r"^(.*?)\s*[(\[【]\s*([^()\[\]【】]*?)\s*[)\]】]$")
_FIELDS = {**CANONICAL_COLUMNS, **VENDOR_COLUMNS}


def _header_key(header: str) -> str:
    key = unicodedata.normalize("NFKC", header).replace("\ufeff", "").casefold()
    return re.sub(r"[\s_]+", " ", key).strip()


_ALIASES = {_header_key(a): field for field, aliases in _FIELDS.items() for a in aliases}
_PASSTHROUGH = frozenset(map(_header_key, PASSTHROUGH_COLUMNS))


def field_of(header: str) -> tuple[str | None, float]:
    """The field a header names (None: passed through) and the unit, in yuan, of a money column.

    ``营业收入（万元）`` → ``("revenue", 1e4)``; ``营业收入(元)`` → ``("revenue", 1.0)``; ``电话`` →
    ``(None, 1.0)``.
    """
    key = _header_key(header)
    if key in _ALIASES:
        known = _ALIASES[key]
        return known, 1e4 if known in ("revenue", "capital") else 1.0
    match = _UNIT_SUFFIX.match(key)
    if match and (field := _ALIASES.get(match[1])) and (scale := _UNITS.get(field, {}).get(match[2])):
        return field, scale
    return None, 1.0


def is_passthrough(header: str) -> bool:
    """A known vendor column that carries nothing to score (电话, 邮箱, 法定代表人 ...)."""
    return _header_key(header) in _PASSTHROUGH


@dataclass(frozen=True)
class Header:
    """Where the header is: ``first``/``last`` 0-based row positions among the rows read, and its cells."""

    first: int
    last: int
    cells: list[str]


def _named(cells: list[str]) -> set[str]:
    return {field for c in cells if c and (field := field_of(c)[0])}


def find_header(rows: list[list[str]]) -> Header | None:
    """The header among ``rows`` (the first rows of a file, every cell text): see the module docstring.

    Returns None when no row names the firm-name column.
    """
    best: tuple[int, int] | None = None
    for i, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        named = _named(cells)
        if "name" in named and (best is None or len(named) > best[1]):
            best = (i, len(named))
    if best is None:
        return None
    at = best[0]
    cells = [c.strip() for c in rows[at]]
    first = last = at
    name_at = next(j for j, c in enumerate(cells) if field_of(c)[0] == "name")
    if at + 1 < len(rows) and _continues(cells, rows[at + 1], name_at):
        below = rows[at + 1]
        width = max(len(cells), len(below))
        cells = [(_cell(below, j) or _cell(cells, j)) if not field_of(_cell(cells, j))[0] or not _cell(below, j)
                 else _cell(cells, j) for j in range(width)]
        last = at + 1
    elif at > 0 and _fills_above(cells, rows[at - 1]):
        above = rows[at - 1]
        cells = [_cell(cells, j) or _cell(above, j) for j in range(max(len(cells), len(above)))]
        first = at - 1
    return Header(first, last, cells)


def _cell(cells: list[str], j: int) -> str:
    return cells[j].strip() if j < len(cells) else ""


def _continues(header: list[str], below: list[str], name_at: int) -> bool:
    """``below`` is the second row of a two-row header: no firm name, and it fills header gaps
    (under merged group cells) or names known fields where the header names none."""
    if _cell(below, name_at) or not any(c.strip() for c in below):
        return False
    fills = [j for j, c in enumerate(below) if c.strip() and (not _cell(header, j) or not field_of(_cell(header, j))[0])]
    others = [j for j, c in enumerate(below) if c.strip() and j not in fills]
    gaps = [j for j in fills if not _cell(header, j)]  # under a cell merged from the left
    return bool(gaps) and not others and all(field_of(below[j].strip())[0] or is_passthrough(below[j]) for j in fills)


def _fills_above(header: list[str], above: list[str]) -> bool:
    """``above`` holds header names merged down over two rows: they sit where the header is empty."""
    gaps = [j for j, c in enumerate(above) if c.strip() and not _cell(header, j)]
    return bool(gaps) and all(field_of(above[j].strip())[0] or is_passthrough(above[j]) for j in gaps)
