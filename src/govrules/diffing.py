"""What a new version of a pack changes: every project of a corpus evaluated under both versions.

``diff_engines(old, new, projects)`` evaluates each project under the old and the new packs and
keeps the decisions that differ in status, outcome, due date or overriding exception, with both
explanations, so a reviewer sees which projects a threshold change moves and why. Rules that exist
in only one version are listed, and their decisions count as changes only when they are not
``not_applicable`` (a new rule that applies to nobody changes nobody's obligations). A pack whose
content changed while its ``version`` did not is a warning (``DiffReport.warnings``).
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .calendar import today_in_china
from .corpus import CorpusEntry, read_corpus
from .evaluation import Engine, load
from .linting import Finding, version_findings
from .report import Decision, PackRef, Status

__all__ = ["DecisionChange", "DiffReport", "ProjectDiff", "diff_engines", "diff_paths"]

_COMPARED = ("status", "outcome", "due", "overridden_by")


def _side(decision: Decision | None) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {"status": decision.status.value, "outcome": decision.outcome,
            "due": decision.due.isoformat() if decision.due else None, "overridden_by": decision.overridden_by,
            "explanation": {"zh": decision.explanation_zh, "en": decision.explanation_en}}


@dataclass(frozen=True, slots=True)
class DecisionChange:
    """One rule whose decision for one project differs between the versions (None: rule absent)."""

    rule: str
    old: Decision | None
    new: Decision | None

    @property
    def fields(self) -> tuple[str, ...]:
        """The compared fields that differ ("rule" when the rule exists in one version only)."""
        if self.old is None or self.new is None:
            return ("rule",)
        return tuple(f for f in _COMPARED if getattr(self.old, f) != getattr(self.new, f))

    @property
    def transition(self) -> str:
        """``applies → not_applicable``, ``(absent) → applies`` …"""
        old = self.old.status.value if self.old else "(absent)"
        new = self.new.status.value if self.new else "(absent)"
        return f"{old} → {new}"

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "changed": list(self.fields), "old": _side(self.old), "new": _side(self.new)}


@dataclass(frozen=True, slots=True)
class ProjectDiff:
    """The changed decisions of one project (line: its line in the corpus, if read from one)."""

    index: int
    line: int | None
    project_id: str | None
    project_name: str | None
    jurisdiction: str
    changes: tuple[DecisionChange, ...]

    def label(self) -> str:
        name = " ".join(x for x in (self.project_id, self.project_name) if x)
        return name or (f"line {self.line}" if self.line else f"project #{self.index + 1}")

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "line": self.line, "id": self.project_id, "name": self.project_name,
                "jurisdiction": self.jurisdiction, "changes": [c.to_dict() for c in self.changes]}


@dataclass(frozen=True, slots=True)
class DiffReport:
    """Every project whose decisions change, the rules added and removed, and counts."""

    jurisdictions: tuple[str, ...]
    as_of: _dt.date
    old_packs: tuple[PackRef, ...]
    new_packs: tuple[PackRef, ...]
    projects: int
    changed: tuple[ProjectDiff, ...]
    added_rules: tuple[str, ...]
    removed_rules: tuple[str, ...]
    #: Packs whose content changed while their version did not (``linting.version_findings``).
    warnings: tuple[Finding, ...] = ()

    def by_rule(self) -> dict[str, Counter[str]]:
        """Rule id → how many projects made each transition (``applies → not_applicable``: 3)."""
        counts: dict[str, Counter[str]] = {}
        for project in self.changed:
            for change in project.changes:
                counts.setdefault(change.rule, Counter())[change.transition] += 1
        return dict(sorted(counts.items()))

    def summary(self) -> dict[str, Any]:
        return {"projects": self.projects, "changed_projects": len(self.changed),
                "changed_decisions": sum(len(p.changes) for p in self.changed),
                "added_rules": len(self.added_rules), "removed_rules": len(self.removed_rules)}

    def to_dict(self) -> dict[str, Any]:
        return {
            "jurisdictions": list(self.jurisdictions), "as_of": self.as_of.isoformat(),
            "old": [p.to_dict() for p in self.old_packs], "new": [p.to_dict() for p in self.new_packs],
            "summary": self.summary(),
            "by_rule": {rule: dict(sorted(c.items())) for rule, c in self.by_rule().items()},
            "added_rules": list(self.added_rules), "removed_rules": list(self.removed_rules),
            "projects": [p.to_dict() for p in self.changed],
            "warnings": [w.to_dict() for w in self.warnings],
        }


def _differs(old: Decision, new: Decision) -> bool:
    return any(getattr(old, f) != getattr(new, f) for f in _COMPARED)


def diff_engines(old: Engine, new: Engine, projects: Sequence[CorpusEntry | Any], *,
                 jurisdictions: Sequence[str] | None = None, as_of: _dt.date | None = None,
                 old_readings: Mapping[str, str | None] | None = None,
                 new_readings: Mapping[str, str | None] | None = None) -> DiffReport:
    """Evaluate ``projects`` under ``old`` and ``new`` and report the decisions that change.

    ``projects`` are ``CorpusEntry`` items or anything ``Engine.evaluate`` takes. Without
    ``jurisdictions``, every jurisdiction with a pack in both versions is used. ``UnknownJurisdiction``
    is raised for a jurisdiction missing from either version. ``old_readings``/``new_readings``
    answer declared readings otherwise than the packs on either side: the same packs on both sides
    with another answer on the new one show what that interpretation changes.
    """
    as_of = as_of or today_in_china()
    if jurisdictions is None:
        both = set(old.jurisdictions()) & set(new.jurisdictions())
        jurisdictions = sorted(both)
    for j in jurisdictions:  # fail early, with the engine's did-you-mean, on a name either side lacks
        old.chain(j)
        new.chain(j)
    old_ids = {r.id for p in old.packs for r in p.rules}
    new_ids = {r.id for p in new.packs for r in p.rules}
    changed: list[ProjectDiff] = []
    old_refs: dict[str, PackRef] = {}
    new_refs: dict[str, PackRef] = {}
    for index, item in enumerate(projects):
        project = item.project if isinstance(item, CorpusEntry) else item
        line = item.line if isinstance(item, CorpusEntry) else None
        for j in jurisdictions:
            before = old.evaluate(project, j, as_of, readings=old_readings)
            after = new.evaluate(project, j, as_of, readings=new_readings)
            old_refs.update((p.id, p) for p in before.packs)
            new_refs.update((p.id, p) for p in after.packs)
            old_d = {d.rule: d for d in before.decisions}
            new_d = {d.rule: d for d in after.decisions}
            changes = []
            for rule in list(old_d) + [r for r in new_d if r not in old_d]:
                a, b = old_d.get(rule), new_d.get(rule)
                if a is not None and b is not None:
                    if _differs(a, b):
                        changes.append(DecisionChange(rule, a, b))
                else:
                    only = a if a is not None else b
                    if only is not None and only.status is not Status.NOT_APPLICABLE:
                        changes.append(DecisionChange(rule, a, b))
            if changes:
                changed.append(ProjectDiff(index, line, before.project_id, before.project_name, j, tuple(changes)))
    return DiffReport(
        jurisdictions=tuple(jurisdictions), as_of=as_of,
        old_packs=tuple(old_refs[k] for k in sorted(old_refs)), new_packs=tuple(new_refs[k] for k in sorted(new_refs)),
        projects=len(projects), changed=tuple(changed),
        added_rules=tuple(sorted(new_ids - old_ids)), removed_rules=tuple(sorted(old_ids - new_ids)),
        warnings=tuple(version_findings(old.packs, new.packs)),
    )


def diff_paths(old: Path | str, new: Path | str, corpus: Path | str, *,
               jurisdictions: Sequence[str] | None = None, as_of: _dt.date | None = None,
               new_readings: Mapping[str, str | None] | None = None) -> DiffReport:
    """``govrules diff`` as a function: two pack (or policies) directories and a JSON Lines corpus.

    Raises ``PackError`` for a pack that does not load and ``ProjectError`` for bad corpus lines.
    """
    return diff_engines(load(old), load(new), read_corpus(corpus), jurisdictions=jurisdictions, as_of=as_of,
                        new_readings=new_readings)
