"""Tests of ``govrules coverage``: the status of each provision, the percentage, the threshold flag."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from toolpacks import write_demo

from govrules.cli import main
from govrules.coverage import CoverageStatus, measure

REPO = Path(__file__).resolve().parents[1]
POLICIES = REPO / "policies"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("policies")
    write_demo(root)
    return root


def test_each_status_of_the_outline_pack(demo: Path) -> None:
    cov = measure(demo).pack("demo")
    status = {p.label: p.status for p in cov.provisions}
    assert status["一"] is CoverageStatus.NOT_EVALUABLE
    assert cov.provision("一").reason.startswith("宣示性")
    assert status["二（一）"] is CoverageStatus.TESTED                # cited, two passing cases
    assert status["二（二）1"] is CoverageStatus.ENCODED              # cited; its only case fails
    assert status["二（二）2"] is CoverageStatus.NOT_ENCODED
    assert status["三"] is CoverageStatus.NOT_ENCODED
    # A provision with sub-items takes the weakest status of its evaluable leaves.
    assert status["二（二）"] is CoverageStatus.NOT_ENCODED
    assert status["二"] is CoverageStatus.NOT_ENCODED
    assert cov.provision("二（一）").rules == ("demo.approval.feasibility", "demo.obligation.filing")
    assert [c.name for c in cov.provision("二（一）").cases] == ["4999999.99元不需可研", "恰为500万元需可研"]
    assert [c.passed for c in cov.provision("二（二）1").cases] == [False]
    assert [c.file for c in cov.failing_cases] == ["tests/test_filing.yaml"]
    assert cov.untested_rules == ("demo.obligation.filing",)


def test_percentage_is_tested_over_evaluable_leaves(demo: Path) -> None:
    cov = measure(demo).pack("demo")
    counts = cov.counts()
    assert counts == {"tested": 1, "encoded": 1, "not_encoded": 2, "not_evaluable": 1,
                      "evaluable_leaves": 4, "leaves": 5}
    assert cov.percent == 25.0


def test_rules_citing_a_parent_encode_its_leaves(tmp_path: Path) -> None:
    root = tmp_path / "p"
    directory = write_demo(root)
    rules = directory / "rules" / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace('cites: ["二（二）1", 二（一）]', "cites: [二（二）]"),
                     encoding="utf-8")
    (directory / "tests" / "test_filing.yaml").unlink()
    cov = measure(root).pack("demo")
    leaf = cov.provision("二（二）2")
    assert leaf.rules == () and leaf.inherited_rules == ("demo.obligation.filing",)
    assert leaf.status is CoverageStatus.ENCODED


def test_wuxing_counts_add_up_and_name_the_rules() -> None:
    cov = measure(POLICIES).pack("wuxing")
    counts = cov.counts()
    leaves = [p for p in cov.provisions if p.leaf]
    assert counts["leaves"] == len(leaves)
    assert sum(counts[s.value] for s in CoverageStatus) == len(leaves)
    assert cov.provision("第一条").status is CoverageStatus.NOT_EVALUABLE
    tiers = cov.provision("第十三条第一款")
    assert tiers.status is CoverageStatus.TESTED
    assert "wuxing.approval.feasibility_study" in tiers.rules
    assert all(c.file.startswith("tests/test_") for c in tiers.cases)
    # 第三十三条 sets the date in force: encoded by pack.yaml, tested by cases stating pack_in_force.
    in_force = cov.provision("第三十三条")
    assert in_force.in_force and in_force.rules == ()
    assert in_force.status is CoverageStatus.TESTED
    assert {c.file for c in in_force.cases} == {"tests/test_art33_in_force.yaml"}
    assert cov.percent == 100


def test_table_json_and_html(demo: Path, tmp_path: Path) -> None:
    code, out, _ = run("coverage", str(demo))
    assert code == 0
    assert "coverage 25.0%: 1 of 4 evaluable leaf provisions encoded and tested" in out
    assert "二（二）1" in out and "FAILING" in out
    code, out, _ = run("coverage", str(demo), "--format", "json")
    data = json.loads(out)
    assert data["percent"] == 25.0
    assert data["packs"][0]["counts"]["not_encoded"] == 2
    target = tmp_path / "coverage.html"
    code, out, _ = run("coverage", str(demo), "--format", "html", "--output", str(target))
    assert code == 0 and out == ""
    page = target.read_text(encoding="utf-8")
    assert "Coverage 25.0%" in page and "&lt;b&gt;原则&lt;/b&gt;" in page and "<b>原则</b>" not in page


@pytest.mark.parametrize(("threshold", "code"), [("25", 0), ("25.1", 1), ("0", 0), ("100", 1)])
def test_fail_under(demo: Path, threshold: str, code: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("coverage", str(demo), "--fail-under", threshold)[0] == code
    if code:
        assert "coverage of demo is 25.0%, below --fail-under" in capsys.readouterr().err


def test_fail_under_applies_to_each_pack(tmp_path: Path) -> None:
    root = tmp_path / "p"
    write_demo(root, "demo")
    full = write_demo(root, "full")
    # "full": every evaluable provision not evaluable but the tested one, so it reaches 100%.
    prov = full / "provisions.yaml"
    text = prov.read_text(encoding="utf-8")
    for label in ("二（二）1", "二（二）2", "三"):
        text = text.replace(f"  - label: {label}\n", f"  - label: {label}\n    evaluable: false\n    reason: 演示\n")
    prov.write_text(text, encoding="utf-8")
    rules = full / "rules" / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace('["二（二）1", 二（一）]', "[二（一）]"), encoding="utf-8")
    (full / "tests" / "test_filing.yaml").unlink()
    report = measure(root)
    assert report.pack("full").percent == 100.0
    assert report.percent == 40.0  # 2 tested of 5 evaluable leaves over both packs
    assert [p.pack.id for p in report.below(50)] == ["demo"]
    assert run("coverage", str(root), "--fail-under", "30")[0] == 1


def test_errors_are_located_not_tracebacks(tmp_path: Path) -> None:
    code, _, err = run("coverage", str(tmp_path / "missing"))
    assert code == 4 and "no rule pack found" in err and "Traceback" not in err
    code, _, err = run("coverage", str(POLICIES), "--output", str(tmp_path / "no" / "such" / "dir.txt"))
    assert code == 2 and "cannot write" in err
