"""The condition language: conditions are data, type-checked against the fact vocabulary.

A condition is a YAML mapping of one of these shapes (nothing is ever eval'd):

``{all: [...]}``, ``{any: [...]}``, ``{not: {...}}``
    combinations;
``{fact: F, op: 以上, value: 500万元}``
    a comparison; ``op`` is the word the text uses (以上, 超过, 不满, …) or a symbol (``>=`` …);
``{fact: F, is: V}`` / ``{fact: F, in: [V, …]}``
    equality with a boolean, an enum value or a text;
``{fact: F, known: true}``
    whether the project states the fact at all;
``{fact: F, happened: true}``
    for the date of an act: true for a date, false where the project states the act did not take
    place (``false``), unknown where it says nothing (issue 12 C3);
``{jurisdiction: below}`` / ``{jurisdiction: own}``
    whether the pack is applied for a jurisdiction below its own (a 吴兴 project under 湖州's pack,
    through the hierarchy in pack metadata) or for its own;
``{reading: R, is: A}`` / ``{reading: R, in: [A, …]}``
    whether the pack's reading ``R`` of an unsettled question is answered ``A`` (the pack's chosen
    answer, or the caller's): the condition rests on that interpretation, and decisions say so.

``value`` may name another fact: ``{fact: actual_investment, times: 0.1}`` (10% of it) or
``{fact: trial_run_started_on, plus: {months: 1}}`` (a duration counted by 民法典 第二百零一条,
第二百零二条). Evaluation is three-valued: a condition whose facts are missing is unknown (None),
never silently false.
"""

from __future__ import annotations

import datetime as _dt
import enum
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Union

from .amounts import AmountError, format_amount, parse_amount
from .calendar import Calendar, Period
from .errors import PackProblem, did_you_mean
from .parameters import Parameter

if TYPE_CHECKING:
    from .readings import ReadingSpec
from .vocabulary import NOT_HAPPENED, Fact, FactType, Vocabulary
from .yamlfiles import YamlDocument

__all__ = [
    "STATUTORY_WORDS",
    "BELOW_SLOT",
    "All",
    "AnyOf",
    "AppliedFor",
    "Compare",
    "Condition",
    "Equals",
    "FactRef",
    "Happened",
    "Known",
    "Literal",
    "Not",
    "OneOf",
    "READING_SLOT",
    "Reading",
    "Relation",
    "compile_condition",
    "compiled_leaf",
    "describe",
    "explain",
    "explain_both",
    "facts_used",
    "missing_facts",
    "param_comparisons",
    "params_used",
    "parse_condition",
    "readings_used",
]


class Relation(str, enum.Enum):
    """The mathematical relation a comparison word stands for."""

    GE = ">="
    GT = ">"
    LE = "<="
    LT = "<"
    EQ = "=="
    NE = "!="


#: Comparison words and what they mean. 民法典 第一千二百五十九条: "以上、以下、以内、届满，包括本数；
#: 不满、超过、以外，不包括本数". 低于/少于/先于 exclude the number by their plain meaning;
#: 不少于/不低于/不超过 are the negations of excluding words and so include it.
#: The second element says whether the word follows the number in Chinese ("500万元以上").
STATUTORY_WORDS: Mapping[str, tuple[Relation, bool]] = {
    "以上": (Relation.GE, True),
    "以下": (Relation.LE, True),
    "以内": (Relation.LE, True),
    "届满": (Relation.GE, True),
    "以后": (Relation.GE, True),
    "以前": (Relation.LE, True),
    "超过": (Relation.GT, False),
    "高于": (Relation.GT, False),
    "多于": (Relation.GT, False),
    "晚于": (Relation.GT, False),
    "不满": (Relation.LT, False),
    "低于": (Relation.LT, False),
    "少于": (Relation.LT, False),
    "先于": (Relation.LT, False),
    "早于": (Relation.LT, False),
    "不少于": (Relation.GE, False),
    "不低于": (Relation.GE, False),
    "不超过": (Relation.LE, False),
    "不高于": (Relation.LE, False),
}
_SYMBOLS = {r.value: r for r in Relation}
_OPS = tuple(STATUTORY_WORDS) + tuple(_SYMBOLS)

Location = tuple[str, int | None, int | None]


@dataclass(frozen=True, slots=True)
class Literal:
    """A constant operand, already converted to the fact's type (Decimal, int, date, …).

    ``param`` names the pack's local parameter the value came from (``{param: …}`` in the pack):
    the value is then a local setting, not a number of the text, and decisions say so.
    """

    value: Any
    param: str | None = None


@dataclass(frozen=True, slots=True)
class FactRef:
    """Another fact as operand, optionally scaled (``times``) or moved by a duration (``plus``)."""

    fact: str
    times: Decimal | None = None
    plus: Period | None = None


Operand = Union[Literal, FactRef]


@dataclass(frozen=True, slots=True)
class Compare:
    """``fact op value`` where ``op`` is the word as written in the pack."""

    fact: str
    op: str
    value: Operand
    at: Location | None = field(default=None, compare=False)

    @property
    def relation(self) -> Relation:
        return STATUTORY_WORDS[self.op][0] if self.op in STATUTORY_WORDS else _SYMBOLS[self.op]


@dataclass(frozen=True, slots=True)
class Equals:
    """``fact is value`` for booleans, enum values and texts."""

    fact: str
    value: Any
    at: Location | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class OneOf:
    """``fact in [values]``."""

    fact: str
    values: tuple[Any, ...]
    at: Location | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Known:
    """Whether the project states the fact (``known: true``) or leaves it out (``known: false``)."""

    fact: str
    known: bool = True
    at: Location | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Happened:
    """Whether the act a date fact records took place: true for a date, false for ``NOT_HAPPENED``."""

    fact: str
    happened: bool = True
    at: Location | None = field(default=None, compare=False)


#: Readings reach conditions through the facts mapping under this prefix, which no fact name can
#: start with: ``facts["@wuxing_private_self_funded"] = "not_governed"``.
READING_SLOT = "@"


@dataclass(frozen=True, slots=True)
class Reading:
    """Whether the reading ``reading`` (an interpretation the pack declares) is answered by one of ``values``."""

    reading: str
    values: tuple[str, ...]
    at: Location | None = field(default=None, compare=False)

    @property
    def fact(self) -> str:
        """The slot of the facts mapping that holds the reading's answer."""
        return READING_SLOT + self.reading


@dataclass(frozen=True, slots=True)
class AppliedFor:
    """Whether the pack ``pack`` is applied for a jurisdiction below its own (``below``) or for its own."""

    pack: str
    below: bool
    at: Location | None = field(default=None, compare=False)

    @property
    def fact(self) -> str:
        """The slot of the facts mapping that says whether ``pack`` is applied below its jurisdiction."""
        return BELOW_SLOT + self.pack


#: The evaluator tells each pack whether it is applied for a jurisdiction below its own under this
#: prefix (no fact name can start with it): ``facts["@below:huzhou"] = True`` for a 吴兴 project.
BELOW_SLOT = "@below:"


@dataclass(frozen=True, slots=True)
class All:
    items: tuple[Condition, ...]
    at: Location | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Condition, ...]
    at: Location | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Not:
    item: Condition
    at: Location | None = field(default=None, compare=False)


Condition = Union[All, AnyOf, Not, Compare, Equals, OneOf, Known, Happened, Reading, AppliedFor]
Leaf = Union[Compare, Equals, OneOf, Known, Happened, Reading, AppliedFor]

# --------------------------------------------------------------------------------------------
# Parsing and type checking
# --------------------------------------------------------------------------------------------

_SHAPES = {
    "all": {"all"},
    "any": {"any"},
    "not": {"not"},
    "op": {"fact", "op", "value"},
    "param": {"fact", "op", "param"},
    "is": {"fact", "is"},
    "in": {"fact", "in"},
    "known": {"fact", "known"},
    "happened": {"fact", "happened"},
    "reading_is": {"reading", "is"},
    "reading_in": {"reading", "in"},
}
_ALL_KEYS = sorted({k for keys in _SHAPES.values() for k in keys} | {"jurisdiction"})


class _Parser:
    def __init__(self, doc: YamlDocument, vocab: Vocabulary, problems: list[PackProblem],
                 params: Mapping[str, Parameter], readings: Mapping[str, ReadingSpec] | None = None,
                 pack: str = "") -> None:
        self.pack = pack
        self.doc = doc
        self.vocab = vocab
        self.problems = problems
        self.params = params
        self.readings: Mapping[str, ReadingSpec] = readings or {}

    def fail(self, path: tuple[str | int, ...], message: str, hint: str | None = None,
             *, code: str = "condition", key: bool = False) -> None:
        self.problems.append(self.doc.problem(path, message, hint=hint, code=code, key=key))

    def at(self, path: tuple[str | int, ...]) -> Location:
        line, column = self.doc.locate(path)
        return (self.doc.file, line, column)

    def condition(self, data: Any, path: tuple[str | int, ...]) -> Condition | None:
        if not isinstance(data, dict) or not data:
            self.fail(path, "a condition must be a mapping such as {fact: …, is: …} or {all: […]}")
            return None
        for key in data:
            if key not in _ALL_KEYS:
                self.fail(path + (key,), f"unknown condition key {key!r}",
                          did_you_mean(str(key), _ALL_KEYS), code="unknown-key", key=True)
                return None
        keys = set(data)
        if "reading" in keys:
            return self._reading(data, path)
        if "jurisdiction" in keys:
            if keys != {"jurisdiction"} or data["jurisdiction"] not in ("below", "own"):
                self.fail(path, "a jurisdiction condition is {jurisdiction: below} (applied for a jurisdiction "
                                "below this pack's, through the hierarchy) or {jurisdiction: own}")
                return None
            return AppliedFor(self.pack, data["jurisdiction"] == "below", at=self.at(path))
        for shape, expected in _SHAPES.items():
            if shape.startswith("reading_"):
                continue
            if shape == "op" and "param" in keys:
                continue  # {fact, op, param}: a comparison with a local parameter
            if shape in keys:
                if keys != expected:
                    extra = sorted(keys - expected)
                    lacking = sorted(expected - keys)
                    detail = []
                    if extra:
                        detail.append("does not take " + ", ".join(map(repr, extra)))
                    if lacking:
                        detail.append("needs " + ", ".join(map(repr, lacking)))
                    self.fail(path, f"a {shape!r} condition " + " and ".join(detail),
                              "write exactly one of: {all: […]}, {any: […]}, {not: …}, "
                              "{fact, op, value}, {fact, op, param}, {fact, is}, {fact, in}, {fact, known}, "
                              "{fact, happened}, {reading, is}, {reading, in}")
                    return None
                parsed: Condition | None = getattr(self, "_" + shape)(data, path)
                return parsed
        self.fail(path, "a condition with only 'fact' needs op/value, is, in, known or happened")
        return None

    def _all(self, data: dict[str, Any], path: tuple[str | int, ...]) -> Condition | None:
        return self._group(data["all"], path + ("all",), All)

    def _any(self, data: dict[str, Any], path: tuple[str | int, ...]) -> Condition | None:
        return self._group(data["any"], path + ("any",), AnyOf)

    def _group(self, items: Any, path: tuple[str | int, ...], kind: type) -> Condition | None:
        if not isinstance(items, list) or not items:
            self.fail(path, "needs a non-empty list of conditions")
            return None
        parsed = [self.condition(item, path + (i,)) for i, item in enumerate(items)]
        if any(p is None for p in parsed):
            return None
        return kind(tuple(parsed), at=self.at(path))  # type: ignore[no-any-return]

    def _not(self, data: dict[str, Any], path: tuple[str | int, ...]) -> Condition | None:
        inner = self.condition(data["not"], path + ("not",))
        return None if inner is None else Not(inner, at=self.at(path))

    def fact(self, name: Any, path: tuple[str | int, ...]) -> Fact | None:
        if not isinstance(name, str) or name not in self.vocab:
            self.fail(path, f"unknown fact {name!r}", did_you_mean(str(name), list(self.vocab)),
                      code="unknown-fact")
            return None
        return self.vocab[name]

    def _param(self, data: dict[str, Any], path: tuple[str | int, ...]) -> Condition | None:
        return self._op(data, path)

    def param(self, fact: Fact, name: Any, path: tuple[str | int, ...]) -> Operand | None:
        param = self.params.get(name) if isinstance(name, str) else None
        if param is None:
            self.fail(path, f"unknown local parameter {name!r}",
                      did_you_mean(str(name), list(self.params))
                      or "declare it in pack.yaml under local_parameters", code="unknown-parameter")
            return None
        if param.type.value != fact.type.value:
            self.fail(path, f"local parameter {param.id} is a {param.type.value}, but {fact.name} is a "
                      f"{fact.type.value}", code="type-mismatch")
            return None
        return Literal(param.value, param=param.id)

    def _op(self, data: dict[str, Any], path: tuple[str | int, ...]) -> Condition | None:
        fact = self.fact(data["fact"], path + ("fact",))
        op = data["op"]
        if op not in _OPS:
            self.fail(path + ("op",), f"unknown comparison {op!r}",
                      did_you_mean(str(op), _OPS) or "use the word the text uses: "
                      + "、".join(STATUTORY_WORDS) + " (or >=, >, <=, <, ==, !=)",
                      code="unknown-operator")
            return None
        if fact is None:
            return None
        relation = STATUTORY_WORDS[op][0] if op in STATUTORY_WORDS else _SYMBOLS[op]
        if relation not in (Relation.EQ, Relation.NE) and not fact.type.ordered:
            self.fail(path + ("op",),
                      f"{op!r} compares sizes, but {fact.name} is a {fact.type.value}",
                      "use 'is' or 'in' for yes/no and listed values", code="type-mismatch")
            return None
        if "param" in data:
            operand = self.param(fact, data["param"], path + ("param",))
        else:
            operand = self.operand(fact, data["value"], path + ("value",))
        if operand is None:
            return None
        return Compare(fact.name, op, operand, at=self.at(path))

    def operand(self, fact: Fact, value: Any, path: tuple[str | int, ...]) -> Operand | None:
        if isinstance(value, dict):
            unknown = set(value) - {"fact", "times", "plus"}
            if unknown or "fact" not in value:
                self.fail(path, "a fact operand is {fact: NAME} with optional times or plus",
                          code="condition")
                return None
            other = self.fact(value["fact"], path + ("fact",))
            if other is None:
                return None
            times = value.get("times")
            plus = value.get("plus")
            if times is not None:
                if fact.type not in (FactType.AMOUNT, FactType.NUMBER) or other.type is not fact.type:
                    self.fail(path + ("times",), "times scales an amount or number by a ratio",
                              code="type-mismatch")
                    return None
                if isinstance(times, bool) or not isinstance(times, (int, Decimal)) or times < 0:
                    self.fail(path + ("times",), "times must be a non-negative number such as 0.1")
                    return None
                times = Decimal(times)
            period = None
            if plus is not None:
                if fact.type is not FactType.DATE or other.type is not FactType.DATE:
                    self.fail(path + ("plus",), "plus adds a duration to a date", code="type-mismatch")
                    return None
                period = self.period(plus, path + ("plus",), allow_working_days=False)
                if period is None:
                    return None
            if other.type is not fact.type:
                self.fail(path + ("fact",),
                          f"cannot compare {fact.name} ({fact.type.value}) "
                          f"with {other.name} ({other.type.value})", code="type-mismatch")
                return None
            return FactRef(other.name, times=times, plus=period)
        converted = self.literal(fact, value, path)
        return None if converted is _INVALID else Literal(converted)

    def literal(self, fact: Fact, value: Any, path: tuple[str | int, ...]) -> Any:
        kind = fact.type
        try:
            if kind is FactType.AMOUNT:
                return parse_amount(value)
            if kind is FactType.DATE:
                if not isinstance(value, str) or not _ISO_DATE.match(value):
                    raise ValueError("write a date as YYYY-MM-DD")
                return _dt.date.fromisoformat(value)
            if kind is FactType.BOOLEAN:
                if not isinstance(value, bool):
                    raise ValueError("write true or false")
                return value
            if kind is FactType.INTEGER:
                if isinstance(value, bool) or not isinstance(value, int):
                    raise ValueError("write a whole number")
                return value
            if kind is FactType.NUMBER:
                if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
                    raise ValueError("write a number")
                return Decimal(value)
            if kind is FactType.ENUM:
                if not isinstance(value, str):
                    raise ValueError("write one value; to allow several, use 'in: [...]'")
                if value not in fact.values:
                    hint = did_you_mean(str(value), list(fact.values)) or (
                        "one of: " + ", ".join(fact.values))
                    self.fail(path, f"{value!r} is not a value of {fact.name}", hint,
                              code="type-mismatch")
                    return _INVALID
                return value
            if not isinstance(value, str):
                raise ValueError("write text")
            return value
        except (AmountError, ValueError) as exc:
            self.fail(path, f"{value!r} is not a valid {kind.value} for {fact.name}: {exc}",
                      code="type-mismatch")
            return _INVALID

    def period(self, data: Any, path: tuple[str | int, ...], *, allow_working_days: bool) -> Period | None:
        allowed = {"days", "months", "years"} | ({"working_days"} if allow_working_days else set())
        if (not isinstance(data, dict) or len(data) != 1 or not set(data) <= allowed
                or isinstance(next(iter(data.values())), bool)
                or not isinstance(next(iter(data.values())), int)
                or next(iter(data.values())) < 1):
            self.fail(path, "a period is one of " + ", ".join(f"{{{k}: N}}" for k in sorted(allowed))
                      + " with N a whole number of at least 1", code="period")
            return None
        return Period(**data)

    def _is(self, data: dict[str, Any], path: tuple[str | int, ...]) -> Condition | None:
        fact = self.fact(data["fact"], path + ("fact",))
        if fact is None:
            return None
        if fact.type.ordered:
            self.fail(path + ("is",), f"{fact.name} is a {fact.type.value}: compare it with op/value",
                      code="type-mismatch")
            return None
        value = self.literal(fact, data["is"], path + ("is",))
        return None if value is _INVALID else Equals(fact.name, value, at=self.at(path))

    def _in(self, data: dict[str, Any], path: tuple[str | int, ...]) -> Condition | None:
        fact = self.fact(data["fact"], path + ("fact",))
        values = data["in"]
        if fact is None:
            return None
        if not isinstance(values, list) or not values:
            self.fail(path + ("in",), "'in' needs a non-empty list of values")
            return None
        if fact.type not in (FactType.ENUM, FactType.TEXT, FactType.INTEGER):
            self.fail(path + ("in",), f"'in' lists values of an enum or text fact, not a {fact.type.value}",
                      code="type-mismatch")
            return None
        converted = [self.literal(fact, v, path + ("in", i)) for i, v in enumerate(values)]
        if any(v is _INVALID for v in converted):
            return None
        return OneOf(fact.name, tuple(converted), at=self.at(path))

    def _happened(self, data: dict[str, Any], path: tuple[str | int, ...]) -> Condition | None:
        fact = self.fact(data["fact"], path + ("fact",))
        if not isinstance(data["happened"], bool):
            self.fail(path + ("happened",), "happened is true or false")
            return None
        if fact is None:
            return None
        if not fact.act:
            self.fail(path + ("fact",), f"{fact.name} does not record an act; 'happened' tests the date of an act",
                      "facts marked act: true in the vocabulary: "
                      + ", ".join(f.name for f in self.vocab.values() if f.act), code="type-mismatch")
            return None
        return Happened(fact.name, data["happened"], at=self.at(path))

    def _reading(self, data: dict[str, Any], path: tuple[str | int, ...]) -> Condition | None:
        keys = set(data)
        if keys not in ({"reading", "is"}, {"reading", "in"}):
            self.fail(path, "a reading condition is {reading: ID, is: ANSWER} or {reading: ID, in: [ANSWER, …]}")
            return None
        name = data["reading"]
        reading = self.readings.get(name) if isinstance(name, str) else None
        if reading is None:
            self.fail(path + ("reading",), f"unknown reading {name!r}",
                      did_you_mean(str(name), list(self.readings)) or "declare it in the pack's readings.yaml",
                      code="unknown-reading")
            return None
        values = [data["is"]] if "is" in data else data["in"]
        where = path + (("is",) if "is" in data else ("in",))
        if not isinstance(values, list) or not values:
            self.fail(where, "'in' needs a non-empty list of answers")
            return None
        for i, value in enumerate(values):
            if not isinstance(value, str) or value not in reading.alternatives:  # a list is no answer
                self.fail(where + ((i,) if "in" in data else ()),
                          f"{value!r} is not an alternative of reading {reading.id}",
                          did_you_mean(str(value), list(reading.alternatives))
                          or "one of: " + ", ".join(reading.alternatives), code="unknown-alternative")
                return None
        return Reading(reading.id, tuple(values), at=self.at(path))

    def _known(self, data: dict[str, Any], path: tuple[str | int, ...]) -> Condition | None:
        fact = self.fact(data["fact"], path + ("fact",))
        if not isinstance(data["known"], bool):
            self.fail(path + ("known",), "known is true or false")
            return None
        return None if fact is None else Known(fact.name, data["known"], at=self.at(path))


_INVALID = object()
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_condition(
    data: Any, path: tuple[str | int, ...], doc: YamlDocument, vocab: Vocabulary,
    problems: list[PackProblem], params: Mapping[str, Parameter] | None = None,
    readings: Mapping[str, ReadingSpec] | None = None, pack: str = "",
) -> Condition | None:
    """Parse and type-check the condition at ``path`` of ``doc``; problems are appended, located.

    ``params`` are the pack's local parameters, which ``{fact, op, param}`` comparisons may name;
    ``readings`` its declared readings, which ``{reading, is}`` conditions may name.
    """
    return _Parser(doc, vocab, problems, params or {}, readings, pack).condition(data, path)


def parse_period(
    data: Any, path: tuple[str | int, ...], doc: YamlDocument, vocab: Vocabulary,
    problems: list[PackProblem],
) -> Period | None:
    """Parse a deadline period ({working_days: 5}, {months: 3}, …) at ``path`` of ``doc``."""
    return _Parser(doc, vocab, problems, {}).period(data, path, allow_working_days=True)


# --------------------------------------------------------------------------------------------
# Structure
# --------------------------------------------------------------------------------------------


def iter_leaves(cond: Condition) -> Iterator[Leaf]:
    """Every comparison in ``cond``, left to right."""
    if isinstance(cond, (All, AnyOf)):
        for item in cond.items:
            yield from iter_leaves(item)
    elif isinstance(cond, Not):
        yield from iter_leaves(cond.item)
    else:
        yield cond


def facts_used(cond: Condition | None) -> tuple[str, ...]:
    """The facts ``cond`` reads, in order of first appearance."""
    if cond is None:
        return ()
    seen: dict[str, None] = {}
    for leaf in iter_leaves(cond):
        if isinstance(leaf, (Reading, AppliedFor)):
            continue  # an interpretation, or where the pack is applied: not a fact of the project
        seen[leaf.fact] = None
        if isinstance(leaf, Compare) and isinstance(leaf.value, FactRef):
            seen[leaf.value.fact] = None
    return tuple(seen)


# --------------------------------------------------------------------------------------------
# Compilation: closures over plain dicts, three-valued (True / False / None = unknown)
# --------------------------------------------------------------------------------------------

Facts = Mapping[str, Any]
Compiled = Callable[[Facts], "bool | None"]

# The operator module's functions are the comparisons themselves, called without a Python frame.
_RELATIONS: Mapping[Relation, Callable[[Any, Any], bool]] = {
    Relation.GE: operator.ge,
    Relation.GT: operator.gt,
    Relation.LE: operator.le,
    Relation.LT: operator.lt,
    Relation.EQ: operator.eq,
    Relation.NE: operator.ne,
}


def _operand_getter(operand: Operand, calendar: Calendar) -> Callable[[Facts], Any]:
    if isinstance(operand, Literal):
        constant = operand.value
        return lambda facts: constant
    name, times, plus = operand.fact, operand.times, operand.plus
    if times is not None:
        return lambda facts: None if (v := facts.get(name)) is None else v * times
    if plus is not None:
        span_end = calendar.span_end
        # an act that did not happen has no date to count from: it stays NOT_HAPPENED (compares false)
        return lambda facts: v if (v := facts.get(name)) is None or v is NOT_HAPPENED else span_end(v, plus)
    return lambda facts: facts.get(name)


def readings_used(cond: Condition | None) -> tuple[str, ...]:
    """The readings ``cond`` rests on, in order of first appearance."""
    if cond is None:
        return ()
    return tuple(dict.fromkeys(leaf.reading for leaf in iter_leaves(cond) if isinstance(leaf, Reading)))


def params_used(cond: Condition | None) -> tuple[str, ...]:
    """The local parameters ``cond`` compares with, in order of first appearance."""
    return tuple(dict.fromkeys(param for param, _ in param_comparisons(cond)))


def param_comparisons(cond: Condition | None) -> tuple[tuple[str, str], ...]:
    """``(parameter, fact)`` for every comparison of a fact with a local parameter in ``cond``."""
    if cond is None:
        return ()
    return tuple(dict.fromkeys(
        (leaf.value.param, leaf.fact) for leaf in iter_leaves(cond)
        if isinstance(leaf, Compare) and isinstance(leaf.value, Literal) and leaf.value.param is not None
    ))


def compile_condition(cond: Condition, calendar: Calendar) -> Compiled:
    """Turn ``cond`` into a function of a project's facts returning True, False or None."""
    if isinstance(cond, Compare):
        name = cond.fact
        test = _RELATIONS[cond.relation]
        if isinstance(cond.value, Literal):
            constant = cond.value.value

            def compare_constant(facts: Facts) -> bool | None:
                value = facts.get(name)
                return None if value is None else test(value, constant)

            return compare_constant
        other = _operand_getter(cond.value, calendar)

        def compare_fact(facts: Facts) -> bool | None:
            value = facts.get(name)
            against = other(facts)
            return None if value is None or against is None else test(value, against)

        return compare_fact
    if isinstance(cond, Equals):
        name, expected = cond.fact, cond.value

        def equals(facts: Facts) -> bool | None:
            value = facts.get(name)
            return None if value is None else value == expected

        return equals
    if isinstance(cond, OneOf):
        name, allowed = cond.fact, frozenset(cond.values)

        def one_of(facts: Facts) -> bool | None:
            value = facts.get(name)
            return None if value is None else value in allowed

        return one_of
    if isinstance(cond, Known):
        name, want = cond.fact, cond.known
        return lambda facts: (facts.get(name) is not None) is want
    if isinstance(cond, Happened):
        name, want = cond.fact, cond.happened

        def happened(facts: Facts) -> bool | None:
            value = facts.get(name)
            return None if value is None else (value is not NOT_HAPPENED) is want

        return happened
    if isinstance(cond, AppliedFor):
        slot, below = cond.fact, cond.below
        return lambda facts: None if (value := facts.get(slot)) is None else value is below
    if isinstance(cond, Reading):
        slot, answers = cond.fact, frozenset(cond.values)

        def reading(facts: Facts) -> bool | None:
            value = facts.get(slot)
            return None if value is None else value in answers

        return reading
    if isinstance(cond, Not):
        inner = compile_condition(cond.item, calendar)

        def negate(facts: Facts) -> bool | None:
            value = inner(facts)
            return None if value is None else not value

        return negate
    parts = tuple(compile_condition(item, calendar) for item in cond.items)
    if isinstance(cond, All):
        # Kleene conjunction: false wins over unknown, unknown over true.
        def conjunction(facts: Facts) -> bool | None:
            result: bool | None = True
            for part in parts:
                value = part(facts)
                if value is False:
                    return False
                if value is None:
                    result = None
            return result

        return conjunction

    def disjunction(facts: Facts) -> bool | None:
        result: bool | None = False
        for part in parts:
            value = part(facts)
            if value is True:
                return True
            if value is None:
                result = None
        return result

    return disjunction


# Explanations evaluate and describe the sub-conditions of every decision they spell out. Both
# are memoized by the identity of the (long-lived, immutable) condition node: hashing a frozen
# condition tree walks all of it, which cost more than the explanation itself. Each entry keeps
# its node (and calendar or vocabulary) alive, so an id cannot be reused while it is cached; the
# caches are bounded and cleared when full.
_MEMO_SIZE = 16_384
_COMPILED: dict[tuple[int, int], tuple[Condition, Calendar, Compiled]] = {}
_DESCRIBED: dict[tuple[int, int], tuple[Condition, Vocabulary, tuple[str, str]]] = {}


def compiled_leaf(cond: Condition, calendar: Calendar) -> Compiled:
    """``compile_condition`` of a leaf (or any condition), memoized by node identity."""
    return _compiled(cond, calendar)


def _compiled(cond: Condition, calendar: Calendar) -> Compiled:
    """``compile_condition``, memoized by node identity."""
    entry = _COMPILED.get((id(cond), id(calendar)))
    if entry is not None and entry[0] is cond and entry[1] is calendar:
        return entry[2]
    compiled = compile_condition(cond, calendar)
    if len(_COMPILED) >= _MEMO_SIZE:
        _COMPILED.clear()
    _COMPILED[(id(cond), id(calendar))] = (cond, calendar, compiled)
    return compiled


def _described(cond: Condition, vocab: Vocabulary) -> tuple[str, str]:
    """``describe`` in Chinese and English, memoized by node identity."""
    entry = _DESCRIBED.get((id(cond), id(vocab)))
    if entry is not None and entry[0] is cond and entry[1] is vocab:
        return entry[2]
    texts = (describe(cond, vocab, "zh"), describe(cond, vocab, "en"))
    if len(_DESCRIBED) >= _MEMO_SIZE:
        _DESCRIBED.clear()
    _DESCRIBED[(id(cond), id(vocab))] = (cond, vocab, texts)
    return texts


def missing_facts(cond: Condition, facts: Facts, calendar: Calendar) -> tuple[str, ...]:
    """The missing facts that leave ``cond`` unknown: those of its unknown parts only."""
    found: dict[str, None] = {}

    def visit(node: Condition) -> None:
        if _compiled(node, calendar)(facts) is not None:
            return
        if isinstance(node, (All, AnyOf)):
            for item in node.items:
                visit(item)
        elif isinstance(node, Not):
            visit(node.item)
        else:
            for name in facts_used(node):
                if facts.get(name) is None:
                    found[name] = None

    visit(cond)
    return tuple(found)


# --------------------------------------------------------------------------------------------
# Plain language
# --------------------------------------------------------------------------------------------


def show_value(value: Any, fact: Fact | None = None, lang: str = "zh") -> str:
    """A value as a policy officer writes it: 500万元, 2026-05-11, 是/否, an enum's label."""
    if value is None:
        return "（未填）" if lang == "zh" else "(missing)"
    if value is NOT_HAPPENED:
        return "未发生" if lang == "zh" else "did not take place"
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if fact is not None and fact.type is FactType.AMOUNT:
        return format_amount(value)
    if fact is not None and fact.type is FactType.ENUM:
        return fact.value_label(str(value), lang)
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" + (fact.unit if fact is not None and fact.unit and lang == "zh" else "")
    return str(value)


def _shown(value: Any, fact: Fact | None, lang: str) -> str:
    """``show_value`` in the words of the language: in English an amount in yuan ("8,600,000 yuan"),
    not 万元 (an enum value shows its label in either language)."""
    if lang != "zh" and fact is not None and fact.type is FactType.AMOUNT and isinstance(value, Decimal):
        return f"{value.normalize():,f} yuan"
    return show_value(value, fact, lang)


def _name(vocab: Vocabulary, fact: str, lang: str) -> str:
    if fact not in vocab:
        return fact
    return vocab[fact].zh if lang == "zh" else vocab[fact].en


def _operand_text(operand: Operand, fact: Fact, vocab: Vocabulary, lang: str) -> str:
    if isinstance(operand, Literal):
        shown = _shown(operand.value, fact, lang)
        if operand.param is not None:  # a local setting, never a number of the text
            return f"{shown}（本地参数 {operand.param}）" if lang == "zh" else f"{shown} (local parameter {operand.param})"
        return shown
    text = _name(vocab, operand.fact, lang)
    if operand.times is not None:
        pct = (operand.times * 100).normalize()
        text = f"{text}的{pct:f}%" if lang == "zh" else f"{pct:f}% of {text}"
    if operand.plus is not None:
        text = f"{text}后{operand.plus.describe()}" if lang == "zh" else f"{text} + {operand.plus.describe_en()}"
    return text


def describe(cond: Condition, vocab: Vocabulary, lang: str = "zh") -> str:
    """``cond`` in plain words, e.g. "总投资500万元以上且建设项目类别为多跨协同应用项目"."""
    zh = lang == "zh"
    if isinstance(cond, All):
        return ("且" if zh else " and ").join(_wrap(i, vocab, lang) for i in cond.items)
    if isinstance(cond, AnyOf):
        return ("或" if zh else " or ").join(_wrap(i, vocab, lang) for i in cond.items)
    if isinstance(cond, Not):
        return ("并非" if zh else "not ") + _wrap(cond.item, vocab, lang)
    if isinstance(cond, AppliedFor):
        if zh:
            return "按下级辖区的项目适用本规则包（通过辖区层级）" if cond.below else "按本规则包所属辖区评估"
        return "applied for a jurisdiction below this pack's" if cond.below else "applied for this pack's own jurisdiction"
    if isinstance(cond, Reading):
        answers = ("、" if zh else ", ").join(cond.values)
        return f"按解读 {cond.reading} 取 {answers}" if zh else f"reading {cond.reading} is {answers}"
    fact = vocab.get(cond.fact)
    name = _name(vocab, cond.fact, lang)
    if isinstance(cond, Happened):
        if zh:
            return f"{name}所记事项已发生" if cond.happened else f"{name}所记事项未发生"
        return f"the act of {name} took place" if cond.happened else f"the act of {name} did not take place"
    if isinstance(cond, Compare):
        target = _operand_text(cond.value, fact, vocab, lang) if fact else "?"
        if not zh:  # the relation in English words (以上 and >= alike: "at least", inclusive)
            words = _EN_RELATIONS[cond.relation]
            return f"{name} is {words[1] if fact is not None and fact.type is FactType.DATE else words[0]} {target}"
        if cond.op in STATUTORY_WORDS:
            postfix = STATUTORY_WORDS[cond.op][1]
            return f"{name}{target}{cond.op}" if postfix else f"{name}{cond.op}{target}"
        return f"{name} {cond.op} {target}"
    if isinstance(cond, Equals):
        return f"{name}：{_shown(cond.value, fact, lang)}" if zh else f"{name} is {_shown(cond.value, fact, lang)}"
    if isinstance(cond, OneOf):
        shown = "、".join(_shown(v, fact, lang) for v in cond.values) if zh else \
            ", ".join(_shown(v, fact, lang) for v in cond.values)
        return f"{name}为{shown}之一" if zh else f"{name} is one of {shown}"
    return (f"已填写{name}" if cond.known else f"未填写{name}") if zh else \
        (f"{name} is given" if cond.known else f"{name} is not given")


#: A comparison in English: (for numbers and amounts, for dates).
_EN_RELATIONS: Mapping[Relation, tuple[str, str]] = {
    Relation.GE: ("at least", "on or after"), Relation.GT: ("more than", "after"),
    Relation.LE: ("at most", "on or before"), Relation.LT: ("less than", "before"),
    Relation.EQ: ("equal to", "on"), Relation.NE: ("other than", "not on"),
}


def _wrap(cond: Condition, vocab: Vocabulary, lang: str) -> str:
    text = describe(cond, vocab, lang)
    return f"（{text}）" if isinstance(cond, (All, AnyOf)) and lang == "zh" else \
        (f"({text})" if isinstance(cond, (All, AnyOf)) else text)


def explain(cond: Condition, facts: Facts, vocab: Vocabulary, calendar: Calendar, lang: str = "zh") -> str:
    """The parts of ``cond`` that decided its value for these facts, with the values used."""
    return explain_both(cond, facts, vocab, calendar)[0 if lang == "zh" else 1]


def explain_both(cond: Condition, facts: Facts, vocab: Vocabulary, calendar: Calendar) -> tuple[str, str]:
    """``explain`` in Chinese and English, from one walk of the condition."""
    return _explain(cond, _compiled(cond, calendar)(facts), facts, vocab, calendar)


def _explain(cond: Condition, value: bool | None, facts: Facts, vocab: Vocabulary,
             calendar: Calendar) -> tuple[str, str]:
    if isinstance(cond, (All, AnyOf)):
        # The decisive parts are those with the value of the whole (Kleene: all of a true
        # conjunction, the false ones of a false one, the unknown ones of an unknown one).
        if isinstance(cond, All) and value is True or isinstance(cond, AnyOf) and value is False:
            decisive: tuple[Condition, ...] | list[Condition] = cond.items
        else:
            decisive = [i for i in cond.items if _compiled(i, calendar)(facts) is value]
        parts = [_explain(i, value, facts, vocab, calendar) for i in decisive]
        return "；".join(p[0] for p in parts), "; ".join(p[1] for p in parts)
    if isinstance(cond, Not):
        inner_zh, inner_en = _explain(cond.item, None if value is None else not value, facts, vocab, calendar)
        if value is None:
            return inner_zh, inner_en
        shown_zh, shown_en = _described(cond, vocab)
        return (f"{shown_zh}{'成立' if value else '不成立'}（{inner_zh}）",
                f"{shown_en} {'holds' if value else 'does not hold'} ({inner_en})")
    return (_explain_leaf(cond, value, facts, vocab, "zh"), _explain_leaf(cond, value, facts, vocab, "en"))


def _explain_leaf(cond: Leaf, value: bool | None, facts: Facts, vocab: Vocabulary, lang: str) -> str:
    zh = lang == "zh"
    if isinstance(cond, AppliedFor):
        described = _described(cond, vocab)[0 if zh else 1]
        return described + (("成立" if value else "不成立") if zh else (" holds" if value else " does not hold"))
    if isinstance(cond, Reading):
        described = _described(cond, vocab)[0 if zh else 1]
        chosen = facts.get(cond.fact)
        if chosen is None:
            return f"{described}：本规则包未作选择" if zh else f"{described}: the pack takes no position"
        return (f"{described}{'成立' if value else '不成立'}（所取解读：{chosen}）" if zh else
                f"{described} {'holds' if value else 'does not hold'} (reading taken: {chosen})")
    fact = vocab.get(cond.fact)
    name = _name(vocab, cond.fact, lang)
    actual = _shown(facts.get(cond.fact), fact, lang)
    described = _described(cond, vocab)[0 if zh else 1]
    if value is None:
        lacking = "、".join(_name(vocab, f, lang) for f in facts_used(cond) if facts.get(f) is None)
        return f"{described}：缺少{lacking}" if zh else f"{described}: missing {lacking}"
    if isinstance(cond, Equals):
        if value:
            return f"{name}：{actual}" if zh else f"{name} is {actual}"
        expected = _shown(cond.value, fact, lang)
        return f"{name}为{actual}，而非{expected}" if zh else f"{name} is {actual}, not {expected}"
    if isinstance(cond, OneOf):
        return (f"{name}为{actual}" + ("" if value else "，不在所列之中")) if zh else \
            (f"{name} is {actual}" + ("" if value else ", not one of those listed"))
    if isinstance(cond, Happened):
        return described if value else (f"{name}：{actual}" if zh else f"{name}: {actual}")
    if isinstance(cond, Known):
        return described if value is cond.known else (
            (f"未填写{name}" if cond.known else f"已填写{name}（{actual}）") if zh else
            (f"{name} is not given" if cond.known else f"{name} is given ({actual})"))
    shown = "，".join(f"{_name(vocab, f, lang)}={_shown(facts.get(f), vocab.get(f), lang)}"
                     for f in facts_used(cond)) if zh else \
        ", ".join(f"{_name(vocab, f, lang)}={_shown(facts.get(f), vocab.get(f), lang)}" for f in facts_used(cond))
    if zh:
        return f"{described}{'成立' if value else '不成立'}（{shown}）"
    return f"{described} {'holds' if value else 'does not hold'} ({shown})"
