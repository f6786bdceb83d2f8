"""Write ``history.csv``: a SYNTHETIC record of firms a bureau courted and what came of it.

No city publishes its 招商 outcomes, so the demo history is generated. Each row is a fictional
firm from :func:`recommender.datasets.synthetic_firms`, a first-contact date and an outcome
(签约 / 落地 / 未落地) drawn from a hidden propensity that mixes:

* **chain fit**, from the scorer of the embedded map: the link's need (补链/强链), its local
  supply neighbourhood (the strongest pull) and the park that hosts it, as shares of each
  component's points;
* **firm traits**: size (mid-sized firms move most readily; giants rarely relocate, micro
  firms lack the capital), patents, supplying a local chain leader (or a terminal maker),
  pure trading (rarely builds anything), and vendor tags *against* the score: 小巨人, listed
  and high-tech firms are courted by every city, so they are harder to land;
* **origin**, again not as the score weighs it: local expansion, overseas-Chinese (侨资)
  capital and Greater Bay Area neighbours come most readily, east-bank firms (the strategy's
  favourites, courted by everyone) no more than average, foreign investors least;
* **the year** (2022 was hard; not in any profile) and **noise**: a per-firm normal term
  (sd ``NOISE_SD``) for everything no profile holds (the officer's follow-up, land and
  subsidies, the firm's own plans).

So "worth having" (the score) and "likely to come" differ, as they do in practice: the
rule-based score alone ranks landings only moderately well, and a model that learns the
traits and origins from the record does better.

Outcomes: a firm that lands is recorded 签约 (signed, not yet built) for 70 % of the wins of
the last 300 days and 12 % of older ones, else 落地; the others 未落地. Founding years after
the contact date are moved back to it.

``true_propensity`` = E[σ(logit + year + noise)] over the noise, the best any model could know
from the record and the date. :func:`make_history` returns it; ``history.csv`` does not hold it.

Run from the repository root (same seed, same file)::

    .venv/bin/python seeds/examples/make_history.py            # 4,000 rows → seeds/examples/history.csv
    .venv/bin/python seeds/examples/make_history.py -n 500 -o /tmp/h.csv --seed 7
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from recommender.chainmap import ChainMap, load_map
from recommender.datasets import synthetic_firms
from recommender.scoring import Scorer

SEED = 20_241_231
ROWS = 4_000
FIRST_DAY, LAST_DAY = np.datetime64("2021-01-01"), np.datetime64("2024-12-31")
HEADERS = {
    "name": "企业名称", "description": "主营业务", "city": "所在城市", "country": "国家", "industry_code": "行业代码",
    "employees": "员工人数", "revenue": "营业收入", "founded": "成立年份", "tags": "企业标签", "customers": "主要客户",
    "patents": "专利数",
}
DATE_HEADER, OUTCOME_HEADER = "首次接触日期", "结果"

#: The hidden propensity's parts (log-odds).
BASE = -2.8
CHAIN = {"chain_need": 1.2, "relatedness": 1.5, "park_fit": 0.5}
ORIGIN = {"local": 1.3, "overseas_chinese": 1.0, "gba_core": 0.6, "east_bank": 0.0, "foreign": -1.0, "": 0.0}
LEADER = {"local_leader": 1.2, "terminal_maker": 0.5, "": 0.0}
YEAR = {2021: 0.0, 2022: -0.3, 2023: 0.0, 2024: 0.0}
NOISE_SD = 0.5


def hidden_logit(scored: pd.DataFrame, points: dict[str, float]) -> np.ndarray:
    """The part of the log-odds that a firm's record determines."""
    share = {name: scored[f"score_{name}"].to_numpy(dtype=float) / points[name] for name in CHAIN}
    chain = sum(weight * share[name] for name, weight in CHAIN.items())
    size = scored["size"].to_numpy(dtype=float)
    size_part = np.where(np.isnan(size), -0.2, -6.0 * (np.nan_to_num(size) - 0.55) ** 2)
    patents = np.log10(np.maximum(np.nan_to_num(scored["patents"].to_numpy(dtype=float)), 0) + 1)
    strength = scored["score_firm_strength"].to_numpy(dtype=float) / points["firm_strength"]
    traits = (
        size_part + 0.3 * patents - 1.0 * strength
        + scored["leader_kind"].map(LEADER).fillna(0.0).to_numpy()
        - 1.2 * scored["trade_only"].to_numpy(dtype=float)
    )
    origin = scored["origin_group"].map(ORIGIN).fillna(0.0).to_numpy()
    return BASE + chain + traits + origin


def make_history(n: int = ROWS, *, seed: int = SEED, chain_map: ChainMap | None = None) -> pd.DataFrame:
    """``n`` synthetic courted firms: canonical profile columns, ``contact_date``, ``outcome``,
    ``label`` (1 落地/签约, 0 未落地) and the hidden ``true_propensity``, in contact order."""
    rng = np.random.default_rng(seed)
    firms = synthetic_firms(n, seed=seed).reset_index(drop=True)
    scorer = Scorer(chain_map if chain_map is not None else load_map())
    scored = scorer.score_frame(firms.astype(str).where(firms.notna(), ""))
    days = int((LAST_DAY - FIRST_DAY).astype(int)) + 1
    dates = FIRST_DAY + np.sort(rng.integers(0, days, n)).astype("timedelta64[D]")
    years = dates.astype("datetime64[Y]").astype(int) + 1970
    logit = hidden_logit(scored, scorer.points) + np.array([YEAR[y] for y in years])
    landed = rng.random(n) < 1 / (1 + np.exp(-(logit + rng.normal(0, NOISE_SD, n))))
    # signed but not yet built: most of the recent wins, a few older ones
    recent = dates > LAST_DAY - np.timedelta64(300, "D")
    signed = landed & (rng.random(n) < np.where(recent, 0.7, 0.12))
    outcome = np.where(landed, np.where(signed, "签约", "落地"), "未落地")
    # E over the noise of σ(logit + noise), by Gauss-Hermite quadrature
    nodes, weights = np.polynomial.hermite_e.hermegauss(40)
    true = (1 / (1 + np.exp(-(logit[:, None] + NOISE_SD * nodes[None, :])))) @ (weights / weights.sum())
    out = firms[[c for c in HEADERS if c in firms.columns]].copy()
    # a firm is contacted after it was founded
    founded = pd.to_numeric(out["founded"], errors="coerce").to_numpy()
    late = founded > years
    out.loc[late, "founded"] = (years[late] - rng.integers(0, 3, int(late.sum()))).astype(str)
    out["contact_date"] = dates.astype(str)
    out["outcome"] = outcome
    out["label"] = landed.astype(int)
    out["true_propensity"] = np.round(true, 6)
    return out


def write_history(path: str | Path, n: int = ROWS, *, seed: int = SEED) -> pd.DataFrame:
    """Write the CSV (UTF-8 with BOM, Chinese headers, no hidden columns); return the full frame."""
    frame = make_history(n, seed=seed)
    table = frame.drop(columns=["label", "true_propensity"]).rename(
        columns={**HEADERS, "contact_date": DATE_HEADER, "outcome": OUTCOME_HEADER}
    )
    table.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=ROWS, help=f"rows (default {ROWS})")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    parser.add_argument("-o", "--output", default=str(Path(__file__).with_name("history.csv")))
    args = parser.parse_args()
    frame = write_history(args.output, args.n, seed=args.seed)
    print(f"wrote {len(frame)} rows, {frame['label'].mean():.1%} landed or signed → {args.output}")


if __name__ == "__main__":
    main()
