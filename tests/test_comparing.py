"""`govrules compare` and `govrules.comparing.compare`: one project under every jurisdiction."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest

import govrules
from govrules import Status
from govrules.cli import main
from govrules.comparing import CATEGORIES, compare

AS_OF = date(2026, 6, 1)
# A city construction project of 860万元 whose contract was signed before 劳动节 2026 and not filed.
PROJECT = {
    "owner_unit_type": "administrative_unit", "funding_source": "fiscal", "subject_matter": "information_system",
    "is_classified": False, "project_type": "construction", "total_investment": "860万元",
    "managed_by_district": True, "contract_signed_on": "2026-04-30",
}


@pytest.fixture(scope="module")
def engine() -> govrules.Engine:
    return govrules.load()


def test_every_jurisdiction_gets_a_column_built_from_its_own_report(engine: govrules.Engine) -> None:
    comparison = compare(engine, PROJECT, AS_OF)
    assert list(comparison.reports) == sorted(engine.jurisdictions())
    for j, report in comparison.reports.items():
        direct = engine.evaluate(PROJECT, j, AS_OF)
        assert report.to_json() == direct.to_json()
        for category in CATEGORIES:
            for entry in comparison.column(j, category):
                decision = direct.decision(entry.rule)
                assert decision.status is entry.status
                assert decision.status not in (Status.NOT_APPLICABLE, Status.UNKNOWN)


def test_deadlines_differ_by_jurisdiction_and_show_the_due_date(engine: govrules.Engine) -> None:
    comparison = compare(engine, PROJECT, AS_OF, ["wuxing", "gaoping", "yaohai"])
    # 吴兴 第十五条 and 高平 第十五条第二款: 5 working days from 2026-04-30 across 劳动节 (5-09 is worked).
    wuxing = {e.rule: e for e in comparison.column("wuxing", "deadlines")}
    gaoping = {e.rule: e for e in comparison.column("gaoping", "deadlines")}
    assert any(e.due == date(2026, 5, 11) for e in wuxing.values())
    assert any(e.due == date(2026, 5, 11) for e in gaoping.values())
    assert comparison.column("yaohai", "deadlines") == ()
    # 吴兴's column includes its parent 湖州's decisions (pack metadata), 高平's does not.
    assert comparison.reports["wuxing"].packs[1].id == "huzhou"
    assert [p.id for p in comparison.reports["gaoping"].packs] == ["gaoping"]


def test_an_exclusion_lands_in_the_excludes_column(engine: govrules.Engine) -> None:
    duplicate = dict(PROJECT, duplicate_construction=True)
    comparison = compare(engine, duplicate, AS_OF, ["wuxing"])
    assert any(e.status is Status.APPLIES for e in comparison.column("wuxing", "excludes"))
    assert compare(engine, PROJECT, AS_OF, ["wuxing"]).column("wuxing", "excludes") == ()


def test_markdown_and_json_name_every_category_and_what_is_still_needed(engine: govrules.Engine) -> None:
    comparison = compare(engine, PROJECT, AS_OF, ["wuxing", "quzhou"])
    table = comparison.to_markdown()
    assert table.splitlines()[0] == "| 类别 | wuxing | quzhou |"
    for zh, _, _ in CATEGORIES.values():
        assert zh in table
    data = json.loads(comparison.to_json())
    assert set(data["jurisdictions"]) == {"wuxing", "quzhou"}
    for column in data["jurisdictions"].values():
        assert set(CATEGORIES) <= set(column)
        assert isinstance(column["undecided_facts"], list)
    with pytest.raises(KeyError):
        comparison.column("wuxing", "nonsense")


def test_cli_compare(tmp_path: Path) -> None:
    project = tmp_path / "p.json"
    project.write_text(json.dumps(PROJECT, ensure_ascii=False), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(["compare", str(project), "-j", "wuxing", "-j", "gaoping", "--as-of", "2026-06-01",
                 "--format", "json"], out=out, err=err)
    # Exit 1 (issue 13): a column shows a violated or overdue decision (the contract of 2026-04-30 is
    # not filed by 2026-06-01).
    assert code == 1, err.getvalue()
    data = json.loads(out.getvalue())
    assert list(data["jurisdictions"]) == ["wuxing", "gaoping"]
    assert "overdue" in out.getvalue() or "violated" in out.getvalue()
    # Nothing violated or overdue (no contract date, as of the day it was stated): exit 0.
    quiet = tmp_path / "q.json"
    quiet.write_text(json.dumps({k: v for k, v in PROJECT.items() if k != "contract_signed_on"},
                                ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    code = main(["compare", str(quiet), "-j", "wuxing", "-j", "gaoping", "--as-of", "2026-06-01",
                 "--format", "json"], out=out, err=err)
    assert code == 0 and "overdue" not in out.getvalue() and "violated" not in out.getvalue(), out.getvalue()
    out = io.StringIO()
    code = main(["compare", str(project), "-j", "wuxin", "--as-of", "2026-06-01"], out=out, err=err)
    assert code == 2 and "wuxing" in err.getvalue() and "Traceback" not in err.getvalue()
