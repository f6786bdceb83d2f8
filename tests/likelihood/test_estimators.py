"""The landing model: estimator contracts, exact parts, priority, and recovery of a hidden propensity."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import logit
from sklearn.metrics import roc_auc_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from recommender import Recommender
from recommender.likelihood import (
    CATEGORICAL_FEATURES,
    FEATURE_COLUMNS,
    PRIOR_LIKELIHOOD,
    AdditiveBinner,
    AdditiveLogisticClassifier,
    estimate_landing,
    feature_frame,
    make_landing_pipeline,
    priority,
    read_history,
)
from recommender.scoring import Scorer

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parents[1] / "data"
HISTORY = ROOT / "seeds" / "examples" / "history.csv"


# -- scikit-learn contracts -----------------------------------------------------------------
@parametrize_with_checks([AdditiveBinner(), AdditiveBinner(categorical_features=[0], min_frequency=1), AdditiveLogisticClassifier()])
def test_landing_estimators_follow_sklearn_conventions(estimator, check):
    check(estimator)


# -- the binner, by hand --------------------------------------------------------------------
def test_binner_codes_missing_bins_and_categories_by_hand():
    X = pd.DataFrame({"x": [1.0, 2.0, np.nan, 3.0], "c": ["a", "a", None, "b"]})
    binner = AdditiveBinner(n_bins=4, categorical_features=["c"], min_frequency=2).fit(X)
    # three distinct numbers (≤ n_bins): one bin per value, cut at the midpoints
    np.testing.assert_allclose(binner.edges_[0], [1.5, 2.5])
    assert list(binner.categories_[1]) == ["a"]  # "b" is seen once, < min_frequency
    codes = binner.transform(X)
    np.testing.assert_array_equal(codes, [[2, 2], [3, 2], [0, 0], [4, 1]])
    assert binner.labels_[0] == ["missing", "other", "< 1.5", "[1.5, 2.5)", "≥ 2.5"]


def test_binner_unseen_category_is_other_or_an_error():
    X = pd.DataFrame({"c": ["a", "a", "b", "b"]})
    assert AdditiveBinner(categorical_features=["c"], min_frequency=1).fit(X).transform(pd.DataFrame({"c": ["z"]}))[0, 0] == 1
    strict = AdditiveBinner(categorical_features=["c"], min_frequency=1, handle_unknown="error").fit(X)
    with pytest.raises(ValueError, match=r"unseen in training: \['z'\]"):
        strict.transform(pd.DataFrame({"c": ["z"]}))


def test_binner_rejects_bad_parameters():
    with pytest.raises(ValueError, match="The 'n_bins' parameter of AdditiveBinner must be an int >= 2"):
        AdditiveBinner(n_bins=1).fit(np.zeros((3, 1)))
    with pytest.raises(ValueError, match="names 'nope', which is not a column"):
        AdditiveBinner(categorical_features=["nope"]).fit(pd.DataFrame({"x": ["a"]}))


# -- the classifier -------------------------------------------------------------------------
def test_classifier_parts_add_up_to_the_log_odds_exactly():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 4, size=(200, 3)).astype(float)
    y = (X[:, 0] + rng.normal(0, 1, 200) > 1.5).astype(int)
    model = AdditiveLogisticClassifier().fit(X, y)
    parts = model.contributions(X)
    np.testing.assert_allclose(model.decision_function(X), model.baseline_ + parts.sum(axis=1), rtol=0, atol=1e-12)
    np.testing.assert_allclose(logit(model.predict_proba(X)[:, 1]), model.decision_function(X), atol=1e-9)
    np.testing.assert_allclose(parts.mean(axis=0), 0.0, atol=1e-9)  # centred on the training firms
    assert model.contributions(np.array([[9.0, 0.0, 0.0]]))[0, 0] == 0.0  # an unseen level counts 0


def test_classifier_refuses_one_class():
    with pytest.raises(ValueError, match="Only binary classification is supported"):
        AdditiveLogisticClassifier().fit(np.zeros((4, 1)), [1, 1, 1, 1])


# -- features, estimates, priority ----------------------------------------------------------
@pytest.fixture(scope="module")
def tiny_scored(tiny_map):
    scorer = Scorer(tiny_map)
    firms = pd.DataFrame({
        "name": ["铜箔厂", "电芯厂", "饭店", "空白"],
        "description": ["锂电铜箔的研发、生产", "锂离子电池电芯制造", "餐饮服务", ""],
        "city": ["深圳", "", "广州", ""],
        "employees": ["300", "", "20", ""],
    })
    return scorer, scorer.score_frame(firms)


def test_feature_frame_declares_its_columns_and_shares(tiny_scored):
    scorer, scored = tiny_scored
    features = feature_frame(scored, scorer.points)
    assert tuple(features.columns) == FEATURE_COLUMNS
    shares = features[[c for c in FEATURE_COLUMNS if c.startswith("fit_")]].to_numpy()
    assert ((shares >= 0) & (shares <= 1)).all()
    assert features.loc[0, "fit_chain_need"] == pytest.approx(scored.loc[0, "score_chain_need"] / scorer.points["chain_need"])
    assert np.isnan(features.loc[1, "employees_log"])  # missing stays missing
    assert pd.isna(features.loc[2, "chain_id"])  # no link: a missing category
    assert set(CATEGORICAL_FEATURES) <= set(features.columns)


def test_pipeline_handles_missing_values_and_unseen_categories(tiny_scored):
    scorer, scored = tiny_scored
    features = feature_frame(scored, scorer.points)
    rng = np.random.default_rng(1)
    train = features.sample(60, replace=True, random_state=1).reset_index(drop=True)
    pipeline = make_landing_pipeline(min_frequency=1).fit(train, rng.integers(0, 2, 60))
    odd = features.copy()
    odd.loc[0, "origin_group"] = "never_seen_group"
    odd.loc[1, "size"] = np.nan
    p = pipeline.predict_proba(odd)[:, 1]
    assert np.isfinite(p).all() and ((p > 0) & (p < 1)).all()


def test_priority_is_the_geometric_mean_of_score_share_and_likelihood():
    assert priority(100, 1.0) == 100.0
    assert priority(50, 0.5) == 50.0
    assert priority(64, 0.25) == 40.0
    assert priority(0, 0.9) == 0.0
    score, likelihood = np.array([80.0, 40.0, 60.0]), np.array([0.1, 0.5, 0.3])
    assert list(np.argsort(-priority(score, likelihood))) == list(np.argsort(-(score * likelihood)))


def test_prior_is_used_without_a_model_and_says_so(tiny):
    result = tiny.score({"name": "铜箔厂", "description": "锂电铜箔的研发、生产"})
    assert result.model_version == "prior" and tiny.model_version == "prior"
    assert result.likelihood == PRIOR_LIKELIHOOD and result.likelihood_factors == ()
    assert result.priority == float(priority(result.score, PRIOR_LIKELIHOOD))
    assert result.as_dict()["model_version"] == "prior"
    assert abs(sum(c.points for c in result.components) - result.score) < 0.011  # score unchanged


def test_prior_ranking_orders_as_the_score(tiny):
    firms = pd.DataFrame({"name": ["a", "b", "c"], "description": ["餐饮服务", "锂电铜箔的研发、生产", "锂离子电池电芯制造"]})
    ranked, _ = tiny.rank(firms)
    assert list(ranked["score"]) == sorted(ranked["score"], reverse=True)
    assert {"likelihood", "priority", "likelihood_reasons", "model_version"} <= set(ranked.columns)
    assert list(ranked.columns).index("likelihood") == list(ranked.columns).index("score") + 1
    assert (ranked["model_version"] == "prior").all()


def test_estimate_parts_reproduce_the_likelihood(tiny_scored):
    scorer, scored = tiny_scored
    features = feature_frame(scored, scorer.points)
    pipeline = make_landing_pipeline(min_frequency=1).fit(pd.concat([features] * 5), [1, 0, 0, 1] * 5)

    class _Model:
        version = "test/1"

    _Model.pipeline = pipeline
    estimate = estimate_landing(scored, scorer.points, _Model())
    np.testing.assert_allclose(logit(estimate.likelihood), estimate.baseline + estimate.contributions.sum(axis=1), atol=1e-9)
    np.testing.assert_allclose(estimate.likelihood, pipeline.predict_proba(features)[:, 1], atol=1e-12)
    factors = estimate.factors(0)
    assert abs(factors[0].log_odds) >= abs(factors[-1].log_odds)
    # refitting the same pipeline object: the estimate follows the new fit, not a stale one
    pipeline.fit(pd.concat([features] * 5), [0, 1, 1, 0] * 5)
    refitted = estimate_landing(scored, scorer.points, _Model())
    np.testing.assert_allclose(refitted.likelihood, pipeline.predict_proba(features)[:, 1], atol=1e-12)
    assert not np.allclose(refitted.likelihood, estimate.likelihood)


# -- recovering what the generator hid ------------------------------------------------------
def _generator():
    spec = importlib.util.spec_from_file_location("make_history", ROOT / "seeds" / "examples" / "make_history.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(tmp_path_factory, jiangmen):
    """A 4,000-row history written by the demo generator (for the current map), read and trained on."""
    from recommender.likelihood import train_landing

    path = tmp_path_factory.mktemp("history") / "history.csv"
    truth = _generator().write_history(path)
    history = read_history(path)
    model, evaluation = train_landing(history, jiangmen.chain_map, name="test")
    return truth, history, model, evaluation


def test_generated_history_round_trips_through_its_file(generated):
    truth, history, _, _ = generated
    assert len(history) == len(truth) == 4000
    np.testing.assert_array_equal(truth["label"].to_numpy(), history.label)
    np.testing.assert_array_equal(truth["contact_date"].to_numpy(dtype=str), history.contact_date.astype(str))


def test_model_recovers_the_hidden_propensity_on_a_later_period(generated):
    truth, history, _, evaluation = generated
    test = evaluation.test_rows_index
    true_auc = roc_auc_score(history.label[test], truth["true_propensity"].to_numpy()[test])
    table = evaluation.table
    assert evaluation.test_period[0] > evaluation.train_period[1]  # time respected
    assert table.loc["model", "roc_auc"] >= true_auc - 0.05, (table, true_auc)
    assert table.loc["model", "roc_auc"] > table.loc["rule_score", "roc_auc"]
    assert table.loc["model", "roc_auc"] > table.loc["firm_size", "roc_auc"]
    assert table.loc["model", "average_precision"] > table.loc[["rule_score", "firm_size"], "average_precision"].max()


def test_model_is_calibrated_on_the_later_period(generated):
    truth, _, _, evaluation = generated
    true = truth["true_propensity"].to_numpy()[evaluation.test_rows_index]
    p = evaluation.test_likelihood
    assert abs(p.mean() - true.mean()) < 0.03  # the level is right (against what the generator knows)
    assert np.abs(p - true).mean() < 0.08  # and so is each firm's, roughly
    table = evaluation.table
    assert table.loc["model", "brier"] < table.loc[["rule_score", "firm_size"], "brier"].min()
    assert (evaluation.calibration["observed"] - evaluation.calibration["predicted"]).abs().max() < 0.15


def test_model_likelihood_parts_are_exact_per_firm(generated, jiangmen):
    _, _, model, _ = generated
    rec = Recommender(jiangmen.chain_map, model=model)
    result = rec.score({"name": "江门铜箔", "description": "锂电铜箔的研发、生产", "city": "深圳", "employees": 400})
    assert result.model_version == "test/" + model.info.version
    total = result.likelihood_baseline + sum(f.log_odds for f in result.likelihood_factors)
    assert float(logit(result.likelihood)) == pytest.approx(total, abs=2e-3)
    assert 0 < result.likelihood < 1 and 0 <= result.priority <= 100
    factors = result.as_dict()["likelihood_factors"]
    assert factors == [f._asdict() for f in result.likelihood_factors] and len(factors) == len(model.tables.names)


def test_shipped_demo_history_is_labelled_and_spans_four_years():
    history = read_history(HISTORY)
    assert len(history) == 4000
    assert 0.15 < history.label.mean() < 0.35
    first, last = history.period
    assert first.startswith("2021") and last.startswith("2024")
    assert set(history.outcome) == {"landed", "signed", "lost"}
    assert "SYNTHETIC" in (HISTORY.parent / "HISTORY.md").read_text(encoding="utf-8")
