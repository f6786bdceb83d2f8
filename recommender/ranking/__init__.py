"""Ranking scored firms, the shortlist (按图索骥) and ranked files.

One path: :func:`score_chunk` (a chunk of rows → ranked-result columns and sort keys, pure,
callable per part of a table by any engine), :func:`rank_order` over the keys, one assembly of
the output rows; :func:`rank_frame` and :func:`rank_file` differ only in where rows come from
and go to.

Imports :mod:`recommender.scoring`, :mod:`recommender.likelihood` and :mod:`recommender.tables`.
The Dask engine (``_dask``, ``rank_dask``) needs the ``dask`` extra and is imported on demand by
``recommender rank --engine dask``, never by this package.
"""

from ._rank import (
    OUTPUT_COLUMNS,
    RANK_DEFAULTS,
    RANKED_RESULT_COLUMNS,
    SORT_KEY_COLUMNS,
    Coverage,
    RankOptions,
    RankReport,
    ScoredChunk,
    output_names,
    rank_file,
    rank_frame,
    rank_order,
    score_chunk,
    shortlist,
)

__all__ = [
    'Coverage', 'OUTPUT_COLUMNS', 'RANK_DEFAULTS', 'RANKED_RESULT_COLUMNS', 'RankOptions', 'RankReport', 'SORT_KEY_COLUMNS', 'ScoredChunk', 'output_names',
    'rank_file', 'rank_frame', 'rank_order', 'score_chunk', 'shortlist',
]
