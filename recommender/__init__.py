"""Investment-targeting recommender: industry-chain maps, firm-to-link matching, explained
scores and rankings.

The public API::

    from recommender import Recommender, load_map
    rec = Recommender()                       # the embedded Jiangmen map
    rec.score({"name": "…", "description": "锂电铜箔的研发、生产"})
    ranked, coverage = rec.rank(firms_df, shortlist=10)
    rec.rank_file("candidates.csv", "ranked.xlsx")
"""

from ._recommender import Component, Recommender, Result
from .chainmap._links import encode_links
from .chainmap._schema import ACTIONS, COMPONENTS, STAGES, STATUSES, ChainMap, default_map_dir, load_map
from .exceptions import EncodingError, InputFileError, MapError, ModelError, OutputFileError, ProfileError, RecommenderError
from .matching._matcher import LinkMatcher, link_vocabulary
from .ranking._rank import OUTPUT_COLUMNS, Coverage, RankReport
from .scoring._scorer import Scorer

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
    "OutputFileError",
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
