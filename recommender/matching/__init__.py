"""Firm text and industry codes → link affinities with evidence (the matcher and its vocabulary).

Imports :mod:`recommender.chainmap`.
"""

from ._matcher import GAP, VOCABULARY_COLUMNS, LinkMatcher, MatchResult, PhraseSet, activity_words, link_vocabulary, name_words
from ._vocabulary import (
    CLAUSE_DELIMITERS,
    ENGLISH_ER_VERBS,
    GENERIC_TERMS,
    LEAD_TERMS,
    MAKE_TERMS,
    TRADE_TERMS,
    english_forms,
    is_agent_noun,
)

__all__ = ['CLAUSE_DELIMITERS', 'ENGLISH_ER_VERBS', 'GAP', 'GENERIC_TERMS', 'LEAD_TERMS', 'LinkMatcher', 'MAKE_TERMS', 'MatchResult', 'PhraseSet', 'TRADE_TERMS', 'VOCABULARY_COLUMNS', 'activity_words', 'english_forms', 'is_agent_noun', 'link_vocabulary', 'name_words']
