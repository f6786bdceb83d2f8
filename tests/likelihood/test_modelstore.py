"""Saving and loading landing models: versions, checks that refuse, the shipped demo model, the CLI."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from sklearn.preprocessing import FunctionTransformer
from typer.testing import CliRunner

from recommender import Recommender, load_map
from recommender.cli import app
from recommender.exceptions import ModelError
from recommender.likelihood import model_card, read_history, train_landing
from recommender.likelihood._modelstore import (
    CARD_SUFFIX,
    INFO_SUFFIX,
    default_models_dir,
    link_fingerprint,
    list_versions,
    load_model,
    save_model,
)

DATA = Path(__file__).resolve().parents[1] / "data"
TINY_MAP = DATA / "tiny_map"
TINY_HISTORY = DATA / "tiny_history.csv"
REBUILD = "recommender train seeds/examples/history.csv -o recommender/models/demo --synthetic"


@pytest.fixture(scope="module")
def tiny_model(tiny_map):
    model, evaluation = train_landing(read_history(TINY_HISTORY), tiny_map, name="tiny")
    return model, evaluation


@pytest.fixture
def saved(tmp_path, tiny_model):
    model, evaluation = tiny_model
    path = save_model(model, tmp_path / "models" / "tiny", card=model_card(model, evaluation))
    return path


def _rewrite(path: Path, content: dict) -> None:
    """Replace a model file and update its recorded sha256, as a forger who edits both would."""
    data = sio.dumps(content)
    path.write_bytes(data)
    sidecar = path.with_suffix(INFO_SUFFIX)
    info = json.loads(sidecar.read_text(encoding="utf-8"))
    info["sha256"] = hashlib.sha256(data).hexdigest()
    sidecar.write_text(json.dumps(info), encoding="utf-8")


# -- saving and loading ---------------------------------------------------------------------
def test_saved_model_loads_by_path_folder_and_name(saved, tiny_model, tiny_map):
    model, _ = tiny_model
    assert saved.suffix == ".skops" and saved.stem == model.info.version
    assert saved.with_suffix(INFO_SUFFIX).is_file()
    card = saved.with_name(saved.stem + CARD_SUFFIX).read_text(encoding="utf-8")
    assert "ROC-AUC" in card and "baseline: rule-based score alone" in card and "Limits" in card
    models_dir = saved.parent.parent
    for ref in (saved, saved.parent, "tiny", f"tiny/{model.info.version}"):
        loaded = load_model(ref, models_dir=models_dir)
        assert loaded.info == model.info and loaded.version == f"tiny/{model.info.version}"
    features = pd.read_csv(TINY_HISTORY, dtype=str, keep_default_na=False).rename(
        columns={"企业名称": "name", "主营业务": "description", "所在城市": "city", "国家": "country", "员工人数": "employees"}
    )
    a = Recommender(tiny_map, model=model).rank(features)[0]
    b = Recommender(tiny_map, model="tiny", models_dir=models_dir).rank(features)[0]
    np.testing.assert_array_equal(a["likelihood"], b["likelihood"])


def test_model_info_records_versions_map_dates_and_metrics(tiny_model, tiny_map):
    info = tiny_model[0].info
    assert info.sklearn_version and info.skops_version
    assert info.map_id == "tiny" and info.link_fingerprint == link_fingerprint(tiny_map)
    assert info.train_period[1] < info.test_period[0]
    assert set(info.metrics) == {"model", "rule_score", "firm_size"}
    assert 0 <= info.metrics["model"]["roc_auc"] <= 1


def test_newest_version_is_chosen_from_a_folder(saved, tiny_model):
    model, _ = tiny_model
    newer = type(model.info)(**{**model.info.__dict__, "version": "29991231-newer000"})
    save_model(type(model)(pipeline=model.pipeline, info=newer), saved.parent)
    assert list_versions(saved.parent)[-1] == "29991231-newer000"
    assert load_model(saved.parent).info.version == "29991231-newer000"


def test_unknown_model_name_says_what_exists(saved):
    with pytest.raises(ModelError, match=r"model 'nope' not found: .*\(available: tiny\)"):
        load_model("nope", models_dir=saved.parent.parent)


# -- refusals -------------------------------------------------------------------------------
def test_tampered_model_file_is_refused(saved):
    data = bytearray(saved.read_bytes())
    data[len(data) // 2] ^= 0xFF
    saved.write_bytes(bytes(data))
    with pytest.raises(ModelError, match=r"differs from the .* recorded when it was saved; it was modified or damaged and is refused"):
        load_model(saved)


def test_model_file_with_a_foreign_type_is_refused(saved):
    model = load_model(saved)
    _rewrite(saved, {"format": 1, "info": model.info.to_json(), "pipeline": model.pipeline, "x": FunctionTransformer(func=os.system)})
    with pytest.raises(ModelError, match=r"types outside the allow-list: .*FunctionTransformer"):
        load_model(saved)


def test_model_whose_inner_info_was_edited_is_refused(saved):
    model = load_model(saved)
    info = json.loads(model.info.to_json())
    info["rows"] = 999_999
    _rewrite(saved, {"format": 1, "info": json.dumps(info), "pipeline": model.pipeline})
    with pytest.raises(ModelError, match=r"the info inside the model differs"):
        load_model(saved)


def test_model_saved_under_another_sklearn_version_is_refused(saved):
    sidecar = saved.with_suffix(INFO_SUFFIX)
    data = json.loads(sidecar.read_text(encoding="utf-8"))
    data["info"]["sklearn_version"] = "0.24.2"
    sidecar.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ModelError, match=r"saved under scikit-learn 0.24.2, but .* is installed.*recommender train"):
        load_model(saved)


def test_model_without_its_sidecar_is_refused(saved):
    saved.with_suffix(INFO_SUFFIX).unlink()
    with pytest.raises(ModelError, match=r"cannot be verified"):
        load_model(saved)


def test_model_for_a_map_with_other_links_is_refused(saved, tmp_path):
    other = tmp_path / "other_map"
    shutil.copytree(TINY_MAP, other)
    chain = other / "chains" / "battery.yaml"
    chain.write_text(chain.read_text(encoding="utf-8").replace("id: cells", "id: cell_making").replace("[cells]", "[cell_making]"), encoding="utf-8")
    changed = load_map(other)
    with pytest.raises(ModelError, match=r"does not fit map 'tiny' .*the links differ .*only in the model's map: \['cells'\]; only in this map: \['cell_making'\]"):
        load_model(saved).check_map(changed)
    with pytest.raises(ModelError, match=r"recommender train HISTORY -o MODEL_DIR --map MAP_DIR"):
        Recommender(changed, model=saved)


def test_model_for_another_map_is_refused(saved, jiangmen):
    with pytest.raises(ModelError, match=r"it was trained for map 'tiny', not 'jiangmen'; the links differ"):
        Recommender(jiangmen.chain_map, model=saved)


# -- the shipped demo model ---------------------------------------------------------------------
def test_demo_model_ships_loads_fits_the_embedded_map_and_says_synthetic(jiangmen):
    folder = default_models_dir() / "demo"
    assert list_versions(folder), f"no demo model; build it with `{REBUILD}`"
    model = load_model("demo")
    try:
        model.check_map(jiangmen.chain_map)
    except ModelError as exc:  # the map's links changed since the model was built
        pytest.fail(f"{exc}\nRebuild the demo model: `{REBUILD}`")
    version = model.info.version
    assert model.info.synthetic
    card = (folder / f"{version}{CARD_SUFFIX}").read_text(encoding="utf-8")
    assert "**synthetic** (合成数据)" in card
    result = Recommender(jiangmen.chain_map, model="demo").score({"name": "甲", "description": "锂电铜箔的研发、生产"})
    assert result.model_version == f"demo/{version} (synthetic)" and 0 < result.likelihood < 1


def test_no_model_is_shipped_under_a_name_that_hides_its_data():
    """Only ``demo`` ships, and nothing is used unless asked for: the default is the prior."""
    from recommender.likelihood import DEFAULT_MODEL, PRIOR_VERSION

    assert DEFAULT_MODEL == PRIOR_VERSION
    assert sorted(p.name for p in default_models_dir().iterdir() if p.is_dir()) == ["demo"]


def test_a_model_trained_on_real_outcomes_does_not_say_synthetic(tiny_model):
    model, evaluation = tiny_model
    assert not model.info.synthetic and "synthetic" not in model.version
    assert "real outcomes" in model_card(model, evaluation)


# -- the command line -----------------------------------------------------------------------
runner = CliRunner()


def test_cli_trains_then_ranks_and_scores_with_the_model(tmp_path):
    out = tmp_path / "models" / "tiny"
    trained = runner.invoke(app, ["train", str(TINY_HISTORY), "-o", str(out), "--map", str(TINY_MAP)])
    assert trained.exit_code == 0, trained.output
    assert "rule_score" in trained.output and "firm_size" in trained.output and "saved tiny/" in trained.output
    (version,) = list_versions(out)
    ranked = tmp_path / "ranked.csv"
    result = runner.invoke(app, ["rank", str(TINY_HISTORY), "-o", str(ranked), "--map", str(TINY_MAP), "--model", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert f"tiny/{version}" in result.output
    table = pd.read_csv(ranked)
    columns = list(table.columns)
    assert columns.index("likelihood") == columns.index("score") + 1 and columns.index("priority") == columns.index("score") + 2
    assert (table["model_version"] == f"tiny/{version}").all()
    assert table["priority"].is_monotonic_decreasing
    scored = runner.invoke(app, ["score", "--map", str(TINY_MAP), "--model", str(out), "--json", '{"name": "甲", "description": "锂电铜箔生产"}'])
    assert scored.exit_code == 0, scored.output
    body = json.loads(scored.output)
    assert body["model_version"] == f"tiny/{version}" and {"score", "likelihood", "priority", "likelihood_factors"} <= set(body)


def test_cli_uses_the_prior_with_another_map_and_says_so():
    result = runner.invoke(app, ["score", "--map", str(TINY_MAP), "--json", '{"name": "甲", "description": "锂电铜箔生产"}'])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["model_version"] == "prior" and body["likelihood"] == 0.2


def test_cli_reports_a_bad_history_and_a_refused_model(tmp_path, saved):
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"企业名称": ["甲", "乙"], "首次接触日期": ["2023-01-01", "2023-01-02"], "结果": ["落地", "待定"]}).to_csv(bad, index=False)
    result = runner.invoke(app, ["train", str(bad), "-o", str(tmp_path / "m"), "--map", str(TINY_MAP)])
    assert result.exit_code == 7
    assert "unknown outcome '待定' in data rows 2" in result.output and "Traceback" not in result.output
    refused = runner.invoke(app, ["score", "--model", str(saved), "--json", '{"name": "甲"}'])
    assert refused.exit_code == 7 and "trained for map 'tiny', not 'jiangmen'" in refused.output


# -- scoring tables: a saved model scores without reading its pipeline -----------------------
def test_saved_model_scores_from_its_tables_and_reads_the_pipeline_on_demand(saved, tiny_model, tiny):
    from recommender.likelihood import estimate_landing, feature_frame, landing_tables

    model, _ = tiny_model
    loaded = load_model(saved)
    assert loaded._pipeline is None  # nothing read with skops yet
    firms = pd.DataFrame({"name": ["a", "b", "c"], "description": ["锂电铜箔的研发、生产", "销售铜箔", "锂离子电池电芯制造"],
                          "city": ["深圳", "", "江门"], "employees": ["300", "", "12"]})
    scored = tiny.scorer.score_frame(firms)
    from_tables = estimate_landing(scored, tiny.scorer.points, loaded)
    from_pipeline = estimate_landing(scored, tiny.scorer.points, model)
    np.testing.assert_array_equal(from_tables.likelihood, from_pipeline.likelihood)
    assert from_tables.labels.tolist() == from_pipeline.labels.tolist()
    features = feature_frame(scored, tiny.scorer.points)
    np.testing.assert_allclose(from_tables.likelihood, model.pipeline.predict_proba(features)[:, 1], atol=1e-12)
    assert loaded.pipeline is not None and loaded._pipeline is not None  # read now, with every check
    assert landing_tables(loaded.pipeline).to_dict() == loaded._tables.to_dict()


def test_edited_tables_are_refused(saved):
    from recommender.likelihood._modelstore import TABLES_SUFFIX

    tables = saved.with_name(saved.stem + TABLES_SUFFIX)
    data = json.loads(tables.read_text(encoding="utf-8"))
    data["baseline"] += 1.0
    tables.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ModelError, match="differs from the tables recorded"):
        load_model(saved)


def test_model_saved_without_tables_still_loads_from_its_pipeline(saved, tiny_model):
    from recommender.likelihood._modelstore import TABLES_SUFFIX

    saved.with_name(saved.stem + TABLES_SUFFIX).unlink()
    loaded = load_model(saved)
    assert loaded._pipeline is not None
    assert loaded.tables.to_dict() == tiny_model[0].tables.to_dict()


def test_scoring_with_the_demo_model_does_not_import_skops():
    import subprocess
    import sys

    code = (
        "import sys; from recommender import Recommender; r = Recommender(model='demo'); "
        "res = r.score({'name': 'x', 'description': '锂电池正极材料的研发、生产'}); "
        "assert 0 < res.likelihood < 1 and res.model_version.startswith('demo/'); "
        "print(sorted(m for m in ('skops', 'skops.io', 'openpyxl', 'xlsxwriter') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parents[2])
    assert out.stdout.strip() == "[]", out.stderr
