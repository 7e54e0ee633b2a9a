"""Tests of ``govrules diff`` and of the corpora it runs on (``govrules corpus``, ``corpora/*.jsonl``)."""

from __future__ import annotations

import datetime as _dt
import io
import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import govrules
from govrules.cli import main
from govrules.conditions import Compare, Literal, iter_leaves
from govrules.corpus import boundary_count, dumps, generate, read_corpus
from govrules.diffing import diff_engines, diff_paths
from govrules.errors import ProjectError
from govrules.projects import json_value

REPO = Path(__file__).resolve().parents[1]
POLICIES = REPO / "policies"
CORPORA = REPO / "corpora"
AS_OF = _dt.date(2026, 6, 1)
LOW, HIGH = Decimal(4_000_000), Decimal(5_000_000)  # the band a 500万元 → 400万元 edit moves

IN_SCOPE = {"funding_source": "fiscal", "owner_unit_type": "administrative_unit",
            "subject_matter": "information_system", "is_classified": False}


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def lowered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the wuxing pack whose 500万元 thresholds (第十三条, 第十条) read 400万元."""
    directory = tmp_path_factory.mktemp("new") / "wuxing"
    shutil.copytree(POLICIES / "wuxing", directory)
    approval = directory / "rules" / "approval.yaml"
    text = approval.read_text(encoding="utf-8")
    assert text.count("value: 500万元") == 3
    approval.write_text(text.replace("value: 500万元", "value: 400万元"), encoding="utf-8")
    return directory


def _project(pid: str, **facts: Any) -> dict[str, Any]:
    return {"id": pid, **IN_SCOPE, "construction_category": "general_application", **facts}


HAND = [
    _project("a", project_type="construction", total_investment="3999999.99"),
    _project("b", project_type="construction", total_investment="400万元"),
    _project("c", project_type="construction", total_investment="4500000"),
    _project("d", project_type="construction", total_investment="4999999.99"),
    _project("e", project_type="construction", total_investment="500万元"),
    _project("f", project_type="construction", total_investment="6000000"),
    _project("g", project_type="operation_maintenance", total_investment="4500000"),
    {**_project("h", project_type="construction", total_investment="4500000"), "is_classified": True},
    _project("i", project_type="construction", construction_category="multi_cross_collaboration",
             total_investment="4200000"),
]


def test_exactly_the_projects_in_the_band_change(lowered: Path) -> None:
    report = diff_engines(govrules.load(POLICIES / "wuxing"), govrules.load(lowered), HAND,
                          jurisdictions=["wuxing"], as_of=AS_OF)
    # 400万元 (included by 以上) up to 4999999.99元; not the maintenance project, not the classified one.
    assert [p.project_id for p in report.changed] == ["b", "c", "d", "i"]
    for project in report.changed:
        changes = {c.rule: c for c in project.changes}
        assert changes["wuxing.approval.contact_sheet"].transition == "applies → not_applicable"
        assert changes["wuxing.approval.feasibility_study"].transition == "not_applicable → applies"
        assert changes["wuxing.approval.feasibility_study"].fields == ("status",)
        assert "400万元以上成立" in changes["wuxing.approval.feasibility_study"].new.explanation_zh  # type: ignore[union-attr]
    multi = {c.rule for c in report.changed[-1].changes}
    assert multi == {"wuxing.approval.contact_sheet", "wuxing.approval.feasibility_study",
                     "wuxing.approval.city_review_multi_cross"}
    assert report.summary() == {"projects": 9, "changed_projects": 4, "changed_decisions": 9,
                                "added_rules": 0, "removed_rules": 0}
    assert report.by_rule()["wuxing.approval.contact_sheet"] == {"applies → not_applicable": 4}


def test_the_shipped_corpus_changes_only_inside_the_band(lowered: Path) -> None:
    old = govrules.load(POLICIES / "wuxing")
    entries = read_corpus(CORPORA / "wuxing.jsonl")
    report = diff_engines(old, govrules.load(lowered), entries, jurisdictions=["wuxing"], as_of=AS_OF)
    changed = {p.project_id for p in report.changed}
    # Independently of the diff: under the old pack, a contact sheet (低于500万元) for a project of
    # 400万元 or more — applying, or open because the scope is (a fact it lacks may bring the project
    # in or out; all completions leave it open) — is exactly what the lower threshold changes.
    expected = {e.project.id for e in entries
                if old.evaluate(e.project, "wuxing", AS_OF).decision("wuxing.approval.contact_sheet").status.value
                in ("applies", "unknown") and e.project.facts.get("total_investment", 0) >= LOW}
    assert changed == expected and len(changed) >= 3
    for e in entries:
        if e.project.id in changed:
            assert LOW <= e.project.facts["total_investment"] < HIGH
    assert report.changed[0].line is not None


def test_diff_paths_is_the_command_as_a_function(lowered: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(dumps(HAND), encoding="utf-8")
    report = diff_paths(POLICIES / "wuxing", lowered, corpus, as_of=AS_OF)
    assert [(p.project_id, p.line) for p in report.changed] == [("b", 2), ("c", 3), ("d", 4), ("i", 9)]
    assert report.to_dict()["summary"]["changed_projects"] == 4


def test_identical_versions_change_nothing(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(dumps(HAND), encoding="utf-8")
    copy = tmp_path / "copy" / "wuxing"
    shutil.copytree(POLICIES / "wuxing", copy)
    # The same pack, from its own directory and from a copy elsewhere: nothing changes.
    code, out, _ = run("diff", str(POLICIES / "wuxing"), str(copy), "--projects", str(corpus),
                       "--as-of", "2026-06-01")
    assert code == 0
    assert "0 of 9 project(s) changed" in out


def test_diff_command_table_and_json(lowered: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(dumps(HAND), encoding="utf-8")
    code, out, _ = run("diff", str(POLICIES / "wuxing"), str(lowered), "--projects", str(corpus),
                       "-j", "wuxing", "--as-of", "2026-06-01")
    assert code == 1
    assert "wuxing.approval.contact_sheet: applies → not_applicable" in out
    assert "4 of 9 project(s) changed, 9 decision(s)" in out
    code, out, _ = run("diff", str(POLICIES / "wuxing"), str(lowered), "--projects", str(corpus),
                       "--as-of", "2026-06-01", "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["summary"]["changed_projects"] == 4 and data["jurisdictions"] == ["wuxing"]
    first = data["projects"][0]
    assert first["id"] == "b" and first["line"] == 2
    change = next(c for c in first["changes"] if c["rule"] == "wuxing.approval.feasibility_study")
    assert change["old"]["status"] == "not_applicable" and change["new"]["status"] == "applies"
    assert change["changed"] == ["status"]


def test_added_and_removed_rules(tmp_path: Path) -> None:
    new = tmp_path / "wuxing"
    shutil.copytree(POLICIES / "wuxing", new)
    approval = new / "rules" / "approval.yaml"
    approval.write_text(approval.read_text(encoding="utf-8").replace(
        "id: wuxing.approval.preliminary_design", "id: wuxing.approval.preliminary_design_v2"), encoding="utf-8")
    for case_file in (new / "tests").glob("*.yaml"):
        case_file.unlink()
    big = [_project("big", project_type="construction", total_investment="3000万元"),
           _project("small", project_type="construction", total_investment="100万元")]
    report = diff_engines(govrules.load(POLICIES / "wuxing"), govrules.load(new), big, as_of=AS_OF)
    assert report.added_rules == ("wuxing.approval.preliminary_design_v2",)
    assert report.removed_rules == ("wuxing.approval.preliminary_design",)
    # Only the project the rule applies to changes; for the small one both decisions are not_applicable.
    assert [p.project_id for p in report.changed] == ["big"]
    assert sorted(c.transition for c in report.changed[0].changes) == ["(absent) → applies", "applies → (absent)"]


def test_bad_corpus_lines_are_located(tmp_path: Path) -> None:
    corpus = tmp_path / "bad.jsonl"
    corpus.write_text('{"id": "ok", "total_investment": "1"}\n\n{not json\n'
                      '{"total_investment": 1.5e999, "colour": "red"}\n', encoding="utf-8")
    with pytest.raises(ProjectError) as info:
        read_corpus(corpus)
    fields = [p.field for p in info.value.problems]
    assert fields[0] == "line 3" and "line 4: colour" in fields
    code, _, err = run("diff", str(POLICIES), str(POLICIES), "--projects", str(corpus))
    assert code == 3 and "line 3" in err and "line 4: colour" in err and "Traceback" not in err
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    assert run("diff", str(POLICIES), str(POLICIES), "--projects", str(empty))[0] == 3
    code, _, err = run("diff", str(POLICIES), str(POLICIES), "--projects", str(tmp_path / "none.jsonl"))
    assert code == 3 and "cannot read" in err


def test_missing_pack_dir_and_unknown_jurisdiction(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(dumps(HAND[:1]), encoding="utf-8")
    code, _, err = run("diff", str(tmp_path / "old"), str(POLICIES), "--projects", str(corpus))
    assert code == 4 and "no rule pack found" in err and "Traceback" not in err
    code, _, err = run("diff", str(POLICIES), str(POLICIES), "--projects", str(corpus), "-j", "wuxin")
    assert code == 2 and "wuxing" in err


# -- corpora ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def engine() -> govrules.Engine:
    return govrules.load(POLICIES)


@pytest.fixture(scope="module")
def regenerated(engine: govrules.Engine) -> dict[str, str]:
    """Every jurisdiction's corpus generated afresh with the defaults the shipped files use."""
    return {j: dumps(generate(engine, j)) for j in engine.jurisdictions()}


def test_each_pack_ships_its_corpus_and_it_regenerates_byte_for_byte(regenerated: dict[str, str]) -> None:
    shipped = {p.stem for p in CORPORA.glob("*.jsonl")}
    for jurisdiction, text in regenerated.items():
        path = CORPORA / f"{jurisdiction}.jsonl"
        assert path.is_file(), f"no corpus for {jurisdiction}: govrules corpus -j {jurisdiction} -o {path.name}"
        assert path.read_text(encoding="utf-8") == text, (
            f"corpora/{jurisdiction}.jsonl is stale: regenerate with govrules corpus -j {jurisdiction} "
            f"-o corpora/{jurisdiction}.jsonl (see docs/tools.md)")
    assert shipped <= set(regenerated), "a corpus without a pack"


def test_generation_is_deterministic_and_seeded(engine: govrules.Engine) -> None:
    a = dumps(generate(engine, "wuxing", 20, seed=7))
    assert a == dumps(generate(engine, "wuxing", 20, seed=7))
    assert a != dumps(generate(engine, "wuxing", 20, seed=8))
    assert len(a.splitlines()) == 20


def test_every_line_is_a_valid_project(tmp_path: Path, regenerated: dict[str, str]) -> None:
    for jurisdiction, text in regenerated.items():
        path = tmp_path / f"{jurisdiction}.jsonl"
        path.write_text(text, encoding="utf-8")
        entries = read_corpus(path)
        assert len(entries) == len(text.splitlines())
        assert len({e.project.id for e in entries}) == len(entries)


def test_every_literal_is_probed_at_below_and_above(engine: govrules.Engine, regenerated: dict[str, str]) -> None:
    for pack in engine.packs:
        projects = [json.loads(line) for line in regenerated[pack.jurisdiction.id].splitlines()]
        for rule in pack.rules:
            for cond in (rule.when, rule.require):
                for leaf in iter_leaves(cond) if cond is not None else ():
                    if not (isinstance(leaf, Compare) and isinstance(leaf.value, Literal)):
                        continue
                    value = leaf.value.value
                    # A day, one, or a hundredth (a tenth of a finer written digit) just below and above.
                    step: Any = _dt.timedelta(days=1) if isinstance(value, _dt.date) else 1
                    if isinstance(value, Decimal):
                        step = min(Decimal("0.01"), Decimal(1).scaleb(int(value.as_tuple().exponent) - 1))
                    seen = {p.get(leaf.fact) for p in projects}
                    for probe in (value - step, value, value + step):
                        assert json_value(probe) in seen, f"{rule.id}: {leaf.fact} never {probe}"


def test_deadlines_are_probed_on_time_and_a_day_late(engine: govrules.Engine, regenerated: dict[str, str]) -> None:
    projects = [json.loads(line) for line in regenerated["wuxing"].splitlines()]
    statuses = {engine.evaluate(p, "wuxing", AS_OF).decision("wuxing.deadline.contract_upload").status.value
                for p in projects if "contract_upload" in p["name"]}
    assert {"satisfied", "violated"} <= statuses


def test_a_small_n_keeps_the_first_probes_and_says_so(capsys: pytest.CaptureFixture[str],
                                                      engine: govrules.Engine) -> None:
    assert boundary_count(engine, "wuxing") > 5
    code, out, _ = run("corpus", "-j", "wuxing", "-n", "5", "--seed", "3")
    assert code == 0 and len(out.splitlines()) == 5
    assert "boundary probes" in capsys.readouterr().err
    assert run("corpus", "-j", "nowhere")[0] == 2
    assert run("corpus", "-j", "wuxing", "-n", "0")[0] == 2


def test_boundary_probes_share_a_background_where_the_boundary_decides(
        engine: govrules.Engine, regenerated: dict[str, str]) -> None:
    projects = [json.loads(line) for line in regenerated["wuxing"].splitlines()]
    probes = [p for p in projects if p["name"].startswith("wuxing.approval.contact_sheet: total_investment")]
    assert [p["total_investment"] for p in probes] == ["4999999.99", "5000000", "5000000.01"]
    # Apart from the probed fact, the three projects are the same.
    rest = [{k: v for k, v in p.items() if k not in ("id", "name", "total_investment")} for p in probes]
    assert rest[0] == rest[1] == rest[2]
    reports = [engine.evaluate(p, "wuxing", AS_OF) for p in probes]
    assert [r.decision("wuxing.approval.contact_sheet").status.value for r in reports] == [
        "applies", "not_applicable", "not_applicable"]  # 低于 excludes 500万元
    assert [r.decision("wuxing.approval.feasibility_study").status.value for r in reports] == [
        "not_applicable", "applies", "applies"]  # 以上 includes it


@pytest.mark.parametrize(("edit", "warned"), [
    ("", False),                                            # the same content: nothing to say
    ("rules", True),                                        # a threshold changed, version kept
    ("rules+version", False),                               # a threshold changed and the version raised
])
def test_a_changed_pack_that_keeps_its_version_is_warned_about(tmp_path: Path, edit: str, warned: bool) -> None:
    new = tmp_path / "wuxing"
    shutil.copytree(POLICIES / "wuxing", new)
    if "rules" in edit:
        approval = new / "rules" / "approval.yaml"
        approval.write_text(approval.read_text(encoding="utf-8").replace("value: 500万元", "value: 400万元"),
                            encoding="utf-8")
    if "version" in edit:
        meta = new / "pack.yaml"
        meta.write_text(meta.read_text(encoding="utf-8").replace('version: "2026.2"', 'version: "2026.3"'),
                        encoding="utf-8")
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(dumps(HAND[:1]), encoding="utf-8")
    report = diff_paths(POLICIES / "wuxing", new, corpus, as_of=AS_OF)
    assert [(w.code, w.severity.value) for w in report.warnings] == ([("version-unchanged", "warning")] if warned else [])
    _, out, _ = run("diff", str(POLICIES / "wuxing"), str(new), "--projects", str(corpus), "--as-of", "2026-06-01")
    assert ("warning [version-unchanged]" in out) is warned
    if warned:
        [warning] = report.warnings
        assert "但版本号仍为 2026.2" in warning.message_zh and "2026.2" in warning.message_en
        assert warning.file is not None and warning.file.endswith("pack.yaml")
        assert (new / "pack.yaml").read_text(encoding="utf-8").splitlines()[warning.line - 1].startswith("version:")
        _, out, _ = run("diff", str(POLICIES / "wuxing"), str(new), "--projects", str(corpus), "--as-of",
                        "2026-06-01", "--format", "json")
        assert [w["code"] for w in json.loads(out)["warnings"]] == ["version-unchanged"]
        # lint --against the released packs says the same, and --fail-on warning fails on it.
        code, out, _ = run("lint", str(new), "--against", str(POLICIES / "wuxing"), "--fail-on", "warning")
        assert code == 1 and "warning [version-unchanged]" in out
    code, out, _ = run("lint", str(new), "--against", str(POLICIES / "wuxing"), "--format", "json")
    assert [f["code"] for f in json.loads(out)["findings"]].count("version-unchanged") == int(warned)
