import os
import tempfile
from pathlib import Path

import pytest

from recommender import Recommender, load_map

# The service keeps its database in the user's data folder when no map folder is given: keep the tests' apart.
os.environ.setdefault("XDG_DATA_HOME", tempfile.mkdtemp(prefix="recommender-tests-"))


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


@pytest.fixture(autouse=True)
def _service_data_apart(tmp_path_factory, monkeypatch):
    """Each test's service state (its database) in a folder of its own, never in the repository's
    test maps (the default with a map folder is the map's ``history/``)."""
    if "RECOMMENDER_DATA_DIR" not in os.environ:
        monkeypatch.setenv("RECOMMENDER_DATA_DIR", str(tmp_path_factory.mktemp("service-data")))
