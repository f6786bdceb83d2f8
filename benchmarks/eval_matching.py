"""Matching and ranking quality on the evaluation sets.

**The fictional set** (``seeds/eval/firms.csv``, always): written by hand, blind to the
matcher's vocabulary, with graded gold links per firm (``link:2`` primary, ``link:1``
secondary, ``none`` for distractors). Reported:

* NDCG@10 by link: for each link with a relevant firm, rank every firm by its affinity to the
  link (the officer's question "whom to court for this gap?"), mean over links;
* top-1 / top-3 link accuracy of the matcher: is the primary gold link the firm's highest /
  among its 3 highest affinities; top-1 of the score: is it the link the score chose;
* distractor rejection: the share of ``none`` firms that match no link;
* NDCG@10 and @20 of the firm ranking: all firms ranked by score, each firm's gain the gold
  grade (2/1/0) of the link the score chose for it.

**The real-firm set** (``seeds/eval/real_firms.csv``, when present): real, named firms with
columns ``name,description,city,country,style,grade,links,firm_type``; ``grade`` 0–3 (3 fills
a named gap … 0 no link), ``links`` the gold link ids separated by ``;``, ``style`` one of
scope, blurb, english, terse. Firms are ranked by score. Reported: NDCG@10 and @20 (gain =
grade), grade-3 recall (the chosen or the second link is among the firm's gold links), the
grade-0 firms in the top 25, and the mean rank of each grade in each style (and whether it
falls strictly as the grade rises).

Neither set is used to tune matching: run this when matching changes and record the figures
in ``benchmarks/README.md``.

Usage::

    python benchmarks/eval_matching.py [--map DIR] [--eval FILE] [--real FILE] [--no-trade-rule]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import ndcg_score

from recommender import load_map
from recommender.matching import map_matcher
from recommender.scoring import Scorer

ROOT = Path(__file__).resolve().parent.parent
REAL_COLUMNS = ("name", "description", "city", "country", "style", "grade", "links", "firm_type")
STYLES = ("scope", "blurb", "english", "terse")


def parse_gold(text: str) -> dict[str, int]:
    if text.strip().lower() == "none":
        return {}
    gold = {}
    for item in text.split(";"):
        link, _, grade = item.strip().partition(":")
        gold[link] = int(grade or 1)
    return gold


def _ndcg(gain: np.ndarray, score: np.ndarray, k: int) -> float:
    if len(gain) < 2 or not gain.any():
        return float("nan")
    return float(ndcg_score(gain[np.newaxis, :], score[np.newaxis, :], k=k))


def evaluate(map_dir: Path | None, eval_file: Path, *, trade_rule: bool = True) -> dict[str, float]:
    """The fictional set's figures."""
    chain_map = load_map(map_dir)
    firms = pd.read_csv(eval_file, dtype=str, keep_default_na=False)
    scorer = Scorer(chain_map, matcher=map_matcher(chain_map, use_trade_rule=trade_rule))
    matcher = scorer.matcher
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
    scored = scorer.score_frame(firms)
    chosen = scored["link_id"].tolist()
    gain = np.array([gold.get(link, 0) for gold, link in zip(golds, chosen, strict=True)], dtype=float)
    score = scored["score"].to_numpy(dtype=float)
    return {
        "firms": len(firms),
        "links queried": len(queried),
        "NDCG@10 by link": float(np.mean(ndcg)),
        "top-1 link accuracy": float(top1),
        "top-3 link accuracy": float(top3),
        "top-1 link of the score": float(np.mean([chosen[i] == links[j] for i, j in primaries])),
        "relevant firms matched": float(np.mean([matched[i] for i, _ in primaries])),
        "distractors rejected": float(np.mean([not matched[i] for i in none])) if none else float("nan"),
        "firm ranking NDCG@10": _ndcg(gain, score, 10),
        "firm ranking NDCG@20": _ndcg(gain, score, 20),
    }


def read_real(path: Path) -> pd.DataFrame:
    """The real-firm set, checked: the columns of :data:`REAL_COLUMNS`, grades 0–3."""
    firms = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in REAL_COLUMNS if c not in firms.columns]
    if missing:
        raise SystemExit(f"{path}: missing columns {missing}")
    grades = pd.to_numeric(firms["grade"], errors="coerce")
    bad = firms.index[~grades.isin([0, 1, 2, 3])]
    if len(bad):
        raise SystemExit(f"{path}: line {bad[0] + 2}: grade must be 0, 1, 2 or 3, got {firms['grade'][bad[0]]!r}")
    return firms.assign(grade=grades.astype(int))


def mean_rank_by_style(styles: pd.Series, rank: np.ndarray, grade: np.ndarray) -> tuple[dict[str, dict[int, float]], dict[str, bool]]:
    """Per style, the mean rank of each grade (3 to 0), and whether it rises strictly as the grade falls."""
    by_style: dict[str, dict[int, float]] = {}
    ordered: dict[str, bool] = {}
    for style in sorted(set(styles)):
        in_style = (styles == style).to_numpy()
        means = {g: float(rank[in_style & (grade == g)].mean()) for g in (3, 2, 1, 0) if (in_style & (grade == g)).any()}
        by_style[style] = means
        values = [means[g] for g in sorted(means, reverse=True)]
        ordered[style] = all(a < b for a, b in zip(values, values[1:], strict=False))
    return by_style, ordered


def evaluate_real(map_dir: Path | None, path: Path) -> dict[str, object]:
    """The real-firm set's figures (see the module's docstring)."""
    chain_map = load_map(map_dir)
    firms = read_real(path)
    unknown = sorted({link for text in firms["links"] for link in text.split(";") if link and link not in chain_map.link_by_id})
    if unknown:
        raise SystemExit(f"{path}: gold links not in the map: {unknown}")
    scored = Scorer(chain_map).score_frame(firms.drop(columns=["grade"]))
    score = scored["score"].to_numpy(dtype=float)
    grade = firms["grade"].to_numpy(dtype=float)
    rank = pd.Series(score).rank(ascending=False, method="first").to_numpy()
    top3 = firms["grade"].to_numpy() == 3
    gold = [set(filter(None, text.split(";"))) for text in firms["links"]]
    hits = [bool({a, b} & g) for a, b, g in zip(scored["link_id"], scored["link_2_id"], gold, strict=True)]
    by_style, ordered = mean_rank_by_style(firms["style"], rank, grade)
    return {
        "firms": len(firms),
        "NDCG@10": _ndcg(grade, score, 10),
        "NDCG@20": _ndcg(grade, score, 20),
        "grade-3 recall": float(np.mean([h for h, t in zip(hits, top3, strict=True) if t])) if top3.any() else float("nan"),
        "grade-0 in top 25": int(((grade == 0) & (rank <= 25)).sum()),
        "mean rank by style and grade": by_style,
        "mean rank falls with grade": ordered,
    }


def _print(title: str, figures: dict) -> None:
    print(title)
    for name, value in figures.items():
        if isinstance(value, float):
            print(f"{name:>28}: {value:.3f}")
        elif isinstance(value, dict):
            print(f"{name:>28}:")
            for key, inner in value.items():
                text = ", ".join(f"grade {g} {v:.1f}" for g, v in inner.items()) if isinstance(inner, dict) else str(inner)
                print(f"{'':>30}{key}: {text}")
        else:
            print(f"{name:>28}: {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--map", type=Path, default=None)
    parser.add_argument("--eval", type=Path, default=ROOT / "seeds" / "eval" / "firms.csv")
    parser.add_argument("--real", type=Path, default=ROOT / "seeds" / "eval" / "real_firms.csv",
                        help="the real-firm set (skipped when the file is absent)")
    parser.add_argument("--no-trade-rule", action="store_true", help="ablation: count products named only in trade clauses")
    args = parser.parse_args()
    figures = evaluate(args.map, args.eval, trade_rule=not args.no_trade_rule)
    name = args.eval.relative_to(ROOT) if args.eval.is_relative_to(ROOT) else args.eval
    _print(f"# {name}, trade rule {'off' if args.no_trade_rule else 'on'}", figures)
    if args.real.is_file():
        _print(f"# {args.real.name}", evaluate_real(args.map, args.real))
    else:
        print(f"# {args.real.name}: not present, skipped")


if __name__ == "__main__":
    main()
