"""The durable-rules backend: a second implementation of rule conditions that must agree with ours.

The differential test runs both over hypothesis-generated projects for every pack ``govrules.load()``
finds and requires the same set of firing labels (``rule:when=true``, ``rule:require=false``, …);
a disagreement is a bug in one of them. Skipped when the optional extra is not installed
(``pip install 'govrules[durable]'``), failed instead in CI (``tests/optional.py``); durable-rules does
not import on Python 3.13, where it always skips.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from optional import need

need("durable", "pip install -e '.[dev]' or 'govrules[durable]'", needed=sys.version_info < (3, 13))

import govrules
from govrules.backends.durable import DurableBackend, Unsupported, fixed, reference_labels
from govrules.conditions import Compare, FactRef, Known, iter_leaves
from govrules.model import Rule
from govrules.vocabulary import Fact, FactType

REPO_EXAMPLE = govrules.read_project(__import__("pathlib").Path(__file__).resolve().parents[1]
                                     / "examples" / "wuxing-project.yaml")


@functools.cache
def engine() -> govrules.Engine:
    return govrules.load()


@functools.cache
def backend(pack_id: str) -> DurableBackend:
    return DurableBackend(next(p for p in engine().packs if p.id == pack_id), calendar=engine().calendar)


PACK_IDS = sorted(p.id for p in engine().packs)
VOCAB = engine().vocabulary


def fact_value(fact: Fact) -> st.SearchStrategy[object]:
    """Values near the packs' thresholds (500万元, 100万元, …) as often as anywhere."""
    amounts = (st.sampled_from([0, 10**6, 10**6 - 1, 5 * 10**6, 5 * 10**6 - 1, 5 * 10**6 + 1, 2 * 10**7, 10**15])
               .map(Decimal) | st.decimals(min_value=0, max_value=10**9, places=2))
    kinds: dict[FactType, st.SearchStrategy[object]] = {
        FactType.AMOUNT: amounts,
        FactType.NUMBER: st.decimals(min_value=0, max_value=20, places=3),
        FactType.INTEGER: st.integers(min_value=0, max_value=10**6),
        FactType.BOOLEAN: st.booleans(),
        FactType.DATE: st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2028, 12, 31)),
        FactType.ENUM: st.sampled_from(sorted(fact.values)) if fact.values else st.nothing(),
        FactType.TEXT: st.text(max_size=5),
    }
    return kinds[fact.type]


def facts_read_by(pack_id: str) -> list[str]:
    pack = next(p for p in engine().packs if p.id == pack_id)
    return sorted({name for rule in pack.rules for name in rule.facts()})


@pytest.mark.parametrize("pack_id", PACK_IDS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_durable_and_core_fire_the_same_rules(pack_id: str, data: st.DataObject) -> None:
    names = facts_read_by(pack_id)
    chosen = data.draw(st.fixed_dictionaries({}, optional={n: fact_value(VOCAB[n]) for n in names}), label="facts")
    project = govrules.parse_project(chosen)
    pack = backend(pack_id).pack
    assert backend(pack_id).firing(project) == reference_labels(pack, project.facts, engine().calendar)


@pytest.mark.parametrize("pack_id", PACK_IDS)
def test_agreement_on_the_example_and_the_empty_project(pack_id: str) -> None:
    pack = backend(pack_id).pack
    for facts in ({}, dict(REPO_EXAMPLE.facts)):
        fired = backend(pack_id).firing(facts)
        assert fired == reference_labels(pack, facts, engine().calendar)


def test_the_differential_test_can_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wrong translation is caught: translate 以上 (>=) as 超过 (>) and test at 500万元."""
    from govrules.backends import durable as module
    from govrules.conditions import Relation

    monkeypatch.setitem(module._OPS, Relation.GE, lambda a, b: a > b)
    pack = backend("wuxing").pack
    at_boundary = {"total_investment": Decimal(5_000_000), "project_type": "construction"}
    assert DurableBackend(pack).firing(at_boundary) != reference_labels(pack, at_boundary, engine().calendar)


def test_three_valued_unknown_fires_neither_label() -> None:
    pack = backend("wuxing").pack
    rule: Rule = next(r for r in pack.rules if r.when is not None and not any(
        isinstance(leaf, Known) for leaf in iter_leaves(r.when)))
    fired = backend("wuxing").firing({})
    assert f"{rule.id}:when=true" not in fired and f"{rule.id}:when=false" not in fired


def test_a_comparison_between_facts_needs_both() -> None:
    """durable-rules matches m.a >= m.b when b is absent; the translation guards against it."""
    pack = backend("wuxing").pack
    rule = next(r for r in pack.rules for cond in (r.when, r.require) if cond is not None
                for leaf in iter_leaves(cond) if isinstance(leaf, Compare) and isinstance(leaf.value, FactRef))
    only_left = {"trial_run_ended_on": dt.date(2026, 6, 1), "final_acceptance_applied_on": dt.date(2026, 6, 2)}
    assert backend("wuxing").firing(only_left) == reference_labels(pack, only_left, engine().calendar)
    assert rule.id  # the pack does compare facts with facts


def test_two_backends_of_one_pack_have_their_own_rulesets() -> None:
    pack = backend("wuxing").pack
    first, second = DurableBackend(pack), DurableBackend(pack)
    assert first.name != second.name
    assert first.firing(REPO_EXAMPLE) == second.firing(REPO_EXAMPLE)


def test_sessions_are_cleaned_up() -> None:
    b = backend("wuxing")
    for _ in range(20):
        b.firing(REPO_EXAMPLE)
    assert b._fired == {}


@pytest.mark.parametrize(("value", "text"), [
    (Decimal(0), "0" * 44),
    (Decimal(5000000), "0" * 13 + "5000000" + "0" * 24),
    (Decimal("0.01"), "0" * 21 + "1" + "0" * 22),
    (Decimal("1E+15"), "00001" + "0" * 15 + "0" * 24),
])
def test_fixed_width_decimals_are_exact(value: Decimal, text: str) -> None:
    assert fixed(value) == text
    assert len(fixed(value)) == 44


@given(st.decimals(min_value=0, max_value=10**15, places=10), st.decimals(min_value=0, max_value=10**15, places=10))
def test_fixed_width_text_order_is_numeric_order(a: Decimal, b: Decimal) -> None:
    assert (fixed(a) < fixed(b)) == (a < b)
    assert (fixed(a) == fixed(b)) == (a == b)


@pytest.mark.parametrize("value", [Decimal(-1), Decimal("1E-25"), Decimal("1E+21")])
def test_values_the_translation_cannot_hold_exactly_are_refused(value: Decimal) -> None:
    with pytest.raises(Unsupported):
        fixed(value)
