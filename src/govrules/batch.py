"""Whole-ledger evaluation: one row of decisions per project, whole columns at a time (issue 5).

``evaluate_batch`` takes an Arrow ``RecordBatch`` of projects (one column per fact, optional ``id``)
and returns a ``RecordBatch`` with ``row``, ``id``, ``error`` and one status column per rule. It
decides whole columns with Arrow compute kernels, whose Kleene logic (null = unknown) is the
engine's three-valued logic, so a ledger is not walked row by row in Python. Whatever the
vectorized path cannot express exactly (an amount with more decimals than its column type keeps)
falls back, for that batch, to the per-row compiled evaluator, which gives the same answers.
Because input and output are record batches, the same function can be mapped over partitions by
Dask, Spark ``mapInArrow`` or Ray (see examples/dask_ledger.py). ``run_ledger`` streams a CSV,
JSONL or Parquet file through it in bounded memory. Needs the optional extra ``batch`` (pyarrow).
"""

from __future__ import annotations

import datetime as _dt
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .calendar import Calendar
from .codegen import generated
from .compiling import CompiledPack, CompiledRule
from .conditions import (READING_SLOT, All, AnyOf, AppliedFor, Compare, Condition, Equals, FactRef, Happened, Known,
                         Leaf, Literal, Not, OneOf, Reading, Relation, iter_leaves)
from .deciding import DeadlineState, Procedure, evaluate_tree
from .amounts import MAX_AMOUNT
from .errors import GovrulesError, ProjectError, safe_repr
from .messages import project_problem_text
from .evaluation import Engine
from .projects import MAX_DATE, MIN_DATE, Project, parse_project
from .report import Decision, Status
from .vocabulary import NOT_HAPPENED, Fact, FactType, Vocabulary

__all__ = ["BatchError", "BatchOutputError", "LedgerSummary", "evaluate_batch", "output_schema", "provision_summary", "run_ledger"]

#: Amounts are exact decimals; 10^15 元 (the largest amount accepted) with 8 decimal places fits.
AMOUNT_TYPE = pa.decimal128(26, 8)
TIMES_TYPE = pa.decimal128(8, 4)
_ARROW_TYPES = {
    FactType.AMOUNT: AMOUNT_TYPE, FactType.NUMBER: AMOUNT_TYPE, FactType.DATE: pa.date32(),
    FactType.BOOLEAN: pa.bool_(), FactType.INTEGER: pa.int64(), FactType.ENUM: pa.string(),
    FactType.TEXT: pa.string(),
}
_STATUSES = tuple(s.value for s in Status)
_CODE = {s: i for i, s in enumerate(Status)}
_STATUSES_BY_CODE = tuple(Status)
_CODE_OF = {id(s): i for i, s in enumerate(Status)}  # by identity: an enum member hashes in Python code
_UNKNOWN = Status.UNKNOWN
_META = ("id", "name", "row", "__line_error__")


class BatchError(GovrulesError):
    """The ledger file itself cannot be read (not one bad row: those are reported and counted)."""


class BatchOutputError(BatchError):
    """The output (or its summary) cannot be written: a directory that refuses it, a full disk."""


class _NotVectorizable(Exception):
    """A value or condition the column path cannot decide exactly; the batch goes row by row."""


# --------------------------------------------------------------------------------------------
# Typed columns: each fact column converted to its Arrow type, bad cells reported by row and field
# --------------------------------------------------------------------------------------------

def _convert_unique(name: str, column: pa.Array, vocab: Vocabulary,
                    errors: dict[int, list[str]], offset: int,
                    acts: dict[str, pa.Array] | None = None) -> pa.Array:
    """Convert a column through its distinct values, each validated like a project field.

    An act's date column may state that the act did not take place (``false``): those cells are
    null in the date column and true in ``acts[name]``, the column of acts that did not happen."""
    fact = vocab[name]
    uniques = pc.unique(column)
    converted: list[Any] = []
    bad: list[str | None] = []
    for value in uniques.to_pylist():
        if value is None:
            converted.append(None)
            bad.append(None)
            continue
        try:
            converted.append(parse_project({name: _cell(value, fact)}, vocab).facts.get(name))
            bad.append(None)
        except ProjectError as exc:
            converted.append(None)
            bad.append("; ".join(project_problem_text(p) for p in exc.problems))
    if acts is not None and any(v is NOT_HAPPENED for v in converted):
        absent = pa.array([v is NOT_HAPPENED for v in converted], pa.bool_())
        converted = [None if v is NOT_HAPPENED else v for v in converted]
        acts[name] = pc.fill_null(pc.take(absent, pc.index_in(column, value_set=uniques)), False)
    try:
        typed = pa.array(converted, _ARROW_TYPES[fact.type])
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        raise _NotVectorizable(name) from None
    if fact.type in (FactType.AMOUNT, FactType.NUMBER) and any(
            v is not None and v != Decimal(str(t)) for v, t in zip(converted, typed.to_pylist(), strict=True)):
        raise _NotVectorizable(name)  # more decimals than the column keeps
    index = pc.index_in(column, value_set=uniques)
    if any(bad):
        bad_at = pc.take(pa.array([b is not None for b in bad]), index)
        for position in pc.indices_nonzero(pc.fill_null(bad_at, False)).to_pylist():
            errors.setdefault(offset + position, []).append(bad[index[position].as_py()] or name)
    return pc.take(typed, index)


def _dates_in_range(column: pa.Array) -> bool:
    """Whether every date of ``column`` is one a project may state (else each is validated per row)."""
    if column.null_count == len(column):
        return True
    bounds = pc.min_max(column)
    return bool(MIN_DATE <= bounds["min"].as_py() and bounds["max"].as_py() <= MAX_DATE)


def _exact_cast(column: pa.Array, want: pa.DataType) -> pa.Array | None:
    """``column`` as ``want`` if no value changes on the way (a safe cast), else None."""
    try:
        return column.cast(want, safe=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


#: Amounts written as plain digits (元, at most 8 decimals: what the column keeps): read by Arrow as
#: they are, with no per-value parse. Anything else (500万元, 5,000,000, negatives) is parsed per value.
_PLAIN_AMOUNT = r"^[0-9]{1,16}(?:\.[0-9]{1,8})?$"


def _plain_amounts(column: pa.Array, fact: Fact) -> pa.Array | None:
    """``column`` (text) as amounts, where every cell is plain digits within the limits a project's
    amount must keep (``parse_amount``'s, and the fact's bounds); else None."""
    if column.null_count == len(column):
        return None
    if not pc.all(pc.match_substring_regex(column, _PLAIN_AMOUNT)).as_py():
        return None
    typed = pc.cast(column, AMOUNT_TYPE)
    high = MAX_AMOUNT if fact.maximum is None else min(MAX_AMOUNT, fact.maximum)
    if pc.any(pc.greater(typed, pa.scalar(high, AMOUNT_TYPE))).as_py():
        return None
    if fact.minimum is not None and pc.any(pc.less(typed, pa.scalar(fact.minimum, AMOUNT_TYPE))).as_py():
        return None
    return typed


def _typed_columns(batch: pa.RecordBatch, names: Mapping[str, None], vocab: Vocabulary,
                   errors: dict[int, list[str]], offset: int,
                   acts: dict[str, pa.Array] | None = None) -> dict[str, pa.Array]:
    columns: dict[str, pa.Array] = {}
    for name in batch.schema.names:
        if name not in names:
            continue
        column = batch.column(name)
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        if pa.types.is_dictionary(column.type):
            column = column.dictionary_decode()
        fact = vocab[name]
        want = _ARROW_TYPES[fact.type]
        if fact.type is FactType.BOOLEAN and pa.types.is_boolean(column.type):
            columns[name] = column
        elif fact.type in (FactType.ENUM, FactType.TEXT) and pa.types.is_string(column.type):
            if fact.type is FactType.ENUM:
                ok = pc.or_(pc.is_null(column), pc.is_in(column, value_set=pa.array(list(fact.values))))
                if not pc.all(ok).as_py():
                    column = _convert_unique(name, column, vocab, errors, offset)
            columns[name] = column
        elif fact.type is FactType.DATE and pa.types.is_date32(column.type) and _dates_in_range(column):
            columns[name] = column
        elif fact.type is FactType.INTEGER and pa.types.is_integer(column.type):
            columns[name] = column.cast(want)
        elif fact.type is FactType.AMOUNT and pa.types.is_string(column.type) and (
                plain := _plain_amounts(column, fact)) is not None:
            columns[name] = plain
        elif (fact.type in (FactType.AMOUNT, FactType.NUMBER)
              and (pa.types.is_integer(column.type) or pa.types.is_decimal(column.type))
              and (exact := _exact_cast(column, want)) is not None):
            if pc.any(pc.less(exact, pa.scalar(0, want))).as_py():
                exact = _convert_unique(name, column, vocab, errors, offset)  # negatives reported per row
            columns[name] = exact
        else:
            columns[name] = _convert_unique(name, column, vocab, errors, offset, acts)
    return columns


# --------------------------------------------------------------------------------------------
# Conditions as column expressions
# --------------------------------------------------------------------------------------------

_KERNELS: Mapping[Relation, Callable[..., pa.Array]] = {
    Relation.GE: pc.greater_equal, Relation.GT: pc.greater, Relation.LE: pc.less_equal,
    Relation.LT: pc.less, Relation.EQ: pc.equal, Relation.NE: pc.not_equal,
}


class _Columns:
    """The typed fact columns of one batch; a fact the ledger lacks is an all-null column."""

    def __init__(self, columns: dict[str, pa.Array], length: int, vocab: Vocabulary, engine: Engine,
                 readings: Mapping[str, str | bool] | None = None, acts: Mapping[str, pa.Array] | None = None) -> None:
        self.readings = readings or {}
        # Per act's date column, the rows stating that the act did not take place (null there in the column).
        self.acts: Mapping[str, pa.Array] = acts or {}
        self.columns = columns
        self.length = length
        self.vocab = vocab
        self.engine = engine
        # Equal conditions (location aside) decide alike: each is computed once per batch.
        self.memo: dict[Condition, pa.Array] = {}

    def get(self, name: str) -> pa.Array:
        if name not in self.columns:
            self.columns[name] = pa.nulls(self.length, _ARROW_TYPES[self.vocab[name].type])
        return self.columns[name]

    def constant(self, value: bool | None) -> pa.Array:
        return pa.repeat(pa.scalar(value, pa.bool_()), self.length)

    def dates_mapped(self, column: pa.Array, fn: Callable[[_dt.date], _dt.date]) -> pa.Array:
        """``fn`` applied to each distinct date of ``column`` (calendar arithmetic, done once per date)."""
        uniques = pc.unique(column)
        mapped = pa.array([None if d is None else fn(d) for d in uniques.to_pylist()], pa.date32())
        return pc.take(mapped, pc.index_in(column, value_set=uniques))

    def condition(self, cond: Condition) -> pa.Array:
        try:
            return self.memo[cond]
        except KeyError:
            pass
        except TypeError:  # an unhashable operand: computed each time
            return self._condition(cond)
        result = self.memo[cond] = self._condition(cond)
        return result

    def _condition(self, cond: Condition) -> pa.Array:
        if isinstance(cond, (All, AnyOf)):  # Kleene and/or: null is unknown, as in the engine
            combine = pc.and_kleene if isinstance(cond, All) else pc.or_kleene
            return reduce(combine, [self.condition(c) for c in cond.items])
        if isinstance(cond, Not):
            return pc.invert(self.condition(cond.item))
        if isinstance(cond, Reading):  # the same answer for every row of the ledger
            answer = self.readings.get(cond.fact)
            return self.constant(None if answer is None else answer in cond.values)
        if isinstance(cond, AppliedFor):  # the same for every row: where the pack is applied
            return self.constant(self.readings.get(cond.fact) is cond.below)
        column = self.get(cond.fact)
        absent = self.acts.get(cond.fact)
        if isinstance(cond, Happened):  # a date column holds dates of acts that took place
            unknown = pa.scalar(None, pa.bool_())
            if absent is not None:
                unknown = pc.if_else(absent, pa.scalar(not cond.happened, pa.bool_()), unknown)
            return pc.if_else(pc.is_valid(column), pa.scalar(cond.happened, pa.bool_()), unknown)
        if isinstance(cond, Known):
            known = pc.is_valid(column) if absent is None else pc.or_(pc.is_valid(column), absent)
            return known if cond.known else pc.invert(known)
        if isinstance(cond, Compare) and (absent is not None or isinstance(cond.value, FactRef)
                                          and cond.value.fact in self.acts):
            return self.with_absent_acts(cond, self._compare(cond, column))
        if column.null_count == self.length:  # a fact no row states: every comparison is unknown
            return pa.nulls(self.length, pa.bool_())
        return self._compare(cond, column)

    def with_absent_acts(self, cond: Compare, result: pa.Array) -> pa.Array:
        """A comparison where an act it reads did not take place is false (``NOT_HAPPENED`` compares
        false), and unknown where the other side is missing, as for one project."""
        sides = [cond.fact] + ([cond.value.fact] if isinstance(cond.value, FactRef) else [])
        stated = None
        absent = None
        for name in sides:
            column = self.get(name)
            flags = self.acts.get(name)
            here = pc.is_valid(column) if flags is None else pc.or_(pc.is_valid(column), flags)
            stated = here if stated is None else pc.and_(stated, here)
            if flags is not None:
                absent = flags if absent is None else pc.or_(absent, flags)
        assert stated is not None and absent is not None
        decided = pc.if_else(absent, pa.scalar(False, pa.bool_()), result)
        return pc.if_else(stated, decided, pa.scalar(None, pa.bool_()))

    def _compare(self, cond: Leaf, column: pa.Array) -> pa.Array:
        if column.null_count == self.length:
            return pa.nulls(self.length, pa.bool_())
        fact_type = _ARROW_TYPES[self.vocab[cond.fact].type]
        if isinstance(cond, Equals):
            return pc.equal(column, pa.scalar(cond.value, fact_type))
        if isinstance(cond, OneOf):
            found = pc.is_in(column, value_set=pa.array(list(cond.values), fact_type))
            return pc.if_else(pc.is_null(column), pa.scalar(None, pa.bool_()), found)
        if not isinstance(cond, Compare):  # a condition shape this module does not know yet
            raise _NotVectorizable(type(cond).__name__)
        kernel = _KERNELS[cond.relation]
        if type(cond.value) is Literal:
            return kernel(column, pa.scalar(cond.value.value, fact_type))
        if type(cond.value) is not FactRef:  # e.g. a pack parameter: decided row by row
            raise _NotVectorizable(type(cond.value).__name__)
        operand: FactRef = cond.value
        other = self.get(operand.fact)
        if other.null_count == self.length:
            return pa.nulls(self.length, pa.bool_())
        if operand.times is not None:
            other = pc.multiply(other, pa.scalar(operand.times, TIMES_TYPE))
        if operand.plus is not None:
            plus, span_end = operand.plus, self.engine.calendar.span_end
            other = self.dates_mapped(other, lambda d: span_end(d, plus))
        return kernel(column, other)


_SCORE_TYPE = pa.decimal128(12, 6)   # a dimension score (0–100) with up to 6 decimals
_WEIGHT_TYPE = pa.decimal128(7, 4)   # a weight in percent


def _derive_scores(cols: _Columns, scoring_rules: tuple[Any, ...]) -> None:
    """Totals and grades as columns, as ``scoring.derived_facts`` computes them per project: a stated
    value wins, else the first rule (nearest jurisdiction) whose every dimension score is known."""
    computed: dict[str, list[pa.Array]] = {}
    for rule in scoring_rules:
        spec = rule.scoring
        if spec is None:
            continue
        total: pa.Array | None = None
        for dim in spec.dimensions:
            score = _exact_cast(cols.get(dim.fact), _SCORE_TYPE)
            if score is None:
                raise _NotVectorizable(dim.fact)
            part = pc.multiply(score, pa.scalar(dim.weight, _WEIGHT_TYPE))
            total = part if total is None else pc.add(total, part)
        if total is None:
            continue
        total = pc.multiply(total, pa.scalar(Decimal("0.01"), pa.decimal128(3, 2)))  # weights are percent
        total_type = _ARROW_TYPES[cols.vocab[spec.total].type]
        exact = _exact_cast(total, total_type)
        if exact is None:
            raise _NotVectorizable(spec.total)
        grade = pa.repeat(pa.scalar(spec.bands[-1].grade, pa.string()), cols.length)
        for band in reversed(spec.bands):  # the first band reached wins; at_least reads as 以上
            if band.at_least is not None:
                reached = pc.greater_equal(exact, pa.scalar(band.at_least, total_type))
                grade = pc.if_else(reached, pa.scalar(band.grade, pa.string()), grade)
        grade = pc.if_else(pc.is_null(exact), pa.scalar(None, pa.string()), grade)
        computed.setdefault(spec.total, []).append(exact)
        computed.setdefault(spec.grade, []).append(grade)
    for name, columns in computed.items():
        cols.columns[name] = pc.coalesce(cols.get(name), *columns)


class _Combination:
    """One distinct combination of condition values (and deadline states) of a ledger's rows: the
    valuation ``deciding.Procedure`` decides it over, exactly as it decides one project."""

    __slots__ = ("_vector", "by_id", "deadlines", "leaves")

    def __init__(self, leaves: Mapping[Condition, bool | None], deadlines: Mapping[str, DeadlineState | None],
                 vector: Sequence[bool | None] = ()) -> None:
        self.leaves = leaves
        self.deadlines = deadlines
        self.by_id: dict[int, bool | None] = {}
        self._vector = vector

    def vector(self) -> Sequence[bool | None]:
        return self._vector

    def leaf(self, leaf: Leaf) -> bool | None:
        # Equal leaves of different rules share one column (looked up by value, once per node).
        key = id(leaf)
        if key not in self.by_id:
            self.by_id[key] = self.leaves[leaf]
        return self.by_id[key]

    def value(self, cond: Condition, compiled: Any) -> bool | None:
        return evaluate_tree(cond, self.leaf)

    def deadline(self, rule: CompiledRule) -> DeadlineState | None:
        return self.deadlines[rule.rule.id]


def _decide_combinations(plan: tuple[CompiledPack, ...], atoms: Mapping[Condition, pa.Array],
                         deadlines: Mapping[str, pa.Array], size: int, vocab: Vocabulary,
                         calendar: Calendar) -> dict[str, pa.Array]:
    """Status codes of every rule for each of ``size`` combinations (one per row of ``atoms``), each
    decided by the pack's generated procedure (``codegen``) over the combination's leaf values; one
    left open is completed by the reference ``deciding.Procedure``, as for one project."""
    leaf_rows = {leaf: column.to_pylist() for leaf, column in atoms.items()}
    deadline_rows = {rule: column.to_pylist() for rule, column in deadlines.items()}
    codes: dict[str, list[int]] = {rule.rule.id: [] for compiled in plan for rule in compiled.rules}
    for compiled in plan:
        code = generated(compiled, calendar)
        decide = code.decide
        vectors = list(zip(*(leaf_rows[leaf] for leaf in code.leaf_nodes))) if code.leaf_nodes else [()] * size
        timed = [rule.rule.id for rule in compiled.rules if rule.rule.deadline is not None]
        columns = [codes[rule] for rule in code.rule_ids]
        appends = [column.append for column in columns]
        states: dict[str, DeadlineState | None] = {}
        state_of = _state_getter(states)
        # An open decision depends only on the leaf slots its rule's generated slice reads and on its
        # deadline state (completions try values of those slots only): combinations that agree on
        # them share its completion.
        completed: dict[tuple[Any, ...], int] = {}
        reads = code.reads
        for i in range(size):
            for rule_id in timed:
                value = deadline_rows[rule_id][i]
                states[rule_id] = None if value is None else DeadlineState(_STATUSES_BY_CODE[value])
            vector = vectors[i]
            decided, opened = decide(vector, state_of)
            if not opened:
                for append, o in zip(appends, decided):
                    append(_CODE_OF[id(o[0])])
                continue
            procedure = None
            for k, (rule, o) in enumerate(zip(compiled.rules, decided, strict=True)):
                if o[0] is _UNKNOWN or o[7]:
                    key = (k, states.get(rule.rule.id), *[vector[slot] for slot in reads[k]])
                    found = completed.get(key)
                    if found is None:
                        if procedure is None:
                            leaves = {leaf: values[i] for leaf, values in leaf_rows.items()}
                            procedure = Procedure(compiled, _Combination(leaves, dict(states), vector), vocab,
                                                  generated=code)
                        found = completed[key] = _CODE_OF[id(procedure.outcome(rule).status)]
                    appends[k](found)
                else:
                    appends[k](_CODE_OF[id(o[0])])
    return {rule: pa.array(values, pa.int8()) for rule, values in codes.items()}


def _state_getter(states: Mapping[str, DeadlineState | None]) -> Callable[[CompiledRule], DeadlineState | None]:
    return lambda rule: states[rule.rule.id]


def _deadline_codes(rule: CompiledRule, cols: _Columns, as_of: _dt.date) -> pa.Array:
    """Status codes of a deadline rule where it applies: pending/overdue/satisfied/violated/unknown."""
    deadline = rule.rule.deadline
    assert deadline is not None
    start = cols.get(deadline.start)
    within, period_end = deadline.within, cols.engine.calendar.period_end
    due = cols.dates_mapped(start, lambda d: period_end(d, within).date)
    done: pa.Array | None = None
    for name in deadline.done:
        column = cols.get(name)
        done = column if done is None else pc.max_element_wise(done, column, skip_nulls=False)
    as_of_scalar = pa.scalar(as_of, pa.date32())
    open_status = pc.if_else(pc.less_equal(as_of_scalar, due), _code(Status.PENDING), _code(Status.OVERDUE))
    if done is not None:
        met = pc.if_else(pc.less_equal(done, due), _code(Status.SATISFIED), _code(Status.VIOLATED))
        open_status = pc.if_else(pc.is_valid(done), met, open_status)
    missing = _code(Status.UNKNOWN)
    absent = cols.acts.get(deadline.start)
    if absent is not None:  # the act the period counts from did not take place: it never began
        missing = pc.if_else(absent, _code(Status.NOT_APPLICABLE), missing)
    return pc.if_else(pc.is_null(start), missing, open_status)


def _code(status: Status) -> pa.Scalar:
    return pa.scalar(_CODE[status], pa.int8())


# --------------------------------------------------------------------------------------------
# The batch entry point
# --------------------------------------------------------------------------------------------

def _rule_ids(engine: Engine, jurisdiction: str, as_of: _dt.date) -> list[str]:
    return [rule.rule.id for compiled in engine._plan(jurisdiction, as_of)[0] for rule in compiled.rules]


def output_schema(engine: Engine, jurisdiction: str, as_of: _dt.date) -> pa.Schema:
    """The columns ``evaluate_batch`` returns: row, id, error, then one status per rule."""
    status = pa.dictionary(pa.int8(), pa.string())
    return pa.schema([("row", pa.int64()), ("id", pa.string()), ("error", pa.string())]
                     + [(rule, status) for rule in _rule_ids(engine, jurisdiction, as_of)])


def _facts_read(engine: Engine, jurisdiction: str, as_of: _dt.date) -> dict[str, None]:
    names: dict[str, None] = {}
    for compiled in engine._plan(jurisdiction, as_of)[0]:
        for rule in compiled.rules:
            names.update(dict.fromkeys(rule.rule.facts()))
    return names


@dataclass(frozen=True)
class _Prepared:
    """Everything about an evaluation that does not depend on the rows, built once per ledger."""

    engine: Engine
    jurisdiction: str
    as_of: _dt.date
    plan: tuple[CompiledPack, ...]
    scoring_rules: tuple[Any, ...]
    readings: Mapping[str, Any]  # reading slot → the answer taken; below-slot → applied below (see conditions)
    chosen: Mapping[str, str | None]  # the caller's answers, as Engine.evaluate takes them
    rule_ids: tuple[str, ...]
    schema: pa.Schema
    dictionary: pa.Array
    leaves: tuple[Condition, ...]  # every condition leaf the decision procedure reads
    deadline_rules: tuple[CompiledRule, ...]


def _prepare(engine: Engine, jurisdiction: str, as_of: _dt.date,
             readings: Mapping[str, str | None] | None = None) -> _Prepared:
    plan = engine._plan(jurisdiction, as_of)
    chosen = engine.check_readings(readings)
    answers: dict[str, str | bool] = dict(plan.readings)
    for name, answer in chosen.items():
        slot = READING_SLOT + name
        if slot in plan.reading_slots:
            if answer is None:
                answers.pop(slot, None)
            else:
                answers[slot] = answer
    leaves: dict[Condition, None] = {}
    deadline_rules: list[CompiledRule] = []
    for compiled in plan.run:
        for rule in compiled.rules:
            for cond in (rule.rule.when, rule.rule.require):
                if cond is not None:
                    leaves.update(dict.fromkeys(iter_leaves(cond)))
        deadline_rules += [rule for rule in compiled.rules if rule.rule.deadline is not None]
    answers.update(plan.context)
    return _Prepared(engine, jurisdiction, as_of, plan.run, plan.scoring_rules, answers, chosen,
                     tuple(_rule_ids(engine, jurisdiction, as_of)),
                     output_schema(engine, jurisdiction, as_of), pa.array(_STATUSES, pa.string()),
                     tuple(leaves), tuple(deadline_rules))


#: Rows are decided once per distinct combination of condition values when there are at most this
#: share of distinct combinations; otherwise deciding every row directly is cheaper.
_REDUCE_AT_MOST = 0.5


def _distinct(columns: list[tuple[pa.Array, int]], n: int) -> tuple[pa.Array, int]:
    """Row → number of its distinct combination of ``columns`` (small codes below the given radix),
    numbered in order of first appearance, and how many combinations there are."""
    segments: list[pa.Array] = []
    key: pa.Array | None = None
    span = 1
    for column, radix in columns:
        if key is not None and span * radix >= 1 << 62:
            segments.append(key)
            key, span = None, 1
        key = column if key is None else pc.add(pc.multiply(key, pa.scalar(radix, pa.int64())), column)
        span *= radix
    if key is not None:
        segments.append(key)
    if not segments:
        return pa.repeat(pa.scalar(0, pa.int64()), n), 1
    index: pa.Array | None = None
    size = 0
    for segment in segments:
        encoded = pc.dictionary_encode(segment)
        codes = encoded.indices.cast(pa.int64())
        if index is not None:
            encoded = pc.dictionary_encode(pc.add(pc.multiply(index, pa.scalar(len(encoded.dictionary),
                                                                               pa.int64())), codes))
            codes = encoded.indices.cast(pa.int64())
        index, size = codes, len(encoded.dictionary)
    assert index is not None
    return index, size


def _decide(prep: _Prepared, batch: pa.RecordBatch, errors: dict[int, list[str]], first_row: int,
            positions: pa.Array) -> tuple[dict[str, pa.Array], pa.Array | None, pa.Array | None]:
    """Status codes per rule, vectorized. Conditions are computed on the full columns as leaves
    (each fact comparison once); the logic that combines them (scope, exceptions, statuses) runs
    once per distinct combination of leaf values and error flag, and is spread back to the rows
    with ``take``. Returns the codes (per combination when reduced), the row → combination index
    (None when not reduced) and the number of rows of each combination (idem)."""
    engine, vocab, n = prep.engine, prep.engine.vocabulary, batch.num_rows
    acts: dict[str, pa.Array] = {}
    typed = _typed_columns(batch, dict.fromkeys(vocab), vocab, errors, first_row, acts)
    full = _Columns(typed, n, vocab, engine, prep.readings, acts)
    if prep.scoring_rules:
        _derive_scores(full, prep.scoring_rules)
    atoms = {leaf: full.condition(leaf) for leaf in prep.leaves}
    deadlines = {rule.rule.id: _deadline_codes(rule, full, prep.as_of) for rule in prep.deadline_rules}
    bad: pa.Array | None = None
    if errors:
        bad_rows = pa.array(sorted(errors), pa.int64())
        bad = pc.is_in(pc.add(positions, pa.scalar(first_row, pa.int64())), value_set=bad_rows)
    parts: list[tuple[pa.Array, int]] = []
    for atom in atoms.values():
        if len(pc.unique(atom)) <= 1:
            continue  # the same on every row (a fact the ledger lacks, a reading, a constant)
        as_code = atom.cast(pa.int64())  # false 0, true 1, unknown 2
        parts.append((pc.fill_null(as_code, 2) if atom.null_count else as_code, 3))
    for codes in deadlines.values():
        parts.append((pc.fill_null(pc.cast(codes, pa.int64()), len(_STATUSES)), len(_STATUSES) + 1))
    if bad is not None:
        parts.append((bad.cast(pa.int64()), 2))
    index, size = _distinct(parts, n)
    # Combinations are numbered in order of first appearance, so each one starts where the
    # running maximum of the numbers goes up.
    first = pc.indices_nonzero(pc.fill_null(pc.pairwise_diff(pc.cumulative_max(index)), 1))
    tallied = pc.value_counts(index)
    rows_of = pc.take(tallied.field("counts"), pc.sort_indices(tallied.field("values")))
    decided = _decide_combinations(prep.plan, {leaf: pc.take(atom, first) for leaf, atom in atoms.items()},
                                   {rule: pc.take(codes, first) for rule, codes in deadlines.items()}, size, vocab,
                                   engine.calendar)
    if bad is not None:
        bad = pc.take(bad, first)
        null = pa.scalar(None, pa.int8())
        decided = {rule: pc.if_else(bad, null, codes) for rule, codes in decided.items()}
    return decided, index, rows_of


def _tally(rules: tuple[str, ...], codes: Mapping[str, pa.Array], weights: pa.Array | None) -> dict[str, list[int]]:
    """How many rows got each status (by code) under each rule: one group-by over all rules at once,
    each code weighted by the number of rows it stands for (1 when the codes are per row)."""
    counts = {rule: [0] * len(_STATUSES) for rule in rules}
    if not rules:
        return counts
    size = len(codes[rules[0]])
    if weights is None:
        for rule in rules:
            for entry in pc.value_counts(codes[rule]).to_pylist():
                if entry["values"] is not None:
                    counts[rule][entry["values"]] += entry["counts"]
        return counts
    # One key per (rule, code): rule number × 8 + code, 7 standing for no status (a bad row).
    key = pc.add(pa.concat_arrays([pa.repeat(pa.scalar(8 * i, pa.int32()), size) for i in range(len(rules))]),
                 pc.fill_null(pa.concat_arrays([codes[rule] for rule in rules]), 7).cast(pa.int32()))
    grouped = pa.table({"k": key, "w": pa.concat_arrays([weights] * len(rules))}).group_by(
        "k", use_threads=False).aggregate([("w", "sum")])
    for k, total in zip(grouped.column("k").to_pylist(), grouped.column("w_sum").to_pylist(), strict=True):
        if k % 8 != 7:
            counts[rules[k // 8]][k % 8] += total
    return counts


def _evaluate(prep: _Prepared, batch: pa.RecordBatch, first_row: int, vectorized: bool,
              ) -> tuple[pa.RecordBatch, dict[str, list[int]], dict[int, str]]:
    """The output batch, the status counts per rule (by code) and the row errors of ``batch``."""
    n = batch.num_rows
    errors: dict[int, list[str]] = {}
    line_errors: dict[int, list[str]] = {}
    if "__line_error__" in batch.schema.names:
        for i, text in enumerate(batch.column("__line_error__").to_pylist()):
            if text is not None:
                line_errors[first_row + i] = [text]
    ids = batch.column("id").cast(pa.string()) if "id" in batch.schema.names else pa.nulls(n, pa.string())
    positions = pc.subtract(pc.cumulative_sum(pa.repeat(pa.scalar(1, pa.int64()), n)), pa.scalar(1, pa.int64()))
    numbers = pc.add(positions, pa.scalar(first_row, pa.int64()))
    codes: dict[str, pa.Array] | None = None
    index: pa.Array | None = None
    weights: pa.Array | None = None
    if vectorized:
        try:
            # A line's own error (not JSON) comes first; cell errors of that row follow it.
            errors.update({row: list(problems) for row, problems in line_errors.items()})
            codes, index, weights = _decide(prep, batch, errors, first_row, positions)
        except (_NotVectorizable, pa.ArrowInvalid, pa.ArrowNotImplementedError):
            errors.clear()
            codes = index = weights = None
    if codes is None:
        codes = _per_row(batch, prep.engine, prep.jurisdiction, prep.as_of, errors, first_row, prep.chosen)
        for row, problems in line_errors.items():
            errors[row] = problems + errors.get(row, [])
        if errors:
            bad_rows = pa.array(sorted(errors), pa.int64())
            bad = pc.is_in(numbers, value_set=bad_rows)
            null = pa.scalar(None, pa.int8())
            codes = {rule: pc.if_else(bad, null, column) for rule, column in codes.items()}
    texts = {row: "; ".join(problems) for row, problems in sorted(errors.items())}
    if texts:
        error_array = pa.array([texts.get(first_row + i) for i in range(n)], pa.string())
    else:
        error_array = pa.nulls(n, pa.string())
    counts = _tally(prep.rule_ids, codes, weights)
    arrays: list[pa.Array] = [numbers, ids, error_array]
    for rule in prep.rule_ids:
        indices = codes[rule] if index is None else pc.take(codes[rule], index)
        arrays.append(pa.DictionaryArray.from_arrays(indices, prep.dictionary))
    return pa.RecordBatch.from_arrays(arrays, schema=prep.schema), counts, texts


def evaluate_batch(batch: pa.RecordBatch, engine: Engine, jurisdiction: str, as_of: _dt.date, *,
                   first_row: int = 0, vectorized: bool = True,
                   readings: Mapping[str, str | None] | None = None) -> pa.RecordBatch:
    """Decide every project (row) of ``batch``; one output row per input row, same order.

    Rows whose cells break the fact vocabulary get an ``error`` text naming the field and no
    statuses; they never stop the batch. ``first_row`` numbers the rows (for messages) when the
    batch is one slice of a larger ledger. ``vectorized=False`` forces the per-row compiled path.
    """
    return _evaluate(_prepare(engine, jurisdiction, as_of, readings), batch, first_row, vectorized)[0]


def _per_row(batch: pa.RecordBatch, engine: Engine, jurisdiction: str, as_of: _dt.date,
             errors: dict[int, list[str]], first_row: int,
             readings: Mapping[str, str | None] | None = None) -> dict[str, pa.Array]:
    """The compiled per-row path: ``Engine.evaluate`` on each row."""
    rules = _rule_ids(engine, jurisdiction, as_of)
    columns: dict[str, list[int | None]] = {rule: [] for rule in rules}
    vocab = engine.vocabulary
    for i, row in enumerate(batch.to_pylist()):
        data = {k: v for k, v in row.items() if v is not None and k in vocab}
        try:
            project = _parse_row(data, vocab)
        except ProjectError as exc:
            errors[first_row + i] = [project_problem_text(p) for p in exc.problems]
            for rule in rules:
                columns[rule].append(None)
            continue
        for decision in engine.evaluate(project, jurisdiction, as_of, readings=readings or None).decisions:
            columns[decision.rule].append(_CODE[decision.status])
    return {rule: pa.array(values, pa.int8()) for rule, values in columns.items()}


def _cell(value: Any, fact: Fact) -> Any:
    """A ledger cell as a project field: CSV text "true"/"false" for yes/no facts (and "false" for
    an act that did not take place), digits for whole numbers; anything else as it is."""
    if isinstance(value, str):
        if fact.type is FactType.BOOLEAN or fact.act:
            word = value.strip().lower()
            if word == "false" or fact.type is FactType.BOOLEAN and word == "true":
                return word == "true"
        elif fact.type is FactType.INTEGER and value.strip().isdigit():
            return int(value)
    return value


def _parse_row(data: dict[str, Any], vocab: Vocabulary) -> Project:
    for name, value in list(data.items()):
        data[name] = _cell(value, vocab[name])
    return parse_project(data, vocab)


# --------------------------------------------------------------------------------------------
# Files: stream a ledger through evaluate_batch
# --------------------------------------------------------------------------------------------

@dataclass
class LedgerSummary:
    """Counts over a whole ledger: rows, bad rows, and per rule how many projects got each status."""

    rows: int = 0
    bad_rows: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    bad: list[tuple[int, str]] = field(default_factory=list)  # (row number, problem), the first 1,000

    def add(self, out: pa.RecordBatch) -> None:
        self.rows += out.num_rows
        errors = out.column("error")
        for i in pc.indices_nonzero(pc.is_valid(errors)).to_pylist():
            self.bad_rows += 1
            if len(self.bad) < 1000:
                self.bad.append((out.column("row")[i].as_py(), errors[i].as_py()))
        for name in out.schema.names[3:]:
            counts = self.counts.setdefault(name, dict.fromkeys(_STATUSES, 0))
            column = out.column(name)
            for entry in pc.value_counts(column.indices).to_pylist():  # count codes, not strings
                if entry["values"] is not None:
                    counts[column.dictionary[entry["values"]].as_py()] += entry["counts"]

    def _merge(self, rows: int, counts: Mapping[str, list[int]], errors: Mapping[int, str]) -> None:
        """Add one batch as ``_evaluate`` tallied it (status counts by code, errors by row number)."""
        self.rows += rows
        self.bad_rows += len(errors)
        self.bad += list(errors.items())[:max(0, 1000 - len(self.bad))]
        for name, tally in counts.items():
            totals = self.counts.setdefault(name, dict.fromkeys(_STATUSES, 0))
            for status, count in zip(_STATUSES, tally, strict=True):
                totals[status] += count


class _Source:
    """A ledger read in batches, with how far the reading has got (for a progress bar).

    ``total_rows`` is known for Parquet (its metadata); for CSV and JSON Lines ``total_bytes`` is the
    file size and ``position()`` the bytes consumed so far."""

    def __init__(self, path: Path, batch_size: int, vocab: Vocabulary | None) -> None:
        self.path = path
        self.batch_size = batch_size
        self.vocab = vocab
        self.total_rows: int | None = None
        self.total_bytes: int | None = None
        self._consumed = 0
        suffix = path.suffix.lower()
        if suffix not in (".parquet", ".csv", ".jsonl", ".ndjson"):
            raise BatchError(f"{path}: unsupported ledger format {suffix!r} (use .csv, .jsonl or .parquet)")
        from .safefiles import InputFileError, check_regular

        try:
            # A FIFO or a device would block or never end: only a regular file is read (issue 14).
            self.total_bytes = check_regular(path)
        except InputFileError as exc:
            raise BatchError(str(exc)) from None
        self.suffix = suffix

    def position(self) -> int:
        return self._consumed

    def batches(self) -> Iterator[pa.RecordBatch]:
        try:
            if self.suffix == ".parquet":
                yield from self._parquet()
            elif self.suffix == ".csv":
                yield from self._csv()
            else:
                yield from self._jsonl()
        except (pa.ArrowException, OSError) as exc:  # ArrowInvalid, ArrowTypeError, … from a damaged file
            raise BatchError(f"{self.path}: cannot read the ledger: {exc}") from None

    def _parquet(self) -> Iterator[pa.RecordBatch]:
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(self.path)
        self.total_rows = parquet.metadata.num_rows
        names = parquet.schema_arrow.names
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise BatchError(f"{self.path}: column(s) {', '.join(map(repr, duplicated))} appear more than once")
        vocab = self.vocab
        # Only the columns a decision reads (facts of the vocabulary, id): a ledger's other
        # columns (names, notes, attachments) are never decoded.
        wanted = [n for n in names if n in vocab or n in _META] if vocab is not None else None
        yield from parquet.iter_batches(batch_size=self.batch_size, columns=wanted or None)

    # -- CSV --------------------------------------------------------------------------------

    def _header(self) -> list[str]:
        import csv
        import io

        with self.path.open("rb") as handle:
            head = handle.read(1 << 20)
        line = head.split(b"\n", 1)[0]
        try:
            text = line.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BatchError(f"{self.path}: the header line is not valid UTF-8 text") from None
        try:
            first = next(csv.reader(io.StringIO(text)), None)
        except csv.Error:  # e.g. a lone carriage return inside an unquoted column name
            why = "a carriage return inside a column name" if "\r" in text else "not CSV"
            raise BatchError(f"{self.path}: the header line cannot be read as CSV ({why})") from None
        if not first or not any(name.strip() for name in first):
            raise BatchError(f"{self.path}: the ledger has no header line (one column name per fact)")
        duplicated = sorted({n for n in first if first.count(n) > 1})
        if duplicated:
            raise BatchError(f"{self.path}: column(s) {', '.join(map(repr, duplicated))} appear more than once "
                             "in the header")
        return first

    def _csv(self) -> Iterator[pa.RecordBatch]:
        import pyarrow.csv as pcsv

        header = self._header()
        invalid: list[tuple[int | None, str]] = []

        def on_invalid(row: Any) -> str:
            invalid.append((row.number, f"{row.actual_columns} field(s) where the header has {row.expected_columns}"))
            return "skip"

        source = self

        class _Counting:
            """The ledger file, counting the bytes read (the progress bar's position)."""

            def __init__(self, handle: Any) -> None:
                self.handle = handle
                self.closed = False

            def read(self, n: int = -1) -> bytes:
                data: bytes = self.handle.read(n)
                source._consumed += len(data)
                return data

            def readable(self) -> bool:
                return True

            def seekable(self) -> bool:
                return False

            def close(self) -> None:
                self.closed = True
                self.handle.close()

        handle = _Counting(self.path.open("rb"))
        # Every column as bytes first: ledgers mix 500万元 and 5000000 (cells are converted per fact),
        # and a cell that is not UTF-8 is one bad row, not a failed run.
        reader = pcsv.open_csv(
            # Serial parsing: only then does Arrow know the line number of a malformed row.
            handle, read_options=pcsv.ReadOptions(block_size=1 << 22, use_threads=False),
            parse_options=pcsv.ParseOptions(invalid_row_handler=on_invalid),
            convert_options=pcsv.ConvertOptions(column_types={n: pa.binary() for n in header},
                                                strings_can_be_null=True, null_values=[""]))
        emitted = 0  # data rows passed on so far, good and bad
        try:
            for batch in reader:
                names = batch.schema.names
                if len(set(names)) != len(names):  # the header as Arrow reads it (quoted newlines, …)
                    duplicated = sorted({n for n in names if names.count(n) > 1})
                    raise BatchError(f"{self.path}: column(s) {', '.join(map(repr, duplicated))} appear more "
                                     "than once in the header")
                batch = _text_columns(batch)
                start = 0
                while invalid:
                    number, problem = invalid[0]
                    # The physical line of a bad row; its data row is one less (line 1 is the header).
                    before = (number - 2 - emitted) if number is not None else 0
                    if before > batch.num_rows - start:
                        break  # it comes after this batch
                    invalid.pop(0)
                    before = max(0, before)
                    if before:
                        yield batch.slice(start, before)
                        start += before
                        emitted += before
                    yield _error_row(f"line {number}: {problem}" if number is not None else problem)
                    emitted += 1
                if start < batch.num_rows:
                    yield batch.slice(start)
                    emitted += batch.num_rows - start
            for number, problem in invalid:
                yield _error_row(f"line {number}: {problem}" if number is not None else problem)
        finally:
            handle.close()

    # -- JSON Lines -------------------------------------------------------------------------

    def _jsonl(self) -> Iterator[pa.RecordBatch]:
        """JSON lines in batches, numbers exact (``Decimal``, never a binary float). A line that is not
        a JSON object (or not UTF-8, or has a duplicate key, or a value no column can hold) becomes a
        row whose ``__line_error__`` says so; a column whose values mix types (5000000 and "500万元")
        is passed on as text and validated per fact."""
        rows: list[dict[str, Any]] = []
        with self.path.open("rb") as handle:
            for number, raw in enumerate(handle, 1):
                self._consumed += len(raw)
                if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                if not raw.strip():
                    continue
                rows.append(_jsonl_row(raw, number))
                if len(rows) >= self.batch_size:
                    yield _flush(rows)
                    rows = []
        if rows:
            yield _flush(rows)


def _error_row(text: str) -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict({"__line_error__": pa.array([text], pa.string())})


def _text_columns(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Binary CSV columns as text; a cell that is not UTF-8 becomes a row error naming its column."""
    arrays: list[pa.Array] = []
    problems: dict[int, list[str]] = {}
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        try:
            arrays.append(column.cast(pa.string()))
            continue
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
        values: list[str | None] = []
        for i, cell in enumerate(column.to_pylist()):
            if cell is None:
                values.append(None)
                continue
            try:
                values.append(cell.decode("utf-8"))
            except UnicodeDecodeError as exc:
                values.append(None)
                problems.setdefault(i, []).append(f"{name}: not valid UTF-8 text (byte 0x{cell[exc.start]:02x})")
        arrays.append(pa.array(values, pa.string()))
    names = list(batch.schema.names)
    if problems:
        arrays.append(pa.array(["; ".join(problems[i]) if i in problems else None for i in range(batch.num_rows)],
                               pa.string()))
        names.append("__line_error__")
    return pa.RecordBatch.from_arrays(arrays, names=names)


class _DuplicateKey(ValueError):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(f"duplicate key {safe_repr(key)}")
            seen.add(key)
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number govrules accepts")


_INT64 = (-(1 << 63), (1 << 63) - 1)


def _int(text: str) -> int | Decimal:
    """A JSON integer: an ``int`` when it fits a column of int64, else the exact ``Decimal`` (which
    the fact's own validation then refuses as too large, naming the field)."""
    return int(text) if len(text) <= 18 else Decimal(text)


def _jsonl_row(raw: bytes, number: int) -> dict[str, Any]:
    """One JSON line as a row of cells, or ``{"__line_error__": why}``."""
    import json

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return {"__line_error__": f"line {number}: not valid UTF-8 (byte 0x{raw[exc.start]:02x})"}
    try:
        row = json.loads(text, parse_float=Decimal, parse_int=_int, parse_constant=_no_constant,
                         object_pairs_hook=_pairs)
    except _DuplicateKey as exc:
        return {"__line_error__": f"line {number}: {exc} (a field may be given once)"}
    except RecursionError:
        return {"__line_error__": f"line {number}: nested too deeply to be a project"}
    except ValueError as exc:
        message = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        return {"__line_error__": f"line {number}: not valid JSON ({message})"}
    if not isinstance(row, dict):
        return {"__line_error__": f"line {number}: a project is a JSON object"}
    cells: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in row.items():
        if not _is_text(key):
            problems.append(f"the field name {ascii(key)} is not valid Unicode text")
            continue
        if key == "__line_error__":
            problems.append("__line_error__ is not a field")
            continue
        if isinstance(value, Decimal):
            value = str(value)  # exact: each fact column is read from this text (issue 14)
        elif isinstance(value, int) and not isinstance(value, bool) and not _INT64[0] <= value <= _INT64[1]:
            value = "9" * 16 if len(str(abs(value))) > 4000 else str(value)  # refused by size, per fact
        elif isinstance(value, (dict, list)):
            try:
                value = json.dumps(value, ensure_ascii=True)
            except (RecursionError, ValueError):
                value = "(nested value)"
        elif isinstance(value, str) and not _is_text(value):
            problems.append(f"{key}: contains an unpaired surrogate, which is not valid Unicode text")
            continue
        cells[key] = value
    if problems:
        return {"__line_error__": f"line {number}: " + "; ".join(problems)}
    return cells


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _flush(rows: list[dict[str, Any]]) -> pa.RecordBatch:
    import json

    names = list(dict.fromkeys(k for row in rows for k in row))
    columns = {}
    for name in names:
        values = [row.get(name) for row in rows]
        kinds = {type(v) for v in values if v is not None}
        if len(kinds) > 1 or kinds & {dict, list, float}:
            values = [None if v is None else json.dumps(v, ensure_ascii=False) if isinstance(v, bool)
                      else str(v) for v in values]
        try:
            columns[name] = pa.array(values) if values else pa.nulls(len(rows))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            columns[name] = pa.array([None if v is None else str(v) for v in values], pa.string())
    return pa.RecordBatch.from_pydict(columns) if columns else pa.RecordBatch.from_pydict(
        {"__line_error__": pa.nulls(len(rows), pa.string())})


def _read_batches(path: Path, batch_size: int, vocab: Vocabulary | None = None) -> Iterator[pa.RecordBatch]:
    """The batches of the ledger at ``path`` (see ``_Source``)."""
    yield from _Source(path, batch_size, vocab).batches()


def _writer(path: Path, schema: pa.Schema, suffix: str | None = None,
            ) -> tuple[Callable[[pa.RecordBatch], None], Callable[[], None]]:
    suffix = (suffix or path.suffix).lower()
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        # Statistics (min/max) only where a reader can prune with them: on the row number, id and
        # error. On the status columns every row group holds nearly every status, and pyarrow's
        # statistics of dictionary columns cost more than writing the column itself.
        parquet = pq.ParquetWriter(path, schema, write_statistics=["row", "id", "error"])
        return parquet.write_batch, parquet.close
    if suffix == ".csv":
        import pyarrow.csv as pcsv

        plain = pa.schema([f.with_type(pa.string()) if pa.types.is_dictionary(f.type) else f for f in schema])
        csv = pcsv.CSVWriter(path, plain)
        return (lambda b: csv.write_batch(b.cast(plain))), csv.close
    if suffix in (".jsonl", ".ndjson"):
        import json

        handle = path.open("w", encoding="utf-8")

        def write(batch: pa.RecordBatch) -> None:
            for row in batch.to_pylist():
                handle.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")

        return write, handle.close
    raise BatchError(f"{path}: unsupported output format {suffix!r} (use .csv, .jsonl or .parquet)")


class _BackgroundWriter:
    """Writes batches on a second thread while the next batch is decided: Arrow's Parquet and CSV
    writers release the GIL, so on two cores writing overlaps deciding. At most ``depth`` batches
    wait, which keeps memory bounded; an error on the writer thread is raised in the caller."""

    def __init__(self, write: Callable[[pa.RecordBatch], None], close: Callable[[], None], depth: int = 2) -> None:
        import queue
        import threading

        self._write, self._close = write, close
        self._queue: queue.Queue[pa.RecordBatch | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="govrules-ledger-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (batch := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._write(batch)
                except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                    self._error = exc

    def write(self, batch: pa.RecordBatch) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(batch)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        self._close()
        if self._error is not None:
            raise self._error


#: The optional per-rule columns ``run_ledger(columns=...)`` / ``govrules batch --columns`` add.
EXTRA_COLUMNS = ("due", "missing", "parameters", "readings", "unclaimed", "not_needed")


def summary_path_of(output: Path) -> Path:
    """Where the per-provision summary of ``output`` goes: beside it, as OUTPUT.summary.csv."""
    return output.with_name(output.name + ".summary.csv")


def _same_file(a: Path, b: Path) -> bool:
    import os

    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return os.path.realpath(a) == os.path.realpath(b)
    except (OSError, RuntimeError, ValueError):
        return False


def check_paths(ledger: Path, output: Path, summary: Path | None = None) -> None:
    """Refuse, before anything is read or written, an output that would overwrite the ledger (or
    the ledger's own file under another name or link), or that cannot be written at all."""
    for target, what in ((output, "the output"), (summary, "the summary")):
        if target is None:
            continue
        try:
            target.is_dir()
        except OSError as exc:  # e.g. a name longer than the file system allows
            raise BatchOutputError(f"{target}: cannot write {what}: {exc.strerror or exc}") from None
        if _same_file(ledger, target):
            raise BatchOutputError(f"{target}: {what} would overwrite the ledger {ledger}; choose another output name")
        if target.is_dir():
            raise BatchOutputError(f"{target}: {what} is a directory; name a file")
        parent = target.parent
        if not parent.is_dir():
            raise BatchOutputError(f"{target}: the directory {parent} does not exist")


def _extra_schema(rules: tuple[str, ...], columns: tuple[str, ...]) -> list[tuple[str, pa.DataType]]:
    fields = []
    for rule in rules:
        for column in columns:
            fields.append((f"{rule}:{column}", pa.date32() if column == "due" else pa.string()))
    return fields


def _extra_columns(prep: _Prepared, batch: pa.RecordBatch, out: pa.RecordBatch,
                   columns: tuple[str, ...]) -> list[pa.Array]:
    """Per rule, its due date, missing facts, the local parameters and readings a decision rests on,
    the exceptions the project has not claimed and the facts not needed (the per-row path: these are
    per decision, so each good row is evaluated, under the readings the run was asked for)."""
    engine, vocab = prep.engine, prep.engine.vocabulary
    values: dict[str, list[Any]] = {f"{r}:{c}": [] for r in prep.rule_ids for c in columns}
    errors = out.column("error").to_pylist()
    for row, error in zip(batch.to_pylist(), errors, strict=True):
        decisions: dict[str, Decision] = {}
        if error is None:
            data = {k: v for k, v in row.items() if v is not None and k in vocab}
            try:
                project = _parse_row(data, vocab)
                decisions = {d.rule: d for d in engine.evaluate(project, prep.jurisdiction, prep.as_of,
                                                                 readings=prep.chosen or None).decisions}
            except ProjectError:
                decisions = {}
        for rule in prep.rule_ids:
            d = decisions.get(rule)
            for column in columns:
                value: _dt.date | str | None
                if d is None:
                    value = None
                elif column == "due":
                    value = d.due
                elif column == "parameters":
                    value = ",".join(d.local_parameters) or None
                else:  # missing, readings, unclaimed, not_needed: lists of names
                    value = ",".join(getattr(d, column)) or None
                values[f"{rule}:{column}"].append(value)
    return [pa.array(v, pa.date32() if k.endswith(":due") else pa.string()) for k, v in values.items()]


def run_ledger(ledger: Path, output: Path, engine: Engine, jurisdiction: str, as_of: _dt.date, *,
               batch_size: int = 65_536, progress: bool = True, summary_path: Path | None = None,
               columns: tuple[str, ...] = (), readings: Mapping[str, str | None] | None = None) -> LedgerSummary:
    """Evaluate every row of ``ledger`` into ``output``, one batch in memory at a time
    (``readings``: answers to declared readings other than the packs', as ``Engine.evaluate``).

    Nothing is written over the ledger. The output (and the per-provision summary, when
    ``summary_path`` is given) is written to a temporary file beside it and renamed into place
    only when the whole ledger is done: an interrupted or failed run leaves no partial output and
    whatever an earlier run wrote untouched. ``columns`` adds, per rule, any of ``EXTRA_COLUMNS``.
    """
    import os

    ledger, output = Path(ledger), Path(output)
    if batch_size < 1:
        raise BatchError(f"the batch size must be at least 1, not {batch_size}")
    unknown = [c for c in columns if c not in EXTRA_COLUMNS]
    if unknown:
        raise BatchError(f"unknown column set(s) {', '.join(map(repr, unknown))}; choose from {', '.join(EXTRA_COLUMNS)}")
    columns = tuple(dict.fromkeys(columns))
    check_paths(ledger, output, summary_path)
    suffix = output.suffix.lower()
    if suffix not in (".parquet", ".csv", ".jsonl", ".ndjson"):
        raise BatchOutputError(f"{output}: unsupported output format {suffix!r} (use .csv, .jsonl or .parquet)")
    engine.chain(jurisdiction)  # an unknown jurisdiction fails before any file is opened
    prep = _prepare(engine, jurisdiction, as_of, readings)
    source = _Source(ledger, batch_size, engine.vocabulary)
    schema = prep.schema
    if columns:
        schema = pa.schema(list(schema) + [pa.field(n, t) for n, t in _extra_schema(prep.rule_ids, columns)])
    temporary = output.with_name(f".{output.name}.{os.getpid()}.partial")
    summary_temporary = None if summary_path is None else summary_path.with_name(
        f".{summary_path.name}.{os.getpid()}.partial")
    done = False
    try:
        try:
            summary = _run(prep, source, temporary, schema, suffix, columns, progress, ledger, summary_path,
                           summary_temporary, output, engine, jurisdiction, as_of)
        except OSError as exc:  # reading errors are BatchError already: this one is writing
            raise BatchOutputError(f"{output}: cannot write the output: {exc.strerror or exc}") from None
        done = True
    finally:
        if not done:
            for path in (temporary, summary_temporary):
                if path is not None:
                    try:
                        path.unlink(missing_ok=True)
                    except OSError:
                        pass
    return summary


def _run(prep: _Prepared, source: _Source, temporary: Path, schema: pa.Schema, suffix: str,
         columns: tuple[str, ...], progress: bool, ledger: Path, summary_path: Path | None,
         summary_temporary: Path | None, output: Path, engine: Engine, jurisdiction: str,
         as_of: _dt.date) -> LedgerSummary:
    import os

    summary = LedgerSummary()
    bar = None
    write, close = _writer(temporary, schema, suffix)
    if suffix in (".parquet", ".csv"):
        background = _BackgroundWriter(write, close)
        write, close = background.write, background.close
    try:
        batches = source.batches()
        if progress:
            bar = _progress_bar(ledger, source)
        for batch in batches:
            out, counts, errors = _evaluate(prep, batch, summary.rows + 1, True)
            if columns:
                out = pa.RecordBatch.from_arrays(list(out.columns) + _extra_columns(prep, batch, out, columns),
                                                 schema=schema)
            write(out)
            summary._merge(out.num_rows, counts, errors)
            if bar is not None:
                _advance(bar, source, summary.rows)
    finally:
        close()
        if bar is not None:
            bar.close()
    if summary_path is not None and summary_temporary is not None:
        _write_summary(summary_temporary, provision_summary(summary, engine, jurisdiction, as_of))
        # No stale summary beside the new output, even for a moment's interruption.
        summary_path.unlink(missing_ok=True)
    os.replace(temporary, output)
    if summary_path is not None and summary_temporary is not None:
        os.replace(summary_temporary, summary_path)
    return summary


def _write_summary(path: Path, rows: list[dict[str, Any]]) -> None:
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["provision"])
        writer.writeheader()
        writer.writerows(rows)


def _progress_bar(ledger: Path, source: _Source) -> Any:
    try:
        from tqdm import tqdm
    except ImportError:  # the bar is a nicety; the run does not depend on it
        return None
    if source.total_rows is None and source.suffix == ".parquet":
        import pyarrow.parquet as pq

        source.total_rows = pq.ParquetFile(ledger).metadata.num_rows
    if source.total_rows is not None:  # Parquet: the row count is in the metadata
        return tqdm(total=source.total_rows, unit=" rows", file=sys.stderr, desc=_label(ledger), dynamic_ncols=True)
    # CSV and JSON Lines: the share of the file's bytes read so far, with its ETA.
    return tqdm(total=source.total_bytes, unit="B", unit_scale=True, unit_divisor=1024, file=sys.stderr,
                desc=_label(ledger), dynamic_ncols=True)


def _label(ledger: Path) -> str:
    """The ledger's name for the bar, escaped where the terminal cannot show it (or it holds controls)."""
    name = ledger.name
    try:
        name.encode(getattr(sys.stderr, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return ascii(name)[1:-1]
    return name if name.isprintable() else ascii(name)[1:-1]


def _advance(bar: Any, source: _Source, rows: int) -> None:
    if source.total_rows is not None:
        bar.update(rows - bar.n)
    else:
        bar.update(min(source.position(), bar.total or 0) - bar.n)
        bar.set_postfix_str(f"{rows:,} rows", refresh=False)


def provision_summary(summary: LedgerSummary, engine: Engine, jurisdiction: str,
                      as_of: _dt.date) -> list[dict[str, Any]]:
    """Per provision cited (in rule order), per rule: how many projects got each status."""
    rows = []
    for compiled in engine._plan(jurisdiction, as_of)[0]:
        for rule in compiled.rules:
            for citation in rule.rule.cites:
                rows.append({"document": citation.document, "provision": citation.label, "rule": rule.rule.id,
                             **summary.counts.get(rule.rule.id, dict.fromkeys(_STATUSES, 0))})
    return rows
