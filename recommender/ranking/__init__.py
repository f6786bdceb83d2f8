"""Ranking scored firms, the shortlist (按图索骥) and ranked files.

Imports :mod:`recommender.scoring`, :mod:`recommender.likelihood` and :mod:`recommender.tables`.
"""

from ._rank import OUTPUT_COLUMNS, RANKED_RESULT_COLUMNS, Coverage, RankReport, rank_file, rank_frame, shortlist

__all__ = ['Coverage', 'OUTPUT_COLUMNS', 'RANKED_RESULT_COLUMNS', 'RankReport', 'rank_file', 'rank_frame', 'shortlist']
