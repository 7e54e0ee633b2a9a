"""The fast evaluation paths agree with the plain evaluator on every project (issue 5).

``Engine.evaluate`` computes statuses in a tight loop and spells out explanations on demand;
``Engine.evaluate_plain`` spells every decision out at once through the reference code; the batch
evaluator (``govrules.batch``) decides whole columns at a time. For hypothesis-generated projects
over every pack that ``govrules.load()`` finds, all of them must give the same decisions, the same
JSON and the same statuses. No timing here: speed is measured in benchmarks/.
"""

from __future__ import annotations

import datetime as _dt
import pickle
import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import govrules
from govrules import Decision, Project, Status
from govrules.conditions import Compare, Equals, FactRef, Literal, OneOf, iter_leaves
from govrules.vocabulary import FactType

ENGINE = govrules.load()
JURISDICTIONS = sorted(ENGINE.jurisdictions())
VOCAB = ENGINE.vocabulary


def _facts_and_constants() -> tuple[list[str], dict[str, set[Any]]]:
    """Every fact the loaded packs read, and the constants they compare each one with."""
    names: dict[str, None] = {}
    constants: dict[str, set[Any]] = {}
    for pack in ENGINE.packs:
        for rule in pack.rules:
            names.update(dict.fromkeys(rule.facts()))
            for cond in (rule.when, rule.require):
                if cond is None:
                    continue
                for leaf in iter_leaves(cond):
                    if isinstance(leaf, Compare) and isinstance(leaf.value, Literal):
                        constants.setdefault(leaf.fact, set()).add(leaf.value.value)
                    elif isinstance(leaf, Compare) and isinstance(leaf.value, FactRef):
                        names[leaf.value.fact] = None
                    elif isinstance(leaf, Equals):
                        constants.setdefault(leaf.fact, set()).add(leaf.value)
                    elif isinstance(leaf, OneOf):
                        constants.setdefault(leaf.fact, set()).update(leaf.values)
    return sorted(names), constants


FACTS, CONSTANTS = _facts_and_constants()
DAY = _dt.timedelta(days=1)


def _value(name: str) -> st.SearchStrategy[Any]:
    fact = VOCAB[name]
    near = sorted(CONSTANTS.get(name, ()), key=repr)
    if fact.type is FactType.BOOLEAN:
        return st.booleans()
    if fact.type is FactType.ENUM:
        return st.sampled_from(sorted(fact.values))
    # Bounds the vocabulary may give a fact (e.g. a score of 0–100).
    low = getattr(fact, "minimum", None)
    high = getattr(fact, "maximum", None)
    low = 0 if low is None else int(low)
    if fact.type in (FactType.AMOUNT, FactType.NUMBER):
        top = 50_000_000 if high is None else int(high)
        # On, just below and just above every threshold the packs use (以上/超过/不满 boundaries).
        edges = [Decimal(v) + d for v in near for d in (Decimal(-1), Decimal(0), Decimal(1))
                 if low <= Decimal(v) + d <= top]
        randoms = st.integers(min_value=low, max_value=top).map(Decimal)
        return st.one_of(st.sampled_from(edges), randoms) if edges else randoms
    if fact.type is FactType.DATE:
        return st.dates(min_value=_dt.date(2025, 12, 1), max_value=_dt.date(2027, 3, 1))
    if fact.type is FactType.INTEGER:
        return st.integers(min_value=low, max_value=40 if high is None else int(high))
    return st.sampled_from([str(v) for v in near] or ["x"])


@st.composite
def projects(draw: st.DrawFn) -> Project:
    """A project stating a random subset of the facts the packs read (missing facts are unknown)."""
    facts = {}
    for name in FACTS:
        if draw(st.integers(min_value=0, max_value=9)) < 7:  # ~30% of facts missing
            facts[name] = draw(_value(name))
    return govrules.parse_project(facts)


AS_OF = st.dates(min_value=_dt.date(2026, 1, 1), max_value=_dt.date(2027, 6, 30))


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(project=projects(), as_of=AS_OF)
def test_fast_evaluate_agrees_with_plain(jurisdiction: str, project: Project, as_of: _dt.date) -> None:
    fast = ENGINE.evaluate(project, jurisdiction, as_of)
    plain = ENGINE.evaluate_plain(project, jurisdiction, as_of)
    assert [d.status for d in fast.decisions] == [d.status for d in plain.decisions]
    assert fast.decisions == plain.decisions  # every field, explanations included
    assert fast.to_json() == plain.to_json()
    # The local-parameters notice (built from the fast path's record) names exactly the decisions
    # the reference code says rest on a local parameter, and each such parameter.
    resting = [d for d in plain.decisions if d.local_parameters]
    notices = [n for n in fast.notices if n.code == "local-parameters"]
    if not resting:
        assert notices == []
        return
    (notice,) = notices
    listed = notice.en.split("cited text: ", 1)[1].split(". Parameters: ", 1)
    assert listed[0].split(", ") == [d.rule for d in resting]
    named = re.findall(r"(?:^|\); )(\w+) = ", listed[1])  # "name = value (label; source: …)" entries
    assert named == list(dict.fromkeys(p for d in resting for p in d.local_parameters))


def test_fast_decisions_are_frozen_and_pickle_whole() -> None:
    project = govrules.read_project("examples/wuxing-project.yaml")
    report = ENGINE.evaluate(project, "wuxing", _dt.date(2026, 6, 1))
    decision = report.decisions[0]
    with pytest.raises(AttributeError):
        decision.status = Status.VIOLATED  # type: ignore[misc]
    copy = pickle.loads(pickle.dumps(decision))
    assert copy == decision
    assert copy.explanation_zh == decision.explanation_zh != ""
    assert isinstance(copy, Decision)


def test_explanations_use_the_facts_as_evaluated() -> None:
    facts = {"project_type": "construction", "total_investment": Decimal(6_000_000),
             "funding_source": "fiscal", "owner_unit_type": "administrative_unit",
             "subject_matter": "information_system", "is_classified": False}
    project = Project(facts=facts)
    report = ENGINE.evaluate(project, "wuxing", _dt.date(2026, 6, 1))
    facts["total_investment"] = Decimal(1)  # the caller's dict changes after evaluation
    feasibility = report.decision("wuxing.approval.feasibility_study")
    assert feasibility.status is Status.APPLIES
    assert "600万元" in feasibility.explanation_zh
    assert dict(feasibility.facts)["total_investment"] == Decimal(6_000_000)


# ---------------------------------------------------------------------------------------------
# Issue 12 C2: a decided status never changes when a missing fact is supplied


def _exempt_facts(jurisdiction: str, as_of: _dt.date) -> dict[str, set[str]]:
    """Per rule, the facts whose absence is itself information, so supplying them may change a decided
    status by design: those read by ``{fact, known}`` conditions (whether the project states them),
    the completion dates of its deadline (not recorded = not done as of as_of), and the facts of the
    exceptions the project must establish (unclaimed until stated)."""
    from govrules.conditions import Known

    exempt: dict[str, set[str]] = {}
    for compiled in ENGINE._plan(jurisdiction, as_of).run:
        scope_known = {leaf.fact for leaf in compiled.scope_cone if isinstance(leaf, Known)}
        for rule in compiled.rules:
            names = {leaf.fact for leaf in rule.cone if isinstance(leaf, Known)} | scope_known
            if rule.rule.deadline is not None:
                names |= set(rule.rule.deadline.done)
            for claim in rule.claimable:
                names |= set(compiled.by_id[claim].facts)
            exempt[rule.rule.id] = names
    return exempt


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(project=projects(), as_of=AS_OF, data=st.data())
def test_a_decided_status_never_changes_when_a_missing_fact_is_supplied(
        jurisdiction: str, project: Project, as_of: _dt.date, data: st.DataObject) -> None:
    missing = [name for name in FACTS if name not in project.facts]
    if not missing:
        return
    name = data.draw(st.sampled_from(missing), label="supplied fact")
    value = data.draw(_value(name), label="its value")
    before = ENGINE.evaluate(project, jurisdiction, as_of)
    after = ENGINE.evaluate(govrules.parse_project({**project.facts, name: value}), jurisdiction, as_of)
    exempt = _exempt_facts(jurisdiction, as_of)
    for old, new in zip(before.decisions, after.decisions, strict=True):
        if old.status is Status.UNKNOWN or name in exempt[old.rule]:
            continue
        if old.status is Status.APPLIES and old.missing and new.status in (Status.SATISFIED, Status.VIOLATED):
            continue  # it applied; whether its requirement is met was open, and now it is known
        assert new.status is old.status, (old.rule, name, value, old.explanation_zh, new.explanation_zh)
