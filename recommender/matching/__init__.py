"""Firm text and industry codes → link affinities with evidence (the matcher and its vocabulary).

Imports :mod:`recommender.chainmap`.
"""

from ._matcher import VOCABULARY_COLUMNS, LinkMatcher, MatchResult, PhraseSet, link_vocabulary
from ._vocabulary import CLAUSE_DELIMITERS, GENERIC_TERMS, MAKE_TERMS, TRADE_TERMS

__all__ = ['CLAUSE_DELIMITERS', 'GENERIC_TERMS', 'LinkMatcher', 'MAKE_TERMS', 'MatchResult', 'PhraseSet', 'TRADE_TERMS', 'VOCABULARY_COLUMNS', 'link_vocabulary']
