"""The OpenAPI document: every request and response, with the project and report schemas the library publishes.

The project schema is ``project_json_schema`` of the loaded vocabulary and the report schema is
``report_schema()`` (the one src/govrules/schemas/report.schema.json is generated from), so the
document follows the library; the envelopes around them are written here, once.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from ..evaluation import Engine

__all__ = ["document", "operation", "response"]

_REF = "#/components/schemas/"
_PROBLEM = "application/problem+json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF + name}


def _problems(*statuses: int) -> dict[str, Any]:
    words = {400: "the body is not JSON", 404: "unknown jurisdiction, pack or provision",
             413: "the body or the batch is larger than the limit", 422: "a bad project or request (problems name the fields)",
             503: "the time limit ran out", 403: "wrong admin token"}
    return {str(s): {"description": words.get(s, "a problem"), "content": {_PROBLEM: {"schema": _ref("Problem")}}}
            for s in statuses}


def operation(request: str, result: str) -> dict[str, Any]:
    """``openapi_extra`` of a POST endpoint taking ``request`` and answering ``result``."""
    return {
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref(request)}}},
        "responses": {"200": {"description": result, "content": {"application/json": {"schema": _ref(result)}}},
                      **_problems(400, 404, 413, 422, 503)},
    }


def response(result: str, *, not_found: bool = False, reload: bool = False) -> dict[str, Any]:
    """``openapi_extra`` of an endpoint answering ``result``."""
    statuses = (404,) if not_found else ((403, 404, 422) if reload else ())
    return {"responses": {"200": {"description": result, "content": {"application/json": {"schema": _ref(result)}}},
                          **_problems(*statuses)}}


_DATE: dict[str, Any] = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "examples": ["2026-06-01"]}
_READINGS: dict[str, Any] = {"type": "object", "additionalProperties": {"type": ["string", "null"]},
             "description": "answers to declared readings other than the packs' (reading id → alternative, "
                            "null: no position), as govrules evaluate --reading ID=ANSWER"}
_PACK_REF: dict[str, Any] = {"type": "object", "required": ["id", "version", "content_hash"],
             "properties": {"id": {"type": "string"}, "version": {"type": "string"},
                            "content_hash": {"type": "string"}}}
_BILINGUAL: dict[str, Any] = {"type": "object", "properties": {"zh": {"type": "string"}, "en": {"type": "string"}}}
_PACK_SUMMARY: dict[str, Any] = {"type": "object", "properties": {
    **_PACK_REF["properties"], "jurisdiction": {"type": "string"}, "document": {"type": "string"},
    "title": {"type": "string"}, "in_force_from": _DATE, "in_force_until": {"type": ["string", "null"]},
    "page": {"type": "string"}}}
_STRINGS: dict[str, Any] = {"type": "array", "items": {"type": "string"}}


def _envelopes() -> dict[str, Any]:
    return {
        "EvaluateRequest": {
            "type": "object", "additionalProperties": False, "required": ["project", "jurisdiction"],
            "properties": {"project": _ref("Project"), "jurisdiction": {"type": "string", "examples": ["wuxing"]},
                           "as_of": {**_DATE, "description": "default: today in China Standard Time"},
                           "readings": _READINGS}},
        "CompareRequest": {
            "type": "object", "additionalProperties": False, "required": ["project"],
            "properties": {"project": _ref("Project"),
                           "jurisdictions": {**_STRINGS, "description": "default: every one with a pack"},
                           "as_of": _DATE, "readings": _READINGS}},
        "BatchRequest": {
            "type": "object", "additionalProperties": False, "required": ["projects", "jurisdiction"],
            "properties": {"projects": {"type": "array", "items": _ref("Project"),
                                        "description": "at most --max-batch projects"},
                           "jurisdiction": {"type": "string"}, "as_of": _DATE, "readings": _READINGS}},
        "BatchResponse": {
            "type": "object", "required": ["jurisdiction", "as_of", "packs", "count", "results"],
            "properties": {
                "jurisdiction": {"type": "string"}, "as_of": _DATE, "packs": {"type": "array", "items": _PACK_REF},
                "count": {"type": "integer"},
                "results": {"type": "array", "items": {"type": "object", "required": ["index"], "properties": {
                    "index": {"type": "integer"}, "report": _ref("Report"), "problem": _ref("Problem")}}}}},
        "Comparison": {
            "type": "object", "description": "Comparison.to_json() of the library (govrules compare --format json)",
            "properties": {"as_of": _DATE, "project": {"type": ["string", "null"]},
                           "categories": {"type": "object", "additionalProperties": _BILINGUAL},
                           "jurisdictions": {"type": "object", "additionalProperties": {"type": "object"}}}},
        "Problem": {
            "type": "object", "description": "RFC 9457 problem details, with govrules' structured problems",
            "required": ["type", "title", "status", "problems"],
            "properties": {
                "type": {"type": "string", "format": "uri"}, "title": {"type": "string"},
                "title_zh": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"},
                "problems": {"type": "array", "items": {"type": "object", "description":
                             "ProjectProblem.to_dict() (field) or PackProblem.to_dict() (file, line, column)",
                             "properties": {"field": {"type": "string"}, "file": {"type": "string"},
                                            "line": {"type": ["integer", "null"]},
                                            "column": {"type": ["integer", "null"]},
                                            "code": {"type": "string"}, "message": {"type": "string"},
                                            "message_zh": {"type": ["string", "null"]},
                                            "hint": {"type": ["string", "null"]},
                                            "hint_zh": {"type": ["string", "null"]},
                                            "value": {"type": ["string", "null"]}}}}}},
        "Jurisdictions": {"type": "object", "properties": {
            "jurisdictions": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "string"}, "name": {"type": "string"}, "parent": {"type": ["string", "null"]},
                "chain": _STRINGS, "packs": {"type": "array", "items": _PACK_SUMMARY}}}},
            "packs": {"type": "array", "items": _PACK_REF}, "generation": {"type": "integer"}}},
        "PackList": {"type": "object", "properties": {"packs": {"type": "array", "items": _PACK_SUMMARY},
                                                      "generation": {"type": "integer"}}},
        "PackDetail": {"type": "object", "properties": {
            **_PACK_REF["properties"], "jurisdiction": {"type": "object"}, "document": {"type": "object"},
            "description": {"type": ["string", "null"]}, "provisions": _STRINGS,
            "rules": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "string"}, "kind": {"type": "string"}, "title": _BILINGUAL, "cites": _STRINGS}}},
            "parameters": {"type": "array", "items": {"type": "object"}},
            "readings": {"type": "array", "items": {"type": "object"}}, "page": {"type": "string"}}},
        "ProvisionDetail": {"type": "object", "properties": {
            "pack": _PACK_REF, "document": {"type": "string"}, "label": {"type": "string"}, "path": _STRINGS,
            "text": {"type": ["string", "null"], "description": "the provision's own words, verbatim"},
            "full_text": {"type": "string", "description": "with its sub-items, verbatim"},
            "evaluable": {"type": "boolean"}, "reason": {"type": ["string", "null"]}, "children": _STRINGS,
            "rules": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "string"}, "kind": {"type": "string"}, "title": _BILINGUAL,
                "cites": {"type": "string"}, "exact": {"type": "boolean"}}}},
            "page": {"type": "string"}}},
        "Facts": {"type": "object", "properties": {"facts": {"type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string"}, "type": {"enum": ["amount", "number", "integer", "boolean", "date", "enum", "text"]},
            "zh": {"type": "string"}, "en": {"type": "string"}, "unit": {"type": ["string", "null"]},
            "description": {"type": ["string", "null"]}, "act": {"type": "boolean"},
            "values": {"type": "array", "items": {"type": "object", "properties": {
                "value": {"type": "string"}, "zh": {"type": "string"}}}},
            "minimum": {"type": ["string", "null"]}, "maximum": {"type": ["string", "null"]}}}}}},
        "JsonSchema": {"type": "object", "description": "a JSON Schema (draft 2020-12): the project schema above, "
                       "as a document of its own for form builders and validators"},
        "Health": {"type": "object", "properties": {
            "status": {"const": "ok"}, "version": {"type": "string"}, "generation": {"type": "integer"},
            "loaded_at": {"type": "string"}, "packs": {"type": "array", "items": _PACK_REF}}},
        "Reloaded": {"type": "object", "properties": {
            "generation": {"type": "integer"}, "packs": {"type": "array", "items": _PACK_REF},
            "previous": {"type": "array", "items": _PACK_REF}}},
    }


def _hoisted(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with its ``$defs`` moved into ``components`` and its references pointed there."""
    defs = schema.pop("$defs", {})
    schema.pop("$schema", None)
    schema.pop("$id", None)

    def point(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: (v.replace("#/$defs/", _REF) if k == "$ref" and isinstance(v, str) else point(v))
                    for k, v in node.items()}
        if isinstance(node, list):
            return [point(v) for v in node]
        return node

    for name, sub in defs.items():
        components[name] = point(sub)
    return point(schema)  # type: ignore[no-any-return]


def document(app: FastAPI, engine: Engine) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``app`` with the schemas of the loaded vocabulary and the report."""
    from ..projects import project_json_schema
    from ..report_schema import report_schema

    doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = doc.setdefault("components", {}).setdefault("schemas", {})
    components["Project"] = _hoisted(project_json_schema(engine.vocabulary), components)
    components["Report"] = _hoisted(report_schema(), components)
    components.update(_envelopes())
    return doc
