import pytest


@pytest.fixture(scope="module")
def scorer(jiangmen):
    return jiangmen.scorer
