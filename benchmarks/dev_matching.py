"""Matching and ranking quality on the development sets (``seeds/dev/firms.csv``, ``firms_2.csv``,
``firms_3.csv``, ``firms_4.csv``, ``firms_5.csv``, ``firms_6.csv``, ``firms_7.csv``, ``firms_8.csv``, ``firms_9.csv``, ``firms_10.csv``, ``firms_11.csv``, ``firms_12.csv``).

The development sets may be tuned on (their README says how they were written: blind to the
recommender, from the source documents and the link list). They have the columns of the real-firm
evaluation set (``name,description,city,country,style,grade,links,firm_type``; grade 0–3,
``links`` the gold links of the main business, best first); a file with an ``industry_code``
column (GB/T 4754 class) passes it to the recommender. Each file is reported on its own:

* top-1 / top-3 link accuracy of the matcher (the first gold link is the firm's highest / among
  its three highest affinities) and top-1 of the score (the link the score chose);
* grade-3 recall (the chosen or the second link is a gold link of a grade-3 firm);
* grade-0 firms matched (any link; any production link);
* NDCG@10 and @20 of the firm ranking in the default order (``Recommender`` defaults: the prior
  landing likelihood, ranked by priority), gain = grade, and the grade-0 firms in its top 25;
* mean rank of each grade in each style (and whether it falls strictly as the grade rises).

``-v`` lists the firms whose chosen link is not their first gold link, and the grade-0 firms
matched. This set guides development; report final quality on the held-out sets only.

Usage::

    python benchmarks/dev_matching.py [--map DIR] [--dev FILE [FILE ...]] [-v]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_matching import _ndcg, _print, mean_rank_by_style, read_real  # noqa: E402  (the shared metric helpers)

from recommender import Recommender  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
#: The development sets reported by default.
DEV_FILES = tuple(ROOT / "seeds" / "dev" / name for name in ("firms.csv", "firms_2.csv", "firms_3.csv", "firms_4.csv", "firms_5.csv", "firms_6.csv", "firms_7.csv", "firms_8.csv", "firms_9.csv", "firms_10.csv", "firms_11.csv", "firms_12.csv"))


def evaluate_dev(map_dir: Path | None, path: Path, *, verbose: bool = False) -> dict[str, object]:
    """The development set's figures (see the module's docstring)."""
    recommender = Recommender(map_dir)
    chain_map = recommender.chain_map
    firms = read_real(path)
    unknown = sorted({link for text in firms["links"] for link in text.split(";") if link and link not in chain_map.link_by_id})
    if unknown:
        raise SystemExit(f"{path}: gold links not in the map: {unknown}")
    profiles = firms[[c for c in ("name", "description", "city", "country", "industry_code") if c in firms.columns]]
    scorer = recommender.scorer
    scored, match = scorer.score_with_match(profiles)
    affinity = match.affinity.toarray()
    col = {link: i for i, link in enumerate(scorer.matcher.link_ids_)}
    gold = [[link for link in text.split(";") if link] for text in firms["links"]]
    grade = firms["grade"].to_numpy()
    positive = np.flatnonzero(grade > 0)
    order = np.argsort(-affinity, axis=1, kind="stable")
    first = [col[gold[i][0]] for i in positive]
    top1 = np.mean([affinity[i, j] > 0 and order[i, 0] == j for i, j in zip(positive, first, strict=True)])
    top3 = np.mean([affinity[i, j] > 0 and j in order[i, :3] for i, j in zip(positive, first, strict=True)])
    chosen, second = scored["link_id"].tolist(), scored["link_2_id"].tolist()
    score_top1 = np.mean([chosen[i] == gold[i][0] for i in positive])
    three = np.flatnonzero(grade == 3)
    recall3 = np.mean([bool({chosen[i], second[i]} & set(gold[i])) for i in three])
    zero = np.flatnonzero(grade == 0)
    production = {link.id for link in chain_map.links if link.stage != "service"}
    ranked, _ = recommender.rank(profiles)
    position = dict(zip(ranked["name"], ranked["rank"].astype(int), strict=True))
    rank = firms["name"].map(position).to_numpy(dtype=float)
    gain = grade.astype(float)
    by_style, ordered = mean_rank_by_style(firms["style"], rank, grade)
    if verbose:
        for i in positive:
            if chosen[i] != gold[i][0]:
                print(f"grade {grade[i]} {firms['style'][i]:7} gold {';'.join(gold[i]):40} chose {chosen[i] or '-':28} "
                      f"({scored['evidence'][i]}) rank {rank[i]:.0f}  {firms['name'][i]}")
        for i in zero:
            if chosen[i]:
                print(f"grade 0 {firms['style'][i]:7} {firms['firm_type'][i]:12} chose {chosen[i]:28} ({scored['evidence'][i]}) "
                      f"rank {rank[i]:.0f}  {firms['name'][i]}")
    return {
        "firms": len(firms),
        "top-1 link accuracy": float(top1),
        "top-3 link accuracy": float(top3),
        "top-1 link of the score": float(score_top1),
        "grade-3 recall": float(recall3),
        # (a set without grade-0 firms has no such share: NaN, without numpy's warning of an empty mean)
        "grade-0 matched": float(np.mean([bool(chosen[i]) for i in zero])) if len(zero) else float("nan"),
        "grade-0 production matched": float(np.mean([chosen[i] in production for i in zero])) if len(zero) else float("nan"),
        "NDCG@10": _ndcg(gain, -rank, 10),
        "NDCG@20": _ndcg(gain, -rank, 20),
        "grade-0 in top 25": int(((grade == 0) & (rank <= 25)).sum()),
        "mean rank by style and grade": by_style,
        "mean rank falls with grade": ordered,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--map", type=Path, default=None)
    parser.add_argument("--dev", type=Path, nargs="+", default=list(DEV_FILES),
                        help="development files, each reported on its own (default: the six development sets)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the firms placed on another link, and grade-0 firms matched")
    args = parser.parse_args()
    for path in args.dev:
        name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        if not path.is_file():
            print(f"# {name}: not present, skipped")
            continue
        figures = evaluate_dev(args.map, path, verbose=args.verbose)
        _print(f"# {name} (development set)", figures)


if __name__ == "__main__":
    main()
