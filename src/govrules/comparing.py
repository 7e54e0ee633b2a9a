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
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .evaluation import Engine
from .projects import Project, parse_project, read_project
from .report import Decision, Report, Status, json_text
from .vocabulary import Vocabulary

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
#: A status as a cell shows it, in each language.
STATUS_WORDS: Mapping[Status, tuple[str, str]] = {
    Status.APPLIES: ("适用", "applies"), Status.SATISFIED: ("满足", "satisfied"), Status.VIOLATED: ("违反", "violated"),
    Status.PENDING: ("期限未到", "pending"), Status.OVERDUE: ("逾期", "overdue"),
    Status.UNKNOWN: ("无法判断", "unknown"), Status.NOT_APPLICABLE: ("不适用", "not applicable"),
}


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
        """``title（citation）[status, due …]`` in one language: ``[满足，截止 2026-05-11]``."""
        return f"{self.title(lang)} [{self.state(lang)}]"

    def title(self, lang: str = "zh") -> str:
        """The rule's title with the provision it cites: ``title（citation）``."""
        if lang == "zh":
            return f"{self.title_zh}（{self.citation}）"
        return f"{self.title_en} ({self.citation})"

    def state(self, lang: str = "zh") -> str:
        """The status in words, with the due date and grade where there are some."""
        zh = lang == "zh"
        parts = [STATUS_WORDS[self.status][0 if zh else 1]]
        if self.due:
            parts.append(f"截止 {self.due.isoformat()}" if zh else f"due {self.due.isoformat()}")
        if self.grade is not None:
            parts.append(f"等级 {self.grade}" if zh else f"grade {self.grade}")
        return ("，" if zh else ", ").join(parts)


@dataclass(frozen=True)
class Comparison:
    """The project's decisions under each jurisdiction, sorted into ``CATEGORIES``.

    ``places`` names each jurisdiction as its pack does (wuxing → 湖州市吴兴区) and ``vocabulary``
    gives the facts' labels, so the tables people read show names, not ids.
    """

    as_of: _dt.date
    project_id: str | None
    reports: Mapping[str, Report]
    places: Mapping[str, str] = field(default_factory=dict)
    vocabulary: Vocabulary | None = None

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

    def place(self, jurisdiction: str, lang: str = "zh") -> str:
        """A column's heading: the place name (湖州市吴兴区), in English with the id beside it."""
        name = self.places.get(jurisdiction)
        if name is None:
            return jurisdiction
        return name if lang == "zh" else f"{name} ({jurisdiction})"

    def fact_label(self, fact: str, lang: str = "zh") -> str:
        """A fact as people read it: its label in ``lang`` (the id when the vocabulary lacks it)."""
        known = self.vocabulary.get(fact) if self.vocabulary is not None else None
        if known is None:
            return fact
        return known.zh if lang == "zh" else known.en

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "project": self.project_id,
            "categories": {name: {"zh": zh, "en": en} for name, (zh, en, _) in CATEGORIES.items()},
            "jurisdictions": {
                j: {"name": self.places.get(j),
                    "packs": [p.id for p in report.packs],
                    "notices": [n.to_dict() for n in report.notices],
                    **{c: [e.to_dict() for e in self.column(j, c)] for c in CATEGORIES},
                    "undecided_facts": list(self.undecided(j))}
                for j, report in self.reports.items()
            },
        }

    def to_json(self) -> str:
        return json_text(self.to_dict())

    def rows(self, lang: str = "zh") -> list[tuple[str, list[str]]]:
        """The table as (category, one cell per jurisdiction) rows: one row per entry, the category
        named on its first row only; the facts still needed come last, one per row, by label."""
        names = list(self.reports)
        rows: list[tuple[str, list[str]]] = []
        columns: list[tuple[str, list[list[str]]]] = [
            (zh if lang == "zh" else en, [[e.line(lang) for e in self.column(j, c)] for j in names])
            for c, (zh, en, _) in CATEGORIES.items()]
        columns.append(("尚缺的事实" if lang == "zh" else "facts still needed",
                        [[self.fact_label(f, lang) for f in self.undecided(j)] for j in names]))
        for title, cells in columns:
            height = max([len(c) for c in cells] + [1])
            for i in range(height):
                row = [c[i] if i < len(c) else ("—" if i == 0 else "") for c in cells]
                rows.append((title if i == 0 else "", row))
        return rows

    def to_markdown(self, lang: str = "zh") -> str:
        """A Markdown table, one column per jurisdiction headed by its place name and one row per
        decision; cells are padded to line up in a terminal (a CJK character takes two columns)."""
        names = list(self.reports)
        head = ("类别" if lang == "zh" else "category", [self.place(j, lang) for j in names])
        table = [head, *self.rows(lang)]
        cells = [[_cell(title), *(_cell(c) for c in row)] for title, row in table]
        widths = [max(_width(r[i]) for r in cells) for i in range(len(names) + 1)]
        lines = ["| " + " | ".join(_pad(c, widths[i]) for i, c in enumerate(r)) + " |" for r in cells]
        lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
        return "\n".join(lines) + "\n"

    def to_text(self, lang: str = "zh") -> str:
        """The comparison for a terminal: by category, each jurisdiction's decisions one per line, so
        nothing runs wider than its longest title however many jurisdictions there are."""
        names = list(self.reports)
        places = {j: self.place(j, lang) for j in names}
        width = max(_width(p) for p in places.values())
        project = self.project_id or ("（未命名项目）" if lang == "zh" else "(unnamed project)")
        lines = [f"项目 {project} · 评估日期 {self.as_of.isoformat()}" if lang == "zh"
                 else f"project {project} · as of {self.as_of.isoformat()}"]
        sections: list[tuple[str, dict[str, list[tuple[str, str]]]]] = [
            (zh if lang == "zh" else en,
             {j: [(e.state(lang), e.title(lang)) for e in self.column(j, c)] for j in names})
            for c, (zh, en, _) in CATEGORIES.items()]
        sections.append(("尚缺的事实" if lang == "zh" else "facts still needed",
                         {j: [("", self.fact_label(f, lang)) for f in self.undecided(j)] for j in names}))
        for title, by_place in sections:
            lines += ["", title]
            for j in names:
                entries = by_place[j]
                if not entries:
                    lines.append(f"  {_pad(places[j], width)}  —")
                    continue
                lines.append(f"  {places[j]}")
                state_width = max(_width(state) for state, _ in entries)
                for state, text in entries:
                    lines.append(f"    {_pad(state, state_width)}  {text}" if state_width else f"    {text}")
        return "\n".join(lines) + "\n"

    def to_html(self, lang: str = "zh") -> str:
        """A self-contained HTML page in the style of the pack pages (needs the ``docs`` extra)."""
        from .pages import render_comparison

        return render_comparison(self, lang)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


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
    places = engine.jurisdictions()
    return Comparison(as_of, project.id, reports, {j: places[j] for j in chosen if j in places},
                      engine.vocabulary)
