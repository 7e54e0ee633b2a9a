"""Tests of govrules.pytest_plugin with pytester: each per-provision YAML case becomes a test item."""

from __future__ import annotations

import re

import pytest
from packwriter import pack_yaml, write_pack

import govrules.pytest_plugin  # noqa: F401  (imported once here, so inner runs reuse it)

pytest_plugins = ["pytester"]

# Inner runs: no cache files, and no hypothesis plugin (pytester would re-import hypothesis each run).
QUIET = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")

PROVISIONS = """\
provisions:
  - label: 第一条
    path: [第一条]
    text: 总投资500万元以上的建设项目批复可行性研究报告。
  - label: 第二条
    path: [第二条]
  - label: 第二条第一款
    path: [第二条, 第一款]
    text: 资金预算100万元以上的建设项目实行工程监理制。
  - label: 第二条第二款
    path: [第二条, 第二款]
    text: 监理单位与承建单位应当相互独立。
"""

RULES = """\
rules:
  - id: demo.approval.feasibility
    kind: approval
    title: {zh: 总投资500万元以上批复可研, en: feasibility study from 5 million}
    cites: [第一条]
    when:
      all:
        - {fact: project_type, is: construction}
        - {fact: total_investment, op: 以上, value: 500万元}
    outcome: feasibility_study
  - id: demo.obligation.supervision
    kind: obligation
    title: {zh: 预算100万元以上实行监理, en: supervision from 1 million}
    cites: [第二条第一款]
    when: {fact: budget_amount, op: 以上, value: 100万元}
    require: {fact: has_supervision, is: true}
    outcome: supervision_required
  - id: demo.obligation.independent
    kind: obligation
    title: {zh: 监理独立, en: independent supervisor}
    cites: [第二条第二款]
    require: {fact: supervisor_independent, is: true}
    outcome: supervisor_independent
"""

PASSING = """\
provision: 第一条
as_of: "2026-06-01"
cases:
  - name: 恰为500万元批复可研
    project: {project_type: construction, total_investment: 500万元}
    expect:
      - rule: demo.approval.feasibility
        status: applies
        outcome: feasibility_study
  - name: 低于500万元不批复可研
    project: {project_type: construction, total_investment: "4999999.99"}
    expect:
      - rule: demo.approval.feasibility
        status: not_applicable
  - name: 运维项目不批复可研
    project: {project_type: operation_maintenance, total_investment: 900万元}
    expect:
      - rule: demo.approval.feasibility
        status: not_applicable
"""

FAILING = """\
provision: 第二条第一款
as_of: "2026-06-01"
cases:
  - name: 通过的用例
    project: {budget_amount: 100万元, has_supervision: true}
    expect:
      - rule: demo.obligation.supervision
        status: satisfied
  - name: 故意写错的期望
    project: {budget_amount: 100万元, has_supervision: false}
    expect:
      - rule: demo.obligation.supervision
        status: satisfied
"""


def build(pytester: pytest.Pytester, cases: dict[str, str], *, rules: str = RULES) -> None:
    """policies/demo/ with pack.yaml, provisions.yaml, rules/rules.yaml and tests/<cases>."""
    write_pack(pytester.path / "policies", "demo", provisions=PROVISIONS, rules=rules, cases=cases)


def test_plugin_is_registered_through_the_entry_point(pytester: pytest.Pytester) -> None:
    build(pytester, {"test_demo.yaml": PASSING})
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(passed=3)


def test_plugin_can_be_enabled_explicitly_when_autoload_is_off(pytester: pytest.Pytester,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    build(pytester, {"test_demo.yaml": PASSING})
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    # Without the plugin nothing is collected: the items really come from govrules.
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes()
    pytester.runpytest("-p", "no:cacheprovider", "-p", "govrules.pytest_plugin").assert_outcomes(passed=3)
    pytester.runpytest("-p", "no:cacheprovider", "-p", "govrules").assert_outcomes(passed=3)


def test_passing_cases_are_collected_as_items(pytester: pytest.Pytester) -> None:
    build(pytester, {"test_demo.yaml": PASSING})
    result = pytester.runpytest(*QUIET, "--collect-only", "-q")
    text = result.stdout.str()
    assert "test_demo.yaml::恰为500万元批复可研" in text
    assert "test_demo.yaml::低于500万元不批复可研" in text
    assert "test_demo.yaml::运维项目不批复可研" in text
    result = pytester.runpytest(*QUIET, "-v", "--junitxml=report.xml")
    result.assert_outcomes(passed=3, failed=0)
    # Each item records the provision it covers as a user property (visible in JUnit XML).
    import xml.etree.ElementTree as ET

    cases = ET.parse(pytester.path / "report.xml").getroot().iter("testcase")
    props = [[(p.get("name"), p.get("value")) for p in case.iter("property")] for case in cases]
    assert props == [[("provision", "第一条")]] * 3


def test_failing_case_shows_rule_expected_got_and_reasoning(pytester: pytest.Pytester) -> None:
    build(pytester, {"test_demo.yaml": PASSING, "test_supervision.yaml": FAILING})
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(passed=4, failed=1)
    out = result.stdout.str()
    # Chinese first, English beside it; the mismatch is located at the expected field (status, line 13).
    zh = out.index("test_supervision.yaml:13: demo.obligation.supervision：status 期望 'satisfied'，实际 'violated'")
    assert zh < out.index("demo.obligation.supervision: status expected 'satisfied', got 'violated'")
    assert re.search(r"原因 because: 违反要求：.*否", out)
    assert "故意写错的期望" in out
    assert re.search(r"test_supervision\.yaml:9: \[第二条第一款\]", out)


def test_a_misspelled_fact_is_a_collection_error_at_its_line(pytester: pytest.Pytester) -> None:
    typo = FAILING.replace("has_supervision: false}", "has_supervison: false}")
    build(pytester, {"test_supervision.yaml": typo})
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(errors=1)
    assert re.search(r"test_supervision\.yaml:10:\d+: project fact 'has_supervison' is not a fact",
                     result.stdout.str())


def test_case_with_provision_not_in_registry_is_a_collection_error(pytester: pytest.Pytester) -> None:
    bad = PASSING.replace("provision: 第一条", "provision: 第一十条")
    build(pytester, {"test_demo.yaml": bad, "test_ok.yaml": FAILING.split("  - name: 故意")[0]})
    result = pytester.runpytest(*QUIET, "--continue-on-collection-errors")
    result.assert_outcomes(passed=1, errors=1)
    out = result.stdout.str()
    assert "ERROR collecting policies/demo/tests/test_demo.yaml" in out
    assert re.search(r"policies/demo/tests/test_demo\.yaml:1:\d+: provision '第一十条' is not in the demo registry",
                     out)
    assert "did you mean '第一条'?" in out
    # Without --continue-on-collection-errors, pytest stops the session as for any collection error.
    pytester.runpytest(*QUIET).assert_outcomes(errors=1)


def test_file_level_unknown_provision_is_reported_once(pytester: pytest.Pytester) -> None:
    bad = PASSING.replace("provision: 第一条", "provision: 第一十条")  # three cases share it
    build(pytester, {"test_demo.yaml": bad})
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(errors=1)
    assert result.stdout.str().count("provision '第一十条' is not in the demo registry") == 1


def test_case_level_provision_not_in_registry_points_at_its_line(pytester: pytest.Pytester) -> None:
    bad = PASSING.replace("  - name: 低于500万元不批复可研\n",
                          "  - name: 低于500万元不批复可研\n    provision: 第九条\n")
    build(pytester, {"test_demo.yaml": bad})
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(errors=1)
    lines = bad.splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "第九条" in text)
    assert re.search(rf"test_demo\.yaml:{line}:\d+: provision '第九条' is not in the demo registry",
                     result.stdout.str())


def test_case_expecting_no_rule_of_its_provision_is_a_collection_error(pytester: pytest.Pytester) -> None:
    # The file says 第二条第二款 but only expects a rule citing 第一条.
    orphan = PASSING.replace("provision: 第一条", "provision: 第二条第二款")
    build(pytester, {"test_demo.yaml": orphan})
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(errors=1)
    out = result.stdout.str()
    assert "no expected rule of this case cites 第二条第二款" in out
    assert re.search(r"test_demo\.yaml:\d+", out)


def test_case_on_a_parent_article_accepts_rules_citing_its_paragraphs(pytester: pytest.Pytester) -> None:
    article = FAILING.replace("provision: 第二条第一款", "provision: 第二条").split("  - name: 故意")[0]
    build(pytester, {"test_demo.yaml": article})
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(passed=1)


def test_unknown_rule_of_the_pack_is_a_collection_error(pytester: pytest.Pytester) -> None:
    typo = PASSING.replace("rule: demo.approval.feasibility\n        status: applies",
                           "rule: demo.approval.feasibilty\n        status: applies")
    build(pytester, {"test_demo.yaml": typo})
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(errors=1)
    assert "no rule 'demo.approval.feasibilty' in demo" in result.stdout.str()


def test_broken_pack_is_a_collection_error_not_a_crash(pytester: pytest.Pytester) -> None:
    build(pytester, {"test_demo.yaml": PASSING}, rules=RULES.replace("cites: [第一条]", "cites: [第九条]"))
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(errors=1)
    out = result.stdout.str()
    assert re.search(r"rules/rules\.yaml:\d+:\d+: cites '第九条'", out)
    assert "INTERNALERROR" not in out


def test_yaml_outside_a_packs_tests_dir_is_not_collected(pytester: pytest.Pytester) -> None:
    build(pytester, {"test_demo.yaml": PASSING})
    pack = pytester.path / "policies" / "demo"
    # Same content, wrong places: another folder of the pack, a folder below tests/, the pack root,
    # and a tests/ dir with no pack.yaml beside it.
    (pack / "docs").mkdir()
    (pack / "docs" / "test_docs.yaml").write_text(FAILING, encoding="utf-8")
    (pack / "tests" / "sub").mkdir()
    (pack / "tests" / "sub" / "test_nested.yaml").write_text(FAILING, encoding="utf-8")
    (pack / "test_top.yaml").write_text(FAILING, encoding="utf-8")
    (pytester.path / "other" / "tests").mkdir(parents=True)
    (pytester.path / "other" / "tests" / "test_stray.yaml").write_text(FAILING, encoding="utf-8")
    # A case file must start with test_.
    (pack / "tests" / "demo_cases.yaml").write_text(FAILING, encoding="utf-8")
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(passed=3)


def test_yml_extension_is_collected(pytester: pytest.Pytester) -> None:
    build(pytester, {"test_demo.yml": PASSING})
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(passed=3)


def test_two_packs_share_one_engine_per_policies_dir(pytester: pytest.Pytester) -> None:
    build(pytester, {"test_demo.yaml": PASSING})
    other = pytester.path / "policies" / "other"
    (other / "rules").mkdir(parents=True)
    (other / "tests").mkdir()
    (other / "pack.yaml").write_text(pack_yaml("other"),
                                     encoding="utf-8")
    (other / "provisions.yaml").write_text(PROVISIONS, encoding="utf-8")
    (other / "rules" / "x.yaml").write_text(RULES.replace("demo.", "other."), encoding="utf-8")
    (other / "tests" / "test_other.yaml").write_text(PASSING.replace("demo.", "other."), encoding="utf-8")
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(passed=6)


def test_case_with_an_impossible_date_is_a_located_collection_error(pytester: pytest.Pytester) -> None:
    build(pytester, {"test_demo.yaml": PASSING.replace('as_of: "2026-06-01"', 'as_of: "2026-02-30"')})
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(errors=1)
    out = result.stdout.str()
    assert re.search(r"test_demo\.yaml:2:\d+", out)
    assert "ValueError" not in out
