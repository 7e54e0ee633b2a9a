"""Evaluating a project against the packs of a jurisdiction and its parents.

For each pack in force on ``as_of``: scope rules decide whether the measure governs the project
at all; every other rule is then decided from its ``when`` (does it apply), its exceptions (does
one of them win), and its ``require`` or ``deadline`` (is it met). Missing facts make a decision
``unknown`` and are listed; they never count as false.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache, partial
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple, cast

from . import __version__
from .audit import decision_id
from .cache import load_pack_cached
from .calendar import Calendar, default_calendar, today_in_china
from .codegen import generated
from .compiling import CompiledPack, CompiledRule, compile_pack
from .conditions import (BELOW_SLOT, READING_SLOT, Compare, Compiled, Condition, Leaf, Literal, Reading, compiled_leaf,
                         explain_both, facts_used, iter_leaves, missing_facts)
from .deciding import DeadlineState, Outcome, Procedure
from .errors import GovrulesError, ProjectError, ProjectProblem, did_you_mean
from .loading import load_packs
from .model import Pack, Rule
from .projects import Project, parse_project, read_project
from .readings import ReadingSpec
from .report import DECISION_FIELDS, LAZY, Decision, LaterNotices, Notice, PackRef, Report, Status
from .vocabulary import NOT_HAPPENED
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
        scored = frozenset(name for pack in self._packs for rule in pack.rules if rule.scoring is not None
                           for name in (rule.scoring.total, rule.scoring.grade))
        self._compiled = tuple(compile_pack(p, self._calendar, scored) for p in self._packs)
        self._parents: dict[str, str | None] = {}
        self._names: dict[str, str] = {}
        self._plans: dict[tuple[str, _dt.date], _Plan] = {}
        # (rule, parameters it rests on) of every resting decision -> the local-parameters notice
        self._parameter_notices: dict[tuple[tuple[str, tuple[str, ...]], ...], Notice] = {}
        # Shared by every evaluation, so projects that test alike pay once (bounded, see _remember):
        # what a decision rests on, by everything it depends on (``_Evaluation.rests``), and a
        # condition's explanation and missing facts, by the values it reads (``condition_key``).
        self._shared: dict[tuple[Any, ...], Any] = {}
        self._calendar_sources = self._calendar.sources()
        self._calendar_fingerprint = self._calendar.fingerprint()
        self._readings: dict[str, ReadingSpec] = {}
        for pack in self._packs:
            self._parents.setdefault(pack.jurisdiction.id, pack.jurisdiction.parent)
            self._names.setdefault(pack.jurisdiction.id, pack.jurisdiction.name)
            for spec in pack.readings.values():
                self._readings.setdefault(spec.id, spec)

    def __repr__(self) -> str:
        packs = ", ".join(f"{p.id} {p.version}" for p in self._packs)
        return f"<Engine packs=[{packs}] jurisdictions={sorted(self._names)}>"

    @property
    def packs(self) -> tuple[Pack, ...]:
        return self._packs

    @property
    def calendar(self) -> Calendar:
        return self._calendar

    @property
    def vocabulary(self) -> Vocabulary:
        return self._vocab

    def readings(self) -> dict[str, ReadingSpec]:
        """Every declared reading of the loaded packs, by id."""
        return dict(self._readings)

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

    def check_readings(self, readings: Mapping[str, str | None] | None) -> dict[str, str | None]:
        """The caller's choice of answers, checked: each names a declared reading and one of its
        alternatives (``None``: take no position). Raises ``ProjectError`` naming each bad one."""
        if not readings:
            return {}
        problems = []
        for name, answer in readings.items():
            spec = self._readings.get(name) if isinstance(name, str) else None
            if spec is None:
                problems.append(ProjectProblem(
                    field=f"readings.{name}", code="unknown-reading", value=answer,
                    message="不是已声明的解读 / is not a declared reading",
                    hint=did_you_mean(str(name), list(self._readings)) or "govrules readings lists them"))
            elif answer is not None and answer not in spec.alternatives:
                problems.append(ProjectProblem(
                    field=f"readings.{name}", code="unknown-alternative", value=answer,
                    message=f"不是该解读的备选答案 / is not an alternative of {name}",
                    hint=did_you_mean(str(answer), list(spec.alternatives))
                    or "one of: " + ", ".join(spec.alternatives)))
        if problems:
            raise ProjectError(problems)
        return dict(readings)

    def evaluate(self, project: Project | Mapping[str, Any] | str | Path, jurisdiction: str,
                 as_of: _dt.date | None = None, *, readings: Mapping[str, str | None] | None = None) -> Report:
        """Evaluate ``project`` under ``jurisdiction`` (and its parents) as of ``as_of`` (default today).

        ``project`` may be a ``Project``, a mapping (validated here) or a path to a JSON/YAML file.
        ``readings`` answers declared readings otherwise than the packs do (reading id → alternative,
        or ``None`` for no position), to see what an interpretation changes.
        Raises ``ProjectError`` for a bad project (or reading) and ``UnknownJurisdiction`` for an unknown one.
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
        chosen = self.check_readings(readings) if readings else {}
        plan = self._plans.get((jurisdiction, as_of))
        if plan is None:
            plan = self._plan(jurisdiction, as_of)
        facts, derived = _facts(project, plan.scoring_rules)
        facts.update(plan.context)  # whether each pack is applied below its own jurisdiction
        if plan.reading_slots:
            facts.update(plan.readings)
            for name, answer in chosen.items():
                slot = READING_SLOT + name
                if slot in plan.reading_slots:  # a reading of another jurisdiction's pack changes nothing here
                    if answer is None:
                        facts.pop(slot, None)
                    else:
                        facts[slot] = answer
        decisions: list[Decision] = []
        provisional: list[str] = []
        for compiled in plan.run:
            evaluation = _Evaluation(compiled, facts, as_of, self._calendar, self._vocab, derived,
                                     plan.score_parameters, self._shared)
            decisions += evaluation.fast_run()
            provisional += evaluation.provisional
        tail: tuple[Notice, ...] = ()
        if chosen:
            tail += (_chosen_notice(chosen, self._readings),)
        if provisional:
            provisional.sort()
            tail += (Notice(
                "provisional-dates",
                "部分期限涉及尚无官方节假日安排的年份，按周末和法定固定日期节日暂算（未计农历节日和调休），"
                "结果为暂定：" + "、".join(provisional),
                "Some deadlines fall in years without an official holiday schedule; they assume weekends and "
                "the fixed-date statutory holidays only (no lunar holidays, no swapped days) and are "
                "provisional: " + ", ".join(provisional),
            ),)
        found = tuple(decisions)
        notices: tuple[Notice, ...] | LaterNotices
        if plan.resting_rules:  # only rules that can rest on a parameter or reading are asked, on first read
            notices = LaterNotices(plan.notices, partial(self._resting_notices, found, plan), tail)
        else:
            notices = plan.notices + tail
        return Report._fast(
            jurisdiction, as_of, project.id, project.name, plan.used, found, notices, __version__,
            self._calendar_sources, self._calendar_fingerprint, plan.provision_paths,
            MappingProxyType(chosen),
            partial(decision_id, project, jurisdiction, as_of, plan.consulted, __version__, self._calendar_fingerprint,
                    readings=chosen or None),
        )

    def _resting_notices(self, decisions: Sequence[Decision], plan: _Plan) -> tuple[Notice, ...]:
        """The notices naming the decisions that rest on local parameters, and on readings."""
        notices: list[Notice] = []
        resting = tuple((d[0], names) for d in decisions if d[0] in plan.resting_rules
                        if (names := d.local_parameters))
        if resting:
            local = self._parameter_notices.get(resting)
            if local is None:
                local = _local_parameters_notice(resting, self._packs)
                if len(self._parameter_notices) >= 4096:  # bounded, like the plans
                    self._parameter_notices.clear()
                self._parameter_notices[resting] = local
            notices.append(local)
        on_readings = tuple((d[0], names) for d in decisions if d[0] in plan.resting_rules
                            if (names := d.readings))
        if on_readings:
            notices.append(_readings_notice(on_readings, self._readings))
        return tuple(notices)

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
        # the classification rules of every pack can read (湖政办发〔2023〕40号 二（三））.
        scoring_rules = tuple(rule.rule for compiled in run for rule in compiled.scoring)
        resting_rules = frozenset(rule.rule.id for compiled in run for rule in compiled.rules
                                  if rule.sensitive or compiled.scope_sensitive or rule.rule.scoring is not None)
        plan = _Plan(
            run=tuple(run), used=tuple(used), notices=tuple(notices),
            provision_paths=_provision_paths(tuple(c.pack for c in self._compiled if c.pack.id in {p.id for p in used})),
            scoring_rules=scoring_rules, resting_rules=resting_rules,
            # every pack of the chain, in force or not (one out of force still gives a notice)
            consulted=tuple(p for p in self._packs if p.jurisdiction.id in chain),
            readings=MappingProxyType({READING_SLOT + spec.id: spec.answer for compiled in run
                                       for spec in compiled.pack.readings.values() if spec.answer is not None}),
            reading_slots=frozenset(READING_SLOT + name for compiled in run for name in compiled.pack.readings),
            context=MappingProxyType({BELOW_SLOT + c.pack.id: c.pack.jurisdiction.id != jurisdiction for c in run}),
            score_parameters=MappingProxyType({rule.id: rule.scoring.parameters() for rule in scoring_rules
                                               if rule.scoring is not None}),
        )
        if len(self._plans) >= 4096:  # bounded: many distinct dates must not grow it forever
            self._plans.clear()
        self._plans[(jurisdiction, as_of)] = plan
        return plan

    def evaluate_plain(self, project: Project | Mapping[str, Any] | str | Path, jurisdiction: str,
                       as_of: _dt.date | None = None, *, readings: Mapping[str, str | None] | None = None) -> Report:
        """``evaluate`` with every decision spelled out at once instead of on first reading.

        Kept as the reference the lazy decisions are tested against (same report, same JSON).
        """
        report = self.evaluate(project, jurisdiction, as_of, readings=readings)
        return replace(report, decisions=tuple(_spelled(d) for d in report.decisions))


class _Plan(NamedTuple):
    run: tuple[CompiledPack, ...]
    used: tuple[PackRef, ...]
    notices: tuple[Notice, ...]
    provision_paths: Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]]
    scoring_rules: tuple[Rule, ...]
    resting_rules: frozenset[str]
    consulted: tuple[Pack, ...]
    readings: Mapping[str, str]  # slot → the packs' answer, for every reading with one
    reading_slots: frozenset[str]  # the slot of every reading of the packs that run
    context: Mapping[str, bool]  # per pack: whether it is applied for a jurisdiction below its own
    score_parameters: Mapping[str, tuple[str, ...]]  # scoring rule → the local parameters of its score


def _spelled(decision: Decision) -> Decision:
    """The same decision with every lazy detail read out into a plain one."""
    return Decision(**{name: getattr(decision, name) for name in DECISION_FIELDS})


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


def _readings_notice(resting: Sequence[tuple[str, tuple[str, ...]]], readings: Mapping[str, ReadingSpec]) -> Notice:
    """Say which decisions rest on a reading (an interpretation the pack declares), and which."""
    used = dict.fromkeys(name for _, names in resting for name in names)
    zh = "；".join(f"{n}（{readings[n].provision}：{readings[n].question_zh} 所取答案："
                  f"{_answer(readings[n], 'zh')}）" for n in used)
    en = "; ".join(f"{n} ({readings[n].provision}: {readings[n].question_en} Answer taken: "
                   f"{_answer(readings[n], 'en')})" for n in used)
    rules = [rule for rule, _ in resting]
    return Notice(
        "readings",
        f"以下决定依据对原文的解读（原文未作规定，规则包声明了所取的解读，可按其他解读重新评估）："
        f"{'、'.join(rules)}。解读：{zh}",
        f"These decisions rest on readings of questions the text does not settle (declared by the pack; "
        f"evaluate with another answer to compare): {', '.join(rules)}. Readings: {en}",
    )


def _answer(spec: ReadingSpec, lang: str) -> str:
    if spec.answer is None:
        return "未作选择" if lang == "zh" else "none"
    alt = spec.alternatives[spec.answer]
    return f"{spec.answer} — {alt.zh if lang == 'zh' else alt.en}"


def _chosen_notice(chosen: Mapping[str, str | None], readings: Mapping[str, ReadingSpec]) -> Notice:
    """Say that the caller answered readings otherwise than the packs."""
    zh = "；".join(f"{n} = {a if a is not None else '（不作选择）'}（规则包所取：{readings[n].answer}）"
                  for n, a in chosen.items())
    en = "; ".join(f"{n} = {a if a is not None else '(no position)'} (the pack takes: {readings[n].answer})"
                   for n, a in chosen.items())
    return Notice("readings-chosen", f"本次评估按调用方指定的解读进行：{zh}",
                  f"This evaluation answers readings as the caller chose: {en}")


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


class _Unkeyed(Exception):
    """A fact's value is not one a shared memo can key on."""


_PLAIN = frozenset({bool, int, str, _dt.date, type(None), type(NOT_HAPPENED)})


def _value_key(value: Any) -> Any:
    """``value`` as a memo key that tells apart whatever an explanation writes differently."""
    kind = type(value)
    if kind is Decimal:
        return kind, str(value)
    if kind in _PLAIN:
        return kind, value
    raise _Unkeyed


_READS: dict[int, tuple[Condition, tuple[str, ...]]] = {}


def _reads(cond: Condition) -> tuple[str, ...]:
    """Every slot of the facts mapping ``cond`` reads: its facts, and the slots of its readings and
    of where its pack is applied. Memoized by node identity."""
    entry = _READS.get(id(cond))
    if entry is not None and entry[0] is cond:
        return entry[1]
    slots = dict.fromkeys(leaf.fact for leaf in iter_leaves(cond))
    slots.update(dict.fromkeys(facts_used(cond)))
    if len(_READS) >= 65536:
        _READS.clear()
    _READS[id(cond)] = (cond, tuple(slots))
    return _READS[id(cond)][1]


def _remember(memo: dict[tuple[Any, ...], Any], key: tuple[Any, ...], value: Any) -> None:
    if len(memo) >= 65536:  # bounded, like the plans
        memo.clear()
    memo[key] = value


_IDS: dict[int, tuple[tuple[Leaf, ...], tuple[int, ...]]] = {}


def _ids(leaves: tuple[Leaf, ...]) -> tuple[int, ...]:
    """The identities of ``leaves`` (a rule's cone: it lives as long as its pack), memoized."""
    entry = _IDS.get(id(leaves))
    if entry is not None and entry[0] is leaves:
        return entry[1]
    if len(_IDS) >= 65536:
        _IDS.clear()
    found = tuple(map(id, leaves))
    _IDS[id(leaves)] = (leaves, found)
    return found


_READING_CONES: dict[int, tuple[CompiledPack, Mapping[str, tuple[Reading, ...]], tuple[Reading, ...]]] = {}


def _reading_cones(compiled: CompiledPack) -> tuple[Mapping[str, tuple[Reading, ...]], tuple[Reading, ...]]:
    """The reading leaves of each rule's cone (rule id → leaves, in cone order) and of the scope's
    cone: most rules read none, so their open readings need no walk. Memoized by pack identity."""
    entry = _READING_CONES.get(id(compiled))
    if entry is not None and entry[0] is compiled:
        return entry[1], entry[2]
    own = MappingProxyType({rule.rule.id: tuple(x for x in rule.cone if isinstance(x, Reading))
                            for rule in compiled.rules})
    scope = tuple(x for x in compiled.scope_cone if isinstance(x, Reading))
    if len(_READING_CONES) >= 256:  # bounded: engines come and go in long-lived processes
        _READING_CONES.clear()
    _READING_CONES[id(compiled)] = (compiled, own, scope)
    return own, scope


class _Evaluation:
    """One project under one pack: the decision procedure (``deciding.Procedure``) over the
    project's facts, and the wording of each decision, spelled out when a caller first reads it.

    It is the procedure's valuation: condition values come from the compiled conditions over the
    facts, deadline states from the calendar. Every status comes from ``Procedure.outcome``;
    the wording only renders that outcome.
    """

    __slots__ = ("as_of", "calendar", "compiled", "deadlines", "derived", "explained", "facts", "flipped", "leaves",
                 "outcomes", "_procedure", "_vector", "provisional", "rested", "score_parameters", "shared",
                 "signature", "vocab")

    def __init__(self, compiled: CompiledPack, facts: Facts, as_of: _dt.date, calendar: Calendar,
                 vocab: Vocabulary, derived: Mapping[str, tuple[Any, str]] | None = None,
                 score_parameters: Mapping[str, tuple[str, ...]] | None = None,
                 shared: dict[tuple[Any, ...], Any] | None = None,
                 ) -> None:
        self.compiled = compiled
        self.derived = derived or {}
        self.score_parameters = score_parameters or {}
        self.facts = facts
        self.as_of = as_of
        self.calendar = calendar
        self.vocab = vocab
        self.explained: dict[str, Decision] = {}
        self.outcomes: dict[str, Outcome] = {}
        self.leaves: dict[int, bool | None] = {}  # id(leaf) → value; the leaves live as long as the pack
        self.deadlines: dict[str, DeadlineState | None] = {}
        self.rested: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self.flipped: dict[Any, tuple[Procedure, ...]] = {}  # a reading, or a leaf's canonical id → its flips
        self.shared = shared
        self.signature: tuple[Any, ...] | None = None
        self.provisional: list[str] = []
        self._procedure: Procedure | None = None
        self._vector: list[bool | None] | None = None

    @property
    def procedure(self) -> Procedure:
        """The reference procedure over this valuation: completions, "rests on" and the wording's
        questions (which scope rule, which exception) are answered by it, made on first need."""
        if self._procedure is None:
            self._procedure = Procedure(self.compiled, self, self.vocab, generated=generated(self.compiled, self.calendar))
        return self._procedure

    def vector(self) -> list[bool | None]:
        """Every leaf's value, by its slot in the generated code (for the procedure's completions)."""
        if self._vector is None:
            self._vector = generated(self.compiled, self.calendar).leaves(self.facts.get)
        return self._vector

    # -- the valuation the procedure reads ------------------------------------------------------

    def value(self, cond: Condition, compiled: Compiled) -> bool | None:
        return compiled(self.facts)

    def leaf(self, leaf: Leaf) -> bool | None:
        # Memoized by identity: hashing a condition node walks its fields, which cost more than the test.
        key = id(leaf)
        memo = self.leaves
        if key in memo:
            return memo[key]
        value = memo[key] = compiled_leaf(leaf, self.calendar)(self.facts)
        return value

    def deadline(self, rule: CompiledRule) -> DeadlineState | None:
        """Where the deadline of ``rule`` stands on ``as_of``; None if its start date is missing."""
        key = rule.rule.id
        if key in self.deadlines:
            return self.deadlines[key]
        spec = rule.rule.deadline
        assert spec is not None
        facts = self.facts
        start = facts.get(spec.start)
        state: DeadlineState | None
        if start is None:
            state = None
        elif start is NOT_HAPPENED:  # the act the period counts from did not take place: it never began
            state = DeadlineState(Status.NOT_APPLICABLE)
        else:
            result = self.calendar.period_end(start, spec.within)
            due = result.date
            done_dates = [facts.get(n) for n in spec.done]
            # Done when every act is done, on the latest of them (e.g. 初验 and 试运行 both finished);
            # an act not recorded (or stated as not done) has not been done as of as_of.
            if spec.done and all(d is not None and d is not NOT_HAPPENED for d in done_dates):
                done = max(cast("list[_dt.date]", done_dates))  # none is None or NOT_HAPPENED (checked above)
                status = Status.SATISFIED if done <= due else Status.VIOLATED
            else:
                status = Status.PENDING if self.as_of <= due else Status.OVERDUE
            state = DeadlineState(status, due, result.provisional)
        self.deadlines[key] = state
        return state

    # -- every decision ---------------------------------------------------------------------------

    def outcome(self, rule: CompiledRule) -> Outcome:
        found = self.outcomes.get(rule.rule.id)
        if found is None:
            self.decide_all()
            found = self.outcomes[rule.rule.id]
        return found

    def decide_all(self) -> tuple[Outcome, ...]:
        """Every rule's outcome, from the pack's generated procedure (``codegen``); the open ones are
        completed by the reference ``Procedure`` (all completions)."""
        code = generated(self.compiled, self.calendar)
        decided, opened = code.run(self.facts.get, self.deadline)
        if opened:
            procedure = self.procedure
            decided = tuple(procedure.outcome(rule) if o[0] is _UNKNOWN or o[7] else o
                            for rule, o in zip(self.compiled.rules, decided))
        self.outcomes = dict(zip(code.rule_ids, decided))
        return decided

    def fast_run(self) -> list[Decision]:
        """The decisions of every rule: statuses decided now, wording left until it is read."""
        make = tuple.__new__
        out: list[Decision] = []
        append = out.append
        for rule, o in zip(self.compiled.rules, self.decide_all()):
            if rule.eager and not o.out_of_scope and o.status is not _NOT_APPLICABLE:
                append(self.plain_decision(rule.rule.id))  # e.g. a score: computed and spelled out at once
                continue
            if o.provisional:
                self.provisional.append(rule.rule.id)
            open_ = o.status is _UNKNOWN or o.requirement_open
            append(make(Decision, rule.head + (
                o.status, LAZY if open_ else (), o.due, o.provisional, o.overridden_by, self, o.unclaimed,
                () if open_ or o.out_of_scope else LAZY)))
        return out

    def run(self) -> list[Decision]:
        """Every decision spelled out at once (the reference the lazy decisions are tested against)."""
        return [self.plain_decision(rule.rule.id) for rule in self.compiled.rules]

    # -- what a lazy decision asks for when its details are read (report.LazyDetails) --------------

    def decision_facts(self, rule: str) -> tuple[tuple[str, Any], ...]:
        return self.used_facts(self.compiled.by_id[rule])

    def plain_decision(self, rule: str) -> Decision:
        """The decision of ``rule`` with every detail spelled out (memoized)."""
        memo = self.explained
        if rule not in memo:
            memo[rule] = self.render(self.compiled.by_id[rule])
        return memo[rule]

    def decision_explanation(self, rule: str) -> tuple[str, str]:
        plain = self.plain_decision(rule)
        return plain.explanation_zh, plain.explanation_en

    def decision_missing(self, rule: str) -> tuple[str, ...]:
        return self.plain_decision(rule).missing

    def decision_not_needed(self, rule: str) -> tuple[str, ...]:
        return self.plain_decision(rule).not_needed

    def decision_local_parameters(self, rule: str) -> tuple[str, ...]:
        return self.rests(self.compiled.by_id[rule])[0]

    def decision_readings(self, rule: str) -> tuple[str, ...]:
        return self.rests(self.compiled.by_id[rule])[1]

    def decision_rests(self, rule: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return self.rests(self.compiled.by_id[rule])

    # -- what a decision rests on ----------------------------------------------------------------

    def rests(self, rule: CompiledRule) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The local parameters and the readings whose values decide this decision's status.

        A decision rests on one where changing it would change the status: a comparison with a
        local parameter (or with a total or grade a score computed from local parameters) whose
        result, turned round, changes the status; a reading for which another answer does. A
        score's decision rests on its weights and grade table once it computes a total.
        """
        key = rule.rule.id
        found = self.rested.get(key)
        if found is not None:
            return found
        signature: tuple[Any, ...] | None = None
        memo = self.shared
        if memo is not None and rule.rule.scoring is None and self.sensitive(rule):
            # The answer depends only on the values of the leaves the decision reads (its cone and
            # the scope's), the deadline's state, the claims of exceptions the project must
            # establish, the readings' answers and where the scores come from: equal on those,
            # equal answer, so it is looked up rather than found again by the sensitivity runs.
            signature = (key, self.signature or self.evaluation_signature(), self.leaf_values(rule.cone),
                         self.deadline(rule) if rule.rule.deadline is not None else None)
            shared: tuple[tuple[str, ...], tuple[str, ...]] | None = memo.get(signature)
            if shared is not None:
                self.rested[key] = shared
                return shared
        params, readings = self.status_rests(rule)
        score = rule.rule.scoring
        if score is not None and not self.outcome(rule).out_of_scope:
            spelled = self.plain_decision(key)
            if spelled.score is not None and spelled.score.total is not None:
                params.update(dict.fromkeys(score.parameters()))
        found = self.rested[key] = (tuple(params), tuple(readings))
        if signature is not None and memo is not None:
            _remember(memo, signature, found)
        return found

    def sensitive(self, rule: CompiledRule) -> tuple[Leaf, ...]:
        """The leaves whose change could change the decision. Out of scope, only the scope's own
        leaves can change the answer; toggling the rule's would not."""
        return rule.sensitive if rule.is_scope else rule.sensitive + self.compiled.scope_sensitive

    def status_rests(self, rule: CompiledRule) -> tuple[dict[str, None], dict[str, None]]:
        """What ``rests`` finds from the status alone (not from a score's weights): the local
        parameters and readings a changed value of would change the status, in order."""
        outcome = self.outcome(rule)
        params: dict[str, None] = {}
        readings: dict[str, None] = {}
        sensitive = self.sensitive(rule)
        if sensitive:
            known = [leaf for leaf in dict.fromkeys(sensitive) if self.leaf(leaf) is not None]
            for leaf in self.procedure.rests_on(rule, outcome, known, self.flips):
                if isinstance(leaf, Reading):
                    readings[leaf.reading] = None
                else:
                    params.update(dict.fromkeys(self.leaf_parameters(leaf)))
        if outcome.status is Status.UNKNOWN or outcome.requirement_open:
            # Open because the pack takes no position on a reading: the decision turns on it.
            readings.update(dict.fromkeys(self.open_readings(rule)))
        return params, readings

    def leaf_values(self, leaves: tuple[Leaf, ...]) -> tuple[bool | None, ...]:
        """The values of ``leaves`` (``leaf`` of each), read straight from the memo where all are there."""
        try:
            return tuple(map(self.leaves.__getitem__, _ids(leaves)))
        except KeyError:
            return tuple(map(self.leaf, leaves))

    def evaluation_signature(self) -> tuple[Any, ...]:
        """The part of every decision's "rests on" signature the whole evaluation shares: the pack
        (compiled once per engine, so its identity is stable), the scope's leaf values, the claims of the exceptions the project must establish, the readings' answers
        and the sources of derived scores."""
        compiled, facts = self.compiled, self.facts
        by_id, lifts = compiled.by_id, self.procedure.lifts
        found = self.signature = (
            id(compiled),  # two packs may share rule ids (versions in force at different dates)
            self.leaf_values(compiled.scope_cone),
            tuple(lifts(by_id[e]) is True for e in compiled.burdened),
            tuple(facts.get(READING_SLOT + name) for name in compiled.reading_leaves),
            tuple((name, source[1]) for name, source in self.derived.items()),
        )
        return found

    def flips(self, leaf: Leaf) -> Iterator[Procedure]:
        """The procedures with ``leaf`` changed: one per other answer of its reading, or the one with
        its opposite value. Built once per evaluation (per reading; per leaf and every leaf equal to
        it) and shared by every decision that asks."""
        flipped = self.flipped
        if isinstance(leaf, Reading):
            key: Any = ("@", leaf.reading)
            found = flipped.get(key)
            if found is None:
                chosen = self.facts.get(leaf.fact)
                spec = self.compiled.pack.readings.get(leaf.reading)
                siblings = [x for x in self.compiled.reading_leaves.get(leaf.reading, ()) if self.leaf(x) is not None]
                found = flipped[key] = tuple(
                    self.procedure.changed({x: answer in x.values for x in siblings})
                    for answer in (spec.alternatives if spec is not None else ()) if answer != chosen)
            return iter(found)
        key = self.compiled.canonical.get(id(leaf), id(leaf))
        found = flipped.get(key)
        if found is None:
            found = flipped[key] = (self.procedure.changed({leaf: not self.leaf(leaf)}),)
        return iter(found)

    def leaf_parameters(self, leaf: Leaf) -> tuple[str, ...]:
        """The local parameters a comparison's result rests on: its own, or a score's it reads."""
        found: list[str] = []
        if isinstance(leaf, Compare) and isinstance(leaf.value, Literal) and leaf.value.param is not None:
            found.append(leaf.value.param)
        for name in facts_used(leaf):
            source = self.derived.get(name)
            if source is not None:
                found.extend(self.score_parameters.get(source[1], ()))
        return tuple(found)

    # -- wording ---------------------------------------------------------------------------------

    def used_facts(self, rule: CompiledRule) -> tuple[tuple[str, Any], ...]:
        facts = self.facts
        return tuple((n, facts[n]) for n in rule.facts if n in facts)

    def render(self, rule: CompiledRule) -> Decision:
        """The decision of ``rule`` in words: the procedure's outcome, explained."""
        r = rule.rule
        o = self.outcome(rule)
        # A score's own parameters are added by ``scored`` (``rests`` reads this rendering for them).
        if r.scoring is None:
            params, readings = self.rests(rule)
        else:
            found_params, found_readings = self.status_rests(rule)
            params, readings = tuple(found_params), tuple(found_readings)
        base: dict[str, Any] = dict(
            rule=r.id, pack=r.pack, kind=r.kind.value, outcome=r.outcome, title_zh=r.title_zh,
            title_en=r.title_en, citations=r.cites, facts=self.used_facts(rule),
            in_principle=r.in_principle, exception_to=r.exception_to, status=o.status,
            overridden_by=o.overridden_by, unclaimed=o.unclaimed, local_parameters=params, readings=readings,
        )
        if not (o.status is Status.UNKNOWN or o.requirement_open or o.out_of_scope):
            base["not_needed"] = self.open_facts(rule)
        claim_zh, claim_en = self.unclaimed_words(o.unclaimed)
        settled_zh = "（缺少的事实无论取何值，结论都相同）" if o.settled else ""
        settled_en = " (whatever the missing facts are, the answer is the same)" if o.settled else ""
        if o.out_of_scope:
            settled_by = self.procedure.scope()[1]
            names_zh = "、".join(f"{s.rule.title_zh}（{s.rule.cites[0].label}）" for s in settled_by)
            names_en = "; ".join(f"“{s.rule.title_en}” ({s.rule.cites[0].label})" for s in settled_by)
            return Decision(
                **base,
                explanation_zh="不适用：项目不在本办法适用范围内" + (f"：{names_zh}" if names_zh else ""),
                explanation_en="Not applicable: the project is outside this measure's scope"
                + (f": {names_en}" if names_en else ""),
            )
        if o.status is Status.NOT_APPLICABLE and not o.settled:
            return self.not_applicable(rule, base, o)
        if o.status is Status.UNKNOWN:
            missing = self.missing(rule)
            names = self.fact_names(missing)
            open_readings = self.open_readings(rule)
            zh = f"无法判断：缺少{names[0]}" if missing else "无法判断"
            en = f"Unknown: missing {names[1]}" if missing else "Unknown"
            if open_readings:
                zh += "；本规则包对以下解读未作选择：" + "、".join(open_readings)
                en += "; the pack takes no position on the readings " + ", ".join(open_readings)
            return Decision(**base, missing=missing, explanation_zh=zh + claim_zh, explanation_en=en + claim_en)
        if r.scoring is not None:
            return self.scored(rule, base)
        if r.deadline is not None and not o.settled:
            return self.deadline_words(rule, base, o, claim_zh, claim_en)
        if o.settled:
            word_zh, word_en = _STATUS_WORDS[o.status]
            return Decision(**base, due=o.due, provisional=o.provisional,
                            explanation_zh=f"{word_zh}{settled_zh}" + claim_zh + self.principle_zh(r),
                            explanation_en=f"{word_en}{settled_en}" + claim_en)
        when_zh, when_en = self.why(r.when)
        if rule.require is not None:
            assert r.require is not None
            if o.requirement_open:
                needed = self.missing_facts(r.require)
                names = self.fact_names(needed)
                zh = f"缺少{names[0]}" if needed else ""
                en = f"missing {names[1]}" if needed else ""
                open_readings = self.open_readings(rule)
                if open_readings:
                    zh += ("；" if zh else "") + "本规则包对以下解读未作选择：" + "、".join(open_readings)
                    en += ("; " if en else "") + "the pack takes no position on the readings " + ", ".join(open_readings)
                return Decision(
                    **base, missing=needed,
                    explanation_zh=f"适用（{when_zh}）；是否满足要求未知：{zh}" + claim_zh + self.principle_zh(r),
                    explanation_en=f"Applies ({when_en}); compliance unknown: {en}" + claim_en,
                )
            detail_zh, detail_en = self.explain_both(r.require)
            word_zh, word_en = _STATUS_WORDS[o.status]
            return Decision(
                **base, explanation_zh=f"{word_zh}：{detail_zh}" + claim_zh + self.principle_zh(r),
                explanation_en=f"{word_en}: {detail_en}" + claim_en,
            )
        return Decision(**base, explanation_zh=f"适用：{when_zh}" + claim_zh + self.principle_zh(r),
                        explanation_en=f"Applies: {when_en}" + claim_en)

    def unclaimed_words(self, unclaimed: Sequence[str]) -> tuple[str, str]:
        """"（除非能证明：…）": the exceptions the project must establish and has not."""
        if not unclaimed:
            return "", ""
        by_id = self.compiled.by_id
        zh = "；".join(f"{by_id[e].rule.title_zh}（{by_id[e].rule.cites[0].label}，须{self.fact_names(self.claim_facts(e))[0]}）"
                      for e in unclaimed)
        en = "; ".join(f"“{by_id[e].rule.title_en}” ({by_id[e].rule.cites[0].label}; needs "
                       f"{self.fact_names(self.claim_facts(e))[1]})" for e in unclaimed)
        return f"（除非能证明例外情形：{zh}）", f" (unless the project shows the exception: {en})"

    def claim_facts(self, exception: str) -> tuple[str, ...]:
        """The facts that would establish ``exception`` (those its decision still lacks, else all it reads)."""
        rule = self.compiled.by_id[exception]
        missing = self.missing(rule)
        return missing or rule.rule.facts()

    def open_facts(self, rule: CompiledRule) -> tuple[str, ...]:
        """The missing facts a decided rule reads (beside the scope's): whatever their values, the
        status is the same (Kleene's logic or all completions showed it), so they are not needed."""
        found: dict[str, None] = {}
        leaf_value = self.leaf
        leaves = rule.cone
        if not rule.is_scope and self.procedure.scope()[0] is None:  # the scope was settled only by completions
            leaves = self.compiled.scope_cone + leaves
        for leaf in leaves:
            if leaf_value(leaf) is None:
                found.update((n, None) for n in facts_used(leaf) if self.facts.get(n) is None)
        if rule.rule.deadline is not None and self.facts.get(rule.rule.deadline.start) is None:
            found[rule.rule.deadline.start] = None
        return tuple(found)

    def open_readings(self, rule: CompiledRule) -> tuple[str, ...]:
        """The readings the pack takes no position on among the leaves the decision reads (those of
        ``Procedure.open_leaves`` that are readings, found from the few reading leaves alone)."""
        own, scope = _reading_cones(self.compiled)
        leaves = own[rule.rule.id]
        if scope and not rule.is_scope and self.procedure.scope()[0] is None:
            leaves += scope
        if not leaves:
            return ()
        value = self.leaf
        return tuple(dict.fromkeys(leaf.reading for leaf in leaves if value(leaf) is None))

    def missing(self, rule: CompiledRule) -> tuple[str, ...]:
        """The missing facts that leave ``rule``'s decision open: the scope's, its own and its exceptions'."""
        found: dict[str, None] = {}
        facts = self.facts
        if not rule.is_scope and self.procedure.scope()[0] is None:
            for scope_rule in self.compiled.includes + self.compiled.excludes:
                if self.procedure.fired(scope_rule) is None:
                    found.update(dict.fromkeys(self.missing_of(scope_rule)))
        found.update(dict.fromkeys(self.missing_of(rule)))
        # Also name what the requirement or deadline itself would need, so one round of questions suffices.
        if rule.require is not None and rule.rule.require is not None and rule.require(facts) is None:
            found.update(dict.fromkeys(self.missing_facts(rule.rule.require)))
        if rule.rule.deadline is not None and facts.get(rule.rule.deadline.start) is None:
            found[rule.rule.deadline.start] = None
        return tuple(found)

    def missing_of(self, rule: CompiledRule) -> tuple[str, ...]:
        """Missing facts that leave ``rule``'s firing unknown (its own condition, then its exceptions)."""
        found: dict[str, None] = {}
        facts, by_id, procedure = self.facts, self.compiled.by_id, self.procedure
        if rule.rule.when is not None and rule.when(facts) is None:
            found.update(dict.fromkeys(self.missing_facts(rule.rule.when)))
        base_id = rule.rule.exception_to
        while base_id is not None:  # an exception is only as live as the chain above it
            base = by_id[base_id]
            if base.rule.when is not None and base.when(facts) is None:
                found.update(dict.fromkeys(self.missing_facts(base.rule.when)))
            base_id = base.rule.exception_to
        for exc_id in rule.exceptions:
            exc = by_id[exc_id]
            if procedure.lifts(exc) is None:
                found.update(dict.fromkeys(self.missing_of(exc)))
                if exc.rule.lifts == "when_met" and exc.rule.require is not None and exc.require is not None \
                        and exc.require(facts) is None:
                    found.update(dict.fromkeys(self.missing_facts(exc.rule.require)))
        return tuple(found)

    def scored(self, rule: CompiledRule, base: dict[str, Any]) -> Decision:
        """A scoring rule's decision: the breakdown, the total and grade, and what pulled it down."""
        spec = rule.rule.scoring
        assert spec is not None
        result = compute_score(spec, self.facts)
        if result.total is None:
            names = self.fact_names(result.missing)
            return Decision(
                **{**base, "status": Status.APPLIES}, missing=result.missing, score=result,
                explanation_zh=f"适用；无法计算总分：缺少{names[0]}",
                explanation_en=f"Applies; the total cannot be computed: missing {names[1]}",
            )
        base = {**base, "status": Status.APPLIES, "local_parameters": spec.parameters()}
        grade_fact = self.vocab[spec.grade]
        grade_zh = grade_fact.values.get(result.grade or "", result.grade)
        zh = f"总分 {result.total}，等级 {grade_zh}（权重与等级表为本地参数）"
        en = f"Total {result.total}, grade {result.grade} (weights and grade bands are local parameters)"
        weakest = result.weakest()
        if weakest is not None and weakest.lost:
            fact = self.vocab[weakest.fact]
            zh += f"；失分最多的维度：{fact.zh}（得分 {weakest.score}，权重 {weakest.weight}%，失 {weakest.lost} 分）"
            en += f"; the dimension losing most: {fact.en} (score {weakest.score}, weight " \
                  f"{weakest.weight}%, {weakest.lost} points lost)"
        for name, computed in ((spec.total, result.total), (spec.grade, result.grade)):
            used = self.facts.get(name)
            if used is None or used == computed:
                continue
            source = self.derived.get(name)
            if source is None:
                zh += f"；项目申报的{self.vocab[name].zh}为 {used}，与计算结果不同，其他规则采用申报值"
                en += f"; the project states {self.vocab[name].en} = {used}, which differs; other rules use the " \
                      "stated value"
            else:
                zh += f"；其他规则采用 {source[1]} 计算的{self.vocab[name].zh} {used}"
                en += f"; other rules use {self.vocab[name].en} = {used} as computed by " \
                      f"“{self.compiled_title_en(source[1])}”"
        return Decision(score=result, **base, explanation_zh=zh, explanation_en=en)

    def compiled_title_en(self, rule_id: str) -> str:
        """The English title of a scoring rule of the chain (it may belong to another pack), else its id."""
        found = self.compiled.by_id.get(rule_id)
        if found is not None:
            return found.rule.title_en
        return rule_id

    def principle_zh(self, rule: Any) -> str:
        return "（原文为“原则上”，可能存在原文未列明的例外）" if rule.in_principle else ""

    def why(self, cond: Any) -> tuple[str, str]:
        if cond is None:
            return "本办法范围内的项目均适用", "every project within the measure's scope"
        return self.explain_both(cond)

    def explain_both(self, cond: Condition) -> tuple[str, str]:
        """``conditions.explain_both`` over this project's facts, shared between evaluations by the values read."""
        key = self.condition_key("explain", cond)
        if key is None:
            return explain_both(cond, self.facts, self.vocab, self.calendar)
        assert self.shared is not None
        found: tuple[str, str] | None = self.shared.get(key)
        if found is None:
            found = explain_both(cond, self.facts, self.vocab, self.calendar)
            _remember(self.shared, key, found)
        return found

    def missing_facts(self, cond: Condition) -> tuple[str, ...]:
        """``conditions.missing_facts`` over this project's facts, shared between evaluations by the values read."""
        key = self.condition_key("missing", cond)
        if key is None:
            return missing_facts(cond, self.facts, self.calendar)
        assert self.shared is not None
        found: tuple[str, ...] | None = self.shared.get(key)
        if found is None:
            found = missing_facts(cond, self.facts, self.calendar)
            _remember(self.shared, key, found)
        return found

    def condition_key(self, tag: str, cond: Condition) -> tuple[Any, ...] | None:
        """What a walk of ``cond`` over the facts depends on: the node, and the value (with its exact
        type and text: 1.0 and 1.00 are written differently) of every slot it reads; None where a
        value is not one of the plain kinds a project holds, or nothing is shared."""
        if self.shared is None:
            return None
        facts = self.facts
        try:
            return (tag, id(cond), tuple([_value_key(facts.get(name)) for name in _reads(cond)]))
        except _Unkeyed:
            return None

    def fact_names(self, names: Iterable[str]) -> tuple[str, str]:
        names = list(names)
        vocab = self.vocab
        zh = "、".join(vocab[n].label() for n in names)
        en = "; ".join(vocab[n].en for n in names)
        return zh, en

    def not_applicable(self, rule: CompiledRule, base: dict[str, Any], o: Outcome) -> Decision:
        facts, by_id = self.facts, self.compiled.by_id
        if o.overridden_by is not None:
            winner = by_id[o.overridden_by].rule
            return Decision(
                **base,
                explanation_zh=f"不适用：例外规则“{winner.title_zh}”（{winner.cites[0].label}）优先适用",
                explanation_en=f"Not applicable: the exception “{winner.title_en}” ({winner.cites[0].label}) prevails",
            )
        base_id = rule.rule.exception_to
        if base_id is not None and rule.when(facts) is not False:
            dead = by_id[base_id]
            while dead.when(facts) is not False and dead.rule.exception_to is not None:
                dead = by_id[dead.rule.exception_to]
            direct = by_id[base_id].rule
            zh, en = self.why(dead.rule.when)
            if dead.rule.id == base_id:
                return Decision(**base,
                                explanation_zh=f"不适用：本条是“{direct.title_zh}”的例外，而该规则的条件不成立：{zh}",
                                explanation_en=f"Not applicable: this is an exception to “{direct.title_en}”, "
                                f"whose condition does not hold: {en}")
            return Decision(**base,
                            explanation_zh=f"不适用：本条是“{direct.title_zh}”的例外，该规则又依附于"
                            f"“{dead.rule.title_zh}”，而后者的条件不成立：{zh}",
                            explanation_en=f"Not applicable: this is an exception to “{direct.title_en}”, which "
                            f"qualifies “{dead.rule.title_en}”, whose condition does not hold: {en}")
        zh, en = self.why(rule.rule.when)
        return Decision(**base, explanation_zh=f"不适用：{zh}", explanation_en=f"Not applicable: {en}")

    def deadline_words(self, rule: CompiledRule, base: dict[str, Any], o: Outcome, claim_zh: str,
                       claim_en: str) -> Decision:
        deadline = rule.rule.deadline
        assert deadline is not None
        start = self.facts.get(deadline.start)
        start_fact = self.vocab[deadline.start]
        if start is NOT_HAPPENED:
            return Decision(**base, explanation_zh=f"不适用：{start_fact.zh}所记事项未发生，期限未起算",
                            explanation_en=f"Not applicable: {start_fact.en}: the act did not take place; the "
                            "period never began")
        period = deadline.within.describe()
        due = o.due
        assert due is not None and start is not None  # a due date was computed from the start
        lead_zh = f"自{start_fact.zh} {start.isoformat()} 起{period}内，截止 {due.isoformat()}"
        lead_en = f"{deadline.within.describe_en()} from {start_fact.en} ({start.isoformat()}): due {due.isoformat()}"
        if o.provisional:
            years = self.calendar.period_end(start, deadline.within).assumed_years
            lead_zh += f"（{'、'.join(map(str, years))}年尚无官方节假日安排，按周末和法定固定日期节日暂算，结果暂定）"
            lead_en += f" (provisional: no official schedule for {', '.join(map(str, years))})"
        if o.status in (Status.SATISFIED, Status.VIOLATED):
            done = max(self.facts[n] for n in deadline.done)
            on_time = o.status is Status.SATISFIED
            tail_zh = f"；{done.isoformat()} 完成，" + ("按期" if on_time else "逾期")
            tail_en = f"; done {done.isoformat()}, " + ("on time" if on_time else "late")
        else:
            not_done = [n for n in deadline.done if self.facts.get(n) is NOT_HAPPENED]
            how_zh = "未完成" if not_done else "未记录完成"
            how_en = "not done" if not_done else "no completion recorded"
            if o.status is Status.PENDING:
                tail_zh, tail_en = f"；截至 {self.as_of.isoformat()} {how_zh}，仍在期限内", \
                    f"; {how_en} as of {self.as_of.isoformat()}, still within the period"
            else:
                tail_zh, tail_en = f"；截至 {self.as_of.isoformat()} {how_zh}，已逾期", \
                    f"; {how_en} as of {self.as_of.isoformat()}, overdue"
        return Decision(**base, due=due, provisional=o.provisional,
                        explanation_zh=lead_zh + tail_zh + claim_zh, explanation_en=lead_en + tail_en + claim_en)


# An enum member's lookup (0.1–0.3 µs on Python 3.11) costs more than a rule of the generated code.
_UNKNOWN, _NOT_APPLICABLE = Status.UNKNOWN, Status.NOT_APPLICABLE

_STATUS_WORDS: Mapping[Status, tuple[str, str]] = MappingProxyType({
    Status.APPLIES: ("适用", "Applies"),
    Status.NOT_APPLICABLE: ("不适用", "Not applicable"),
    Status.SATISFIED: ("满足要求", "Satisfied"),
    Status.VIOLATED: ("违反要求", "Violated"),
    Status.PENDING: ("仍在期限内", "Pending"),
    Status.OVERDUE: ("已逾期", "Overdue"),
    Status.UNKNOWN: ("无法判断", "Unknown"),
})


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



