"""Investment-targeting recommender: industry-chain maps, firm-to-link matching, explained
scores and rankings.

The public API::

    from recommender import Recommender, load_map
    rec = Recommender()                       # the embedded Jiangmen map
    rec.score({"name": "…", "description": "锂电铜箔的研发、生产"})
    ranked, coverage = rec.rank(firms_df, shortlist=10)
    rec.rank_file("candidates.csv", "ranked.xlsx")
"""

from .chainmap import ACTIONS, COMPONENTS, STAGES, STATUSES, ChainMap, default_map_dir, load_map
from .encoding import encode_links
from .exceptions import EncodingError, InputFileError, MapError, ModelError, ProfileError, RecommenderError
from .matching import LinkMatcher, link_vocabulary
from .pipeline import Component, Recommender, Result
from .ranking import OUTPUT_COLUMNS, Coverage, RankReport
from .scoring import Scorer

__version__ = "0.1.0"

__all__ = [
    "ACTIONS",
    "COMPONENTS",
    "OUTPUT_COLUMNS",
    "STAGES",
    "STATUSES",
    "ChainMap",
    "Component",
    "Coverage",
    "EncodingError",
    "InputFileError",
    "LinkMatcher",
    "MapError",
    "ModelError",
    "ProfileError",
    "RankReport",
    "Recommender",
    "RecommenderError",
    "Result",
    "Scorer",
    "__version__",
    "default_map_dir",
    "encode_links",
    "link_vocabulary",
    "load_map",
]
