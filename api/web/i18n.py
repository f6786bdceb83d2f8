"""Every label of the workbench pages, in Chinese and English (``messages.yaml``), and how a request picks one.

The language is ``?lang=zh|en`` when given (and then remembered in the ``lang`` cookie), else
the cookie, else Chinese.
"""

from __future__ import annotations

from fastapi import Request

from recommender._packagedata import read_labels

__all__ = ["LANGS", "MESSAGES", "Translator", "pick_lang"]

LANGS = ("zh", "en")
COOKIE = "lang"

#: key -> (Chinese, English); the table is ``messages.yaml`` beside this module.
MESSAGES: dict[str, tuple[str, str]] = read_labels(__package__, "messages.yaml")


class Translator:
    """``t("key")`` or ``t("key", n=3)``: the label in one language."""

    def __init__(self, lang: str):
        self.lang = lang if lang in LANGS else "zh"
        self._index = LANGS.index(self.lang)

    def __call__(self, key: str, **values: object) -> str:
        pair = MESSAGES.get(key)
        text = pair[self._index] if pair else key
        return text.format(**values) if values else text


def pick_lang(request: Request, lang: str | None) -> str:
    """The page language: the query's, else the cookie's, else Chinese."""
    if lang in LANGS:
        return lang
    cookie = request.cookies.get(COOKIE)
    return cookie if cookie in LANGS else "zh"
