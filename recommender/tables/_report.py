"""What was read and how: the column report and the 说明 / Notes sheet of an XLSX output.

:func:`column_report` says, for each input column, which field it fed (and how), or that it was
passed through, and how many of its values could not be read. :func:`notes_rows` lays the
counts, the shortlist's coverage, the map and model versions and the column report out as the
rows of the notes sheet (:meth:`~._writing.TableWriter.add_notes`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

from .._packagedata import read_labels
from ._header import is_passthrough
from ._reading import InputTable
from ._values import FX_DATE

__all__ = ["ColumnUse", "column_report", "format_column_report", "identifier_column", "notes_rows"]

#: canonical field -> what it is used for, (Chinese, English); the table is ``column_uses.yaml`` beside this module.
_USES = read_labels(__package__, "column_uses.yaml")
_PASSED = ("原样保留", "passed through")
_KNOWN_PASSED = ("原样保留（不参与评分）", "passed through (nothing to score)")
_IDENTIFIER = re.compile(r"代码|编码|电话|手机|传真|号码|注册号|邮编|识别号|联系方式|账号|帐号|编号|证号|身份证|qq|微信|"
                         r"code|phone|tel|fax|zip|account|id$", re.I)
_IDENTIFIER_FIELDS = frozenset({"name", "credit_code", "industry_code", "industry_name"})


@dataclass(frozen=True)
class ColumnUse:
    """One input column: the field it fed (``""``: passed through), what for, values unreadable."""

    column: str
    field: str
    use_zh: str
    use_en: str
    unreadable: int

    def as_dict(self, lang: str = "zh") -> dict[str, object]:
        out = asdict(self)
        out["use"] = self.use_zh if lang == "zh" else self.use_en
        return out


def column_report(table: InputTable, unreadable: Mapping[str, int]) -> tuple[ColumnUse, ...]:
    """Each input column of ``table``: the field it fed or passed through, and unreadable counts."""
    out = []
    for column in table.columns:
        field = table.mapping.get(column, "")
        if field:
            use_zh, use_en = _USES[field]
            if field in ("revenue", "capital") and table.units.get(column, 1e4) != 1e4:
                use_zh, use_en = f"{use_zh}（表头单位已换算）", f"{use_en} (unit in the header converted)"
        else:
            use_zh, use_en = _KNOWN_PASSED if is_passthrough(column) else _PASSED
        out.append(ColumnUse(column, field, use_zh, use_en, int(unreadable.get(column, 0))))
    return tuple(out)


def identifier_column(column: str, field: str) -> bool:
    """A column of codes or numbers that are names, not quantities (kept as text in XLSX output)."""
    return field in _IDENTIFIER_FIELDS or bool(_IDENTIFIER.search(column))


def format_column_report(columns: Sequence[ColumnUse], lang: str = "zh") -> list[str]:
    """The column report as lines of text, for a terminal."""
    zh = lang == "zh"
    lines = ["列使用情况：" if zh else "columns used:"]
    for use in columns:
        bad = (f"，{use.unreadable} 个值无法读取" if zh else f", {use.unreadable} value{'s' if use.unreadable > 1 else ''} unreadable"
               ) if use.unreadable else ""
        lines.append(f"  {use.column} → {use.use_zh if zh else use.use_en}{bad}")
    return lines


def notes_rows(*, counts: Sequence[tuple[str, str, object]], columns: Sequence[ColumnUse], header_rows: Sequence[int],
               coverage: str | None, map_version: str, model_version: str, lang: str = "zh") -> list[list[object]]:
    """Rows of the 说明 / Notes sheet. ``counts`` are (Chinese label, English label, value)."""
    zh = lang == "zh"
    rows: list[list[object]] = [["项目 / Item", "值 / Value"]]
    rows += [[f"{label_zh} / {label_en}", value] for label_zh, label_en, value in counts]
    rows.append(["表头所在行 / header rows", "、".join(map(str, header_rows))])
    if coverage is not None:
        rows.append(["短名单覆盖 / shortlist coverage", coverage])
    rows.append(["产业链图谱版本 / map version", map_version])
    rows.append(["落地模型版本 / landing model version", model_version])
    rows.append(["外币折算 / currency conversion", f"{FX_DATE} 年人民币汇率中间价年均值（约数）" if zh
                 else f"annual average central parity rates of {FX_DATE} (rounded)"])
    rows.append([])
    rows.append(["输入列 / input column", "用途 / used for", "无法读取的值 / unreadable values"])
    rows += [[use.column, use.use_zh if zh else use.use_en, use.unreadable] for use in columns]
    return rows
