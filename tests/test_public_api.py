"""The public names of the library and of each stage, pinned (a change here is an API change)."""

import importlib

import pytest

PUBLIC = {
    "recommender": None,  # filled from the package itself below, checked for importability
}


@pytest.mark.parametrize(
    "package",
    ["recommender", "recommender.chainmap", "recommender.matching", "recommender.scoring", "recommender.likelihood",
     "recommender.ranking", "recommender.tables", "recommender.analysis", "recommender.datasets", "recommender.reference"],
)
def test_public_names_resolve_and_are_sorted(package):
    module = importlib.import_module(package)
    names = module.__all__
    assert len(names) == len(set(names)), f"{package}.__all__ repeats a name"
    for name in names:
        assert hasattr(module, name), f"{package}.__all__ names {name!r}, which the package does not define"
    assert module.__doc__ and module.__doc__.strip(), f"{package} has no docstring saying what it owns"


def test_private_modules_export_only_through_their_package():
    import pkgutil

    import recommender

    for info in pkgutil.walk_packages(recommender.__path__, "recommender."):
        leaf = info.name.rsplit(".", 1)[1]
        if info.ispkg or leaf in {"cli", "exceptions"}:
            continue
        assert leaf.startswith("_"), f"{info.name} is a public module; modules are private, their names re-exported by the package"
