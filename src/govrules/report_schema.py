"""The report's JSON layout as pydantic models, and the JSON Schema generated from them.

``Report.to_dict`` writes the JSON other systems receive (docs/report-format.md); the models here
mirror it key for key and forbid every other key, so the published schema
(``src/govrules/schemas/report.schema.json``) says exactly what a report holds. The tests validate
the report of every case of every pack against both the models and the published schema, and
compare the published file with :func:`report_schema`, so the three cannot drift apart: a change
to ``to_dict`` fails those tests until the models here follow it and the file is regenerated with

    python -m govrules.schemas

This module is imported only to check or generate; evaluating never loads it (or pydantic).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .model import RuleKind
from .report import REPORT_FORMAT, Status

__all__ = ["SCHEMA_PATH", "ReportModel", "report_schema", "schema_text", "write_schema"]

SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "report.schema.json"
SCHEMA_ID = "https://govrules.invalid/schemas/report.schema.json"

_DECIMAL = r"^-?[0-9]+(\.[0-9]+)?$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_SHA256 = r"^sha256:[0-9a-f]{64}$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Bilingual(_Model):
    zh: str
    en: str


class Engine(_Model):
    name: Literal["govrules"]
    version: str


class ProjectRef(_Model):
    id: str | None = Field(description="the project's id, when it has one")
    name: str | None


class PackRef(_Model):
    """A pack that produced decisions, in its exact version."""

    id: str
    version: str
    content_hash: str = Field(pattern=_SHA256, description="sha256 over pack.yaml, provisions.yaml and rules/*.yaml")
    jurisdiction: str
    document: str = Field(description="the document's number, e.g. 吴政办发〔2023〕43号")
    title: str


class Calendar(_Model):
    sources: list[str]
    fingerprint: str = Field(pattern=r"^[0-9a-f]{64}$")


class Notice(_Model):
    """What the reader must know that is not a decision (docs/report-format.md lists the codes)."""

    code: str
    zh: str
    en: str


class Summary(_Model):
    """Decisions per status, every status listed."""

    applies: int = Field(ge=0)
    not_applicable: int = Field(ge=0)
    satisfied: int = Field(ge=0)
    violated: int = Field(ge=0)
    pending: int = Field(ge=0)
    overdue: int = Field(ge=0)
    unknown: int = Field(ge=0)


class Provision(_Model):
    """A provision some decision cites, given once per report; decisions cite it by its index."""

    document: str
    path: list[str] = Field(description="the provision's path in the document's own numbering")
    label: str
    text: str = Field(description="the provision's verbatim text (of all its parts, for a provision with parts)")


class Dimension(_Model):
    fact: str
    score: str | None = Field(pattern=_DECIMAL, description="exact decimal; null while the score is missing")
    weight: str = Field(pattern=_DECIMAL)
    weight_parameter: str
    weighted: str | None = Field(pattern=_DECIMAL, description="weight × score / 100")
    lost: str | None = Field(pattern=_DECIMAL, description="weight × (100 − score) / 100")
    citations: list[str]


class Score(_Model):
    total: str | None = Field(pattern=_DECIMAL, description="null while a dimension score is missing")
    grade: str | None
    bands_parameter: str
    weakest: str | None = Field(description="the dimension losing most points; null at full marks or while unscored")
    dimensions: list[Dimension]


class Decision(_Model):
    """One rule's decision for the project."""

    rule: str
    pack: str
    kind: RuleKind
    status: Status
    outcome: str
    title: Bilingual
    citations: list[int] = Field(description="the provisions it cites, as indexes into the report's provisions")
    facts: dict[str, str | int | bool] = Field(
        description="the facts the rule read: amounts and numbers as exact decimal strings, dates as ISO text")
    # Present only where they apply (docs/report-format.md); absent means the empty list, null or false:
    missing: list[str] = Field(default=None, description="the facts that would decide it")  # type: ignore[arg-type]
    due: str = Field(default=None, pattern=_DATE, description="the deadline, ISO date")  # type: ignore[assignment]
    provisional: Literal[True] = Field(
        default=None, description="the due date assumes a holiday schedule not yet published")  # type: ignore[arg-type]
    in_principle: Literal[True] = Field(
        default=None, description="the text says 原则上: exceptions it does not list may exist")  # type: ignore[arg-type]
    exception_to: str = Field(default=None, description="the rule this one is an exception to")  # type: ignore[assignment]
    overridden_by: str = Field(default=None, description="the exception that prevailed")  # type: ignore[assignment]
    explanation: Bilingual
    local_parameters: list[str] = Field(default=None, description="the local parameters the decision rests on")  # type: ignore[arg-type]
    readings: list[str] = Field(default=None, description="the declared readings (interpretations) it rests on")  # type: ignore[arg-type]
    unclaimed: list[str] = Field(
        default=None,  # type: ignore[arg-type]
        description="exceptions the project must establish and has not: the status holds unless it does")
    not_needed: list[str] = Field(
        default=None,  # type: ignore[arg-type]
        description="missing facts that cannot change the decision, whatever their values")
    score: Score = Field(default=None, description="scoring rules only")  # type: ignore[assignment]


class ReportModel(_Model):
    """A govrules report: ``Report.to_dict()``, ``govrules evaluate --format json``."""

    model_config = ConfigDict(title="govrules report", extra="forbid", strict=True, frozen=True)

    format: Literal[REPORT_FORMAT] = Field(  # type: ignore[valid-type]
        description="the report format's version; changes only on an incompatible change")
    engine: Engine
    decision_id: str = Field(pattern=_SHA256, description="equal ids mean equal reports (docs/trust.md)")
    jurisdiction: str
    as_of: str = Field(pattern=_DATE)
    project: ProjectRef
    packs: list[PackRef]
    calendar: Calendar
    notices: list[Notice]
    readings: dict[str, str | None] = Field(
        default=None,  # type: ignore[arg-type]
        description="answers to declared readings the caller chose otherwise than the packs")
    summary: Summary
    provisions: list[Provision] = Field(
        description="every provision the decisions cite, once, in the order first cited, with its verbatim text")
    decisions: list[Decision]


def _drop_null_defaults(node: Any) -> None:
    """Keys present only where they apply are optional, and never null when present."""
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            for key in ("local_parameters", "readings", "unclaimed", "not_needed", "score", "missing", "due",
                        "provisional", "in_principle", "exception_to", "overridden_by"):
                if key in props and props[key].get("default", 0) is None:
                    del props[key]["default"]
        for value in node.values():
            _drop_null_defaults(value)
    elif isinstance(node, list):
        for value in node:
            _drop_null_defaults(value)


def report_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a report, generated from :class:`ReportModel`."""
    schema = ReportModel.model_json_schema(mode="serialization")
    _drop_null_defaults(schema)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def schema_text() -> str:
    return json.dumps(report_schema(), ensure_ascii=False, indent=2) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> Path:
    """Write the generated schema to ``path`` (the published file by default)."""
    path.write_text(schema_text(), "utf-8")
    return path
