"""One project under every jurisdiction, side by side: what each requires, excludes and when.

A planner building the same kind of system in two places wants one table: which approvals each
measure asks for, which would refuse the project outright, which deadlines run from which dates.
``compare`` evaluates the project under each jurisdiction (with its parents, as ``Engine.evaluate``
does) and sorts the decisions that bear on the project into those columns; rules that do not apply
are left out, and facts a jurisdiction would still need are listed so the table is honest about
what it could not decide.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .evaluation import Engine
from .projects import Project, parse_project, read_project
from .report import Decision, Report, Status, json_text

__all__ = ["CATEGORIES", "Comparison", "Entry", "compare"]

#: The columns of a comparison, in display order, with the rule kinds that fill them.
CATEGORIES: Mapping[str, tuple[str, str, tuple[str, ...]]] = {
    "excludes": ("不予受理、不得申报或不纳入", "refused, not declarable, or outside the measure", ("exclusion",)),
    "requires": ("需要的审批、审查和义务", "approvals, reviews and duties required",
                 ("approval", "review", "obligation", "change_control")),
    "deadlines": ("期限", "deadlines", ("deadline",)),
    "classifies": ("分类与评分", "classifications and scores", ("classification", "scoring")),
    "consequences": ("后果", "consequences", ("consequence",)),
}
_KIND_TO_CATEGORY = {kind: name for name, (_, _, kinds) in CATEGORIES.items() for kind in kinds}
# A decision bears on the project unless the rule does not apply to it.
_BEARING = {Status.APPLIES, Status.SATISFIED, Status.VIOLATED, Status.PENDING, Status.OVERDUE}


@dataclass(frozen=True, slots=True)
class Entry:
    """One decision as a cell line: which rule, under which provision, with what status and date."""

    rule: str
    pack: str
    title_zh: str
    title_en: str
    citation: str
    status: Status
    due: _dt.date | None = None
    grade: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "pack": self.pack, "title": {"zh": self.title_zh, "en": self.title_en},
                "citation": self.citation, "status": self.status.value,
                "due": self.due.isoformat() if self.due else None, "grade": self.grade}

    def line(self, lang: str = "zh") -> str:
        title = self.title_zh if lang == "zh" else self.title_en
        extra = f"，截止 {self.due.isoformat()}" if self.due and lang == "zh" else (
            f", due {self.due.isoformat()}" if self.due else "")
        if self.grade is not None:
            extra += f"，等级 {self.grade}" if lang == "zh" else f", grade {self.grade}"
        return f"{title}（{self.citation}）[{self.status.value}{extra}]"


@dataclass(frozen=True)
class Comparison:
    """The project's decisions under each jurisdiction, sorted into ``CATEGORIES``."""

    as_of: _dt.date
    project_id: str | None
    reports: Mapping[str, Report]

    def column(self, jurisdiction: str, category: str) -> tuple[Entry, ...]:
        """The entries of one cell: decisions of ``category`` that bear on the project there."""
        if category not in CATEGORIES:
            raise KeyError(f"unknown category {category!r}; one of {', '.join(CATEGORIES)}")
        return tuple(_entry(d) for d in self.reports[jurisdiction].decisions
                     if _KIND_TO_CATEGORY.get(d.kind) == category and d.status in _BEARING)

    def undecided(self, jurisdiction: str) -> tuple[str, ...]:
        """Facts a jurisdiction still needs for rules it could not decide (status unknown)."""
        names: dict[str, None] = {}
        for d in self.reports[jurisdiction].decisions:
            if d.status is Status.UNKNOWN:
                names.update(dict.fromkeys(d.missing))
        return tuple(names)

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "project": self.project_id,
            "categories": {name: {"zh": zh, "en": en} for name, (zh, en, _) in CATEGORIES.items()},
            "jurisdictions": {
                j: {"packs": [p.id for p in report.packs],
                    "notices": [n.to_dict() for n in report.notices],
                    **{c: [e.to_dict() for e in self.column(j, c)] for c in CATEGORIES},
                    "undecided_facts": list(self.undecided(j))}
                for j, report in self.reports.items()
            },
        }

    def to_json(self) -> str:
        return json_text(self.to_dict())

    def to_markdown(self, lang: str = "zh") -> str:
        """A table: one row per category, one column per jurisdiction."""
        names = list(self.reports)
        head = "类别" if lang == "zh" else "category"
        lines = [f"| {head} | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
        for category, (zh, en, _) in CATEGORIES.items():
            cells = []
            for j in names:
                entries = self.column(j, category)
                cells.append("<br>".join(_cell(e.line(lang)) for e in entries) or "—")
            lines.append(f"| {zh if lang == 'zh' else en} | " + " | ".join(cells) + " |")
        missing = ["<br>".join(self.undecided(j)) or "—" for j in names]
        lines.append(f"| {'尚缺的事实' if lang == 'zh' else 'facts still needed'} | " + " | ".join(missing) + " |")
        return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _entry(d: Decision) -> Entry:
    label = d.citations[0].label if d.citations else ""
    return Entry(d.rule, d.pack, d.title_zh, d.title_en, label, d.status, d.due,
                 d.score.grade if d.score is not None else None)


def compare(engine: Engine, project: Project | Mapping[str, Any] | str | Path, as_of: _dt.date,
            jurisdictions: Sequence[str] | None = None, *,
            readings: Mapping[str, str | None] | None = None) -> Comparison:
    """Evaluate ``project`` under each jurisdiction (default: every one with a pack) as of ``as_of``.

    The project is validated once; ``UnknownJurisdiction`` names a jurisdiction without a pack.
    ``readings`` answers declared readings otherwise than the packs (as ``Engine.evaluate``).
    """
    if isinstance(project, (str, Path)):
        project = read_project(project, engine.vocabulary)
    elif not isinstance(project, Project):
        project = parse_project(project, engine.vocabulary)
    chosen = list(jurisdictions) if jurisdictions else list(engine.jurisdictions())
    reports = {j: engine.evaluate(project, j, as_of, readings=readings) for j in chosen}
    return Comparison(as_of, project.id, reports)
