"""The synthetic firm generator used for demos and benchmarks.

Imports nothing else of the library.
"""

from ._synthetic import INDUSTRIES, synthetic_firms

__all__ = ['INDUSTRIES', 'synthetic_firms']
