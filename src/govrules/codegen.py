"""The decision procedure compiled to Python, per pack (issue 16, "The decision on generated code").

``deciding.Procedure`` is the reference: it walks a pack's rules each time it decides. This module
writes, once per pack *structure*, a Python function that takes the same steps in the same order
as straight-line code — the condition trees (Kleene's and/or/not over the leaves), ``live`` up the
exception chain, ``lifts`` (``burden: project``, ``lifts: when_met``), ``fired``, the scope, the
unclaimed exceptions and ``decide`` for every rule — and returns the ``Outcome`` of each rule before
completions. Open outcomes are completed as the reference completes them (see ``GeneratedProcedure``).

The one rule for generated code: its text depends only on the validated structure of the pack —
which operators, which nesting, which fact slot, which exception qualifies which rule — and never
holds a string or number of a pack or of a project. Every value (fact names, literals, rule ids,
the calendar's date arithmetic, the outcome objects) reaches it through constant tables passed as
arguments, indexed by position. Equal tests of different rules are one test, and a fact read by
several tests is read once: that sharing follows the pack's structure too (equal nodes stay equal
under any one-to-one renaming of its values). tests/test_codegen.py mutates every string and
number of every pack and checks that the source is byte-identical, and checks that the generated
code and the reference agree on the case corpora and on hypothesis projects.

``govrules compile --show PACK`` prints the source for review. Nothing is written to disk.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .conditions import (All, AnyOf, AppliedFor, Compare, Condition, Equals, FactRef, Happened, Known, Leaf, Literal,
                         Not, OneOf, Reading, Relation, iter_leaves)
from .deciding import DeadlineState, Outcome
from .report import Status
from .vocabulary import NOT_HAPPENED

if TYPE_CHECKING:
    from .calendar import Calendar
    from .compiling import CompiledPack, CompiledRule

__all__ = ["GeneratedProcedure", "generate", "generated", "source_of"]

_OPERATORS: Mapping[Relation, str] = {
    Relation.GE: ">=", Relation.GT: ">", Relation.LE: "<=", Relation.LT: "<", Relation.EQ: "==", Relation.NE: "!=",
}

# Outcomes that carry no value of the pack: the first entries of every pack's outcome table.
_FIXED = (
    Outcome(Status.NOT_APPLICABLE, out_of_scope=True),  # K[0]
    Outcome(Status.SATISFIED),  # K[1]
    Outcome(Status.VIOLATED),  # K[2]
    Outcome(Status.APPLIES),  # K[3]
    Outcome(Status.NOT_APPLICABLE),  # K[4]
    Outcome(Status.UNKNOWN),  # K[5]
    Outcome(Status.APPLIES, requirement_open=True),  # K[6]
)
_OUT, _SAT, _VIO, _APP, _NA, _UNK, _OPEN = (f"K[{i}]" for i in range(len(_FIXED)))
_WORD = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


class _Writer:
    """Writes the source of one pack's procedure and collects its constant tables."""

    def __init__(self, compiled: CompiledPack, calendar: Calendar) -> None:
        self.compiled = compiled
        self.names: list[str] = []  # N: the fact slots read, by first appearance
        self.values: list[Any] = []  # V: every constant a test compares with, by leaf position
        self.outcomes: list[Outcome] = list(_FIXED)  # K
        self.fact_index: dict[str, int] = {}
        self.leaf_index: dict[int, int] = {}  # id(canonical leaf) → its local
        self.reads: list[str] = []  # lines reading facts and testing leaves
        self.lines: list[str] = []  # lines deciding
        self.entries: list[tuple[str, str]] = []  # (local defined, its lines): for one rule's slice
        self.slots_read: dict[str, tuple[int, ...]] = {}  # sliced function → the leaf slots it reads
        self.temp = 0
        self.computed: dict[str, str] = {}  # expression → the local holding it
        self.span_end = calendar.span_end
        self.index = {rule.rule.id: i for i, rule in enumerate(compiled.rules)}

    # -- leaves: the only place facts are read --------------------------------------------------

    def fact(self, name: str) -> str:
        slot = self.fact_index.get(name)
        if slot is None:
            slot = self.fact_index[name] = len(self.names)
            self.names.append(name)
            self.reads.append(f"    f{slot} = g(N[{slot}])")
        return f"f{slot}"

    def constant(self, value: Any) -> str:
        self.values.append(value)
        return f"V[{len(self.values) - 1}]"

    def leaf(self, leaf: Leaf) -> str:
        canonical = self.compiled.canonical.get(id(leaf), id(leaf))
        found = self.leaf_index.get(canonical)
        if found is not None:
            return f"x{found}"
        number = self.leaf_index[canonical] = len(self.leaf_index)
        name = f"x{number}"
        self.reads.append(f"    {name} = {self.test(leaf)}")
        return name

    def test(self, leaf: Leaf) -> str:
        """The three-valued test of ``leaf`` as an expression, as ``conditions.compile_condition`` decides it."""
        if isinstance(leaf, Compare):
            a = self.fact(leaf.fact)
            op = _OPERATORS[leaf.relation]
            if isinstance(leaf.value, Literal):
                return f"None if {a} is None else {a} {op} {self.constant(leaf.value.value)}"
            assert isinstance(leaf.value, FactRef)
            b = self.fact(leaf.value.fact)
            if leaf.value.times is not None:
                b = self.local(f"None if {b} is None else {b} * {self.constant(leaf.value.times)}")
            if leaf.value.plus is not None:
                # an act that did not happen has no date to count from: it stays NOT_HAPPENED (compares false)
                b = self.local(f"{b} if {b} is None or {b} is NH else SPAN({b}, {self.constant(leaf.value.plus)})")
            return f"None if {a} is None or {b} is None else {a} {op} {b}"
        if isinstance(leaf, Equals):
            a = self.fact(leaf.fact)
            return f"None if {a} is None else {a} == {self.constant(leaf.value)}"
        if isinstance(leaf, (OneOf, Reading)):
            a = self.fact(leaf.fact)
            return f"None if {a} is None else {a} in {self.constant(frozenset(leaf.values))}"
        if isinstance(leaf, Known):
            return f"({self.fact(leaf.fact)} is not None) is {self.constant(leaf.known)}"
        if isinstance(leaf, Happened):
            a = self.fact(leaf.fact)
            return f"None if {a} is None else ({a} is not NH) is {self.constant(leaf.happened)}"
        if isinstance(leaf, AppliedFor):
            a = self.fact(leaf.fact)
            return f"None if {a} is None else {a} is {self.constant(leaf.below)}"
        raise TypeError(f"no code for the condition {type(leaf).__name__}")

    def local(self, expression: str) -> str:
        self.temp += 1
        name = f"y{self.temp}"
        self.reads.append(f"    {name} = {expression}")
        return name

    # -- conditions: Kleene's connectives over the leaves (deciding.evaluate_tree) ----------------

    def condition(self, cond: Condition) -> str:
        if isinstance(cond, (All, AnyOf)):
            parts = [self.condition(item) for item in cond.items]
            if len(parts) == 1:
                return parts[0]
            wins, loses = ("False", "True") if isinstance(cond, All) else ("True", "False")
            first = " or ".join(f"{p} is {wins}" for p in parts)
            unknown = " or ".join(f"{p} is None" for p in parts)
            return self.emit(f"{wins} if {first} else (None if {unknown} else {loses})")
        if isinstance(cond, Not):
            inner = self.condition(cond.item)
            return self.emit(f"None if {inner} is None else not {inner}")
        return self.leaf_ref(cond)

    def leaf_ref(self, leaf: Leaf) -> str:
        canonical = self.compiled.canonical.get(id(leaf), id(leaf))
        return f"x{self.leaf_index[canonical]}"

    def emit(self, expression: str, name: str | None = None) -> str:
        if name is None:
            # An expression already computed (the same sub-condition of another rule) is reused.
            found = self.computed.get(expression)
            if found is not None:
                return found
            self.temp += 1
            name = self.computed[expression] = f"t{self.temp}"
        self.lines.append(f"    {name} = {expression}")
        self.entries.append((name, self.lines[-1]))
        return name

    # -- the procedure, step by step --------------------------------------------------------------

    def write(self) -> str:
        compiled = self.compiled
        rules = compiled.rules
        for rule in rules:  # every leaf, in the order the rules read them
            for cond in (rule.rule.when, rule.rule.require):
                if cond is not None:
                    for leaf in iter_leaves(cond):
                        self.leaf(leaf)
        when: dict[int, str] = {}
        require: dict[int, str] = {}
        for i, rule in enumerate(rules):
            when[i] = "True" if rule.rule.when is None else self.condition(rule.rule.when)
            if rule.rule.require is not None:
                require[i] = self.condition(rule.rule.require)
        live: dict[int, str] = {}
        fired: dict[int, str] = {}
        raw: dict[int, str] = {}
        lifts: dict[int, str] = {}
        burdened = {self.index[e]: b for b, e in enumerate(compiled.burdened)}

        def live_of(i: int) -> str:  # Procedure.live
            if i not in live:
                base = rules[i].rule.exception_to
                if base is None:
                    live[i] = self.emit(when[i], f"live{i}") if when[i] == "True" else when[i]
                else:
                    b, w = live_of(self.index[base]), when[i]
                    live[i] = self.emit(f"{w} if {w} is False else (False if {b} is False else "
                                        f"(None if {w} is None or {b} is None else True))", f"live{i}")
            return live[i]

        def fired_of(i: int) -> str:  # Procedure.fired
            if i not in fired:
                own = live_of(i)
                exceptions = [lifts_of(self.index[e]) for e in rules[i].exceptions]
                if not exceptions:
                    fired[i] = own
                else:
                    lifted = " or ".join(f"{x} is True" for x in exceptions)
                    unknown = " or ".join(f"{x} is None" for x in exceptions)
                    fired[i] = self.emit(f"False if {own} is False or {lifted} else "
                                         f"(None if {unknown} else {own})", f"fired{i}")
            return fired[i]

        def lifts_of(i: int) -> str:  # Procedure.raw_lifts and Procedure.lifts
            if i not in lifts:
                value = fired_of(i)
                if rules[i].rule.lifts == "when_met":
                    met = require[i]
                    value = self.emit(f"False if {value} is False or {met} is False else "
                                      f"(None if {value} is None or {met} is None else True)")
                raw[i] = value
                if i in burdened:  # unclaimed (its facts missing) is not unknown: not established
                    b = burdened[i]
                    lifts[i] = self.emit(f"({value} is True) if C is None or C[{b}] is None else C[{b}]", f"lifts{i}")
                else:
                    lifts[i] = value
            return lifts[i]

        for i in range(len(rules)):
            fired_of(i)
        scope = self.scope(fired)
        outcomes = [self.decide(i, rules[i], scope, live_of(i), fired_of(i), require.get(i),
                                [(self.index[e], lifts_of(self.index[e])) for e in rules[i].exceptions],
                                [raw[self.index[e]] for e in rules[i].claimable])
                    for i in range(len(rules))]
        body_reads = "\n".join(self.reads) or "    pass"
        body = "\n".join(self.lines)
        returned = "(" + "".join(f"{o}, " for o in outcomes) + "), opened"
        leaves = ", ".join(f"x{n}" for n in range(len(self.leaf_index)))
        unpack = f"    {leaves}, = L\n" if leaves else ""
        single = "".join(self.one_rule(i, o) for i, o in enumerate(outcomes))
        return (
            "# Generated by govrules.codegen from the structure of one pack: no value of the pack is in it.\n"
            "# N: fact slots read; V: constants tested; K: outcomes; R: compiled rules; SPAN: date arithmetic.\n"
            "\n"
            "def leaves(g):\n"
            f"{body_reads}\n"
            f"    return [{leaves}]\n"
            "\n"
            "def decide(L, D, C=None):\n"
            f"{unpack}    opened = False\n{body}\n"
            f"    return {returned}\n"
            "\n"
            "def run(g, D):\n"
            f"{body_reads}\n"
            "    C = None\n"
            "    opened = False\n"
            f"{body}\n"
            f"    return {returned}\n"
            "\n"
            "# One rule's decision alone, from a leaf vector: what completions and sensitivity runs ask.\n"
            f"{single}"
            "RULES = (" + "".join(f"rule_{i}, " for i in range(len(outcomes))) + ")\n"
            "\n"
            f"{self.slice('scope_of', scope)}"
        )

    def one_rule(self, i: int, out: str) -> str:
        return self.slice(f"rule_{i}", out) + "\n"

    def slice(self, function: str, out: str) -> str:
        """``decide`` sliced to what the local ``out`` reads (a backward slice of the body)."""
        defined = {name for name, _ in self.entries}
        needed = {out}
        kept: list[str] = []
        leaves: set[int] = set()
        for name, text in reversed(self.entries):
            if name not in needed:
                continue
            kept.append(text)
            for word in _WORD.findall(text):
                if word in defined:
                    needed.add(word)
                elif word[0] == "x" and word[1:].isdigit():
                    leaves.add(int(word[1:]))
        self.slots_read[function] = tuple(sorted(leaves))
        reads = "".join(f"    x{n} = L[{n}]\n" for n in sorted(leaves))
        body = "".join(text + "\n" for text in reversed(kept))
        return f"def {function}(L, D=None, C=None):\n{reads}{body}    return {out}\n"

    def scope(self, fired: Mapping[int, str]) -> str:
        """Procedure.scope, its first element: whether the measure governs the project."""
        compiled = self.compiled
        if not compiled.excludes and not compiled.includes:
            return "True"
        ex = [fired[self.index[r.rule.id]] for r in compiled.excludes]
        inc = [fired[self.index[r.rule.id]] for r in compiled.includes]
        ex_true = " or ".join(f"{x} is True" for x in ex) or "False"
        ex_none = " or ".join(f"{x} is None" for x in ex) or "False"
        if not inc:
            return self.emit(f"False if {ex_true} else (None if {ex_none} else True)", "scope")
        inc_true = " or ".join(f"{x} is True" for x in inc)
        inc_none = " or ".join(f"{x} is None" for x in inc)
        return self.emit(f"False if {ex_true} else (None if {ex_none} else (True if {inc_true} else "
                         f"(None if {inc_none} else False)))", "scope")

    def outcome(self, value: Outcome) -> str:
        self.outcomes.append(value)
        return f"K[{len(self.outcomes) - 1}]"

    def decide(self, i: int, rule: CompiledRule, scope: str, live: str, fired: str, require: str | None,
               exceptions: list[tuple[int, str]], claimable_raw: list[str]) -> str:
        """Procedure.decide for rule ``i``, as an if/elif chain assigning ``o{i}``."""
        out = f"o{i}"
        lines = self.lines
        scoped = "True" if rule.is_scope else scope
        if claimable_raw:  # Procedure.unclaimed: those whose facts leave them open and whose claim is not fixed
            burdened = {e: b for b, e in enumerate(self.compiled.burdened)}
            triples = ", ".join(f"(I[{self.index[e]}], {r}, {burdened[e]})" for e, r in
                                zip(rule.claimable, claimable_raw, strict=True))
            unclaimed = self.emit(f"tuple(e for e, r, b in ({triples},) if r is None and (C is None or C[b] is None))")
        else:
            unclaimed = None

        def with_unclaimed(fixed: str, status: str, requirement_open: bool = False) -> str:
            if unclaimed is None:
                return fixed
            return (f"{fixed} if not {unclaimed} else OC({status}, None, {unclaimed}"
                    + (", None, False, False, False, True)" if requirement_open else ")"))

        branches: list[tuple[str, list[str]]] = []
        if scoped != "True":
            branches.append((f"{scoped} is False", [f"{out} = {_OUT}"]))
        if require is not None:
            met = ([f"{scoped} is True"] if scoped != "True" else []) + [f"{live} is True", f"{require} is True"]
            branches.append((" and ".join(met), [f"{out} = {_SAT}"]))
        gate = fired if scoped == "True" else \
            f"False if {scoped} is False or {fired} is False else (None if {scoped} is None or {fired} is None else True)"
        rest = [f"gate = {gate}", "if gate is False:"]
        if exceptions:
            rest.append(f"    if {live} is False:\n        {out} = {_NA}")
            for e, lifted in exceptions:
                winner = self.outcome(Outcome(Status.NOT_APPLICABLE, overridden_by=self.compiled.rules[e].rule.id))
                rest.append(f"    elif {lifted} is True:\n        {out} = {winner}")
            rest.append(f"    else:\n        {out} = {_NA}")
        else:
            rest.append(f"    {out} = {_NA}")
        rest.append(f"elif gate is None:\n    {out} = {with_unclaimed(_UNK, 'UNK')}\n    opened = True")
        if rule.rule.deadline is not None:
            rest.append(f"else:\n    s = D(R[{i}])\n    if s is None:\n"
                        f"        {out} = {with_unclaimed(_UNK, 'UNK')}\n        opened = True\n"
                        f"    else:\n        {out} = OC(s.status, None, {unclaimed or '()'}, s.due, s.provisional)")
        elif require is not None:
            rest.append(f"elif {require} is None:\n    {out} = {with_unclaimed(_OPEN, 'APP', True)}\n    opened = True\n"
                        f"elif {require}:\n    {out} = {with_unclaimed(_SAT, 'SAT')}\n"
                        f"else:\n    {out} = {with_unclaimed(_VIO, 'VIO')}")
        else:
            rest.append(f"else:\n    {out} = {with_unclaimed(_APP, 'APP')}")
        chunk: list[str] = []
        if branches:
            for n, (test, block) in enumerate(branches):
                chunk.append(("    if " if n == 0 else "    elif ") + test + ":")
                chunk.extend(_indent(block, 8))
            chunk.append("    else:")
            chunk.extend(_indent(rest, 8))
        else:
            chunk.extend(_indent(rest, 4))
        lines.extend(chunk)
        self.entries.append((out, "\n".join(chunk)))
        return out



def _indent(block: list[str], width: int) -> list[str]:
    pad = " " * width
    return [pad + line for text in block for line in text.split("\n")]


@dataclass(frozen=True)
class GeneratedProcedure:
    """One pack's procedure as generated code, with its constant tables bound.

    ``run(facts_get, deadline)`` decides every rule of the pack from a project's facts; ``decide(leaves,
    deadline, claims)`` from a vector of leaf values (``leaves(facts_get)`` computes it; batch builds
    one per combination of leaf columns). Both return the ``Outcome`` per rule, in the pack's order,
    as ``Procedure.decide`` would, and whether any of them is open: ``UNKNOWN`` or
    ``requirement_open`` ones still have to be completed (``needs_completion``), which the caller
    does with the reference ``Procedure``.
    """

    source: str
    rule_ids: tuple[str, ...]
    leaf_nodes: tuple[Leaf, ...]  # one per slot of the leaf vector: the first node of each equal test
    slots: Mapping[int, int]  # id of a leaf's canonical node (CompiledPack.canonical) → its slot
    index: Mapping[str, int]  # rule id → its position
    burdened: tuple[str, ...]  # the order of the claims ``C``: CompiledPack.burdened
    leaves: Callable[[Callable[[str], Any]], list[bool | None]]
    decide: Callable[..., tuple[tuple[Outcome, ...], bool]]
    run: Callable[[Callable[[str], Any], Callable[[CompiledRule], DeadlineState | None]],
                  tuple[tuple[Outcome, ...], bool]]
    rules: tuple[Callable[..., Outcome], ...]  # per rule, ``decide`` sliced to what its outcome reads
    cones: Mapping[str, tuple[tuple[Leaf, int], ...]]  # rule id → CompiledRule.cone, each leaf with its slot
    scope_cone: tuple[tuple[Leaf, int], ...]  # CompiledPack.scope_cone, each leaf with its slot
    scope_of: Callable[..., bool | None]  # decide sliced to the scope
    # Per rule, the leaf slots its slice reads and those its completions may try (its cone, and the
    # scope's for a rule that is not a scope rule): with its deadline state (and no claims fixed),
    # their values decide its outcome, completions included.
    reads: tuple[tuple[int, ...], ...] = ()
    last_claims: list[Any] = field(default_factory=lambda: [None], compare=False, repr=False)

    def vector(self, facts_get: Callable[[str], Any]) -> list[bool | None]:
        """The leaf vector of a project's facts."""
        return self.leaves(facts_get)

    def scope(self, vector: Sequence[bool | None], claims: tuple[bool | None, ...] | None) -> bool | None:
        """``Procedure.scope()[0]`` over a leaf vector."""
        return self.scope_of(vector, claims)

    def fixed(self, claims: Mapping[str, bool] | None) -> tuple[bool | None, ...] | None:
        """The claims ``C`` the generated code reads: per burdened exception, the one fixed or None.
        (The completions of one decision share one mapping: the last one's tuple is kept, with it.)"""
        if not claims:
            return None
        last = self.last_claims[0]
        if last is not None and last[0] is claims:
            return last[1]  # type: ignore[no-any-return]
        found = tuple(claims.get(e) for e in self.burdened)
        self.last_claims[0] = (claims, found)  # one object, so a reader in another thread sees a whole pair
        return found

    def decide_rule(self, rule: str, vector: Sequence[bool | None],
                    deadline: Callable[[CompiledRule], DeadlineState | None],
                    claims: Mapping[str, bool] | None) -> Outcome:
        """``Procedure.decide`` of one rule over a leaf vector (claims: those fixed, by exception id)."""
        return self.rules[self.index[rule]](vector, deadline, self.fixed(claims))


def needs_completion(outcome: Outcome) -> bool:
    """Whether the reference would try every completion of the missing values for this outcome."""
    return outcome.status is Status.UNKNOWN or outcome.requirement_open


_CODE_LOCK = threading.Lock()
_CODE: dict[str, Any] = {}  # source → code object: packs of one structure share it
_GENERATED: dict[int, tuple[CompiledPack, Calendar, GeneratedProcedure]] = {}
_LIMIT = 1024


def generate(compiled: CompiledPack, calendar: Calendar) -> GeneratedProcedure:
    """Write and compile the procedure of ``compiled`` (no cache: see ``generated``)."""
    writer = _Writer(compiled, calendar)
    source = writer.write()
    with _CODE_LOCK:
        code = _CODE.get(source)
        if code is None:
            # The text depends only on the pack's structure (tests/test_codegen.py), never on its values.
            code = compile(source, f"<govrules generated procedure of {len(compiled.rules)} rules>", "exec")
            if len(_CODE) >= _LIMIT:
                _CODE.clear()
            _CODE[source] = code
    by_canonical: dict[int, Leaf] = {}
    for rule in compiled.rules:
        for cond in (rule.rule.when, rule.rule.require):
            if cond is not None:
                for leaf in iter_leaves(cond):
                    by_canonical.setdefault(compiled.canonical.get(id(leaf), id(leaf)), leaf)
    nodes = tuple(by_canonical[c] for c, _ in sorted(writer.leaf_index.items(), key=lambda item: item[1]))

    def slotted(leaves: Sequence[Leaf]) -> tuple[tuple[Leaf, int], ...]:
        return tuple((x, writer.leaf_index[compiled.canonical.get(id(x), id(x))]) for x in leaves)

    namespace: dict[str, Any] = {
        "__builtins__": {"tuple": tuple},
        "N": tuple(writer.names), "V": tuple(writer.values), "K": tuple(writer.outcomes),
        "R": compiled.rules, "I": tuple(rule.rule.id for rule in compiled.rules), "SPAN": writer.span_end,
        "NH": NOT_HAPPENED, "OC": Outcome,
        "UNK": Status.UNKNOWN, "APP": Status.APPLIES, "SAT": Status.SATISFIED, "VIO": Status.VIOLATED,
    }
    exec(code, namespace)  # noqa: S102 - structure-only text, values in the tables above
    return GeneratedProcedure(source, namespace["I"], nodes, MappingProxyType(dict(writer.leaf_index)),
                              MappingProxyType({rule: i for i, rule in enumerate(namespace["I"])}),
                              tuple(compiled.burdened), namespace["leaves"], namespace["decide"], namespace["run"],
                              namespace["RULES"],
                              MappingProxyType({rule.rule.id: slotted(rule.cone) for rule in compiled.rules}),
                              slotted(compiled.scope_cone), namespace["scope_of"],
                              tuple(_decisive(writer.slots_read[f"rule_{i}"], slotted(rule.cone),
                                              () if rule.is_scope else slotted(compiled.scope_cone))
                                    for i, rule in enumerate(compiled.rules)))


def _decisive(read: tuple[int, ...], cone: tuple[tuple[Leaf, int], ...],
              scope: tuple[tuple[Leaf, int], ...]) -> tuple[int, ...]:
    return tuple(sorted(set(read) | {slot for _, slot in cone} | {slot for _, slot in scope}))


def generated(compiled: CompiledPack, calendar: Calendar) -> GeneratedProcedure:
    """``generate``, cached in memory per compiled pack and calendar (thread-safe; bounded)."""
    key = id(compiled)
    entry = _GENERATED.get(key)
    if entry is not None and entry[0] is compiled and entry[1] is calendar:
        return entry[2]
    made = generate(compiled, calendar)
    with _CODE_LOCK:
        if len(_GENERATED) >= _LIMIT:
            _GENERATED.clear()
        _GENERATED[key] = (compiled, calendar, made)
    return made


def source_of(compiled: CompiledPack, calendar: Calendar) -> str:
    """The generated source of ``compiled``'s procedure, for review (``govrules compile --show``)."""
    return _Writer(compiled, calendar).write()
