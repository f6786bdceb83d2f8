"""Matching quality on the held-out evaluation set (``seeds/eval/firms.csv``).

The set was written by hand, blind to the matcher's keywords, with graded gold links per firm
(``link:2`` primary, ``link:1`` secondary, ``none`` for distractors). It is never used to tune
matching: run this when matching changes and record the figures in ``benchmarks/README.md``.

Reported:

* NDCG@10 by link: for each link with a relevant firm, rank every firm by its affinity to the
  link (the officer's question "whom to court for this gap?"), mean over links;
* top-1 / top-3 link accuracy: is the firm's primary gold link its best / among its best 3;
* distractor rejection: the share of ``none`` firms that match no link;
* false matches: the share of ``none`` firms matched anyway.

Usage::

    python benchmarks/eval_matching.py [--map DIR] [--eval FILE] [--no-trade-rule]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import ndcg_score

from recommender import LinkMatcher, link_vocabulary, load_map
from recommender.matching import activity_words

ROOT = Path(__file__).resolve().parent.parent


def parse_gold(text: str) -> dict[str, int]:
    if text.strip().lower() == "none":
        return {}
    gold = {}
    for item in text.split(";"):
        link, _, grade = item.strip().partition(":")
        gold[link] = int(grade or 1)
    return gold


def evaluate(map_dir: Path | None, eval_file: Path, *, trade_rule: bool = True) -> dict[str, float]:
    chain_map = load_map(map_dir)
    firms = pd.read_csv(eval_file, dtype=str, keep_default_na=False)
    matcher = LinkMatcher(use_trade_rule=trade_rule, activities=activity_words(chain_map)).fit(link_vocabulary(chain_map))
    affinity = matcher.transform(firms).toarray()
    links = list(matcher.link_ids_)
    col = {link: i for i, link in enumerate(links)}
    golds = [parse_gold(g) for g in firms["gold"]]
    unknown = {link for g in golds for link in g if link not in col}
    if unknown:
        raise SystemExit(f"gold links not in the map: {sorted(unknown)}")
    relevance = np.zeros_like(affinity)
    for i, gold in enumerate(golds):
        for link, grade in gold.items():
            relevance[i, col[link]] = grade
    queried = np.flatnonzero(relevance.sum(axis=0) > 0)
    ndcg = [ndcg_score(relevance[:, [j]].T, affinity[:, [j]].T, k=10) for j in queried]
    primaries = [(i, col[max(g, key=g.get)]) for i, g in enumerate(golds) if g]
    order = np.argsort(-affinity, axis=1, kind="stable")
    top1 = np.mean([affinity[i, j] > 0 and order[i, 0] == j for i, j in primaries])
    top3 = np.mean([affinity[i, j] > 0 and j in order[i, :3] for i, j in primaries])
    none = [i for i, g in enumerate(golds) if not g]
    matched = affinity.max(axis=1) > 0
    return {
        "firms": len(firms),
        "links queried": len(queried),
        "NDCG@10 by link": float(np.mean(ndcg)),
        "top-1 link accuracy": float(top1),
        "top-3 link accuracy": float(top3),
        "relevant firms matched": float(np.mean([matched[i] for i, _ in primaries])),
        "distractors rejected": float(np.mean([not matched[i] for i in none])) if none else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--map", type=Path, default=None)
    parser.add_argument("--eval", type=Path, default=ROOT / "seeds" / "eval" / "firms.csv")
    parser.add_argument("--no-trade-rule", action="store_true", help="ablation: count products named only in trade clauses")
    args = parser.parse_args()
    figures = evaluate(args.map, args.eval, trade_rule=not args.no_trade_rule)
    print(f"# {args.eval.relative_to(ROOT) if args.eval.is_relative_to(ROOT) else args.eval}, trade rule {'off' if args.no_trade_rule else 'on'}")
    for name, value in figures.items():
        print(f"{name:>24}: {value:.3f}" if isinstance(value, float) else f"{name:>24}: {value}")


if __name__ == "__main__":
    main()
