import os
import tempfile
from pathlib import Path

import pytest

from recommender import Recommender, load_map

# The service keeps its database in the user's data folder when no map folder is given: keep the tests' apart.
os.environ.setdefault("XDG_DATA_HOME", tempfile.mkdtemp(prefix="recommender-tests-"))
# ... and, with a map folder, in its history/ folder: never in the repository's test maps.
os.environ.setdefault("RECOMMENDER_DATA_DIR", tempfile.mkdtemp(prefix="recommender-tests-data-"))

DATA = Path(__file__).parent / "data"
TINY_MAP = DATA / "tiny_map"


@pytest.fixture(scope="session")
def tiny_map():
    return load_map(TINY_MAP)


@pytest.fixture(scope="session")
def tiny():
    return Recommender(TINY_MAP)


@pytest.fixture(scope="session")
def jiangmen():
    return Recommender()
