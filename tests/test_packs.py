"""Checks that hold for every shipped pack: the registry is the law's text, every provision is
either encoded or explained, every rule is exercised by a case, and the docs match the data."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import yaml

import govrules
from govrules.casetests import find_case_files
from govrules.cli import facts_markdown, main
from govrules.evaluation import default_policies_dir

ROOT = Path(__file__).resolve().parents[1]
ENGINE = govrules.load()
PACKS = {pack.id: pack for pack in ENGINE.packs}


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _source_text(pack: govrules.Pack) -> str:
    """The pack's source document (``document.source``, shipped in the pack) with all whitespace removed."""
    assert pack.document.source, f"{pack.id}: document.source names the document's text"
    assert pack.directory is not None
    path = pack.directory / pack.document.source
    assert path.resolve().is_relative_to(pack.directory.resolve()), "document.source stays inside the pack"
    return _squash(path.read_text("utf-8"))


@pytest.mark.parametrize("pack_id", sorted(PACKS))
def test_every_pack_ships_its_documents_full_text(pack_id: str) -> None:
    pack = PACKS[pack_id]
    assert pack.document.source == "document.txt"
    assert pack.directory is not None
    text = (pack.directory / "document.txt").read_text("utf-8")
    assert pack.document.number in text or pack.document.title in _squash(text)
    # the whole document: from its title to its last provision, not just the provisions encoded
    assert len(text) > 3_000  # characters; the shortest document, 湖州's, has 3 596
    last = list(pack.provisions.values())[-1]
    if last.text:
        assert _squash(text).rstrip().find(_squash(last.text)) > len(_squash(text)) // 2


@pytest.mark.parametrize("pack_id", sorted(PACKS))
def test_every_provision_text_is_verbatim_from_the_source(pack_id: str) -> None:
    pack = PACKS[pack_id]
    source = _source_text(pack)
    not_found = [p.label for p in pack.provisions.values() if p.text and _squash(p.text) not in source]
    assert not_found == []


@pytest.mark.parametrize("pack_id", sorted(PACKS))
def test_registry_text_follows_document_order(pack_id: str) -> None:
    pack = PACKS[pack_id]
    source = _source_text(pack)
    positions = [source.find(_squash(p.text)) for p in pack.provisions.values() if p.text]
    assert positions == sorted(positions)


@pytest.mark.parametrize("pack_id", sorted(PACKS))
def test_every_evaluable_leaf_provision_is_cited_by_a_rule(pack_id: str) -> None:
    pack = PACKS[pack_id]
    cited = {c.path for rule in pack.rules for c in rule.cites}
    if pack.document.in_force_cites:  # the effective-date provision is encoded in the metadata
        cited.add(pack.provisions[pack.document.in_force_cites].path)

    def covered(path: tuple[str, ...]) -> bool:
        # A provision counts as encoded if it, an ancestor or a descendant is cited.
        return any(c[: len(path)] == path or path[: len(c)] == c for c in cited)

    uncovered = [p.label for p in pack.provisions.values()
                 if p.evaluable and not p.children and not covered(p.path)]
    assert uncovered == [], "evaluable provisions no rule cites; encode them or mark evaluable: false"


@pytest.mark.parametrize("pack_id", sorted(PACKS))
def test_every_rule_is_exercised_by_a_case(pack_id: str) -> None:
    pack = PACKS[pack_id]
    assert pack.directory is not None
    expected_rules: set[str] = set()
    for path in find_case_files(pack.directory):
        for case in yaml.safe_load(path.read_text("utf-8"))["cases"]:
            expected_rules.update(e["rule"] for e in case.get("expect", ()))
    untested = sorted(r.id for r in pack.rules if r.id not in expected_rules)
    assert untested == []


def test_the_facts_page_is_generated_from_the_vocabulary() -> None:
    page = (ROOT / "docs" / "facts.md").read_text("utf-8")
    assert page == facts_markdown(govrules.default_vocabulary()), "run: govrules facts > docs/facts.md"


def test_every_vocabulary_fact_is_used_by_some_pack() -> None:
    used = {name for pack in ENGINE.packs for rule in pack.rules for name in rule.facts()}
    # A scoring rule's total and grade are facts too: written by the rule, read by classifications.
    used |= {name for pack in ENGINE.packs for rule in pack.rules if rule.scoring
             for name in (rule.scoring.total, rule.scoring.grade)}
    assert sorted(set(govrules.default_vocabulary()) - used) == []


def test_the_bundled_packs_are_found_from_any_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert "wuxing" in govrules.load().jurisdictions()
    assert (default_policies_dir() / "wuxing" / "pack.yaml").is_file()


def test_the_readme_example_evaluates_cleanly() -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(["evaluate", str(ROOT / "examples" / "wuxing-project.yaml"), "--jurisdiction", "wuxing",
                 "--as-of", "2026-06-01"], out=out, err=err)
    assert (code, err.getvalue()) == (0, "")
    assert "第十五条" in out.getvalue() or "--all" in out.getvalue()


def test_every_pack_file_names_its_schema_for_editors() -> None:
    for pack in ENGINE.packs:
        assert pack.directory is not None
        files = [pack.directory / "pack.yaml", pack.directory / "provisions.yaml",
                 *sorted((pack.directory / "rules").glob("*.yaml")), *find_case_files(pack.directory)]
        for path in files:
            first = path.read_text("utf-8").splitlines()[0]
            match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
            assert match, f"{path}: first line names the schema"
            assert (path.parent / match.group(1)).resolve().is_file(), f"{path}: schema path resolves"
