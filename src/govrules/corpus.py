"""Project corpora: JSON Lines files of projects, read with located problems or generated from a pack.

A corpus file holds one project per line (a JSON object valid under ``projects.parse_project``).
``generate`` builds a deterministic corpus that exercises a jurisdiction's packs at their
boundaries: for every literal in a condition, a value at it, just below and just above it (以上
includes the number, 超过 does not: both sides are needed); for comparisons with another fact, the
same around that fact's value; for deadlines, acts done on the due date and the day after; for
enums and yes/no facts, every value; then random projects. Same packs, ``n`` and seed → same bytes.
"""

from __future__ import annotations

import datetime as _dt
import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from .calendar import Calendar
from .conditions import AppliedFor, Compare, Equals, Happened, Known, Leaf, Literal, OneOf, Reading, iter_leaves, show_value
from .errors import ProjectError, ProjectProblem
from .evaluation import Engine
from .model import Pack
from .projects import DuplicateKeyError, Project, json_value, parse_project, read_project_bytes, unique_keys
from .report import Report, Status
from .vocabulary import NOT_HAPPENED, FactType, Vocabulary

__all__ = ["CorpusEntry", "boundary_count", "dumps", "generate", "read_corpus"]

#: A corpus is read whole (it is compared project by project); no corpus comes near this.
MAX_CORPUS_BYTES = 256 * 1024 * 1024

_ABSENT = object()  # a fact left out of the project (for {known: …} conditions)
_WINDOW = (_dt.date(2025, 1, 1), _dt.date(2027, 6, 30))
# Start dates just before the long 2026 holidays (春节, 劳动节, 国庆), so deadlines cross 调休 days.
_HOLIDAY_EVES = (_dt.date(2026, 2, 13), _dt.date(2026, 4, 30), _dt.date(2026, 9, 30), _dt.date(2026, 12, 31))
_TRIES = 8
#: Random projects added after the boundary probes when no size is given.
RANDOM_EXTRA = 100
_CLIMB = 300


@dataclass(frozen=True, slots=True)
class CorpusEntry:
    """One project of a corpus and the line it came from."""

    line: int
    project: Project


def read_corpus(path: Path | str) -> list[CorpusEntry]:
    """Read a JSON Lines corpus; ``ProjectError`` lists every bad line and field, each with its line number.

    Blank lines are skipped. Amounts may be JSON numbers or text; decimals are read exactly.
    """
    path = Path(path)
    source = str(path)
    raw = read_project_bytes(path, MAX_CORPUS_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProjectError([ProjectProblem(field="(file)", code="encoding",
                                           message=f"not UTF-8 text (byte {exc.start})")], source=source) from None
    entries: list[CorpusEntry] = []
    problems: list[ProjectProblem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line, parse_float=Decimal, parse_constant=_no_constant, object_pairs_hook=unique_keys)
        except DuplicateKeyError as exc:
            problems.append(ProjectProblem(field=f"line {number}: {exc.key}", code="duplicate-key",
                                           message="is given more than once; give each field once"))
            continue
        except RecursionError:
            problems.append(ProjectProblem(field=f"line {number}", code="too-deep",
                                           message="nested too deeply to be a project"))
            continue
        except ValueError as exc:
            problems.append(ProjectProblem(field=f"line {number}", code="syntax", message=f"not valid JSON: {exc}"))
            continue
        try:
            entries.append(CorpusEntry(number, parse_project(data, source=f"{source}:{number}")))
        except ProjectError as exc:
            problems.extend(ProjectProblem(field=f"line {number}: {p.field}", code=p.code, value=p.value,
                                           message=p.message, hint=p.hint) for p in exc.problems)
    if problems:
        raise ProjectError(problems, source=source)
    if not entries:
        raise ProjectError([ProjectProblem(field="(file)", code="empty", message="the corpus has no projects")],
                           source=source)
    return entries


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number govrules accepts")


# --------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Target:
    """Fact values to set, why (for the project's name), and the rule whose decision they probe."""

    values: tuple[tuple[str, Any], ...]
    why: str
    rule: str
    group: int = 0  # probes of one boundary (below, at, above) share a group and a background


def _step(vocab: Vocabulary, fact: str, values: Sequence[Any]) -> Any:
    kind = vocab[fact].type
    if kind is FactType.DATE:
        return _dt.timedelta(days=1)
    if kind is FactType.INTEGER:
        return 1
    if kind is FactType.AMOUNT:
        return Decimal("0.01")  # one fen: the smallest amount a form can state
    # A number's step is a hundredth, or a tenth of its finest written digit if that is finer.
    exponent = min([0] + [int(v.as_tuple().exponent) for v in values if isinstance(v, Decimal)])
    return min(Decimal("0.01"), Decimal(1).scaleb(exponent - 1))


def _around(vocab: Vocabulary, fact: str, value: Any) -> list[tuple[str, Any]]:
    """``value`` just below, at and just above, within what the fact's type allows."""
    step = _step(vocab, fact, [value])
    result = []
    for label, candidate in (("just below", value - step), ("at", value), ("just above", value + step)):
        if isinstance(candidate, (int, Decimal)) and candidate < 0:
            continue
        result.append((label, candidate))
    return result


def _show(value: Any) -> str:
    return "(absent)" if value is _ABSENT else str(json_value(value))


def _targets(pack: Pack, vocab: Vocabulary, calendar: Calendar, rng: random.Random,
             pools: dict[str, list[Any]]) -> list[_Target]:
    targets: list[_Target] = []
    for rule in pack.rules:
        for cond in (rule.when, rule.require):
            if cond is None:
                continue
            for leaf in iter_leaves(cond):
                group = len(targets)
                targets.extend(replace(t, group=group)
                               for t in _leaf_targets(leaf, rule.id, vocab, calendar, rng, pools))
        if rule.deadline is not None:
            d = rule.deadline
            for start in (rng.choice(_HOLIDAY_EVES), _random_date(rng)):
                group = len(targets)
                due = calendar.period_end(start, d.within).date
                for label, done in (("on the due date", due), ("a day late", due + _dt.timedelta(days=1))):
                    values = ((d.start, start),) + tuple((n, done) for n in d.done)
                    targets.append(_Target(values, f"{d.start} {start.isoformat()}, done {label} "
                                                    f"{done.isoformat()}", rule.id, group))
                targets.append(_Target(((d.start, start),) + tuple((n, _ABSENT) for n in d.done),
                                       f"{d.start} {start.isoformat()}, not done", rule.id, group))
    seen: set[tuple[Any, ...]] = set()
    unique = []
    for target in targets:
        key = (target.rule,) + tuple((f, _show(v)) for f, v in target.values)
        if key not in seen:
            seen.add(key)
            unique.append(target)
    return unique


def _leaf_targets(leaf: Leaf, rule: str, vocab: Vocabulary, calendar: Calendar,
                  rng: random.Random, pools: dict[str, list[Any]]) -> list[_Target]:
    if isinstance(leaf, (Reading, AppliedFor)):  # not a fact: the same for every project
        return []
    fact = leaf.fact
    if isinstance(leaf, Compare):
        if isinstance(leaf.value, Literal):
            bound = show_value(leaf.value.value, vocab[fact])
            return [_Target(((fact, v),), f"{fact} {label} {bound} ({leaf.op} {bound}): {_show(v)}", rule)
                    for label, v in _around(vocab, fact, leaf.value.value)]
        ref = leaf.value
        base = _random_value(vocab, ref.fact, rng, pools)
        if ref.times is not None:
            if isinstance(base, Decimal):
                # A whole hundred yuan, so that base × times is exact in fen and "at" is exactly at.
                base = base.quantize(Decimal(100)) if base >= 100 else Decimal(100)
            pivot = base * ref.times
        elif ref.plus is not None:
            pivot = calendar.span_end(base, ref.plus)  # as the condition counts it (第二百零一、二百零二条)
        else:
            pivot = base
        return [_Target(((ref.fact, base), (fact, v)), f"{fact} {label} {leaf.op} {ref.fact}"
                        + (f"×{ref.times}" if ref.times is not None else "")
                        + (f"+{ref.plus.describe()}" if ref.plus is not None else "") + f": {_show(v)}", rule)
                for label, v in _around(vocab, fact, pivot)]
    if isinstance(leaf, Known):
        return [_Target(((fact, _random_value(vocab, fact, rng, pools)),), f"{fact} given", rule),
                _Target(((fact, _ABSENT),), f"{fact} not given", rule)]
    if isinstance(leaf, Happened):  # the act took place, did not, or the project does not say
        return [_Target(((fact, _random_value(vocab, fact, rng, pools)),), f"{fact} happened", rule),
                _Target(((fact, NOT_HAPPENED),), f"{fact} did not happen", rule),
                _Target(((fact, _ABSENT),), f"{fact} not given", rule)]
    values = [leaf.value] if isinstance(leaf, Equals) else list(leaf.values)
    kind = vocab[fact].type
    if kind is FactType.BOOLEAN:
        values = [True, False]
    elif kind is FactType.ENUM:
        values = values + [v for v in vocab[fact].values if v not in values][:1]  # one value not listed
    return [_Target(((fact, v),), f"{fact} = {_show(v)}", rule) for v in values]


def _random_date(rng: random.Random) -> _dt.date:
    start, end = _WINDOW
    return start + _dt.timedelta(days=rng.randrange((end - start).days + 1))


def _random_value(vocab: Vocabulary, fact: str, rng: random.Random, pools: Mapping[str, list[Any]]) -> Any:
    pool = pools.get(fact)
    if pool and rng.random() < 0.7:
        return rng.choice(pool)
    kind = vocab[fact].type
    if kind is FactType.AMOUNT:
        if pool and rng.random() < 0.6:  # somewhere within half of a threshold either way
            base = rng.choice(pool)
            scaled = base * Decimal(rng.randrange(50, 151)) / 100
            return scaled.quantize(Decimal(10_000) if rng.random() < 0.7 else Decimal("0.01"))
        return Decimal(rng.randrange(1, 5000)) * 10_000 if rng.random() < 0.8 \
            else Decimal(rng.randrange(1, 50_000_000_00)) / 100
    if kind is FactType.NUMBER:
        return Decimal(rng.randrange(0, 1000)) / 10
    if kind is FactType.INTEGER:
        return rng.randrange(0, 20)
    if kind is FactType.DATE:
        return _random_date(rng)
    if kind is FactType.BOOLEAN:
        return rng.random() < 0.5
    if kind is FactType.ENUM:
        return rng.choice(list(vocab[fact].values))
    return rng.choice(("示例", "sample", "其他"))


def _pools(packs: Sequence[Pack], vocab: Vocabulary) -> dict[str, list[Any]]:
    """For every fact the packs read: the values their conditions name, and those around them."""
    pools: dict[str, list[Any]] = {}
    for pack in packs:
        for rule in pack.rules:
            for fact in rule.facts():
                pools.setdefault(fact, [])
            for cond in (rule.when, rule.require):
                for leaf in iter_leaves(cond) if cond is not None else ():
                    if isinstance(leaf, (Reading, AppliedFor)):  # not a fact a project states
                        continue
                    pool = pools.setdefault(leaf.fact, [])
                    if isinstance(leaf, Compare) and isinstance(leaf.value, Literal):
                        pool.extend(v for _, v in _around(vocab, leaf.fact, leaf.value.value))
                    elif isinstance(leaf, Equals):
                        pool.append(leaf.value)
                    elif isinstance(leaf, OneOf):
                        pool.extend(leaf.values)
    for fact in pools:  # yes/no and enum facts: every value equally, not only those a rule names
        if vocab[fact].type is FactType.BOOLEAN:
            pools[fact] = [True, False]
        elif vocab[fact].type is FactType.ENUM:
            pools[fact] = list(vocab[fact].values)
    return {fact: _dedupe(values) for fact, values in pools.items()}


def _dedupe(values: list[Any]) -> list[Any]:
    seen: dict[str, Any] = {}
    for v in values:
        seen.setdefault(f"{type(v).__name__}:{json_value(v)}", v)
    return list(seen.values())


def _as_json(facts: Mapping[str, Any], vocab: Vocabulary) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in vocab:  # vocabulary order: the same for every project, easy to read
        if name in facts and facts[name] is not _ABSENT:
            out[name] = json_value(facts[name])
    return out


def _live(report: Report) -> int:
    """How many rules a project exercises: decisions other than scope that are neither n/a nor unknown,
    the jurisdiction's own pack counting first (a parent's rules only break ties), so the anchor
    stays within the measure being probed."""
    own = sum(1 for d in report.decisions if d.pack in _own_packs(report)
              and d.kind != "scope" and d.status not in (Status.NOT_APPLICABLE, Status.UNKNOWN))
    rest = sum(1 for d in report.decisions
               if d.kind != "scope" and d.status not in (Status.NOT_APPLICABLE, Status.UNKNOWN))
    return own * 10_000 + rest


def _own_packs(report: Report) -> set[str]:
    return {p.id for p in report.packs if p.jurisdiction == report.jurisdiction}


def _status(report: Report, rule: str) -> Status | None:
    try:
        return report.decision(rule).status
    except KeyError:
        return None


def generate(engine: Engine, jurisdiction: str, n: int | None = None, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` projects for ``jurisdiction``: first the boundary probes of its packs, then random ones.

    Without ``n``: every boundary probe and ``RANDOM_EXTRA`` random projects. If ``n`` is smaller than
    the number of probes, the first ``n`` probes are returned (see ``boundary_count``). Each project
    carries ``id`` and a ``name`` saying what it probes.
    """
    vocab = engine.vocabulary
    chain = engine.chain(jurisdiction)
    packs = [p for level in chain for p in engine.packs if p.jurisdiction.id == level]
    as_of = max(p.document.in_force_from for p in packs)
    rng = random.Random(f"govrules-corpus:{jurisdiction}:{seed}")
    pools = _pools(packs, vocab)
    targets = [t for pack in packs for t in _targets(pack, vocab, engine.calendar, rng, pools)]
    facts = list(pools)
    if n is None:
        n = len(targets) + RANDOM_EXTRA
    projects: list[dict[str, Any]] = []

    def fresh() -> dict[str, Any]:
        return {f: _random_value(vocab, f, rng, pools) for f in facts if rng.random() < 0.6}

    # An anchor: a project under which many rules are live (in scope, decided), found by hill
    # climbing from a random one. Candidates are the anchor with some facts drawn again, then the
    # probed values, so most projects stay within the measure's scope while their facts still vary.
    anchor = fresh()
    # Start inside the measure being probed: a project its scope rules take in (the lint's solver
    # finds one), so the climb does not wander on a plateau where no rule is live.
    from .linting import Sat, _PackLogic, satisfiable

    for pack in packs:
        if pack.jurisdiction.id == jurisdiction:
            found, witness = satisfiable(_PackLogic(pack).in_scope(), vocab)
            if found is not Sat.UNSAT:
                anchor.update(witness)
    anchor_score = _live(engine.evaluate(_as_json(anchor, vocab), jurisdiction, as_of))
    for _ in range(_CLIMB):
        trial = dict(anchor)
        fact = rng.choice(facts)
        dropped = rng.random() < 0.2
        if dropped:
            trial.pop(fact, None)
        else:
            trial[fact] = _random_value(vocab, fact, rng, pools)
        score = _live(engine.evaluate(_as_json(trial, vocab), jurisdiction, as_of))
        # A fact is dropped only if that makes more rules live: with all completions, a missing fact
        # often leaves as many decided, and the probes need the background's facts to decide on.
        if score > anchor_score or score == anchor_score and not dropped:
            anchor, anchor_score = trial, score

    def background(redraw: float) -> dict[str, Any]:
        values = dict(anchor)
        for f in facts:
            if rng.random() < redraw:
                if rng.random() < 0.15:
                    values.pop(f, None)
                else:
                    values[f] = _random_value(vocab, f, rng, pools)
        return values

    index = 0
    while len(projects) < n:
        if index < len(targets):
            # The probes of one boundary share one background, chosen among a few so that the
            # probed rule's decision differs across them (the boundary decides), then so that
            # the rule is decided and many rules are live.
            group = [t for t in targets[index:] if t.group == targets[index].group][: n - len(projects)]
            best: list[dict[str, Any]] = []
            best_score = (-1, -1, -1)
            for _ in range(_TRIES):
                base = background(0.3)
                members = [_as_json({**base, **dict(t.values)}, vocab) for t in group]
                reports = [engine.evaluate(m, jurisdiction, as_of) for m in members]
                statuses = [_status(r, t.rule) for r, t in zip(reports, group, strict=True)]
                group_score = (len(set(statuses)),
                               sum(s not in (None, Status.UNKNOWN, Status.NOT_APPLICABLE) for s in statuses),
                               sum(_live(r) for r in reports))
                if group_score > best_score:
                    best, best_score = members, group_score
            for target, member in zip(group, best, strict=True):
                projects.append({"id": f"{jurisdiction}-{len(projects) + 1:04d}",
                                 "name": f"{target.rule}: {target.why}", **member})
            index += len(group)
            continue
        # Random projects stray further from the anchor; the one with most live rules is kept.
        options = [_as_json(background(0.6), vocab) for _ in range(_TRIES)]
        chosen = max(options, key=lambda m: _live(engine.evaluate(m, jurisdiction, as_of)))
        projects.append({"id": f"{jurisdiction}-{len(projects) + 1:04d}", "name": "random", **chosen})
    return projects


def boundary_count(engine: Engine, jurisdiction: str, seed: int = 0) -> int:
    """How many boundary probes ``generate`` makes for ``jurisdiction`` before random projects."""
    vocab = engine.vocabulary
    packs = [p for level in engine.chain(jurisdiction) for p in engine.packs if p.jurisdiction.id == level]
    rng = random.Random(f"govrules-corpus:{jurisdiction}:{seed}")
    pools = _pools(packs, vocab)
    return sum(len(_targets(pack, vocab, engine.calendar, rng, pools)) for pack in packs)


def dumps(projects: Sequence[Mapping[str, Any]]) -> str:
    """Projects as JSON Lines: one compact object per line, Chinese kept readable, ending in a newline."""
    return "".join(json.dumps(p, ensure_ascii=False, separators=(", ", ": ")) + "\n" for p in projects)
