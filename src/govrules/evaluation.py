"""Evaluating a project against the packs of a jurisdiction and its parents.

For each pack in force on ``as_of``: scope rules decide whether the measure governs the project
at all; every other rule is then decided from its ``when`` (does it apply), its exceptions (does
one of them win), and its ``require`` or ``deadline`` (is it met). Missing facts make a decision
``unknown`` and are listed; they never count as false.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache, partial
from pathlib import Path
from types import MappingProxyType
from typing import Any

from . import __version__
from .audit import decision_id
from .cache import load_pack_cached
from .calendar import Calendar, default_calendar, today_in_china
from .compiling import CompiledPack, CompiledRule, compile_pack
from .conditions import explain_both, missing_facts
from .errors import GovrulesError, did_you_mean
from .loading import load_packs
from .model import Pack, RuleKind
from .projects import Project, parse_project, read_project
from .report import LAZY, Decision, Notice, PackRef, Report, Status
from .scoring import compute_score, derived_facts
from .vocabulary import Vocabulary, default_vocabulary

__all__ = ["Engine", "UnknownJurisdiction", "default_policies_dir", "load"]

Facts = Mapping[str, Any]


class UnknownJurisdiction(GovrulesError, KeyError):
    """No loaded pack belongs to the jurisdiction asked for."""

    def __str__(self) -> str:
        return str(self.args[0])


def default_policies_dir() -> Path:
    """The packs shipped with govrules: inside the installed package, or the source checkout's."""
    from importlib import resources

    installed = Path(str(resources.files("govrules"))) / "policies"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "policies"


class Engine:
    """Loaded, compiled packs, ready to evaluate projects. Immutable and safe to share between threads."""

    def __init__(self, packs: Sequence[Pack], *, calendar: Calendar | None = None,
                 vocabulary: Vocabulary | None = None) -> None:
        self._calendar = calendar or default_calendar()
        self._vocab = vocabulary or default_vocabulary()
        self._packs = tuple(packs)
        self._compiled = tuple(compile_pack(p, self._calendar) for p in self._packs)
        self._parents: dict[str, str | None] = {}
        self._names: dict[str, str] = {}
        self._plans: dict[tuple[str, _dt.date], _Plan] = {}
        # (rule, parameters it rests on) of every resting decision -> the local-parameters notice
        self._parameter_notices: dict[tuple[tuple[str, tuple[str, ...]], ...], Notice] = {}
        self._calendar_sources = self._calendar.sources()
        self._calendar_fingerprint = self._calendar.fingerprint()
        for pack in self._packs:
            self._parents.setdefault(pack.jurisdiction.id, pack.jurisdiction.parent)
            self._names.setdefault(pack.jurisdiction.id, pack.jurisdiction.name)

    @property
    def packs(self) -> tuple[Pack, ...]:
        return self._packs

    @property
    def calendar(self) -> Calendar:
        return self._calendar

    @property
    def vocabulary(self) -> Vocabulary:
        return self._vocab

    def jurisdictions(self) -> dict[str, str]:
        """Jurisdiction id → name, for every jurisdiction with a loaded pack."""
        return dict(sorted(self._names.items()))

    def chain(self, jurisdiction: str) -> tuple[str, ...]:
        """``jurisdiction`` and its parents, nearest first (from pack metadata)."""
        if jurisdiction not in self._parents:
            hint = did_you_mean(jurisdiction, list(self._parents))
            known = ", ".join(sorted(self._parents))
            raise UnknownJurisdiction(f"no pack for jurisdiction {jurisdiction!r}"
                                      + (f"; {hint}" if hint else f" (known: {known})"))
        chain = [jurisdiction]
        parent = self._parents.get(jurisdiction)
        while parent is not None and parent not in chain:
            chain.append(parent)
            parent = self._parents.get(parent)
        return tuple(chain)

    def evaluate(self, project: Project | Mapping[str, Any] | str | Path, jurisdiction: str,
                 as_of: _dt.date | None = None) -> Report:
        """Evaluate ``project`` under ``jurisdiction`` (and its parents) as of ``as_of`` (default today).

        ``project`` may be a ``Project``, a mapping (validated here) or a path to a JSON/YAML file.
        Raises ``ProjectError`` for a bad project and ``UnknownJurisdiction`` for an unknown one.
        """
        if type(project) is not Project:
            if isinstance(project, (str, Path)):
                project = read_project(project, self._vocab)
            elif not isinstance(project, Project):
                project = parse_project(project, self._vocab)
        if as_of is None:
            as_of = today_in_china()  # the law's day is China Standard Time, not the process's zone
        elif type(as_of) is _dt.date:
            pass
        elif isinstance(as_of, _dt.datetime):
            as_of = as_of.date()  # the law counts in days; a time of day does not change the answer
        elif not isinstance(as_of, _dt.date):
            raise TypeError(f"as_of must be a date, not {type(as_of).__name__}")
        plan = self._plans.get((jurisdiction, as_of))
        if plan is None:
            plan = self._plan(jurisdiction, as_of)
        compiled_packs, used, notices, provision_paths, scoring_rules, parameter_rules, consulted = plan
        facts, derived = _facts(project, scoring_rules)
        decisions: list[Decision] = []
        provisional: list[str] = []
        for compiled in compiled_packs:
            evaluation = _Evaluation(compiled, facts, as_of, self._calendar, self._vocab, derived)
            decisions += evaluation.fast_run()
            provisional += evaluation.provisional
        if parameter_rules:  # only rules with local parameters are asked which ones they rest on
            resting = tuple((d[0], names) for d in decisions if d[0] in parameter_rules
                            if (names := d.local_parameters))
            if resting:
                local = self._parameter_notices.get(resting)
                if local is None:
                    local = _local_parameters_notice(resting, self._packs)
                    if len(self._parameter_notices) >= 4096:  # bounded, like the plans
                        self._parameter_notices.clear()
                    self._parameter_notices[resting] = local
                notices = notices + (local,)
        if provisional:
            provisional.sort()
            notices = notices + (Notice(
                "provisional-dates",
                "部分期限涉及尚无官方节假日安排的年份，按周末和法定固定日期节日暂算（未计农历节日和调休），"
                "结果为暂定：" + "、".join(provisional),
                "Some deadlines fall in years without an official holiday schedule; they assume weekends and "
                "the fixed-date statutory holidays only (no lunar holidays, no swapped days) and are "
                "provisional: " + ", ".join(provisional),
            ),)
        return Report._fast(
            jurisdiction, as_of, project.id, project.name, used, tuple(decisions), notices, __version__,
            self._calendar_sources, self._calendar_fingerprint, provision_paths,
            partial(decision_id, project, jurisdiction, as_of, consulted, __version__, self._calendar_fingerprint),
        )

    def _plan(self, jurisdiction: str, as_of: _dt.date) -> _Plan:
        """What an evaluation under ``jurisdiction`` on ``as_of`` needs besides the project: which
        compiled packs run, in which order, and the notices that do not depend on the project.
        Cached per (jurisdiction, date): it only depends on the loaded packs."""
        chain = self.chain(jurisdiction)
        notices: list[Notice] = []
        run: list[CompiledPack] = []
        used: list[PackRef] = []
        for level in chain:
            level_packs = [c for c in self._compiled if c.pack.jurisdiction.id == level]
            if not level_packs:
                notices.append(Notice(
                    "parent-without-pack",
                    f"上级辖区 {level} 没有已加载的规则包，其规定未评估。",
                    f"The parent jurisdiction {level!r} has no loaded pack; its rules were not evaluated.",
                ))
                continue
            in_force = [c for c in level_packs if c.pack.in_force(as_of)]
            for compiled in level_packs:
                if compiled not in in_force:
                    notices.append(_not_in_force_notice(compiled.pack, as_of))
            for compiled in in_force:
                used.append(_pack_ref(compiled.pack))
                run.append(compiled)
        if not used:
            notices.append(Notice(
                "no-pack-in-force",
                f"{as_of.isoformat()} 没有对 {jurisdiction} 生效的规则包，未作出任何决定。",
                f"No pack for {jurisdiction!r} is in force on {as_of.isoformat()}; no decisions were made.",
            ))
        # Scores first: a total or grade computed by any pack of the chain (nearest first) is a fact
        # the classification rules of every pack can read (湖政办发〔2023〕40号 二（三）).
        scoring_rules = tuple(rule.rule for compiled in run for rule in compiled.scoring)
        parameter_rules = frozenset(rule.rule.id for compiled in run for rule in compiled.rules
                                    if rule.when_parameters or rule.parameters)
        plan = (tuple(run), tuple(used), tuple(notices),
                _provision_paths(tuple(c.pack for c in self._compiled if c.pack.id in {p.id for p in used})),
                scoring_rules, parameter_rules,
                # every pack of the chain, in force or not (one out of force still gives a notice)
                tuple(p for p in self._packs if p.jurisdiction.id in chain))
        if len(self._plans) >= 4096:  # bounded: many distinct dates must not grow it forever
            self._plans.clear()
        self._plans[(jurisdiction, as_of)] = plan
        return plan

    def evaluate_plain(self, project: Project | Mapping[str, Any] | str | Path, jurisdiction: str,
                       as_of: _dt.date | None = None) -> Report:
        """``evaluate`` through the reference path: every decision spelled out eagerly, one by one.

        Slower; kept as the plain evaluator the fast path is tested against (same report, same JSON).
        """
        report = self.evaluate(project, jurisdiction, as_of)
        if isinstance(project, (str, Path)):
            project = read_project(project, self._vocab)
        elif not isinstance(project, Project):
            project = parse_project(project, self._vocab)
        plan = self._plan(jurisdiction, report.as_of)
        facts, derived = _facts(project, plan[4])
        decisions: list[Decision] = []
        for compiled in plan[0]:
            decisions.extend(_Evaluation(compiled, facts, report.as_of, self._calendar, self._vocab, derived).run())
        return replace(report, decisions=tuple(decisions))


_Plan = tuple[tuple[CompiledPack, ...], tuple[PackRef, ...], tuple[Notice, ...],
              Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]], tuple[Any, ...], frozenset[str],
              tuple[Pack, ...]]


def _facts(project: Project, scoring_rules: tuple[Any, ...]) -> tuple[dict[str, Any], Mapping[str, tuple[Any, str]]]:
    """A snapshot of the project's facts (explanations are spelled out later, from these values),
    with the totals and grades the scoring rules of the chain derive."""
    facts = _snapshot(project.facts)
    derived = derived_facts(list(scoring_rules), facts) if scoring_rules else {}
    if derived:
        facts.update({name: value for name, (value, _) in derived.items()})
    return facts, derived


def _snapshot(given: Mapping[str, Any]) -> dict[str, Any]:
    """A dict copy of a project's facts. A mapping proxy's ``copy()`` copies the dict inside in C,
    where ``dict(proxy)`` goes key by key, about 15× slower: a tenth of a small evaluation."""
    if type(given) is MappingProxyType or type(given) is dict:
        try:
            copied = given.copy()
        except AttributeError:  # a proxy over a mapping without copy()
            copied = None
        if type(copied) is dict:
            return copied
    return dict(given)


@lru_cache(maxsize=256)
def _provision_paths(packs: tuple[Pack, ...]) -> Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]]:
    """Label → (document number, path) for the provisions of the packs a report used."""
    paths: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for pack in packs:
        for label, provision in pack.provisions.items():
            paths.setdefault(label, []).append((pack.document.number, provision.path))
    return MappingProxyType({k: tuple(v) for k, v in paths.items()})


def _local_parameters_notice(resting: Sequence[tuple[str, tuple[str, ...]]], packs: Sequence[Pack]) -> Notice:
    """Say which decisions rest on numbers the texts do not give (local parameters), and their
    sources; ``resting`` pairs each such decision's rule with the parameters it rests on."""
    params = {p.id: p for pack in packs for p in pack.parameters.values()}
    used = dict.fromkeys(name for _, names in resting for name in names)
    zh = "；".join(f"{params[n].zh}（{n} = {params[n].display()}，来源：{params[n].source}）" for n in used)
    en = "; ".join(f"{n} = {params[n].display()} ({params[n].en}; source: {params[n].source})" for n in used)
    rules = [rule for rule, _ in resting]
    return Notice(
        "local-parameters",
        f"以下决定依据本地参数而非所引条款原文给出的数字：{'、'.join(rules)}。本地参数：{zh}",
        f"These decisions rest on local parameters, not on numbers in the cited text: "
        f"{', '.join(rules)}. Parameters: {en}",
    )


def _pack_ref(pack: Pack) -> PackRef:
    return PackRef(pack.id, pack.version, pack.content_hash, pack.jurisdiction.id,
                   pack.document.number, pack.document.title)


def _not_in_force_notice(pack: Pack, as_of: _dt.date) -> Notice:
    doc = pack.document
    cites = f"（{doc.in_force_cites}）" if doc.in_force_cites else ""
    return Notice(
        "pack-not-in-force",
        f"{doc.title}（{doc.number}）自 {doc.in_force_from.isoformat()} 起施行{cites}"
        + (f"，至 {doc.in_force_until.isoformat()} 止" if doc.in_force_until else "")
        + f"；{as_of.isoformat()} 不在其施行期内，未评估。",
        f"{doc.number} is in force from {doc.in_force_from.isoformat()}"
        + (f" to {doc.in_force_until.isoformat()}" if doc.in_force_until else "")
        + f"; not in force on {as_of.isoformat()}, so not evaluated.",
    )


def _and3(values: Iterable[bool | None]) -> bool | None:
    result: bool | None = True
    for value in values:
        if value is False:
            return False
        if value is None:
            result = None
    return result


class _Evaluation:
    """One project under one pack: memoizes rule firing so exceptions are evaluated once."""

    __slots__ = ("as_of", "calendar", "compiled", "derived", "explained", "facts", "fired_memo", "in_scope",
                 "live_memo", "parameters_memo", "provisional", "settled_by", "vocab")

    def __init__(self, compiled: CompiledPack, facts: Facts, as_of: _dt.date, calendar: Calendar,
                 vocab: Vocabulary, derived: Mapping[str, tuple[Any, str]] | None = None) -> None:
        self.compiled = compiled
        self.derived = derived or {}
        self.facts = facts
        self.as_of = as_of
        self.calendar = calendar
        self.vocab = vocab
        self.fired_memo: dict[str, bool | None] = {}
        self.live_memo: dict[str, bool | None] = {}
        self.explained: dict[str, Decision] = {}
        self.parameters_memo: dict[str, tuple[str, ...]] = {}
        self.provisional: list[str] = []
        self.in_scope: bool | None = None
        self.settled_by: list[CompiledRule] = []

    def live(self, rule: CompiledRule) -> bool | None:
        """Whether ``rule``'s own condition holds and, for an exception, its base is live too.

        An exception ("…的除外", "原则上…") only qualifies its base rule, so it is live only where
        the base rule is: along the whole chain of exceptions up to the root rule.
        """
        memo = self.live_memo
        key = rule.rule.id
        if key in memo:
            return memo[key]
        own = rule.when(self.facts)
        base_id = rule.rule.exception_to
        if base_id is not None and own is not False:
            base = self.live(self.compiled.by_id[base_id])
            if base is not True:  # Kleene and: false wins, then unknown
                own = base
        memo[key] = own
        return own

    def fired(self, rule: CompiledRule) -> bool | None:
        """Whether ``rule`` applies after its exceptions: live ∧ ¬(any exception fired), three-valued."""
        memo = self.fired_memo
        key = rule.rule.id
        if key in memo:
            return memo[key]
        result = self.live(rule)
        if result is not False and rule.exceptions:
            # live ∧ ¬(e1 ∨ e2 …): an exception that fires makes it false; one unknown, unknown.
            by_id = self.compiled.by_id
            for exception in rule.exceptions:
                value = self.fired(by_id[exception])
                if value is True:
                    result = False
                    break
                if value is None:
                    result = None
        memo[key] = result
        return result

    def scope(self) -> tuple[bool | None, list[CompiledRule]]:
        """Whether the measure governs the project, and the scope rules that settled it."""
        if not self.compiled.excludes and not self.compiled.includes:
            return True, []
        excluded = [r for r in self.compiled.excludes if self.fired(r) is True]
        if excluded:
            return False, excluded
        exclude_unknown = any(self.fired(r) is None for r in self.compiled.excludes)
        if not self.compiled.includes:
            return (None if exclude_unknown else True), []
        included = [r for r in self.compiled.includes if self.fired(r) is True]
        if included:
            return (None if exclude_unknown else True), included
        include_unknown = any(self.fired(r) is None for r in self.compiled.includes)
        return (None if include_unknown or exclude_unknown else False), []

    def scope_missing(self) -> tuple[str, ...]:
        found: dict[str, None] = {}
        for rule in self.compiled.includes + self.compiled.excludes:
            if self.fired(rule) is None:
                found.update(dict.fromkeys(self.missing_of(rule)))
        return tuple(found)

    def missing_of(self, rule: CompiledRule) -> tuple[str, ...]:
        """Missing facts that leave ``rule``'s firing unknown (its own condition, then its exceptions)."""
        found: dict[str, None] = {}
        if rule.rule.when is not None and rule.when(self.facts) is None:
            found.update(dict.fromkeys(missing_facts(rule.rule.when, self.facts, self.calendar)))
        base_id = rule.rule.exception_to
        while base_id is not None:  # an exception is only as live as the chain above it
            base = self.compiled.by_id[base_id]
            if base.rule.when is not None and base.when(self.facts) is None:
                found.update(dict.fromkeys(missing_facts(base.rule.when, self.facts, self.calendar)))
            base_id = base.rule.exception_to
        for exc_id in rule.exceptions:
            exc = self.compiled.by_id[exc_id]
            if self.fired(exc) is None:
                found.update(dict.fromkeys(self.missing_of(exc)))
        return tuple(found)

    def fast_run(self) -> list[Decision]:
        """The decisions of every rule, statuses computed here and wording left for later.

        Mirrors ``decide`` branch by branch; what takes work to spell out (explanations, the facts
        used, the list of missing facts) is left to ``decide`` itself, run for one rule when a
        caller first reads it. The two paths are tested to agree on every project
        (tests/test_fast_paths.py).
        """
        in_scope, settled_by = self.scope()
        self.in_scope, self.settled_by = in_scope, settled_by
        facts = self.facts
        by_id = self.compiled.by_id
        make = tuple.__new__
        na, applies, satisfied, violated, unknown = (Status.NOT_APPLICABLE, Status.APPLIES, Status.SATISFIED,
                                                     Status.VIOLATED, Status.UNKNOWN)
        tail = (self,)
        out: list[Decision] = []
        append = out.append
        for rule in self.compiled.rules:
            scoped = True if rule.is_scope else in_scope
            if scoped is False:
                append(make(Decision, rule.plain[na] + tail))
                continue
            fired = rule.when(facts) if rule.simple else self.fired(rule)
            if rule.when_parameters or rule.parameters:  # asked by every evaluation, for the notice
                self.parameters_memo[rule.rule.id] = self.rests_on(rule, scoped, fired)
            # Kleene conjunction of the scope and the rule's firing; scoped is True or None here.
            gate = fired if scoped is True or fired is False else None
            if rule.eager and gate is not False:  # e.g. a score: computed and spelled out by decide
                append(self.decide(rule, scoped, settled_by))
                continue
            if gate is True:
                if rule.require is not None:
                    met = rule.require(facts)
                    if met is None:  # applies; whether it is met is unknown (missing spelled out later)
                        append(make(Decision, rule.head + (applies, LAZY, None, False, None, self)))
                    else:
                        append(make(Decision, rule.plain[satisfied if met else violated] + tail))
                elif rule.rule.deadline is not None:
                    append(self.fast_deadline(rule))
                else:
                    append(make(Decision, rule.plain[applies] + tail))
            elif gate is False:
                overridden = None
                if rule.exceptions and rule.when(facts) is not False:
                    for exc in rule.exceptions:
                        if self.fired(by_id[exc]) is True:
                            overridden = exc
                            break
                if overridden is None:
                    append(make(Decision, rule.plain[na] + tail))
                else:
                    append(make(Decision, rule.head + (na, (), None, False, overridden, self)))
            elif (scoped is True and rule.require is not None and self.live(rule) is True
                    and rule.require(facts) is True):
                # Only an exception is undecided, and it could only lift a requirement met anyway.
                append(make(Decision, rule.plain[satisfied] + tail))
            else:
                append(make(Decision, rule.head + (unknown, LAZY, None, False, None, self)))
        return out

    def fast_deadline(self, rule: CompiledRule) -> Decision:
        """A deadline rule that applies: its status and due date, as ``deadline`` computes them."""
        deadline = rule.rule.deadline
        assert deadline is not None
        facts = self.facts
        start = facts.get(deadline.start)
        if start is None:
            return tuple.__new__(Decision, rule.head + (Status.UNKNOWN, (deadline.start,), None, False, None, self))
        result = self.calendar.period_end(start, deadline.within)
        due = result.date
        done_dates = [facts[n] for n in deadline.done if facts.get(n) is not None]
        done = max(done_dates) if deadline.done and len(done_dates) == len(deadline.done) else None
        if done is not None:
            status = Status.SATISFIED if done <= due else Status.VIOLATED
        else:
            status = Status.PENDING if self.as_of <= due else Status.OVERDUE
        if result.provisional:
            self.provisional.append(rule.rule.id)
        return tuple.__new__(Decision, rule.head + (status, (), due, result.provisional, None, self))

    # -- what a fast-path decision asks for when its details are read (report.LazyDetails) -------

    def decision_facts(self, rule: str) -> tuple[tuple[str, Any], ...]:
        return self.used_facts(self.compiled.by_id[rule])

    def plain_decision(self, rule: str) -> Decision:
        """The decision of ``rule`` as the reference path spells it out (memoized)."""
        memo = self.explained
        if rule not in memo:
            compiled = self.compiled.by_id[rule]
            memo[rule] = self.decide(compiled, True if compiled.is_scope else self.in_scope, self.settled_by)
        return memo[rule]

    def decision_explanation(self, rule: str) -> tuple[str, str]:
        plain = self.plain_decision(rule)
        return plain.explanation_zh, plain.explanation_en

    def decision_missing(self, rule: str) -> tuple[str, ...]:
        return self.plain_decision(rule).missing

    def decision_local_parameters(self, rule: str) -> tuple[str, ...]:
        """As ``decide`` reports them, without spelling the decision out (the notice asks every rule)."""
        found = self.parameters_memo.get(rule)
        if found is None:
            compiled = self.compiled.by_id[rule]
            found = self.rests_on(compiled, True if compiled.is_scope else self.in_scope, self.fired(compiled))
        return found

    def rests_on(self, rule: CompiledRule, scoped: bool | None, fired: bool | None) -> tuple[str, ...]:
        """The local parameters ``rule``'s decision rests on, given its scope and firing."""
        if scoped is False or not rule.when_parameters and not rule.parameters:
            return ()
        facts = self.facts
        # Those compared in ``when`` with a fact the project states (even where the rule does not
        # apply: that it does not rests on the number too) ...
        base = tuple(dict.fromkeys([param for param, fact in rule.when_parameters if facts.get(fact) is not None]))
        if fired is False:
            return base
        if (scoped is None or fired is None) and not (
                scoped is True and rule.require is not None and self.live(rule) is True
                and rule.require(facts) is True):
            return base
        # ... and those of the requirement or score once it applies (as ``decide``).
        return tuple(dict.fromkeys(base + rule.parameters))

    def run(self) -> list[Decision]:
        """The plain evaluator: every decision spelled out at once (the reference for ``fast_run``)."""
        in_scope, settled_by = self.scope()
        decisions = []
        for rule in self.compiled.rules:
            if rule.rule.kind is RuleKind.SCOPE:
                decisions.append(self.decide(rule, True, ()))
            else:
                decisions.append(self.decide(rule, in_scope, settled_by))
        return decisions

    # -- one decision --------------------------------------------------------------------------

    def used_facts(self, rule: CompiledRule) -> tuple[tuple[str, Any], ...]:
        facts = self.facts
        return tuple((n, facts[n]) for n in rule.facts if n in facts)

    def decide(self, rule: CompiledRule, in_scope: bool | None, settled_by: Sequence[CompiledRule]) -> Decision:
        r = rule.rule
        base: dict[str, Any] = dict(
            rule=r.id, pack=r.pack, kind=r.kind.value, outcome=r.outcome, title_zh=r.title_zh,
            title_en=r.title_en, citations=r.cites, facts=self.used_facts(rule),
            in_principle=r.in_principle, exception_to=r.exception_to,
            # The parameters the decision rests on: those compared in ``when`` with a fact the project
            # states; those of the requirement or score once the rule applies (added below).
            local_parameters=tuple(dict.fromkeys(
                param for param, fact in rule.when_parameters if self.facts.get(fact) is not None)),
        )
        if in_scope is False:
            base["local_parameters"] = ()  # out of scope, nothing of the rule is used
            names_zh = "、".join(f"{s.rule.title_zh}（{s.rule.cites[0].label}）" for s in settled_by)
            names_en = ", ".join(s.rule.id for s in settled_by)
            return Decision(
                status=Status.NOT_APPLICABLE, **base,
                explanation_zh="不适用：项目不在本办法适用范围内" + (f"：{names_zh}" if names_zh else ""),
                explanation_en="Not applicable: the project is outside this measure's scope"
                + (f" ({names_en})" if names_en else ""),
            )
        fired = self.fired(rule)
        gate = _and3((in_scope, fired))
        if gate is False:
            return self.not_applicable(rule, base)
        if (gate is None and in_scope is True and self.live(rule) is True
                and rule.require is not None and rule.require(self.facts) is True):
            # Only an exception is undecided, and it could only lift a requirement that is met
            # anyway: the answer is the same either way.
            assert r.require is not None
            base["local_parameters"] = tuple(dict.fromkeys(base["local_parameters"] + rule.parameters))
            detail_zh, detail_en = explain_both(r.require, self.facts, self.vocab, self.calendar)
            return Decision(
                status=Status.SATISFIED, **base,
                explanation_zh="满足要求：" + detail_zh + "（例外情形是否成立不影响结论）" + self.principle_zh(r),
                explanation_en="Satisfied: " + detail_en + " (whether an exception applies does not change this)",
            )
        if gate is None:
            missing = dict.fromkeys(self.scope_missing() if in_scope is None else ())
            missing.update(dict.fromkeys(self.missing_of(rule)))
            # Also name what the requirement or deadline itself would need, so one round of
            # questions suffices.
            if rule.rule.require is not None and rule.require is not None and rule.require(self.facts) is None:
                missing.update(dict.fromkeys(missing_facts(rule.rule.require, self.facts, self.calendar)))
            if r.deadline is not None and self.facts.get(r.deadline.start) is None:
                missing[r.deadline.start] = None
            names = self.fact_names(missing)
            return Decision(
                status=Status.UNKNOWN, missing=tuple(missing), **base,
                explanation_zh=f"无法判断：缺少{names[0]}", explanation_en=f"Unknown: missing {names[1]}",
            )
        base["local_parameters"] = tuple(dict.fromkeys(base["local_parameters"] + rule.parameters))
        if r.deadline is not None:
            return self.deadline(rule, base)
        if r.scoring is not None:
            return self.scored(rule, base)
        when_zh, when_en = self.why(r.when)
        if rule.require is not None:
            met = rule.require(self.facts)
            assert r.require is not None
            if met is None:
                needed = missing_facts(r.require, self.facts, self.calendar)
                names = self.fact_names(needed)
                return Decision(
                    status=Status.APPLIES, missing=needed, **base,
                    explanation_zh=f"适用（{when_zh}）；是否满足要求未知：缺少{names[0]}" + self.principle_zh(r),
                    explanation_en=f"Applies ({when_en}); compliance unknown: missing {names[1]}",
                )
            detail_zh, detail_en = explain_both(r.require, self.facts, self.vocab, self.calendar)
            status = Status.SATISFIED if met else Status.VIOLATED
            word_zh, word_en = ("满足要求", "Satisfied") if met else ("违反要求", "Violated")
            return Decision(
                status=status, **base,
                explanation_zh=f"{word_zh}：{detail_zh}" + self.principle_zh(r),
                explanation_en=f"{word_en}: {detail_en}",
            )
        return Decision(
            status=Status.APPLIES, **base,
            explanation_zh=f"适用：{when_zh}" + self.principle_zh(r), explanation_en=f"Applies: {when_en}",
        )

    def scored(self, rule: CompiledRule, base: dict[str, Any]) -> Decision:
        """A scoring rule's decision: the breakdown, the total and grade, and what pulled it down."""
        spec = rule.rule.scoring
        assert spec is not None
        result = compute_score(spec, self.facts)
        if result.total is None:
            # No total: the weights and grade table were not used.
            base["local_parameters"] = tuple(p for p in base["local_parameters"]
                                             if p not in spec.parameters())
            names = self.fact_names(result.missing)
            return Decision(
                status=Status.APPLIES, missing=result.missing, score=result, **base,
                explanation_zh=f"适用；无法计算总分：缺少{names[0]}",
                explanation_en=f"Applies; the total cannot be computed: missing {names[1]}",
            )
        grade_fact = self.vocab[spec.grade]
        grade_zh = grade_fact.values.get(result.grade or "", result.grade)
        zh = f"总分 {result.total}，等级 {grade_zh}（权重与等级表为本地参数）"
        en = f"Total {result.total}, grade {result.grade} (weights and grade bands are local parameters)"
        weakest = result.weakest()
        if weakest is not None and weakest.lost:
            fact = self.vocab[weakest.fact]
            zh += f"；失分最多的维度：{fact.zh}（得分 {weakest.score}，权重 {weakest.weight}%，失 {weakest.lost} 分）"
            en += f"; the dimension losing most: {weakest.fact} (score {weakest.score}, weight " \
                  f"{weakest.weight}%, {weakest.lost} points lost)"
        for name, computed in ((spec.total, result.total), (spec.grade, result.grade)):
            used = self.facts.get(name)
            if used is None or used == computed:
                continue
            source = self.derived.get(name)
            if source is None:
                zh += f"；项目申报的{self.vocab[name].zh}为 {used}，与计算结果不同，其他规则采用申报值"
                en += f"; the project states {name} = {used}, which differs; other rules use the stated value"
            else:
                zh += f"；其他规则采用 {source[1]} 计算的{self.vocab[name].zh} {used}"
                en += f"; other rules use {name} = {used} as computed by {source[1]}"
        return Decision(status=Status.APPLIES, score=result, **base, explanation_zh=zh, explanation_en=en)

    def principle_zh(self, rule: Any) -> str:
        return "（原文为“原则上”，可能存在原文未列明的例外）" if rule.in_principle else ""

    def why(self, cond: Any) -> tuple[str, str]:
        if cond is None:
            return "本办法范围内的项目均适用", "every project within the measure's scope"
        return explain_both(cond, self.facts, self.vocab, self.calendar)

    def fact_names(self, names: Iterable[str]) -> tuple[str, str]:
        names = list(names)
        zh = "、".join(self.vocab[n].label() for n in names)
        en = ", ".join(names)
        return zh, en

    def not_applicable(self, rule: CompiledRule, base: dict[str, Any]) -> Decision:
        winners = [self.compiled.by_id[e] for e in rule.exceptions if self.fired(self.compiled.by_id[e]) is True]
        if winners and rule.when(self.facts) is not False:
            winner = winners[0].rule
            return Decision(
                status=Status.NOT_APPLICABLE, overridden_by=winner.id, **base,
                explanation_zh=f"不适用：例外规则“{winner.title_zh}”（{winner.cites[0].label}）优先适用",
                explanation_en=f"Not applicable: the exception {winner.id} ({winner.cites[0].label}) prevails",
            )
        base_id = rule.rule.exception_to
        if base_id is not None and rule.when(self.facts) is not False:
            dead = self.compiled.by_id[base_id]
            while dead.when(self.facts) is not False and dead.rule.exception_to is not None:
                dead = self.compiled.by_id[dead.rule.exception_to]
            direct = self.compiled.by_id[base_id].rule
            zh, en = self.why(dead.rule.when)
            if dead.rule.id == base_id:
                return Decision(status=Status.NOT_APPLICABLE, **base,
                                explanation_zh=f"不适用：本条是“{direct.title_zh}”的例外，而该规则的条件不成立：{zh}",
                                explanation_en=f"Not applicable: this is an exception to {base_id}, whose "
                                f"condition does not hold: {en}")
            return Decision(status=Status.NOT_APPLICABLE, **base,
                            explanation_zh=f"不适用：本条是“{direct.title_zh}”的例外，该规则又依附于"
                            f"“{dead.rule.title_zh}”，而后者的条件不成立：{zh}",
                            explanation_en=f"Not applicable: this is an exception to {base_id}, which qualifies "
                            f"{dead.rule.id}, whose condition does not hold: {en}")
        zh, en = self.why(rule.rule.when)
        return Decision(status=Status.NOT_APPLICABLE, **base, explanation_zh=f"不适用：{zh}",
                        explanation_en=f"Not applicable: {en}")

    def deadline(self, rule: CompiledRule, base: dict[str, Any]) -> Decision:
        deadline = rule.rule.deadline
        assert deadline is not None
        start = self.facts.get(deadline.start)
        start_fact = self.vocab[deadline.start]
        period = deadline.within.describe()
        if start is None:
            return Decision(
                status=Status.UNKNOWN, missing=(deadline.start,), **base,
                explanation_zh=f"无法计算期限：缺少{start_fact.label()}",
                explanation_en=f"Cannot compute the deadline: missing {deadline.start}",
            )
        result = self.calendar.period_end(start, deadline.within)
        due = result.date
        done_dates: list[_dt.date] = [self.facts[n] for n in deadline.done if self.facts.get(n) is not None]
        # Done when every act is done, on the latest of them (e.g. 初验 and 试运行 both finished).
        done = max(done_dates) if deadline.done and len(done_dates) == len(deadline.done) else None
        lead_zh = f"自{start_fact.zh} {start.isoformat()} 起{period}内，截止 {due.isoformat()}"
        lead_en = f"{deadline.within.describe()} from {deadline.start} {start.isoformat()}: due {due.isoformat()}"
        if result.provisional:
            years = "、".join(map(str, result.assumed_years))
            lead_zh += f"（{years}年尚无官方节假日安排，按周末和法定固定日期节日暂算，结果暂定）"
            lead_en += f" (provisional: no official schedule for {', '.join(map(str, result.assumed_years))})"
        if done is not None:
            on_time = done <= due
            status = Status.SATISFIED if on_time else Status.VIOLATED
            tail_zh = f"；{done.isoformat()} 完成，" + ("按期" if on_time else "逾期")
            tail_en = f"; done {done.isoformat()}, " + ("on time" if on_time else "late")
        elif self.as_of <= due:
            status, tail_zh, tail_en = Status.PENDING, f"；截至 {self.as_of.isoformat()} 尚未完成，仍在期限内", \
                f"; not done as of {self.as_of.isoformat()}, still within the period"
        else:
            status, tail_zh, tail_en = Status.OVERDUE, f"；截至 {self.as_of.isoformat()} 尚未完成，已逾期", \
                f"; not done as of {self.as_of.isoformat()}, overdue"
        return Decision(
            status=status, due=due, provisional=result.provisional, **base,
            explanation_zh=lead_zh + tail_zh, explanation_en=lead_en + tail_en,
        )


def load(path: str | Path | Sequence[str | Path] | None = None, *,
         holidays: Iterable[str | Path] = (), replace_holidays: bool = False) -> Engine:
    """Load packs (default: those shipped with govrules) into an ``Engine``.

    ``holidays`` names holiday-schedule files for years the built-in data does not cover yet; a file
    for a covered year is refused unless ``replace_holidays`` is true.
    Raises ``PackError`` listing every problem of every pack.
    """
    if path is None:
        roots: list[str | Path] = [default_policies_dir()]
    elif isinstance(path, (str, Path)):
        roots = [path]
    else:
        roots = list(path)
    holiday_paths = [Path(h) for h in holidays]
    calendar = Calendar.with_files(holiday_paths, replace=replace_holidays) if holiday_paths else default_calendar()
    return Engine(load_packs(roots, loader=load_pack_cached), calendar=calendar)



