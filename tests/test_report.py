"""Tests of govrules.report: the JSON contract, immutability, provision look-up and determinism."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from packwriter import write_pack

import govrules
from govrules import Status

D = date.fromisoformat
REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "wuxing-project.yaml"
POLICIES = REPO / "policies"
PYTHON = Path(sys.executable)
AS_OF = D("2026-06-01")

REPORT_KEYS = ["format", "engine", "decision_id", "jurisdiction", "as_of", "project", "packs", "calendar", "notices",
               "summary", "provisions", "decisions"]
DECISION_KEYS = {"rule", "pack", "kind", "status", "outcome", "title", "citations", "facts", "explanation"}
OPTIONAL_DECISION_KEYS = {"missing", "due", "provisional", "in_principle", "exception_to", "overridden_by",
                          "local_parameters", "readings", "unclaimed", "not_needed", "score"}  # only where they apply
DOCUMENTS = {"wuxing": "吴政办发〔2023〕43号", "huzhou": "湖政办发〔2023〕40号"}
STATUSES = ["applies", "not_applicable", "satisfied", "violated", "pending", "overdue", "unknown"]
HEX64 = re.compile(r"^[0-9a-f]{64}$")


@pytest.fixture(scope="module")
def engine() -> govrules.Engine:
    return govrules.load()


@pytest.fixture(scope="module")
def example() -> govrules.Project:
    return govrules.read_project(EXAMPLE)


@pytest.fixture(scope="module")
def report(engine: govrules.Engine, example: govrules.Project) -> govrules.Report:
    return engine.evaluate(example, "wuxing", AS_OF)


def registry_texts(pack: str) -> dict[str, str]:
    """label → own text, read straight from the pack's YAML registry (independent of the loader)."""
    entries = yaml.safe_load((POLICIES / pack / "provisions.yaml").read_text(encoding="utf-8"))["provisions"]
    return {e["label"]: e.get("text") for e in entries}


# ---------------------------------------------------------------------------------------------
# Shape of to_dict / to_json


def test_report_top_level_keys_in_fixed_order(report: govrules.Report) -> None:
    data = report.to_dict()
    assert list(data) == REPORT_KEYS
    assert list(json.loads(report.to_json())) == REPORT_KEYS


def test_report_header_fields(report: govrules.Report) -> None:
    data = report.to_dict()
    assert data["format"] == 2
    assert data["engine"] == {"name": "govrules", "version": govrules.__version__}
    assert data["jurisdiction"] == "wuxing"
    assert data["as_of"] == "2026-06-01"
    assert data["project"] == {"id": "WX-2026-017", "name": "吴兴区基层治理“一件事”多跨协同平台"}


def test_report_packs_and_calendar(report: govrules.Report, engine: govrules.Engine) -> None:
    data = report.to_dict()
    # 吴兴 and, as its parent jurisdiction (pack metadata), 湖州: nearest first.
    assert [p["id"] for p in data["packs"]] == ["wuxing", "huzhou"]
    for pack in data["packs"]:
        assert {"id", "version", "content_hash"} <= set(pack)
        assert pack["version"] == {"wuxing": "2026.2", "huzhou": "2026.1"}[pack["id"]]
        assert pack["content_hash"].startswith("sha256:")
        assert HEX64.match(pack["content_hash"].removeprefix("sha256:"))
        loaded = next(p for p in engine.packs if p.id == pack["id"])
        assert pack["content_hash"] == loaded.content_hash
        assert pack["document"] == DOCUMENTS[pack["id"]]
    assert isinstance(data["calendar"]["sources"], list) and data["calendar"]["sources"]
    assert HEX64.match(data["calendar"]["fingerprint"])


def test_report_notices_are_code_zh_en(engine: govrules.Engine, example: govrules.Project) -> None:
    # The day before 吴兴's measure takes effect: 湖州's plan is in force, 吴兴's is not.
    report = engine.evaluate(example, "wuxing", D("2023-11-24"))
    notices = report.to_dict()["notices"]
    for notice in notices:
        assert set(notice) == {"code", "zh", "en"}
        assert all(isinstance(v, str) and v for v in notice.values())
    # Besides the pack not yet in force, only the notices of what decisions rest on (local parameters,
    # readings of an unsettled text) may appear.
    assert [n["code"] for n in notices if n["code"] not in ("local-parameters", "readings")] == ["pack-not-in-force"]
    assert [p.id for p in report.packs] == ["huzhou"]


def test_report_summary_counts_every_status(report: govrules.Report) -> None:
    data = report.to_dict()
    summary = data["summary"]
    assert sorted(summary) == sorted(STATUSES)
    assert sum(summary.values()) == len(data["decisions"]) == len(report.decisions)
    for status in STATUSES:
        assert summary[status] == sum(1 for d in data["decisions"] if d["status"] == status)
    assert summary == report.summary()


def test_every_decision_has_the_documented_shape(report: govrules.Report) -> None:
    texts = {pack: registry_texts(pack) for pack in DOCUMENTS}
    data = report.to_dict()
    decisions, provisions = data["decisions"], data["provisions"]
    assert len(decisions) > 20
    # Each cited provision once, every one of them cited, in the order first cited.
    cited = [i for d in decisions for i in d["citations"]]
    assert sorted(set(cited)) == list(range(len(provisions)))
    assert list(dict.fromkeys(cited)) == list(range(len(provisions)))
    assert len({(p["document"], tuple(p["path"])) for p in provisions}) == len(provisions)
    assert {d["pack"] for d in decisions} == {"wuxing", "huzhou"}
    for d in decisions:
        assert DECISION_KEYS <= set(d) <= DECISION_KEYS | OPTIONAL_DECISION_KEYS, d["rule"]
        assert d["rule"].startswith(d["pack"] + ".")
        assert d["status"] in STATUSES
        assert re.match(r"^[a-z][a-z0-9_]*$", d["outcome"])
        assert set(d["title"]) == {"zh", "en"} and d["title"]["zh"] and d["title"]["en"]
        assert set(d["explanation"]) == {"zh", "en"} and d["explanation"]["zh"] and d["explanation"]["en"]
        assert d["citations"], d["rule"]
        decision = report.decision(d["rule"])
        assert [provisions[i] for i in d["citations"]] == [c.to_dict() for c in decision.citations]
        for c in (provisions[i] for i in d["citations"]):
            assert set(c) == {"document", "path", "label", "text"}
            assert c["document"] == DOCUMENTS[d["pack"]]
            assert isinstance(c["path"], list) and c["path"]
            assert c["label"].startswith(c["path"][0])
            own = texts[d["pack"]][c["label"]]
            if own:
                assert c["text"].startswith(own)
            assert c["text"]
        assert isinstance(d["facts"], dict)
        # A key left out means the empty list, null or false: nothing is lost.
        assert d.get("missing", []) == list(decision.missing) and d.get("missing") != []
        assert d.get("due") == (decision.due.isoformat() if decision.due else None)
        assert "due" not in d or re.match(r"^\d{4}-\d{2}-\d{2}$", d["due"])
        assert d.get("provisional", False) is decision.provisional and d.get("provisional") is not False
        assert d.get("in_principle", False) is decision.in_principle and d.get("in_principle") is not False
        assert d.get("exception_to") == decision.exception_to and d.get("overridden_by") == decision.overridden_by
        assert None not in (d.get("exception_to", ""), d.get("overridden_by", ""), d.get("due", ""))
        if d["status"] == "unknown":
            assert d.get("missing"), d["rule"]


def test_decision_to_dict_values(report: govrules.Report) -> None:
    data = report.to_dict()
    upload = next(d for d in data["decisions"] if d["rule"] == "wuxing.deadline.contract_upload")
    assert upload["kind"] == "deadline"
    assert upload["status"] == "satisfied"
    assert upload["due"] == "2026-05-11"
    # what the rule read: whether it is an O&M contract (第十五条, reading wuxing_art15_om_contracts) and the dates
    assert upload["facts"] == {"project_type": "construction", "contract_signed_on": "2026-04-30",
                               "contract_uploaded_on": "2026-05-11"}
    assert data["provisions"][upload["citations"][0]]["label"] == "第十五条"
    assert data["provisions"][upload["citations"][0]]["path"] == ["第十五条"]
    # The Python API keeps whole citations on the decision, and a decision's own to_dict too.
    decision = report.decision("wuxing.deadline.contract_upload")
    assert decision.citations[0].label == "第十五条"
    assert decision.to_dict()["citations"][0]["label"] == "第十五条"


@pytest.mark.parametrize(
    ("written", "serialized"),
    [("500万元", "5000000"), ("5000000", "5000000"), ("4999999.99", "4999999.99"), ("2000万", "20000000"),
     ("5,000,000", "5000000"), (5000000, "5000000")],
)
def test_amounts_serialize_as_exact_strings(engine: govrules.Engine, written: object, serialized: str) -> None:
    project = {"funding_source": "fiscal", "owner_unit_type": "administrative_unit",
               "subject_matter": "information_system", "is_classified": False, "project_type": "construction",
               "total_investment": written}
    report = engine.evaluate(project, "wuxing", AS_OF)
    feas = next(d for d in report.to_dict()["decisions"] if d["rule"] == "wuxing.approval.feasibility_study")
    assert feas["facts"]["total_investment"] == serialized
    assert f'"total_investment": "{serialized}"' in report.to_json()


def test_to_json_is_readable_utf8_and_equals_to_dict(report: govrules.Report) -> None:
    text = report.to_json()
    assert "第十五条" in text and "\\u" not in text
    assert json.loads(text) == report.to_dict()
    compact = report.to_json(indent=None)
    assert "\n" not in compact
    assert json.loads(compact) == report.to_dict()


def test_to_dict_returns_a_fresh_copy(report: govrules.Report) -> None:
    data = report.to_dict()
    data["decisions"].clear()
    data["summary"]["applies"] = -1
    assert report.to_dict()["decisions"]
    assert report.to_dict()["summary"]["applies"] >= 0


# ---------------------------------------------------------------------------------------------
# Immutability


def test_decision_is_frozen(report: govrules.Report) -> None:
    decision = report.decisions[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.status = Status.VIOLATED  # type: ignore[misc]
    # Unknown attributes cannot be added either (slots; CPython 3.11 raises TypeError there, cpython#90562).
    with pytest.raises((AttributeError, TypeError)):
        decision.anything = 1  # type: ignore[attr-defined]
    assert not hasattr(decision, "anything")


def test_report_is_frozen(report: govrules.Report) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.as_of = D("2030-01-01")  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.decisions = ()  # type: ignore[misc]
    assert isinstance(report.decisions, tuple)
    assert isinstance(report.notices, tuple)
    notice = govrules.Notice("code", "中文", "English")
    with pytest.raises(dataclasses.FrozenInstanceError):
        notice.code = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.decisions[0].citations[0].text = "x"  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------
# Look-ups


def _labels(decision: govrules.Decision) -> list[str]:
    return [c.label for c in decision.citations]


def test_for_provision_article_includes_its_paragraphs(report: govrules.Report) -> None:
    found = report.for_provision("第十七条")
    cited = {label for d in found for label in _labels(d)}
    assert {"第十七条第一款", "第十七条第二款"} <= cited
    expected = {d.rule for d in report.decisions
                if any(label.startswith("第十七条") for label in _labels(d))}
    assert {d.rule for d in found} == expected
    assert "wuxing.obligation.supervision_required" in expected
    assert "wuxing.obligation.service_supplier_excluded" in expected
    # In the report's own order, without duplicates.
    order = [d.rule for d in report.decisions]
    assert [d.rule for d in found] == sorted({d.rule for d in found}, key=order.index)


def test_for_provision_paragraph_excludes_sibling_paragraph(report: govrules.Report) -> None:
    found = report.for_provision("第二十条第二款")
    assert found
    for d in found:
        assert "第二十条第二款" in _labels(d), d.rule
    only_first = {d.rule for d in report.decisions if _labels(d) == ["第二十条第一款"]}
    assert only_first, "the pack has rules citing only 第二十条第一款"
    assert not only_first & {d.rule for d in found}
    whole = {d.rule for d in report.for_provision("第二十条")}
    assert only_first <= whole and {d.rule for d in found} <= whole


def test_for_provision_item_matches_rules_citing_it(report: govrules.Report) -> None:
    found = report.for_provision("第三条第一款第（二）项")
    assert "wuxing.review.reform_office_necessity" in {d.rule for d in found}
    assert "wuxing.review.initial_review" not in {d.rule for d in found}
    # A rule citing a document-level item does not show up under an unrelated article.
    assert "wuxing.review.reform_office_necessity" not in {d.rule for d in report.for_provision("第十条")}


def test_for_provision_unknown_label_raises_key_error_with_hint(report: govrules.Report) -> None:
    with pytest.raises(KeyError) as info:
        report.for_provision("第十七")
    assert "第十七条" in str(info.value)
    with pytest.raises(KeyError):
        report.for_provision("第九十九条第九款")


def test_decision_lookup_and_by_status(report: govrules.Report) -> None:
    assert report.decision("wuxing.deadline.contract_upload").status is Status.SATISFIED
    with pytest.raises(KeyError) as info:
        report.decision("wuxing.deadline.contract_uplaod")
    assert "wuxing.deadline.contract_upload" in str(info.value)
    satisfied = report.by_status(Status.SATISFIED)
    assert satisfied and all(d.status is Status.SATISFIED for d in satisfied)
    both = report.by_status("satisfied", "unknown")
    assert len(both) == report.summary()["satisfied"] + report.summary()["unknown"]


# ---------------------------------------------------------------------------------------------
# Determinism


def _variants(example: govrules.Project) -> list[tuple[dict, date]]:
    """A few hundred varied projects and dates (amounts, statuses, deadlines, scope, missing facts)."""
    base = dict(example.facts)
    out: list[tuple[dict, date]] = []
    amounts = ["99万元", "100万元", "499万元", "500万元", "1999万元", "2000万元", "4999999.99", "860万元"]
    for i in range(240):
        facts = dict(base)
        facts["total_investment"] = amounts[i % len(amounts)]
        facts["budget_amount"] = amounts[(i // 3) % len(amounts)]
        facts["contract_signed_on"] = date(2026, 4, 20) + timedelta(days=i % 17)
        if i % 2:
            facts.pop("contract_uploaded_on", None)
        if i % 5 == 0:
            facts["has_supervision"] = False
        if i % 7 == 0:
            facts.pop("funding_source", None)
        if i % 11 == 0:
            facts["is_classified"] = True
        if i % 4 == 0:
            facts["construction_completed_on"] = date(2026, 1, 31) + timedelta(days=i)
        if i % 13 == 0:
            facts["contract_signed_on"] = date(2027, 4, 30)
        out.append((facts, date(2026, 5, 1) + timedelta(days=i % 40)))
    return out


def test_same_evaluation_twice_is_byte_identical(engine: govrules.Engine, example: govrules.Project) -> None:
    first = engine.evaluate(example, "wuxing", AS_OF).to_json()
    second = engine.evaluate(example, "wuxing", AS_OF).to_json()
    assert first == second
    fresh = govrules.load().evaluate(EXAMPLE, "wuxing", AS_OF).to_json()
    assert fresh == first


def test_concurrent_evaluations_match_sequential(engine: govrules.Engine, example: govrules.Project) -> None:
    variants = _variants(example)
    sequential = [engine.evaluate(p, "wuxing", d).to_json() for p, d in variants]
    assert len(set(sequential)) > 50, "the variants should give many different reports"
    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = list(pool.map(lambda v: engine.evaluate(v[0], "wuxing", v[1]).to_json(), variants))
    assert concurrent == sequential


_SUBPROCESS = """
import json, sys
from datetime import date
import govrules
engine = govrules.load()
out = []
for as_of in ("2026-06-01", "2026-05-08", "2027-05-10"):
    out.append(engine.evaluate(sys.argv[1], "wuxing", date.fromisoformat(as_of)).to_json())
out.append(engine.evaluate({"project_type": "construction"}, "wuxing", date(2026, 6, 1)).to_json())
sys.stdout.write(json.dumps(out))
"""


@pytest.mark.parametrize("seed", ["0", "4242"])
def test_json_is_identical_under_another_hash_seed(engine: govrules.Engine, seed: str) -> None:
    expected = [engine.evaluate(EXAMPLE, "wuxing", D(as_of)).to_json()
                for as_of in ("2026-06-01", "2026-05-08", "2027-05-10")]
    expected.append(engine.evaluate({"project_type": "construction"}, "wuxing", AS_OF).to_json())
    env = {**os.environ, "PYTHONHASHSEED": seed}
    result = subprocess.run([str(PYTHON), "-c", _SUBPROCESS, str(EXAMPLE)], capture_output=True,
                            env=env, cwd=REPO, timeout=120, check=False)
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(result.stdout.decode("utf-8")) == expected


# ---------------------------------------------------------------------------------------------
# Provision look-up across several packs

_PROVISIONS = """\
provisions:
  - label: 第一条
    path: [第一条]
    text: 第一条原文{id}。
  - label: 第{extra}条
    path: [第{extra}条]
    text: 仅{id}有的条文。
"""
_RULES = """\
rules:
  - id: {id}.review.first
    kind: review
    title: {{zh: 第一条规则, en: first}}
    cites: [第一条]
    outcome: first
  - id: {id}.review.extra
    kind: review
    title: {{zh: 另一条规则, en: extra}}
    cites: [第{extra}条]
    outcome: extra
"""


def _small_pack(root: Path, pack_id: str, extra: str, parent: str | None = None) -> None:
    write_pack(root, pack_id, provisions=_PROVISIONS.format(id=pack_id, extra=extra),
               rules=_RULES.format(id=pack_id, extra=extra), parent=parent, number=f"文号{pack_id}",
               in_force_from="2024-01-01")


@pytest.fixture(scope="module")
def family(tmp_path_factory: pytest.TempPathFactory) -> govrules.Engine:
    root = tmp_path_factory.mktemp("family")
    _small_pack(root, "child", "二", parent="mother")
    _small_pack(root, "mother", "三")
    _small_pack(root, "stranger", "四")
    return govrules.load(root)


def test_for_provision_label_shared_by_parent_and_child_packs(family: govrules.Engine) -> None:
    report = family.evaluate({}, "child", AS_OF)
    assert [p.id for p in report.packs] == ["child", "mother"]
    assert {d.rule for d in report.for_provision("第一条")} == {"child.review.first", "mother.review.first"}
    assert [d.rule for d in report.for_provision("第一条", document="文号child")] == ["child.review.first"]
    assert [d.rule for d in report.for_provision("第三条")] == ["mother.review.extra"]
    assert [d.rule for d in report.for_provision("第二条")] == ["child.review.extra"]


def test_for_provision_label_of_a_pack_not_in_the_report_raises(family: govrules.Engine) -> None:
    report = family.evaluate({}, "child", AS_OF)
    assert "stranger" not in [p.id for p in report.packs]
    with pytest.raises(KeyError):
        report.for_provision("第四条")
