"""Static analyses of loaded packs for ``govrules lint``: findings about what rules mean, not syntax.

Loading already refuses what cannot be read (unknown facts, bad YAML, exception cycles). This module
looks at what the loaded rules *say* and reports, as data (``Finding``), what a reviewer should
look at: tier tables with gaps or overlaps (in the manner of the DMN decision-table analyses of
Calvanese et al.), rules that can never fire, contradictory requirements, boundary words that do
not match the cited text, unused facts and uncited provisions. Every check is sound for what it
reports: where a condition is beyond the decidable fragment (interval, enum, boolean and presence
constraints on single facts) the answer is "unknown" and nothing is claimed. See docs/lint.md.
"""

from __future__ import annotations

import datetime as _dt
import enum
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import yaml

from .conditions import (
    STATUTORY_WORDS,
    All,
    AnyOf,
    Compare,
    Condition,
    Equals,
    Happened,
    Known,
    Literal,
    Not,
    OneOf,
    AppliedFor,
    Reading,
    Relation,
    describe,
    show_value,
)
from .errors import GovrulesError, PackError
from .model import Pack, Rule, RuleKind
from .vocabulary import Fact, FactType, Vocabulary

__all__ = [
    "Bound",
    "Finding",
    "Interval",
    "Sat",
    "Severity",
    "gaps",
    "lint_packs",
    "pick_point",
    "satisfiable",
    "version_findings",
]


class Severity(str, enum.Enum):
    """How much a finding matters; ``--fail-on`` compares against this order."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a reviewer should look at, located, in Chinese and English, with a hint.

    ``rules`` names the rules concerned; ``counter_example`` is a minimal project (fact → JSON
    value) showing the problem, and ``case_yaml`` the same project as a case ready to paste into
    a ``tests/test_*.yaml`` file.
    """

    code: str
    severity: Severity
    message_zh: str
    message_en: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: tuple[str | int, ...] = ()
    hint_zh: str | None = None
    hint_en: str | None = None
    rules: tuple[str, ...] = ()
    counter_example: tuple[tuple[str, Any], ...] | None = None
    case_yaml: str | None = None

    def location(self) -> str:
        """``file:line:column``, leaving out what is not known."""
        where = self.file or "<packs>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form for editors and other programs."""
        return {
            "code": self.code, "severity": self.severity.value,
            "file": self.file, "line": self.line, "column": self.column, "path": list(self.path),
            "message_zh": self.message_zh, "message_en": self.message_en,
            "hint_zh": self.hint_zh, "hint_en": self.hint_en, "rules": list(self.rules),
            "counter_example": None if self.counter_example is None else dict(self.counter_example),
            "case_yaml": self.case_yaml,
        }

    def human(self) -> str:
        """Several lines for a terminal: location, severity and code, both messages, hints, example."""
        lines = [f"{self.location()}: {self.severity.value} [{self.code}]",
                 f"  {self.message_zh}", f"  {self.message_en}"]
        if self.hint_zh:
            lines.append(f"  提示：{self.hint_zh}")
        if self.hint_en:
            lines.append(f"  hint: {self.hint_en}")
        if self.case_yaml:
            lines.append("  反例 / counter-example (case file format):")
            lines.extend("    " + line for line in self.case_yaml.rstrip().splitlines())
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Intervals over an ordered fact, with open and closed ends
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bound:
    """One end of an interval: the value and whether it belongs to the interval (以上 yes, 超过 no)."""

    value: Any
    closed: bool


# An interval is handled as a half-open range of "cuts": a cut (v, 0) lies just below v, (v, 1)
# just above it. [a is (a,0), (a is (a,1); b] is (b,1), b) is (b,0); None is -inf/+inf. Then every
# question about open and closed ends becomes plain comparison of cuts.
_Cut = tuple[Any, int]


@dataclass(frozen=True, slots=True)
class Interval:
    """A set of values of one ordered fact; ``None`` ends are unbounded."""

    lower: Bound | None = None
    upper: Bound | None = None

    def _start(self) -> _Cut | None:
        return None if self.lower is None else (self.lower.value, 0 if self.lower.closed else 1)

    def _end(self) -> _Cut | None:
        return None if self.upper is None else (self.upper.value, 1 if self.upper.closed else 0)

    @staticmethod
    def _from_cuts(start: _Cut | None, end: _Cut | None) -> Interval:
        return Interval(None if start is None else Bound(start[0], start[1] == 0),
                        None if end is None else Bound(end[0], end[1] == 1))

    def normalized(self, step: Any | None) -> Interval:
        """For a discrete fact (whole numbers, dates) turn open ends into closed ones: (3 → [4."""
        if step is None:
            return self
        lower, upper = self.lower, self.upper
        if lower is not None and not lower.closed:
            lower = Bound(lower.value + step, True)
        if upper is not None and not upper.closed:
            upper = Bound(upper.value - step, True)
        return Interval(lower, upper)

    def is_empty(self, step: Any | None = None) -> bool:
        """Whether no value lies in the interval (``step``: the unit of a discrete fact)."""
        norm = self.normalized(step)
        start, end = norm._start(), norm._end()
        return start is not None and end is not None and not _lt(start, end)

    def contains(self, value: Any) -> bool:
        if self.lower is not None and (value < self.lower.value or (value == self.lower.value and not self.lower.closed)):
            return False
        return not (self.upper is not None
                    and (value > self.upper.value or (value == self.upper.value and not self.upper.closed)))

    def intersect(self, other: Interval) -> Interval:
        starts = [c for c in (self._start(), other._start()) if c is not None]
        ends = [c for c in (self._end(), other._end()) if c is not None]
        return Interval._from_cuts(max(starts) if starts else None, min(ends) if ends else None)

    def describe(self, fact: Fact | None, lang: str = "zh") -> str:
        """``[500万元, 2000万元)`` with the fact's own way of writing values."""
        low = "-∞" if self.lower is None else show_value(self.lower.value, fact, lang)
        high = "+∞" if self.upper is None else show_value(self.upper.value, fact, lang)
        left = "(" if self.lower is None or not self.lower.closed else "["
        right = ")" if self.upper is None or not self.upper.closed else "]"
        return f"{left}{low}, {high}{right}"


def _lt(a: _Cut, b: _Cut) -> bool:
    return a < b


def gaps(intervals: Iterable[Interval], domain: Interval, step: Any | None = None) -> list[Interval]:
    """The parts of ``domain`` that no interval covers, in order (empty pieces left out)."""
    pieces = sorted((iv.intersect(domain).normalized(step) for iv in intervals),
                    key=lambda iv: (0, None) if iv._start() is None else (1, iv._start()))
    pieces = [p for p in pieces if not p.is_empty(step)]
    found: list[Interval] = []
    cursor: _Cut | None = domain._start()
    unbounded_below = cursor is None
    for piece in pieces:
        start = piece._start()
        if start is not None and (unbounded_below or (cursor is not None and _lt(cursor, start))):
            found.append(Interval._from_cuts(cursor, start))
        unbounded_below = False
        end = piece._end()
        if end is None:
            return [g.normalized(step) for g in found if not g.is_empty(step)]
        cursor = end if cursor is None else max(cursor, end)
    if unbounded_below:
        return [domain.normalized(step)] if not domain.is_empty(step) else []
    if domain._end() is None or (cursor is not None and _lt(cursor, domain._end())):  # type: ignore[arg-type]
        found.append(Interval._from_cuts(cursor, domain._end()))
    return [g.normalized(step) for g in found if not g.is_empty(step)]


# --------------------------------------------------------------------------------------------
# Satisfiability of conjunctions of single-fact constraints
# --------------------------------------------------------------------------------------------

Leaf = Compare | Equals | OneOf | Known | Happened | Reading | AppliedFor
Lit = tuple[Leaf, bool]  # a leaf and whether it is asserted (True) or negated (False)
_DNF_LIMIT = 512
_INVERSE = {Relation.GE: Relation.LT, Relation.LT: Relation.GE, Relation.GT: Relation.LE,
            Relation.LE: Relation.GT, Relation.EQ: Relation.NE, Relation.NE: Relation.EQ}
TRUE: Condition = All(())


class TooComplex(Exception):
    """A condition's disjunctive normal form would exceed ``_DNF_LIMIT`` terms."""


def dnf(cond: Condition, positive: bool = True) -> list[frozenset[Lit]]:
    """``cond`` (or its negation) as a list of conjunctions of literals, for two-valued analysis.

    Negation follows the engine: ``not`` of a comparison is true only for a known value, so
    ``not (x 以上 500万)`` becomes ``x 低于 500万`` — a literal that also requires x to be known.
    """
    if isinstance(cond, Not):
        return dnf(cond.item, not positive)
    if isinstance(cond, (All, AnyOf)):
        conjunctive = isinstance(cond, All) == positive
        parts = [dnf(item, positive) for item in cond.items]
        if not conjunctive:
            result = [term for part in parts for term in part]
        else:
            result = [frozenset()]
            for part in parts:
                result = [a | b for a in result for b in part]
                if len(result) > _DNF_LIMIT:
                    raise TooComplex
        if len(result) > _DNF_LIMIT:
            raise TooComplex
        return result
    return [frozenset({(cond, positive)})]


@dataclass(frozen=True, slots=True)
class _FactState:
    """What a conjunction says about one fact."""

    interval: Interval = Interval()
    allowed: frozenset[Any] | None = None
    excluded: frozenset[Any] = frozenset()
    known: bool | None = None  # True: must be stated; False: must be left out
    contradiction: bool = False  # stated and left out at once

    def valued(self) -> bool:
        return self.interval != Interval() or self.allowed is not None or bool(self.excluded)


class Sat(str, enum.Enum):
    SAT = "sat"
    UNSAT = "unsat"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Conjunction:
    """A conjunction of literals, reduced to one state per fact plus literals beyond the fragment."""

    states: tuple[tuple[str, _FactState], ...]
    opaque: tuple[Lit, ...] = ()

    def state(self, fact: str) -> _FactState | None:
        return dict(self.states).get(fact)

    def without(self, fact: str) -> tuple[tuple[str, _FactState], ...]:
        return tuple((n, s) for n, s in self.states if n != fact)


def _relation_interval(rel: Relation, value: Any) -> Interval | None:
    return {
        Relation.GE: Interval(Bound(value, True), None), Relation.GT: Interval(Bound(value, False), None),
        Relation.LE: Interval(None, Bound(value, True)), Relation.LT: Interval(None, Bound(value, False)),
        Relation.EQ: Interval(Bound(value, True), Bound(value, True)),
    }.get(rel)


def reduce(term: frozenset[Lit]) -> Conjunction:
    """Fold the literals of ``term`` into one ``_FactState`` per fact (sorted by fact name)."""
    states: dict[str, _FactState] = {}
    opaque: list[Lit] = []
    for leaf, positive in sorted(term, key=lambda lit: (lit[0].fact, repr(lit))):
        if isinstance(leaf, (Happened, Reading, AppliedFor)):  # beyond the interval fragment: kept as they are
            opaque.append((leaf, positive))
            continue
        st = states.get(leaf.fact, _FactState())
        if isinstance(leaf, Known):
            want = leaf.known == positive
            if st.known is not None and st.known != want:
                st = replace(st, contradiction=True)
            else:
                st = replace(st, known=want)
        elif isinstance(leaf, Compare):
            if not isinstance(leaf.value, Literal):
                opaque.append((leaf, positive))
                continue
            rel = leaf.relation if positive else _INVERSE[leaf.relation]
            if rel is Relation.NE:
                st = replace(st, excluded=st.excluded | {leaf.value.value})
            else:
                iv = _relation_interval(rel, leaf.value.value)
                assert iv is not None
                st = replace(st, interval=st.interval.intersect(iv))
        else:
            values = frozenset({leaf.value}) if isinstance(leaf, Equals) else frozenset(leaf.values)
            if positive:
                st = replace(st, allowed=values if st.allowed is None else st.allowed & values)
            else:
                st = replace(st, excluded=st.excluded | values)
        states[leaf.fact] = st
    return Conjunction(tuple(sorted(states.items(), key=lambda kv: kv[0])), tuple(opaque))


def _domain(fact: Fact) -> tuple[Interval, Any | None, Any | None]:
    """The values a fact can take (amounts and numbers are never negative), its step and smallest move."""
    if fact.type is FactType.DATE:
        return Interval(), _dt.timedelta(days=1), _dt.timedelta(days=1)
    if fact.type is FactType.INTEGER:
        return Interval(), 1, 1
    return Interval(Bound(Decimal(0), True), None), None, Decimal("0.01")


_DEFAULT_DATE = _dt.date(2026, 6, 1)


def pick_point(interval: Interval, fact: Fact, excluded: frozenset[Any] = frozenset()) -> Any | None:
    """A value of ``fact`` in ``interval`` (not in ``excluded``), as near its lower end as the law's
    units allow (1 分, 1 day, 1); None when there is none."""
    domain, step, move_or_none = _domain(fact)
    move: Any = move_or_none
    iv = interval.intersect(domain).normalized(step)
    if iv.is_empty(step):
        return None
    candidates: list[Any] = []
    if iv.lower is not None:
        base = iv.lower.value
        if iv.lower.closed:
            candidates.append(base)
        candidates.extend(base + move * k for k in range(1, len(excluded) + 2))
        if iv.upper is not None and step is None:
            candidates.append((iv.lower.value + iv.upper.value) / 2)
    elif iv.upper is not None:
        base = iv.upper.value
        if iv.upper.closed:
            candidates.append(base)
        candidates.extend(base - move * k for k in range(1, len(excluded) + 2))
    else:
        zero: Any = _DEFAULT_DATE if fact.type is FactType.DATE else 0
        candidates.extend(zero + move * k for k in range(len(excluded) + 1))
    for value in candidates:
        if iv.contains(value) and value not in excluded:
            return value
    return None


def solve(conj: Conjunction, vocab: Vocabulary) -> tuple[Sat, dict[str, Any]]:
    """Whether some project satisfies ``conj``, and one such project's facts (left-out facts omitted).

    ``UNKNOWN`` when the rest is satisfiable but literals beyond the fragment (a fact compared with
    another fact) remain: nothing is claimed about them.
    """
    witness: dict[str, Any] = {}
    for name, st in conj.states:
        fact = vocab.get(name)
        if fact is None:
            return Sat.UNKNOWN, {}
        if st.contradiction:
            return Sat.UNSAT, {}
        if st.known is False:
            if st.valued():
                return Sat.UNSAT, {}
            continue
        value = _pick(fact, st)
        if value is None:
            return Sat.UNSAT, {}
        witness[name] = value
    if conj.opaque:
        opaque_facts = {leaf.fact for leaf, _ in conj.opaque}
        if any(conj.state(f) is not None and conj.state(f).known is False for f in opaque_facts):  # type: ignore[union-attr]
            return Sat.UNSAT, {}
        return Sat.UNKNOWN, witness
    return Sat.SAT, witness


def _pick(fact: Fact, st: _FactState) -> Any | None:
    if fact.type.ordered:
        if st.allowed is not None:  # ``in`` lists of whole numbers
            for value in sorted(st.allowed):
                if st.interval.contains(value) and value not in st.excluded:
                    return value
            return None
        return pick_point(st.interval, fact, st.excluded)
    if st.interval != Interval():
        return None  # an ordered comparison on an unordered fact cannot load; be safe
    if fact.type is FactType.BOOLEAN:
        universe: list[Any] = [False, True]
    elif fact.type is FactType.ENUM:
        universe = list(fact.values)
    else:
        universe = sorted(st.allowed, key=str) if st.allowed is not None else \
            [f"示例{i}" for i in range(len(st.excluded) + 1)]
    for value in universe:
        if (st.allowed is None or value in st.allowed) and value not in st.excluded:
            return value
    return None


# --------------------------------------------------------------------------------------------
# What a rule means, as conditions: live, fired, in scope
# --------------------------------------------------------------------------------------------


class _PackLogic:
    """The conditions under which each rule of one pack fires, as formulas, for static analysis; the
    same definitions as ``deciding.Procedure``: live(r) = when(r) ∧ live(base);
    fired(r) = live(r) ∧ ¬lifts(e) for each exception e."""

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.by_id = {r.id: r for r in pack.rules}
        self.exceptions: dict[str, list[str]] = {}
        for rule in pack.rules:
            if rule.exception_to is not None:
                self.exceptions.setdefault(rule.exception_to, []).append(rule.id)

    def live(self, rule: Rule, seen: frozenset[str] = frozenset()) -> Condition:
        if rule.id in seen:
            raise _Cycle(rule.id)
        own = rule.when or TRUE
        if rule.exception_to is None or rule.exception_to not in self.by_id:
            return own
        return All((own, self.live(self.by_id[rule.exception_to], seen | {rule.id})))

    def fired(self, rule: Rule, seen: frozenset[str] = frozenset()) -> Condition:
        if rule.id in seen:
            raise _Cycle(rule.id)
        parts = [self.live(rule)]
        parts.extend(Not(self.lifts(self.by_id[e], seen | {rule.id})) for e in self.exceptions.get(rule.id, ()))
        return All(tuple(parts))

    def lifts(self, exception: Rule, seen: frozenset[str]) -> Condition:
        """Where ``exception`` lifts its base (``deciding.Procedure.lifts``): where it fires, and for a
        permission on a condition (``lifts: when_met``) where its requirement is met too. An exception
        the project must establish can be claimed wherever it fires, so it counts the same here."""
        fired = self.fired(exception, seen)
        if exception.lifts == "when_met" and exception.require is not None:
            return All((fired, exception.require))
        return fired

    def in_scope(self) -> Condition:
        includes = [r for r in self.pack.rules if r.kind is RuleKind.SCOPE and r.effect == "include"]
        excludes = [r for r in self.pack.rules if r.kind is RuleKind.SCOPE and r.effect == "exclude"]
        parts: list[Condition] = [Not(self.fired(r)) for r in excludes]
        if includes:
            parts.append(AnyOf(tuple(self.fired(r) for r in includes)))
        return All(tuple(parts))

    def related(self, a: str, b: str) -> bool:
        """Whether one rule is an exception (directly or through others) to the other."""
        def chain(rule_id: str) -> set[str]:
            found: set[str] = set()
            node = self.by_id[rule_id].exception_to
            while node is not None and node not in found and node in self.by_id:
                found.add(node)
                node = self.by_id[node].exception_to
            return found
        return a in chain(b) or b in chain(a)


class _Cycle(Exception):
    pass


def _terms(cond: Condition) -> list[Conjunction] | None:
    try:
        return [reduce(t) for t in dnf(cond)]
    except TooComplex:
        return None


def _conjuncts(cond: Condition) -> Iterator[Condition]:
    if isinstance(cond, All):
        for item in cond.items:
            yield from _conjuncts(item)
    else:
        yield cond


def satisfiable(cond: Condition, vocab: Vocabulary) -> tuple[Sat, dict[str, Any]]:
    """Whether some project with all the facts it states makes ``cond`` true, with one such project.

    The conjuncts of ``cond`` are expanded one at a time and contradictory partial terms dropped
    at once, so a long conjunction of small disjunctions (scope ∧ ¬rule ∧ ¬rule …) stays small.
    """
    terms: list[frozenset[Lit]] = [frozenset()]
    for item in _conjuncts(cond):
        try:
            part = dnf(item)
        except TooComplex:
            return Sat.UNKNOWN, {}
        grown: dict[frozenset[Lit], None] = {}
        for a in terms:
            for b in part:
                term = a | b
                if term not in grown and solve(reduce(term), vocab)[0] is not Sat.UNSAT:
                    grown[term] = None
                    if len(grown) > _DNF_LIMIT:
                        return Sat.UNKNOWN, {}
        terms = list(grown)
        if not terms:
            return Sat.UNSAT, {}
    unknown: dict[str, Any] | None = None
    for term in terms:
        verdict, witness = solve(reduce(term), vocab)
        if verdict is Sat.SAT:
            return verdict, witness
        if verdict is Sat.UNKNOWN and unknown is None:
            unknown = witness
    return (Sat.UNKNOWN, unknown) if unknown is not None else (Sat.UNSAT, {})


# --------------------------------------------------------------------------------------------
# The analyses
# --------------------------------------------------------------------------------------------


def _at(rule: Rule, *path: str | int) -> dict[str, Any]:
    file, line, column = rule.at if rule.at is not None else (None, None, None)
    return {"file": file, "line": line, "column": column, "path": ("rules", rule.id, *path)}


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"
    if isinstance(value, _dt.date):
        return value.isoformat()
    return value


class _Linter:
    """All analyses over the loaded packs; ``findings`` collects their results."""

    def __init__(self, packs: Sequence[Pack], vocab: Vocabulary, engine: Any | None) -> None:
        self.packs = packs
        self.vocab = vocab
        self._engine = engine
        self.acyclic: list[Pack] = []
        self.findings: list[Finding] = []

    @property
    def engine(self) -> Any:
        """The engine that checks counter-examples: the caller's, or one over the acyclic packs."""
        if self._engine is None:
            from .evaluation import Engine

            self._engine = Engine(self.acyclic, vocabulary=self.vocab)
        return self._engine

    def run(self) -> list[Finding]:
        logics: list[_PackLogic] = []
        for pack in self.packs:
            logic = _PackLogic(pack)
            if not self.cycles(pack, logic):
                self.acyclic.append(pack)
                logics.append(logic)
        for logic in logics:
            pack = logic.pack
            self.never_fires(pack, logic)
            self.tier_tables(pack, logic)
            self.conflicts(pack, logic)
            self.boundary_words(pack)
            self.uncited_provisions(pack)
            self.unused_readings(pack)
        self.unused_facts()
        order = {s: i for i, s in enumerate(Severity)}
        return sorted(self.findings, key=lambda f: (order[f.severity], f.file or "", f.line or 0, f.code))

    def name(self, fact: str, lang: str = "zh") -> str:
        f = self.vocab.get(fact)
        return fact if f is None else (f.zh if lang == "zh" else f.en)

    # -- exception cycles (load refuses them; kept so a pack built in code is checked too) -----

    def cycles(self, pack: Pack, logic: _PackLogic) -> bool:
        try:
            for rule in pack.rules:
                logic.fired(rule)
        except _Cycle as cycle:
            rule = logic.by_id[cycle.args[0]]
            self.findings.append(Finding(
                "exception-cycle", Severity.ERROR,
                f"例外关系成环：{rule.id} 直接或间接是它自己的例外，无法判断哪条规则适用。",
                f"Exceptions form a cycle through {rule.id}: no rule can be decided.",
                hint_zh="检查 exception_to，例外只能指向它所限定的规则。",
                hint_en="check exception_to: an exception points only at the rule it qualifies",
                rules=(rule.id,), **_at(rule, "exception_to")))
            return True
        return False

    # -- rules that can never fire, requirements that can never be met ------------------------

    def never_fires(self, pack: Pack, logic: _PackLogic) -> None:
        scope = logic.in_scope()
        for rule in pack.rules:
            live_sat, _ = satisfiable(logic.live(rule), self.vocab)
            if live_sat is Sat.UNSAT:
                own_sat, _ = satisfiable(rule.when or TRUE, self.vocab)
                if own_sat is Sat.UNSAT:
                    self.findings.append(Finding(
                        "never-fires", Severity.ERROR,
                        f"规则 {rule.id} 的适用条件自相矛盾，任何项目都不会适用：{describe(rule.when or TRUE, self.vocab)}",
                        f"Rule {rule.id} can never apply: its condition contradicts itself: "
                        f"{describe(rule.when or TRUE, self.vocab, 'en')}",
                        hint_zh="对照条文检查各项条件的数额、用语（以上/低于）和取值。",
                        hint_en="check the numbers, words (以上/低于) and values against the text",
                        rules=(rule.id,), **_at(rule, "when")))
                else:
                    self.findings.append(Finding(
                        "exception-never-live", Severity.ERROR,
                        f"例外规则 {rule.id} 的条件与其所限定的规则 {rule.exception_to} 的条件互斥，例外永远不会生效。",
                        f"The exception {rule.id} can never take effect: its condition excludes that of "
                        f"the rule it qualifies, {rule.exception_to}.",
                        hint_zh="例外只在被限定规则适用时才起作用；检查两条规则的条件。",
                        hint_en="an exception only acts where its base rule applies; check both conditions",
                        rules=(rule.id, rule.exception_to or ""), **_at(rule, "exception_to")))
                continue
            if live_sat is Sat.UNKNOWN:
                continue
            fired_sat, _ = satisfiable(logic.fired(rule), self.vocab)
            if fired_sat is Sat.UNSAT:
                winners = tuple(logic.exceptions.get(rule.id, ()))
                self.findings.append(Finding(
                    "masked", Severity.ERROR,
                    f"规则 {rule.id} 凡适用之处都被例外 {'、'.join(winners)} 取代，永远不会作出决定。",
                    f"Rule {rule.id} is masked: wherever it applies, its exception(s) {', '.join(winners)} prevail.",
                    hint_zh="例外的条件应比被限定规则更窄；检查例外的 when。",
                    hint_en="an exception's condition should be narrower than its base rule's; check its when",
                    rules=(rule.id, *winners), **_at(rule)))
                continue
            if rule.kind is not RuleKind.SCOPE and fired_sat is Sat.SAT:
                in_scope_sat, _ = satisfiable(All((scope, logic.fired(rule))), self.vocab)
                if in_scope_sat is Sat.UNSAT:
                    self.findings.append(Finding(
                        "out-of-scope", Severity.ERROR,
                        f"规则 {rule.id} 只针对本办法管理范围以外的项目，因此永远不会适用。",
                        f"Rule {rule.id} only concerns projects outside the measure's scope, so it never applies.",
                        hint_zh="对照适用范围条款（scope 规则）检查该规则的条件。",
                        hint_en="check the rule's condition against the scope rules",
                        rules=(rule.id,), **_at(rule, "when")))
                    continue
            if rule.require is not None:
                req_sat, _ = satisfiable(All((logic.fired(rule), rule.require)), self.vocab)
                if req_sat is Sat.UNSAT:
                    self.findings.append(Finding(
                        "unmeetable-requirement", Severity.ERROR,
                        f"规则 {rule.id} 的要求在其适用时无法满足，凡适用的项目都将判为违反："
                        f"{describe(rule.require, self.vocab)}",
                        f"Rule {rule.id} can never be satisfied where it applies; every project it applies to "
                        f"would be violated: {describe(rule.require, self.vocab, 'en')}",
                        hint_zh="检查 require 与 when 是否互相矛盾。",
                        hint_en="check whether require contradicts when",
                        rules=(rule.id,), **_at(rule, "require")))

    # -- conflicting requirements -------------------------------------------------------------

    def conflicts(self, pack: Pack, logic: _PackLogic) -> None:
        """Two rules that can apply to one project whose requirements no project can meet together."""
        scope = logic.in_scope()
        with_require = [r for r in pack.rules if r.require is not None and r.kind is not RuleKind.SCOPE]
        for a, b in itertools.combinations(with_require, 2):
            if logic.related(a.id, b.id) or not set(_facts(a.require)) & set(_facts(b.require)):
                continue
            both = All((scope, logic.fired(a), logic.fired(b)))
            applies, _ = satisfiable(both, self.vocab)
            if applies is not Sat.SAT:
                continue
            assert a.require is not None and b.require is not None
            meet_a, _ = satisfiable(All((both, a.require)), self.vocab)
            meet_b, _ = satisfiable(All((both, b.require)), self.vocab)
            meet_both, _ = satisfiable(All((both, a.require, b.require)), self.vocab)
            if meet_a is Sat.SAT and meet_b is Sat.SAT and meet_both is Sat.UNSAT:
                example = self.example(pack, logic, All((logic.fired(a), logic.fired(b))), (a, b))
                self.findings.append(Finding(
                    "conflicting-requirements", Severity.ERROR,
                    f"规则 {a.id} 与 {b.id} 可同时适用于一个项目，但二者的要求不可能同时满足，"
                    "且二者之间没有例外关系。",
                    f"Rules {a.id} and {b.id} can apply to the same project, but no project can meet both "
                    "requirements, and neither is an exception to the other.",
                    hint_zh="若条文确有先后或例外，用 exception_to 写明；否则核对两条规则的 require。",
                    hint_en="if the text makes one prevail, say so with exception_to; otherwise check both requires",
                    rules=(a.id, b.id), **_at(b, "require"), **example))

    # -- tier tables: gaps and overlaps --------------------------------------------------------

    def tier_tables(self, pack: Pack, logic: _PackLogic) -> None:
        """Rules of one kind whose firing conditions differ only in an interval of one ordered fact.

        A row is one disjunct of a rule's firing condition (when, base, exceptions). Rows are grouped
        by (kind, fact, every other fact's constraint): rows in one group are alternatives for the
        same projects, told apart only by that fact, like the rows of a DMN decision table.
        """
        groups: dict[tuple[RuleKind, str, Any], list[tuple[Rule, Interval]]] = {}
        for rule in pack.rules:
            if rule.kind is RuleKind.SCOPE:
                continue
            terms = _terms(logic.fired(rule))
            if terms is None:
                continue
            for term in terms:
                if term.opaque or solve(term, self.vocab)[0] is not Sat.SAT:
                    continue
                for name, st in term.states:
                    fact = self.vocab.get(name)
                    if fact is None or not fact.type.ordered or st.interval == Interval() \
                            or st.allowed is not None or st.excluded:
                        continue
                    groups.setdefault((rule.kind, name, term.without(name)), []).append((rule, st.interval))
        for (kind, name, context), rows in groups.items():
            if len({r.id for r, _ in rows}) < 2:
                continue
            self.check_group(pack, logic, kind, name, context, rows)

    def check_group(self, pack: Pack, logic: _PackLogic, kind: RuleKind, name: str,
                    context: tuple[tuple[str, _FactState], ...], rows: list[tuple[Rule, Interval]]) -> None:
        fact = self.vocab[name]
        domain, step, _ = _domain(fact)
        if len({iv for _, iv in rows}) < 2:
            return  # one threshold shared by several rules is not a table of tiers
        ids = tuple(dict.fromkeys(r.id for r, _ in rows))
        first = rows[0][0]
        ctx_zh = self.context_text(context, "zh")
        ctx_en = self.context_text(context, "en")
        hull_low = min((iv._start() for _, iv in rows), key=lambda c: (0,) if c is None else (1, c))
        hull_high = max((iv._end() for _, iv in rows), key=lambda c: (1,) if c is None else (0, c))
        for gap in gaps([iv for _, iv in rows], domain, step):
            g_start, g_end = gap._start(), gap._end()
            interior = (hull_low is None or (g_start is not None and g_start > hull_low)) and \
                (hull_high is None or (g_end is not None and g_end < hull_high))
            # The gap is reported only with a project that proves it: in scope, with the table's
            # other facts, the tier fact in the gap, and no rule of this kind that reads the fact
            # firing (a more general rule may cover the range) — and the engine must agree.
            others = tuple(Not(logic.fired(r)) for r in pack.rules if r.kind is kind and name in r.facts())
            example: dict[str, Any] = {}
            for point in _points(gap, fact):
                example = self.example(pack, logic, All(others), tuple(r for r, _ in rows), {name: point},
                                       context, expect_none=True)
                if example:
                    break
            if not example:
                continue
            shown_zh, shown_en = gap.describe(fact, "zh"), gap.describe(fact, "en")
            self.findings.append(Finding(
                "tier-gap", Severity.WARNING if interior else Severity.INFO,
                f"{ctx_zh}{fact.zh}在 {shown_zh} 区间内时，{'、'.join(ids)} 这组{_KIND_ZH.get(kind.value, kind.value)}"
                f"规则都不适用" + ("（分档之间的空档）。" if interior else "（分档以外；若条文本身未作规定，可不处理）。"),
                f"{ctx_en}{fact.en} in {shown_en} is matched by none of the {kind.value} rules "
                f"{', '.join(ids)}" + (" (a gap between tiers)." if interior else
                                       " (outside the tiers; fine if the text says nothing there)."),
                hint_zh="核对条文的分档用语（以上/以下包括本数，超过/不满/低于不包括本数）。" if interior else
                "若条文对此区间确无规定，可在规则 note 中说明。",
                hint_en="check the tier words (以上/以下 include the number; 超过/不满/低于 exclude it)" if interior
                else "if the text is silent on this range, say so in a rule note",
                rules=ids, **_at(first, "when"), **example))
        # Rules with the very same interval are one tier (several duties at one threshold), not
        # alternatives to each other: overlaps are looked for between different tiers only.
        tiers: dict[Interval, list[Rule]] = {}
        for rule, iv in rows:
            if rule not in tiers.setdefault(iv, []):
                tiers[iv].append(rule)
        for (ia, tier_a), (ib, tier_b) in itertools.combinations(tiers.items(), 2):
            pairs = [(a, b) for a in tier_a for b in tier_b if a.id != b.id and not logic.related(a.id, b.id)]
            both = ia.intersect(ib).intersect(domain).normalized(step)
            if not pairs or both.is_empty(step):
                continue
            ra, rb = pairs[0]
            names_a = "、".join(r.id for r in tier_a)
            names_b = "、".join(r.id for r in tier_b)
            # Thresholds that both run to the same end of the range are cumulative tiers
            # ("500万元以上…，其中2000万元以上…还需…", or the same downwards): overlapping is their point.
            da, db = ia.intersect(domain).normalized(step), ib.intersect(domain).normalized(step)
            cumulative = (da.upper is None and db.upper is None) or \
                (da._start() == db._start() == domain.normalized(step)._start())
            point = pick_point(both, fact)
            example = self.example(pack, logic, None, (ra, rb), {name: point}, context) if point is not None else {}
            if not example:
                continue  # not shown by an in-scope project the engine agrees on: nothing claimed
            shown_zh, shown_en = both.describe(fact, "zh"), both.describe(fact, "en")
            self.findings.append(Finding(
                "tier-overlap", Severity.INFO if cumulative else Severity.WARNING,
                f"{ctx_zh}{fact.zh}在 {shown_zh} 区间内时，{names_a} 与 {names_b} 同时适用"
                + ("（累进分档：条文如有“还需”“另需”即属本意）。" if cumulative else "。"),
                f"{ctx_en}{fact.en} in {shown_en} is matched by both {names_a.replace('、', ', ')} and "
                f"{names_b.replace('、', ', ')}" + (" (cumulative tiers: intended if the text says 'also')."
                                                   if cumulative else "."),
                hint_zh="若两档应互斥，检查分档边界的用语；若条文规定叠加适用，无需修改。",
                hint_en="if the tiers should exclude each other, check the boundary words; "
                        "if the text makes them cumulative, nothing to change",
                rules=tuple(dict.fromkeys(r.id for r in tier_a + tier_b)), **_at(rb, "when"), **example))

    def context_text(self, context: tuple[tuple[str, _FactState], ...], lang: str) -> str:
        parts = []
        for name, st in context:
            fact = self.vocab.get(name)
            if st.allowed is not None and len(st.allowed) == 1:
                value = show_value(next(iter(st.allowed)), fact, lang)
                parts.append(f"{self.name(name, lang)}{'为' if lang == 'zh' else ' is '}{value}")
        if not parts:
            return ""
        return ("、".join(parts) + "的项目，") if lang == "zh" else ("For projects where " + ", ".join(parts) + ", ")

    # -- counter-examples, checked with the engine ---------------------------------------------

    def example(self, pack: Pack, logic: _PackLogic, cond: Condition | None, rules: tuple[Rule, ...],
                fixed: Mapping[str, Any] | None = None,
                context: tuple[tuple[str, _FactState], ...] | None = None,
                expect_none: bool = False) -> dict[str, Any]:
        """A minimal in-scope project meeting ``cond``, ``fixed`` and ``context``, checked with the
        engine: ``rules`` must all fire (or, with ``expect_none``, all be not applicable).
        Returns ``counter_example`` and ``case_yaml``, or nothing when no such project is found."""
        parts: list[Condition] = [logic.in_scope()]
        if cond is not None:
            parts.append(cond)
        for name, value in (fixed or {}).items():
            parts.append(Compare(name, "==", Literal(value)))
        for name, st in context or ():
            parts.extend(_state_condition(name, st))
        verdict, witness = satisfiable(All(tuple(parts)), self.vocab)
        if verdict is not Sat.SAT:
            return {}
        project = {k: _json_value(v) for k, v in witness.items()}
        try:
            report = self.engine.evaluate(project, pack.jurisdiction.id, pack.document.in_force_from)
        except (GovrulesError, ValueError, TypeError):  # a counter-example is a courtesy: lint goes on
            return {}
        decisions = {d.rule: d.status.value for d in report.decisions if d.pack == pack.id}
        firing = {"applies", "satisfied", "violated", "pending", "overdue"}
        wanted = (lambda status: status == "not_applicable") if expect_none else (lambda status: status in firing)
        if not all(r.id in decisions and wanted(decisions[r.id]) for r in rules):
            return {}
        result: dict[str, Any] = {}
        expect = [{"rule": r.id, "status": decisions[r.id]} for r in rules]
        case = [{"name": "lint 反例：请按条文改写 expect 中的期望结果", "project": project, "expect": expect}]
        result["counter_example"] = tuple(project.items())
        result["case_yaml"] = yaml.safe_dump(case, allow_unicode=True, sort_keys=False, width=200)
        return result

    # -- boundary words against the cited text -------------------------------------------------

    def boundary_words(self, pack: Pack) -> None:
        for rule in pack.rules:
            texts = [c.text for c in rule.cites if c.text]
            if not texts:
                continue
            for key, cond in (("when", rule.when), ("require", rule.require)):
                if cond is None:
                    continue
                for leaf, positive, reading in _leaves_with_readings(cond):
                    if not isinstance(leaf, Compare) or not isinstance(leaf.value, Literal):
                        continue
                    if leaf.value.param is not None:
                        continue  # a local parameter: by declaration not a number of the text
                    fact = self.vocab.get(leaf.fact)
                    if fact is None or fact.type not in (FactType.AMOUNT, FactType.NUMBER, FactType.INTEGER):
                        continue
                    self.check_word(rule, key, leaf, positive, fact, texts, reading)

    def check_word(self, rule: Rule, key: str, leaf: Compare, positive: bool, fact: Fact,
                   texts: list[str], reading: str | None = None) -> None:
        assert isinstance(leaf.value, Literal)
        value = leaf.value.value
        spellings = _spellings(value, fact)
        words: set[str] = set()
        found = False
        for text in texts:
            for spelling in spellings:
                for match in re.finditer(r"(?<![0-9.,])" + re.escape(spelling), text):
                    found = True
                    words.update(_adjacent_words(text, match.start(), match.end()))
        rel = leaf.relation if positive else _INVERSE[leaf.relation]
        shown = show_value(value, fact)
        location = _at(rule, key)
        if leaf.at is not None:  # point at the comparison itself, not only at the rule
            location.update(file=leaf.at[0], line=leaf.at[1], column=leaf.at[2])
        if not found:
            cited = "、".join(c.label for c in rule.cites if c.text)
            if reading is not None:
                # The number is one answer to a declared reading of words the text leaves open
                # ("多家"): the reading is where it comes from, so it is noted, not warned about.
                self.findings.append(Finding(
                    "boundary-not-in-text", Severity.INFO,
                    f"规则 {rule.id} 使用的数额 {shown} 未出现在所引条款（{cited}）的原文中；它是解读 {reading} "
                    "的一种答案。",
                    f"The number {shown} used by rule {rule.id} does not appear in the text of {cited}; it is one "
                    f"answer to the reading {reading}.",
                    hint_zh=f"核对解读 {reading} 的各个答案与该数额一致。",
                    hint_en=f"check the answers of the reading {reading} agree with the number",
                    rules=(rule.id,), **location))
                return
            # Changing a number of the text (100万元 → 150万元) is the most common editing mistake.
            self.findings.append(Finding(
                "boundary-not-in-text", Severity.WARNING,
                f"规则 {rule.id} 使用的数额 {shown} 未出现在所引条款（{cited}）的原文中。",
                f"The number {shown} used by rule {rule.id} does not appear in the text of the provisions it "
                f"cites ({cited}).",
                hint_zh="核对数额是否与原文一致（常见的是改错了数字）；若数额来自其他条款，请一并引用；"
                        "若是本地设定的数额，写成本地参数（local_parameters）。",
                hint_en="check the number against the text (a mistyped number is the usual cause); if it comes "
                        "from another provision, cite that too; if it is a local setting, make it a local parameter",
                rules=(rule.id,), **location))
            return
        relations = {STATUTORY_WORDS[w][0] for w in words}
        if not relations:
            return
        accepted = relations | {_INVERSE[r] for r in relations}
        if rel in accepted:
            return
        text_words = "、".join(sorted(words))
        self.findings.append(Finding(
            "boundary-word", Severity.ERROR,
            f"规则 {rule.id} 对 {shown} 使用“{leaf.op}”，而所引条文在该数额旁用的是“{text_words}”："
            "是否包括本数与原文不一致。",
            f"Rule {rule.id} compares with {shown} using '{leaf.op}' ({rel.value}), but the cited text puts "
            f"'{text_words}' next to that number: whether the number itself is included differs from the text.",
            hint_zh="民法典第一千二百五十九条：以上、以下、以内包括本数；超过、不满、低于不包括本数。按原文用语改写 op。",
            hint_en="Civil Code art. 1259: 以上/以下/以内 include the number, 超过/不满/低于 exclude it; "
                    "use the text's word as op",
            rules=(rule.id,), **location))

    # -- vocabulary and registry coverage --------------------------------------------------------

    def unused_facts(self) -> None:
        if not self.packs:
            return
        used: set[str] = set()
        # A fact used by a bundled pack is not unused because only one pack is being checked.
        for pack in [*self.packs, *_bundled_packs(self.vocab)]:
            for rule in pack.rules:
                used.update(rule.facts())
                if rule.scoring is not None:  # a score's total and grade are read by classifications
                    used.update((rule.scoring.total, rule.scoring.grade))
        for name, fact in self.vocab.items():
            if name not in used:
                self.findings.append(Finding(
                    "unused-fact", Severity.WARNING,
                    f"词表中的事实 {fact.label()} 未被所检查的任何规则包使用。",
                    f"The fact {name} ({fact.en}) is used by no rule of the packs checked.",
                    hint_zh="若它属于尚未加载的规则包，可忽略；否则从 facts.yaml 删除或在规则中使用。",
                    hint_en="ignore if a pack not checked here uses it; otherwise remove it or use it",
                    file=self.vocab.source, path=("facts", name)))

    def unused_readings(self, pack: Pack) -> None:
        """A declared reading no rule reads decides nothing: either a rule should read it, or it goes."""
        read = {name for rule in pack.rules for name in rule.readings()}
        for spec in pack.readings.values():
            if spec.id in read:
                continue
            file, line, column = spec.at if spec.at is not None else (None, None, None)
            self.findings.append(Finding(
                "unused-reading", Severity.WARNING,
                f"解读 {spec.id}（{spec.provision}）没有任何规则读取，它不影响任何决定。",
                f"The reading {spec.id} ({spec.provision}) is read by no rule, so it decides nothing.",
                hint_zh="在相关规则的条件中写 {reading: " + spec.id + ", is: …}，或删除该解读。",
                hint_en="read it in the rule it concerns ({reading: " + spec.id + ", is: …}), or remove it",
                file=file, line=line, column=column, path=("readings", spec.id)))

    def uncited_provisions(self, pack: Pack) -> None:
        cited = {c.label for r in pack.rules for c in r.cites}
        if pack.document.in_force_cites:
            cited.add(pack.document.in_force_cites)  # the provision that sets the dates is used
        provisions = pack.provisions

        def covered(label: str, seen: frozenset[str] = frozenset()) -> bool:
            prov = provisions[label]
            if label in cited or not prov.evaluable:
                return True
            ancestors = [p for p in provisions.values() if label in p.children]
            if any(p.label in cited for p in ancestors):
                return True
            # A chapeau's own words (not a lead_in) are not covered by rules citing its items alone.
            return bool(prov.children) and not prov.chapeau and all(
                covered(c, seen | {label}) for c in prov.children if c in provisions and c not in seen)

        for label, prov in provisions.items():
            if covered(label):
                continue
            parents_uncovered = any(label in p.children and not covered(p.label) for p in provisions.values())
            if parents_uncovered and not prov.children:
                pass  # reported on its own below; the parent is reported too
            file, line, column = prov.at if prov.at is not None else (None, None, None)
            self.findings.append(Finding(
                "uncited-provision", Severity.WARNING,
                f"条款 {label} 没有任何规则引用，也未标记为不可评估（evaluable: false）。",
                f"Provision {label} is cited by no rule and not marked evaluable: false.",
                hint_zh="为它编写规则，或标记 evaluable: false 并写明 reason。",
                hint_en="encode it as a rule, or mark it evaluable: false with a reason",
                file=file, line=line, column=column, path=("provisions", label)))


_KIND_ZH = {"approval": "审批", "review": "审核", "obligation": "义务", "deadline": "期限",
            "exclusion": "排除", "change_control": "变更", "consequence": "后果", "classification": "分类"}


def _facts(cond: Condition | None) -> tuple[str, ...]:
    from .conditions import facts_used
    return facts_used(cond)


def _points(gap: Interval, fact: Fact) -> list[Any]:
    """Values to try as a gap's counter-example: its lower end first, then its upper end."""
    _, _, move = _domain(fact)
    found = [pick_point(gap, fact)]
    if gap.upper is not None:
        found.append(gap.upper.value if gap.upper.closed else gap.upper.value - move)
    return [p for p in dict.fromkeys(found) if p is not None and gap.contains(p)]


def _state_condition(name: str, st: _FactState) -> list[Condition]:
    """A fact's constraint back as conditions, to ask the solver for a project meeting it."""
    out: list[Condition] = []
    if st.known is False:
        return [Known(name, False)]
    if st.known:
        out.append(Known(name, True))
    if st.interval.lower is not None:
        out.append(Compare(name, ">=" if st.interval.lower.closed else ">", Literal(st.interval.lower.value)))
    if st.interval.upper is not None:
        out.append(Compare(name, "<=" if st.interval.upper.closed else "<", Literal(st.interval.upper.value)))
    if st.allowed is not None:
        out.append(OneOf(name, tuple(sorted(st.allowed, key=str))))
    if st.excluded:
        out.append(Not(OneOf(name, tuple(sorted(st.excluded, key=str)))))
    return out


def _leaves_with_polarity(cond: Condition, positive: bool = True) -> Iterator[tuple[Leaf, bool]]:
    if isinstance(cond, Not):
        yield from _leaves_with_polarity(cond.item, not positive)
    elif isinstance(cond, (All, AnyOf)):
        for item in cond.items:
            yield from _leaves_with_polarity(item, positive)
    else:
        yield cond, positive


def _leaves_with_readings(cond: Condition, positive: bool = True,
                          reading: str | None = None) -> Iterator[tuple[Condition, bool, str | None]]:
    """Each leaf with its polarity and, when a conjunction around it also tests a declared reading,
    that reading's id (the leaf then holds to one answer of the reading)."""
    if isinstance(cond, Not):
        yield from _leaves_with_readings(cond.item, not positive, reading)
    elif isinstance(cond, (All, AnyOf)):
        if isinstance(cond, All):
            reading = next((i.reading for i in cond.items if isinstance(i, Reading)), reading)
        for item in cond.items:
            yield from _leaves_with_readings(item, positive, reading)
    else:
        yield cond, positive, reading


_CN_DIGITS = "零一二三四五六七八九十"


def _spellings(value: Any, fact: Fact) -> list[str]:
    """How the text may write ``value``: 500万元, 500万, 5000000元, 0.5亿元; 3年, 三年."""
    out: list[str] = []
    if fact.type is FactType.AMOUNT:
        v = Decimal(value)
        for divisor, unit in ((Decimal(100000000), "亿"), (Decimal(10000), "万")):
            q = v / divisor
            if q >= 1 or (divisor == 10000 and q > 0):
                shown = f"{q.normalize():f}"
                out += [f"{shown}{unit}元", f"{shown}{unit}"]
        out.append(f"{v.normalize():f}元")
        return out
    shown = f"{Decimal(value).normalize():f}"
    unit = fact.unit or ""
    out.append(f"{shown}{unit}" if unit else shown)
    if unit and Decimal(value) == Decimal(value).to_integral() and 0 < int(value) <= 10:
        out.append(_CN_DIGITS[int(value)] + unit)
        out.append(_CN_DIGITS[int(value)] + "个" + unit)
    return out


_PREFIX_WORDS = sorted((w for w, (_, post) in STATUTORY_WORDS.items() if not post), key=len, reverse=True)
_POSTFIX_WORDS = sorted((w for w, (_, post) in STATUTORY_WORDS.items() if post), key=len, reverse=True)


def _adjacent_words(text: str, start: int, end: int) -> set[str]:
    """Statutory words right before (超过500万元) or right after (500万元以上) a number in ``text``."""
    found: set[str] = set()
    before = text[max(0, start - 4):start]
    for word in _PREFIX_WORDS:
        if before.endswith(word):
            found.add(word)
            break
    after = text[end:end + 4].removeprefix("及")  # 500万元及以上
    for word in _POSTFIX_WORDS:
        if after.startswith(word):
            found.add(word)
            break
    return found


def lint_packs(packs: Sequence[Pack], vocab: Vocabulary, engine: Any | None = None) -> list[Finding]:
    """Every finding about ``packs``, errors first. Counter-examples are checked by evaluating them
    with ``engine`` (one over the same packs is built when none is given)."""
    return _Linter(packs, vocab, engine).run()


def _bundled_packs(vocab: Vocabulary) -> tuple[Pack, ...]:
    """The packs shipped with govrules, or none if they do not load with ``vocab``."""
    from .evaluation import default_policies_dir
    from .loading import load_packs

    try:
        return load_packs([default_policies_dir()], vocab)
    except PackError:
        return ()


def version_findings(old: Sequence[Pack], new: Sequence[Pack]) -> list[Finding]:
    """A warning for each pack of ``new`` whose content differs from the pack of the same id in ``old``
    while its ``version`` is the same: reports and audit logs name a pack by its version, so one
    version would then stand for two different sets of rules."""
    before = {p.id: p for p in old}
    found = []
    for pack in new:
        prior = before.get(pack.id)
        if prior is None or prior.version != pack.version or prior.content_hash == pack.content_hash:
            continue
        file, line = _version_line(pack)
        found.append(Finding(
            "version-unchanged", Severity.WARNING,
            f"规则包 {pack.id} 的内容已改变（{prior.content_hash[:15]}… → {pack.content_hash[:15]}…），"
            f"但版本号仍为 {pack.version}：同一版本号将对应两套不同的规则。",
            f"The content of pack {pack.id} changed ({prior.content_hash[:15]}… → {pack.content_hash[:15]}…) "
            f"but its version is still {pack.version}: one version would name two different sets of rules.",
            hint_zh="修改 pack.yaml 中的 version（如 2026.2 → 2026.3），并在变更记录中写明改了什么。",
            hint_en="raise version in pack.yaml (e.g. 2026.2 → 2026.3) and record what changed",
            file=file, line=line, column=None if line is None else 1, path=("version",)))
    return found


def _version_line(pack: Pack) -> tuple[str | None, int | None]:
    """pack.yaml of ``pack`` and the line of its top-level ``version:`` key, where they can be read."""
    if pack.directory is None:
        return None, None
    from .loading import PACK_FILE, _display

    path = pack.directory / PACK_FILE
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return _display(path), None
    line = next((i for i, text in enumerate(lines, 1) if text.startswith("version:")), None)
    return _display(path), line
