"""Tests of govrules.projects: submitted projects are validated field by field, exactly."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govrules.errors import ProjectError, ProjectProblem
from govrules.projects import Project, parse_project, read_project
from govrules.vocabulary import FactType, default_vocabulary

V = default_vocabulary()


def bad(data: Any) -> tuple[ProjectProblem, ...]:
    with pytest.raises(ProjectError) as info:
        parse_project(data)
    return info.value.problems


def only(data: Any) -> ProjectProblem:
    problems = bad(data)
    assert len(problems) == 1, problems
    return problems[0]


# ---------------------------------------------------------------------------------------------
# Amounts


@pytest.mark.parametrize(
    "value",
    ["500万", "500万元", "5,000,000", "5e6", "5000000", " 500 万元 ", Decimal(5000000), Decimal("5E+6"),
     Decimal("5000000.00"), 5_000_000, "0.05亿元"],
)
def test_amount_forms_are_exact(value: Any) -> None:
    amount = parse_project({"total_investment": value}).facts["total_investment"]
    assert type(amount) is Decimal
    assert amount == Decimal(5_000_000)


def test_amount_keeps_cents_exactly() -> None:
    amount = parse_project({"budget_amount": "4,999,999.99"}).facts["budget_amount"]
    assert amount == Decimal("4999999.99")
    assert parse_project({"budget_amount": "0.1万"}).facts["budget_amount"] == Decimal(1000)


@pytest.mark.parametrize(
    "value",
    [float("nan"), "NaN", Decimal("NaN"), Decimal("Infinity"), "-1", -1, Decimal("-0.01"), 5e6, 0.1, True, False,
     10**20, "1e16", "abc", "5,00,000", "500万美元", [], {}],
)
def test_bad_amounts_name_the_field(value: Any) -> None:
    p = only({"total_investment": value})
    assert p.field == "total_investment"
    assert p.message


def test_amount_with_an_absurd_exponent_is_a_project_error() -> None:
    p = only({"total_investment": "1e999999999"})
    assert p.field == "total_investment"


def test_float_money_is_refused_with_a_reason() -> None:
    p = only({"total_investment": 5e6})
    assert "float" in p.message


# ---------------------------------------------------------------------------------------------
# Dates


def test_iso_dates_are_read() -> None:
    project = parse_project({"contract_signed_on": "2026-05-01", "put_into_use_on": dt.date(2026, 6, 1)})
    assert project.facts == {"contract_signed_on": dt.date(2026, 5, 1), "put_into_use_on": dt.date(2026, 6, 1)}
    assert type(project.facts["contract_signed_on"]) is dt.date


@pytest.mark.parametrize(
    "value",
    ["2026-13-01", "2026-02-30", "2026/5/1", "2026-5-1", "", "20260501", "2026-W18-5", "2026-05-01T00:00",
     20260501, dt.datetime(2026, 5, 1), True, 1.5, []],
)
def test_bad_dates_name_the_field(value: Any) -> None:
    p = only({"contract_signed_on": value})
    assert p.field == "contract_signed_on"
    assert p.message


# ---------------------------------------------------------------------------------------------
# Booleans, enums, fields


@pytest.mark.parametrize("value", ["true", "yes", 1, 0, None])
def test_booleans_are_strict(value: Any) -> None:
    if value is None:
        assert "is_classified" not in parse_project({"is_classified": None}).facts
        return
    p = only({"is_classified": value})
    assert p.field == "is_classified"
    assert p.hint is not None and "true or false" in p.hint


def test_booleans_are_read() -> None:
    assert parse_project({"is_classified": False}).facts == {"is_classified": False}


def test_unknown_field_has_did_you_mean() -> None:
    p = only({"total_investmnt": "500万"})
    assert (p.field, p.code) == ("total_investmnt", "unknown-field")
    assert p.hint is not None and "'total_investment'" in p.hint


def test_unknown_field_far_from_any_fact_points_to_the_vocabulary() -> None:
    p = only({"zzzz": 1})
    assert p.code == "unknown-field"
    assert p.hint  # some guidance, even without a close match


def test_enum_typo_has_did_you_mean() -> None:
    p = only({"project_type": "constructoin"})
    assert p.field == "project_type"
    assert p.hint is not None and "'construction'" in p.hint


def test_enum_value_far_from_any_lists_the_values() -> None:
    p = only({"funding_source": "bank_loan"})
    assert p.hint is not None
    for value in V["funding_source"].values:
        assert value in p.hint


def test_five_bad_fields_are_all_listed() -> None:
    problems = bad({
        "total_investment": "lots",
        "contract_signed_on": "2026/5/1",
        "project_type": "constructoin",
        "is_classified": "yes",
        "total_investmnt": 1,
        "budget_amount": "500万",  # good: not listed
    })
    assert sorted(p.field for p in problems) == sorted(
        ["total_investment", "contract_signed_on", "project_type", "is_classified", "total_investmnt"]
    )
    error = ProjectError(problems)
    assert len(error.to_dict()["problems"]) == 5


def test_id_and_name_are_not_facts() -> None:
    project = parse_project({"id": "P-1", "name": "某系统", "is_classified": True})
    assert (project.id, project.name) == ("P-1", "某系统")
    assert dict(project.facts) == {"is_classified": True}
    assert only({"id": 5}).field == "id"


def test_missing_facts_are_absent_and_project_is_immutable() -> None:
    project = parse_project({"is_classified": True, "total_investment": None})
    assert dict(project.facts) == {"is_classified": True}
    with pytest.raises(TypeError):
        project.facts["x"] = 1  # type: ignore[index]


@pytest.mark.parametrize("data", [[], "project", 5, None])
def test_a_project_must_be_a_mapping(data: Any) -> None:
    assert only(data).field == "(project)"


def test_non_text_keys_are_refused() -> None:
    p = only({1: "x"})
    assert p.field == "1"


def test_to_dict_round_trips() -> None:
    project = parse_project({"id": "P", "total_investment": "500万元", "budget_amount": "0.10",
                             "contract_signed_on": "2026-05-01", "project_type": "construction"})
    data = project.to_dict()
    assert data["total_investment"] == "5000000"
    assert data["budget_amount"] == "0.1"  # one spelling per amount: trailing zeros dropped
    assert data["contract_signed_on"] == "2026-05-01"
    assert parse_project(data) == project
    json.dumps(data)


# ---------------------------------------------------------------------------------------------
# Files


def test_read_project_json_keeps_decimals_exact(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text('{"total_investment": 4999999.99, "budget_amount": 0.1, "warranty_years": 2.5,'
                    ' "contract_signed_on": "2026-05-01"}', "utf-8")
    project = read_project(path)
    assert project.facts["total_investment"] == Decimal("4999999.99")
    assert project.facts["budget_amount"] == Decimal("0.1")
    assert project.facts["warranty_years"] == Decimal("2.5")
    assert project.facts["contract_signed_on"] == dt.date(2026, 5, 1)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_read_project_json_refuses_nan_and_infinity(tmp_path: Path, constant: str) -> None:
    path = tmp_path / "p.json"
    path.write_text(f'{{"total_investment": {constant}}}', "utf-8")
    with pytest.raises(ProjectError) as info:
        read_project(path)
    (p,) = info.value.problems
    assert p.code == "syntax"
    assert info.value.source == str(path)


def test_read_project_json_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text('{"total_investment": 1,}', "utf-8")
    with pytest.raises(ProjectError) as info:
        read_project(path)
    assert info.value.problems[0].code == "syntax"


def test_read_project_json_field_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text('{"total_investment": -5, "is_classified": "no"}', "utf-8")
    with pytest.raises(ProjectError) as info:
        read_project(path)
    assert {p.field for p in info.value.problems} == {"total_investment", "is_classified"}
    assert info.value.source == str(path)


@pytest.mark.parametrize("suffix", [".yaml", ".yml"])
def test_read_project_yaml(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"p{suffix}"
    path.write_text("id: P-1\ntotal_investment: 500万元\nbudget_amount: 0.1\ncontract_signed_on: 2026-05-01\n"
                    "is_classified: false\n", "utf-8")
    project = read_project(path)
    assert project.id == "P-1"
    assert project.facts == {
        "total_investment": Decimal(5_000_000), "budget_amount": Decimal("0.1"),
        "contract_signed_on": dt.date(2026, 5, 1), "is_classified": False,
    }


def test_read_project_yaml_refuses_duplicate_keys(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("total_investment: 500万元\nis_classified: false\ntotal_investment: 2000万元\n", "utf-8")
    with pytest.raises(ProjectError) as info:
        read_project(path)
    (p,) = info.value.problems
    assert p.code == "duplicate-key"
    assert (p.field, p.line) == ("total_investment", 3)  # the field, and the line of the second key


def test_read_project_yaml_refuses_bare_yes(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("is_classified: yes\n", "utf-8")
    with pytest.raises(ProjectError) as info:
        read_project(path)
    assert info.value.problems[0].code == "ambiguous-boolean"


def test_read_project_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProjectError) as info:
        read_project(tmp_path / "nope.json")
    assert info.value.problems[0].code == "unreadable"


# ---------------------------------------------------------------------------------------------
# Never crash

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=10,
)
field_names = st.sampled_from(sorted(V) + ["id", "name"]) | st.text(max_size=12)

# Values a form would plausibly send for a fact of each type, to get past the type checks more often.
plausible = st.one_of(
    st.sampled_from(["500万", "500万元", "5,000,000", "5e6", "1,00", "2026-05-01", "2026-02-30", "construction",
                     "fiscal", "true", "yes", "", " ", "-0", "0.1"]),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.dates().map(str),
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(field_names, json_values | plausible, max_size=8))
def test_parse_project_returns_a_project_or_raises_project_error(data: dict[str, Any]) -> None:
    try:
        project = parse_project(data)
    except ProjectError as exc:
        assert exc.problems
        for p in exc.problems:
            assert isinstance(p.field, str)
            json.dumps(p.to_dict())
        return
    assert isinstance(project, Project)
    for name, value in project.facts.items():
        fact = V[name]
        if fact.type in (FactType.AMOUNT, FactType.NUMBER):
            assert type(value) is Decimal and value.is_finite() and value >= 0
        elif fact.type is FactType.DATE:
            assert type(value) is dt.date
        elif fact.type is FactType.BOOLEAN:
            assert type(value) is bool
        elif fact.type is FactType.ENUM:
            assert value in fact.values


# ---------------------------------------------------------------------------------------------
# The published JSON Schema for project documents


def test_published_project_schema_is_the_generated_one() -> None:
    import json
    from pathlib import Path

    from govrules.projects import project_json_schema

    published = Path(__file__).resolve().parents[1] / "src" / "govrules" / "schemas" / "project.schema.json"
    assert json.loads(published.read_text("utf-8")) == project_json_schema(), \
        "regenerate: govrules facts --format schema > src/govrules/schemas/project.schema.json"


@pytest.mark.parametrize("document, valid", [
    ({"total_investment": "500万元", "contract_signed_on": "2026-04-30", "is_classified": False}, True),
    ({"total_investment": 5000000, "project_type": "construction"}, True),
    ({"total_investment": "abc"}, False),
    ({"is_classified": "yes"}, False),
    ({"contract_signed_on": "2026/5/1"}, False),
    ({"project_type": "constr"}, False),
    ({"total_investmnt": 1}, False),
])
def test_project_schema_agrees_with_the_validator(document: dict[str, object], valid: bool) -> None:
    import jsonschema

    from govrules.projects import project_json_schema

    validator = jsonschema.Draft202012Validator(project_json_schema(), format_checker=jsonschema.FormatChecker())
    assert validator.is_valid(document) is valid
    if valid:
        parse_project(document)
    else:
        with pytest.raises(ProjectError):
            parse_project(document)
