"""Executable documentation: every command and code block of README.md and docs/*.md runs here.

A figure in the docs cannot go stale: each fenced block is run and what it shows is compared with
what the code gives now. One test per document; a failure lists every block that disagrees, by
file and line, with a diff. The convention (summed up in README.md, under Documentation):

``sh`` blocks
    Run as one bash script (``set -euo pipefail``). A line ``$ COMMAND`` is a command whose output
    (stdout) is the lines that follow it, up to the next ``$`` line or the block's end; a block
    without ``$`` lines is a script whose commands must all succeed. Installation and test-suite
    commands (``pip install …``, ``apt-get …``, ``pytest``) are not run here, where they would
    change the environment under test or recurse: README's are run by ``.ci/run``, which must
    contain each line verbatim; elsewhere, the extras a ``pip install`` names must exist.
``text`` blocks (or blocks without a language) starting with ``$ COMMAND``
    The same as ``$`` lines of ``sh`` blocks: the command runs, its output is compared.
Output comparison
    Line by line after trailing spaces are dropped. ``…`` within a line matches any text in that
    line; a line holding only ``…`` (indented or not) matches any number of lines.
``python`` blocks
    Blocks with ``>>>`` prompts run as doctests (``…`` is the ellipsis, whitespace is normalized);
    other blocks run as scripts and must not raise. A document's blocks share one namespace.
``json`` blocks after ``<!-- doc-test: output of: COMMAND -->``
    An excerpt of the command's JSON output: it must match the output or a part of it at any
    depth, where an object may leave out keys, a list may leave out items (those shown keep their
    order) and a string ending in ``…`` matches every string it starts.
``yaml`` blocks
    Read with the packs' strict YAML reader; after ``<!-- doc-test: schema: NAME -->`` also
    validated against ``src/govrules/schemas/NAME.schema.json``.
Directives (HTML comments on the lines just before a block; invisible when the docs are rendered)
    ``<!-- doc-test: skip: REASON -->`` exempts a block (measured figures, a layout sketch); the
    reason is required. ``<!-- doc-test: exit: N -->`` expects exit status N from the block's last
    command (default 0). ``<!-- doc-test: args only: REASON -->`` (benchmarks.md): the block's
    commands run with ``BENCHMARK_ARGS_ONLY=1``, so benchmarks/run.py checks its arguments and times
    nothing, except a ``--quick`` run, which runs in full.

Commands run in a temporary copy of the checkout's ``policies``, ``corpora``, ``examples`` and
``benchmarks`` (so a command that writes, such as regenerating a corpus, writes there), with this
interpreter's ``bin`` first on PATH, HOME in the temporary directory and ``GOVRULES_MASK_SALT`` set.
"""

from __future__ import annotations

import difflib
import doctest
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from govrules.yamlfiles import YamlReadError, read_yaml_text

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
COPIED = ("policies", "corpora", "examples", "benchmarks")
SALT = "doc-test-salt-not-secret"

_FENCE = re.compile(r"^```(\S*)\s*$")
_DIRECTIVE = re.compile(r"^<!--\s*doc-test:\s*(?P<key>[a-z ]+?)\s*:\s*(?P<value>.*?)\s*-->\s*$")
_NOT_RUN = re.compile(r"^\s*(?:sudo\s+)?(?:python\S*\s+-m\s+pip|pip3?)\s+install\b|^\s*(?:sudo\s+)?apt(?:-get)?\s|"
                      r"^\s*(?:[A-Z_]+=\S+\s+)*pytest\b")
_PROMPT = "$ "


@dataclass
class Block:
    document: Path
    line: int  # of the opening fence, 1-based
    language: str
    body: str
    directives: dict[str, str] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{self.document.relative_to(ROOT)}:{self.line}"


def blocks(document: Path) -> list[Block]:
    """The fenced blocks of a Markdown file, each with the doc-test directives just above it."""
    lines = document.read_text("utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        directives: dict[str, str] = {}
        above = index - 1
        while above >= 0 and (_DIRECTIVE.match(lines[above]) or not lines[above].strip()):
            directive = _DIRECTIVE.match(lines[above])
            if directive:
                directives[directive["key"]] = directive["value"]
            elif directives or above < index - 1:
                break  # a blank line ends the directives (one blank line before the fence is allowed)
            above -= 1
        end = index + 1
        while end < len(lines) and lines[end].rstrip() != "```":
            end += 1
        found.append(Block(document, index + 1, match[1], "\n".join(lines[index + 1:end]), directives))
        index = end + 1
    return found


# ---------------------------------------------------------------------------------------------
# Comparing output


def _pattern(expected: list[str]) -> re.Pattern[str]:
    parts = []
    for line in expected:
        if line.strip() == "…":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(".*?".join(re.escape(piece) for piece in line.split("…")) + r"\n")
    return re.compile("".join(parts), re.DOTALL if False else 0)


def _normalize(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def text_mismatch(expected: str, actual: str) -> str | None:
    """None when ``actual`` matches ``expected`` (with … wildcards), else a readable diff."""
    want, got = _normalize(expected), _normalize(actual)
    if _pattern(want).fullmatch("".join(line + "\n" for line in got)):
        return None
    return "\n".join(difflib.unified_diff(want, got, "shown in the docs", "output now", lineterm="", n=2))


def _matches(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and _matches(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return False
        position = 0
        for item in expected:
            if item == "…":
                continue
            while position < len(actual) and not _matches(item, actual[position]):
                position += 1
            if position == len(actual):
                return False
            position += 1
        return True
    if isinstance(expected, str) and expected.endswith("…") and isinstance(actual, str):
        return actual.startswith(expected[:-1])
    return type(expected) is type(actual) and expected == actual


def _parts(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from _parts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _parts(item)


def _score(expected: Any, actual: Any) -> int:
    if _matches(expected, actual):
        return 1_000
    if isinstance(expected, dict) and isinstance(actual, dict):
        return sum(k in actual and (_matches(v, actual[k]) * 10 + _score(v, actual[k]) // 100)
                   for k, v in expected.items())
    return 0


def _aligned(expected: Any, actual: Any) -> Any:
    """``actual`` cut to the shape of ``expected``; the parts that match are given as expected."""
    if _matches(expected, actual):
        return expected
    if isinstance(expected, dict) and isinstance(actual, dict):
        return {k: _aligned(v, actual[k]) if k in actual else "<missing>" for k, v in expected.items()}
    if isinstance(expected, list) and isinstance(actual, list):
        aligned = []
        for item in expected:
            if item == "…" or not actual:
                aligned.append(item)
                continue
            aligned.append(_aligned(item, max(actual, key=lambda part: _score(item, part))))
        return aligned
    return actual


def json_mismatch(expected: str, actual: str) -> str | None:
    """None when the JSON excerpt ``expected`` matches ``actual`` or a part of it, else a diff."""
    want = json.loads(expected)
    got = json.loads(actual)
    if any(_matches(want, part) for part in _parts(got)):
        return None
    # The closest part to show, with every piece that matches written as the docs write it, so the
    # diff shows only what differs.
    candidates = [p for p in _parts(got) if type(p) is type(want)] or [got]
    closest = max(candidates, key=lambda part: _score(want, part))
    return "\n".join(difflib.unified_diff(
        json.dumps(want, ensure_ascii=False, indent=2).splitlines(),
        json.dumps(_aligned(want, closest), ensure_ascii=False, indent=2).splitlines(),
        "shown in the docs", "output now (closest part, keys as shown)", lineterm="", n=3))


# ---------------------------------------------------------------------------------------------
# Running


class Session:
    """One document's run: a sandbox directory, an environment, a Python namespace."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        for name in COPIED:
            shutil.copytree(ROOT / name, directory / name, ignore=shutil.ignore_patterns("__pycache__"))
        home = directory / "home"
        home.mkdir()
        self.env = dict(os.environ)
        self.env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + self.env.get("PATH", "")
        self.env["HOME"] = str(home)
        self.env["GOVRULES_MASK_SALT"] = SALT
        self.env.pop("XDG_CACHE_HOME", None)
        self.namespace: dict[str, Any] = {"__name__": "__doc_test__"}

    def bash(self, script: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", "-c", "set -euo pipefail\n" + script], cwd=self.directory, env=self.env,
                              capture_output=True, text=True, timeout=600, check=False)


def _commands_and_outputs(body: str) -> tuple[list[str], list[tuple[str, str]]]:
    """A block's lines before its first ``$`` (a script), then each ``$`` command with its output."""
    script: list[str] = []
    prompted: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith(_PROMPT):
            prompted.append((line[len(_PROMPT):], []))
        elif prompted:
            prompted[-1][1].append(line)
        else:
            script.append(line)
    return script, [(command, "\n".join(output)) for command, output in prompted]


def _extras_exist(line: str) -> str | None:
    extras = set(tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["optional-dependencies"])
    named = {e.strip() for group in re.findall(r"\.\[([^\]]*)\]|govrules\[([^\]]*)\]", line) for part in group
             for e in part.split(",") if e.strip()}
    unknown = named - extras
    return f"`{line.strip()}` names extras pyproject.toml lacks: {sorted(unknown)}" if unknown else None


def _not_run(block: Block, line: str) -> str | None:
    """Checks for a command the tests do not run; a problem, or None."""
    if block.document.name == "README.md":
        ci = (ROOT / ".ci" / "run").read_text("utf-8").splitlines()
        if not any(c.strip() == line.strip() or c.strip().startswith(line.strip() + " ") for c in ci):
            return f"{block.where}: `{line.strip()}` is not run verbatim by .ci/run"
    problem = _extras_exist(line)
    return f"{block.where}: {problem}" if problem else None


def _status(block: Block, result: subprocess.CompletedProcess[str], what: str) -> str | None:
    want = int(block.directives.get("exit", "0"))
    if result.returncode != want:
        return (f"{block.where}: {what} exited {result.returncode}, expected {want}\n"
                f"stdout: {result.stdout[-1500:]}\nstderr: {result.stderr[-1500:]}")
    return None


def run_shell(session: Session, block: Block) -> list[str]:
    problems = []
    script, prompted = _commands_and_outputs(block.body)
    runnable = []
    for line in script:
        parts = line.split(" && ")
        kept = [part for part in parts if not _NOT_RUN.match(part)]
        if len(kept) < len(parts):  # `pip install … && govrules …`: the install is CI's, the rest runs here
            problem = _not_run(block, line)
            if problem:
                problems.append(problem)
        runnable.append(" && ".join(kept))
    if "args only" in block.directives:  # full benchmark runs take minutes: check their arguments only
        runnable = [line if "--quick" in line or not line.strip() else f"BENCHMARK_ARGS_ONLY=1 {line}"
                    for line in runnable]
    if any(line.strip() and not line.strip().startswith("#") for line in runnable):
        result = session.bash("\n".join(runnable))
        problem = _status(block, result, "the block")
        if problem:
            problems.append(problem)
    for command, expected in prompted:
        result = session.bash(command)
        problem = _status(block, result, f"`{command}`")
        if problem:
            problems.append(problem)
            continue
        mismatch = text_mismatch(expected, result.stdout) if expected.strip() else None
        if mismatch:
            problems.append(f"{block.where}: the output of `{command}` differs:\n{mismatch}")
    return problems


def run_python(session: Session, block: Block) -> list[str]:
    old_cwd = os.getcwd()
    os.chdir(session.directory)
    try:
        if ">>> " in block.body:
            saved = doctest.ELLIPSIS_MARKER
            doctest.ELLIPSIS_MARKER = "\\u2026"  # "…" as doctest compares it (escaped to ASCII)
            try:
                test = doctest.DocTestParser().get_doctest(block.body, session.namespace, block.where,
                                                           str(block.document), block.line)
                runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
                report: list[str] = []
                result = runner.run(test, out=report.append, clear_globs=False)
            finally:
                doctest.ELLIPSIS_MARKER = saved
            return [f"{block.where}: {result.failed} example(s) differ:\n" + "".join(report)] if result.failed else []
        try:
            exec(compile(block.body, block.where, "exec"), session.namespace)
        except Exception as exc:  # the block's own error is the finding
            return [f"{block.where}: the block raised {type(exc).__name__}: {exc}"]
        return []
    finally:
        os.chdir(old_cwd)


def run_json(session: Session, block: Block) -> list[str]:
    command = block.directives.get("output of")
    if command is None:
        return [f"{block.where}: a json block needs <!-- doc-test: output of: COMMAND --> (or skip: REASON)"]
    result = session.bash(command)
    problem = _status(block, result, f"`{command}`")
    if problem:
        return [problem]
    mismatch = json_mismatch(block.body, result.stdout)
    return [f"{block.where}: the output of `{command}` does not contain what is shown:\n{mismatch}"] if mismatch else []


def run_yaml(session: Session, block: Block) -> list[str]:
    try:
        document = read_yaml_text(block.body.encode("utf-8"), block.where)
    except YamlReadError as exc:
        return [f"{block.where}: {problem}" for problem in exc.problems]
    schema_name = block.directives.get("schema")
    if schema_name:
        schema = json.loads((ROOT / "src" / "govrules" / "schemas" / f"{schema_name}.schema.json").read_text("utf-8"))
        # as the loader validates: the strict reader's values (exact decimals included) as they are
        errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(document.data), key=lambda e: list(e.path))
        return [f"{block.where}: {list(e.path)}: {e.message}" for e in errors]
    return []


def run_block(session: Session, block: Block) -> list[str]:
    if "skip" in block.directives:
        return [] if block.directives["skip"].strip() else [f"{block.where}: skip needs a reason"]
    if block.language in ("sh", "bash", "console"):
        return run_shell(session, block)
    if block.language == "python":
        return run_python(session, block)
    if block.language == "json":
        return run_json(session, block)
    if block.language == "yaml":
        return run_yaml(session, block)
    if block.language in ("", "text") and block.body.startswith(_PROMPT):
        return run_shell(session, block)
    return [f"{block.where}: a ```{block.language} block that is neither run nor exempt; "
            "add <!-- doc-test: skip: REASON --> or show it as a command and its output"]


@pytest.mark.parametrize("document", DOCUMENTS, ids=[str(d.relative_to(ROOT)) for d in DOCUMENTS])
def test_every_block_of_the_document_runs_and_shows_what_the_code_gives(
        document: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVRULES_MASK_SALT", SALT)
    session = Session(tmp_path)
    problems = [problem for block in blocks(document) for problem in run_block(session, block)]
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


# ---------------------------------------------------------------------------------------------
# The checker itself


def test_wildcards_match_within_a_line_and_across_lines() -> None:
    assert text_mismatch("a …z\n…\nend", "a bcz\nx\ny\nend\n") is None
    assert text_mismatch("a …z\nend", "a bc\nend") is not None
    assert text_mismatch("one\ntwo", "one\nthree") is not None
    assert "+three" in (text_mismatch("one\ntwo", "one\nthree") or "")


def test_json_excerpts_match_a_part_and_refuse_a_wrong_value() -> None:
    actual = json.dumps({"a": [{"id": 1, "x": "sha256:abcdef"}, {"id": 2, "x": "y"}], "b": 3})
    assert json_mismatch('{"id": 2}', actual) is None
    assert json_mismatch('{"a": [{"x": "sha256:ab…"}]}', actual) is None
    assert json_mismatch('{"a": [{"id": 2}, {"id": 1}]}', actual) is not None  # order kept
    assert json_mismatch('{"b": 4}', actual) is not None
    assert json_mismatch('{"b": "3"}', actual) is not None  # types too


def test_directives_are_read_from_the_lines_above_a_block(tmp_path: Path) -> None:
    doc = tmp_path / "d.md"
    doc.write_text("text\n\n<!-- doc-test: exit: 1 -->\n<!-- doc-test: skip: measured -->\n```sh\nfalse\n```\n\n"
                   "```python\nx = 1\n```\n", "utf-8")
    found = blocks(doc)
    assert [(b.line, b.language, b.directives) for b in found] == [
        (5, "sh", {"exit": "1", "skip": "measured"}), (9, "python", {})]


def test_a_block_that_is_neither_run_nor_exempt_is_a_problem(tmp_path: Path) -> None:
    doc = ROOT / "docs" / "x.md"  # only its name is used
    assert run_block(Session.__new__(Session), Block(doc, 1, "", "a layout")) != []


# ---------------------------------------------------------------------------------------------
# Prose claims that are facts about the code


def _sub_commands() -> list[str]:
    import argparse

    from govrules.cli import _parser

    actions = [a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return sorted(name for action in actions for name in action.choices)


def test_dependencies_md_names_every_sub_command() -> None:
    text = (ROOT / "docs" / "dependencies.md").read_text("utf-8")
    match = re.search(r"enough for the (\w+) sub-commands \(([^)]*)\)", text)
    assert match, "dependencies.md says how many sub-commands argparse serves"
    words = {"nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15}
    listed = sorted(name.strip() for name in match[2].split(","))
    assert listed == _sub_commands()
    assert words.get(match[1]) == len(listed)


def test_readme_command_table_names_every_sub_command() -> None:
    text = (ROOT / "README.md").read_text("utf-8")
    shown = set(re.findall(r"^\| `govrules (\w+)", text, re.MULTILINE))
    assert shown == set(_sub_commands())
