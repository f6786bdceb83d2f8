"""Property tests of the value parsers: never raise, never off by a power of ten, round-trip what they accept."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.tables import FX_RATES, is_missing, parse_count, parse_headcount, parse_money, parse_year

amounts = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)
FULL = str.maketrans("0123456789.", "０１２３４５６７８９．")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=20))
def test_parsers_never_raise(text):
    for parse in (parse_count, parse_money, parse_headcount, parse_year, is_missing):
        parse(text)


@settings(max_examples=300, deadline=None)
@given(amounts, st.sampled_from([("万元", 1), ("万", 1), ("亿元", 1e4), ("亿", 1e4), ("元", 1e-4), ("万元人民币", 1), ("万人民币", 1),
                                 ("千万", 1e3), ("", 1)]), st.booleans(), st.booleans())
def test_money_round_trips_in_10k_yuan(amount, unit, approx, full_width):
    text = f"{'约' if approx else ''}{amount}{unit[0]}"
    if full_width:
        text = text.translate(FULL)
    got = parse_money(text)
    assert got is not None and math.isclose(got, float(amount) * unit[1], rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=200, deadline=None)
@given(amounts.filter(lambda a: a > 0), st.sampled_from(["美元", "港元", "欧元"]))
def test_foreign_money_uses_the_dated_table(amount, currency):
    got = parse_money(f"{amount}万{currency}")
    assert got is not None and math.isclose(got, float(amount) * FX_RATES[currency], rel_tol=1e-9)


@settings(max_examples=200, deadline=None)
@given(amounts.filter(lambda a: a >= 1))
def test_money_units_are_never_confused_by_a_power_of_ten(amount):
    wan, yi, yuan = parse_money(f"{amount}万元"), parse_money(f"{amount}亿元"), parse_money(f"{amount}元")
    assert math.isclose(yi / wan, 1e4) and math.isclose(wan / yuan, 1e4)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**6), st.booleans())
def test_count_round_trips_with_separators_and_full_width(n, full_width):
    text = f"{n:,}" if not full_width else str(n).translate(FULL)
    assert parse_count(text) == n
    assert parse_count(f"约{n}件") == n


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 9_999), st.integers(1, 9_999))
def test_headcount_ranges_keep_their_ends(a, b):
    low, high = min(a, b), max(a, b)
    got = parse_headcount(f"{low}-{high}人")
    middle = math.floor((low + high) / 2 + 0.5)  # to a whole person, halves up: 50-99人 → 75
    assert got is not None and (got.low, got.high) == (low, high) and got.value == (middle if low < high else low)
    assert got.is_range == (low < high) and low <= got.value <= high
    below = parse_headcount(f"少于{high}人")
    assert below is not None and below.low == 0 and below.high == high - 1 and below.is_range == (high > 1)
    above = parse_headcount(f"大于{high}人")
    assert above is not None and above.value == high and above.high is None and above.is_range


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from(["", "人", "名"]), st.booleans())
def test_a_single_headcount_round_trips_and_is_no_range(n, unit, full_width):
    text = f"{n}{unit}"
    got = parse_headcount(text.translate(FULL) if full_width else text)
    assert got is not None and got.value == got.low == got.high == n and not got.is_range


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 99), st.integers(1, 99))
def test_headcounts_in_wan_are_never_off_by_a_power_of_ten(a, b):
    low, high = min(a, b), max(a, b)
    plain, wan = parse_headcount(f"{low}-{high}人"), parse_headcount(f"{low}万-{high}万人")
    assert wan is not None and plain is not None and (wan.low, wan.high) == (low * 1e4, high * 1e4)
    assert plain.low <= plain.value <= plain.high and wan.low <= wan.value <= wan.high


@pytest.mark.parametrize(("text", "value", "low", "high"), [
    ("少于50人", 25, 0, 49), ("50-99人", 75, 50, 99), ("100-499人", 300, 100, 499), ("大于10000人", 10_000, 10_000, None),
    ("10000人以上", 10_000, 10_000, None), ("５０－９９人", 75, 50, 99), ("约300人", 300, 300, 300),
])
def test_headcount_words_from_the_issue(text, value, low, high):
    got = parse_headcount(text)
    assert got is not None and (got.value, got.low, got.high) == (value, low, high)


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=__import__("datetime").date(1900, 3, 1), max_value=__import__("datetime").date(2100, 12, 31)),
       st.sampled_from(["{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}", "{y}年{m}月{d}日", "{y}.{m:02d}", "{y}{m:02d}{d:02d}",
                        "{y}-{m:02d}-{d:02d} 00:00:00", "{d:02d}/{m:02d}/{y}", "{y}年", "serial"]))
def test_year_round_trips_every_date_form(day, form):
    import datetime as dt

    text = str((day - dt.date(1899, 12, 30)).days) if form == "serial" else form.format(y=day.year, m=day.month, d=day.day)
    if form == "serial" and int(text) < 10_000:
        return  # a 4-digit number is read as a year
    assert parse_year(text) == day.year


@pytest.mark.parametrize("text", ["-", "--", "/", "暂无", "未公开", "", "  ", "N/A", "——", "Not disclosed", "暂 无", "Ｎ／Ａ"])
def test_no_data_marks_are_missing(text):
    assert is_missing(text)


@pytest.mark.parametrize(("text", "expected"), [("5000万元", 5000), ("约3000万", 3000), ("1.2亿元", 12000), ("5000万人民币", 5000),
                                                ("50000元", 5), ("1,000-2,000万", 1500)])
def test_money_forms_from_the_issue(text, expected):
    assert parse_money(text) == expected


@pytest.mark.parametrize("text", ["5亿万元", "abc", "300万美元港元", "2013-02-30"])
def test_unreadable_money_and_dates_are_none(text):
    assert parse_money(text) is None and parse_year(text) is None
