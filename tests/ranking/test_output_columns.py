"""Output column names are safe against every input column name: a property test over the
names, for CSV and XLSX, with and without a top list and a shortlist, in files and frames."""

import tempfile
from pathlib import Path

import openpyxl
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender import OUTPUT_COLUMNS, Recommender
from recommender.tables import write_table

from ..conftest import TINY_MAP

FIRMS = [
    ("甲铜箔有限公司", "锂电铜箔的研发、生产"),
    ("乙电池有限公司", "锂离子电池制造"),
    ("丙铜箔有限公司", "电解铜箔生产"),
    ("", "无名称的行"),
    ("丁餐饮有限公司", "餐饮服务"),
]
#: Input column names that an output column has, or would take as its suffixed name.
CLASHING = [
    *OUTPUT_COLUMNS, *(f"{c}_1" for c in OUTPUT_COLUMNS), "rank_2", "score_2", "shortlist_2", "model_version_2",
    "_row", "row", "gain", "Rank",
]
RECOMMENDER = Recommender(TINY_MAP)


def _expected_names(inputs: list[str]) -> list[str]:
    """The rule the README states: an output column keeps its name unless the input (or an
    output column before it) has it; then it takes the first free ``name_1``, ``name_2``, …"""
    taken, names = set(inputs), []
    for column in OUTPUT_COLUMNS:
        name, k = column, 0
        while name in taken:
            k += 1
            name = f"{column}_{k}"
        taken.add(name)
        names.append(name)
    return names


def _read(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    rows = list(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    return pd.DataFrame([["" if v is None else str(v) for v in row] for row in rows[1:]], columns=list(rows[0]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    extra=st.lists(st.sampled_from(CLASHING), unique=True, max_size=8),
    suffix=st.sampled_from([".csv", ".xlsx"]),
    top=st.sampled_from([0, 2, 10]),
    shortlist=st.sampled_from([0, 2]),
)
def test_output_columns_never_clash_with_input_columns(extra, suffix, top, shortlist):
    inputs = ["name", "description", *extra]
    source_frame = pd.DataFrame([[name, text, *(f"{c}:{i}" for c in extra)] for i, (name, text) in enumerate(FIRMS)], columns=inputs)
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / f"in{suffix}", Path(folder) / f"out{suffix}"
        write_table(source, source_frame)
        report = RECOMMENDER.rank_file(source, target, top=top, shortlist=shortlist)
        out = _read(target)
    names = _expected_names(inputs)
    header = [*inputs, *names]
    assert list(out.columns) == header and len(set(header)) == len(header)
    named = dict(zip(OUTPUT_COLUMNS, names, strict=True))
    # the input columns come back unchanged, every row once
    assert sorted(map(tuple, out[inputs].to_numpy().tolist())) == sorted(map(tuple, source_frame.to_numpy().tolist()))
    assert out[named["rank"]].astype(int).tolist() == list(range(1, len(FIRMS) + 1))
    assert set(out[named["model_version"]]) == {report.model_version}
    picked = sorted(int(v) for v in out[named["shortlist"]] if v != "")
    assert picked == list(range(1, len(picked) + 1)) and len(picked) == (min(shortlist, 3) if shortlist else 0)
    assert out[named["name"] if "name" in named else "name"].iloc[-1] == ""  # the bad row ranks last
    assert list(report.top.columns) == header
    assert report.top[named["rank"]].tolist() == list(range(1, min(top, len(FIRMS)) + 1))
    ranked, _ = RECOMMENDER.rank(source_frame, shortlist=shortlist)
    assert list(ranked.columns) == header
    assert ranked[named["rank"]].tolist() == list(range(1, len(FIRMS) + 1))
    assert ranked[named["shortlist"]].notna().sum() == len(picked)
