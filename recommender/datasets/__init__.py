"""The synthetic firm generator used for demos and benchmarks.

Imports only the profile fields of :mod:`recommender.scoring` (the one table of columns).
"""

from ._synthetic import INDUSTRIES, synthetic_firms

__all__ = ['INDUSTRIES', 'synthetic_firms']
