"""Duplicates: the first copy of a firm found across chunks, as a plain dict of every key finds it."""

import re
import unicodedata

import numpy as np
import pytest

from recommender.tables._values import is_missing
from recommender.tables._vendor import Duplicates, _name_key


class _Reference:
    """The rule written out with dicts of every key met (what Duplicates keeps as hashes)."""

    def __init__(self):
        self.codes, self.names = {}, {}

    def mark(self, names, codes, kinds, rows):
        out = []
        for name, code, kind, row in zip(names, codes, kinds, rows, strict=True):
            if not name or kind in ("blank", "total", "note"):
                out.append(0)
                continue
            key = _name_key(name)
            code = re.sub(r"\s+", "", code).upper() if code and not is_missing(code) else ""
            first = (self.codes.get(code) if code else None) or self.names.get(key)
            if first is not None:
                out.append(first)
                continue
            if code:
                self.codes[code] = row
            if key:
                self.names.setdefault(key, row)
            out.append(0)
        return out


def test_copies_by_code_and_by_name_within_and_across_chunks_as_the_rule_says():
    rows = [  # name, code, kind
        ("江门甲科技有限公司", "91440700MA00000001", ""),
        ("江门乙材料有限公司", "", ""),
        ("江门甲科技", "", ""),  # the same name without its company form
        ("ＪＭ Acme Co", "", ""),
        ("jm acme co", "", ""),  # full width and case
        ("丙公司", "91440700 ma00000001", ""),  # the same code with a space, lower case
        ("丁有限公司", "-", ""),  # a missing code
        ("江门乙材料有限公司", "91440700MA00000002", ""),  # the name seen: its code is not kept
        ("戊有限公司", "91440700MA00000002", ""),  # so this code is new
        ("", "91440700MA00000001", ""),  # no name: not a firm
        ("合计", "", "total"),
        ("江门甲科技有限公司", "", "inactive"),  # a firm not active is still a copy
        ("（集团）", "", ""),  # a name that is only a company form: no key
        ("集团", "", ""),
    ]
    names = np.array([r[0] for r in rows], dtype=object)
    codes = np.array([r[1] for r in rows], dtype=object)
    kinds = np.array([r[2] for r in rows], dtype=object)
    lines = np.arange(len(rows)) + 2
    expected = _Reference().mark(names.tolist(), codes.tolist(), kinds.tolist(), lines.tolist())
    assert expected == [0, 0, 2, 0, 5, 2, 0, 3, 0, 0, 0, 2, 0, 0]
    for size in (1, 3, 5, len(rows)):  # every way of cutting the rows into chunks
        dup = Duplicates()
        got = np.concatenate([dup.mark(names[a:a + size], codes[a:a + size], kinds[a:a + size], lines[a:a + size])
                              for a in range(0, len(rows), size)])
        assert got.tolist() == expected, size
    assert Duplicates().mark(names[:0], None, kinds[:0], lines[:0]).tolist() == []


@pytest.mark.parametrize("seed", [0, 1])
def test_many_chunks_of_repeated_names_and_codes_agree_with_the_rule(seed):
    rng = np.random.default_rng(seed)
    n = 3_000
    names = np.array([f"企业{k}有限公司" if k % 7 else "" for k in rng.integers(0, 900, n)], dtype=object)
    codes = np.array([f"9144{k:04d}" if k % 3 == 0 else "" for k in rng.integers(0, 600, n)], dtype=object)
    kinds = rng.choice(np.array(["", "", "", "inactive", "note"], dtype=object), n)
    lines = np.arange(n) + 5
    expected = _Reference().mark(names.tolist(), codes.tolist(), kinds.tolist(), lines.tolist())
    dup = Duplicates()
    got = np.concatenate([dup.mark(names[a:a + 250], codes[a:a + 250], kinds[a:a + 250], lines[a:a + 250]) for a in range(0, n, 250)])
    assert got.tolist() == expected
    assert sum(v > 0 for v in expected) > 1_000  # copies across chunks were found


def test_keys_whose_first_hashes_agree_are_told_apart_by_the_second(monkeypatch):
    from recommender.tables import _vendor

    real = _vendor._Seen._hashes.__func__

    def colliding(cls, keys):
        _, lo = real(cls, keys)
        return np.zeros(len(keys), dtype=np.uint64), lo  # every key shares its first hash

    monkeypatch.setattr(_vendor._Seen, "_hashes", classmethod(colliding))
    names = np.array(["甲有限公司", "乙有限公司", "丙有限公司", "乙", "丁", "甲"], dtype=object)
    kinds = np.full(len(names), "", dtype=object)
    lines = np.arange(len(names)) + 2
    dup = Duplicates()
    got = np.concatenate([dup.mark(names[a:a + 2], None, kinds[a:a + 2], lines[a:a + 2]) for a in range(0, len(names), 2)])
    assert got.tolist() == [0, 0, 0, 3, 0, 2]


def test_a_name_key_drops_what_the_rule_names_and_nothing_else():
    """The key's pattern spells every character out (for speed); the rule, written with classes, gives the same keys."""
    from recommender.tables._vendor import _WHITESPACE

    assert set(_WHITESPACE) == {chr(c) for c in range(0x110000) if re.match(r"\s", chr(c))}
    rule = re.compile(r"股份有限公司$|有限责任公司$|有限公司$|责任公司$|公司$|[(]?集团[)]?|[()\[\]【】〔〕{}·・.,、\-—_'\"\s]")
    names = ["江门（甲）科技有限公司", "甲集团股份有限公司", "x公司(集团)", "集团公司", "集(团", "集集团团", "ABC Co.,Ltd", "a\u3000b\x1cc\u2009d",
             "x有限公司\n", "e\u0301公司", "责任公司", "有限公司甲", "【甲】·乙—丙_丁", "", "  "]
    for name in names:
        assert _name_key(name) == rule.sub("", unicodedata.normalize("NFKC", name).casefold()), name
    assert _name_key("甲集团股份有限公司") == "甲" and _name_key("x有限公司\n") == "x"
