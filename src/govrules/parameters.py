"""Local parameters: numbers a pack needs that the encoded text does not give.

Some documents defer to rules they do not contain — 湖政办发〔2023〕40号 三4 points to
湖数〔2023〕7号 (绩效评价实施细则) and 湖数〔2023〕6号 (关停并转实施细则) for thresholds and weights;
吴政办发〔2023〕43号 第二十八条 lists evaluation dimensions without weights. Such numbers are
declared once in ``pack.yaml`` under ``local_parameters``, each with where it comes from, and are
never attributed to an article: a decision that rests on one lists it, and its report says so.
"""

from __future__ import annotations

import datetime as _dt
import enum
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .amounts import AmountError, format_amount, parse_amount
from .errors import PackProblem
from .yamlfiles import YamlDocument

__all__ = ["Band", "Parameter", "ParameterType", "parse_parameters"]

Location = tuple[str, int | None, int | None]


class ParameterType(str, enum.Enum):
    """What a local parameter holds; ``bands`` is a grade table for scoring rules."""

    AMOUNT = "amount"
    NUMBER = "number"
    INTEGER = "integer"
    DATE = "date"
    BANDS = "bands"


@dataclass(frozen=True, slots=True)
class Band:
    """One grade band: totals of ``at_least`` or more (以上, inclusive) get ``grade``; the last band has none."""

    grade: str
    at_least: Decimal | None


@dataclass(frozen=True, slots=True)
class Parameter:
    """A number (or grade table) the pack sets locally, with its source outside the encoded text."""

    id: str
    type: ParameterType
    value: Any  # Decimal, int, date, or tuple[Band, ...] for bands
    zh: str
    en: str
    source: str
    note: str | None = None
    at: Location | None = field(default=None, compare=False)

    def display(self) -> str:
        """The value as a policy officer writes it (500万元, 60, 2026-01-01, 优秀≥90 …)."""
        if self.type is ParameterType.AMOUNT:
            return format_amount(self.value)
        if self.type is ParameterType.BANDS:
            return "；".join(f"{b.grade}" + (f" ≥{b.at_least}" if b.at_least is not None else "")
                            for b in self.value)
        if isinstance(self.value, _dt.date):
            return self.value.isoformat()
        return str(self.value)

    def to_dict(self) -> dict[str, Any]:
        if self.type is ParameterType.BANDS:
            value: Any = [{"grade": b.grade, "at_least": None if b.at_least is None else str(b.at_least)}
                          for b in self.value]
        elif isinstance(self.value, _dt.date):
            value = self.value.isoformat()
        else:
            value = str(self.value)
        return {"id": self.id, "type": self.type.value, "value": value, "zh": self.zh, "en": self.en,
                "source": self.source, "local": True}


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _convert(ptype: ParameterType, raw: Any) -> Any:
    """Convert a schema-checked raw value; raise ValueError with a plain message."""
    if ptype is ParameterType.AMOUNT:
        try:
            return parse_amount(raw)
        except AmountError as exc:
            raise ValueError(str(exc)) from None
    if ptype is ParameterType.NUMBER:
        if isinstance(raw, bool) or not isinstance(raw, (int, Decimal)):
            raise ValueError("write a number")
        return Decimal(raw)
    if ptype is ParameterType.INTEGER:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueError("write a whole number")
        return raw
    if ptype is ParameterType.DATE:
        if not isinstance(raw, str) or not _ISO_DATE.match(raw):
            raise ValueError("write a date as YYYY-MM-DD")
        return _dt.date.fromisoformat(raw)
    bands: list[Band] = []
    if not isinstance(raw, list) or len(raw) < 2:
        raise ValueError("a grade table lists at least two bands, best first")
    for i, entry in enumerate(raw):
        last = i == len(raw) - 1
        if not isinstance(entry, dict) or not isinstance(entry.get("grade"), str):
            raise ValueError(f"band {i + 1} needs a grade")
        bound = entry.get("at_least")
        if last != (bound is None):
            raise ValueError("every band but the last has at_least; the last band takes every lower total"
                             if last else f"band {i + 1} needs at_least (only the last band has none)")
        if bound is not None:
            if isinstance(bound, bool) or not isinstance(bound, (int, Decimal)):
                raise ValueError(f"band {i + 1}: at_least is a number")
            bound = Decimal(bound)
            if bands and bands[-1].at_least is not None and bound >= bands[-1].at_least:
                raise ValueError(f"band {i + 1}: at_least must be lower than the band before it")
        bands.append(Band(entry["grade"], bound))
    return tuple(bands)


def parse_parameters(doc: YamlDocument, entries: Any, problems: list[PackProblem],
                     broken: Collection[tuple[str | int, ...]] = ()) -> dict[str, Parameter]:
    """Parse ``local_parameters`` of a schema-checked pack.yaml, skipping the entries the schema
    refused (``broken``: their ``("local_parameters", index)`` paths); problems are appended, located."""
    result: dict[str, Parameter] = {}
    if not isinstance(entries, list):
        return result
    for index, entry in enumerate(entries):
        where: tuple[str | int, ...] = ("local_parameters", index)
        if where in broken:
            continue  # the schema check has already said what is wrong with this entry
        pid = entry["id"]
        if pid in result:
            problems.append(doc.problem(where + ("id",), f"local parameter {pid!r} is declared twice",
                                        code="duplicate-parameter"))
            continue
        ptype = ParameterType(entry["type"])
        try:
            value = _convert(ptype, entry["value"])
        except ValueError as exc:
            problems.append(doc.problem(where + ("value",), f"{pid}: {exc}", code="parameter"))
            continue
        line, column = doc.locate(where)
        result[pid] = Parameter(
            id=pid, type=ptype, value=value, zh=entry["zh"], en=entry["en"], source=entry["source"],
            note=entry.get("note"), at=(doc.file, line, column),
        )
    return result

