"""A second implementation of rule conditions on durable-rules, to cross-check the core evaluator.

Every rule's ``when`` and ``require`` is translated into durable-rules patterns over one fact (the
project). Three-valued logic is kept by translating each condition twice, into "is true" and "is
false" patterns (Kleene: ``all`` is false when any part is false, ``not`` swaps the two, …); a
condition neither true nor false is unknown. Evaluating a project asserts its fact, collects the
durable rules that fired, and retracts the fact and deletes its session state.

Pitfalls of durable-rules handled here (see docs/trust.md):
- rulesets live in a registry keyed by name: each backend registers its own, with unique names
  (pack id, content hash, a process-wide counter), on a host of its own module;
- a comparison with an absent property *matches* in durable-rules (``m.a > m.b`` fires when ``b``
  is missing), so every comparison between two facts also requires both to be present;
- numbers are doubles there: amounts and numbers are sent as fixed-width decimal strings
  (20 integer and 24 fractional digits, compared as text, which orders them exactly), never floats;
- an ``any`` inside a pattern becomes one durable rule per branch, which may fire several times:
  results are collected as a set;
- state is per session id and grows until deleted: each evaluation uses a fresh session, deleted
  after use;
- a pattern can match the session state itself: a lone "not exists" pattern then fires forever, so
  every pattern also requires a marker property only the project fact has;
- asserting a fact that no pattern matches raises ``MessageNotHandledException``: it means nothing
  fired.
Deadlines (working days), exceptions and scope are not translated: see docs/trust.md.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from ..calendar import Calendar, default_calendar
from ..conditions import (
    All,
    AnyOf,
    AppliedFor,
    Compare,
    Condition,
    Equals,
    FactRef,
    Happened,
    Known,
    Literal,
    Not,
    OneOf,
    Reading,
    Relation,
    facts_used,
    iter_leaves,
)
from ..model import Pack
from ..projects import Project
from ..vocabulary import FactType, Vocabulary, default_vocabulary

try:
    from durable import engine as _durable_engine
    from durable import lang as _lang
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("the durable backend needs durable-rules: pip install 'govrules[durable]'") from exc

__all__ = ["DurableBackend", "Unsupported", "firing_labels"]

_INT_DIGITS, _FRAC_DIGITS = 20, 24
_MAX_PROPERTIES = 48  # facts per durable fact; durable-rules fails from about 70 (error 303)
_MARKER = "govrules_project"  # not a fact name: facts are lower-case words of the vocabulary
_counter = itertools.count()
_host_lock = threading.Lock()
_host: Any = None

Expr = Any  # a durable-rules expression (durable.lang.value / operator objects), untyped upstream


class Unsupported(ValueError):
    """A value or condition the durable translation cannot hold exactly (it refuses, never rounds)."""


def _shared_host() -> Any:
    """One durable host per process: each host starts polling timer threads of its own."""
    global _host
    with _host_lock:
        if _host is None:
            _host = _durable_engine.Host()
        return _host


def fixed(number: Decimal | int) -> str:
    """``number`` (≥ 0) as a fixed-width decimal string whose text order is its numeric order."""
    value = Decimal(number)
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if sign and value != 0:
        raise Unsupported(f"negative {value} cannot be sent as a fixed-width string")
    scaled = int("".join(map(str, digits)) or "0")
    shift = exponent + _FRAC_DIGITS
    if shift >= 0:
        scaled *= 10**shift
    else:
        scaled, rest = divmod(scaled, 10**-shift)
        if rest:
            raise Unsupported(f"{value} has more than {_FRAC_DIGITS} decimal places")
    text = str(scaled).rjust(_INT_DIGITS + _FRAC_DIGITS, "0")
    if len(text) > _INT_DIGITS + _FRAC_DIGITS:
        raise Unsupported(f"{value} has more than {_INT_DIGITS} integer digits")
    return text


def _encode(value: Any, fact_type: FactType) -> Any:
    if fact_type in (FactType.AMOUNT, FactType.NUMBER):
        return fixed(value)
    if fact_type is FactType.DATE:
        return value.isoformat()  # ISO dates (4-digit years) sort as text in date order
    if fact_type is FactType.INTEGER:
        if abs(value) >= 2**53:
            raise Unsupported(f"integer {value} is not exact as a double")
        return value
    return value  # booleans, enum codes and text go as they are


# Written out again on purpose (cf. conditions._RELATIONS): a second implementation shares no table
# with the one it checks.
_OPS: Mapping[Relation, Callable[[Expr, Any], Expr]] = {
    Relation.GE: lambda a, b: a >= b,
    Relation.GT: lambda a, b: a > b,
    Relation.LE: lambda a, b: a <= b,
    Relation.LT: lambda a, b: a < b,
    Relation.EQ: lambda a, b: a == b,
    Relation.NE: lambda a, b: a != b,
}
_NEGATION = {Relation.GE: Relation.LT, Relation.GT: Relation.LE, Relation.LE: Relation.GT,
             Relation.LT: Relation.GE, Relation.EQ: Relation.NE, Relation.NE: Relation.EQ}


def _and(parts: list[Expr]) -> Expr:
    out = parts[0]
    for part in parts[1:]:
        out = out & part
    return out


def _or(parts: list[Expr]) -> Expr:
    out = parts[0]
    for part in parts[1:]:
        out = out | part
    return out


@dataclass(frozen=True)
class _Derived:
    """A fact computed before asserting: another fact scaled (``times``) or moved (``plus``)."""

    name: str
    ref: FactRef


class _Translator:
    """Conditions → (true pattern, false pattern), and the derived facts they need."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.derived: dict[FactRef, _Derived] = {}

    def operand(self, fact: str, value: Any) -> Any:
        if isinstance(value, Literal):
            return _encode(value.value, self.vocab[fact].type)
        assert isinstance(value, FactRef)
        if value.times is None and value.plus is None:
            return getattr(_lang.m, value.fact)
        derived = self.derived.setdefault(value, _Derived(f"derived_{len(self.derived)}", value))
        return getattr(_lang.m, derived.name)

    def present(self, value: Any) -> Expr | None:
        if isinstance(value, FactRef):
            name = value.fact if value.times is None and value.plus is None else self.derived[value].name
            return +getattr(_lang.m, name)
        return None

    def both(self, cond: Condition) -> tuple[Expr, Expr | None]:
        """(pattern true when ``cond`` is true, pattern true when it is false; None = never false)."""
        m = _lang.m
        if isinstance(cond, Compare):
            left = getattr(m, cond.fact)
            right = self.operand(cond.fact, cond.value)
            guard = self.present(cond.value)  # durable: comparing with an absent property matches
            true = _OPS[cond.relation](left, right)
            false = _OPS[_NEGATION[cond.relation]](left, right)
            if guard is not None:
                true, false = guard & true, guard & false
            return true, false
        if isinstance(cond, Equals):
            value = _encode(cond.value, self.vocab[cond.fact].type)
            return getattr(m, cond.fact) == value, getattr(m, cond.fact) != value
        if isinstance(cond, OneOf):
            kind = self.vocab[cond.fact].type
            values = [_encode(v, kind) for v in cond.values]
            return (_or([getattr(m, cond.fact) == v for v in values]),
                    _and([getattr(m, cond.fact) != v for v in values]))
        if isinstance(cond, Known):
            given, absent = +getattr(m, cond.fact), -getattr(m, cond.fact)
            return (given, absent) if cond.known else (absent, given)
        if isinstance(cond, Reading):  # the answer taken is a property of the fact (see encode)
            prop = getattr(m, _reading_property(cond.reading))
            return _or([prop == v for v in cond.values]), _and([prop != v for v in cond.values])
        if isinstance(cond, AppliedFor):
            prop = getattr(m, _below_property(cond.pack))
            return prop == cond.below, prop != cond.below
        if isinstance(cond, Not):
            true, false = self.both(cond.item)
            if false is None:
                raise Unsupported("a negation of a condition that is never false")
            return false, true
        # Happened never gets here: rules that read one are skipped (``_beyond``).
        parts = [self.both(item) for item in cast("All | AnyOf", cond).items]
        trues = [t for t, _ in parts]
        falses = [f for _, f in parts if f is not None]
        if isinstance(cond, All):
            return _and(trues), (_or(falses) if falses else None)
        assert isinstance(cond, AnyOf)
        return _or(trues), (_and(falses) if len(falses) == len(parts) else None)


def firing_labels(rule_id: str, aspect: str, value: bool | None) -> set[str]:
    """The label a durable rule carries when ``aspect`` (when/require) of ``rule_id`` is ``value``."""
    return set() if value is None else {f"{rule_id}:{aspect}={'true' if value else 'false'}"}


class DurableBackend:
    """One pack's rule conditions as a durable-rules ruleset; ``firing(project)`` evaluates them.

    Rules without ``when`` are always live: they get no durable rule, and their label
    ``…:when=true`` is added without asking durable-rules (there is no pattern to match).
    """

    def __init__(self, pack: Pack, *, vocabulary: Vocabulary | None = None, calendar: Calendar | None = None) -> None:
        self.pack = pack
        self.vocab = vocabulary or default_vocabulary()
        self.calendar = calendar or default_calendar()
        self.name = f"govrules_{pack.id}_{pack.content_hash[7:19]}_{next(_counter)}"
        self._fired: dict[str, set[str]] = {}
        self._lock = threading.Lock()
        self._always: set[str] = set()
        translator = _Translator(self.vocab)
        # Per rule: its patterns and the properties they read (facts and derived facts).
        groups: list[tuple[list[tuple[str, Expr]], set[str]]] = []
        #: Rules with a condition this translation has no form for (whether the act of a date took
        #: place): not translated, and left out of the comparison too.
        self.skipped = tuple(r.id for r in pack.rules if _beyond(r))
        # The readings as the pack answers them, and the pack applied for its own jurisdiction.
        self._context: dict[str, str | bool] = {
            _reading_property(spec.id): spec.answer for spec in pack.readings.values() if spec.answer is not None}
        self._context[_below_property(pack.id)] = False
        for rule in pack.rules:
            if rule.id in self.skipped:
                continue
            before = set(translator.derived)
            patterns: list[tuple[str, Expr]] = []
            for aspect, cond in (("when", rule.when), ("require", rule.require)):
                if cond is None:
                    if aspect == "when":
                        self._always.add(f"{rule.id}:when=true")
                    continue
                true, false = translator.both(cond)
                patterns.append((f"{rule.id}:{aspect}=true", true))
                if false is not None:
                    patterns.append((f"{rule.id}:{aspect}=false", false))
            if patterns:
                reads = set(facts_used(rule.when)) | set(facts_used(rule.require))
                reads |= {_reading_property(name) for name in rule.readings()}
                if any(isinstance(leaf, AppliedFor) for c in (rule.when, rule.require) if c is not None
                       for leaf in iter_leaves(c)):
                    reads.add(_below_property(pack.id))
                reads |= {translator.derived[ref].name for ref in set(translator.derived) - before}
                groups.append((patterns, reads))
        self._derived = tuple(translator.derived.values())
        self.rule_count = sum(len(p) for p, _ in groups)
        # durable-rules refuses a fact of more than about 70 properties (error 303), and a real
        # project states more facts than that: rules are split into rulesets that each read at most
        # _MAX_PROPERTIES facts, and each ruleset gets a fact with only what it reads.
        self._chunks: list[tuple[str, frozenset[str]]] = []
        chunk: list[tuple[str, Expr]] = []
        reads_of_chunk: set[str] = set()
        for patterns, reads in groups:
            if chunk and len(reads_of_chunk | reads) > _MAX_PROPERTIES:
                self._register(chunk, reads_of_chunk)
                chunk, reads_of_chunk = [], set()
            chunk += patterns
            reads_of_chunk |= reads
        if chunk:
            self._register(chunk, reads_of_chunk)

    def _register(self, patterns: list[tuple[str, Expr]], reads: set[str]) -> None:
        name = f"{self.name}_{len(self._chunks)}"
        definition = _lang.ruleset(name)
        with definition:
            for label, pattern in patterns:
                # The marker keeps a pattern from matching durable's own session state: a lone
                # "not exists" pattern otherwise re-fires on it forever (an endless loop).
                _lang.when_all((getattr(_lang.m, _MARKER) == 1) & pattern)(self._action(label))
        defined_name, rules = definition.define()
        _lang._rulesets.pop(defined_name, None)  # keep it out of durable's global registry: it is ours
        _shared_host().register_rulesets({defined_name: rules})
        self._chunks.append((defined_name, frozenset(reads)))

    def _action(self, label: str) -> Callable[[Any], None]:
        fired = self._fired

        def action(c: Any) -> None:
            fired[c.m.sid].add(label)

        return action

    def encode(self, facts: Mapping[str, Any]) -> dict[str, Any]:
        """The project's facts as one durable fact (exact strings for decimals, ISO dates)."""
        out = {name: _encode(value, self.vocab[name].type) for name, value in facts.items()}
        out.update(self._context)
        for derived in self._derived:
            ref = derived.ref
            base = facts.get(ref.fact)
            if base is None:
                continue
            if ref.times is not None:
                out[derived.name] = fixed(_exact_product(base, ref.times))
            elif ref.plus is not None:
                out[derived.name] = self.calendar.span_end(base, ref.plus).isoformat()
        return out

    def firing(self, project: Project | Mapping[str, Any]) -> frozenset[str]:
        """The labels (``rule:when=true``, ``rule:require=false``, …) that fire for ``project``."""
        facts = project.facts if isinstance(project, Project) else project
        encoded = self.encode(facts)
        host = _shared_host()
        fired: set[str] = set()
        with self._lock:
            for name, reads in self._chunks:
                sid = uuid.uuid4().hex
                fact = {k: v for k, v in encoded.items() if k in reads}
                fact["sid"] = sid
                fact[_MARKER] = 1
                self._fired[sid] = set()
                try:
                    try:
                        host.assert_fact(name, fact)
                    except _durable_engine.MessageNotHandledException:
                        pass  # durable-rules raises when no pattern matches the fact: nothing fired
                    else:
                        host.retract_fact(name, fact)
                        host.delete_state(name, sid)
                finally:
                    fired |= self._fired.pop(sid)
        return frozenset(fired | self._always)


def _exact_product(value: Decimal, times: Decimal) -> Decimal:
    """``value × times`` with every digit kept (the product of two exact decimals is exact)."""
    a_sign, a_digits, a_exp = Decimal(value).as_tuple()
    b_sign, b_digits, b_exp = times.as_tuple()
    assert isinstance(a_exp, int) and isinstance(b_exp, int)
    digits = int("".join(map(str, a_digits)) or "0") * int("".join(map(str, b_digits)) or "0")
    return Decimal((a_sign ^ b_sign, tuple(int(d) for d in str(digits)), a_exp + b_exp))


def reference_labels(pack: Pack, facts: Mapping[str, Any], calendar: Calendar | None = None) -> frozenset[str]:
    """The same labels computed by the core evaluator's compiled conditions, for comparison."""
    from ..compiling import compile_pack

    compiled = compile_pack(pack, calendar or default_calendar())
    facts = {**facts, **reference_context(pack)}
    labels: set[str] = set()
    for rule in compiled.rules:
        if _beyond(rule.rule):
            continue  # as DurableBackend.skipped
        labels |= firing_labels(rule.rule.id, "when", rule.when(facts))
        if rule.require is not None:
            labels |= firing_labels(rule.rule.id, "require", rule.require(facts))
    return frozenset(labels)


def _beyond(rule: Any) -> bool:
    """Whether a rule reads a condition the durable translation has no form for (see ``skipped``)."""
    return any(isinstance(leaf, Happened)
               for cond in (rule.when, rule.require) if cond is not None for leaf in iter_leaves(cond))


def _reading_property(reading: str) -> str:
    return "reading__" + reading


def _below_property(pack: str) -> str:
    return "below__" + pack


def reference_context(pack: Pack) -> dict[str, Any]:
    """The slots the core evaluator reads readings and the jurisdiction from, as ``DurableBackend``
    sets them: the pack's own answers, applied for its own jurisdiction."""
    from ..conditions import BELOW_SLOT, READING_SLOT

    context: dict[str, Any] = {READING_SLOT + spec.id: spec.answer for spec in pack.readings.values()
                               if spec.answer is not None}
    context[BELOW_SLOT + pack.id] = False
    return context


def engines_for(packs: Iterable[Pack]) -> dict[str, DurableBackend]:
    """A backend per pack, by pack id."""
    return {pack.id: DurableBackend(pack) for pack in packs}

