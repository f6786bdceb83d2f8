"""Firm text and industry codes → link affinities with evidence (the matcher and its vocabulary).

Imports :mod:`recommender.chainmap`.
"""

from ._matcher import GAP, VOCABULARY_COLUMNS, LinkMatcher, MatchResult, PhraseSet, activity_words, link_vocabulary, name_words
from ._vocabulary import CLAUSE_DELIMITERS, GENERIC_TERMS, LEAD_TERMS, MAKE_TERMS, TRADE_TERMS, english_forms

__all__ = ['CLAUSE_DELIMITERS', 'GAP', 'GENERIC_TERMS', 'LEAD_TERMS', 'LinkMatcher', 'MAKE_TERMS', 'MatchResult', 'PhraseSet', 'TRADE_TERMS', 'VOCABULARY_COLUMNS', 'activity_words', 'english_forms', 'link_vocabulary', 'name_words']
