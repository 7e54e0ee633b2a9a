"""The fast path of ``parse_project`` (issue 16) gives what the pydantic model gives, or leaves it to it.

``_fast_project`` checks a valid document with the validators the model runs; everything it does
not accept outright goes to the model. These tests compare the two on every corpus project, on
documents built from every fact type with valid, borderline and invalid values, and check that
the fast path never decides alone that a document is bad.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govrules import projects
from govrules.errors import ProjectError
from govrules.projects import Project, parse_project
from govrules.vocabulary import NOT_HAPPENED, Vocabulary, default_vocabulary

V = default_vocabulary()
ROOT = Path(__file__).resolve().parents[1]


# Every fact type, with and without bounds (the shipped vocabulary has no text and no plain date).
SMALL = Vocabulary.from_bytes("""
facts:
  amount: {type: amount, zh: 金额, en: amount}
  number: {type: number, zh: 分数, en: score, minimum: 0, maximum: 100}
  count: {type: integer, zh: 个数, en: count, minimum: 1}
  years: {type: integer, zh: 年数, en: years}
  flag: {type: boolean, zh: 是否, en: flag}
  kind: {type: enum, zh: 类别, en: kind, values: {a: 甲, b: 乙}}
  note: {type: text, zh: 备注, en: note}
  day: {type: date, zh: 日期, en: day}
  signed_on: {type: date, zh: 签订日期, en: signed on, act: true}
""".encode(), "small.yaml")


def by_model(data: Any, vocab: Vocabulary = V) -> Project | ProjectError:
    """What ``parse_project`` gives with the fast path switched off."""
    saved = projects._fast_project
    projects._fast_project = lambda data, vocab: None  # type: ignore[assignment]
    try:
        return parse_project(data, vocab)
    except ProjectError as exc:
        return exc
    finally:
        projects._fast_project = saved  # type: ignore[assignment]


def by_default(data: Any, vocab: Vocabulary = V) -> Project | ProjectError:
    try:
        return parse_project(data, vocab)
    except ProjectError as exc:
        return exc


def assert_same(data: dict[str, Any], vocab: Vocabulary = V) -> Project | None:
    """Both paths agree: the same project (facts in the same order), or the same problems."""
    model, default = by_model(data, vocab), by_default(data, vocab)
    if isinstance(model, ProjectError):
        assert isinstance(default, ProjectError), (data, default)
        assert [p.to_dict() for p in default.problems] == [p.to_dict() for p in model.problems]
        assert projects._fast_project(data, vocab) is None  # the fast path never accepts a bad document
        return None
    assert isinstance(default, Project), (data, default)
    assert default == model
    assert list(default.facts) == list(model.facts)
    assert [type(v) for v in default.facts.values()] == [type(v) for v in model.facts.values()]
    assert [repr(v) for v in default.facts.values()] == [repr(v) for v in model.facts.values()]  # one spelling
    return default


def corpus_documents() -> list[dict[str, Any]]:
    docs = []
    for path in sorted((ROOT / "corpora").glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            for line in list(lines)[:40]:
                docs.append(json.loads(line, parse_float=Decimal))
    return docs


def test_every_corpus_document_is_parsed_alike_and_by_the_fast_path() -> None:
    docs = corpus_documents()
    assert len(docs) >= 100
    fast = 0
    for doc in docs:
        assert assert_same(doc) is not None
        fast += projects._fast_project(doc, V) is not None
    assert fast == len(docs)  # the corpora are valid documents in the usual spellings: all fast


def test_the_example_as_a_system_sends_it_is_parsed_by_the_fast_path() -> None:
    from govrules.projects import read_project

    example = read_project(ROOT / "examples" / "wuxing-project.yaml")
    data = example.to_dict()
    fast = projects._fast_project(data, V)
    assert fast == example
    assert list(fast.facts) == list(example.facts)  # type: ignore[union-attr]


# Values on both sides of every check of the fast path, and of the model's.
AMOUNTS = [0, 1, 10**15 - 1, 10**15, 10**15 + 1, -1, True, 1.5, "8600000", "0", "000123", "9" * 15, "9" * 16,
           "1" + "0" * 15, "1" + "0" * 15 + "1", "500万", "500万元", " 500 ", "5,000,000", "5e6", "-5", "٣٣",
           "", "1.5", Decimal("1.5"), Decimal("NaN"), Decimal("-0"), Decimal("1e-11"), Decimal("1E+15"), None, [1],
           Decimal("5000000.00"), Decimal("1.00000000000"), Decimal("0.0"), Decimal("Infinity"), Decimal("1E+16"),
           Decimal("999999999999999"), Decimal("999999999999999.5"), Decimal(8600000)]
DATES = ["2026-04-30", "2026-02-30", "2026-W01-1", "20260430", " 2026-04-30", "2026-04-30 ", "١٢٣٤-٠١-٠١",
         "1899-12-31", "1900-01-01", "2999-12-31", "3000-01-01", dt.date(2026, 4, 30), dt.date(1899, 12, 31),
         dt.datetime(2026, 4, 30, 1, 2), False, True, 0, None]
BOOLEANS = [True, False, 1, 0, "true", None]
INTEGERS = [0, 3, -3, 10**15, 10**15 + 1, True, 3.0, "3", Decimal(3), None]
NUMBERS = [0, 100, 101, Decimal("100.0"), Decimal("100.01"), "50", "50.5", -1, 1.5, True, None]
TEXTS = ["名称", "", "x" * 300, "\udc80", 1, None]


VALUES = {"amount": AMOUNTS, "day": DATES, "signed_on": DATES, "kind": ["a", "b", "c", "", 1, True, None],
          "flag": BOOLEANS, "count": INTEGERS, "years": INTEGERS, "number": NUMBERS, "note": TEXTS,
          "id": TEXTS, "name": TEXTS}


@pytest.mark.parametrize("name", sorted(VALUES))
def test_each_value_alone_and_beside_others(name: str) -> None:
    for value in VALUES[name]:
        assert_same({name: value}, SMALL)
        assert_same({"flag": True, name: value, "kind": "a"}, SMALL)
        assert_same({name: value, "amount": "100", "day": "2026-01-01"}, SMALL)


def test_a_date_text_the_fast_path_has_seen_is_still_checked_against_its_fact() -> None:
    # An act's date and a plain date share the memo of day texts; NOT_HAPPENED only for acts.
    assert parse_project({"day": "2026-04-30"}, SMALL).facts["day"] == dt.date(2026, 4, 30)
    assert parse_project({"signed_on": False}, SMALL).facts["signed_on"] is NOT_HAPPENED
    assert isinstance(by_default({"day": False}, SMALL), ProjectError)


def test_unknown_keys_and_odd_mappings_go_to_the_model() -> None:
    assert isinstance(by_default({"nope": 1}, SMALL), ProjectError)
    assert_same({"flag": True, "nope": 1}, SMALL)
    assert_same({"flag": True, 3: 1}, SMALL)  # type: ignore[dict-item]
    assert_same({}, SMALL)
    assert_same({"id": "P1"}, SMALL)
    assert_same({"flag": True, "kind": "a"}, SMALL)
    assert_same({"kind": "a", "flag": True}, SMALL)  # the vocabulary's order, whatever the caller's
    assert list(parse_project({"kind": "a", "flag": True}, SMALL).facts) == ["flag", "kind"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(sorted(VALUES)), unique=True).flatmap(
    lambda keys: st.fixed_dictionaries({k: st.sampled_from(VALUES[k]) for k in keys})))
def test_documents_of_mixed_values_are_parsed_alike(data: dict[str, Any]) -> None:
    assert_same(data, SMALL)
