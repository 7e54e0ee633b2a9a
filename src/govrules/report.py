"""Reports: the decisions an evaluation returns, each citing the provisions that justify it.

A ``Report`` is immutable and its JSON form (``to_dict``/``to_json``) is the stable contract other
systems import: key order is fixed, amounts are exact strings, dates are ISO text.
"""

from __future__ import annotations

import datetime as _dt
import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .errors import did_you_mean
from .model import Citation
from .projects import json_value
from .scoring import ScoreResult

__all__ = ["Decision", "Notice", "PackRef", "Report", "Status", "REPORT_FORMAT"]

#: Version of the JSON layout; bumped only on an incompatible change.
REPORT_FORMAT = 1


class Status(str, enum.Enum):
    """Where a project stands against one rule."""

    APPLIES = "applies"
    NOT_APPLICABLE = "not_applicable"
    SATISFIED = "satisfied"
    VIOLATED = "violated"
    PENDING = "pending"
    OVERDUE = "overdue"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Decision:
    """One rule's verdict on one project, with the provisions, facts and reasoning behind it."""

    rule: str
    pack: str
    kind: str
    status: Status
    outcome: str
    title_zh: str
    title_en: str
    citations: tuple[Citation, ...]
    facts: tuple[tuple[str, Any], ...] = ()
    missing: tuple[str, ...] = ()
    due: _dt.date | None = None
    provisional: bool = False
    in_principle: bool = False
    exception_to: str | None = None
    overridden_by: str | None = None
    explanation_zh: str = ""
    explanation_en: str = ""
    score: ScoreResult | None = None
    local_parameters: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = {
            "rule": self.rule,
            "pack": self.pack,
            "kind": self.kind,
            "status": self.status.value,
            "outcome": self.outcome,
            "title": {"zh": self.title_zh, "en": self.title_en},
            "citations": [c.to_dict() for c in self.citations],
            "facts": {name: json_value(value) for name, value in self.facts},
            "missing": list(self.missing),
            "due": self.due.isoformat() if self.due else None,
            "provisional": self.provisional,
            "in_principle": self.in_principle,
            "exception_to": self.exception_to,
            "overridden_by": self.overridden_by,
            "explanation": {"zh": self.explanation_zh, "en": self.explanation_en},
        }
        # Present only where they apply, so decisions of plain rules keep their layout.
        if self.local_parameters:
            data["local_parameters"] = list(self.local_parameters)
        if self.score is not None:
            data["score"] = self.score.to_dict()
        return data


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the reader of a report must know that is not a rule's decision."""

    code: str
    zh: str
    en: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "zh": self.zh, "en": self.en}


@dataclass(frozen=True, slots=True)
class PackRef:
    """Which pack, in which exact version, produced decisions."""

    id: str
    version: str
    content_hash: str
    jurisdiction: str
    document: str
    title: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "version": self.version, "content_hash": self.content_hash,
                "jurisdiction": self.jurisdiction, "document": self.document, "title": self.title}


@dataclass(frozen=True)
class Report:
    """The result of evaluating one project under one jurisdiction on one date."""

    jurisdiction: str
    as_of: _dt.date
    project_id: str | None
    project_name: str | None
    packs: tuple[PackRef, ...]
    decisions: tuple[Decision, ...]
    notices: tuple[Notice, ...]
    engine_version: str
    calendar_sources: tuple[str, ...]
    calendar_fingerprint: str
    # label -> ((document number, path), ...) for every provision of the packs used
    provision_paths: Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]] = field(
        default_factory=lambda: MappingProxyType({}), repr=False)
    #: sha256 over the validated project, jurisdiction, as_of, packs consulted, engine version and
    #: calendar fingerprint (``govrules.audit.decision_id``): equal ids mean equal reports.
    decision_id: str = ""

    def decision(self, rule: str) -> Decision:
        """The decision of rule ``rule``; ``KeyError`` (with a did-you-mean) if there is none."""
        for decision in self.decisions:
            if decision.rule == rule:
                return decision
        hint = did_you_mean(rule, [d.rule for d in self.decisions])
        raise KeyError(f"no decision for rule {rule!r}" + (f"; {hint}" if hint else ""))

    def for_provision(self, label: str, document: str | None = None) -> tuple[Decision, ...]:
        """The decisions citing provision ``label`` or anything inside it (its 款 and 项).

        ``report.for_provision("第十七条")`` also returns decisions citing 第十七条第一款. Give
        ``document`` (its number) when two packs in the report share a label.
        """
        targets = self.provision_paths.get(label)
        if not targets:
            hint = did_you_mean(label, list(self.provision_paths))
            raise KeyError(f"no provision {label!r} in the packs of this report" + (f"; {hint}" if hint else ""))
        if document is not None:
            targets = tuple(t for t in targets if t[0] == document)
        found = []
        for decision in self.decisions:
            for citation in decision.citations:
                if any(citation.document == doc and citation.path[: len(path)] == path
                       for doc, path in targets):
                    found.append(decision)
                    break
        return tuple(found)

    def by_status(self, *statuses: Status | str) -> tuple[Decision, ...]:
        """The decisions with any of ``statuses``."""
        wanted = {Status(s) for s in statuses}
        return tuple(d for d in self.decisions if d.status in wanted)

    def summary(self) -> dict[str, int]:
        """How many decisions have each status (every status listed, in a fixed order)."""
        counts = {status.value: 0 for status in Status}
        for decision in self.decisions:
            counts[decision.status.value] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": REPORT_FORMAT,
            "engine": {"name": "govrules", "version": self.engine_version},
            "decision_id": self.decision_id,
            "jurisdiction": self.jurisdiction,
            "as_of": self.as_of.isoformat(),
            "project": {"id": self.project_id, "name": self.project_name},
            "packs": [p.to_dict() for p in self.packs],
            "calendar": {"sources": list(self.calendar_sources), "fingerprint": self.calendar_fingerprint},
            "notices": [n.to_dict() for n in self.notices],
            "summary": self.summary(),
            "decisions": [d.to_dict() for d in self.decisions],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """The report as JSON text (UTF-8 Chinese kept readable, key order fixed)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)
