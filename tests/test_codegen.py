"""The generated decision procedure (govrules.codegen, issue 16).

Two promises are checked. The generated source depends only on the structure of a pack: every
string, number, date and yes/no of every shipped pack is changed (one to one, so equal values stay
equal) and the source stays byte-identical, while a change of structure changes it. And the
generated code decides as the reference ``deciding.Procedure`` does, rule by rule, on every case of
the packs' case files, on the generated boundary corpora and on hypothesis projects.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from test_fast_paths import AS_OF as AS_OF_DATES
from test_fast_paths import projects

import govrules
from govrules import Status, corpus
from govrules.casetests import find_case_files, load_case_file
from govrules.cli import main
from govrules.codegen import generate, generated, source_of
from govrules.compiling import compile_pack
from govrules.conditions import All, AnyOf, Compare, iter_leaves
from govrules.deciding import Procedure
from govrules.evaluation import _Evaluation
from govrules.model import Pack, Rule

ROOT = Path(__file__).resolve().parents[1]
ENGINE = govrules.load()
CALENDAR = ENGINE.calendar

# Words of the pack format itself (which comparison, include or exclude, who must establish an
# exception, when a permission lifts): they are structure, like the nesting, not values.
_KEYWORDS = {(Compare, "op"), (Rule, "effect"), (Rule, "burden"), (Rule, "lifts"), (Rule, "kind")}


def _mutate(value: Any) -> Any:
    """``value`` with every string, number, date and yes/no in it changed, one to one."""
    if isinstance(value, enum.Enum) or value is None or isinstance(value, Path):
        return value
    if isinstance(value, bool):
        return not value
    if isinstance(value, str):
        return "改" + value + "′"
    if isinstance(value, int):
        return value * 7 + 3 if value else value  # zero stays zero: a period keeps its one unit
    if isinstance(value, Decimal):
        return value * 7 + Decimal("0.3")
    if isinstance(value, _dt.date):
        return value + _dt.timedelta(days=3)
    if isinstance(value, tuple):
        return tuple(_mutate(v) for v in value)
    if isinstance(value, frozenset):
        return frozenset(_mutate(v) for v in value)
    if isinstance(value, Mapping):
        return MappingProxyType({_mutate(k): _mutate(v) for k, v in value.items()})
    if dataclasses.is_dataclass(value):
        changes = {f.name: getattr(value, f.name) if (type(value), f.name) in _KEYWORDS
                   else _mutate(getattr(value, f.name))
                   for f in dataclasses.fields(value) if f.init}
        return type(value)(**changes)
    raise TypeError(f"the mutation does not know {type(value).__name__}")


def _values(value: Any) -> Iterator[Any]:
    """Every string and number inside ``value``."""
    if isinstance(value, (str, int, Decimal)) and not isinstance(value, (bool, enum.Enum)):
        yield value
    elif isinstance(value, (tuple, frozenset)):
        for v in value:
            yield from _values(v)
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from _values(k)
            yield from _values(v)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _values(getattr(value, f.name))


def _source(pack: Pack) -> str:
    return source_of(compile_pack(pack, CALENDAR), CALENDAR)


@pytest.mark.parametrize("pack", ENGINE.packs, ids=lambda p: p.id)
def test_the_source_is_the_same_whatever_the_values_of_the_pack(pack: Pack) -> None:
    mutated = _mutate(pack)
    assert mutated.rules[0].id != pack.rules[0].id  # the mutation reached the rules
    assert _source(mutated) == _source(pack)


@pytest.mark.parametrize("pack", ENGINE.packs, ids=lambda p: p.id)
def test_no_string_or_number_of_the_pack_is_in_its_source(pack: Pack) -> None:
    source = _source(pack)
    # Values long or distinctive enough that they could not be a name of the generated code.
    distinctive = {str(v) for v in _values(pack.rules) if len(str(v)) >= 4 and not str(v).isidentifier()}
    distinctive |= {v for rule in pack.rules for v in rule.facts()}  # fact names
    assert distinctive and not [v for v in distinctive if v in source]


def test_a_change_of_structure_changes_the_source() -> None:
    pack = next(p for p in ENGINE.packs if p.id == "wuxing")
    rule = next(r for r in pack.rules if isinstance(r.when, All))
    swapped = dataclasses.replace(rule, when=AnyOf(rule.when.items))  # type: ignore[union-attr]
    changed = dataclasses.replace(pack, rules=tuple(swapped if r is rule else r for r in pack.rules))
    assert _source(changed) != _source(pack)
    # Another operator is another test: a rule reading one comparison, then the same with 超过 for 以上.
    rule, leaf = next((r, x) for r in pack.rules if r.when is not None for x in iter_leaves(r.when)
                      if isinstance(x, Compare) and x.op == "以上")
    before = dataclasses.replace(pack, rules=tuple(dataclasses.replace(r, when=leaf) if r is rule else r
                                                   for r in pack.rules))
    after = dataclasses.replace(pack, rules=tuple(dataclasses.replace(r, when=dataclasses.replace(leaf, op="超过"))
                                                  if r is rule else r for r in pack.rules))
    assert _source(before) != _source(after)


def test_generated_code_is_shared_by_packs_of_one_structure_and_cached() -> None:
    pack = ENGINE.packs[0]
    first, second = compile_pack(pack, CALENDAR), compile_pack(_mutate(pack), CALENDAR)
    a, b = generate(first, CALENDAR), generate(second, CALENDAR)
    assert a.run.__code__ is b.run.__code__  # one code object, two sets of constant tables
    assert generated(first, CALENDAR) is generated(first, CALENDAR)


# ---------------------------------------------------------------------------------------------
# Agreement with the reference procedure


def _agree(evaluation: _Evaluation) -> int:
    """Check every rule of ``evaluation``'s pack: the generated code against ``Procedure``."""
    compiled = evaluation.compiled
    code = generated(compiled, evaluation.calendar)
    reference = Procedure(compiled, evaluation, evaluation.vocab)
    decided, opened = code.run(evaluation.facts.get, evaluation.deadline)
    assert code.decide(code.leaves(evaluation.facts.get), evaluation.deadline) == (decided, opened)
    for rule, outcome in zip(compiled.rules, decided, strict=True):
        assert outcome == reference.decide(rule), rule.rule.id
    assert opened == any(o.status is Status.UNKNOWN or o.requirement_open for o in decided)
    assert list(evaluation.decide_all()) == [reference.outcome(rule) for rule in compiled.rules]
    # Changed valuations ("rests on"): each of the first known leaves a decision reads, turned round.
    compiled_mode = Procedure(compiled, evaluation, evaluation.vocab, generated=code)
    for rule in compiled.rules:
        for leaf in [x for x in rule.cone if evaluation.leaf(x) is not None][:3]:
            flipped = {leaf: not evaluation.leaf(leaf)}
            assert compiled_mode.changed(flipped).outcome(rule) == reference.changed(flipped).outcome(rule)
    # With the claims of the exceptions the project must establish fixed, as completions fix them.
    if compiled.burdened:
        claims = {e: reference.lifts(compiled.by_id[e]) is not True for e in compiled.burdened}
        fixed = Procedure(compiled, evaluation, evaluation.vocab, claims)
        with_claims, _ = code.decide(code.leaves(evaluation.facts.get), evaluation.deadline,
                                     tuple(claims[e] for e in compiled.burdened))
        assert list(with_claims) == [fixed.decide(rule) for rule in compiled.rules]
    return len(compiled.rules)


@pytest.fixture
def evaluations(monkeypatch: pytest.MonkeyPatch) -> list[_Evaluation]:
    """Every ``_Evaluation`` the engine makes while the test runs."""
    made: list[_Evaluation] = []
    original = _Evaluation.decide_all

    def recording(self: _Evaluation) -> Any:
        made.append(self)
        return original(self)

    monkeypatch.setattr(_Evaluation, "decide_all", recording)
    return made


def _cases() -> list[Any]:
    found = []
    for path in find_case_files(ROOT / "policies"):
        found += load_case_file(path, ENGINE)
    return found


def test_generated_code_agrees_with_the_procedure_on_every_case(evaluations: list[_Evaluation]) -> None:
    cases = _cases()
    assert len(cases) > 300
    checked = 0
    for case in cases:
        evaluations.clear()
        try:
            ENGINE.evaluate(case.project, case.jurisdiction, case.as_of, readings=dict(case.readings) or None)
        except govrules.ProjectError:
            continue  # a case of a refused project decides nothing
        checked += sum(_agree(e) for e in list(evaluations))
    assert checked > 10_000


@pytest.mark.parametrize("jurisdiction", sorted(ENGINE.jurisdictions()))
def test_generated_code_agrees_with_the_procedure_on_the_boundary_corpus(
        jurisdiction: str, evaluations: list[_Evaluation]) -> None:
    statuses = set()
    for project in corpus.generate(ENGINE, jurisdiction, n=400):
        evaluations.clear()
        report = ENGINE.evaluate(project, jurisdiction, _dt.date(2026, 6, 1))
        statuses.update(d.status for d in report.decisions)
        for evaluation in list(evaluations):
            _agree(evaluation)
    assert len(statuses) >= 3  # the corpus reaches open, applying and not applying decisions


@pytest.mark.parametrize("jurisdiction", sorted(ENGINE.jurisdictions()))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(project=projects(), as_of=AS_OF_DATES)
def test_generated_code_agrees_with_the_procedure_on_hypothesis_projects(
        jurisdiction: str, project: govrules.Project, as_of: _dt.date, evaluations: list[_Evaluation]) -> None:
    evaluations.clear()
    ENGINE.evaluate(project, jurisdiction, as_of)
    assert evaluations
    for evaluation in list(evaluations):
        _agree(evaluation)


# ---------------------------------------------------------------------------------------------
# govrules compile


def test_compile_show_prints_the_source_of_a_pack(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compile", str(ROOT / "benchmarks" / "policy8"), "--show"]) == 0
    shown = capsys.readouterr().out
    engine = govrules.load(ROOT / "benchmarks" / "policy8")
    assert source_of(engine._compiled[0], engine.calendar) in shown
    assert "policy8." not in shown.split("\n", 1)[1]  # beyond the heading, no rule id


def test_compile_names_each_pack_with_the_size_of_its_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compile"]) == 0
    out = capsys.readouterr().out
    for pack in ENGINE.packs:
        assert f"{pack.id} {pack.version}: {len(pack.rules)} rules" in out


def test_compile_of_an_unknown_pack_is_an_error_naming_the_packs(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["compile", "--pack", "nowhere", "--show"])
    captured = capsys.readouterr()
    assert code == 2 and "nowhere" in captured.err and "wuxing" in captured.err
