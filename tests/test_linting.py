"""The static analyses of ``govrules lint``: each on a small pack that has the problem and one that has not."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import tempfile
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from packwriter import write_pack

import govrules
from govrules.amounts import parse_amount
from govrules.calendar import default_calendar
from govrules.casetests import find_case_files, iter_results
from govrules.cli import main
from govrules.conditions import (
    STATUTORY_WORDS,
    All,
    AnyOf,
    Compare,
    Condition,
    Equals,
    Known,
    Literal,
    Not,
    OneOf,
    compile_condition,
)
from govrules.errors import PackError
from govrules.evaluation import Engine, load
from govrules.linting import Bound, Finding, Interval, Sat, Severity, gaps, lint_packs, pick_point, satisfiable
from govrules.vocabulary import default_vocabulary

REPO = Path(__file__).resolve().parents[1]
VOCAB = default_vocabulary()

PROVISIONS = """\
provisions:
  - label: 第一条
    path: [第一条]
    text: 对总投资低于500万元的建设项目出具项目联系单；对总投资500万元以上的建设项目批复可行性研究报告，其中总投资2000万元以上的，还需批复初步设计。
  - label: 第二条
    path: [第二条]
    text: 总投资超过300万元的运维项目报区大数据局审核。
  - label: 第三条
    path: [第三条]
    text: 维保期不少于3年。
  - label: 第四条
    path: [第四条]
    text: 本办法自2024年2月1日起施行。
    evaluable: false
    reason: 施行日期条款。
"""


def rule(rule_id: str, when: str | None = None, *, kind: str = "approval", cites: str = "第一条",
         extra: str = "") -> str:
    """One rule in YAML, indented for a ``rules:`` list; ``when`` is a YAML flow mapping."""
    text = f"""\
  - id: demo.{kind}.{rule_id}
    kind: {kind}
    title: {{zh: 规则{rule_id}, en: rule {rule_id}}}
    cites: [{cites}]
    outcome: {rule_id}
"""
    if when is not None:
        text += f"    when: {when}\n"
    return text + "".join(f"    {line}\n" for line in textwrap.dedent(extra).splitlines() if line)


def construction(op: str, amount: str) -> str:
    return f"{{all: [{{fact: project_type, is: construction}}, {{fact: total_investment, op: {op}, value: {amount}}}]}}"


def lint(tmp_path: Path, *rules: str, provisions: str = PROVISIONS) -> tuple[list[Finding], Engine]:
    write_pack(tmp_path / "policies", "demo", provisions=provisions, rules="rules:\n" + "".join(rules))
    engine = load(tmp_path / "policies")
    findings = [f for f in lint_packs(engine.packs, engine.vocabulary, engine)
                if f.code not in ("unused-fact", "uncited-provision")]
    return findings, engine


def codes(findings: list[Finding]) -> list[tuple[str, Severity]]:
    return sorted((f.code, f.severity) for f in findings)


def statuses(engine: Engine, finding: Finding) -> dict[str, str]:
    """What the engine decides for the finding's counter-example: the proof that it shows the problem."""
    assert finding.counter_example is not None
    report = engine.evaluate(dict(finding.counter_example), "demo", engine.packs[0].document.in_force_from)
    return {d.rule: d.status.value for d in report.decisions}


# ---------------------------------------------------------------------------------------------
# The interval algebra


def test_gaps_respect_open_and_closed_ends() -> None:
    wan = Decimal(10000)
    below = Interval(None, Bound(500 * wan, False))             # 低于500万元
    above = Interval(Bound(500 * wan, False), None)             # 超过500万元
    domain = Interval(Bound(Decimal(0), True), None)
    assert gaps([below, above], domain) == [Interval(Bound(500 * wan, True), Bound(500 * wan, True))]
    at_least = Interval(Bound(500 * wan, True), None)           # 500万元以上
    assert gaps([below, at_least], domain) == []
    assert gaps([at_least], domain) == [Interval(Bound(Decimal(0), True), Bound(500 * wan, False))]
    # Whole numbers: (2, 3) holds none, so 2以下 and 超过2 leave no gap.
    assert gaps([Interval(None, Bound(2, True)), Interval(Bound(2, False), None)], Interval(), step=1) == []
    assert gaps([Interval(None, Bound(2, False)), Interval(Bound(2, False), None)], Interval(), step=1) == \
        [Interval(Bound(2, True), Bound(2, True))]


bounds = st.one_of(st.none(), st.builds(Bound, st.integers(-5, 15).map(Decimal), st.booleans()))
intervals = st.builds(Interval, bounds, bounds)
halves = st.integers(-12, 32).map(lambda n: Decimal(n) / 2)


@settings(max_examples=300, deadline=None)
@given(st.lists(intervals, max_size=5), halves)
def test_a_point_is_in_a_gap_exactly_when_no_interval_contains_it(ivs: list[Interval], x: Decimal) -> None:
    domain = Interval(Bound(Decimal(0), True), None)
    found = gaps(ivs, domain)
    covered = any(iv.contains(x) for iv in ivs)
    in_gap = [g for g in found if g.contains(x)]
    if not domain.contains(x):
        assert not in_gap
    else:
        assert len(in_gap) == (0 if covered else 1)


@settings(max_examples=300, deadline=None)
@given(st.lists(intervals, max_size=5), st.integers(-10, 20))
def test_whole_number_gaps_hold_exactly_the_uncovered_numbers(ivs: list[Interval], n: int) -> None:
    int_ivs = [Interval(None if iv.lower is None else Bound(int(iv.lower.value), iv.lower.closed),
                        None if iv.upper is None else Bound(int(iv.upper.value), iv.upper.closed)) for iv in ivs]
    found = gaps(int_ivs, Interval(), step=1)
    assert any(g.contains(n) for g in found) != any(iv.contains(n) for iv in int_ivs)
    for g in found:
        assert not g.is_empty(1)


@settings(max_examples=300, deadline=None)
@given(st.lists(intervals, min_size=1, max_size=5))
def test_the_point_picked_in_a_gap_is_covered_by_no_interval(ivs: list[Interval]) -> None:
    fact = VOCAB["total_investment"]
    for gap in gaps(ivs, Interval(Bound(Decimal(0), True), None)):
        point = pick_point(gap, fact)
        assert point is not None and gap.contains(point)
        assert not any(iv.contains(point) for iv in ivs)


# ---------------------------------------------------------------------------------------------
# 1 and 6: tier tables, with counter-examples the engine confirms


def test_a_point_no_tier_covers_is_a_gap_with_a_counter_example(tmp_path: Path) -> None:
    findings, engine = lint(tmp_path, rule("low", construction("低于", "500万元")),
                            rule("high", construction("超过", "500万元")))
    gap = [f for f in findings if f.code == "tier-gap"]
    assert [(f.severity, f.rules) for f in gap] == [(Severity.WARNING, ("demo.approval.low", "demo.approval.high"))]
    assert "[500万元, 500万元]" in gap[0].message_zh and "[500万元, 500万元]" in gap[0].message_en
    assert dict(gap[0].counter_example or ())["total_investment"] == "5000000"
    assert statuses(engine, gap[0]) == {"demo.approval.low": "not_applicable", "demo.approval.high": "not_applicable"}
    # The same rule also contradicts the text's 以上 at 500万元 (analysis 4).
    assert ("boundary-word", Severity.ERROR) in codes(findings)


def test_the_counter_example_is_a_case_that_govrules_test_runs(tmp_path: Path) -> None:
    findings, engine = lint(tmp_path, rule("low", construction("低于", "500万元")),
                            rule("high", construction("超过", "500万元")))
    case_yaml = next(f for f in findings if f.code == "tier-gap").case_yaml
    assert case_yaml is not None
    tests = tmp_path / "policies" / "demo" / "tests"
    tests.mkdir()
    (tests / "test_gap.yaml").write_text(f'provision: 第一条\nas_of: "2026-06-01"\ncases:\n{case_yaml}',
                                         encoding="utf-8")
    results = list(iter_results(engine, find_case_files(tmp_path / "policies")))
    assert len(results) == 1 and not isinstance(results[0], PackError) and results[0].passed


def test_two_tiers_sharing_a_boundary_overlap_there(tmp_path: Path) -> None:
    findings, engine = lint(tmp_path, rule("low", construction("以下", "500万元")),
                            rule("high", construction("以上", "500万元")))
    overlap = [f for f in findings if f.code == "tier-overlap"]
    assert len(overlap) == 1 and overlap[0].severity is Severity.WARNING
    assert "[500万元, 500万元]" in overlap[0].message_zh
    assert statuses(engine, overlap[0]) == {"demo.approval.low": "applies", "demo.approval.high": "applies"}
    assert not [f for f in findings if f.code == "tier-gap"]


def test_an_exact_partition_has_no_findings_and_cumulative_tiers_are_info(tmp_path: Path) -> None:
    findings, engine = lint(tmp_path, rule("low", construction("低于", "500万元")),
                            rule("high", construction("以上", "500万元")),
                            rule("design", construction("以上", "2000万元")))
    assert codes(findings) == [("tier-overlap", Severity.INFO)]
    assert set(findings[0].rules) == {"demo.approval.high", "demo.approval.design"}
    assert statuses(engine, findings[0])["demo.approval.design"] == "applies"


def test_a_range_below_every_tier_is_info(tmp_path: Path) -> None:
    findings, _ = lint(tmp_path, rule("mid", "{all: [{fact: project_type, is: construction}, "
                                            "{fact: total_investment, op: 以上, value: 100万元}, "
                                            "{fact: total_investment, op: 低于, value: 500万元}]}"),
                       rule("high", construction("以上", "500万元")))
    gap = [f for f in findings if f.code == "tier-gap"]
    assert [f.severity for f in gap] == [Severity.INFO]
    assert "[0元, 100万元)" in gap[0].message_zh


def test_rules_with_different_other_conditions_are_not_one_table(tmp_path: Path) -> None:
    operations = "{all: [{fact: project_type, is: operation_maintenance}, {fact: total_investment, op: 超过, value: 500万元}]}"
    findings, _ = lint(tmp_path, rule("low", construction("低于", "500万元")), rule("ops", operations))
    assert not [f for f in findings if f.code.startswith("tier-")]


def test_a_gap_covered_by_a_more_general_rule_is_not_reported(tmp_path: Path) -> None:
    middle = "{all: [{fact: total_investment, op: 以上, value: 300万元}, {fact: total_investment, op: 低于, value: 500万元}]}"
    findings, engine = lint(tmp_path, rule("low", construction("低于", "300万元")),
                            rule("high", construction("以上", "500万元")), rule("middle", middle))
    assert not [f for f in findings if f.code == "tier-gap"]
    # Without an engine given, lint builds one and checks the same way.
    assert not [f for f in lint_packs(engine.packs, VOCAB) if f.code == "tier-gap"]
    # Without the general rule the gap [300万元, 500万元) between the tiers is reported.
    findings, _ = lint(tmp_path / "again", rule("low", construction("低于", "300万元")),
                       rule("high", construction("以上", "500万元")))
    assert [f.message_en.split(" is matched")[0] for f in findings if f.code == "tier-gap"] == \
        ["For projects where project type is construction project, total investment in [300万元, 500万元)"]


def test_an_exception_and_its_base_split_the_range_exactly(tmp_path: Path) -> None:
    findings, _ = lint(tmp_path, rule("by_bureau", kind="review"),
                       rule("self", "{fact: budget_amount, op: 以下, value: 50万元}", kind="review",
                            extra="exception_to: demo.review.by_bureau"))
    assert not [f for f in findings if f.code.startswith("tier-")]


def test_several_duties_at_one_threshold_are_not_tiers(tmp_path: Path) -> None:
    findings, _ = lint(tmp_path, rule("a", construction("以上", "500万元"), kind="obligation"),
                       rule("b", construction("以上", "500万元"), kind="obligation"))
    assert not [f for f in findings if f.code.startswith("tier-")]


OPS = ("以上", "超过", "以下", "低于", "不满", "不低于", "不超过")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(OPS), st.integers(1, 6)), min_size=2, max_size=3),
       st.lists(st.tuples(st.sampled_from(OPS), st.integers(1, 6)), max_size=1))
def test_tier_findings_agree_with_the_engine_point_by_point(
        singles: list[tuple[str, int]], bands: list[tuple[str, int]]) -> None:
    """Random tiers (one-sided, plus an optional two-sided band): at every boundary and beside it,
    a point where the engine applies no tier lies in a reported gap, a point where it applies
    two tiers of different intervals lies in a reported overlap, and every counter-example shows
    what its finding says."""
    rules = [rule(f"t{i}", construction(op, f"{n}00万元")) for i, (op, n) in enumerate(singles)]
    for j, (op, n) in enumerate(bands):
        rules.append(rule(f"b{j}", "{all: [{fact: project_type, is: construction}, "
                                   f"{{fact: total_investment, op: {op}, value: {n}00万元}}, "
                                   f"{{fact: total_investment, op: 以下, value: {n + 2}00万元}}]}}"))
    with tempfile.TemporaryDirectory() as tmp:
        findings, engine = lint(Path(tmp), *rules)
    tier_rules = [r.id for r in engine.packs[0].rules]
    for finding in findings:
        if finding.code in ("tier-gap", "tier-overlap") and finding.counter_example is not None:
            decided = statuses(engine, finding)
            applying = [r for r in finding.rules if decided[r] == "applies"]
            assert applying == [] if finding.code == "tier-gap" else len(applying) >= 2
    reported = {code: [f.message_en for f in findings if f.code == code] for code in ("tier-gap", "tier-overlap")}
    points = sorted({Decimal(n * 1000000) + d for _, n in singles + bands + [(None, k + 2) for _, k in bands]
                     for d in (Decimal("-0.01"), Decimal(0), Decimal("0.01"))} | {Decimal(0)})
    decided_at = {}
    for x in points:
        project = {"project_type": "construction", "total_investment": str(x)}
        report = engine.evaluate(project, "demo", engine.packs[0].document.in_force_from)
        decided_at[x] = {d.rule: d.status.value for d in report.decisions}
    # A rule's interval, seen through the sample points (every boundary and either side of it).
    keys = {r: tuple(decided_at[x][r] for x in points) for r in tier_rules}
    if len(set(keys.values())) < 2:
        return  # one interval shared by every rule is one tier, not a table: nothing to compare
    for x in points:
        applying = [r for r in tier_rules if decided_at[x][r] == "applies"]
        if not applying:
            assert any(_within(message, x) for message in reported["tier-gap"]), (x, reported)
        if len({keys[r] for r in applying}) >= 2:
            assert any(_within(message, x) for message in reported["tier-overlap"]), (x, reported)


def _within(message: str, x: Decimal) -> bool:
    """Whether ``x`` lies in the interval a finding's English message names, e.g. [0元, 100万元)."""
    match = re.search(r"([\[(])([^,\]]+), ([^\])]+)([\])])", message)
    assert match is not None
    low = Decimal(0) if match[2] == "-∞" else parse_amount(match[2])
    high = None if match[3] == "+∞" else parse_amount(match[3])
    return (low < x or (match[1] == "[" and low == x)) and \
        (high is None or x < high or (match[4] == "]" and x == high))


# ---------------------------------------------------------------------------------------------
# 2 and 3: rules that never fire, masked rules, unmeetable and conflicting requirements


@pytest.mark.parametrize("when", [
    "{all: [{fact: total_investment, op: 以上, value: 500万元}, {fact: total_investment, op: 低于, value: 300万元}]}",
    "{all: [{fact: project_type, is: construction}, {fact: project_type, is: operation_maintenance}]}",
    "{all: [{fact: has_supervision, is: true}, {not: {fact: has_supervision, is: true}}]}",
    "{all: [{fact: total_investment, known: false}, {fact: total_investment, op: 以上, value: 1}]}",
    "{all: [{fact: total_investment, op: 超过, value: 500万元}, {fact: total_investment, op: 以下, value: 500万元}]}",
])
def test_contradictory_conditions_never_fire(tmp_path: Path, when: str) -> None:
    findings, _ = lint(tmp_path, rule("dead", when, cites="第三条"))
    assert ("never-fires", Severity.ERROR) in codes(findings)


@pytest.mark.parametrize("when", [
    "{all: [{fact: total_investment, op: 以上, value: 500万元}, {fact: total_investment, op: 以下, value: 500万元}]}",
    ("{any: [{fact: project_type, is: construction}, {all: [{fact: has_supervision, is: true}, "
     "{fact: has_supervision, is: false}]}]}"),
    # Comparing two facts is beyond the decidable fragment: unknown, so nothing is claimed.
    ("{all: [{fact: final_acceptance_on, op: '>', value: {fact: put_into_use_on}}, "
     "{fact: put_into_use_on, op: '>', value: {fact: final_acceptance_on}}]}"),
])
def test_satisfiable_or_undecidable_conditions_are_not_reported(tmp_path: Path, when: str) -> None:
    findings, _ = lint(tmp_path, rule("alive", when, cites="第三条"))
    assert "never-fires" not in {f.code for f in findings}


def test_an_exception_covering_its_whole_base_masks_it(tmp_path: Path) -> None:
    findings, _ = lint(tmp_path, rule("base", "{fact: total_investment, op: 以上, value: 500万元}"),
                       rule("exc", "{fact: total_investment, op: 以上, value: 300万元}",
                            extra="exception_to: demo.approval.base"))
    masked = [f for f in findings if f.code == "masked"]
    assert [f.rules for f in masked] == [("demo.approval.base", "demo.approval.exc")]


def test_an_exception_outside_its_base_is_never_live(tmp_path: Path) -> None:
    findings, _ = lint(tmp_path, rule("base", "{fact: total_investment, op: 以上, value: 500万元}"),
                       rule("exc", "{fact: total_investment, op: 低于, value: 300万元}",
                            extra="exception_to: demo.approval.base"))
    assert ("exception-never-live", Severity.ERROR) in codes(findings)
    assert "masked" not in {f.code for f in findings}


def test_a_rule_only_for_projects_out_of_scope_never_applies(tmp_path: Path) -> None:
    scope = rule("fiscal", "{fact: funding_source, is: fiscal}", kind="scope", cites="第三条",
                 extra="effect: include")
    findings, _ = lint(tmp_path, scope, rule("self", "{fact: funding_source, is: self_raised}", cites="第三条"))
    assert [f.rules for f in findings if f.code == "out-of-scope"] == [("demo.approval.self",)]


def test_a_requirement_that_contradicts_the_condition_is_unmeetable(tmp_path: Path) -> None:
    findings, _ = lint(tmp_path, rule("w", "{fact: warranty_years, op: 以上, value: 5}", kind="obligation",
                                      cites="第三条", extra="require: {fact: warranty_years, op: 不少于, value: 3}"),
                       rule("x", "{fact: warranty_years, op: 以上, value: 5}", kind="obligation", cites="第三条",
                            extra="require: {fact: warranty_years, op: 低于, value: 3}"))
    assert [f.rules for f in findings if f.code == "unmeetable-requirement"] == [("demo.obligation.x",)]


def test_two_applicable_rules_with_incompatible_requirements_conflict(tmp_path: Path) -> None:
    a = rule("a", "{fact: project_type, is: construction}", kind="obligation", cites="第三条",
             extra="require: {fact: warranty_years, op: 不少于, value: 3}")
    b = rule("b", "{fact: total_investment, op: 以上, value: 500万元}", kind="obligation", cites="第一条",
             extra="require: {fact: warranty_years, op: 低于, value: 2}")
    findings, engine = lint(tmp_path, a, b)
    conflict = [f for f in findings if f.code == "conflicting-requirements"]
    assert [set(f.rules) for f in conflict] == [{"demo.obligation.a", "demo.obligation.b"}]
    both = statuses(engine, conflict[0])
    assert both["demo.obligation.a"] != "not_applicable" and both["demo.obligation.b"] != "not_applicable"
    # An exception between them is the text saying which prevails: no conflict.
    findings, _ = lint(tmp_path / "exc", a, b + "    exception_to: demo.obligation.a\n")
    assert "conflicting-requirements" not in {f.code for f in findings}


def test_lint_reports_an_exception_cycle_that_loading_would_refuse(tmp_path: Path) -> None:
    rules = (rule("a", "{fact: has_supervision, is: true}", extra="exception_to: demo.approval.b")
             + rule("b", "{fact: has_supervision, is: false}", extra="exception_to: demo.approval.a"))
    write_pack(tmp_path / "policies", "demo", provisions=PROVISIONS, rules="rules:\n" + rules)
    with pytest.raises(PackError) as info:
        load(tmp_path / "policies")
    assert "exception-cycle" in {p.code for p in info.value.problems}
    # A pack assembled in code does not pass through loading; lint still refuses to analyse it.
    _, engine = lint(tmp_path / "ok", rule("a", "{fact: has_supervision, is: true}"),
                     rule("b", "{fact: has_supervision, is: false}"))
    pack = engine.packs[0]
    a, b = pack.rules
    cyclic = dataclasses.replace(pack, rules=(dataclasses.replace(a, exception_to=b.id),
                                              dataclasses.replace(b, exception_to=a.id)))
    assert [f.code for f in lint_packs([cyclic], VOCAB) if f.code == "exception-cycle"] == ["exception-cycle"]


# ---------------------------------------------------------------------------------------------
# 4: the comparison word against the cited text


@pytest.mark.parametrize(("op", "cites", "expected"), [
    ("以上", "第一条", []),                          # 500万元以上
    ("不低于", "第一条", []),                        # the same relation, another word
    ("低于", "第一条", []),                          # the text also says 低于500万元
    ("超过", "第一条", ["boundary-word"]),           # text: 以上 (includes 500万元) and 低于
    ("以上", "第二条", ["boundary-word"]),           # text: 超过300万元 — but the rule says 以上 500万元…
])
def test_the_comparison_word_must_match_the_text_near_the_number(tmp_path: Path, op: str, cites: str,
                                                                 expected: list[str]) -> None:
    amount = "500万元" if cites == "第一条" else "300万元"
    findings, _ = lint(tmp_path, rule("r", f"{{fact: total_investment, op: {op}, value: {amount}}}", cites=cites))
    found = [f.code for f in findings if f.code.startswith("boundary")]
    assert found == expected
    if expected:
        finding = next(f for f in findings if f.code == "boundary-word")
        assert finding.line is not None and op in finding.message_zh and "民法典" in (finding.hint_zh or "")


def test_the_complement_of_the_texts_word_is_accepted_and_numbers_absent_from_the_text_are_warnings(
        tmp_path: Path) -> None:
    # 第二条: 超过300万元 → the rule for the rest says 300万元以下 (the complement), which agrees.
    findings, _ = lint(tmp_path, rule("rest", "{fact: total_investment, op: 以下, value: 300万元}", cites="第二条"),
                       rule("odd", "{fact: total_investment, op: 以上, value: 700万元}", cites="第二条",
                            kind="review"))
    assert codes(findings) == [("boundary-not-in-text", Severity.WARNING)]
    assert findings[0].rules == ("demo.review.odd",)


SUPERVISION = """\
provisions:
  - label: 第十七条
    path: [第十七条]
  - label: 第十七条第一款
    path: [第十七条, 第一款]
    text: 资金预算100万元以上的建设项目实行工程监理制。
"""


@pytest.mark.parametrize(("amount", "expected"), [("100万元", []), ("1000000元", []), ("1000000", []),
                                                  ("150万元", [("boundary-not-in-text", Severity.WARNING)]),
                                                  ("1000001元", [("boundary-not-in-text", Severity.WARNING)])])
def test_a_number_changed_from_the_texts_is_a_warning_naming_rule_and_provision(
        tmp_path: Path, amount: str, expected: list[tuple[str, Severity]]) -> None:
    """The most common editing mistake: 100万元 typed as 150万元 (or one yuan off) in 第十七条."""
    supervision = rule("supervision", "{fact: budget_amount, op: 以上, value: " + amount + "}",
                       kind="obligation", cites="第十七条第一款", extra="require: {fact: has_supervision, is: true}")
    findings, _ = lint(tmp_path, supervision, provisions=SUPERVISION)
    assert codes(findings) == expected
    if expected:
        [finding] = findings
        assert "demo.obligation.supervision" in finding.message_zh and "第十七条第一款" in finding.message_zh
        assert "demo.obligation.supervision" in finding.message_en and "第十七条第一款" in finding.message_en
        assert finding.file is not None and finding.file.endswith("rules.yaml") and finding.line is not None
        code, out = run("lint", str(tmp_path / "policies"), "--fail-on", "warning")
        assert code == 1 and "warning [boundary-not-in-text]" in out
        assert run("lint", str(tmp_path / "policies"))[0] == 0  # a warning: the default fails on errors only


def test_a_number_that_answers_a_reading_is_information_not_a_warning(tmp_path: Path) -> None:
    """"多家" read as 3 or more: the number comes from the declared reading, not the text."""
    provisions = PROVISIONS.replace("维保期不少于3年。", "编制前应咨询多家供应商。")
    readings = textwrap.dedent("""\
        readings:
          - id: demo_several
            provision: 第三条
            question: {zh: 多家是几家, en: how many is several}
            quote: 多家供应商
            answer: at_least_three
            alternatives:
              more_than_one: {zh: 两家以上, en: two or more}
              at_least_three: {zh: 三家以上, en: three or more}
            why: {zh: 演示, en: demo}
        """)
    guarded = rule("several", "{fact: project_type, is: construction}", kind="obligation", cites="第三条",
                   extra="require: {all: [{reading: demo_several, is: at_least_three}, "
                         "{fact: suppliers_consulted_before_drafting, op: 以上, value: 3}]}")
    write_pack(tmp_path / "policies", "demo", provisions=provisions, rules="rules:\n" + guarded)
    (tmp_path / "policies" / "demo" / "readings.yaml").write_text(readings, encoding="utf-8")
    engine = load(tmp_path / "policies")
    found = [f for f in lint_packs(engine.packs, engine.vocabulary, engine) if f.code == "boundary-not-in-text"]
    assert [(f.severity, f.rules) for f in found] == [(Severity.INFO, ("demo.obligation.several",))]
    assert "demo_several" in found[0].message_zh


def test_a_number_with_another_unit_is_matched_by_its_unit(tmp_path: Path) -> None:
    bad = rule("w", "{fact: project_type, is: construction}", kind="obligation", cites="第三条",
               extra="require: {fact: warranty_years, op: 超过, value: 3}")
    findings, _ = lint(tmp_path, bad)
    assert [f.code for f in findings] == ["boundary-word"]
    assert "3年" in findings[0].message_zh


def test_numbers_inside_larger_numbers_are_not_matched(tmp_path: Path) -> None:
    provisions = PROVISIONS.replace("总投资超过300万元的", "总投资1300万元以上的")
    findings, _ = lint(tmp_path, rule("r", "{fact: total_investment, op: 超过, value: 300万元}", cites="第二条"),
                       provisions=provisions)
    assert [f.code for f in findings] == ["boundary-not-in-text"]


# ---------------------------------------------------------------------------------------------
# 5: vocabulary and registry coverage


def test_unused_facts_and_uncited_provisions_are_warnings(tmp_path: Path) -> None:
    write_pack(tmp_path / "policies", "demo", provisions=PROVISIONS,
               rules="rules:\n" + rule("r", construction("以上", "500万元")))
    engine = load(tmp_path / "policies")
    # A fact no pack uses — neither the one checked nor the bundled ones (which use warranty_years).
    spare = govrules.Fact("spare_fact", govrules.FactType.BOOLEAN, "备用事实", "a fact no rule reads")
    vocab = govrules.Vocabulary({**engine.vocabulary, "spare_fact": spare}, "facts.yaml")
    findings = lint_packs(engine.packs, vocab, engine)
    unused = {f.path[-1] for f in findings if f.code == "unused-fact"}
    assert unused == {"spare_fact"}
    assert all(f.severity is Severity.WARNING for f in findings if f.code == "unused-fact")
    uncited = {f.path[-1]: f for f in findings if f.code == "uncited-provision"}
    assert set(uncited) == {"第二条", "第三条"}          # 第四条 is marked evaluable: false
    assert uncited["第二条"].line is not None and uncited["第二条"].file.endswith("provisions.yaml")  # type: ignore[union-attr]


def test_a_parent_is_covered_when_its_parts_are(tmp_path: Path) -> None:
    provisions = textwrap.dedent("""\
        provisions:
          - label: 第一条
            path: [第一条]
          - label: 第一条第一款
            path: [第一条, 第一款]
            text: 对总投资500万元以上的建设项目批复可行性研究报告。
          - label: 第一条第二款
            path: [第一条, 第二款]
            text: 本办法自2024年2月1日起施行。
            evaluable: false
            reason: 施行日期。
        """)
    findings, _ = lint(tmp_path, rule("r", construction("以上", "500万元"), cites="第一条第一款"),
                       provisions=provisions)
    engine = load(tmp_path / "policies")
    assert not [f for f in lint_packs(engine.packs, VOCAB, engine) if f.code == "uncited-provision"]
    assert not findings


# ---------------------------------------------------------------------------------------------
# The reference pack: every finding checked against the text


def test_wuxing_has_no_errors_or_warnings_and_one_cumulative_tier() -> None:
    engine = load(REPO / "policies" / "wuxing")
    findings = lint_packs(engine.packs, engine.vocabulary, engine)
    assert [f for f in findings if f.severity is not Severity.INFO] == []
    # 第十三条第一款: "对总投资500万元以上的……批复项目可行性研究报告，其中总投资2000万元以上的……还需批复初步设计"
    # — the two approvals are meant to apply together from 2000万元 on.
    assert [(f.code, set(f.rules)) for f in findings] == [
        ("tier-overlap", {"wuxing.approval.feasibility_study", "wuxing.approval.preliminary_design"})]
    project = dict(findings[0].counter_example or ())
    assert project["total_investment"] == "20000000"
    report = engine.evaluate(project, "wuxing", engine.packs[0].document.in_force_from)
    decided = {d.rule: d.status.value for d in report.decisions}
    assert decided["wuxing.approval.feasibility_study"] == decided["wuxing.approval.preliminary_design"] == "applies"
    assert decided["wuxing.approval.contact_sheet"] == "not_applicable"


# ---------------------------------------------------------------------------------------------
# The command line


def run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue() + err.getvalue()


def test_cli_prints_findings_as_data_and_fails_on_errors(tmp_path: Path) -> None:
    write_pack(tmp_path / "policies", "demo", provisions=PROVISIONS,
               rules="rules:\n" + rule("low", construction("低于", "500万元")) + rule("high", construction("超过", "500万元")))
    code, out = run("lint", str(tmp_path / "policies"), "--format", "json")
    assert code == 1  # boundary-word is an error
    data = json.loads(out)
    assert data["problems"] == []
    by_code = {f["code"]: f for f in data["findings"]}
    gap = by_code["tier-gap"]
    assert gap["severity"] == "warning" and gap["rules"] == ["demo.approval.low", "demo.approval.high"]
    assert gap["file"].endswith("rules.yaml") and isinstance(gap["line"], int) and isinstance(gap["column"], int)
    assert gap["counter_example"]["total_investment"] == "5000000"
    assert yaml.safe_load(gap["case_yaml"])[0]["project"]["total_investment"] == "5000000"
    assert {"message_zh", "message_en", "hint_zh", "hint_en", "path"} <= set(gap)
    assert run("lint", str(tmp_path / "policies"), "--fail-on", "never")[0] == 0


def test_cli_fail_on_chooses_the_severity_that_fails(tmp_path: Path) -> None:
    write_pack(tmp_path / "policies", "demo", provisions=PROVISIONS,
               rules="rules:\n" + rule("low", construction("低于", "500万元"))
               + rule("high", construction("以上", "600万元")) + rule("x", "{fact: project_type, is: construction}",
                                                                     cites="第二条")
               + rule("other", "{fact: project_type, is: construction}", cites="第三条", kind="review"))
    code, out = run("lint", str(tmp_path / "policies"))
    assert code == 0, out  # a gap between tiers is a warning; the default fails on errors only
    assert run("lint", str(tmp_path / "policies"), "--fail-on", "warning")[0] == 1
    assert "rules.yaml:" in out and "warning [tier-gap]" in out
    assert "区间内时" in out and "is matched by none" in out and "提示：" in out and "hint:" in out
    assert "total_investment: '5000000'" in out
    assert "no problems loading" in out


def test_cli_load_problems_still_exit_1_without_analyses(tmp_path: Path) -> None:
    write_pack(tmp_path / "policies", "demo", provisions=PROVISIONS,
               rules="rules:\n" + rule("bad", "{fact: total_investmnt, op: 以上, value: 1}"))
    code, out = run("lint", str(tmp_path / "policies"), "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data["findings"] == [] and data["problems"][0]["code"] == "unknown-fact"


def test_a_word_after_及_is_read(tmp_path: Path) -> None:
    provisions = PROVISIONS.replace("总投资超过300万元的", "总投资300万元及以上的")
    findings, _ = lint(tmp_path, rule("r", "{fact: total_investment, op: 超过, value: 300万元}", cites="第二条"),
                       provisions=provisions)
    assert [f.code for f in findings] == ["boundary-word"]
    assert "以上" in findings[0].message_zh


def test_a_gap_counter_example_also_rules_out_the_other_ways_a_tier_applies(tmp_path: Path) -> None:
    high = ("{all: [{fact: project_type, is: construction}, {any: [{fact: total_investment, op: 以上, value: 500万元}, "
            "{fact: has_supervision, is: true}]}]}")
    findings, engine = lint(tmp_path, rule("low", construction("低于", "300万元")), rule("high", high))
    gap = [f for f in findings if f.code == "tier-gap"]
    assert len(gap) == 1 and "[300万元, 500万元)" in gap[0].message_zh
    project = dict(gap[0].counter_example or ())
    assert project["has_supervision"] is False and project["total_investment"] == "3000000"
    assert set(statuses(engine, gap[0]).values()) == {"not_applicable"}


# ---------------------------------------------------------------------------------------------
# The decision procedure against brute force: sound both ways


AMOUNTS = [Decimal(n * 1000000) for n in (1, 3, 5)]
leaves = st.one_of(
    st.builds(lambda op, v: Compare("total_investment", op, Literal(v)),
              st.sampled_from(sorted(STATUTORY_WORDS)), st.sampled_from(AMOUNTS)),
    st.builds(lambda v: Equals("project_type", v), st.sampled_from(sorted(VOCAB["project_type"].values))),
    st.builds(lambda v: OneOf("project_type", tuple(v)),
              st.lists(st.sampled_from(sorted(VOCAB["project_type"].values)), min_size=1, max_size=2, unique=True)),
    st.builds(lambda v: Equals("has_supervision", v), st.booleans()),
    st.builds(Known, st.sampled_from(["total_investment", "has_supervision"]), st.booleans()),
)
conditions = st.recursive(leaves, lambda inner: st.one_of(
    st.builds(lambda xs: All(tuple(xs)), st.lists(inner, min_size=1, max_size=3)),
    st.builds(lambda xs: AnyOf(tuple(xs)), st.lists(inner, min_size=1, max_size=3)),
    st.builds(Not, inner)), max_leaves=6)


def _grid() -> list[dict[str, Any]]:
    amounts: list[Any] = [None, Decimal(0)] + [a + d for a in AMOUNTS for d in (Decimal("-0.01"), 0, Decimal("0.01"))]
    types: list[Any] = [None, *VOCAB["project_type"].values]
    return [{k: v for k, v in (("total_investment", a), ("project_type", t), ("has_supervision", s)) if v is not None}
            for a in amounts for t in types for s in (None, True, False)]


GRID = _grid()


@settings(max_examples=300, deadline=None)
@given(conditions)
def test_satisfiability_agrees_with_brute_force(cond: Condition) -> None:
    compiled = compile_condition(cond, default_calendar())
    verdict, witness = satisfiable(cond, VOCAB)
    if verdict is Sat.SAT:
        assert compiled(witness) is True  # the witness really makes it true, with the engine's logic
    elif verdict is Sat.UNSAT:
        assert not any(compiled(facts) is True for facts in GRID)
    else:
        pytest.fail("conditions without fact-to-fact comparisons are always decided")
    if any(compiled(facts) is True for facts in GRID):
        assert verdict is Sat.SAT


# ---------------------------------------------------------------------------------------------
# Case files: every mistake of a file at once, each at its own line (issue 15)

GOOD_CASE = """\
provision: 第一条
as_of: "2026-06-01"
cases:
  - name: 恰为500万元批复可研
    project:
      project_type: construction
      total_investment: 500万元
    expect:
      - rule: demo.approval.r
        status: applies
"""

TYPOS = {  # the mistake, and the text of the line it is on
    "status": ("status: applies", "status: appiles"),
    "rule": ("rule: demo.approval.r\n", "rule: demo.approval.rr\n"),
    "fact": ("project_type: construction", "project_typ: construction"),
}


def _lint_case(tmp_path: Path, case_text: str) -> tuple[int, list[dict[str, Any]]]:
    write_pack(tmp_path / "policies", "demo", provisions=PROVISIONS,
               rules="rules:\n" + rule("r", construction("以上", "500万元")), cases={"test_first.yaml": case_text})
    code, out = run("lint", str(tmp_path / "policies"), "--format", "json")
    return code, json.loads(out)["problems"]


@pytest.mark.parametrize("mistakes", [(), ("status",), ("rule",), ("fact",), ("status", "rule", "fact")])
def test_lint_reports_each_mistake_of_a_case_file_at_its_own_line(tmp_path: Path, mistakes: tuple[str, ...]) -> None:
    text = GOOD_CASE
    for mistake in mistakes:
        old, new = TYPOS[mistake]
        text = text.replace(old, new)
    code, problems = _lint_case(tmp_path, text)
    assert code == (1 if mistakes else 0)
    lines = text.splitlines()
    # One problem per mistake, no more: a misspelled rule id is not also "no rule cites 第一条".
    assert len(problems) == len(mistakes), problems
    at = {m for p in problems for m in mistakes if TYPOS[m][1].strip() in lines[p["line"] - 1]}
    assert at == set(mistakes)  # each problem at the line of its own mistake
    for p in problems:
        assert p["file"].endswith("test_first.yaml") and p["message_zh"] and p["hint_zh"] is not None


def test_a_misspelled_fact_of_a_case_is_a_located_bilingual_problem(tmp_path: Path) -> None:
    text = GOOD_CASE.replace("      total_investment: 500万元\n",
                             "      total_investment: 500万元\n      has_supervison: true\n")
    code, problems = _lint_case(tmp_path, text)
    assert code == 1
    [problem] = problems
    assert problem["line"] == 8 and problem["column"] == 7  # the key itself
    assert problem["code"] == "case-project-unknown-fact"
    assert problem["message_zh"] == "项目中的 has_supervison 不是 govrules 认识的事实"
    assert problem["hint_zh"] == "是否应为 'has_supervision'？"
    assert "'has_supervision'" in problem["hint"]
    # A bad value of a known fact is located at the value, and lists the allowed values in Chinese.
    code, problems = _lint_case(tmp_path / "again", GOOD_CASE.replace("project_type: construction",
                                                                      "project_type: operations"))
    [problem] = problems
    assert problem["line"] == 6 and problem["code"] == "case-project-bad-value"
    assert "建设项目" in problem["hint_zh"]


@pytest.mark.parametrize(("old", "new", "code"), [
    ("provision: 第一条", "provision: 第一十条", "unknown-provision"),
    ('as_of: "2026-06-01"', 'as_of: "2026-02-30"', "bad-date"),
    ('as_of: "2026-06-01"\n', "", "case-needs-as-of"),
    ("      - rule: demo.approval.r\n        status: applies", "      - rule: demo.approval.r", "empty-expectation"),
    ("    project:\n", "    readings: {no_such_reading: x}\n    project:\n", "unknown-reading"),
    ("    project:\n", "    projekt: {}\n    project:\n", "unknown-key"),
    ("total_investment: 500万元", "total_investment: 很多", "case-project-bad-value"),
])
def test_every_problem_of_a_case_file_has_a_specific_code_and_chinese(tmp_path: Path, old: str, new: str,
                                                                       code: str) -> None:
    assert old in GOOD_CASE
    _, problems = _lint_case(tmp_path, GOOD_CASE.replace(old, new))
    assert [p["code"] for p in problems] == [code]
    assert problems[0]["message_zh"] and problems[0]["line"] is not None


def test_a_case_without_as_of_still_has_its_other_mistakes_reported(tmp_path: Path) -> None:
    text = GOOD_CASE.replace('as_of: "2026-06-01"\n', "").replace(*TYPOS["rule"])
    _, problems = _lint_case(tmp_path, text)
    assert sorted(p["code"] for p in problems) == ["case-needs-as-of", "unknown-rule"]
