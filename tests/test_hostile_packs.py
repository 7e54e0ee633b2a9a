"""Hostile rule packs: whatever is in a pack directory, loading gives a ``Pack`` or a ``PackError``.

Three parts: the corpus ``tests/data/hostile_packs/`` (the failure modes of the trust issue that
``bad_packs/`` lacks), generated giants (a 50 MB file, nesting 100 000 levels deep) written into a
temporary directory, and hypothesis mutations of every shipped pack, at the text and at the
structure level. Every problem must carry its file and a hint, and its line and column wherever it
has a place in the file.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_loading import CORPUS, Expect, in_file, make_pack

import govrules
from govrules.errors import PackError, PackProblem
from govrules.evaluation import default_policies_dir
from govrules.loading import find_pack_dirs, load_pack
from govrules.yamlfiles import MAX_DEPTH, MAX_FILE_BYTES

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile_packs"
DEADLINE = dt.timedelta(seconds=20)  # per example: a hang fails; a slow shared machine does not

#: Problems about a file as a whole have no line: it is empty, too large, or unreadable.
WHOLE_FILE_CODES = {"too-large", "unreadable", "no-packs", "duplicate-pack"}


def overlay(tmp_path: Path, corpus: Path, mode: str) -> Path:
    directory = make_pack(tmp_path)
    shutil.copytree(corpus / mode, directory, dirs_exist_ok=True)
    return directory


def load_error(directory: Path) -> PackError:
    with pytest.raises(PackError) as info:
        load_pack(directory)
    return info.value


def assert_well_formed(problem: PackProblem) -> None:
    """File and hint always; line and column unless the problem is about the file as a whole."""
    assert problem.file, problem
    assert problem.hint, problem
    if problem.code not in WHOLE_FILE_CODES and problem.message != "the file is empty":
        assert problem.line is not None and problem.line >= 1, problem
        assert problem.column is not None and problem.column >= 1, problem


# ---------------------------------------------------------------------------------------------
# The corpus covers every mode the issue lists

#: Each failure mode named by the trust issue → the corpus directory (or generated test) covering it.
ISSUE_MODES = {
    "duplicate key": (CORPUS, "duplicate_key"),
    "unknown key with a did-you-mean hint": (CORPUS, "unknown_key"),
    "!!python/object": (CORPUS, "python_tag"),
    "other tags": (HOSTILE, "other_tags"),
    "YAML 1.1 booleans": (CORPUS, "ambiguous_boolean"),
    "an alias bomb": (HOSTILE, "alias_bomb"),
    "invalid UTF-8": (HOSTILE, "invalid_utf8"),
    "a citation to a missing provision": (CORPUS, "unknown_provision"),
    "a cycle of exceptions": (CORPUS, "exception_cycle"),
    "a condition on an unknown fact": (CORPUS, "unknown_fact"),
    "a type mismatch": (CORPUS, "date_compared_with_amount"),
    "several errors in one pack": (HOSTILE, "several_errors"),
    # generated in a temporary directory by the tests below, never committed:
    # "a 50 MB file" → test_fifty_megabyte_file_is_refused_before_reading
    # nesting 100 000 deep → test_deep_nesting_is_refused_without_crashing_the_process
}


@pytest.mark.parametrize("mode", sorted(ISSUE_MODES))
def test_issue_mode_is_in_a_corpus(mode: str) -> None:
    corpus, name = ISSUE_MODES[mode]
    assert (corpus / name).is_dir(), mode


def test_hostile_corpus_is_not_a_pack_and_holds_no_cases() -> None:
    assert not list(HOSTILE.rglob("pack.yaml"))
    assert not list(HOSTILE.rglob("test_*.yaml"))
    assert {p.name for p in HOSTILE.iterdir() if p.is_dir()} == {mode for mode, _ in HOSTILE_CASES}


def _all_modes() -> Iterator[Any]:
    for corpus in (CORPUS, HOSTILE):
        for directory in sorted(p for p in corpus.iterdir() if p.is_dir()):
            yield pytest.param(corpus, directory.name, id=f"{corpus.name}/{directory.name}")


@pytest.mark.parametrize(("corpus", "mode"), list(_all_modes()))
def test_every_problem_of_every_corpus_mode_has_file_line_column_and_hint(
        tmp_path: Path, corpus: Path, mode: str) -> None:
    error = load_error(overlay(tmp_path, corpus, mode))
    for problem in error.problems:
        assert_well_formed(problem)


HOSTILE_CASES = [
    ("alias_bomb", Expect("rules/bad.yaml", 10, 11, "alias", hint="in full", message="anchor 'a'")),
    ("invalid_utf8", Expect("rules/bad.yaml", 6, 11, "encoding", hint="UTF-8", message="0xb2")),
    ("other_tags", Expect("rules/bad.yaml", 6, 11, "tag", ("title", "zh"), message="binary")),
    ("several_errors", Expect("rules/a.yaml", 10, 13, "unknown-fact", ("when", "fact"), hint="'total_investment'")),
]


@pytest.mark.parametrize(("mode", "expect"), HOSTILE_CASES, ids=[m for m, _ in HOSTILE_CASES])
def test_hostile_corpus(tmp_path: Path, mode: str, expect: Expect) -> None:
    directory = overlay(tmp_path, HOSTILE, mode)
    error = load_error(directory)
    located = [p for p in in_file(error.problems, directory / expect.file)
               if (p.line, p.column) == (expect.line, expect.column)]
    assert located, error.problems
    p = located[0]
    assert p.code == expect.code
    assert p.path[len(p.path) - len(expect.path_end):] == expect.path_end
    if expect.hint:
        assert p.hint is not None and expect.hint in p.hint
    if expect.message:
        assert expect.message in p.message


def test_alias_bomb_reports_a_bounded_number_of_problems_all_located(tmp_path: Path) -> None:
    error = load_error(overlay(tmp_path, HOSTILE, "alias_bomb"))
    assert 2 <= len(error.problems) <= 10  # one per anchor or alias up to a limit, then one summary
    assert "more anchors or aliases" in error.problems[-1].message


def test_every_other_tag_is_refused_where_it_stands(tmp_path: Path) -> None:
    directory = overlay(tmp_path, HOSTILE, "other_tags")
    error = load_error(directory)
    found = {(p.line, p.message.split("'")[1]) for p in error.problems if p.code == "tag"}
    assert found == {(6, "tag:yaml.org,2002:binary"), (7, "!custom"), (8, "tag:yaml.org,2002:set"),
                     (9, "tag:yaml.org,2002:python/name:os.system"), (10, "tag:yaml.org,2002:timestamp")}
    # !!str is a core-schema tag and harmless: line 4 is not reported
    assert all(p.line != 4 for p in error.problems)


def test_several_errors_of_one_pack_are_all_reported_at_once(tmp_path: Path) -> None:
    directory = overlay(tmp_path, HOSTILE, "several_errors")
    error = load_error(directory)
    a = {(p.code, p.line) for p in in_file(error.problems, directory / "rules" / "a.yaml")}
    b = {(p.code, p.line) for p in in_file(error.problems, directory / "rules" / "b.yaml")}
    assert {("unknown-provision", 8), ("unknown-fact", 10), ("unknown-key", 16), ("type-mismatch", 29)} <= a
    # regression: a cycle through a rule that has another problem (three's type mismatch) was not reported
    assert any(code == "exception-cycle" for code, _ in a)
    assert {("ambiguous-boolean", 9), ("duplicate-key", 11)} <= b


# ---------------------------------------------------------------------------------------------
# Giants, generated here


def test_fifty_megabyte_file_is_refused_before_reading(tmp_path: Path) -> None:
    directory = make_pack(tmp_path)
    (directory / "rules").mkdir()
    big = directory / "rules" / "big.yaml"
    line = b"# " + "填充".encode() * 40 + b"\n"
    with big.open("wb") as f:
        f.write(b"rules: []\n")
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            f.write(line)
    assert big.stat().st_size >= 50 * 1024 * 1024
    error = load_error(directory)
    (problem,) = error.problems
    assert problem.code == "too-large"
    assert problem.file.endswith("rules/big.yaml")
    assert f"{MAX_FILE_BYTES:,}" in problem.message
    assert_well_formed(problem)


_DEEP = """
import sys
from govrules.errors import PackError
from govrules.loading import load_pack
try:
    load_pack(sys.argv[1])
except PackError as exc:
    print("\\n".join(f"{p.code} {p.line}:{p.column}" for p in exc.problems))
"""


@pytest.mark.parametrize("opening, closing", [("[", "]"), ("{a: ", "}")])
def test_deep_nesting_is_refused_without_crashing_the_process(tmp_path: Path, opening: str, closing: str) -> None:
    """Regression: 100 000 nested brackets (200 kB) segfaulted libyaml's recursive composer."""
    directory = make_pack(tmp_path)
    (directory / "rules").mkdir()
    depth = 100_000
    (directory / "rules" / "deep.yaml").write_text(
        "rules:\n  - note: " + opening * depth + closing * depth + "\n", "utf-8")
    # In a subprocess: if the guard ever regresses, the crash must fail this test, not kill pytest.
    result = subprocess.run([sys.executable, "-c", _DEEP, str(directory)], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    # the document mapping, the rules list and the rule mapping are 3 levels; the (MAX_DEPTH - 2)th
    # opening bracket, after "  - note: " (10 characters), is the first one too deep
    column = 11 + (MAX_DEPTH - 3) * len(opening)
    assert result.stdout.split() == ["too-deep", f"2:{column}"]


@pytest.mark.parametrize(("text", "where"), [
    # the document's mapping is level 1; the 64th opening after it is level MAX_DEPTH + 1
    ("a: " + "[" * 1_100 + "]" * 1_100 + "\n", (1, 4 + (MAX_DEPTH - 1))),  # beyond libyaml's 1 000
    ("a: " + "{b: " * 1_100 + "}" * 1_100 + "\n", (1, 4 + 4 * (MAX_DEPTH - 1))),
    # block sequences on one line; the first "- " is indentless (no level of its own in YAML)
    ("a:\n" + "- " * 1_100 + "x\n", (2, 3 + 2 * (MAX_DEPTH - 1))),
    # block mappings, each indented one more space
    ("".join(" " * i + f"k{i}:\n" for i in range(200)) + " " * 200 + "x\n", (MAX_DEPTH + 1, MAX_DEPTH + 1)),
])
def test_the_depth_limit_does_not_depend_on_libyaml(text: str, where: tuple[int, int]) -> None:
    """libyaml's scanner (PyYAML >= 6.0.4) refuses 1 000 levels itself, looking ahead; the project's
    limit must act first and answer the same as PyYAML's pure-Python scanner, which has no limit."""
    from govrules import yamlfiles
    answers = []
    for scanners in (yamlfiles._SCANNERS, (yaml.SafeLoader,)):
        with pytest.raises(yamlfiles.YamlReadError) as info:
            yamlfiles._prescan(text, "deep.yaml", scanners)
        answers.append([(p.code, p.line, p.column) for p in info.value.problems])
    assert answers[0] == answers[1]
    assert answers[0] == [("too-deep", *where)]
    with pytest.raises(yamlfiles.YamlReadError) as info:  # and the whole reading says the same
        yamlfiles.read_yaml_text(text.encode(), "deep.yaml")
    assert [(p.code, p.line, p.column) for p in info.value.problems] == answers[0]


def test_nesting_at_the_limit_is_read(tmp_path: Path) -> None:
    directory = make_pack(tmp_path)
    (directory / "rules").mkdir()
    depth = MAX_DEPTH - 3  # the document's mapping, the rules list and the rule mapping come first
    (directory / "rules" / "r.yaml").write_text(
        "rules:\n  - id: wuxing.test.deep\n    kind: approval\n    title: {zh: 测试, en: test}\n"
        "    cites: [第十三条第一款]\n    outcome: x\n    note: " + "[" * depth + "]" * depth + "\n", "utf-8")
    error = load_error(directory)  # a note must be text: a schema problem, not a nesting one
    assert [p.code for p in error.problems] == ["schema"]


# ---------------------------------------------------------------------------------------------
# Random mutations of every shipped pack


PACK_DIRS = find_pack_dirs(default_policies_dir())


def _pack_files(directory: Path) -> list[str]:
    files = ["pack.yaml", "provisions.yaml"]
    files += sorted(f"rules/{p.name}" for p in (directory / "rules").glob("*.yaml"))
    return files


@pytest.fixture(scope="module", params=PACK_DIRS, ids=[p.name for p in PACK_DIRS])
def pack_copy(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("mutate") / request.param.name
    shutil.copytree(request.param, copy, ignore=shutil.ignore_patterns("tests"))
    return copy


def _outcome(directory: Path) -> govrules.Pack | PackError:
    try:
        pack = load_pack(directory)
    except PackError as exc:
        for problem in exc.problems:
            assert_well_formed(problem)
        str(exc)
        exc.to_dict()
        return exc
    # A pack that loads must also evaluate: an empty project, then a full-scope one.
    engine = govrules.Engine([pack])
    for project in ({}, {"funding_source": "fiscal", "project_type": "construction", "total_investment": "500万元"}):
        engine.evaluate(project, pack.jurisdiction.id, pack.document.in_force_from).to_json()
    return pack


text_edits = st.one_of(
    st.tuples(st.just("delete_line"), st.integers(0, 10**6)),
    st.tuples(st.just("duplicate_line"), st.integers(0, 10**6)),
    st.tuples(st.just("swap_lines"), st.integers(0, 10**6), st.integers(0, 10**6)),
    st.tuples(st.just("insert"), st.integers(0, 10**6),
              st.sampled_from(["\n", " ", "  ", ":", "- ", "[", "]", "{", "}", "&a ", "*a", "!!python/object ", "#",
                               "'", '"', "\t", "yes", "~", "\x00", "\ufeff", "以上", "0x", "1e999999999", "?"])
              | st.text(max_size=6)),
    st.tuples(st.just("byte"), st.integers(0, 10**6), st.integers(0, 255)),
    st.tuples(st.just("truncate"), st.integers(0, 10**6)),
)


def _apply_text_edit(raw: bytes, edit: tuple[Any, ...]) -> bytes:
    kind = edit[0]
    lines = raw.split(b"\n")
    if kind == "delete_line":
        del lines[edit[1] % len(lines)]
    elif kind == "duplicate_line":
        i = edit[1] % len(lines)
        lines.insert(i, lines[i])
    elif kind == "swap_lines":
        i, j = edit[1] % len(lines), edit[2] % len(lines)
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "insert":
        at = edit[1] % (len(raw) + 1)
        return raw[:at] + edit[2].encode("utf-8") + raw[at:]
    elif kind == "byte":
        if not raw:  # an earlier edit truncated the file to nothing: no byte to replace
            return raw
        at = edit[1] % len(raw)
        return raw[:at] + bytes([edit[2]]) + raw[at + 1:]
    elif kind == "truncate":
        return raw[: edit[1] % (len(raw) + 1)]
    return b"\n".join(lines)


@settings(max_examples=30, deadline=DEADLINE,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data(), edits=st.lists(text_edits, min_size=1, max_size=3))
def test_text_mutation_gives_a_pack_or_a_pack_error(pack_copy: Path, data: st.DataObject,
                                                    edits: list[tuple[Any, ...]]) -> None:
    name = data.draw(st.sampled_from(_pack_files(pack_copy)), label="file")
    target = pack_copy / name
    original = target.read_bytes()
    try:
        raw = original
        for edit in edits:
            raw = _apply_text_edit(raw, edit)
        target.write_bytes(raw)
        _outcome(pack_copy)
    finally:
        target.write_bytes(original)


scalars = st.none() | st.booleans() | st.integers(-10, 10**16) | st.text(max_size=12) | st.sampled_from(
    ["以上", "超过", "500万元", "2026-13-01", "第十三条第一款", "wuxing.approval.feasibility_study", "total_investment",
     "construction", "approval", "scope", "include", "deadline", "fiscal", "is", "op", "value", "fact", "all"])
yaml_values = st.recursive(scalars, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=6) | st.sampled_from(
    ["fact", "op", "value", "is", "in", "all", "any", "not", "known", "when", "require", "exception_to", "id"]), c,
    max_size=3), max_leaves=6)


def _paths(node: Any, here: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield here
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*here, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*here, index))


def _mutate(doc: Any, path: tuple[Any, ...], action: str, value: Any) -> Any:
    if not path:
        return value if action == "replace" else doc
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if action == "delete":
        del parent[last]
    elif action == "replace":
        parent[last] = value
    elif action == "duplicate" and isinstance(parent, list):
        parent.insert(last, parent[last])
    elif action == "rename" and isinstance(parent, dict) and isinstance(value, str) and value not in parent:
        parent[value] = parent.pop(last)
    return doc


@settings(max_examples=30, deadline=DEADLINE,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_structure_mutation_gives_a_pack_or_a_pack_error(pack_copy: Path, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(_pack_files(pack_copy)), label="file")
    target = pack_copy / name
    original = target.read_bytes()
    doc = yaml.safe_load(original)
    try:
        for _ in range(data.draw(st.integers(1, 3), label="mutations")):
            paths = list(_paths(doc))
            path = data.draw(st.sampled_from(paths), label="path")
            action = data.draw(st.sampled_from(["delete", "replace", "duplicate", "rename"]), label="action")
            doc = _mutate(doc, path, action, data.draw(yaml_values, label="value"))
        target.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")
        _outcome(pack_copy)
    finally:
        target.write_bytes(original)


def test_the_shipped_packs_load_unmutated(pack_copy: Path) -> None:
    """The mutation tests start from a pack that loads, so a PackError there is the mutation's."""
    assert isinstance(_outcome(pack_copy), govrules.Pack)
