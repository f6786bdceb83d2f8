"""End-to-end runs of the command line on real files."""

import csv
import io
import json
import zipfile

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from recommender.cli import app

from .conftest import TINY_MAP

runner = CliRunner()

HEADER = ["企业名称", "主营业务", "所在城市", "员工人数", "企业标签", "主要客户", "备注"]
ROWS = [
    ["甲铜箔有限公司", "锂电铜箔的研发、生产；技术开发", "深圳", "800", "专精特新", "东江电池", "=HYPERLINK(\"http://x\")"],
    ["乙贸易有限公司", "铜箔销售；货物进出口", "广州", "20", "", "", "@SUM(A1)"],
    ["", "锂离子电池制造", "东莞", "300", "", "", "缺名称"],
    ["丙电池有限公司", "锂离子电池制造", "深圳", "很多", "", "", "-待跟进"],
    ["丁餐饮有限公司", "餐饮服务", "江门", "10", "", "", "-5"],
]


def _write_csv(path, rows=ROWS, header=HEADER, encoding="utf-8"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _rank(*args):
    return runner.invoke(app, ["rank", *map(str, args), "--map", str(TINY_MAP)])


def _read_output(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_rank_gbk_file_with_chinese_headers(tmp_path):
    source = _write_csv(tmp_path / "in.csv", encoding="gbk")
    result = _rank(source, "-o", tmp_path / "out.csv")
    assert result.exit_code == 0, result.output
    out = _read_output(tmp_path / "out.csv")
    assert len(out) == len(ROWS)
    assert sorted(out["企业名称"]) == sorted(r[0] for r in ROWS)
    assert out.loc[0, "企业名称"] == "甲铜箔有限公司"
    assert out.loc[0, "action"] == "补链" and out.loc[0, "link"] == "铜箔"
    assert out["rank"].tolist() == [str(i) for i in range(1, len(ROWS) + 1)]


def test_rank_bad_rows_are_kept_marked_and_only_a_nameless_row_is_last(tmp_path):
    source = _write_csv(tmp_path / "in.csv", encoding="utf-8-sig")
    assert _rank(source, "-o", tmp_path / "out.csv").exit_code == 0
    out = _read_output(tmp_path / "out.csv")
    bad = out[out["errors"] != ""]
    assert len(bad) == 2
    nameless = bad[bad["errors"].str.contains("缺少企业名称")]
    assert nameless.index.tolist() == [len(out) - 1]
    unreadable = bad[bad["errors"].str.contains("员工人数无法解析为数字")]
    assert len(unreadable) == 1 and unreadable.index[0] < len(out) - 1  # ranks on what is known


def test_rank_trader_scores_below_the_maker(tmp_path):
    source = _write_csv(tmp_path / "in.csv")
    assert _rank(source, "-o", tmp_path / "out.csv").exit_code == 0
    out = _read_output(tmp_path / "out.csv").set_index("企业名称")
    assert float(out.loc["乙贸易有限公司", "score"]) < 10
    assert "仅销售或贸易" in out.loc["乙贸易有限公司", "reasons"]
    assert out.loc["乙贸易有限公司", "link"] == ""


def test_rank_neutralises_formula_cells_in_csv(tmp_path):
    source = _write_csv(tmp_path / "in.csv")
    assert _rank(source, "-o", tmp_path / "out.csv").exit_code == 0
    raw = (tmp_path / "out.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    out = _read_output(tmp_path / "out.csv").set_index("企业名称")
    assert out.loc["甲铜箔有限公司", "备注"].startswith("'=")
    assert out.loc["乙贸易有限公司", "备注"].startswith("'@")
    assert out.loc["丁餐饮有限公司", "备注"] == "-5"  # a number stays a number


def test_rank_xlsx_in_and_out_without_formulas(tmp_path):
    source = tmp_path / "in.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    book.save(source)
    result = _rank(source, "-o", tmp_path / "out.xlsx", "--lang", "en")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "out.xlsx") as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
    out = pd.read_excel(tmp_path / "out.xlsx", dtype=str).fillna("")
    assert len(out) == len(ROWS)
    assert out.loc[0, "link"] == "Copper foil"
    assert "fill a gap" in out.loc[0, "reasons"]


def test_rank_empty_file_is_a_clear_error(tmp_path):
    source = tmp_path / "empty.csv"
    source.write_bytes(b"")
    result = _rank(source, "-o", tmp_path / "out.csv")
    assert result.exit_code == 3
    assert "empty" in result.output


def test_rank_header_only_gives_an_empty_ranking(tmp_path):
    source = _write_csv(tmp_path / "in.csv", rows=[])
    result = _rank(source, "-o", tmp_path / "out.csv")
    assert result.exit_code == 0, result.output
    assert len(_read_output(tmp_path / "out.csv")) == 0


def test_rank_missing_file(tmp_path):
    result = _rank(tmp_path / "nope.csv", "-o", tmp_path / "out.csv")
    assert result.exit_code == 3
    assert "not found" in result.output


def test_rank_undecodable_bytes_name_the_line(tmp_path):
    source = tmp_path / "bad.csv"
    source.write_bytes("企业名称,主营业务\n甲,锂电铜箔生产\n".encode() + b"\xff\xfe\xfa,x\n")
    result = _rank(source, "-o", tmp_path / "out.csv")
    assert result.exit_code == 5
    assert "line 3" in result.output


def test_rank_bad_map_exit_code(tmp_path):
    source = _write_csv(tmp_path / "in.csv")
    result = runner.invoke(app, ["rank", str(source), "-o", str(tmp_path / "out.csv"), "--map", str(tmp_path)])
    assert result.exit_code == 4


def test_rank_shortlist_reports_coverage(tmp_path):
    source = _write_csv(tmp_path / "in.csv")
    result = _rank(source, "-o", tmp_path / "out.csv", "--shortlist", "2")
    assert result.exit_code == 0, result.output
    assert "短名单覆盖 1/1 个缺口环节" in result.output
    out = _read_output(tmp_path / "out.csv")
    assert out.loc[out["shortlist"] == "1", "企业名称"].tolist() == ["甲铜箔有限公司"]


def test_rank_many_chunks_every_row_once_in_order(tmp_path):
    rows = [[f"企业{i:05d}", ["锂电铜箔生产", "锂离子电池制造", "餐饮服务", "铜箔销售"][i % 4], "深圳", str(10 + i), "", "", ""] for i in range(2_000)]
    source = _write_csv(tmp_path / "in.csv", rows=rows)
    result = runner.invoke(app, ["rank", str(source), "-o", str(tmp_path / "out.csv"), "--map", str(TINY_MAP), "--chunk-rows", "300"])
    assert result.exit_code == 0, result.output
    out = _read_output(tmp_path / "out.csv")
    assert sorted(out["企业名称"]) == [r[0] for r in rows]
    scores = out["score"].astype(float).tolist()
    assert scores == sorted(scores, reverse=True)


def test_score_json_from_stdin():
    profile = {"name": "甲", "description": "锂电铜箔的研发、生产", "city": "深圳", "employees": 800}
    result = runner.invoke(app, ["score", "--map", str(TINY_MAP)], input=json.dumps(profile, ensure_ascii=False))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["link_id"] == "foil" and data["action"] == "补链"
    assert data["score"] == pytest.approx(sum(data["components"].values()), abs=0.011)
    assert 2 <= len(data["reasons"]) <= 5


def test_score_rejects_unknown_field():
    result = runner.invoke(app, ["score", "--map", str(TINY_MAP), "--json", '{"name": "x", "score": 100}'])
    assert result.exit_code == 6
    assert "unknown field" in result.output


def test_chains_gap_report():
    result = runner.invoke(app, ["chains", "--map", str(TINY_MAP)])
    assert result.exit_code == 0
    assert "1.00  补链  upstream   missing  铜箔 (foil)" in result.output


def test_validate_map_ok_and_bad(tmp_path):
    assert runner.invoke(app, ["validate-map", str(TINY_MAP)]).exit_code == 0
    assert runner.invoke(app, ["validate-map", str(tmp_path)]).exit_code == 4


def test_rank_a_50k_row_file_keeps_every_row_once_in_rank_order(tmp_path):
    from recommender.datasets import synthetic_firms

    firms = synthetic_firms(50_000, seed=7)
    firms.insert(0, "firm_id", [f"F{i:06d}" for i in range(len(firms))])
    source = tmp_path / "firms.csv"
    firms.to_csv(source, index=False, encoding="gb18030")
    result = runner.invoke(app, ["rank", str(source), "-o", str(tmp_path / "out.csv"), "--chunk-rows", "20000", "--workers", "2", "--shortlist", "5"])
    assert result.exit_code == 0, result.output
    out = _read_output(tmp_path / "out.csv")
    assert len(out) == 50_000
    assert sorted(out["firm_id"]) == firms["firm_id"].tolist()
    assert out["rank"].tolist() == [str(i) for i in range(1, 50_001)]
    firsts = out[out["duplicate_of"] == ""]
    priorities = firsts["priority"].astype(float).tolist()
    assert priorities == sorted(priorities, reverse=True)
    # a later copy (same name once 有限公司/股份有限公司 forms are set aside) comes right after its first copy
    copies = out[out["duplicate_of"] != ""]
    position_of_line = {int(i) + 2: k for k, i in enumerate(out["firm_id"].str[1:].astype(int))}
    for k, first_line in zip(copies.index, copies["duplicate_of"].astype(int), strict=True):
        assert out.loc[position_of_line[first_line] + 1 : k - 1, "duplicate_of"].ne("").all()
    assert sorted(out.loc[out["shortlist"] != "", "shortlist"].astype(int)) == [1, 2, 3, 4, 5]


def test_rank_with_workers_writes_the_same_bytes_as_one_process(tmp_path, monkeypatch):
    from recommender.datasets import synthetic_firms

    source = tmp_path / "firms.csv"
    synthetic_firms(6_000, seed=11).to_csv(source, index=False, encoding="utf-8-sig")
    from recommender.tables import TableWriter

    reserved = []
    reserve = TableWriter.reserve_encoded

    def spy(self, nbytes, rows):
        reserved.append(rows)
        return reserve(self, nbytes, rows)

    monkeypatch.setattr(TableWriter, "reserve_encoded", spy)
    outputs = []
    for workers in ("1", "2"):
        target = tmp_path / f"out{workers}.csv"
        result = runner.invoke(app, ["rank", str(source), "-o", str(target), "--chunk-rows", "1500", "--workers", workers, "--shortlist", "3"])
        assert result.exit_code == 0, result.output
        outputs.append(target.read_bytes())
    assert reserved == [6_000, 6_000]  # one write path: both runs wrote all their rows in place (two workers: two runs of ranks)
    assert outputs[0] == outputs[1]
    assert outputs[0].count(b"\r\n") == 6_001 and outputs[0].startswith(b"\xef\xbb\xbf")


def _rank_sample(tmp_path, *options: str) -> tuple[str, pd.DataFrame]:
    from pathlib import Path

    sample = Path(__file__).resolve().parents[1] / "seeds" / "examples" / "candidates.csv"
    out = tmp_path / "ranked.csv"
    result = runner.invoke(app, ["rank", str(sample), "-o", str(out), "--workers", "1", "--top", "3", *options])
    assert result.exit_code == 0, result.output
    return result.output, pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_default_order_on_the_embedded_map_is_the_prior_and_follows_the_score(tmp_path):
    output, ranked = _rank_sample(tmp_path)
    assert "landing model: prior" in output
    assert set(ranked["model_version"]) == {"prior"} and set(ranked["likelihood"].astype(float)) == {0.2}
    scores = ranked.loc[ranked["errors"] == "", "score"].astype(float).tolist()  # rows with problems rank last
    assert len(scores) > 100 and scores == sorted(scores, reverse=True)  # under the prior, priority is monotone in the score
    profile = json.dumps({"name": "甲", "description": "锂电铜箔的研发、生产"}, ensure_ascii=False)
    assert json.loads(runner.invoke(app, ["score", "--json", profile]).output)["model_version"] == "prior"


def test_demo_model_is_used_only_when_asked_and_says_synthetic(tmp_path):
    output, ranked = _rank_sample(tmp_path, "--model", "demo")
    (version,) = set(ranked["model_version"])
    assert version.startswith("demo/") and version.endswith("(synthetic)")
    assert f"landing model: {version}（合成数据训练" in output
    profile = json.dumps({"name": "甲", "description": "锂电铜箔的研发、生产"}, ensure_ascii=False)
    assert json.loads(runner.invoke(app, ["score", "--json", profile, "--model", "demo"]).output)["model_version"] == version
