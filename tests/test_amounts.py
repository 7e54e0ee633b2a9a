"""Tests of govrules.amounts: money as exact Decimal yuan, read and shown the way documents write it."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govrules.amounts import MAX_AMOUNT, AmountError, format_amount, parse_amount


@st.composite
def money(draw: st.DrawFn) -> Decimal:
    """Decimal yuan, 0 <= d < 10^15, with 0, 1 or 2 decimal places (and varied exponents)."""
    places = draw(st.integers(min_value=0, max_value=2))
    units = draw(st.integers(min_value=0, max_value=10 ** (15 + places) - 1))
    value = Decimal(units).scaleb(-places)
    if draw(st.booleans()):
        value = value.normalize()  # e.g. 5E+6 rather than 5000000
    return value


@settings(max_examples=200, deadline=None)
@given(money())
def test_format_then_parse_round_trips(d: Decimal) -> None:
    text = format_amount(d)
    assert parse_amount(text) == d
    # The documents' way of writing: digits, an optional fraction, then 万元 or 元; never an exponent.
    assert re.fullmatch(r"[0-9]+(\.[0-9]{1,2})?(万元|元)", text), text


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=10**11 - 1))
def test_whole_wan_are_shown_in_wan(wan: int) -> None:
    assert format_amount(Decimal(wan * 10_000)) == f"{wan}万元"


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal(5_000_000), "500万元"),
        (Decimal("5E+6"), "500万元"),
        (Decimal("5000000.00"), "500万元"),
        (Decimal(20_000_000), "2000万元"),
        (Decimal(500_000), "50万元"),
        (Decimal(4_999_999), "4999999元"),
        (Decimal("4999999.99"), "4999999.99元"),
        (Decimal("0.5"), "0.5元"),
        (Decimal(0), "0元"),
        (Decimal("1E+2"), "100元"),
    ],
)
def test_format_examples(amount: Decimal, text: str) -> None:
    assert format_amount(amount) == text


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("500万元", Decimal(5_000_000)),
        ("500万", Decimal(5_000_000)),
        ("500 万元", Decimal(5_000_000)),
        ("0.5亿元", Decimal(50_000_000)),
        ("2亿", Decimal(200_000_000)),
        ("5,000,000", Decimal(5_000_000)),
        ("5,000,000.50元", Decimal("5000000.50")),
        ("5e6", Decimal(5_000_000)),
        ("0.1", Decimal("0.1")),
        (5_000_000, Decimal(5_000_000)),
        (Decimal("0.10"), Decimal("0.10")),
        (0, Decimal(0)),
    ],
)
def test_parse_examples(text: Any, amount: Decimal) -> None:
    result = parse_amount(text)
    assert type(result) is Decimal
    assert result == amount


def test_limit_is_inclusive() -> None:
    assert parse_amount(MAX_AMOUNT) == MAX_AMOUNT
    assert parse_amount("1e15") == MAX_AMOUNT
    with pytest.raises(AmountError):
        parse_amount(MAX_AMOUNT + Decimal("0.01"))
    with pytest.raises(AmountError):
        parse_amount("10000001亿元")


@pytest.mark.parametrize(
    "value",
    [0.1, 5e6, float("nan"), float("inf"), True, False, None, [], "NaN", "inf", "-1", "-0.01", Decimal(-1),
     Decimal("NaN"), Decimal("sNaN"), Decimal("-Infinity"), "", "万元", "5,00,000", "5,0000", "1,000,000,0",
     "500万美元", "五百万元", "0x10", "1_000", 10**16],
)
def test_not_amounts(value: Any) -> None:
    with pytest.raises(AmountError):
        parse_amount(value)


@pytest.mark.parametrize("text", ["1e999999999", "1e999999999万元"])
def test_absurd_exponent_is_an_amount_error(text: str) -> None:
    with pytest.raises(AmountError):
        parse_amount(text)


def test_negative_zero_is_shown_as_zero() -> None:
    assert format_amount(parse_amount("-0")) == "0元"
