"""Compiling a validated ``Pack`` into closures the evaluator calls per project.

The compiled form is derived entirely from the pack model; it adds speed, not meaning. Other
backends (a vectorized batch evaluator, a durable-rules translation) derive from the same model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .calendar import Calendar
from .conditions import Compare, Compiled, Leaf, Literal, Reading, compile_condition, facts_used, iter_leaves
from .model import Pack, Rule, RuleKind

__all__ = ["CompiledPack", "CompiledRule", "compile_pack"]


def _always(facts: Mapping[str, object]) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule with its conditions compiled and its exceptions resolved to compiled rules' ids."""

    rule: Rule
    when: Compiled
    require: Compiled | None
    exceptions: tuple[str, ...]
    facts: tuple[str, ...]  # the rule's own facts and its exceptions', reported in its decision
    # The decision fields that do not depend on the project, in ``report.Decision``'s layout, so
    # the evaluator builds a decision with one tuple concatenation.
    head: tuple[Any, ...] = ()
    is_scope: bool = False
    # Spelled out at once (a rule computing a score): ``_Evaluation.fast_run`` renders it immediately.
    eager: bool = False
    # The condition leaves its decision reads, besides the scope's: its own conditions, the chain of
    # rules it qualifies, and its exceptions' (but not those the project must establish, whose
    # claims are fixed by the facts as given). Completions and "rests on" look no further.
    cone: tuple[Leaf, ...] = ()
    # Its exceptions with ``burden: project``.
    claimable: tuple[str, ...] = ()
    # The leaves of ``cone`` a decision can rest on: a comparison with a local parameter or with a
    # score computed from local parameters, and a reading.
    sensitive: tuple[Leaf, ...] = ()


@dataclass(frozen=True, slots=True)
class CompiledPack:
    """A pack ready to evaluate: its rules compiled, scope rules split out, exceptions indexed."""

    pack: Pack
    rules: tuple[CompiledRule, ...]
    by_id: Mapping[str, CompiledRule]
    includes: tuple[CompiledRule, ...]
    excludes: tuple[CompiledRule, ...]
    scoring: tuple[CompiledRule, ...] = ()
    scope_cone: tuple[Leaf, ...] = ()  # the leaves every scope rule's decision reads
    scope_sensitive: tuple[Leaf, ...] = ()  # those of them a decision can rest on (see CompiledRule.sensitive)
    reading_leaves: Mapping[str, tuple[Reading, ...]] = field(default_factory=lambda: MappingProxyType({}))
    # id of every leaf node → id of the first node equal to it: equal tests of different rules are
    # one test, so a completion or a changed value gives them one value.
    canonical: Mapping[int, int] = field(default_factory=lambda: MappingProxyType({}))
    burdened: tuple[str, ...] = ()  # the exceptions the project must establish (burden: project)


def _head(rule: Rule) -> tuple[Any, ...]:
    return (rule.id, rule.pack, rule.kind.value, rule.outcome, rule.title_zh, rule.title_en, rule.cites,
            rule.in_principle, rule.exception_to)


def compile_pack(pack: Pack, calendar: Calendar, scored: frozenset[str] = frozenset()) -> CompiledPack:
    """Compile every rule of ``pack`` (``calendar`` serves durations inside conditions).

    ``scored`` names the facts some loaded pack computes as a score (a total or a grade): a
    decision comparing one rests on the local parameters of that score.
    """

    def sensitive(leaves: tuple[Leaf, ...]) -> tuple[Leaf, ...]:
        return tuple(leaf for leaf in leaves if isinstance(leaf, Reading)
                     or isinstance(leaf, Compare) and isinstance(leaf.value, Literal) and leaf.value.param
                     or any(name in scored for name in facts_used(leaf)))

    exceptions: dict[str, list[str]] = {}
    for rule in pack.rules:
        if rule.exception_to:
            exceptions.setdefault(rule.exception_to, []).append(rule.id)
    by_id = {rule.id: rule for rule in pack.rules}

    def cone_of(rule: Rule) -> tuple[Leaf, ...]:
        leaves: dict[Leaf, None] = {}
        conditions = [rule.when, rule.require]
        base = rule.exception_to
        while base is not None:  # an exception is only as live as the chain it qualifies
            conditions.append(by_id[base].when)
            base = by_id[base].exception_to
        for cond in conditions:
            if cond is not None:
                leaves.update(dict.fromkeys(iter_leaves(cond)))
        for exception in exceptions.get(rule.id, ()):
            if by_id[exception].burden != "project":
                leaves.update(dict.fromkeys(cone_of(by_id[exception])))
        return tuple(leaves)

    def facts_of(rule: Rule) -> tuple[str, ...]:
        names = dict.fromkeys(rule.facts())
        for exception in exceptions.get(rule.id, ()):
            names.update(dict.fromkeys(facts_of(by_id[exception])))
        return tuple(names)

    compiled = tuple(
        CompiledRule(
            rule=rule,
            when=compile_condition(rule.when, calendar) if rule.when is not None else _always,
            require=compile_condition(rule.require, calendar) if rule.require is not None else None,
            exceptions=tuple(exceptions.get(rule.id, ())),
            facts=facts_of(rule),
            head=_head(rule),
            is_scope=rule.kind is RuleKind.SCOPE,
            eager=rule.scoring is not None,
            cone=(cone := cone_of(rule)),
            sensitive=sensitive(cone),
            claimable=tuple(e for e in exceptions.get(rule.id, ()) if by_id[e].burden == "project"),
        )
        for rule in pack.rules
    )
    scope = [c for c in compiled if c.rule.kind is RuleKind.SCOPE]
    scope_cone: dict[Leaf, None] = {}
    for c in scope:
        scope_cone.update(dict.fromkeys(c.cone))
    return CompiledPack(
        pack=pack,
        rules=compiled,
        by_id=MappingProxyType({c.rule.id: c for c in compiled}),
        includes=tuple(c for c in scope if c.rule.effect == "include"),
        excludes=tuple(c for c in scope if c.rule.effect == "exclude"),
        scoring=tuple(c for c in compiled if c.rule.kind is RuleKind.SCORING),
        canonical=MappingProxyType(_canonical(pack)),
        scope_cone=tuple(scope_cone),
        scope_sensitive=sensitive(tuple(scope_cone)),
        reading_leaves=MappingProxyType(_reading_leaves(pack)),
        burdened=tuple(r.id for r in pack.rules if r.burden == "project"),
    )


def _reading_leaves(pack: Pack) -> dict[str, tuple[Reading, ...]]:
    """Reading id → every leaf node of the pack that reads it (equal nodes of different rules each
    kept: evaluations change leaves by identity)."""
    found: dict[str, dict[int, Reading]] = {}
    for rule in pack.rules:
        for cond in (rule.when, rule.require):
            if cond is not None:
                for leaf in iter_leaves(cond):
                    if isinstance(leaf, Reading):
                        found.setdefault(leaf.reading, {})[id(leaf)] = leaf
    return {k: tuple(v.values()) for k, v in found.items()}


def _canonical(pack: Pack) -> dict[int, int]:
    """id of every leaf node of the pack → id of the first node equal to it."""
    first: dict[Leaf, Leaf] = {}
    ids: dict[int, int] = {}
    for rule in pack.rules:
        for cond in (rule.when, rule.require):
            if cond is not None:
                for leaf in iter_leaves(cond):
                    ids[id(leaf)] = id(first.setdefault(leaf, leaf))
    return ids
