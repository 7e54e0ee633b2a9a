"""Tests of the ``govrules`` command line: exit codes, output formats, located errors, no tracebacks."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from packwriter import write_pack

import govrules
from govrules import Status
from govrules.cli import main

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "wuxing-project.yaml"
POLICIES = REPO / "policies"
SAMPLE_2027 = REPO / "tests" / "data" / "holidays-2027-sample.yaml"
GOVRULES = Path(sys.executable).parent / "govrules"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def write_project(path: Path, **changes: object) -> Path:
    """A copy of the example project with some facts changed (None removes the fact)."""
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


# A tiny pack: one jurisdiction, one rule per provision, one case file.

PROVISIONS = """\
provisions:
  - label: 第一条
    path: [第一条]
    text: 总投资500万元以上的建设项目批复可行性研究报告。
  - label: 第二条
    path: [第二条]
    text: 资金预算100万元以上的建设项目实行工程监理制。
  - label: 第三条
    path: [第三条]
    text: 本办法自2024年2月1日起施行。
    evaluable: false
    reason: 施行日期条款。
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
    cites: [第二条]
    when: {fact: budget_amount, op: 以上, value: 100万元}
    require: {fact: has_supervision, is: true}
    outcome: supervision_required
"""

CASES = """\
provision: 第一条
as_of: "2026-06-01"
cases:
  - name: 恰为500万元批复可研
    project: {project_type: construction, total_investment: 500万元}
    expect:
      - rule: demo.approval.feasibility
        status: applies
  - name: 低于500万元不批复可研
    project: {project_type: construction, total_investment: "4999999.99"}
    expect:
      - rule: demo.approval.feasibility
        status: not_applicable
"""

WRONG_CASE = """\
provision: 第二条
as_of: "2026-06-01"
cases:
  - name: 故意写错的期望
    project: {budget_amount: 100万元, has_supervision: false}
    expect:
      - rule: demo.obligation.supervision
        status: satisfied
"""


def make_pack(root: Path, *, rules: str = RULES, cases: dict[str, str] | None = None) -> Path:
    write_pack(root, "demo", provisions=PROVISIONS, rules=rules,
               cases=cases if cases is not None else {"test_first.yaml": CASES})
    return root


BROKEN_RULES = RULES.replace("cites: [第二条]", "cites: [第九条]").replace("fact: budget_amount",
                                                                          "fact: budget_amout")


# ---------------------------------------------------------------------------------------------
# evaluate


def test_evaluate_example_exit_code_follows_its_findings() -> None:
    code, out, err = run("evaluate", str(EXAMPLE), "-j", "wuxing", "--as-of", "2026-06-01")
    report = govrules.load().evaluate(EXAMPLE, "wuxing", date(2026, 6, 1))
    assert code == (1 if report.by_status(Status.VIOLATED, Status.OVERDUE) else 0)
    assert err == ""
    assert "第十五条" in out
    assert "WX-2026-017" in out
    assert "wuxing.deadline.contract_upload" in out
    assert "截止 2026-05-11" in out


def test_evaluate_with_a_violated_decision_exits_1(tmp_path: Path) -> None:
    project = write_project(tmp_path / "late.yaml", contract_uploaded_on="2026-05-12")
    code, out, err = run("evaluate", str(project), "-j", "wuxing", "--as-of", "2026-06-01")
    assert code == 1
    assert err == ""
    assert "violated: 1" in out
    section = out.split("违反 (violated)")[1]
    assert "wuxing.deadline.contract_upload" in section
    assert "第十五条" in section


def test_evaluate_with_an_overdue_decision_exits_1(tmp_path: Path) -> None:
    project = write_project(tmp_path / "overdue.yaml", contract_uploaded_on=None)
    assert run("evaluate", str(project), "-j", "wuxing", "--as-of", "2026-05-11")[0] == 0  # pending
    code, out, _ = run("evaluate", str(project), "-j", "wuxing", "--as-of", "2026-05-12")
    assert code == 1
    assert "逾期 (overdue)" in out


def test_evaluate_clean_project_exits_0(tmp_path: Path) -> None:
    project = write_project(tmp_path / "ok.yaml")
    code, out, _ = run("evaluate", str(project), "-j", "wuxing", "--as-of", "2026-06-01")
    assert code == 0
    assert "violated: 0" in out and "overdue: 0" in out


def test_evaluate_json_parses_and_matches_the_library() -> None:
    code, out, err = run("evaluate", str(EXAMPLE), "-j", "wuxing", "--as-of", "2026-06-01", "--format", "json")
    assert err == ""
    data = json.loads(out)
    assert data["decisions"]
    assert data["as_of"] == "2026-06-01"
    assert data == govrules.load().evaluate(EXAMPLE, "wuxing", date(2026, 6, 1)).to_dict()
    assert code in (0, 1)


def test_evaluate_table_hides_not_applicable_unless_all() -> None:
    _, short, _ = run("evaluate", str(EXAMPLE), "-j", "wuxing", "--as-of", "2026-06-01")
    _, full, _ = run("evaluate", str(EXAMPLE), "-j", "wuxing", "--as-of", "2026-06-01", "--all")
    hidden = re.search(r"\((\d+) rule\(s\) do not apply; --all lists them\)", short)
    assert hidden and int(hidden.group(1)) > 0
    assert "不适用 (not_applicable)" not in short
    assert "不适用 (not_applicable)" in full
    # e.g. the contact sheet (under 5 million) does not apply to an 860万元 project
    assert "wuxing.approval.contact_sheet" not in short
    assert "wuxing.approval.contact_sheet" in full


def test_evaluate_holiday_file_removes_the_provisional_mark(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p2027.yaml", contract_signed_on="2027-04-30", contract_uploaded_on=None)
    _, plain, _ = run("evaluate", str(project), "-j", "wuxing", "--as-of", "2027-05-03")
    assert "截止 2027-05-07（暂定）" in plain
    _, official, _ = run("evaluate", str(project), "-j", "wuxing", "--as-of", "2027-05-03",
                         "--holidays", str(SAMPLE_2027))
    assert "截止 2027-05-11" in official
    assert "（暂定）" not in official


def test_evaluate_before_the_pack_is_in_force_prints_the_notices() -> None:
    # The day before 吴兴's 第三十三条 date: only the parent 湖州 plan is in force.
    code, out, _ = run("evaluate", str(EXAMPLE), "-j", "wuxing", "--as-of", "2023-11-24")
    assert code == 0
    notices = [line for line in out.splitlines() if line.startswith("注意: ")]
    # The not-in-force notice first; after it only what decisions of 湖州's plan rest on (readings).
    assert "2023-11-25" in notices[0] and "吴政办发〔2023〕43号" in notices[0]
    assert all("解读" in n or "本地参数" in n for n in notices[1:])
    # Before 湖州's plan too: no pack in force, no decisions, and the notices say why.
    code, out, _ = run("evaluate", str(EXAMPLE), "-j", "wuxing", "--as-of", "2023-07-09", "--format", "json")
    data = json.loads(out)
    assert data["decisions"] == [] and data["packs"] == []
    assert [n["code"] for n in data["notices"]] == ["pack-not-in-force", "pack-not-in-force", "no-pack-in-force"]


def test_bad_project_exits_3_naming_each_bad_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("funding_source: fiscal\ntotal_investmnt: 500万元\ncontract_signed_on: '2026-02-30'\n",
                   encoding="utf-8")
    code, out, err = run("evaluate", str(bad), "-j", "wuxing", "--as-of", "2026-06-01")
    assert code == 3
    assert out == ""
    assert "total_investmnt" in err and "total_investment" in err  # with the did-you-mean
    assert "contract_signed_on" in err
    assert "Traceback" not in err


def test_bad_project_error_format_json(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"total_investmnt": "1", "contract_signed_on": "2026/05/01"}), encoding="utf-8")
    code, _, err = run("--error-format", "json", "evaluate", str(bad), "-j", "wuxing", "--as-of", "2026-06-01")
    assert code == 3
    data = json.loads(err)
    assert data["error"] == "project"
    assert {p["field"] for p in data["problems"]} == {"total_investmnt", "contract_signed_on"}
    assert all(p["message"] for p in data["problems"])


def test_missing_project_file_exits_3(tmp_path: Path) -> None:
    code, _, err = run("evaluate", str(tmp_path / "nope.yaml"), "-j", "wuxing", "--as-of", "2026-06-01")
    assert code == 3
    assert "nope.yaml" in err


def test_broken_pack_exits_4_with_file_and_line(tmp_path: Path) -> None:
    policies = make_pack(tmp_path / "policies", rules=BROKEN_RULES)
    code, out, err = run("evaluate", str(EXAMPLE), "-j", "demo", "--policies", str(policies),
                         "--as-of", "2026-06-01")
    assert code == 4
    assert out == ""
    assert re.search(r"rules\.yaml:\d+:\d+: cites '第九条'", err)
    assert re.search(r"rules\.yaml:\d+:\d+: unknown fact 'budget_amout'", err)
    assert "Traceback" not in err


def test_broken_pack_error_format_json(tmp_path: Path) -> None:
    policies = make_pack(tmp_path / "policies", rules=BROKEN_RULES)
    code, _, err = run("--error-format", "json", "evaluate", str(EXAMPLE), "-j", "demo",
                       "--policies", str(policies))
    assert code == 4
    data = json.loads(err)
    assert data["error"] == "pack"
    assert len(data["problems"]) == 2
    assert all(p["file"].endswith("rules.yaml") and isinstance(p["line"], int) for p in data["problems"])


def test_bad_holiday_file_exits_4(tmp_path: Path) -> None:
    holidays = tmp_path / "holidays-2028.yaml"
    holidays.write_text("year: 2028\nholidays: [2028-13-01]\n", encoding="utf-8")
    code, _, err = run("evaluate", str(EXAMPLE), "-j", "wuxing", "--holidays", str(holidays))
    assert code == 4
    assert "holidays-2028.yaml" in err
    assert "Traceback" not in err


def test_unknown_jurisdiction_exits_2_with_a_hint() -> None:
    code, out, err = run("evaluate", str(EXAMPLE), "-j", "wuxin", "--as-of", "2026-06-01")
    assert code == 2
    assert out == ""
    assert "'wuxing'" in err
    code, _, err = run("--error-format", "json", "evaluate", str(EXAMPLE), "-j", "wuxin")
    assert code == 2
    assert "wuxing" in json.loads(err)["message"]


def test_as_of_not_a_date_is_an_argparse_error() -> None:
    # main() returns argparse's code (2) and writes its message to the given err stream.
    err = io.StringIO()
    code = main(["evaluate", str(EXAMPLE), "-j", "wuxing", "--as-of", "2026-13-01"], out=io.StringIO(), err=err)
    assert code == 2
    assert "2026-13-01" in err.getvalue()


def test_no_command_is_an_argparse_error() -> None:
    err = io.StringIO()
    assert main([], out=io.StringIO(), err=err) == 2
    assert "usage:" in err.getvalue()


def test_real_command_prints_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("total_investmnt: 500万元\ncontract_signed_on: not-a-date\n", encoding="utf-8")
    result = subprocess.run([str(GOVRULES), "evaluate", str(bad), "-j", "wuxing", "--as-of", "2026-06-01"],
                            capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False)
    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    assert "total_investmnt" in result.stderr and "contract_signed_on" in result.stderr
    ok = subprocess.run([str(GOVRULES), "evaluate", str(EXAMPLE), "-j", "wuxing", "--as-of", "2026-06-01",
                         "--format", "json"], capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False)
    assert ok.returncode in (0, 1)
    assert "Traceback" not in ok.stderr
    assert json.loads(ok.stdout)["decisions"]


# ---------------------------------------------------------------------------------------------
# lint


def test_lint_real_policies_is_clean() -> None:
    code, out, _ = run("lint", str(POLICIES))
    assert code == 0
    assert "no problems" in out
    code, out, _ = run("lint", str(POLICIES), "--format", "json")
    assert code == 0
    assert json.loads(out)["problems"] == []


def test_lint_default_policies_is_clean() -> None:
    assert run("lint")[0] == 0


def test_lint_broken_pack_lists_located_problems(tmp_path: Path) -> None:
    policies = make_pack(tmp_path / "policies", rules=BROKEN_RULES)
    code, out, _ = run("lint", str(policies))
    assert code == 1
    assert re.search(r"rules\.yaml:\d+:\d+: cites '第九条'.*did you mean", out)
    assert re.search(r"rules\.yaml:\d+:\d+: unknown fact 'budget_amout'.*'budget_amount'", out)
    assert "2 problem(s)" in out
    code, out, _ = run("lint", str(policies), "--format", "json")
    assert code == 1
    problems = json.loads(out)["problems"]
    assert {p["code"] for p in problems} == {"unknown-provision", "unknown-fact"}
    for p in problems:
        assert p["file"].endswith("rules.yaml")
        assert isinstance(p["line"], int) and isinstance(p["column"], int)
    # Line numbers point at the offending YAML lines.
    lines = (policies / "demo" / "rules" / "rules.yaml").read_text(encoding="utf-8").splitlines()
    by_code = {p["code"]: p for p in problems}
    assert "第九条" in lines[by_code["unknown-provision"]["line"] - 1]
    assert "budget_amout" in lines[by_code["unknown-fact"]["line"] - 1]


def test_lint_reports_broken_case_files(tmp_path: Path) -> None:
    bad_case = CASES.replace("provision: 第一条", "provision: 第一十条")
    policies = make_pack(tmp_path / "policies", cases={"test_first.yaml": bad_case})
    code, out, _ = run("lint", str(policies))
    assert code == 1
    assert re.search(r"test_first\.yaml:1:\d+: provision '第一十条' is not in the demo registry", out)


def test_lint_yaml_syntax_error_is_located(tmp_path: Path) -> None:
    policies = make_pack(tmp_path / "policies", rules=RULES + "  - id: [unclosed\n")
    code, out, _ = run("lint", str(policies))
    assert code == 1
    assert re.search(r"rules\.yaml:\d+", out)
    assert "Traceback" not in out


# ---------------------------------------------------------------------------------------------
# test


def _count_cases(root: Path) -> int:
    return sum(len(yaml.safe_load(f.read_text(encoding="utf-8"))["cases"])
               for f in root.glob("*/tests/test_*.yaml"))


def test_test_real_policies_all_pass() -> None:
    code, out, _ = run("test", str(POLICIES))
    assert code == 0
    last = out.strip().splitlines()[-1]
    match = re.match(r"^(\d+) passed, 0 failed\b", last)
    assert match, last
    assert int(match.group(1)) == _count_cases(POLICIES) > 0
    code, out, _ = run("test", str(POLICIES), "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert (data["passed"], data["failed"]) == (_count_cases(POLICIES), 0)


def test_test_demo_pack_passes(tmp_path: Path) -> None:
    policies = make_pack(tmp_path / "policies")
    code, out, _ = run("test", str(policies))
    assert code == 0
    assert out.strip().splitlines()[-1].startswith("2 passed, 0 failed")


def test_test_wrong_case_exits_1_showing_expected_and_got(tmp_path: Path) -> None:
    policies = make_pack(tmp_path / "policies",
                         cases={"test_first.yaml": CASES, "test_second.yaml": WRONG_CASE})
    code, out, _ = run("test", str(policies))
    assert code == 1
    assert "FAILED" in out
    assert "故意写错的期望" in out
    # Chinese first, the English beside it, located at the expected field (line 8: status), not only the case.
    failure = out[out.index("FAILED"):]
    zh = failure.index("test_second.yaml:8: demo.obligation.supervision：status 期望 'satisfied'，实际 'violated'")
    assert zh < failure.index("demo.obligation.supervision: status expected 'satisfied', got 'violated'")
    assert "原因 because: 违反" in out
    assert re.search(r"test_second\.yaml:4: \[第二条\] 故意写错的期望", out)
    assert out.strip().splitlines()[-1].startswith("2 passed, 1 failed")
    code, out, _ = run("test", str(policies), "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert (data["passed"], data["failed"]) == (2, 1)
    failed = [c for c in data["cases"] if not c["passed"]]
    assert failed[0]["mismatches"] == [{"rule": "demo.obligation.supervision", "field": "status",
                                        "expected": "satisfied", "actual": "violated", "line": 8}]


def test_test_broken_case_file_exits_1(tmp_path: Path) -> None:
    orphan = CASES.replace("provision: 第一条", "provision: 第二条")  # expects only a 第一条 rule
    policies = make_pack(tmp_path / "policies", cases={"test_first.yaml": orphan})
    code, out, _ = run("test", str(policies))
    assert code == 1
    assert "BROKEN" in out
    assert "no expected rule of this case cites 第二条" in out


IN_FORCE_CASES = """\
provision: 第三条
cases:
  - name: 施行前一日，本办法尚未施行
    as_of: "2024-01-31"
    project: {project_type: construction}
    pack_in_force: false
  - name: 自2024年2月1日起施行，含当日
    as_of: "2024-02-01"
    project: {project_type: construction}
    pack_in_force: true
"""


def _pack_with_in_force_cases(root: Path, cases: str) -> Path:
    """The demo pack with 第三条 (本办法自2024年2月1日起施行) cited as the in-force provision."""
    provisions = PROVISIONS.replace("    evaluable: false\n    reason: 施行日期条款。\n", "")
    directory = write_pack(root, "demo", provisions=provisions, rules=RULES,
                           cases={"test_first.yaml": CASES, "test_in_force.yaml": cases})
    with (directory / "pack.yaml").open("a", encoding="utf-8") as f:
        f.write("  in_force_cites: 第三条\n")
    return root


def test_in_force_cases_test_the_date_on_both_sides_and_count_for_coverage(tmp_path: Path) -> None:
    from govrules.coverage import CoverageStatus, measure

    policies = _pack_with_in_force_cases(tmp_path / "policies", IN_FORCE_CASES)
    code, out, _ = run("test", str(policies))
    assert code == 0, out
    assert out.strip().splitlines()[-1].startswith("4 passed, 0 failed")
    assert measure(policies).pack("demo").provision("第三条").status is CoverageStatus.TESTED


def test_an_in_force_case_on_the_wrong_side_fails(tmp_path: Path) -> None:
    wrong = IN_FORCE_CASES.replace("pack_in_force: false", "pack_in_force: true")
    policies = _pack_with_in_force_cases(tmp_path / "policies", wrong)
    code, out, _ = run("test", str(policies))
    assert code == 1
    assert "pack_in_force expected True, got False" in out
    from govrules.coverage import measure
    assert [c.name for c in measure(policies).pack("demo").failing_cases] == ["施行前一日，本办法尚未施行"]


def test_pack_in_force_on_another_provision_is_a_broken_case_file(tmp_path: Path) -> None:
    misplaced = IN_FORCE_CASES.replace("provision: 第三条", "provision: 第一条")
    policies = _pack_with_in_force_cases(tmp_path / "policies", misplaced)
    code, out, _ = run("test", str(policies))
    assert code == 1
    assert "BROKEN" in out
    assert "pack_in_force tests the provision pack.yaml cites for the in-force date (第三条), not 第一条" in out


def test_test_broken_pack_exits_4(tmp_path: Path) -> None:
    policies = make_pack(tmp_path / "policies", rules=BROKEN_RULES)
    code, _, err = run("test", str(policies))
    assert code == 4
    assert "rules.yaml" in err


def test_test_case_with_an_invalid_project_is_a_broken_file_located_at_the_fact(tmp_path: Path) -> None:
    bad = CASES.replace("project: {project_type: construction, total_investment: 500万元}",
                        "project: {project_type: construction, total_investmnt: 500万元}")
    policies = make_pack(tmp_path / "policies", cases={"test_first.yaml": bad})
    code, out, _ = run("test", str(policies))
    assert code == 1
    # The misspelled fact is found when the file is read, at its own line and column, not as a failed case.
    assert re.search(r"BROKEN .*test_first\.yaml:5:\d+: project fact 'total_investmnt' is not a fact", out)
    assert "did you mean 'total_investment'?" in out
    assert out.strip().splitlines()[-1].startswith("0 passed, 0 failed, 1 broken file(s)")


def _two_files_for_one_provision() -> dict[str, str]:
    """CASES split into two case files, both for 第一条."""
    first, second = CASES.split("  - name: 低于500万元不批复可研\n")
    return {"test_first.yaml": first, "test_first_more.yaml": first.split("cases:\n")[0] + "cases:\n"
            + "  - name: 低于500万元不批复可研\n" + second}


@pytest.mark.parametrize(("cases", "provisions"), [
    ({"test_first.yaml": CASES}, 1),            # one file, two cases of 第一条
    (_two_files_for_one_provision(), 1),          # a second file for 第一条 covers no more provisions
    ({"test_first.yaml": CASES, "test_second.yaml": WRONG_CASE.replace("status: satisfied", "status: violated")},
     2),                                          # a file for another provision does
])
def test_test_counts_provisions_not_files(tmp_path: Path, cases: dict[str, str], provisions: int) -> None:
    code, out, _ = run("test", str(make_pack(tmp_path / "policies", cases=cases)))
    assert code == 0, out
    assert out.strip().splitlines()[-1].endswith(f"({provisions} provision(s) covered)")


_IMPOSSIBLE_DATE = CASES.replace('as_of: "2026-06-01"', 'as_of: "2026-02-30"')


def test_lint_case_file_with_an_impossible_date_is_a_located_problem(tmp_path: Path) -> None:
    policies = make_pack(tmp_path / "policies", cases={"test_first.yaml": _IMPOSSIBLE_DATE})
    code, out, _ = run("lint", str(policies))
    assert code == 1
    assert re.search(r"test_first\.yaml:2\b.*2026-02-30", out)


def test_test_case_file_with_an_impossible_date_is_reported_broken(tmp_path: Path) -> None:
    policies = make_pack(tmp_path / "policies", cases={"test_first.yaml": _IMPOSSIBLE_DATE})
    code, out, _ = run("test", str(policies))
    assert code == 1
    assert re.search(r"BROKEN .*test_first\.yaml:2\b.*2026-02-30", out)


def test_lint_reports_a_file_level_unknown_provision_once(tmp_path: Path) -> None:
    bad_case = CASES.replace("provision: 第一条", "provision: 第一十条")  # two cases share it
    policies = make_pack(tmp_path / "policies", cases={"test_first.yaml": bad_case})
    code, out, _ = run("lint", str(policies))
    assert code == 1
    assert out.count("provision '第一十条' is not in the demo registry") == 1
    assert "\n共 1 处问题 1 problem(s)" in out


def test_version_is_the_installed_version() -> None:
    # The version is written once (govrules/_version.py) and read by the build into the package
    # metadata; `govrules --version`, reports and the metadata must all say the same.
    from importlib.metadata import version

    assert govrules.__version__ == version("govrules")
    result = subprocess.run([str(GOVRULES), "--version"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert result.stdout.strip() == f"govrules {govrules.__version__}"
