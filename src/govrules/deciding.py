"""The decision procedure: the status of each rule from its scope, conditions, exceptions,
requirement and deadline — written once.

Every evaluator derives from it. ``evaluation`` runs it over a project's facts; ``batch`` runs
it over each distinct combination of condition values of a ledger; the all-completions rule
(issue 12 C2) runs it over the possible values of the facts a project left out; the explanation
of a decision renders the ``Outcome`` it returned and never decides again.

Logic is three-valued (True, False, None = unknown) with Kleene's connectives:

* a rule is *live* where its ``when`` holds and, for an exception, its base rule is live too
  (an exception only qualifies its base: "…的除外", "原则上…");
* an exception *lifts* its base where it fires, or — ``lifts: when_met``, a permission given on a
  condition ("需经…同意") — where it fires and its own requirement is met; an exception the
  project must establish (``burden: project``: "除特殊情况外", "上级有明确文件指定的除外") lifts
  only where the facts establish it, and where they are missing it is *not claimed* rather than
  unknown;
* a rule *fires* where it is live and no exception lifts it;
* the measure governs the project (scope) where an ``include`` rule fires and no ``exclude``
  rule does;
* a firing rule is ``satisfied``/``violated`` by its requirement, ``pending``/``overdue``/
  ``satisfied``/``violated`` by its deadline, or simply ``applies``; a live rule whose requirement
  is met is ``satisfied`` whatever its exceptions (they could only lift what is met anyway).

Where that leaves a decision open (``unknown``, or ``applies`` with the requirement open), every
completion of the missing condition values is tried: when all of them lead to the same status,
that is the decision and the missing facts are not needed (``Outcome.settled``).
"""

from __future__ import annotations

import datetime as _dt
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, cast

from .conditions import All, AnyOf, Compiled, Condition, Equals, Leaf, Not, OneOf
from .report import Status

if TYPE_CHECKING:
    from .codegen import GeneratedProcedure
    from .compiling import CompiledPack, CompiledRule
    from .vocabulary import Vocabulary

__all__ = ["COMPLETIONS_LIMIT", "DeadlineState", "Outcome", "Procedure", "Valuation", "evaluate_tree", "leaf_domain"]

#: At most this many completions of the missing values are tried for one decision; beyond, it stays open.
COMPLETIONS_LIMIT = 256


class DeadlineState(NamedTuple):
    """Where a deadline stands once its rule fires: status, due date, and whether the date is provisional."""

    status: Status
    due: _dt.date | None = None
    provisional: bool = False


class Outcome(NamedTuple):
    """What the procedure decided for one rule; explanations are rendered from it, never re-decided."""

    status: Status
    overridden_by: str | None = None  # the exception that lifted it
    unclaimed: tuple[str, ...] = ()  # exceptions the project must establish and has not (burden: project)
    due: _dt.date | None = None
    provisional: bool = False
    settled: bool = False  # decided by all completions: the missing facts cannot change it
    out_of_scope: bool = False  # not applicable because the measure does not govern the project
    requirement_open: bool = False  # applies, but whether its requirement is met is unknown


class Valuation(Protocol):
    """Where the procedure gets condition values and deadline states from."""

    def value(self, cond: Condition, compiled: Compiled) -> bool | None: ...

    def leaf(self, leaf: Leaf) -> bool | None: ...

    def deadline(self, rule: CompiledRule) -> DeadlineState | None: ...


class _VectorValuation(Valuation, Protocol):
    """A valuation for generated code (``Procedure.generated``): also the value of every leaf, by its
    slot (``GeneratedProcedure.slots``)."""

    def vector(self) -> Sequence[bool | None]: ...


_DEADLINE_DOMAIN = (Status.PENDING, Status.OVERDUE, Status.SATISFIED, Status.VIOLATED, Status.NOT_APPLICABLE)


def _and(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


class Procedure:
    """The decision procedure for one pack over one valuation. Memoizes as it goes; not shared between threads.

    ``claims`` fixes whether each ``burden: project`` exception lifts its base: completions and
    sensitivity runs keep the claims of the project as given, so a value tried for a missing fact
    never establishes an exception on the project's behalf.
    """

    __slots__ = ("_fired", "_lifts", "_live", "_outcomes", "_scope", "claims", "compiled", "generated", "valuation",
                 "vocab")

    def __init__(self, compiled: CompiledPack, valuation: Valuation, vocab: Vocabulary,
                 claims: Mapping[str, bool] | None = None, generated: GeneratedProcedure | None = None) -> None:
        self.compiled = compiled
        self.valuation = valuation
        self.vocab = vocab
        self.claims: Mapping[str, bool] = claims if claims is not None else {}
        # This procedure compiled (govrules.codegen): ``decide`` runs its generated code over the
        # valuation's leaf vector. Without it, every step runs as written here (the reference).
        self.generated = generated
        self._live: dict[str, bool | None] = {}
        self._fired: dict[str, bool | None] = {}
        self._lifts: dict[str, bool | None] = {}
        self._outcomes: dict[str, Outcome] = {}
        self._scope: tuple[bool | None, tuple[CompiledRule, ...]] | None = None

    # -- the pieces -----------------------------------------------------------------------------

    def when(self, rule: CompiledRule) -> bool | None:
        cond = rule.rule.when
        return True if cond is None else self.valuation.value(cond, rule.when)

    def require(self, rule: CompiledRule) -> bool | None:
        cond = rule.rule.require
        assert cond is not None and rule.require is not None
        return self.valuation.value(cond, rule.require)

    def live(self, rule: CompiledRule) -> bool | None:
        """Its ``when`` holds and, for an exception, so does its base's, up the whole chain."""
        key = rule.rule.id
        memo = self._live
        if key in memo:
            return memo[key]
        own = self.when(rule)
        base = rule.rule.exception_to
        if base is not None and own is not False:
            own = _and(own, self.live(self.compiled.by_id[base]))
        memo[key] = own
        return own

    def fired(self, rule: CompiledRule) -> bool | None:
        """Live, and no exception lifts it: live ∧ ¬(lifts(e1) ∨ lifts(e2) …)."""
        key = rule.rule.id
        memo = self._fired
        if key in memo:
            return memo[key]
        result = self.live(rule)
        if result is not False and rule.exceptions:
            by_id = self.compiled.by_id
            for exception in rule.exceptions:
                lifted = self.lifts(by_id[exception])
                if lifted is True:
                    result = False
                    break
                if lifted is None:
                    result = None
        memo[key] = result
        return result

    def raw_lifts(self, exception: CompiledRule) -> bool | None:
        """Whether ``exception`` lifts its base on the facts, before the burden of proof is applied."""
        value = self.fired(exception)
        if exception.rule.lifts == "when_met" and value is not False:
            value = _and(value, self.require(exception))
        return value

    def lifts(self, exception: CompiledRule) -> bool | None:
        key = exception.rule.id
        memo = self._lifts
        if key in memo:
            return memo[key]
        value: bool | None
        if exception.rule.burden == "project":
            claimed = self.claims.get(key)
            # Unclaimed (its facts missing) is not unknown: the project has not established it.
            value = claimed if claimed is not None else self.raw_lifts(exception) is True
        else:
            value = self.raw_lifts(exception)
        memo[key] = value
        return value

    def scope(self) -> tuple[bool | None, tuple[CompiledRule, ...]]:
        """Whether the measure governs the project, and the scope rules that settled it."""
        if self._scope is not None:
            return self._scope
        compiled = self.compiled
        result: tuple[bool | None, tuple[CompiledRule, ...]]
        if not compiled.excludes and not compiled.includes:
            result = (True, ())
        else:
            excluded = tuple(r for r in compiled.excludes if self.fired(r) is True)
            if excluded:
                result = (False, excluded)
            else:
                exclude_unknown = any(self.fired(r) is None for r in compiled.excludes)
                if not compiled.includes:
                    result = (None if exclude_unknown else True, ())
                else:
                    included = tuple(r for r in compiled.includes if self.fired(r) is True)
                    if included:
                        result = (None if exclude_unknown else True, included)
                    else:
                        include_unknown = any(self.fired(r) is None for r in compiled.includes)
                        result = (None if include_unknown or exclude_unknown else False, ())
        self._scope = result
        return result

    def governs(self) -> bool | None:
        """``scope()[0]``: whether the measure governs the project (by the generated code, when given)."""
        if self.generated is not None:
            return self.generated.scope(cast("_VectorValuation", self.valuation).vector(),
                                        self.generated.fixed(self.claims))
        return self.scope()[0]

    def unclaimed(self, rule: CompiledRule) -> tuple[str, ...]:
        """The exceptions of ``rule`` the project must establish and whose facts it left out."""
        if not rule.claimable:
            return ()
        by_id = self.compiled.by_id
        return tuple(e for e in rule.claimable
                     if e not in self.claims and self.raw_lifts(by_id[e]) is None)

    # -- one decision ---------------------------------------------------------------------------

    def decide(self, rule: CompiledRule) -> Outcome:
        """The three-valued decision of ``rule``, before completions."""
        if self.generated is not None:
            return self.generated.decide_rule(rule.rule.id, cast("_VectorValuation", self.valuation).vector(),
                                              self.valuation.deadline, self.claims)
        scoped = True if rule.is_scope else self.scope()[0]
        if scoped is False:
            return Outcome(Status.NOT_APPLICABLE, out_of_scope=True)
        unclaimed = self.unclaimed(rule) if rule.claimable else ()
        if (rule.require is not None and scoped is True and self.live(rule) is True
                and self.require(rule) is True):
            # Met: an exception could only lift a requirement the project meets anyway.
            return Outcome(Status.SATISFIED)
        fired = self.fired(rule)
        gate = _and(scoped, fired)
        if gate is False:
            overridden = None
            if rule.exceptions and self.live(rule) is not False:
                by_id = self.compiled.by_id
                overridden = next((e for e in rule.exceptions if self.lifts(by_id[e]) is True), None)
            return Outcome(Status.NOT_APPLICABLE, overridden_by=overridden)
        if gate is None:
            return Outcome(Status.UNKNOWN, unclaimed=unclaimed)
        if rule.rule.deadline is not None:
            state = self.valuation.deadline(rule)
            if state is None:
                return Outcome(Status.UNKNOWN, unclaimed=unclaimed)
            return Outcome(state.status, unclaimed=unclaimed, due=state.due, provisional=state.provisional)
        if rule.require is not None:
            met = self.require(rule)
            if met is None:
                return Outcome(Status.APPLIES, unclaimed=unclaimed, requirement_open=True)
            return Outcome(Status.SATISFIED if met else Status.VIOLATED, unclaimed=unclaimed)
        return Outcome(Status.APPLIES, unclaimed=unclaimed)

    def outcome(self, rule: CompiledRule) -> Outcome:
        """The decision of ``rule``; an open one is settled where every completion agrees (memoized)."""
        key = rule.rule.id
        found = self._outcomes.get(key)
        if found is None:
            found = self.decide(rule)
            if found.status is Status.UNKNOWN or found.requirement_open:
                found = self.complete(rule, found)
            self._outcomes[key] = found
        return found

    # -- all completions ------------------------------------------------------------------------

    def open_leaves(self, rule: CompiledRule) -> list[Leaf]:
        """The condition leaves this decision reads whose values are unknown (each distinct leaf once)."""
        if self.generated is not None:  # the same, read from the leaf vector by slot
            vector = cast("_VectorValuation", self.valuation).vector()
            found = [x for x, slot in self.generated.cones[rule.rule.id] if vector[slot] is None]
            if not rule.is_scope and self.governs() is None:
                found += [x for x, slot in self.generated.scope_cone if vector[slot] is None]
            return list(dict.fromkeys(found))
        leaf = self.valuation.leaf
        found = [x for x in rule.cone if leaf(x) is None]
        if not rule.is_scope and self.scope()[0] is None:
            found += [x for x in self.compiled.scope_cone if leaf(x) is None]
        return list(dict.fromkeys(found))

    def complete(self, rule: CompiledRule, found: Outcome) -> Outcome:
        """Try every completion of the open values; if all agree on one status, that is the decision."""
        leaves = self.open_leaves(rule)
        open_deadline = rule.rule.deadline is not None and self.valuation.deadline(rule) is None
        if not leaves and not open_deadline:
            return found
        trials = _completions(leaves, self.vocab, open_deadline, self.compiled.canonical)
        if trials is None:  # more than COMPLETIONS_LIMIT
            return found
        claims = {e: self.lifts(self.compiled.by_id[e]) is True for e in self.compiled.burdened}
        canonical = self.compiled.canonical
        agreed: Outcome | None = None
        for assigned, deadline in trials:
            valuation = _Completed(self.valuation, assigned, rule.rule.id, deadline, canonical, self.generated)
            outcome = Procedure(self.compiled, valuation, self.vocab, claims, self.generated).decide(rule)
            if agreed is None:
                agreed = outcome
            elif (outcome.status is not agreed.status or outcome.overridden_by != agreed.overridden_by
                  or outcome.out_of_scope != agreed.out_of_scope):
                return found
        assert agreed is not None
        if agreed.status is Status.UNKNOWN or agreed.requirement_open:
            return found
        return agreed._replace(settled=True, unclaimed=found.unclaimed, due=None, provisional=False) \
            if open_deadline else agreed._replace(settled=True, unclaimed=found.unclaimed)

    # -- what a decision rests on ----------------------------------------------------------------

    def changed(self, assigned: Mapping[Leaf, bool]) -> Procedure:
        """The procedure over this valuation with the leaves ``assigned`` changed (and every leaf
        equal to one of them); the claims of exceptions the project must establish stay as the facts
        make them."""
        claims = {e: self.lifts(self.compiled.by_id[e]) is True for e in self.compiled.burdened}
        canonical = self.compiled.canonical
        by_id = {canonical.get(id(x), id(x)): value for x, value in assigned.items()}
        return Procedure(self.compiled, _Completed(self.valuation, by_id, None, None, canonical, self.generated),
                         self.vocab, claims, self.generated)

    def rests_on(self, rule: CompiledRule, base: Outcome, leaves: Sequence[Leaf],
                 flips: Callable[[Leaf], Iterator[Procedure]]) -> tuple[Leaf, ...]:
        """The ``leaves`` (known values) whose change would change this decision's status.

        ``flips(leaf)`` gives the procedures with that leaf changed (shared between the decisions of
        one evaluation). A leaf only the scope reads can change a decision only through the scope:
        where the changed scope is the same, nothing else is run.
        """
        decisive = []
        own = set(map(id, rule.cone))
        scope = self.governs()
        for x in leaves:
            for changed in flips(x):
                if not rule.is_scope and id(x) not in own and changed.governs() == scope:
                    continue
                if changed.outcome(rule).status is not base.status:
                    decisive.append(x)
                    break
        return tuple(decisive)


def leaf_domain(leaf: Leaf, vocab: Vocabulary) -> tuple[str, tuple[Any, ...]]:
    """How an open leaf is completed: ``(fact, its values)`` for a test of an enum or boolean fact
    (every leaf on that fact takes the same value, so the completions stay consistent), or
    ``("", (True, False))`` for any other leaf (a comparison, an act's occurrence, a reading the
    pack leaves open), completed on its own."""
    if isinstance(leaf, (Equals, OneOf)):
        fact = vocab.get(leaf.fact)
        if fact is not None and fact.values:
            return leaf.fact, tuple(fact.values)
        if fact is not None and fact.type.value == "boolean":
            return leaf.fact, (True, False)
    return "", (True, False)


_Choice = tuple[tuple[Leaf, ...], tuple[Any, ...], bool]  # leaves, domain, completed by the fact's values


def _choices(leaves: Sequence[Leaf], vocab: Vocabulary) -> list[_Choice]:
    """Group the open leaves: those on one enum or boolean fact together, every other on its own."""
    grouped: dict[str, list[Leaf]] = {}
    domains: dict[str, tuple[Any, ...]] = {}
    choices: list[_Choice] = []
    for leaf in leaves:
        key, domain = leaf_domain(leaf, vocab)
        if key:
            grouped.setdefault(key, []).append(leaf)
            domains[key] = domain
        else:
            choices.append(((leaf,), domain, False))
    choices.extend((tuple(group), domains[key], True) for key, group in grouped.items())
    return choices


_Trial = tuple[Mapping[int, bool], "DeadlineState | None"]  # leaf values by canonical id; the deadline state tried
_TRIALS: dict[tuple[int, ...], tuple[Vocabulary, Mapping[int, int], tuple[Leaf, ...], tuple[_Trial, ...] | None]] = {}


def _completions(leaves: Sequence[Leaf], vocab: Vocabulary, open_deadline: bool,
                 canonical: Mapping[int, int]) -> tuple[_Trial, ...] | None:
    """Every completion of the open ``leaves`` (and of an open deadline): the leaf values it assigns,
    by the id of each leaf's canonical node, and the deadline state it tries; None when there are
    more than ``COMPLETIONS_LIMIT``. They depend only on which leaves are open, so they are
    memoized by the leaves' identity (the leaves live as long as the pack; the values are read-only)."""
    key = (id(vocab), id(canonical), int(open_deadline), *map(id, leaves))
    entry = _TRIALS.get(key)
    if entry is not None and entry[0] is vocab and entry[1] is canonical and len(entry[2]) == len(leaves) and all(
            a is b for a, b in zip(entry[2], leaves)):
        return entry[3]
    choices = _choices(leaves, vocab)
    if open_deadline:
        choices.append(((), _DEADLINE_DOMAIN, False))
    size = 1
    for _, domain, _ in choices:
        size *= len(domain)
    trials: tuple[_Trial, ...] | None = None
    if size <= COMPLETIONS_LIMIT:
        made: list[_Trial] = []
        for combination in itertools.product(*(domain for _, domain, _ in choices)):
            assigned: dict[int, bool] = {}
            deadline: DeadlineState | None = None
            for (group, _, by_fact), value in zip(choices, combination, strict=True):
                if isinstance(value, Status):
                    deadline = DeadlineState(value)
                    continue
                for x in group:
                    assigned[canonical.get(id(x), id(x))] = _leaf_given(x, value, by_fact)
            made.append((MappingProxyType(assigned), deadline))
        trials = tuple(made)
    if len(_TRIALS) >= 4096:
        _TRIALS.clear()
    _TRIALS[key] = (vocab, canonical, tuple(leaves), trials)
    return trials


def _leaf_given(leaf: Leaf, value: Any, by_fact: bool) -> bool:
    """The value of ``leaf`` when its fact takes ``value`` (``by_fact``), or ``value`` itself."""
    if not by_fact:
        return bool(value)
    if isinstance(leaf, OneOf):
        return value in leaf.values
    assert isinstance(leaf, Equals)
    return bool(leaf.value == value)


def evaluate_tree(cond: Condition, leaf: Callable[[Leaf], bool | None]) -> bool | None:
    """``cond``'s three-valued value from the values of its leaves (Kleene's and, or, not)."""
    if isinstance(cond, All):
        result: bool | None = True
        for item in cond.items:
            value = evaluate_tree(item, leaf)
            if value is False:
                return False
            if value is None:
                result = None
        return result
    if isinstance(cond, AnyOf):
        result = False
        for item in cond.items:
            value = evaluate_tree(item, leaf)
            if value is True:
                return True
            if value is None:
                result = None
        return result
    if isinstance(cond, Not):
        value = evaluate_tree(cond.item, leaf)
        return None if value is None else not value
    return leaf(cond)


class _Completed:
    """A valuation with some leaf values (and perhaps one deadline state) filled in or changed."""

    __slots__ = ("_vector", "assigned", "base", "canonical", "deadline_rule", "deadline_state", "generated")

    def __init__(self, base: Valuation, assigned: Mapping[int, bool], deadline_rule: str | None,
                 deadline_state: DeadlineState | None, canonical: Mapping[int, int],
                 generated: GeneratedProcedure | None = None) -> None:
        self.base = base
        self.assigned = assigned  # by the id of the leaf's canonical node (CompiledPack.canonical)
        self.deadline_rule = deadline_rule
        self.deadline_state = deadline_state
        self.canonical = canonical
        self.generated = generated
        self._vector: list[bool | None] | None = None

    def vector(self) -> list[bool | None]:
        """The base valuation's leaf vector with the assigned leaves changed (generated code reads it)."""
        if self._vector is None:
            assert self.generated is not None
            vector = list(cast("_VectorValuation", self.base).vector())
            slots = self.generated.slots
            for key, value in self.assigned.items():
                slot = slots.get(key)
                if slot is not None:
                    vector[slot] = value
            self._vector = vector
        return self._vector

    def leaf(self, leaf: Leaf) -> bool | None:
        key = id(leaf)
        value = self.assigned.get(self.canonical.get(key, key), _UNSET)
        return self.base.leaf(leaf) if value is _UNSET else value  # type: ignore[return-value]

    def value(self, cond: Condition, compiled: Compiled) -> bool | None:
        return evaluate_tree(cond, self.leaf)

    def deadline(self, rule: CompiledRule) -> DeadlineState | None:
        if self.deadline_state is not None and rule.rule.id == self.deadline_rule:
            return self.deadline_state
        return self.base.deadline(rule)


_UNSET = object()
