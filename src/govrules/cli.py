"""The ``govrules`` command: evaluate a project, lint packs, run the per-provision cases.

Exit codes (stable, for scripts and CI):
  0    done, nothing wrong found
  1    done, and something is wrong: a violated or overdue decision (evaluate, compare, batch), a
       failing case, a lint problem, a replayed decision that differs or a log line that is bad
  2    the command line itself is wrong (argparse's own code, a missing file, an unwritable output)
  3    the project is invalid (``ProjectError``), or a ledger has bad rows or cannot be read
  4    a pack or holiday file is invalid (``PackError``)
  70   an internal error: a bug in govrules (a short message asks for a report; never a traceback)
  130  interrupted (Ctrl-C); no partial output is left
User mistakes are printed as located problems, never as a traceback; ``--error-format json``
prints them as data for editors and other programs.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO, cast

from . import __version__
from .audit import DecisionLog, LogError, replay
from .calendar import today_in_china
from .casetests import CaseResult, find_case_files, iter_results
from .clihelp import bilingual
from .comparing import compare
from .errors import GovrulesError, PackError, ProjectError
from .evaluation import Engine, UnknownJurisdiction, default_policies_dir, load
from .linting import Severity, lint_packs, version_findings
from .loading import PACK_FILE
from .messages import LANGS, render_pack_problem, render_project_problem, translate_argparse, translate_usage
from .projects import project_json_schema
from .report import Decision, Report, Status
from .vocabulary import Vocabulary, default_vocabulary

__all__ = ["main"]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_PROJECT, EXIT_PACK = 0, 1, 2, 3, 4
EXIT_INTERNAL, EXIT_INTERRUPTED = 70, 130

#: Every exit code the command can return (README's table; the CLI fuzz test checks against it).
EXIT_CODES = frozenset({EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_PROJECT, EXIT_PACK, EXIT_INTERNAL, EXIT_INTERRUPTED})

_AS_OF_HELP = "evaluation date YYYY-MM-DD (default: today in China Standard Time, UTC+8)"
_HOLIDAYS_HELP = ("a holiday-schedule file for a year the built-in data does not cover (a covered year "
                  "needs --replace-holidays)")

_STATUS_ORDER = (Status.VIOLATED, Status.OVERDUE, Status.PENDING, Status.APPLIES, Status.SATISFIED,
                 Status.UNKNOWN, Status.NOT_APPLICABLE)
_STATUS_ZH = {
    Status.VIOLATED: "违反", Status.OVERDUE: "逾期", Status.PENDING: "期限未到", Status.APPLIES: "适用",
    Status.SATISFIED: "满足", Status.UNKNOWN: "无法判断", Status.NOT_APPLICABLE: "不适用",
}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _date(text: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD") from None


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors in Chinese first, the English under it (exit 2 as before)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        zh = translate_argparse(message)
        self.exit(EXIT_USAGE, f"{self.prog}: 错误：{zh}\n{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="govrules",
        description="Evaluate government IT projects against rule packs that cite their provisions.",
    )
    parser.add_argument("--version", action="version", version=f"govrules {__version__}")
    parser.add_argument("--error-format", choices=("human", "json"), default="human",
                        help="how to print problems with packs or projects (default: human)")
    parser.add_argument("--lang", dest="lang_all", choices=LANGS, default=None,
                        help="the language of problems and errors: both (the default, Chinese first), zh or en")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ev = sub.add_parser("evaluate", help="evaluate a project (JSON or YAML file) under a jurisdiction")
    ev.add_argument("project", type=Path, help="the project file (.json, .yaml)")
    ev.add_argument("--jurisdiction", "-j", required=True, help="e.g. wuxing")
    ev.add_argument("--as-of", type=_date, default=None, help=_AS_OF_HELP)
    ev.add_argument("--format", choices=("table", "json"), default="table")
    ev.add_argument("--all", action="store_true", help="also list the rules that do not apply")
    _common(ev)
    _reading_option(ev)
    ev.add_argument("--log", type=Path, default=None, metavar="FILE",
                    help="append this decision to an audit log (one JSON line; see docs/trust.md)")
    ev.add_argument("--mask", action="append", default=[], metavar="FIELD",
                    help="with --log: do not write FIELD's value (an HMAC with $GOVRULES_MASK_SALT, else ***)")

    cmp = sub.add_parser("compare", help="evaluate one project under every jurisdiction, side by side")
    cmp.add_argument("project", type=Path, help="the project file (.json, .yaml)")
    cmp.add_argument("--jurisdiction", "-j", action="append", default=[], metavar="J",
                     help="compare only these jurisdictions (repeatable; default: every one with a pack)")
    cmp.add_argument("--as-of", type=_date, default=None, help=_AS_OF_HELP)
    cmp.add_argument("--format", choices=("markdown", "table", "html", "json"), default="markdown",
                     help="markdown (a table headed by place names), table (for a terminal: by category, one "
                          "decision a line), html (a page beside the pack pages of govrules docs), json")
    cmp.add_argument("--lang", choices=("zh", "en"), default="zh")
    cmp.add_argument("--output", "-o", type=Path, default=None, help="write to FILE instead of standard output")
    _common(cmp)
    _reading_option(cmp)

    rd = sub.add_parser("readings", help="list every reading (interpretation of an unsettled text) of every pack")
    rd.add_argument("path", nargs="?", type=Path, default=None, help="a policies directory or one pack")
    rd.add_argument("--format", choices=("human", "json"), default="human")

    rp = sub.add_parser("replay", help="re-evaluate every decision of an audit log and report differences")
    rp.add_argument("log", type=Path, help="a decision log written by evaluate --log")
    rp.add_argument("--format", choices=("human", "json"), default="human")
    _common(rp)

    lint = sub.add_parser("lint", help="report every load-time problem of every pack, located")
    lint.add_argument("path", nargs="?", type=Path, default=None, help="a policies directory or one pack")
    lint.add_argument("--format", choices=("human", "json"), default="human")
    lint.add_argument("--fail-on", choices=("error", "warning", "info", "never"), default="error",
                      help="exit 1 when an analysis finding is at least this severe (default: error)")
    lint.add_argument("--against", type=Path, default=None, metavar="RELEASED",
                      help="the released packs (a policies or pack directory): warn where a pack's content "
                           "changed but its version did not")

    facts = sub.add_parser("facts", help="print the fact vocabulary a project can state")
    facts.add_argument("--format", choices=("markdown", "json", "schema"), default="markdown",
                       help="schema: the JSON Schema of a project document")

    test = sub.add_parser("test", help="run the per-provision test cases beside the packs")
    test.add_argument("path", nargs="?", type=Path, default=None, help="a policies directory or one pack")
    test.add_argument("--format", choices=("human", "json"), default="human")
    test.add_argument("--holidays", type=Path, action="append", default=[], metavar="FILE",
                      help=_HOLIDAYS_HELP)
    _replace_holidays(test)
    _tool_parsers(sub)
    _add_batch_parser(sub)
    _add_serve_parser(sub)
    _add_compile_parser(sub)
    for name, command in sub.choices.items():
        if name not in ("compare", "facts"):  # compare's --lang chooses its table's language
            command.add_argument("--lang", choices=LANGS, default=None,
                                 help="the language of problems and errors: both (the default, Chinese first), "
                                 "zh or en")
    return bilingual(parser)


def _reading(text: str) -> tuple[str, str | None]:
    name, sep, answer = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"{text!r}: write --reading ID=ANSWER (ID= for no position)")
    return name, answer or None


def _reading_option(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--reading", type=_reading, action="append", default=[], metavar="ID=ANSWER",
                     help="answer a declared reading otherwise than the pack (repeatable; ID= takes no position; "
                          "govrules readings lists them)")


def _readings(args: argparse.Namespace) -> dict[str, str | None] | None:
    return dict(args.reading) or None


def _common(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--policies", type=Path, default=None, help="policies directory (default: bundled packs)")
    cmd.add_argument("--holidays", type=Path, action="append", default=[], metavar="FILE",
                     help=_HOLIDAYS_HELP)
    _replace_holidays(cmd)


def _replace_holidays(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--replace-holidays", action="store_true",
                     help="let a --holidays file replace the built-in official schedule of its year "
                     "(refused without this flag)")


def _today() -> _dt.date:
    return today_in_china()


_CONTROL = {c: f"\\x{c:02x}" for c in range(0x00, 0x20)}
# \uXXXX for the rest: inside a JSON string (JSON escapes C0 itself) that is still valid JSON.
_CONTROL[0x7f] = "\\u007f"
_CONTROL.update({c: f"\\u{c:04x}" for c in (*range(0x80, 0xa0), 0x200e, 0x200f, *range(0x202a, 0x202f),
                                             *range(0x2066, 0x206a))})
_CONTROL_KEEP_LINES = {k: v for k, v in _CONTROL.items() if k not in (0x0a, 0x09)}


def _printable(text: str) -> str:
    """``text`` with every control character (newline, ESC, C1, bidi overrides) escaped, so a
    project's own text cannot forge or hide lines on a terminal (issue 14)."""
    return text.translate(_CONTROL)


class _SafeStream:
    """A text stream that escapes control characters other than newline and tab in what is written
    (a second line of defence for human output) and never fails on a character the terminal's
    encoding lacks (it is written as a backslash escape)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._encoding = getattr(stream, "encoding", None) or "utf-8"

    def write(self, text: str) -> int:
        text = text.translate(_CONTROL_KEEP_LINES)
        try:
            return self._stream.write(text)
        except UnicodeEncodeError:  # e.g. PYTHONIOENCODING=latin-1 or LC_ALL=POSIX: escape what it lacks
            if not _codec_ok(self._encoding):
                return self._stream.write(text.encode("ascii", "backslashreplace").decode("ascii"))
            return self._stream.write(text.encode(self._encoding, "backslashreplace").decode(self._encoding))

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _codec_ok(encoding: str) -> bool:
    import codecs

    try:
        codecs.lookup(encoding)
    except LookupError:
        return False
    return True


def _head(zh: str, en: str, lang: str) -> str:
    """A heading line in the chosen language(s): ``错误：… error: …``."""
    return {"zh": zh, "en": en}.get(lang, f"{zh} {en}")


def _print_error(exc: GovrulesError, fmt: str, err: TextIO, lang: str = "both") -> int:
    if isinstance(exc, PackError):
        if fmt == "json":
            print(json.dumps(exc.to_dict(), ensure_ascii=False, indent=2), file=err)
        else:
            n = len(exc.problems)
            print(_head(f"错误：规则包文件中有 {n} 处问题", f"error: {n} problem(s) in rule pack files:", lang), file=err)
            for pack_problem in exc.problems:
                for line in render_pack_problem(pack_problem, lang):
                    print(f"  {line}", file=err)
        return EXIT_PACK
    if isinstance(exc, ProjectError):
        if fmt == "json":
            print(json.dumps(exc.to_dict(), ensure_ascii=False, indent=2), file=err)
        else:
            where = f" in {exc.source}" if exc.source else ""
            n = len(exc.problems)
            if all(p.field == "(file)" and p.line is None for p in exc.problems):  # not a field: the file
                print(_head(f"错误：无法使用项目文件 {exc.source or ''}", f"error: cannot use the project file "
                            f"{exc.source or ''}:", lang), file=err)
            else:
                print(_head(f"错误：项目{' ' + exc.source + ' ' if exc.source else ''}有 {n} 处字段问题",
                            f"error: the project{where} has {n} bad field(s):", lang), file=err)
            for problem in exc.problems:
                for line in render_project_problem(problem, lang):
                    print(f"  {line}", file=err)
        return EXIT_PROJECT
    message = str(exc)
    kind, code = ("ledger", EXIT_PROJECT) if isinstance(exc, _LedgerError) else ("usage", EXIT_USAGE)
    if fmt == "json":
        print(json.dumps({"error": kind, "message": message}, ensure_ascii=False), file=err)
    else:
        usage_zh = translate_usage(message)
        print(_head(f"错误：{usage_zh}" if usage_zh else "错误", f"error: {message}", lang)
              if usage_zh or lang != "zh" else f"错误：{message}", file=err)
    return code


def _render_table(report: Report, show_all: bool, out: TextIO) -> None:
    for pack in report.packs:
        print(f"{pack.title}（{pack.document}） pack {pack.id} {pack.version} {pack.content_hash[:19]}…",
              file=out)
    project = " ".join(_printable(x) for x in (report.project_id, report.project_name) if x) or "(unnamed project)"
    print(f"项目 {project} · 辖区 {report.jurisdiction} · 评估日期 {report.as_of.isoformat()}", file=out)
    for notice in report.notices:
        print(f"注意: {notice.zh}", file=out)
    summary = report.summary()
    print("  ".join(f"{_STATUS_ZH[s]} {s.value}: {summary[s.value]}" for s in _STATUS_ORDER), file=out)
    for status in _STATUS_ORDER:
        group = [d for d in report.decisions if d.status is status]
        if not group or (status is Status.NOT_APPLICABLE and not show_all):
            continue
        print(f"\n{_STATUS_ZH[status]} ({status.value}) — {len(group)}", file=out)
        rows = [_row(d) for d in group]
        widths = [max(_width(r[i]) for r in rows) for i in range(3)]
        for decision, row in zip(group, rows, strict=True):
            print("  " + "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip(), file=out)
            print(f"      {decision.title_zh}", file=out)
            print(f"      {decision.explanation_zh}", file=out)
    hidden = summary[Status.NOT_APPLICABLE.value]
    if hidden and not show_all:
        print(f"\n({hidden} rule(s) do not apply; --all lists them)", file=out)


def _row(decision: Decision) -> tuple[str, str, str]:
    cites = "、".join(c.label for c in decision.citations)
    due = f"截止 {decision.due.isoformat()}" + ("（暂定）" if decision.provisional else "") if decision.due else ""
    return decision.rule, cites, due


def _cmd_compare(args: argparse.Namespace, out: TextIO) -> int:
    engine = load(args.policies, holidays=args.holidays, replace_holidays=args.replace_holidays)
    as_of = args.as_of or _today()
    comparison = compare(engine, args.project, as_of, args.jurisdiction or None, readings=_readings(args))
    if args.format == "json":
        text = comparison.to_json() + "\n"
    elif args.format == "html":
        text = comparison.to_html(args.lang)  # Jinja2 escapes every value
    else:
        # The project's own text is escaped, so it cannot forge table rows or lines.
        text = _escape_markdown_controls(comparison.to_markdown(args.lang) if args.format == "markdown"
                                         else comparison.to_text(args.lang))
    _write(text, args.output, out)
    bad = any(report.by_status(Status.VIOLATED, Status.OVERDUE) for report in comparison.reports.values())
    return EXIT_FINDINGS if bad else EXIT_OK


def _escape_markdown_controls(text: str) -> str:
    return "\n".join(line.translate(_CONTROL_KEEP_LINES) for line in text.split("\n"))


def _cmd_evaluate(args: argparse.Namespace, out: TextIO) -> int:
    if args.mask and args.log is None:
        raise LogError("--mask only applies to --log")
    log = None
    if args.log is not None:
        log = DecisionLog(args.log, mask=args.mask, salt=os.environ.get("GOVRULES_MASK_SALT") or None)
        log.check_writable()  # before anything is loaded or evaluated (issue 14)
    engine = load(args.policies, holidays=args.holidays, replace_holidays=args.replace_holidays)
    as_of = args.as_of or _today()
    if log is not None:
        report = log.evaluate(engine, args.project, args.jurisdiction, as_of, readings=_readings(args))
    else:
        report = engine.evaluate(args.project, args.jurisdiction, as_of, readings=_readings(args))
    if args.format == "json":
        print(report.to_json(), file=out)
    else:
        _render_table(report, args.all, out)
    bad = report.by_status(Status.VIOLATED, Status.OVERDUE)
    return EXIT_FINDINGS if bad else EXIT_OK


def _cmd_readings(args: argparse.Namespace, out: TextIO) -> int:
    """Every declared reading, for policy staff to confirm or overrule, with the rules that read it."""
    engine = load(args.path)
    entries = []
    for pack in engine.packs:
        for spec in pack.readings.values():
            rules = [r.id for r in pack.rules if spec.id in r.readings()]
            entries.append((pack, spec, rules))
    if args.format == "json":
        print(json.dumps([{**spec.to_dict(), "rules": rules} for _, spec, rules in entries],
                         ensure_ascii=False, indent=2), file=out)
        return EXIT_OK
    for pack, spec, rules in entries:
        print(f"{spec.id}  [{pack.id} {spec.provision}]", file=out)
        print(f"  问题：{spec.question_zh}", file=out)
        print(f"  Question: {spec.question_en}", file=out)
        print(f"  原文：{spec.quote}", file=out)
        for name, alt in spec.alternatives.items():
            mark = "✔" if name == spec.answer else " "
            print(f"  {mark} {name}: {alt.zh} / {alt.en}", file=out)
        if spec.answer is None:
            print("  （本规则包未作选择：依赖它的决定为 unknown / the pack takes no position）", file=out)
        print(f"  理由：{spec.why_zh}", file=out)
        print(f"  Why: {spec.why_en}", file=out)
        print(f"  规则 rules: {', '.join(rules) or '（无 none）'}", file=out)
        print(file=out)
    print(f"{len(entries)} reading(s) in {len({p.id for p, _, _ in entries})} pack(s)", file=out)
    return EXIT_OK


def _cmd_replay(args: argparse.Namespace, out: TextIO) -> int:
    engine = load(args.policies, holidays=args.holidays, replace_holidays=args.replace_holidays)
    results = replay(engine, args.log, salt=os.environ.get("GOVRULES_MASK_SALT") or None)
    counts = {v: sum(r.verdict == v for r in results) for v in ("same", "different", "skipped", "bad")}
    if args.format == "json":
        print(json.dumps({"counts": counts, "lines": [
            {"line": r.line, "decision_id": r.decision_id, "verdict": r.verdict, "differences": list(r.differences)}
            for r in results]}, ensure_ascii=False, indent=2), file=out)
    else:
        for result in results:
            if result.verdict != "same":
                print(_escape_markdown_controls(str(result)), file=out)
        print(f"{counts['same']} same, {counts['different']} different, {counts['skipped']} skipped, "
              f"{counts['bad']} bad line(s)", file=out)
    return EXIT_FINDINGS if counts["different"] or counts["bad"] else EXIT_OK


def _cmd_lint(args: argparse.Namespace, out: TextIO) -> int:
    root = args.path or default_policies_dir()
    problems: list[Any] = []
    engine: Engine | None = None
    try:
        engine = load(root)
    except PackError as exc:
        problems.extend(exc.problems)
    if engine is not None:
        for result in iter_results(engine, find_case_files(root)):
            if isinstance(result, PackError):
                problems.extend(result.problems)
    # Analyses of what the rules mean (docs/lint.md) run only on packs that load.
    findings = lint_packs(engine.packs, engine.vocabulary, engine) if engine is not None else []
    if engine is not None and args.against is not None:
        findings = sorted([*version_findings(load(args.against).packs, engine.packs), *findings],
                          key=lambda f: -f.severity.rank)
    failing = [f for f in findings if args.fail_on != "never" and f.severity.rank >= Severity(args.fail_on).rank]
    if args.format == "json":
        print(json.dumps({"problems": [p.to_dict() for p in problems],
                          "findings": [f.to_dict() for f in findings]}, ensure_ascii=False, indent=2), file=out)
    elif problems:
        for problem in problems:
            for line in render_pack_problem(problem, args.message_lang):
                print(line, file=out)
        print("\n" + _head(f"共 {len(problems)} 处问题", f"{len(problems)} problem(s)", args.message_lang), file=out)
    else:
        for finding in findings:
            print(finding.human() + "\n", file=out)
        packs = ", ".join(p.id for p in engine.packs) if engine else ""
        counts = ", ".join(f"{sum(f.severity is s for f in findings)} {s.value}" for s in Severity)
        print(f"no problems loading {root} ({packs}); {len(findings)} finding(s): {counts}", file=out)
    return EXIT_FINDINGS if problems or failing else EXIT_OK


def _cmd_test(args: argparse.Namespace, out: TextIO) -> int:
    root = Path(args.path) if args.path else default_policies_dir()
    # A single pack is tested beside its sibling packs, so cases that evaluate it under a child
    # jurisdiction (吴兴 under 湖州) see the whole hierarchy, as the pytest plugin does.
    engine = load(root.parent if (root / PACK_FILE).is_file() else root, holidays=args.holidays,
                  replace_holidays=args.replace_holidays)
    results: list[CaseResult] = []
    broken: list[PackError] = []
    for result in iter_results(engine, find_case_files(root)):
        (broken if isinstance(result, PackError) else results).append(result)  # type: ignore[arg-type]
    failed = [r for r in results if not r.passed]
    if args.format == "json":
        print(json.dumps({
            "passed": len(results) - len(failed),
            "failed": len(failed),
            "broken_files": [p.to_dict() for e in broken for p in e.problems],
            "cases": [{"file": r.case.file, "line": r.case.line, "provision": r.case.provision,
                       "name": r.case.name, "passed": r.passed, "error": r.error,
                       "mismatches": [{"rule": m.rule, "field": m.field, "expected": m.expected,
                                       "actual": m.actual, "line": m.line} for m in r.mismatches]}
                      for r in results],
        }, ensure_ascii=False, indent=2, default=str), file=out)
    else:
        for result in failed:
            print("FAILED " + result.describe() + "\n", file=out)
        for error in broken:
            for problem in error.problems:
                for line in render_pack_problem(problem, args.message_lang):
                    print(f"BROKEN {line}", file=out)
        # Provisions, not (file, provision) pairs: a second case file for one provision covers no more.
        provisions = len({(r.case.pack, r.case.provision) for r in results})
        print(f"{len(results) - len(failed)} passed, {len(failed)} failed"
              + (f", {len(broken)} broken file(s)" if broken else "")
              + f" ({provisions} provision(s) covered)", file=out)
    return EXIT_FINDINGS if failed or broken else EXIT_OK


def facts_markdown(vocab: Vocabulary) -> str:
    """The vocabulary as the Markdown page docs/facts.md (generated, so it never drifts)."""
    lines = [
        "# The fact vocabulary",
        "",
        "Every fact a project can state and a pack can test, declared once in",
        "`src/govrules/data/facts.yaml` and shared by every jurisdiction. A project is a flat mapping",
        "of these names to values (plus optional `id` and `name`); a fact left out is *unknown*, never",
        "*false*. This page is generated by `govrules facts`; a test keeps it in step with the data.",
        "",
        "Types: `amount` — 元, exact decimal; write `5000000`, `\"500万\"`, `\"500万元\"` or",
        "`\"5,000,000\"` (binary floats are refused); `number` — exact decimal; `integer`; `boolean` —",
        "`true`/`false`; `date` — `YYYY-MM-DD`; `enum` — one of the listed codes; `text`.",
        "",
        "A JSON Schema for project documents, for the forms and ledgers that build them, is published",
        "as `src/govrules/schemas/project.schema.json` (`govrules facts --format schema`).",
        "",
        "| fact | type | unit | 含义 | meaning | values |",
        "|---|---|---|---|---|---|",
    ]
    for fact in vocab.values():
        values = "<br>".join(f"`{k}` {v}" for k, v in fact.values.items())
        if fact.minimum is not None or fact.maximum is not None:
            values = f"{fact.minimum if fact.minimum is not None else ''}–{fact.maximum if fact.maximum is not None else ''}"
        lines.append(f"| `{fact.name}` | {fact.type.value} | {fact.unit or ''} | {fact.zh} | {fact.en} | {values} |")
    return "\n".join(lines) + "\n"


def _cmd_facts(args: argparse.Namespace, out: TextIO) -> int:
    vocab = default_vocabulary()
    if args.format == "schema":
        print(json.dumps(project_json_schema(vocab), ensure_ascii=False, indent=2), file=out)
    elif args.format == "json":
        print(json.dumps({name: {"type": f.type.value, "unit": f.unit, "zh": f.zh, "en": f.en,
                                 "values": dict(f.values) or None} for name, f in vocab.items()},
                         ensure_ascii=False, indent=2), file=out)
    else:
        out.write(facts_markdown(vocab))
    return EXIT_OK


# --- coverage, docs, diff, corpus (docs/tools.md) -------------------------------------------


def _tool_parsers(sub: Any) -> None:
    cov = sub.add_parser("coverage", help="which provisions are encoded, tested, not evaluable or not encoded")
    cov.add_argument("path", nargs="?", type=Path, default=None, help="a policies directory or one pack")
    cov.add_argument("--format", choices=("table", "json", "html"), default="table")
    cov.add_argument("--output", "-o", type=Path, default=None, help="write to FILE instead of standard output")
    cov.add_argument("--fail-under", type=float, default=None, metavar="PCT",
                     help="exit 1 if any pack's coverage is below PCT percent")
    cov.add_argument("--holidays", type=Path, action="append", default=[], metavar="FILE",
                     help=_HOLIDAYS_HELP)
    _replace_holidays(cov)

    docs = sub.add_parser("docs", help="write each pack as a static HTML page (document, rules, tests) and an index")
    docs.add_argument("path", nargs="?", type=Path, default=None, help="a policies directory or one pack")
    docs.add_argument("--output", "-o", type=Path, required=True, metavar="DIR", help="directory to write into")

    diff = sub.add_parser("diff", help="the decisions that change between two versions of a pack, over a corpus")
    diff.add_argument("old", type=Path, help="the old pack directory (or policies directory)")
    diff.add_argument("new", type=Path, help="the new pack directory (or policies directory)")
    diff.add_argument("--projects", type=Path, required=True, metavar="CORPUS",
                      help="a JSON Lines file, one project per line")
    diff.add_argument("--jurisdiction", "-j", action="append", default=None,
                      help="evaluate under this jurisdiction (default: every one with a pack in both)")
    diff.add_argument("--as-of", type=_date, default=None, help=_AS_OF_HELP)
    diff.add_argument("--format", choices=("table", "json"), default="table")
    diff.add_argument("--reading", type=_reading, action="append", default=[], metavar="ID=ANSWER",
                      help="evaluate the NEW side with this answer to a declared reading (repeatable): "
                           "give the same packs as OLD and NEW to see what an interpretation changes")

    corpus = sub.add_parser("corpus", help="print a deterministic JSON Lines corpus probing a pack's boundaries")
    corpus.add_argument("--jurisdiction", "-j", required=True, help="e.g. wuxing")
    corpus.add_argument("-n", type=int, default=None,
                        help="number of projects (default: every boundary probe and 100 random projects)")
    corpus.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    corpus.add_argument("--policies", type=Path, default=None, help="policies directory (default: bundled packs)")
    corpus.add_argument("--output", "-o", type=Path, default=None, help="write to FILE instead of standard output")


def _write(text: str, output: Path | None, out: TextIO) -> None:
    if output is None:
        out.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise _OutputError(f"cannot write {output}: {exc.strerror}") from None


class _OutputError(GovrulesError):
    """An output file or directory cannot be written."""


_COVERAGE_ZH = {"tested": "已测试", "encoded": "未测试", "not_encoded": "未编码", "not_evaluable": "不可评估"}


def _coverage_table(report: Any) -> str:
    lines = []
    for pc in report.packs:
        n = pc.counts()
        lines.append(f"{pc.pack.document.title}（{pc.pack.document.number}） pack {pc.pack.id} {pc.pack.version}")
        lines.append(f"coverage {pc.percent:.1f}%: {n['tested']} of {n['evaluable_leaves']} evaluable leaf "
                     f"provisions encoded and tested; {n['encoded']} encoded but untested, {n['not_encoded']} "
                     f"not encoded, {n['not_evaluable']} not evaluable")
        rows = []
        for p in pc.provisions:
            rules = ", ".join(p.rules) + (f" (+{len(p.inherited_rules)} via parent)" if p.inherited_rules else "")
            if p.in_force:
                rules = (rules + "; " if rules else "") + "pack.yaml in-force dates"
            passed = sum(1 for c in p.cases if c.passed)
            failed = len(p.cases) - passed
            cases = (f"{passed} case(s)" + (f", {failed} FAILING" if failed else "")) if p.cases else ""
            if p.other_cases:
                cases += (" + " if cases else "") + f"{p.other_cases} other"
            detail = p.reason if p.status.value == "not_evaluable" and p.reason and p.leaf else rules
            rows.append(("  " * p.depth + p.label, f"{p.status.value} {_COVERAGE_ZH[p.status.value]}", cases, detail))
        widths = [max(_width(r[i]) for r in rows) for i in range(3)]
        for row in rows:
            lines.append("  " + "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3])
        if pc.untested_rules:
            lines.append("rules no passing case expects: " + ", ".join(pc.untested_rules))
        for case in pc.failing_cases:
            lines.append(f"failing case: {case.file}:{case.line}: [{case.provision}] {case.name}")
        for problem in pc.problems:
            lines.append(f"broken case file: {problem}")
        lines.append("")
    lines.append(f"total coverage {report.percent:.1f}% (tested evaluable leaf provisions / evaluable leaf provisions)")
    return "\n".join(lines) + "\n"


def _cmd_coverage(args: argparse.Namespace, out: TextIO) -> int:
    from .coverage import measure

    report = measure(args.path, holidays=args.holidays, replace_holidays=args.replace_holidays)
    if args.format == "json":
        text = json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
    elif args.format == "html":
        from .pages import render_coverage

        text = render_coverage(report)
    else:
        text = _coverage_table(report)
    _write(text, args.output, out)
    if args.fail_under is not None:
        low = report.below(args.fail_under)
        for pc in low:
            print(f"coverage of {pc.pack.id} is {pc.percent:.1f}%, below --fail-under {args.fail_under:g}%",
                  file=sys.stderr)
        return EXIT_FINDINGS if low else EXIT_OK
    return EXIT_OK


def _cmd_docs(args: argparse.Namespace, out: TextIO) -> int:
    from .coverage import measure
    from .pages import write_site

    report = measure(args.path)
    try:
        written = write_site(report, args.output)
    except OSError as exc:
        raise _OutputError(f"cannot write into {args.output}: {exc.strerror}") from None
    for path in written:
        print(path, file=out)
    return EXIT_OK


def _cmd_diff(args: argparse.Namespace, out: TextIO) -> int:
    from .diffing import diff_paths

    report = diff_paths(args.old, args.new, args.projects, jurisdictions=args.jurisdiction, as_of=args.as_of,
                        new_readings=_readings(args))
    if args.format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2), file=out)
    else:
        _diff_table(report, out)
    return EXIT_FINDINGS if report.changed or report.added_rules or report.removed_rules else EXIT_OK


def _diff_table(report: Any, out: TextIO) -> None:
    def packs(refs: Any) -> str:
        return ", ".join(f"{p.id} {p.version} {p.content_hash[:15]}…" for p in refs) or "(none in force)"

    for warning in report.warnings:  # a changed pack that kept its version
        print(warning.human() + "\n", file=out)
    print(f"old: {packs(report.old_packs)}", file=out)
    print(f"new: {packs(report.new_packs)}", file=out)
    print(f"jurisdiction(s) {', '.join(report.jurisdictions)} · as of {report.as_of.isoformat()}", file=out)
    for title, rules in (("added rules", report.added_rules), ("removed rules", report.removed_rules)):
        if rules:
            print(f"{title}: {', '.join(rules)}", file=out)
    for project in report.changed:
        print(f"\n{project.label()} [{project.jurisdiction}]", file=out)
        for change in project.changes:
            old, new = change.old, change.new
            outcome = ""
            if old is not None and new is not None and old.outcome != new.outcome:
                outcome = f"  outcome {old.outcome} → {new.outcome}"
            due = ""
            if old is not None and new is not None and old.due != new.due:
                due = f"  due {old.due} → {new.due}"
            print(f"  {change.rule}: {change.transition}{outcome}{due}", file=out)
            if old is not None:
                print(f"      old: {old.explanation_zh}", file=out)
            if new is not None:
                print(f"      new: {new.explanation_zh}", file=out)
    if report.changed:
        print("\nby rule:", file=out)
        for rule, counts in report.by_rule().items():
            print(f"  {rule}: " + "; ".join(f"{t} ×{n}" for t, n in sorted(counts.items())), file=out)
    s = report.summary()
    print(f"\n{s['changed_projects']} of {s['projects']} project(s) changed, {s['changed_decisions']} decision(s); "
          f"{s['added_rules']} rule(s) added, {s['removed_rules']} removed", file=out)


def _cmd_corpus(args: argparse.Namespace, out: TextIO) -> int:
    from .corpus import boundary_count, dumps, generate

    if args.n is not None and args.n < 1:
        raise _OutputError("-n must be at least 1")
    engine = load(args.policies)
    probes = boundary_count(engine, args.jurisdiction, args.seed)
    if args.n is not None and args.n < probes:
        print(f"note: {args.jurisdiction} has {probes} boundary probes; -n {args.n} keeps only the first "
              f"{args.n} (use -n {probes} or more for all)", file=sys.stderr)
    _write(dumps(generate(engine, args.jurisdiction, args.n, args.seed)), args.output, out)
    return EXIT_OK


def _add_compile_parser(sub: Any) -> None:
    comp = sub.add_parser("compile", help="compile each pack's decision procedure; --show prints the generated code")
    comp.add_argument("path", nargs="?", type=Path, default=None, help="a policies directory or one pack")
    comp.add_argument("--pack", action="append", default=[], metavar="ID", help="only this pack (repeatable)")
    comp.add_argument("--show", action="store_true", help="print the generated Python source for review")


def _cmd_compile(args: argparse.Namespace, out: TextIO) -> int:
    from .codegen import generate

    engine = load(args.path or default_policies_dir())
    known = [c.pack.id for c in engine._compiled]
    unknown = [p for p in args.pack if p not in known]
    if unknown:
        raise _OutputError(f"没有此规则包 no such pack: {', '.join(unknown)} (loaded: {', '.join(known)})")
    for compiled in engine._compiled:
        if args.pack and compiled.pack.id not in args.pack:
            continue
        code = generate(compiled, engine.calendar)
        pack = compiled.pack
        heading = (f"{pack.id} {pack.version}: {len(pack.rules)} rules, {len(code.leaf_nodes)} tests, "
                   f"{code.source.count(chr(10))} lines of generated Python")
        if args.show:
            print(f"# {heading}\n{code.source}", file=out)
        else:
            print(heading, file=out)
    return EXIT_OK


_TOOL_COMMANDS = {"coverage": _cmd_coverage, "docs": _cmd_docs, "diff": _cmd_diff, "corpus": _cmd_corpus,
                  "compile": _cmd_compile}


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command line; returns the exit code (also usable from tests without a subprocess)."""
    out = cast(TextIO, _SafeStream(out or sys.stdout))
    err = cast(TextIO, _SafeStream(err or sys.stderr))
    try:
        args = _parse(argv, out, err)
    except SystemExit as exc:  # argparse: --help, --version (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    commands = {"evaluate": _cmd_evaluate, "lint": _cmd_lint, "test": _cmd_test, "facts": _cmd_facts,
                "replay": _cmd_replay, "compare": _cmd_compare, "batch": _cmd_batch, "readings": _cmd_readings,
                "serve": _cmd_serve}
    commands.update(_TOOL_COMMANDS)
    # Problems speak both languages, Chinese first, unless --lang (before or after the command) says
    # otherwise; compare's own --lang is the language of its table.
    args.message_lang = args.lang_all or (getattr(args, "lang", None) if args.command != "compare" else None) \
        or "both"
    try:
        return commands[args.command](args, out)
    except (GovrulesError, UnknownJurisdiction) as exc:
        return _print_error(exc, args.error_format, err, args.message_lang)
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, as Unix tools do.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return EXIT_OK
    except KeyboardInterrupt:
        print("已中断 interrupted; no partial output was left", file=err)
        return EXIT_INTERRUPTED
    except RecursionError:
        print("错误：输入嵌套过深 error: the input is nested too deeply to be read", file=err)
        return EXIT_USAGE
    except MemoryError:
        print("错误：内存不足 error: out of memory reading the input", file=err)
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - a bug: its own exit code and a short note, never a traceback
        return _internal_error(exc, args.command, err)


def _parse(argv: Sequence[str] | None, out: TextIO, err: TextIO) -> argparse.Namespace:
    import contextlib

    parser = _parser()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        return parser.parse_args(argv)


def _internal_error(exc: BaseException, command: str, err: TextIO) -> int:
    where = ""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is not None:
        where = f" at {Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno}"
    print(f"内部错误：这是 govrules 的缺陷，请报告（附上命令和输入）。\n"
          f"internal error: this is a bug in govrules {__version__}; please report it with the command and "
          f"its input.\n  govrules {command}: {type(exc).__name__}{where}", file=err)
    return EXIT_INTERNAL


def _add_batch_parser(sub: Any) -> None:
    batch = sub.add_parser("batch", help="evaluate every project of a ledger (.csv, .jsonl, .parquet)")
    batch.add_argument("ledger", type=Path, help="one project per row, one column per fact (and id)")
    batch.add_argument("--jurisdiction", "-j", required=True, help="e.g. wuxing")
    batch.add_argument("--as-of", type=_date, default=None, help=_AS_OF_HELP)
    batch.add_argument("--output", "-o", type=Path, required=True,
                       help="decisions, one row per project (.csv, .jsonl, .parquet); the per-provision "
                       "summary goes beside it as OUTPUT.summary.csv")
    batch.add_argument("--batch-size", type=_positive, default=65_536, help="rows held in memory at once")
    batch.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    batch.add_argument("--columns", action="append", default=[], metavar="SET",
                       choices=("due", "missing", "parameters", "readings", "unclaimed", "not_needed"),
                       help="also write, per rule, its due date (due), the facts it lacks (missing), the "
                       "local parameters (parameters) or readings (readings) its decision rests on, the "
                       "exceptions the project has not claimed (unclaimed) or the missing facts that cannot "
                       "change it (not_needed); repeatable")
    _common(batch)
    _reading_option(batch)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
    return value


def _cmd_batch(args: argparse.Namespace, out: TextIO) -> int:
    """Evaluate a whole ledger; bad rows are counted and listed, never fatal. Needs the extra ``batch``."""
    try:
        from .batch import BatchError, BatchOutputError, run_ledger, summary_path_of
    except ImportError:
        raise GovrulesError("govrules batch needs pyarrow: pip install 'govrules[batch]'") from None
    engine = load(args.policies, holidays=args.holidays, replace_holidays=args.replace_holidays)
    as_of = args.as_of or _today()
    if not args.ledger.exists():
        raise GovrulesError(f"{args.ledger}: no such ledger file")
    summary_path = summary_path_of(args.output)
    try:
        summary = run_ledger(args.ledger, args.output, engine, args.jurisdiction, as_of,
                             batch_size=args.batch_size, progress=not args.no_progress,
                             summary_path=summary_path, columns=tuple(args.columns), readings=_readings(args))
    except BatchOutputError as exc:  # the command line names an output that cannot be (or must not be) written
        raise _OutputError(str(exc)) from None
    except BatchError as exc:
        raise _LedgerError(str(exc)) from None
    print(f"{summary.rows} rows, {summary.bad_rows} bad; decisions in {args.output}, "
          f"per-provision summary in {summary_path}", file=out)
    for row, problem in summary.bad[:20]:
        print(f"  row {row}: {_printable(problem)}", file=out)
    if summary.bad_rows > 20:
        print(f"  … and {summary.bad_rows - 20} more bad rows", file=out)
    findings = sum(counts.get(Status.VIOLATED.value, 0) + counts.get(Status.OVERDUE.value, 0)
                   for counts in summary.counts.values())
    if findings:
        print(f"{findings} violated or overdue decision(s)", file=out)
    if summary.bad_rows:
        return EXIT_PROJECT
    return EXIT_FINDINGS if findings else EXIT_OK


def _add_serve_parser(sub: Any) -> None:
    from .service.settings import Limits

    limits = Limits()
    serve = sub.add_parser("serve", help="serve the HTTP API and the project page (needs govrules[service])")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: any free port)")
    serve.add_argument("--log", type=Path, default=None, metavar="FILE",
                       help="append each evaluation to an audit log, as evaluate --log does")
    serve.add_argument("--mask", action="append", default=[], metavar="FIELD", help="with --log: as evaluate --mask")
    serve.add_argument("--max-body-bytes", type=_positive, default=limits.max_body_bytes,
                       help=f"request body limit in bytes (default {limits.max_body_bytes})")
    serve.add_argument("--max-batch", type=_positive, default=limits.max_batch,
                       help=f"projects per POST /v1/batch (default {limits.max_batch})")
    serve.add_argument("--timeout", type=_seconds, default=limits.timeout_seconds, metavar="SECONDS",
                       help=f"time limit per request (default {limits.timeout_seconds:g})")
    _common(serve)


def _cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    """Serve until stopped (docs/service.md). Needs the extra ``service``."""
    try:
        from .service.run import serve
        from .service.settings import Limits
    except ImportError:
        raise GovrulesError("govrules serve needs FastAPI and uvicorn: pip install 'govrules[service]'") from None
    if args.mask and args.log is None:
        raise LogError("--mask only applies to --log")
    limits = Limits(max_body_bytes=args.max_body_bytes, max_batch=args.max_batch, timeout_seconds=args.timeout)
    return serve(host=args.host, port=args.port, policies=args.policies, log=args.log, mask=tuple(args.mask),
                 holidays=tuple(args.holidays), replace_holidays=args.replace_holidays, limits=limits, out=out)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is not a positive number of seconds")
    return value


class _LedgerError(GovrulesError):
    """A ledger that cannot be read as a whole, or an output that would overwrite it (exit 3)."""


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
