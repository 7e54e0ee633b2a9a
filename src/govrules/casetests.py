"""Per-provision test cases: YAML files beside each pack that say what a project should get.

A case file lives in ``policies/<pack>/tests/test_*.yaml``, names the provision it covers, and
lists projects with the decisions expected for them. ``govrules test`` and the pytest plugin both
run them through this module, so a case means the same thing everywhere.
"""

from __future__ import annotations

import datetime as _dt
import difflib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .errors import GovrulesError, PackError, PackProblem, ProjectError, did_you_mean
from .evaluation import Engine
from .loading import find_pack_dirs, schema_problems
from .projects import parse_project
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
    #: The line of each checked field in the case file (field → line), so a failure points at it.
    field_lines: tuple[tuple[str, int | None], ...] = ()

    def line_of(self, field: str) -> int | None:
        """The line of ``field`` in the case file, or the expectation's own line."""
        return dict(self.field_lines).get(field) or self.line


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
    #: The line of ``pack_in_force`` in the case file, when the case has one.
    pack_in_force_line: int | None = None


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One expected field that differs from the decision, and the line of the case file that expects it."""

    rule: str
    field: str
    expected: Any
    actual: Any
    line: int | None = None

    def text_zh(self) -> str:
        if self.field == "rule":
            return f"{self.rule}：期望有该规则的决定，实际没有（{self.actual}）"
        if self.field == "pack_in_force":
            return (f"{self.rule}：期望该日期规则包{'施行' if self.expected else '未施行'}，"
                    f"实际{'施行' if self.actual else '未施行'}")
        return f"{self.rule}：{self.field} 期望 {self.expected!r}，实际 {self.actual!r}"

    def text_en(self) -> str:
        return f"{self.rule}: {self.field} expected {self.expected!r}, got {self.actual!r}"


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
        """A readable account of a failure, Chinese first with the English beside it: each expected
        field against the actual one at its own line of the case file, with the decision's reasoning."""
        head = f"{self.case.file}:{self.case.line or '?'}: [{self.case.provision}] {self.case.name}"
        if self.error is not None:
            return f"{head}\n  错误 error: {self.error}"
        lines = [head]
        for m in self.mismatches:
            where = f"{self.case.file}:{m.line}: " if m.line is not None else ""
            lines.append(f"  {where}{m.text_zh()}")
            lines.append(f"  {' ' * _width(where)}{m.text_en()}")
            if self.report is not None and m.field not in ("rule", "pack_in_force"):
                try:
                    decision = self.report.decision(m.rule)
                except KeyError:
                    continue
                lines.append(f"    原因 because: {decision.explanation_zh}")
        return "\n".join(lines)


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal (a CJK character takes two), to align the English line."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


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
            mismatches.append(Mismatch(f"(pack {case.pack})", "pack_in_force", case.pack_in_force, in_force,
                                       case.pack_in_force_line or case.line))
    for expectation in case.expectations:
        try:
            decision = report.decision(expectation.rule)
        except KeyError as exc:
            mismatches.append(Mismatch(expectation.rule, "rule", "a decision", str(exc.args[0]),
                                       expectation.line_of("rule")))
            continue
        for field, expected in expectation.fields:
            actual = _actual(decision, field)
            if field in _LISTS:
                expected = sorted(expected)
            if actual != expected:
                mismatches.append(Mismatch(expectation.rule, field, expected, actual, expectation.line_of(field)))
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
    """Read a case file of the pack in ``path.parent.parent``; ``PackError`` lists every problem.

    Every part of the file is checked even when another part is wrong — the schema, provisions,
    dates, readings, expected rules and the facts of each project — so one run of ``govrules lint``
    shows every mistake of the file, each at its own line.
    """
    from .safefiles import inside

    if not inside(path, Path(path).parent.parent):
        # A symlink out of the pack is never read, so lint cannot quote its target (issue 14).
        raise PackError([PackProblem(file=str(path), code="outside-pack",
                                     message="the case file is a symlink leading outside the pack directory "
                                     "(or a broken link)", hint="copy the file into the pack instead of linking to it",
                                     message_zh="用例文件是指向规则包目录以外的符号链接（或已失效的链接）",
                                     hint_zh="把文件复制到规则包内，不要链接")])
    try:
        doc = read_yaml(path)
    except YamlReadError as exc:
        raise PackError(exc.problems) from None
    if doc.data is None:
        raise PackError([_zh(doc.problem((), "the case file is empty", code="empty-file"), "用例文件是空的")])
    problems: list[PackProblem] = [_schema_zh(p, doc.data) for p in schema_problems(doc, "cases")]
    data = doc.data
    if not isinstance(data, dict):
        raise PackError(problems)
    # Places the schema already reports are not reported again by the checks below.
    reported = {p.path for p in problems}
    pack_dir = path.parent.parent.resolve()
    pack = next((p for p in engine.packs if p.directory and p.directory.resolve() == pack_dir), None)
    if pack is None:
        raise PackError([*problems, _zh(doc.problem((), f"no loaded pack in {pack_dir}", code="no-pack"),
                                        f"{pack_dir} 中没有已加载的规则包")])

    def known_provision(label: Any, where: tuple[str | int, ...]) -> bool:
        if not isinstance(label, str) or where in reported:
            return False
        if label in pack.provisions:
            return True
        problems.append(_zh(doc.problem(where, f"provision {label!r} is not in the {pack.id} registry",
                                        hint=did_you_mean(label, list(pack.provisions)), code="unknown-provision"),
                            f"条款 {label!r} 不在 {pack.id} 的条款登记表（provisions.yaml）中",
                            _zh_did_you_mean(label, list(pack.provisions))))
        return False

    def date_at(value: Any, where: tuple[str | int, ...]) -> _dt.date | None:
        if not isinstance(value, str) or where in reported:
            return None
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            problems.append(_zh(doc.problem(where, f"{value!r} is not a calendar date", code="bad-date"),
                                f"{value!r} 不是日历上的日期", "写成 YYYY-MM-DD，如 2026-06-01"))
            return None

    file_provision_ok = known_provision(data.get("provision"), ("provision",))
    file_as_of = date_at(data.get("as_of"), ("as_of",))
    names: dict[str, int | None] = {}
    cases = []
    raw_cases = data.get("cases")
    for index, raw in enumerate(raw_cases if isinstance(raw_cases, list) else ()):
        here = ("cases", index)
        if not isinstance(raw, dict):
            continue
        name = raw.get("name")
        if isinstance(name, str):
            if name in names:
                problems.append(_zh(doc.problem(here + ("name",), f"case name {name!r} is already used "
                                                f"(line {names[name]}); names identify cases in reports",
                                                code="duplicate-case"),
                                    f"用例名称 {name!r} 已在第 {names[name]} 行用过；报告以名称区分用例",
                                    "给这个用例另起一个名称"))
            names.setdefault(name, doc.locate(here)[0])
        project_ok = _check_project(doc, here, raw.get("project"), engine, problems, reported)
        if "provision" in raw:
            if not known_provision(raw["provision"], here + ("provision",)):
                continue
            provision = raw["provision"]
        elif file_provision_ok:
            provision = data["provision"]
        else:
            continue
        if "as_of" in raw:
            as_of = date_at(raw["as_of"], here + ("as_of",))
        elif "as_of" in data:
            as_of = file_as_of
        else:
            problems.append(_zh(doc.problem(here, "a case needs as_of (here or at the top of the file)",
                                            code="case-needs-as-of"),
                                "用例需要评估日期 as_of（写在用例中或文件顶部）", '在用例中或文件顶部写 as_of: "YYYY-MM-DD"'))
            as_of = None  # the rest of the case is still checked
        declared = engine.readings()
        raw_readings = raw.get("readings")
        raw_readings = raw_readings if isinstance(raw_readings, dict) else {}
        for reading, answer in raw_readings.items():
            if reading not in declared:
                problems.append(_zh(doc.problem(here + ("readings", reading), f"no reading {reading!r} is declared",
                                                hint=did_you_mean(str(reading), list(declared)),
                                                code="unknown-reading", key=True),
                                    f"没有声明解读 {reading!r}", _zh_did_you_mean(str(reading), list(declared))))
            elif answer is not None and answer not in declared[reading].alternatives:
                problems.append(_zh(doc.problem(here + ("readings", reading),
                                                f"{answer!r} is not an alternative of {reading}",
                                                hint=did_you_mean(str(answer), list(declared[reading].alternatives))
                                                or "one of: " + ", ".join(declared[reading].alternatives),
                                                code="unknown-alternative"),
                                    f"{answer!r} 不是解读 {reading} 的备选答案",
                                    _zh_did_you_mean(str(answer), list(declared[reading].alternatives))
                                    or "可选：" + "、".join(declared[reading].alternatives)))
        expectations = []
        covers = False
        unknown_rule = False
        pack_in_force = raw.get("pack_in_force")
        if not isinstance(pack_in_force, bool):
            pack_in_force = None
        if pack_in_force is not None:
            # The in-force date is set by pack.yaml, citing the provision that sets it (施行日期).
            in_force_label = pack.document.in_force_cites
            case_path = pack.provisions[provision].path
            if in_force_label is not None and pack.provisions[in_force_label].path[:len(case_path)] == case_path:
                covers = True  # the case names that provision, or one containing it
            else:
                problems.append(_zh(doc.problem(
                    here + ("pack_in_force",), f"pack_in_force tests the provision pack.yaml cites for the "
                    f"in-force date ({in_force_label or 'none'}), not {provision}", code="in-force-case",
                    hint="name that provision in this case, or expect decisions instead"),
                    f"pack_in_force 测的是 pack.yaml 为施行日期所引的条款（{in_force_label or '无'}），"
                    f"不是 {provision}", "在本用例中写明该条款，或改为期望决定"))
        raw_expect = raw.get("expect")
        for j, exp in enumerate(raw_expect if isinstance(raw_expect, list) else ()):
            where = here + ("expect", j)
            if not isinstance(exp, dict) or not isinstance(exp.get("rule"), str):
                continue
            cited = _cites_within(engine, exp["rule"], pack.id, provision)
            if cited is None and exp["rule"].startswith(pack.id + "."):
                unknown_rule = True
                problems.append(_zh(doc.problem(where + ("rule",), f"no rule {exp['rule']!r} in {pack.id}",
                                                hint=did_you_mean(exp["rule"], [r.id for r in pack.rules]),
                                                code="unknown-rule"),
                                    f"{pack.id} 中没有规则 {exp['rule']!r}",
                                    _zh_did_you_mean(exp["rule"], [r.id for r in pack.rules])))
            covers = covers or bool(cited)
            fields = tuple((k, exp[k]) for k in _COMPARED if k in exp)
            if not fields:
                problems.append(_zh(doc.problem(where, "an expectation checks at least one of "
                                                + ", ".join(_COMPARED), code="empty-expectation"),
                                    "每项期望至少检查以下之一：" + "、".join(_COMPARED), "如 status: applies"))
            lines = tuple((k, doc.locate(where + (k,))[0]) for k in ("rule", *_COMPARED) if k in exp)
            expectations.append(Expectation(exp["rule"], fields, doc.locate(where)[0], lines))
        expect_broken = any(p[:len(here) + 1] == here + ("expect",) for p in reported)
        if not covers and not unknown_rule and not expect_broken:  # each mistake is reported once, as itself
            problems.append(_zh(doc.problem(here, f"no expected rule of this case cites {provision}",
                                            hint="a case tests the provision it names: expect a rule that cites it",
                                            code="case-cites-nothing"),
                                f"本用例期望的规则都不引用 {provision}",
                                "用例测试它所写明的条款：请期望一条引用该条款的规则"))
        if as_of is None or not project_ok or not isinstance(name, str):
            continue
        cases.append(Case(
            name=name, provision=provision,
            jurisdiction=str(raw.get("jurisdiction", data.get("jurisdiction", pack.jurisdiction.id))),
            as_of=as_of, project=raw["project"], expectations=tuple(expectations),
            file=doc.file, line=doc.locate(here)[0], pack_in_force=pack_in_force, pack=pack.id,
            readings=tuple(raw_readings.items()),
            pack_in_force_line=doc.locate(here + ("pack_in_force",))[0] if pack_in_force is not None else None,
        ))
    if problems:
        raise PackError(sorted(problems, key=lambda p: (p.line or 0, p.column or 0)))
    return cases


def _zh(problem: PackProblem, message_zh: str, hint_zh: str | None = None) -> PackProblem:
    """``problem`` with its Chinese message and hint."""
    return replace(problem, message_zh=message_zh, hint_zh=hint_zh)


def _schema_zh(problem: PackProblem, data: Any) -> PackProblem:
    """A schema problem of a case file with Chinese beside the English, if it has none yet."""
    if problem.message_zh is not None:
        return problem
    value: Any = data
    for key in problem.path:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            value = None
            break
    last = problem.path[-1] if problem.path else None
    if problem.code == "unknown-key":
        return _zh(problem, f"未知的键 {last!r}", _zh_did_you_mean(str(last), list(_CASE_KEYS)))
    if problem.code == "required":
        return _zh(problem, "缺少必需的键：" + problem.message.split(" ")[0], "补上缺少的键；见 docs/pack-format.md")
    if last == "status" and isinstance(value, str):
        return _zh(problem, f"{value!r} 不是决定的状态", _zh_did_you_mean(value, list(_STATUS_ZH))
                   or "可选：" + "、".join(f"{k}（{v}）" for k, v in _STATUS_ZH.items()))
    return _zh(problem, f"不符合用例文件的格式（cases.schema.json）：{problem.message}")


_STATUS_ZH = {"applies": "适用", "not_applicable": "不适用", "satisfied": "满足", "violated": "违反",
              "pending": "期限未到", "overdue": "逾期", "unknown": "无法判断"}
_CASE_KEYS = ("provision", "as_of", "jurisdiction", "cases", "name", "project", "readings", "pack_in_force",
              "expect", "rule", *_COMPARED)


def _zh_did_you_mean(word: str, choices: Sequence[str]) -> str | None:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"是否应为 {close[0]!r}？" if close else None


def _check_project(doc: Any, here: tuple[str | int, ...], project: Any, engine: Engine,
                   problems: list[PackProblem], reported: set[tuple[str | int, ...]]) -> bool:
    """Validate a case's project against the vocabulary now, so each bad fact is a problem located at
    its own line (not a failed case located at the case); False if it is not a valid project."""
    if not isinstance(project, dict) or here + ("project",) in reported:
        return False
    try:
        parse_project(project, engine.vocabulary)
    except ProjectError as exc:
        for p in exc.problems:
            where = here + ("project", p.field) if p.field in project else here + ("project",)
            unknown = p.code == "unknown-field"
            hint_zh: str | None
            if unknown:
                message_zh = f"项目中的 {p.field} 不是 govrules 认识的事实"
                hint_zh = _zh_did_you_mean(p.field, list(engine.vocabulary)) or \
                    "docs/facts.md 列出了所有事实（govrules facts）"
            else:
                fact = engine.vocabulary.get(p.field)
                message_zh = p.message_zh or f"事实 {fact.label() if fact else p.field} 的取值有误：{p.message}"
                hint_zh = p.hint_zh
                if hint_zh is None and fact is not None and fact.values:
                    hint_zh = "可选：" + "、".join(f"{k}（{v}）" for k, v in fact.values.items())
            problems.append(replace(
                doc.problem(where, f"project fact {p.field!r} {p.message}" if unknown
                            else f"project fact {p.field!r}: {p.message}", hint=p.hint,
                            code="case-project-" + ("unknown-fact" if unknown else "bad-value"), key=unknown),
                message_zh=message_zh, hint_zh=hint_zh))
        return False
    return True


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


