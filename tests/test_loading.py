"""Tests of govrules.loading: packs load, and every broken pack is refused with located problems."""

from __future__ import annotations

import copy
import functools
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import govrules
from govrules.errors import PackError, PackProblem
from govrules.loading import find_pack_dirs, load_pack, load_packs

REPO = Path(__file__).resolve().parents[1]
WUXING = REPO / "policies" / "wuxing"
CORPUS = Path(__file__).resolve().parent / "data" / "bad_packs"


# ---------------------------------------------------------------------------------------------
# Helpers


def make_pack(root: Path, name: str = "wuxing", rules: dict[str, str] | None = None,
              pack_id: str = "wuxing") -> Path:
    """A pack directory under ``root``: wuxing's pack.yaml and registry plus the given rule files."""
    directory = root / name
    directory.mkdir(parents=True)
    meta = (WUXING / "pack.yaml").read_text("utf-8")
    if pack_id != "wuxing":
        assert "\nid: wuxing\n" in meta
        meta = meta.replace("\nid: wuxing\n", f"\nid: {pack_id}\n", 1)
    (directory / "pack.yaml").write_text(meta, "utf-8")
    shutil.copy(WUXING / "provisions.yaml", directory / "provisions.yaml")
    if rules:
        (directory / "rules").mkdir()
        for file_name, text in rules.items():
            (directory / "rules" / file_name).write_text(text, "utf-8")
    return directory


def rule(rule_id: str = "wuxing.test.ok", *, kind: str = "approval", cites: str = "[第十三条第一款]",
         extra: str = "", outcome: str = "test_outcome") -> str:
    """One rule as YAML list item text (9 lines before ``extra``)."""
    return (
        f"  - id: {rule_id}\n"
        f"    kind: {kind}\n"
        f"    title:\n"
        f"      zh: 测试规则\n"
        f"      en: A test rule\n"
        f"    cites: {cites}\n"
        f"{extra}"
        f"    outcome: {outcome}\n"
    )


def rules_file(*rules: str) -> str:
    return "rules:\n" + "\n".join(rules)


def load_error(directory: Path) -> PackError:
    with pytest.raises(PackError) as info:
        load_pack(directory)
    return info.value


def same_file(reported: str, expected: Path) -> bool:
    path = Path(reported)
    if not path.is_absolute():
        path = Path.cwd() / path
    return path.resolve() == expected.resolve()


def in_file(problems: tuple[PackProblem, ...], expected: Path) -> list[PackProblem]:
    return [p for p in problems if same_file(p.file, expected)]


# ---------------------------------------------------------------------------------------------
# A valid pack


def test_minimal_pack_loads(tmp_path: Path) -> None:
    text = rules_file(rule(extra="    when:\n      fact: total_investment\n      op: 以上\n      value: 500万元\n"))
    pack = load_pack(make_pack(tmp_path, rules={"r.yaml": text}))
    assert pack.id == "wuxing"
    (loaded,) = pack.rules
    assert loaded.id == "wuxing.test.ok"
    assert loaded.cites[0].label == "第十三条第一款"
    assert loaded.cites[0].document == "吴政办发〔2023〕43号"
    assert loaded.facts() == ("total_investment",)
    assert loaded.at is not None and same_file(loaded.at[0], tmp_path / "wuxing" / "rules" / "r.yaml")
    assert loaded.at[1] == 2
    assert pack.content_hash.startswith("sha256:")


def test_pack_without_rules_directory_loads(tmp_path: Path) -> None:
    assert load_pack(make_pack(tmp_path)).rules == ()


# ---------------------------------------------------------------------------------------------
# The bad-pack corpus: one failure mode per directory


@dataclass(frozen=True)
class Expect:
    file: str          # relative to the pack directory
    line: int | None
    column: int | None = None
    code: str | None = None  # None: any code (used where the fix may choose the code)
    path_end: tuple[str | int, ...] = ()
    hint: str | None = None  # a fragment the hint must contain
    message: str | None = None  # a fragment the message must contain


CORPUS_CASES = [
    pytest.param("unknown_key", Expect("rules/bad.yaml", 5, 5, "unknown-key", ("tilte",), hint="'title'"),
                 id="unknown_key"),
    pytest.param("unknown_provision",
                 Expect("rules/bad.yaml", 9, 9, "unknown-provision", ("cites", 0), hint="'第十三条第一款'"),
                 id="unknown_provision"),
    pytest.param("cites_not_evaluable",
                 Expect("rules/bad.yaml", 10, 9, "cites-not-evaluable", ("cites", 1)), id="cites_not_evaluable"),
    pytest.param("unknown_fact",
                 Expect("rules/bad.yaml", 10, 13, "unknown-fact", ("when", "fact"), hint="'total_investment'"),
                 id="unknown_fact"),
    pytest.param("condition_unknown_key",
                 Expect("rules/bad.yaml", 11, 7, "unknown-key", ("when", "opp"), hint="'op'"),
                 id="condition_unknown_key"),
    pytest.param("ordered_word_on_boolean",
                 Expect("rules/bad.yaml", 11, 11, "type-mismatch", ("when", "op")), id="ordered_word_on_boolean"),
    pytest.param("date_compared_with_amount",
                 Expect("rules/bad.yaml", 12, 14, "type-mismatch", ("when", "value")),
                 id="date_compared_with_amount"),
    pytest.param("enum_value_unknown",
                 Expect("rules/bad.yaml", 11, 11, "type-mismatch", ("when", "is"), hint="'construction'"),
                 id="enum_value_unknown"),
    pytest.param("unknown_operator",
                 Expect("rules/bad.yaml", 11, 11, "unknown-operator", ("when", "op"), hint="以上"),
                 id="unknown_operator"),
    pytest.param("exception_cycle",
                 Expect("rules/bad.yaml", 5, 19, "exception-cycle", ("exception_to",),
                        message="wuxing.test.a → wuxing.test.b → wuxing.test.a"),
                 id="exception_cycle"),
    pytest.param("exception_to_unknown",
                 Expect("rules/bad.yaml", 13, 19, "unknown-rule", ("rules", 1, "exception_to"),
                        hint="'wuxing.test.general'"),
                 id="exception_to_unknown"),
    pytest.param("duplicate_rule_id",
                 Expect("rules/second.yaml", 3, 9, "duplicate-rule", ("id",), message="first.yaml:11"),
                 id="duplicate_rule_id"),
    pytest.param("rule_id_without_pack_prefix",
                 Expect("rules/bad.yaml", 3, 9, None, ("rules", 0, "id"), hint="pack id",
                        message="'wuxing.'"),
                 id="rule_id_without_pack_prefix"),
    pytest.param("scope_without_effect",
                 Expect("rules/bad.yaml", 3, 5, "kind", ("rules", 0), message="effect"), id="scope_without_effect"),
    pytest.param("deadline_on_non_deadline_rule",
                 Expect("rules/bad.yaml", 10, 7, "kind", ("rules", 0, "deadline")),
                 id="deadline_on_non_deadline_rule"),
    pytest.param("deadline_from_non_date",
                 Expect("rules/bad.yaml", 10, 13, "type-mismatch", ("deadline", "from")), id="deadline_from_non_date"),
    pytest.param("empty_file", Expect("rules/empty.yaml", None, None, None, (), message="empty"), id="empty_file"),
    pytest.param("duplicate_key",
                 Expect("rules/bad.yaml", 10, 5, "duplicate-key", ("rules", 0, "outcome"), message="line 9"),
                 id="duplicate_key"),
    pytest.param("ambiguous_boolean",
                 Expect("rules/bad.yaml", 5, 19, "ambiguous-boolean", ("in_principle",)), id="ambiguous_boolean"),
    pytest.param("python_tag", Expect("rules/bad.yaml", 7, 11, "tag", ("title", "en")), id="python_tag"),
    pytest.param("orphan_provision",
                 Expect("provisions.yaml", 9, 11, "orphan-provision", ("provisions", 1, "path"), message="第二条"),
                 id="orphan_provision"),
    pytest.param("evaluable_false_without_reason",
                 Expect("provisions.yaml", 3, 5, "reason-missing", ("provisions", 0)),
                 id="evaluable_false_without_reason"),
    # Modes that once crashed or passed instead of being refused with a located problem:
    pytest.param("enum_value_as_list", Expect("rules/bad.yaml", 11, 11, "type-mismatch", ("when", "is"),
                                              message="in: [...]"),
                 id="enum_value_as_list"),
    pytest.param("amount_overflow", Expect("rules/bad.yaml", 12, 14, "type-mismatch", ("when", "value")),
                 id="amount_overflow"),
    pytest.param("date_not_iso", Expect("rules/bad.yaml", 12, 14, "type-mismatch", ("when", "value"),
                                        message="YYYY-MM-DD"),
                 id="date_not_iso"),
]


def overlay_pack(tmp_path: Path, mode: str) -> Path:
    directory = make_pack(tmp_path)
    shutil.copytree(CORPUS / mode, directory, dirs_exist_ok=True)
    return directory


@pytest.mark.parametrize(("mode", "expect"), CORPUS_CASES)
def test_bad_pack_corpus(tmp_path: Path, mode: str, expect: Expect) -> None:
    directory = overlay_pack(tmp_path, mode)
    error = load_error(directory)
    matching = in_file(error.problems, directory / expect.file)
    assert matching, f"no problem names {expect.file}: {error.problems}"
    located = [p for p in matching if (p.line, p.column) == (expect.line, expect.column)
               or (expect.column is None and p.line == expect.line)]
    assert located, f"no problem at line {expect.line}, column {expect.column}: {matching}"
    p = located[0]
    if expect.code is not None:
        assert p.code == expect.code
    assert p.path[len(p.path) - len(expect.path_end):] == expect.path_end
    if expect.hint is not None:
        assert p.hint is not None and expect.hint in p.hint
    if expect.message is not None:
        assert expect.message in p.message
    # Problems are data: the JSON form carries the same location.
    assert p.to_dict()["line"] == expect.line
    assert str(p).startswith(p.location())


def test_corpus_table_covers_every_directory() -> None:
    on_disk = {p.name for p in CORPUS.iterdir() if p.is_dir()}
    in_table = {case.values[0] for case in CORPUS_CASES}
    assert on_disk == in_table


def test_corpus_is_not_collected_as_pack_cases() -> None:
    # The govrules pytest plugin collects <pack>/tests/test_*.yaml; the corpus must never look like a pack.
    assert not list(CORPUS.rglob("pack.yaml"))
    assert not list(CORPUS.rglob("test_*.yaml"))


# ---------------------------------------------------------------------------------------------
# Every problem at once


def test_three_independent_semantic_errors_are_reported_together(tmp_path: Path) -> None:
    text = rules_file(
        rule("wuxing.test.one", extra="    when:\n      fact: total_investmnt\n      op: 以上\n      value: 1\n"),
        rule("wuxing.test.two", cites="[第十三条一款]"),
        rule("wuxing.test.three", kind="scope"),
    )
    directory = make_pack(tmp_path, rules={"r.yaml": text})
    error = load_error(directory)
    found = {(p.code, p.line) for p in in_file(error.problems, directory / "rules" / "r.yaml")}
    # rule one starts at line 2 (its 'fact' at 9), rule two at line 14 (cites at 19), rule three at line 22.
    assert {("unknown-fact", 9), ("unknown-provision", 19), ("kind", 22)} <= found
    assert len(error.problems) >= 3


def test_structural_errors_in_two_files_are_reported_together(tmp_path: Path) -> None:
    directory = make_pack(tmp_path, rules={
        "a.yaml": rules_file(rule("wuxing.test.a").replace("title:", "tilte:")),
        "b.yaml": "rules:\n  - id: wuxing.test.b\n    id: wuxing.test.c\n",
    })
    error = load_error(directory)
    a = in_file(error.problems, directory / "rules" / "a.yaml")
    b = in_file(error.problems, directory / "rules" / "b.yaml")
    assert any(p.code == "unknown-key" and p.line == 4 for p in a)
    assert any(p.code == "duplicate-key" and p.line == 3 for p in b)


def test_semantic_errors_in_registry_and_rules_are_reported_together(tmp_path: Path) -> None:
    directory = overlay_pack(tmp_path, "evaluable_false_without_reason")
    (directory / "rules").mkdir(exist_ok=True)
    (directory / "rules" / "r.yaml").write_text(rules_file(rule(cites="[第三十三条, 第九十九条]")), "utf-8")
    error = load_error(directory)
    assert any(p.code == "reason-missing" for p in in_file(error.problems, directory / "provisions.yaml"))
    assert any(p.code == "unknown-provision" and p.line == 7
               for p in in_file(error.problems, directory / "rules" / "r.yaml"))


def test_load_packs_reports_problems_of_two_packs_together(tmp_path: Path) -> None:
    first = make_pack(tmp_path, "first", rules={"r.yaml": rules_file(rule(cites="[第十三条一款]"))})
    second = make_pack(tmp_path, "second", pack_id="second",
                       rules={"r.yaml": rules_file(rule("second.test.x", kind="scope"))})
    assert find_pack_dirs(tmp_path) == [first, second]
    with pytest.raises(PackError) as info:
        load_packs([tmp_path])
    problems = info.value.problems
    assert any(p.code == "unknown-provision" for p in in_file(problems, first / "rules" / "r.yaml"))
    assert any(p.code == "kind" for p in in_file(problems, second / "rules" / "r.yaml"))


def test_load_packs_refuses_two_packs_with_one_id(tmp_path: Path) -> None:
    make_pack(tmp_path, "a")
    make_pack(tmp_path, "b")
    with pytest.raises(PackError) as info:
        load_packs([tmp_path])
    (p,) = info.value.problems
    assert p.code == "duplicate-pack"
    assert same_file(p.file, tmp_path / "b" / "pack.yaml")


def test_load_packs_reports_a_root_without_packs(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(PackError) as info:
        load_packs([tmp_path / "empty"])
    (p,) = info.value.problems
    assert p.code == "no-packs"


# ---------------------------------------------------------------------------------------------
# More semantic checks


def test_exception_cycle_of_three_and_self_cycle(tmp_path: Path) -> None:
    text = rules_file(
        rule("wuxing.test.a", extra="    exception_to: wuxing.test.b\n", outcome="a"),
        rule("wuxing.test.b", extra="    exception_to: wuxing.test.c\n", outcome="b"),
        rule("wuxing.test.c", extra="    exception_to: wuxing.test.a\n", outcome="c"),
        rule("wuxing.test.d", extra="    exception_to: wuxing.test.d\n", outcome="d"),
    )
    error = load_error(make_pack(tmp_path, rules={"r.yaml": text}))
    cycles = [p for p in error.problems if p.code == "exception-cycle"]
    assert len(cycles) == 2  # one report per cycle, not one per member
    messages = " | ".join(p.message for p in cycles)
    assert "wuxing.test.d → wuxing.test.d" in messages
    assert all(name in messages for name in ("wuxing.test.a", "wuxing.test.b", "wuxing.test.c"))


def test_exception_chain_without_cycle_loads(tmp_path: Path) -> None:
    text = rules_file(
        rule("wuxing.test.a", outcome="a"),
        rule("wuxing.test.b", extra="    exception_to: wuxing.test.a\n", outcome="b"),
        rule("wuxing.test.c", extra="    exception_to: wuxing.test.b\n", outcome="c"),
    )
    pack = load_pack(make_pack(tmp_path, rules={"r.yaml": text}))
    assert pack.rule("wuxing.test.c").exception_to == "wuxing.test.b"


def test_in_force_cites_unknown_provision(tmp_path: Path) -> None:
    directory = make_pack(tmp_path)
    meta = directory / "pack.yaml"
    text = meta.read_text("utf-8")
    assert "in_force_cites: 第三十三条\n" in text
    meta.write_text(text.replace("in_force_cites: 第三十三条\n", "in_force_cites: 第三十三\n"), "utf-8")
    line = text.splitlines().index("  in_force_cites: 第三十三条") + 1
    error = load_error(directory)
    (p,) = error.problems
    assert same_file(p.file, meta)
    assert (p.code, p.line, p.path) == ("unknown-provision", line, ("document", "in_force_cites"))
    assert p.hint is not None and "第三十三条" in p.hint


def test_in_force_until_before_in_force_from(tmp_path: Path) -> None:
    directory = make_pack(tmp_path)
    meta = directory / "pack.yaml"
    text = meta.read_text("utf-8")
    meta.write_text(text.replace("in_force_until: null", 'in_force_until: "2023-01-01"'), "utf-8")
    error = load_error(directory)
    (p,) = error.problems
    assert p.path == ("document", "in_force_until")
    assert p.line == text.splitlines().index("  in_force_until: null") + 1


def test_unknown_key_in_pack_yaml_has_a_hint(tmp_path: Path) -> None:
    directory = make_pack(tmp_path)
    meta = directory / "pack.yaml"
    text = meta.read_text("utf-8")
    meta.write_text(text.replace("\njurisdiction:\n", "\njurisdicton:\n"), "utf-8")
    error = load_error(directory)
    unknown = [p for p in error.problems if p.code == "unknown-key"]
    assert len(unknown) == 1
    assert unknown[0].hint is not None and "'jurisdiction'" in unknown[0].hint
    assert unknown[0].line == text.splitlines().index("jurisdiction:") + 1


# ---------------------------------------------------------------------------------------------
# The real packs


def test_real_packs_load_from_another_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    engine = govrules.load()
    ids = {pack.id for pack in engine.packs}
    assert "wuxing" in ids
    wuxing = next(p for p in engine.packs if p.id == "wuxing")
    assert len(wuxing.rules) > 10
    for r in wuxing.rules:
        assert r.id.startswith("wuxing.")
        for citation in r.cites:
            assert wuxing.provisions[citation.label].evaluable


def test_real_pack_hash_is_independent_of_location(tmp_path: Path) -> None:
    copy = tmp_path / "wuxing"
    shutil.copytree(WUXING, copy)
    assert load_pack(copy).content_hash == load_pack(WUXING).content_hash


def test_content_hash_follows_pack_files_and_ignores_tests(tmp_path: Path) -> None:
    copy = tmp_path / "wuxing"
    shutil.copytree(WUXING, copy)
    original = load_pack(copy).content_hash

    # Only tests/ changes: same hash.
    case_files = sorted((copy / "tests").glob("*.yaml"))
    assert case_files
    case_files[0].write_text(case_files[0].read_text("utf-8") + "# another comment\n", "utf-8")
    (copy / "tests" / "more_cases.yaml").write_text("cases: []\n", "utf-8")
    assert load_pack(copy).content_hash == original

    # One character of a rule file changes: another hash.
    approval = copy / "rules" / "approval.yaml"
    text = approval.read_text("utf-8")
    assert text.count("区大数据局组织初审并形成项目初审意见") == 1
    approval.write_text(text.replace("区大数据局组织初审并形成项目初审意见", "区大数据局组织初审并形成项目复审意见"), "utf-8")
    changed = load_pack(copy).content_hash
    assert changed != original

    # And back: the hash is a function of the content.
    approval.write_text(text, "utf-8")
    assert load_pack(copy).content_hash == original


@pytest.mark.parametrize("name", ["pack.yaml", "provisions.yaml"])
def test_content_hash_follows_metadata_and_registry(tmp_path: Path, name: str) -> None:
    copy = tmp_path / "wuxing"
    shutil.copytree(WUXING, copy)
    original = load_pack(copy).content_hash
    target = copy / name
    target.write_text(target.read_text("utf-8") + "# x\n", "utf-8")
    assert load_pack(copy).content_hash != original


def test_a_malformed_rule_does_not_hide_the_problems_of_the_others(tmp_path: Path) -> None:
    """One rule breaking the schema is reported, and every other rule is still checked."""
    pack = tmp_path / "wuxing"
    shutil.copytree(WUXING, pack, ignore=shutil.ignore_patterns("tests"))
    rules = pack / "rules" / "approval.yaml"
    text = rules.read_text("utf-8")
    text = text.replace("    outcome: initial_review_big_data_bureau",
                        "    outcome: initial_review_big_data_bureau\n    tilte: 初审", 1)
    text = text.replace("fact: involves_public_video_surveillance", "fact: involves_public_video_surveilance", 1)
    text = text.replace("cites: [第十条第一款]", "cites: [第十条第三款]", 1)
    text = text.replace("op: 低于", "op: 低与", 1)
    rules.write_text(text, "utf-8")
    with pytest.raises(PackError) as info:
        load_pack(pack)
    codes = sorted(p.code for p in info.value.problems)
    assert codes == ["unknown-fact", "unknown-key", "unknown-operator", "unknown-provision"]
    assert all(p.file.endswith("rules/approval.yaml") and p.line for p in info.value.problems)


def test_an_exception_to_a_malformed_rule_is_not_called_unknown(tmp_path: Path) -> None:
    pack = tmp_path / "wuxing"
    shutil.copytree(WUXING, pack, ignore=shutil.ignore_patterns("tests"))
    rules = pack / "rules" / "approval.yaml"
    text = rules.read_text("utf-8").replace(
        "    outcome: no_land_energy_environment_reviews\n",
        "    outcome: no_land_energy_environment_reviews\n    tilte: x\n", 1)
    rules.write_text(text, "utf-8")
    with pytest.raises(PackError) as info:
        load_pack(pack)
    assert [p.code for p in info.value.problems] == ["unknown-key"]


# ---------------------------------------------------------------------------------------------
# The loader validates with a cheaper form of each schema (conditions left to the condition
# parser, references inlined): it must find exactly the problems the published schema finds.

def _schema_name(path: Path) -> str | None:
    if path.name == "pack.yaml":
        return "pack"
    if path.name == "provisions.yaml":
        return "provisions"
    if path.parent.name == "rules":
        return "rules"
    if path.parent.name == "tests" and path.name.startswith("test_"):
        return "cases"
    return None


def _schema_documents() -> list[tuple[str, Any]]:
    from govrules.yamlfiles import YamlReadError, read_yaml

    found = []
    for root in (REPO / "policies", REPO / "tests" / "data" / "bad_packs", REPO / "tests" / "data" / "hostile_packs"):
        for path in sorted(root.rglob("*.yaml")):
            name = _schema_name(path)
            if name is None:
                continue
            try:
                doc = read_yaml(path)
            except YamlReadError:
                continue
            if doc.data is not None:
                found.append((name, doc))
    return found


@functools.cache
def _full_validator(name: str) -> Any:
    import jsonschema

    from govrules.loading import schema

    return jsonschema.Draft202012Validator(schema(name))


def _shown(problems: list[PackProblem]) -> list[tuple[Any, ...]]:
    return sorted((p.file, p.line, p.column, p.code, p.message, p.hint) for p in problems)


def test_load_time_schemas_find_what_the_published_schemas_find() -> None:
    from govrules.loading import schema_problems

    documents = _schema_documents()
    assert {name for name, _ in documents} == {"pack", "provisions", "rules", "cases"}
    some_problem = False
    for name, doc in documents:
        fast = schema_problems(doc, name)
        assert _shown(fast) == _shown(schema_problems(doc, name, validator=_full_validator(name))), doc.file
        some_problem = some_problem or bool(fast)
    assert some_problem  # the bad-pack corpus does break the schemas somewhere


_REPLACEMENTS = (None, 0, 1.5, "x", "", [], {}, [1], {"x": 1}, {"fact": "x"}, {"all": 1}, {"id": None}, True)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_load_time_schemas_agree_on_mutated_documents(data: st.DataObject) -> None:
    from govrules.loading import schema_problems
    from govrules.yamlfiles import YamlDocument

    documents = [(n, d) for n, d in _schema_documents_cached() if "policies" in d.file]
    name, doc = data.draw(st.sampled_from(documents))
    mutated = copy.deepcopy(doc.data)
    for _ in range(data.draw(st.integers(1, 3))):
        node, key = mutated, None
        # walk down to a random node, then replace or delete one of its children
        while isinstance(node, (dict, list)) and node and data.draw(st.booleans()):
            key = data.draw(st.sampled_from(list(node) if isinstance(node, dict) else list(range(len(node)))))
            if not isinstance(node[key], (dict, list)) or not node[key]:
                break
            node = node[key]
        if isinstance(node, (dict, list)) and node:
            key = data.draw(st.sampled_from(list(node) if isinstance(node, dict) else list(range(len(node)))))
            if data.draw(st.booleans()):
                node[key] = copy.deepcopy(data.draw(st.sampled_from(_REPLACEMENTS)))
            else:
                del node[key]
    changed = YamlDocument(doc.file, mutated, doc.raw, doc.marks, doc.key_marks)
    assert _shown(schema_problems(changed, name)) == \
        _shown(schema_problems(changed, name, validator=_full_validator(name)))


@functools.cache
def _schema_documents_cached() -> tuple[tuple[str, Any], ...]:
    return tuple(_schema_documents())
