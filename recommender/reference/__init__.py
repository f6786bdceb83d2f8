"""Official reference tables shipped as package data, and look-ups over them.

This subpackage owns:

- GB/T 4754-2017 国民经济行业分类 (:mod:`.industry`): every 门类, 大类, 中类 and 小类 with its name,
  parent and official note, and the mapping from the names vendor exports write to codes;
- China's administrative divisions (:mod:`.places`): provinces, prefecture-level cities and counties
  from the Ministry of Civil Affairs' code list, and a resolver for place and address text.

The tables live in ``data/`` (sources in ``data/README.md``) and are read on first use, never at
import. Nothing else from :mod:`recommender` is imported here.
"""

from ._industry import (
    INDUSTRY_LEVELS,
    IndustryClass,
    industry_class,
    industry_code_for_name,
)
from ._places import Place, city_of, resolve_place

__all__ = [
    "INDUSTRY_LEVELS",
    "IndustryClass",
    "Place",
    "city_of",
    "industry_class",
    "industry_code_for_name",
    "resolve_place",
]
