"""Coverage: which provisions of each pack are encoded by rules, tested by cases, or not evaluable.

Definitions (also in docs/tools.md):

* A *unit* of coverage is a *leaf* provision (one with no sub-items in the registry) or a
  *chapeau*: a provision with sub-items whose own words come before them and are not marked
  ``lead_in`` (a heading or "有下列情形之一的："), because such words can set a requirement of their
  own (吴兴 第十九条: "原则上不进行调整，确因…发生变化…应遵循以下原则"). A provision with sub-items
  is otherwise counted through them. (The JSON keys ``leaves``/``evaluable_leaves`` count units.)
* A rule *encodes* a provision when it cites it or one of its ancestors (a citation of an article
  carries the text of all its parts); a chapeau is not encoded by rules citing only its sub-items.
* A case *tests* a leaf provision when it passes and expects the decision of a rule that encodes
  the leaf, and either names that provision or one on the same line (an ancestor or a descendant)
  in its ``provision``, or expects a rule that cites the leaf itself. The first kind are listed
  beside the provision (``cases``); the second only counted (``other_cases``: e.g. every case
  checks the scope rules, citing 第二条, along the way).
* The provision ``pack.yaml`` names in ``document.in_force_cites`` (the 施行 date) is encoded by
  the pack's in-force dates, and tested by passing cases that name it and state ``pack_in_force``
  (whether the pack is in force on the case's ``as_of``).
* Coverage of a pack = evaluable units that are encoded and tested / evaluable units, in percent
  (100 when a pack has no evaluable unit). Not-evaluable units are left out: they carry a reason.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .casetests import CaseResult, iter_results
from .errors import PackError, PackProblem
from .evaluation import Engine, default_policies_dir, load
from .model import Pack, Provision

__all__ = ["CaseRef", "CoverageReport", "CoverageStatus", "PackCoverage", "ProvisionCoverage", "measure",
           "measure_engine"]


class CoverageStatus(str, enum.Enum):
    """Where one provision stands; for a provision with sub-items, the weakest of its evaluable leaves."""

    TESTED = "tested"
    ENCODED = "encoded"
    NOT_ENCODED = "not_encoded"
    NOT_EVALUABLE = "not_evaluable"


_RANK = {CoverageStatus.NOT_ENCODED: 0, CoverageStatus.ENCODED: 1, CoverageStatus.TESTED: 2}


@dataclass(frozen=True, slots=True)
class CaseRef:
    """One case as coverage sees it: where it is, what it is called, whether it passed."""

    file: str
    line: int | None
    name: str
    provision: str
    passed: bool

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "name": self.name, "provision": self.provision,
                "passed": self.passed}


@dataclass(frozen=True, slots=True)
class ProvisionCoverage:
    """The coverage of one provision: the rules citing it, the cases testing it, its status."""

    label: str
    path: tuple[str, ...]
    text: str | None
    leaf: bool  # a unit of coverage: a leaf, or a chapeau with words of its own (see the module docstring)
    evaluable: bool
    reason: str | None
    status: CoverageStatus
    rules: tuple[str, ...]            # rules citing this provision itself
    inherited_rules: tuple[str, ...]  # rules citing an ancestor (they encode it too)
    cases: tuple[CaseRef, ...]
    other_cases: int = 0              # passing cases naming another provision that expect a rule citing this one
    in_force: bool = False            # pack.yaml's document.in_force_cites names it (施行日期)

    @property
    def depth(self) -> int:
        return len(self.path) - 1

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "path": list(self.path), "leaf": self.leaf, "evaluable": self.evaluable,
                "reason": self.reason, "status": self.status.value, "rules": list(self.rules),
                "inherited_rules": list(self.inherited_rules), "in_force": self.in_force,
                "other_cases": self.other_cases,
                "cases": [c.to_dict() for c in self.cases]}


@dataclass(frozen=True, slots=True)
class PackCoverage:
    """One pack's coverage, provision by provision, with its counts and the rules no case expects."""

    pack: Pack
    provisions: tuple[ProvisionCoverage, ...]
    untested_rules: tuple[str, ...]
    failing_cases: tuple[CaseRef, ...]
    problems: tuple[PackProblem, ...]

    def counts(self) -> dict[str, int]:
        """Leaf provisions by status, and the number of evaluable leaves."""
        leaves = [p for p in self.provisions if p.leaf]
        counts = {s.value: sum(1 for p in leaves if p.status is s) for s in CoverageStatus}
        counts["evaluable_leaves"] = sum(1 for p in leaves if p.status is not CoverageStatus.NOT_EVALUABLE)
        counts["leaves"] = len(leaves)
        return counts

    @property
    def percent(self) -> float:
        counts = self.counts()
        return _percent(counts["tested"], counts["evaluable_leaves"])

    def provision(self, label: str) -> ProvisionCoverage:
        for p in self.provisions:
            if p.label == label:
                return p
        raise KeyError(label)

    def to_dict(self) -> dict[str, Any]:
        return {"pack": self.pack.id, "version": self.pack.version, "jurisdiction": self.pack.jurisdiction.id,
                "document": self.pack.document.number, "title": self.pack.document.title,
                "percent": round(self.percent, 1), "counts": self.counts(),
                "untested_rules": list(self.untested_rules),
                "failing_cases": [c.to_dict() for c in self.failing_cases],
                "problems": [p.to_dict() for p in self.problems],
                "provisions": [p.to_dict() for p in self.provisions]}


@dataclass(frozen=True, slots=True)
class CoverageReport:
    """Coverage of every pack under a policies directory."""

    packs: tuple[PackCoverage, ...]

    @property
    def percent(self) -> float:
        tested = sum(p.counts()["tested"] for p in self.packs)
        total = sum(p.counts()["evaluable_leaves"] for p in self.packs)
        return _percent(tested, total)

    def pack(self, pack_id: str) -> PackCoverage:
        for p in self.packs:
            if p.pack.id == pack_id:
                return p
        raise KeyError(pack_id)

    def below(self, threshold: float) -> tuple[PackCoverage, ...]:
        """The packs whose coverage is under ``threshold`` percent."""
        return tuple(p for p in self.packs if p.percent < threshold)

    def to_dict(self) -> dict[str, Any]:
        return {"definition": "tested evaluable leaf provisions / evaluable leaf provisions",
                "percent": round(self.percent, 1), "packs": [p.to_dict() for p in self.packs]}


def _percent(part: int, whole: int) -> float:
    return 100.0 if whole == 0 else 100.0 * part / whole


def _within(outer: tuple[str, ...], inner: tuple[str, ...]) -> bool:
    """Whether ``inner`` is ``outer`` or lies inside it."""
    return inner[: len(outer)] == outer


def measure(root: Path | str | None = None, *, holidays: Sequence[Path | str] = (),
            replace_holidays: bool = False) -> CoverageReport:
    """Load the packs under ``root`` (default: the bundled packs), run their cases, measure coverage.

    Raises ``PackError`` if a pack cannot be loaded; a broken case file is reported in the pack's
    ``problems`` and its cases do not count.
    """
    root = Path(root) if root is not None else default_policies_dir()
    return measure_engine(load(root, holidays=holidays, replace_holidays=replace_holidays))


def measure_engine(engine: Engine) -> CoverageReport:
    """Coverage of every pack of ``engine`` that has a directory (its cases live beside it)."""
    return CoverageReport(tuple(_pack_coverage(engine, pack) for pack in engine.packs))


def _pack_coverage(engine: Engine, pack: Pack) -> PackCoverage:
    files = sorted((pack.directory / "tests").glob("test_*.y*ml")) if pack.directory else []
    results: list[CaseResult] = []
    problems: list[PackProblem] = []
    for result in iter_results(engine, files):
        if isinstance(result, PackError):
            problems.extend(result.problems)
        else:
            results.append(result)
    by_label = pack.provisions
    # For each case: its reference, the path it names, and the rules whose decisions it expects.
    case_info = []
    expected_rules: set[str] = set()
    for r in results:
        ref = CaseRef(_relative(r.case.file, pack), r.case.line, r.case.name, r.case.provision, r.passed)
        rules = {e.rule for e in r.case.expectations}
        if r.passed:
            expected_rules |= rules
        case_info.append((ref, by_label[r.case.provision].path, rules, r.case.pack_in_force is not None))
    rule_cites = {rule.id: [c.path for c in rule.cites] for rule in pack.rules}

    leaf_status: dict[str, CoverageStatus] = {}
    entries: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[CaseRef, ...], int]] = {}
    for label, prov in by_label.items():
        direct = tuple(rid for rid, paths in rule_cites.items() if prov.path in paths)
        inherited = tuple(rid for rid, paths in rule_cites.items()
                          if rid not in direct and any(_within(p, prov.path) for p in paths))
        encoding = set(direct) | set(inherited)
        # The provision setting the in-force date is encoded by pack.yaml, not by a rule; it is tested
        # by cases that state whether the pack is in force (``pack_in_force``) on a date.
        in_force = label == pack.document.in_force_cites
        on_line = [_within(named, prov.path) or _within(prov.path, named) for _, named, _, _ in case_info]
        cases = tuple(ref for (ref, _, rules, dated), line in zip(case_info, on_line, strict=True)
                      if line and (rules & encoding or (in_force and dated)))
        others = sum(1 for (ref, _, rules, _), line in zip(case_info, on_line, strict=True)
                     if not line and ref.passed and rules & set(direct))
        # A leaf, or a chapeau's own words: encoded by rules citing it or an ancestor (not its sub-items).
        if not prov.children or prov.chapeau:
            tested = others > 0 or any(c.passed for c in cases)
            leaf_status[label] = _leaf_status(prov, bool(encoding) or in_force, tested)
        entries[label] = (direct, inherited, cases, others)

    provisions = []
    for label, prov in by_label.items():
        direct, inherited, cases, others = entries[label]
        if prov.children:
            below = [leaf_status[lbl] for lbl, p in by_label.items() if lbl in leaf_status
                     and _within(prov.path, p.path)]
            evaluable = [s for s in below if s is not CoverageStatus.NOT_EVALUABLE]
            status = min(evaluable, key=_RANK.__getitem__) if evaluable else CoverageStatus.NOT_EVALUABLE
        else:
            status = leaf_status[label]
        provisions.append(ProvisionCoverage(
            label=label, path=prov.path, text=prov.text, leaf=not prov.children or prov.chapeau,
            evaluable=prov.evaluable,
            reason=prov.reason, status=status, rules=direct, inherited_rules=inherited, cases=cases,
            other_cases=others,
            in_force=label == pack.document.in_force_cites))
    return PackCoverage(
        pack=pack, provisions=tuple(provisions),
        untested_rules=tuple(r.id for r in pack.rules if r.id not in expected_rules),
        failing_cases=tuple(ref for ref, _, _, _ in case_info if not ref.passed),
        problems=tuple(problems),
    )


def _relative(file: str, pack: Pack) -> str:
    """A case file's path from its pack's directory (``tests/test_x.yaml``), so output is the same anywhere."""
    if pack.directory is None:
        return file
    try:
        return Path(file).resolve().relative_to(pack.directory.resolve()).as_posix()
    except ValueError:
        return file


def _leaf_status(prov: Provision, encoded: bool, tested: bool) -> CoverageStatus:
    if not prov.evaluable:
        return CoverageStatus.NOT_EVALUABLE
    if not encoded:
        return CoverageStatus.NOT_ENCODED
    return CoverageStatus.TESTED if tested else CoverageStatus.ENCODED
