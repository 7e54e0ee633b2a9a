"""Per-provision test cases: YAML files beside each pack that say what a project should get.

A case file lives in ``policies/<pack>/tests/test_*.yaml``, names the provision it covers, and
lists projects with the decisions expected for them. ``govrules test`` and the pytest plugin both
run them through this module, so a case means the same thing everywhere.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import GovrulesError, PackError, PackProblem, did_you_mean
from .evaluation import Engine
from .loading import find_pack_dirs, schema_problems
from .report import Decision, Report
from .yamlfiles import YamlReadError, read_yaml

__all__ = ["Case", "CaseResult", "Expectation", "Mismatch", "find_case_files", "load_case_file", "run_case"]

_COMPARED = ("status", "outcome", "due", "missing", "overridden_by", "provisional", "total", "grade", "weakest",
             "local_parameters", "readings", "unclaimed", "not_needed")
_LISTS = ("missing", "local_parameters", "readings", "unclaimed", "not_needed")  # compared as sets


@dataclass(frozen=True, slots=True)
class Expectation:
    """What one rule's decision should be; only the fields given are checked."""

    rule: str
    fields: tuple[tuple[str, Any], ...]
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Case:
    """One project, the provision it exercises, and the decisions expected for it."""

    name: str
    provision: str
    jurisdiction: str
    as_of: _dt.date
    project: Any
    expectations: tuple[Expectation, ...]
    file: str
    line: int | None = None
    #: Whether the case's own pack is in force on ``as_of`` (tests the provision setting the date).
    pack_in_force: bool | None = None
    pack: str = ""
    #: Answers to declared readings other than the packs' (reading id → alternative), to test both sides.
    readings: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True, slots=True)
class Mismatch:
    rule: str
    field: str
    expected: Any
    actual: Any


@dataclass(frozen=True, slots=True)
class CaseResult:
    """How a case went: the mismatches, or the error that stopped it, and the report if any."""

    case: Case
    mismatches: tuple[Mismatch, ...] = ()
    error: str | None = None
    report: Report | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and not self.mismatches

    def describe(self) -> str:
        """A readable account of a failure: expected against actual, with the decision's reasoning."""
        head = f"{self.case.file}:{self.case.line or '?'}: [{self.case.provision}] {self.case.name}"
        if self.error is not None:
            return f"{head}\n  error: {self.error}"
        lines = [head]
        for m in self.mismatches:
            lines.append(f"  {m.rule}: {m.field} expected {m.expected!r}, got {m.actual!r}")
            if self.report is not None and m.field != "rule":
                try:
                    decision = self.report.decision(m.rule)
                except KeyError:
                    continue
                lines.append(f"    because: {decision.explanation_zh}")
        return "\n".join(lines)


def _actual(decision: Decision, field: str) -> Any:
    if field == "status":
        return decision.status.value
    if field == "due":
        return decision.due.isoformat() if decision.due else None
    if field in _LISTS:
        return sorted(getattr(decision, field))
    if field in ("total", "grade", "weakest"):  # a scoring rule's result
        score = decision.score
        if score is None:
            return None
        if field == "weakest":
            weakest = score.weakest()
            return None if weakest is None else weakest.fact
        return getattr(score, field)
    return getattr(decision, field)


def run_case(engine: Engine, case: Case) -> CaseResult:
    """Evaluate the case's project and compare every expected field."""
    try:
        report = engine.evaluate(case.project, case.jurisdiction, case.as_of, readings=dict(case.readings) or None)
    except GovrulesError as exc:
        return CaseResult(case, error=str(exc))
    mismatches = []
    if case.pack_in_force is not None:
        in_force = any(p.id == case.pack for p in report.packs)
        if in_force != case.pack_in_force:
            mismatches.append(Mismatch(f"(pack {case.pack})", "pack_in_force", case.pack_in_force, in_force))
    for expectation in case.expectations:
        try:
            decision = report.decision(expectation.rule)
        except KeyError as exc:
            mismatches.append(Mismatch(expectation.rule, "rule", "a decision", str(exc.args[0])))
            continue
        for field, expected in expectation.fields:
            actual = _actual(decision, field)
            if field in _LISTS:
                expected = sorted(expected)
            if actual != expected:
                mismatches.append(Mismatch(expectation.rule, field, expected, actual))
    return CaseResult(case, tuple(mismatches), report=report)


def _cites_within(engine: Engine, rule_id: str, pack_id: str, provision: str) -> bool | None:
    """Whether ``rule_id`` cites ``provision`` (or something inside or around it); None if no such rule."""
    for pack in engine.packs:
        if pack.id != pack_id:
            continue
        target = pack.provisions[provision].path
        for rule in pack.rules:
            if rule.id == rule_id:
                return any(c.path[: len(target)] == target or target[: len(c.path)] == c.path for c in rule.cites)
    return None


def load_case_file(path: Path, engine: Engine) -> list[Case]:
    """Read a case file of the pack in ``path.parent.parent``; ``PackError`` lists every problem."""
    from .safefiles import inside

    if not inside(path, Path(path).parent.parent):
        # A symlink out of the pack is never read, so lint cannot quote its target (issue 14).
        raise PackError([PackProblem(file=str(path), code="outside-pack",
                                     message="the case file is a symlink leading outside the pack directory "
                                     "(or a broken link)", hint="copy the file into the pack instead of linking to it")])
    try:
        doc = read_yaml(path)
    except YamlReadError as exc:
        raise PackError(exc.problems) from None
    problems: list[PackProblem] = schema_problems(doc, "cases") if doc.data is not None else [
        doc.problem((), "the case file is empty")]
    if problems:
        raise PackError(problems)
    pack_dir = path.parent.parent.resolve()
    pack = next((p for p in engine.packs if p.directory and p.directory.resolve() == pack_dir), None)
    if pack is None:
        raise PackError([doc.problem((), f"no loaded pack in {pack_dir}")])
    data = doc.data

    def known_provision(label: str, where: tuple[str | int, ...]) -> bool:
        if label in pack.provisions:
            return True
        problems.append(doc.problem(where, f"provision {label!r} is not in the {pack.id} registry",
                                    hint=did_you_mean(label, list(pack.provisions)), code="unknown-provision"))
        return False

    def date_at(where: tuple[str | int, ...]) -> _dt.date | None:
        try:
            return _dt.date.fromisoformat(doc_value(where))
        except ValueError:
            problems.append(doc.problem(where, f"{doc_value(where)!r} is not a calendar date", code="bad-date"))
            return None

    def doc_value(where: tuple[str | int, ...]) -> Any:
        value: Any = data
        for key in where:
            value = value[key]
        return value

    file_provision_ok = known_provision(data["provision"], ("provision",))
    file_as_of = date_at(("as_of",)) if "as_of" in data else None
    names: dict[str, int | None] = {}
    cases = []
    for index, raw in enumerate(data["cases"]):
        here = ("cases", index)
        if raw["name"] in names:
            problems.append(doc.problem(here + ("name",), f"case name {raw['name']!r} is already used "
                                        f"(line {names[raw['name']]}); names identify cases in reports",
                                        code="duplicate-case"))
        names.setdefault(raw["name"], doc.locate(here)[0])
        if "provision" in raw:
            if not known_provision(raw["provision"], here + ("provision",)):
                continue
            provision = raw["provision"]
        elif file_provision_ok:
            provision = data["provision"]
        else:
            continue
        if "as_of" in raw:
            as_of = date_at(here + ("as_of",))
        elif "as_of" in data:
            as_of = file_as_of
        else:
            problems.append(doc.problem(here, "a case needs as_of (here or at the top of the file)"))
            continue
        if as_of is None:
            continue
        declared = engine.readings()
        for name, answer in raw.get("readings", {}).items():
            if name not in declared:
                problems.append(doc.problem(here + ("readings", name), f"no reading {name!r} is declared",
                                            hint=did_you_mean(name, list(declared)), code="unknown-reading", key=True))
            elif answer is not None and answer not in declared[name].alternatives:
                problems.append(doc.problem(here + ("readings", name), f"{answer!r} is not an alternative of {name}",
                                            hint=did_you_mean(str(answer), list(declared[name].alternatives))
                                            or "one of: " + ", ".join(declared[name].alternatives),
                                            code="unknown-alternative"))
        expectations = []
        covers = False
        pack_in_force = raw.get("pack_in_force")
        if pack_in_force is not None:
            # The in-force date is set by pack.yaml, citing the provision that sets it (施行日期).
            in_force_label = pack.document.in_force_cites
            case_path = pack.provisions[provision].path
            if in_force_label is not None and pack.provisions[in_force_label].path[:len(case_path)] == case_path:
                covers = True  # the case names that provision, or one containing it
            else:
                problems.append(doc.problem(
                    here + ("pack_in_force",), f"pack_in_force tests the provision pack.yaml cites for the "
                    f"in-force date ({in_force_label or 'none'}), not {provision}", code="in-force-case",
                    hint="name that provision in this case, or expect decisions instead"))
        for j, exp in enumerate(raw.get("expect", ())):
            cited = _cites_within(engine, exp["rule"], pack.id, provision)
            if cited is None and exp["rule"].startswith(pack.id + "."):
                problems.append(doc.problem(here + ("expect", j, "rule"), f"no rule {exp['rule']!r} in {pack.id}",
                                            hint=did_you_mean(exp["rule"], [r.id for r in pack.rules])))
            covers = covers or bool(cited)
            fields = tuple((k, exp[k]) for k in _COMPARED if k in exp)
            if not fields:
                problems.append(doc.problem(here + ("expect", j), "an expectation checks at least one of "
                                            + ", ".join(_COMPARED)))
            expectations.append(Expectation(exp["rule"], fields, doc.locate(here + ("expect", j))[0]))
        if not covers:
            problems.append(doc.problem(here, f"no expected rule of this case cites {provision}",
                                        hint="a case tests the provision it names: expect a rule that cites it"))
        cases.append(Case(
            name=raw["name"], provision=provision, jurisdiction=raw.get("jurisdiction",
                                                                        data.get("jurisdiction", pack.jurisdiction.id)),
            as_of=as_of, project=raw["project"], expectations=tuple(expectations),
            file=doc.file, line=doc.locate(here)[0], pack_in_force=pack_in_force, pack=pack.id,
            readings=tuple(raw.get("readings", {}).items()),
        ))
    if problems:
        raise PackError(problems)
    return cases


def find_case_files(root: Path) -> list[Path]:
    """Case files under a policies directory or a single pack directory, sorted."""
    return [f for d in find_pack_dirs(root) for f in sorted((d / "tests").glob("test_*.y*ml"))]


def iter_results(engine: Engine, files: Sequence[Path]) -> Iterator[CaseResult | PackError]:
    """Run every case of ``files``; a broken case file yields its ``PackError`` instead of results."""
    for path in files:
        try:
            cases = load_case_file(path, engine)
        except PackError as exc:
            yield exc
            continue
        for case in cases:
            yield run_case(engine, case)


