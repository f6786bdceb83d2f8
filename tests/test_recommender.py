"""The public entry point: one profile at a time gives what a whole table gives."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recommender import Recommender
from recommender.datasets import synthetic_firms
from recommender.likelihood import Factor, feature_frame
from recommender.ranking import rank_file
from recommender.scoring import FIELDS, profile_columns

from .conftest import TINY_MAP

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def eval_firms():
    firms = pd.read_csv(ROOT / "seeds" / "eval" / "firms.csv", dtype=str, keep_default_na=False)
    return firms[[c for c in FIELDS if c in firms.columns]]


@pytest.fixture(scope="module")
def trained():
    return Recommender(model="demo")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_one_profile_at_a_time_equals_the_whole_table(trained, eval_firms, lang):
    # the table is long enough for pandas' number parser; single profiles take the short path
    table = trained.results(eval_firms, lang=lang)
    one_by_one = [trained.score(profile, lang=lang) for profile in eval_firms.to_dict("records")]
    assert len(table) == len(eval_firms) > 64
    assert one_by_one == table
    assert trained.score_many(eval_firms.head(7).to_dict("records"), lang=lang) == table[:7]
    assert {r.model_version for r in table} == {trained.model_version} and len({r.likelihood for r in table}) > 20


def test_short_and_long_number_columns_parse_alike():
    tricky = ["1", "1.5", "-3", "+4", "1e3", ".5", "5.", "1_000", "nan", "inf", "-inf", "Infinity", "0x10", "1,000",
              " 7 ", "١٢", "１２", "12.0.1", "约300", "300-500", "1.2万", "不详", "", "True", "1e400", "²"]
    long = profile_columns({"name": ["x"] * (len(tricky) * 4), "employees": tricky * 4})
    short = profile_columns({"name": ["x"] * len(tricky), "employees": tricky})
    np.testing.assert_array_equal(long["employees"][: len(tricky)], short["employees"])
    assert long["errors"][: len(tricky)].tolist() == short["errors"].tolist()
    assert short["employees"][tricky.index("1_000")] != 1000  # pandas does not read "_" separators


def test_compiled_landing_model_matches_the_pipeline(trained, eval_firms):
    scored = trained.scorer.score_frame(eval_firms)
    estimate = trained.model.estimate(scored, trained.scorer.points)
    pipeline = trained.model.pipeline
    features = feature_frame(scored, trained.scorer.points)
    np.testing.assert_allclose(estimate.likelihood, pipeline.predict_proba(features)[:, 1], rtol=0, atol=1e-12)
    codes = pipeline.named_steps["bin"].transform(features)
    np.testing.assert_allclose(estimate.parts, pipeline.named_steps["model"].contributions(codes), rtol=0, atol=0)
    labels = pipeline.named_steps["bin"].labels_
    expected = [[labels[j][int(c)] for j, c in enumerate(row)] for row in codes]
    assert estimate.labels.tolist() == expected
    assert list(estimate.contributions.index) == list(scored.index)
    # each row's factors: every part, largest in size first (ties in feature order), rounded to 4 places
    names = estimate.names
    for row, factors in zip(range(len(scored)), estimate.all_factors(), strict=True):
        order = sorted(range(len(names)), key=lambda k: -abs(estimate.parts[row, k]))
        assert factors == tuple(Factor(names[k], expected[row][k], round(float(estimate.parts[row, k]), 4)) for k in order)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_results_likelihood_reasons_are_those_of_the_ranked_file(trained, eval_firms, lang):
    """The score (API, ``recommender score``) and the ranked file explain the likelihood alike."""
    results = trained.results(eval_firms, lang=lang)
    ranked, _ = trained.rank(eval_firms, lang=lang)
    sep = "；" if lang == "zh" else "; "
    joined = [sep.join(r.likelihood_reasons) for r in results]
    assert all(r.likelihood_reasons and len(r.likelihood_reasons) <= 3 for r in results)
    by_name = ranked.set_index("name")["likelihood_reasons"]  # ranked rows are in rank order
    assert eval_firms["name"].is_unique
    assert [by_name[r.firm] for r in results] == joined
    assert sum(("↑" in text or "↓" in text) for text in joined) > len(joined) / 2


def test_rank_file_refuses_an_option_it_does_not_name(tmp_path):
    source, target = tmp_path / "firms.csv", tmp_path / "ranked.csv"
    synthetic_firms(5, seed=1).to_csv(source, index=False)
    recommender = Recommender(TINY_MAP)
    with pytest.raises(TypeError, match="shortlist_size"):
        recommender.rank_file(source, target, shortlist_size=3)
    with pytest.raises(TypeError, match="shortlist$"):  # the function's own is shortlist_k
        rank_file(recommender.scorer, source, target, shortlist=3)
    assert not target.exists()
    assert recommender.rank_file(source, target, shortlist=3, top=2, chunk_rows=2).rows == 5
