"""The published report schema (src/govrules/schemas/report.schema.json) is generated from the report
model (govrules.report_schema) and every report of every case of every pack conforms to both.

Regenerate after a change to the report's layout: ``python -m govrules.schemas``.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pydantic
import pytest

import govrules
from govrules.casetests import find_case_files, load_case_file, run_case
from govrules.report import REPORT_FORMAT
from govrules.report_schema import SCHEMA_PATH, ReportModel, report_schema, schema_text

ENGINE = govrules.load()
SCHEMA = json.loads(SCHEMA_PATH.read_text("utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
CASE_FILES = [path for pack in ENGINE.packs if pack.directory is not None for path in find_case_files(pack.directory)]


def test_the_published_schema_is_the_generated_one() -> None:
    assert SCHEMA_PATH.read_text("utf-8") == schema_text(), "regenerate: python -m govrules.schemas"
    jsonschema.Draft202012Validator.check_schema(report_schema())


def test_the_regenerate_command_checks_and_says_so() -> None:
    result = subprocess.run([sys.executable, "-m", "govrules.schemas", "--check"], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout


def test_the_writer_writes_the_generated_schema(tmp_path: Path) -> None:
    from govrules.report_schema import write_schema

    target = write_schema(tmp_path / "report.schema.json")
    assert target.read_text("utf-8") == schema_text()


def _problems(report: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(report)]


def test_case_files_of_every_pack_are_found() -> None:
    assert {p.parent.parent.name for p in CASE_FILES} == {p.id for p in ENGINE.packs}


@pytest.mark.parametrize("path", CASE_FILES, ids=[f"{p.parent.parent.name}/{p.name}" for p in CASE_FILES])
def test_every_report_of_every_case_conforms_to_the_schema(path: Any) -> None:
    cases = load_case_file(path, ENGINE)
    assert cases
    checked = 0
    for case in cases:
        result = run_case(ENGINE, case)
        if result.report is None:  # a case expecting the project to be refused has no report
            continue
        text = result.report.to_json()
        data = json.loads(text)
        assert data["format"] == REPORT_FORMAT
        assert _problems(data) == [], case.name
        ReportModel.model_validate_json(text)  # the model the schema is generated from agrees
        checked += 1
    assert checked, "at least one case of the file gives a report"


def _example() -> dict[str, Any]:
    project = govrules.read_project(Path(__file__).resolve().parents[1] / "examples" / "wuxing-project.yaml")
    return json.loads(ENGINE.evaluate(project, "wuxing", dt.date(2026, 6, 1)).to_json())


@pytest.mark.parametrize("change", ["extra key", "unknown status", "float amount", "no format", "null score"])
def test_the_schema_refuses_what_a_report_never_holds(change: str) -> None:
    report = _example()
    assert _problems(report) == []
    decision = report["decisions"][0]
    if change == "extra key":
        decision["comment"] = "not part of a report"
    elif change == "unknown status":
        decision["status"] = "maybe"
    elif change == "float amount":
        report["summary"]["applies"] = 1.5
    elif change == "no format":
        del report["format"]
    else:
        decision["score"] = None
    assert _problems(report) != []
    with pytest.raises(pydantic.ValidationError):
        ReportModel.model_validate_json(json.dumps(report))
