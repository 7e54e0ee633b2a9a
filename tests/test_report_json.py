"""``report.json_text``: the fast JSON writer gives exactly the text of ``json.dumps``.

Reports are compared byte for byte across processes and versions (decision logs, replay, the
determinism tests), so the faster encoder must not change a single character, and must accept and
refuse the same values as the standard library.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import govrules
from govrules.report import json_text

ROOT = Path(__file__).resolve().parents[1]

# Any JSON-shaped value, with text over the whole of Unicode (lone surrogates included) and
# integers of any size: the cases where the two encoders could part ways.
_text = st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | _text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_text, children, max_size=4),
    max_leaves=20,
)


@given(json_values)
@settings(max_examples=400)
def test_same_text_as_json_dumps(value: Any) -> None:
    for indent in (2, None, 4):
        assert json_text(value, indent=indent) == json.dumps(value, ensure_ascii=False, indent=indent)


@pytest.mark.parametrize("char", [chr(c) for c in (*range(0x20), 0x7F, 0x2028, 0x2029, 0xFEFF, 0xD800, 0xDFFF)])
def test_control_and_surrogate_characters(char: str) -> None:
    value = {f"k{char}": [char, f"a{char}b"]}
    assert json_text(value) == json.dumps(value, ensure_ascii=False, indent=2)


@pytest.mark.parametrize("big", [2**63, 2**64, -(2**63) - 1, 10**40])
def test_integers_beyond_64_bits(big: int) -> None:
    assert json_text({"n": big}) == json.dumps({"n": big}, ensure_ascii=False, indent=2)


class _Colour(str, enum.Enum):
    RED = "red"


@dataclass
class _Point:
    x: int


@pytest.mark.parametrize("value", [dt.date(2026, 5, 11), dt.datetime(2026, 5, 11, 9), Decimal("1.5"), _Point(1),
                                   {1, 2}, b"bytes"])
def test_refuses_what_json_refuses(value: Any) -> None:
    with pytest.raises(TypeError) as expected:
        json.dumps({"v": value}, ensure_ascii=False, indent=2)
    with pytest.raises(TypeError) as got:
        json_text({"v": value})
    assert type(got.value) is type(expected.value)


def test_str_subclasses_written_as_json_writes_them() -> None:
    value = {"colour": _Colour.RED, "list": [_Colour.RED]}
    assert json_text(value) == json.dumps(value, ensure_ascii=False, indent=2)


def test_every_example_report_is_the_json_dumps_text() -> None:
    engine = govrules.load()
    as_of = dt.date(2026, 6, 1)
    examples = sorted((ROOT / "examples").glob("*-project.yaml"))
    assert examples
    for path in examples:
        project = govrules.read_project(path)
        for jurisdiction in engine.jurisdictions():
            report = engine.evaluate(project, jurisdiction, as_of)
            assert report.to_json() == json.dumps(report.to_dict(), ensure_ascii=False, indent=2)
            assert report.to_json(indent=None) == json.dumps(report.to_dict(), ensure_ascii=False)


@pytest.mark.parametrize("field", ["id", "name"])
def test_a_lone_surrogate_in_project_text_is_refused_by_field(field: str) -> None:
    # No report could carry it: UTF-8 cannot encode it, so neither JSON output nor the decision id
    # (a hash of the project's UTF-8 bytes) could be produced.
    with pytest.raises(govrules.ProjectError) as caught:
        govrules.parse_project({field: "坏\udc80名", "project_type": "construction"})
    (problem,) = caught.value.problems
    assert problem.field == field
    assert "unpaired surrogate" in problem.message and "U+DC80" in problem.message


def test_a_lone_surrogate_in_a_field_name_is_refused() -> None:
    with pytest.raises(govrules.ProjectError) as caught:
        govrules.parse_project({"na\ud800me": "x"})
    (problem,) = caught.value.problems
    assert problem.code == "key" and problem.field == ascii("na\ud800me")
    assert problem.field.encode("utf-8")  # the error itself can be printed


def test_valid_astral_text_is_kept() -> None:
    project = govrules.parse_project({"name": "项目😀𠀀", "project_type": "construction"})
    report = govrules.load().evaluate(project, "wuxing", dt.date(2026, 6, 1))
    assert json.loads(report.to_json())["project"]["name"] == "项目😀𠀀"
    assert report.decision_id.startswith("sha256:")


def test_report_sizes_stated_in_the_docs_are_the_sizes_of_the_example() -> None:
    import re

    root = Path(__file__).resolve().parents[1]
    text = (root / "docs" / "report-format.md").read_text(encoding="utf-8")
    found = re.search(r"is now (\d+) kB, and (\d+) kB\s+with\s+`to_json\(indent=None\)`", text)
    assert found, "docs/report-format.md states the example's report size"
    report = govrules.load().evaluate(root / "examples" / "wuxing-project.yaml", "wuxing", dt.date(2026, 6, 1))
    sizes = (len(report.to_json().encode()), len(report.to_json(indent=None).encode()))
    assert tuple(int(n) for n in found.groups()) == tuple(round(n / 1000) for n in sizes)
