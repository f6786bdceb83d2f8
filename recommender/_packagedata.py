"""Tables kept as package data: YAML files beside the modules that read them, read once at import."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

__all__ = ["read_labels", "read_yaml"]

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(package: str, name: str) -> Any:
    """The YAML file ``name`` (a path relative to ``package``'s folder), parsed safely."""
    with resources.files(package).joinpath(name).open("rb") as handle:
        return yaml.load(handle, Loader=_LOADER)


def read_labels(package: str, name: str) -> dict[str, tuple[str, str]]:
    """A table of texts in both languages, ``key: {zh: …, en: …}``, as ``key → (Chinese, English)``."""
    return {key: (texts["zh"], texts["en"]) for key, texts in read_yaml(package, name).items()}
