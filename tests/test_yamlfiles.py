"""Tests of govrules.yamlfiles: the strict YAML reader every pack, project and holiday file goes through."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govrules.errors import PackProblem
from govrules.yamlfiles import MAX_FILE_BYTES, YamlReadError, read_yaml, read_yaml_text


def read(text: str | bytes, **kwargs: int) -> object:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return read_yaml_text(raw, "f.yaml", **kwargs).data


def problems(text: str | bytes, **kwargs: int) -> tuple[PackProblem, ...]:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(YamlReadError) as info:
        read_yaml_text(raw, "f.yaml", **kwargs)
    assert info.value.problems, "a YamlReadError must carry at least one problem"
    for p in info.value.problems:
        assert p.file == "f.yaml"
    return info.value.problems


def only(text: str | bytes, **kwargs: int) -> PackProblem:
    found = problems(text, **kwargs)
    assert len(found) == 1, found
    return found[0]


# ---------------------------------------------------------------------------------------------
# Duplicate keys


def test_duplicate_key_is_located_at_the_second_key() -> None:
    p = only("a: 1\nb: 2\na: 3\n")
    assert (p.code, p.line, p.column, p.path) == ("duplicate-key", 3, 1, ("a",))
    assert "line 1" in p.message  # names the first definition


def test_nested_duplicate_key_is_located() -> None:
    p = only("rules:\n  - id: x\n    kind: scope\n    id: y\n")
    assert (p.code, p.line, p.column, p.path) == ("duplicate-key", 4, 5, ("rules", 0, "id"))
    assert "line 2" in p.message


def test_every_duplicate_key_is_reported() -> None:
    found = problems("a: 1\na: 2\nb:\n  c: 1\n  c: 2\n")
    assert [(p.code, p.line, p.path) for p in found] == [
        ("duplicate-key", 2, ("a",)),
        ("duplicate-key", 5, ("b", "c")),
    ]


def test_same_key_in_different_mappings_is_fine() -> None:
    assert read("p:\n  a: 1\nq:\n  a: 2\n") == {
        "p": {"a": 1}, "q": {"a": 2},
    }


# ---------------------------------------------------------------------------------------------
# Tags


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object:os.system x\n",
        "a: !!python/object/apply:os.system [echo pwned]\n",
        "a: !!python/name:os.system ''\n",
        "a: !!binary aGVsbG8=\n",
        "a: !!set {x, y}\n",
        "a: !!timestamp 2026-01-01\n",
        "a: !!omap [x: 1]\n",
        "a: !foo bar\n",
        "a: !<tag:example.com,2026:thing> bar\n",
    ],
)
def test_tags_are_refused_and_located(text: str) -> None:
    p = only(text)
    assert (p.code, p.line, p.column, p.path) == ("tag", 1, 4, ("a",))
    assert p.hint


def test_tag_deep_in_a_list_is_located() -> None:
    p = only("rules:\n  - ok\n  - !!binary aGk=\n")
    assert (p.code, p.line, p.column, p.path) == ("tag", 3, 5, ("rules", 1))


def test_python_tag_is_never_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f"a: !!python/object/apply:os.system ['touch {marker}']\n"
    problems(text)
    assert not marker.exists()


def test_core_schema_tags_written_explicitly_are_allowed() -> None:
    assert read("a: !!str yes\nb: !!int 3\n") == {"a": "yes", "b": 3}


# ---------------------------------------------------------------------------------------------
# YAML 1.1 booleans


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n", "Yes", "NO", "On", "OFF", "Y", "N"])
def test_bare_yaml11_booleans_are_ambiguous(word: str) -> None:
    p = only(f"key: {word}\n")
    assert (p.code, p.line, p.column, p.path) == ("ambiguous-boolean", 1, 6, ("key",))
    assert p.hint and "true or false" in p.hint


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n"])
def test_quoted_yaml11_booleans_are_text(word: str) -> None:
    assert read(f'a: "{word}"\nb: \'{word}\'\n') == {"a": word, "b": word}


def test_every_ambiguous_boolean_is_reported() -> None:
    found = problems("a: yes\nb: true\nc:\n  - off\n")
    assert [(p.code, p.line, p.path) for p in found] == [
        ("ambiguous-boolean", 1, ("a",)),
        ("ambiguous-boolean", 4, ("c", 0)),
    ]


@pytest.mark.parametrize(("word", "value"), [("true", True), ("false", False), ("True", True), ("FALSE", False)])
def test_true_and_false_are_booleans(word: str, value: bool) -> None:
    data = read(f"a: {word}\n")
    assert data == {"a": value}
    assert type(data["a"]) is bool  # type: ignore[index]


def test_words_that_merely_contain_yes_are_text() -> None:
    assert read("a: yesterday\nb: none\nc: nope\n") == {"a": "yesterday", "b": "none", "c": "nope"}


# ---------------------------------------------------------------------------------------------
# Numbers, dates, nulls


def test_fraction_is_exact_decimal() -> None:
    data = read("a: 0.1\nb: 2000.50\nc: -.5\n")
    assert data == {"a": Decimal("0.1"), "b": Decimal("2000.50"), "c": Decimal("-0.5")}
    for value in data.values():  # type: ignore[union-attr]
        assert type(value) is Decimal
    assert str(data["b"]) == "2000.50"  # the source text, not a rounded float  # type: ignore[index]


@pytest.mark.parametrize("text", ["0.1", "1.5", "1e3", "1.0", ".5", "-2.25"])
def test_no_number_is_ever_a_float(text: str) -> None:
    value = read(f"a: {text}\n")["a"]  # type: ignore[index]
    assert not isinstance(value, float)
    assert value == Decimal(text)


@pytest.mark.parametrize("text", [".inf", "-.inf", ".nan", ".NaN"])
def test_special_floats_are_not_floats(text: str) -> None:
    assert not isinstance(read(f"a: {text}\n")["a"], float)  # type: ignore[index]


def test_dates_stay_strings() -> None:
    assert read("a: 2026-01-01\nb: 2026-01-01 10:00:00\n") == {"a": "2026-01-01", "b": "2026-01-01 10:00:00"}


def test_leading_zero_is_decimal_not_octal() -> None:
    data = read("a: 010\nb: 007\nc: '0o17'\nd: \"0x1F\"\n")
    assert data == {"a": 10, "b": 7, "c": "0o17", "d": "0x1F"}
    assert type(data["a"]) is int and type(data["b"]) is int  # type: ignore[index]


@pytest.mark.parametrize(("text", "base"), [("0o17", 8), ("0x1F", 16), ("0x10", 16)])
def test_base_8_and_16_numbers_are_refused(text: str, base: int) -> None:
    # Issue 14: 0x10 and 0o17 were read as 16 and 15 (元, in a project); no one means that.
    with pytest.raises(YamlReadError) as info:
        read(f"a: 1\nb: {text}\n")
    (problem,) = info.value.problems
    assert (problem.code, problem.line, problem.column) == ("number-base", 2, 4)
    assert f"base {base}" in problem.message


def test_sexagesimal_is_text() -> None:
    assert read("a: 12:30\n") == {"a": "12:30"}


def test_nulls() -> None:
    assert read("a: ~\nb: null\nc:\n") == {"a": None, "b": None, "c": None}


# ---------------------------------------------------------------------------------------------
# Anchors, aliases and alias bombs


def test_anchor_and_alias_are_each_refused_where_they_stand() -> None:
    found = problems("a: &x [1, 2]\nb: *x\n")
    assert [(p.code, p.line, p.column) for p in found] == [("alias", 1, 4), ("alias", 2, 4)]
    assert "anchor" in found[0].message and "alias" in found[1].message


def test_unused_anchor_is_refused() -> None:
    p = only("a: &x 1\nb: 2\n")
    assert (p.code, p.line, p.column) == ("alias", 1, 4)


def test_ampersand_and_star_inside_text_are_fine() -> None:
    assert read("a: '*x & y'\nb: \"&z\"\n") == {"a": "*x & y", "b": "&z"}


def _billion_laughs(levels: int = 10, width: int = 10) -> str:
    lines = ['l0: &l0 ["' + "lol" + '"]']
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_quickly_without_expanding() -> None:
    text = _billion_laughs()  # fully expanded: 10**9 strings
    start = time.perf_counter()
    found = problems(text)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0
    assert found and all(p.code == "alias" for p in found)
    # One report per anchor at most, not one per expanded occurrence.
    assert len(found) <= 10


# ---------------------------------------------------------------------------------------------
# Size, encoding


def test_size_limit_with_small_max_bytes() -> None:
    raw = b"a: 1\n" * 4  # 20 bytes
    p = only(raw, max_bytes=19)
    assert (p.code, p.file) == ("too-large", "f.yaml")


def test_size_limit_boundary_is_inclusive() -> None:
    raw = b"a: 1\nb: 2\n"  # 10 bytes
    assert read_yaml_text(raw, "f.yaml", max_bytes=len(raw)).data == {"a": 1, "b": 2}
    assert only(raw, max_bytes=len(raw) - 1).code == "too-large"


def test_real_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    line = b"# padding padding padding padding padding padding padding padding padding\n"
    body = line * (MAX_FILE_BYTES // len(line) + 1)
    path.write_bytes(body[: MAX_FILE_BYTES + 1])
    assert path.stat().st_size == MAX_FILE_BYTES + 1
    with pytest.raises(YamlReadError) as info:
        read_yaml(path, display="big.yaml")
    (p,) = info.value.problems
    assert (p.code, p.file) == ("too-large", "big.yaml")


def test_real_file_at_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "limit.yaml"
    head = b"a: 1\n"
    path.write_bytes(head + b"#" * (MAX_FILE_BYTES - len(head)))
    assert path.stat().st_size == MAX_FILE_BYTES
    assert read_yaml(path).data == {"a": 1}


def test_missing_file_is_a_located_problem(tmp_path: Path) -> None:
    with pytest.raises(YamlReadError) as info:
        read_yaml(tmp_path / "nope.yaml", display="nope.yaml")
    (p,) = info.value.problems
    assert (p.code, p.file) == ("unreadable", "nope.yaml")


def test_invalid_utf8_is_located_at_the_bad_byte() -> None:
    p = only(b"a: 1\nbb: x\xffy\n")
    assert (p.code, p.line, p.column) == ("encoding", 2, 6)
    assert "0xff" in p.message


def test_invalid_utf8_on_first_line() -> None:
    p = only(b"\xc3(: 1\n")  # a lead byte followed by a non-continuation byte
    assert (p.code, p.line, p.column) == ("encoding", 1, 1)


def test_invalid_utf8_after_bom_is_located_at_the_bad_byte() -> None:
    p = only(b"\xef\xbb\xbfa: 1\nb: \xff\n")
    assert (p.code, p.line, p.column) == ("encoding", 2, 4)
    assert "0xff" in p.message


def test_bom_is_accepted() -> None:
    assert read(b"\xef\xbb\xbfa: 1\n") == {"a": 1}


def test_chinese_text_is_read() -> None:
    assert read("标题: 总投资500万元以上\n") == {"标题": "总投资500万元以上"}


# ---------------------------------------------------------------------------------------------
# Documents and syntax


def test_multi_document_file_is_refused_at_the_second_document() -> None:
    p = only("a: 1\n---\nb: 2\n")
    assert (p.code, p.line) == ("syntax", 2)


def test_single_document_with_markers_is_fine() -> None:
    assert read("---\na: 1\n...\n") == {"a": 1}


def test_empty_and_comment_only_files_have_no_data() -> None:
    assert read("") is None
    assert read("# nothing here\n") is None


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("a: 1\nb: 2\nc: d: e\n", 3, 5),  # mapping values are not allowed here
        ("a: 1\n  b: 2\n", 2, 4),
        ("a:\n\t- 1\n", 2, 1),  # a tab where indentation is expected
        ("a: 'unterminated\n", 1, 4),  # where the unclosed quote opens, not the end of the file
    ],
)
def test_syntax_errors_are_located(text: str, line: int, column: int) -> None:
    p = only(text)
    assert (p.code, p.line, p.column) == ("syntax", line, column)
    assert p.message


def test_control_character_is_located() -> None:
    p = only(b"a: 1\nb: x\x01y\n")
    assert (p.code, p.line, p.column) == ("syntax", 2, 5)


def test_complex_key_is_refused() -> None:
    p = only("? [a, b]\n: 1\n")
    assert (p.code, p.line) == ("key", 1)


def test_marks_locate_nodes_and_keys() -> None:
    doc = read_yaml_text("rules:\n  - id: x\n    title:\n      zh: 标题\n".encode(), "f.yaml")
    assert doc.locate(("rules", 0, "title", "zh")) == (4, 11)
    assert doc.locate(("rules", 0, "title"), key=True) == (3, 5)
    # An unknown path falls back to its nearest located ancestor.
    assert doc.locate(("rules", 0, "nope", 3)) == (2, 5)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_reader_never_fails_with_anything_but_yaml_read_error(text: str) -> None:
    try:
        read_yaml_text(text.encode("utf-8"), "f.yaml")
    except YamlReadError as exc:
        assert all(isinstance(p, PackProblem) for p in exc.problems)
