"""Firm text and industry codes → link affinities with evidence (the matcher and its vocabulary).

Imports :mod:`recommender.chainmap`.
"""

from ._matcher import LinkMatcher, MatchResult, PhraseSet, activity_words, link_vocabulary, map_matcher, name_words, other_class_words

__all__ = ['LinkMatcher', 'MatchResult', 'PhraseSet', 'activity_words', 'link_vocabulary', 'map_matcher', 'name_words', 'other_class_words']
