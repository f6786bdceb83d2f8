"""Ranking scored firms, the shortlist (按图索骥) and ranked files.

Imports :mod:`recommender.scoring`, :mod:`recommender.likelihood` and :mod:`recommender.tables`.
The Dask engine (``_dask``, ``rank_dask``) needs the ``dask`` extra and is imported on demand by
``recommender rank --engine dask``, never by this package.
"""

from ._rank import OUTPUT_COLUMNS, RANKED_RESULT_COLUMNS, Coverage, RankReport, rank_file, rank_frame, score_chunk, shortlist

__all__ = ['Coverage', 'OUTPUT_COLUMNS', 'RANKED_RESULT_COLUMNS', 'RankReport', 'rank_file', 'rank_frame', 'score_chunk', 'shortlist']
