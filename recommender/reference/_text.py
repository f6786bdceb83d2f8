"""Text normalisation and the reading of packaged tables, shared by the reference look-ups."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from functools import cache
from importlib import resources

__all__ = ["compact", "data_rows", "normalise_name", "traditional"]

_SPACE = re.compile(r"\s+")


def compact(text: str) -> str:
    """``text`` in NFKC form (full-width letters, digits and brackets made half-width) without whitespace.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    str
        The text, normalised and without spaces, tabs or line breaks.
    """
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def normalise_name(text: str) -> str:
    """The key two spellings of one official name share: :func:`compact`, then punctuation and symbols removed.

    ``"羽毛（绒）加工及制品制造"`` and ``"羽毛(绒)加工及制品制造"`` both become ``"羽毛绒加工及制品制造"``;
    ``"酒、饮料和精制茶制造业"`` becomes ``"酒饮料和精制茶制造业"``.

    Parameters
    ----------
    text : str
        An official name (an industry class, a place).

    Returns
    -------
    str
        The comparison key: equal for two spellings of the same name.
    """
    return "".join(ch for ch in compact(text) if unicodedata.category(ch)[0] not in "PS")


def data_rows(name: str) -> Iterator[dict[str, str]]:
    """The rows of the packaged table ``data/<name>`` (UTF-8 CSV with a header), as dictionaries.

    Read as bytes and decoded here, so quoted fields keep their line breaks.
    """
    with io.TextIOWrapper(resources.files(__package__).joinpath("data", name).open("rb"), encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


@cache
def _traditional_table() -> dict[int, str]:
    return {ord(row["simplified"]): row["traditional"] for row in data_rows("s2t_characters.csv")}


def traditional(text: str) -> str:
    """``text`` with each simplified Chinese character in its (first) traditional form
    (``铝箔`` → ``鋁箔``; ``data/s2t_characters.csv``); other characters unchanged."""
    return text.translate(_traditional_table())
