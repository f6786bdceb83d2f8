import shutil
from pathlib import Path

import pytest

TINY_MAP = Path(__file__).resolve().parents[1] / "data" / "tiny_map"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A writable copy of the tiny map."""
    target = tmp_path / "map"
    shutil.copytree(TINY_MAP, target, ignore=shutil.ignore_patterns("history"))
    return target
