"""Money as exact ``Decimal`` yuan, read from the ways documents and forms write it.

Documents write amounts in 万元 ("500万元", "2000 万元"); forms and ledgers write 元, sometimes
with thousands separators. Floats are refused: a binary float cannot hold most decimal amounts
exactly, and a boundary such as 500万元 must compare exactly.
"""

from __future__ import annotations

import re
from decimal import Decimal

from .errors import safe_repr

__all__ = ["MAX_AMOUNT", "MAX_PLACES", "AmountError", "format_amount", "parse_amount", "size_problem"]

#: 10^15 元 (1000万亿元): far above any public project; larger values are taken as typing errors.
MAX_AMOUNT = Decimal(10) ** 15

#: Digits after the decimal point kept exactly (10^-10 元 is far below 1 分). With ``MAX_AMOUNT``
#: this bounds an amount to 26 significant digits, inside ``Decimal``'s default 28, so every later
#: comparison, ``times`` ratio and normalization is exact.
MAX_PLACES = 10

_UNITS = {"": Decimal(1), "元": Decimal(1), "万": Decimal(10_000), "万元": Decimal(10_000),
          "亿": Decimal(100_000_000), "亿元": Decimal(100_000_000)}
_TEXT = re.compile(r"^\s*([+-]?[0-9][0-9,]*(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)\s*(万元|万|亿元|亿|元)?\s*$")
_GROUPED = re.compile(r"^[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?$")


class AmountError(ValueError):
    """The value is not an amount of money; the message says why in plain words."""


def parse_amount(value: object) -> Decimal:
    """Read ``value`` as yuan: ``Decimal``, ``int``, or text like ``500万元`` / ``5,000,000``."""
    if isinstance(value, bool):
        raise AmountError("an amount must be a number of 元, not true/false")
    if isinstance(value, float):
        raise AmountError(
            "an amount must not be a binary float (it cannot hold most amounts exactly); "
            "pass a Decimal, an int, or text such as '500万元'"
        )
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, Decimal):
        amount = value
    elif isinstance(value, str):
        match = _TEXT.match(value)
        if not match:
            raise AmountError(f"{safe_repr(value)} is not an amount; write e.g. 5000000, '500万' or '500万元'")
        number, unit = match.group(1), match.group(2) or ""
        if "," in number and not _GROUPED.match(number):
            raise AmountError(f"{safe_repr(value)}: thousands separators must group three digits")
        amount = _scaled(Decimal(number.replace(",", "")), _UNITS[unit])
    else:
        raise AmountError(f"an amount must be a number or text, not {type(value).__name__}")
    if not amount.is_finite():
        raise AmountError("an amount must be a finite number")
    if amount < 0:
        raise AmountError("an amount cannot be negative")
    problem = size_problem(amount, MAX_AMOUNT)
    if problem:
        raise AmountError(f"{safe_repr(value)}: {problem}")
    return amount if amount != 0 else Decimal(0)  # no "-0"


def _scaled(number: Decimal, unit: Decimal) -> Decimal:
    """``number × unit`` for a power-of-ten unit, exactly: the exponent moves, no digit is rounded.

    Plain ``*`` rounds to the context's 28 digits and overflows on exponents like ``1e999999999``.
    """
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # the text pattern admits finite numbers only
    exponent += unit.adjusted()
    if 0 < exponent <= 20:  # 500万 as 5000000, not 5.00E+6 (same value, the usual spelling)
        digits, exponent = digits + (0,) * exponent, 0
    return Decimal((sign, digits, exponent))


def size_problem(number: Decimal, limit: Decimal) -> str | None:
    """Why a finite, non-negative ``number`` is outside what govrules keeps exactly, or None.

    Above ``limit``, or with digits finer than ``10^-MAX_PLACES`` (after dropping trailing zeros),
    a value is a typing error, not a quantity; refusing it keeps every later computation exact.
    """
    if number > limit:
        return f"larger than any plausible project (limit {limit:,.0f})"
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    if number != 0 and exponent + trailing < -MAX_PLACES:
        return f"has digits finer than 10^-{MAX_PLACES}, which no amount or quantity needs"
    return None


def format_amount(amount: Decimal) -> str:
    """Show an amount the way the documents do: in 万元 when it is a whole number of 万, else 元."""
    if amount != 0 and amount % 10_000 == 0:
        wan = (amount / 10_000).normalize()
        return f"{wan:f}万元"
    return f"{amount.normalize():f}元" if amount == amount.to_integral_value() else f"{amount:f}元"
