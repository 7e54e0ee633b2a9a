"""Tests of govrules.evaluation: scope gating, statuses, exceptions, deadlines and in-force dates.

Most behaviours are pinned down on small synthetic packs written to a temporary policies
directory (two jurisdictions: ``scoped`` has scope rules, ``free`` has none), so that each
assertion depends on one rule only; the shipped wuxing pack is used where the brief names it.
"""

from __future__ import annotations

import functools
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import packwriter
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import govrules
from govrules import Status, UnknownJurisdiction
from govrules.conditions import Known, iter_leaves

D = date.fromisoformat
REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "wuxing-project.yaml"
SAMPLE_2027 = REPO / "tests" / "data" / "holidays-2027-sample.yaml"

# ---------------------------------------------------------------------------------------------
# Synthetic packs

PROVISIONS = """\
provisions:
  - label: 第一条
    path: [第一条]
    text: 本办法适用于利用财政资金的信息化项目；涉密项目按照保密有关规定执行。
  - label: 第二条
    path: [第二条]
  - label: 第二条第一款
    path: [第二条, 第一款]
    text: 总投资500万元以上的项目批复可行性研究报告；资金预算100万元以上的项目实行工程监理制。
  - label: 第二条第二款
    path: [第二条, 第二款]
    text: 建设项目原则上不再进行节能评估，涉及新建土建工程的除外；资金已经落实的，不在此限。
  - label: 第三条
    path: [第三条]
    text: 合同签订后5个工作日内上传合同；项目基本完成建设后3个月内完成初验和试运行。
"""


def write_pack(root: Path, pack_id: str, rules: str, **meta: str | None) -> Path:
    """A pack ``root/pack_id`` with this module's registry and ``rules``."""
    return packwriter.write_pack(root, pack_id, provisions=PROVISIONS, rules=rules, **meta)


SCOPED_RULES = """\
rules:
  - id: scoped.scope.fiscal
    kind: scope
    effect: include
    title: {zh: 财政资金项目纳入范围, en: fiscal projects are in scope}
    cites: [第一条]
    when: {fact: funding_source, is: fiscal}
    outcome: in_scope
  - id: scoped.scope.classified
    kind: scope
    effect: exclude
    title: {zh: 涉密项目不纳入, en: classified projects are out}
    cites: [第一条]
    when: {fact: is_classified, is: true}
    outcome: out_of_scope
  - id: scoped.approval.feasibility
    kind: approval
    title: {zh: 总投资500万元以上批复可研, en: feasibility study from 5 million}
    cites: [第二条第一款]
    when: {fact: total_investment, op: 以上, value: 500万元}
    outcome: feasibility_study
  - id: scoped.review.always
    kind: review
    title: {zh: 范围内项目均须初审, en: every project is reviewed}
    cites: [第三条]
    outcome: reviewed
"""

FREE_RULES = """\
rules:
  - id: free.approval.feasibility
    kind: approval
    title: {zh: 总投资500万元以上批复可研, en: feasibility study from 5 million}
    cites: [第二条第一款]
    when: {fact: total_investment, op: 以上, value: 500万元}
    outcome: feasibility_study
  - id: free.obligation.supervision
    kind: obligation
    title: {zh: 预算100万元以上实行监理, en: supervision from 1 million}
    cites: [第二条第一款]
    when: {fact: budget_amount, op: 以上, value: 100万元}
    require: {fact: has_supervision, is: true}
    outcome: supervision_required
  - id: free.approval.no_reviews
    kind: approval
    in_principle: true
    title: {zh: 建设项目原则上不再节能评估, en: no energy review in principle}
    cites: [第二条第二款]
    when: {fact: project_type, is: construction}
    outcome: no_reviews
  - id: free.approval.reviews_required
    kind: approval
    exception_to: free.approval.no_reviews
    title: {zh: 涉及新建土建工程的仍需评估, en: civil works still need reviews}
    cites: [第二条第二款]
    when: {fact: involves_new_civil_works, is: true}
    outcome: reviews_required
  - id: free.approval.reviews_waived
    kind: approval
    exception_to: free.approval.reviews_required
    title: {zh: 资金已经落实的不在此限, en: funded projects are waived}
    cites: [第二条第二款]
    when: {fact: funding_secured, is: true}
    outcome: reviews_waived
  - id: free.deadline.upload
    kind: deadline
    title: {zh: 合同签订后5个工作日内上传, en: upload within 5 working days}
    cites: [第三条]
    deadline:
      from: contract_signed_on
      within: {working_days: 5}
      done: contract_uploaded_on
    outcome: upload_due
  - id: free.deadline.acceptance
    kind: deadline
    title: {zh: 3个月内完成初验和试运行, en: acceptance and trial within 3 months}
    cites: [第三条]
    deadline:
      from: construction_completed_on
      within: {months: 3}
      done: [initial_acceptance_on, trial_run_ended_on]
    outcome: acceptance_due
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> govrules.Engine:
    root = tmp_path_factory.mktemp("policies")
    write_pack(root, "scoped", SCOPED_RULES)
    write_pack(root, "free", FREE_RULES)
    return govrules.load(root)


AS_OF = D("2026-06-01")
IN_SCOPE = {"funding_source": "fiscal", "is_classified": False}


def decide(engine: govrules.Engine, jurisdiction: str, facts: dict, as_of: date = AS_OF) -> dict:
    report = engine.evaluate(facts, jurisdiction, as_of)
    return {d.rule: d for d in report.decisions}


# ---------------------------------------------------------------------------------------------
# Scope gating


def test_in_scope_project_gets_its_rules_decided(engine: govrules.Engine) -> None:
    got = decide(engine, "scoped", {**IN_SCOPE, "total_investment": "600万元"})
    assert got["scoped.scope.fiscal"].status is Status.APPLIES
    assert got["scoped.scope.classified"].status is Status.NOT_APPLICABLE
    assert got["scoped.approval.feasibility"].status is Status.APPLIES
    assert got["scoped.review.always"].status is Status.APPLIES


def test_no_include_fired_makes_other_rules_not_applicable_with_a_scope_explanation(engine: govrules.Engine) -> None:
    got = decide(engine, "scoped", {"funding_source": "self_raised", "is_classified": False,
                                    "total_investment": "600万元"})
    assert got["scoped.scope.fiscal"].status is Status.NOT_APPLICABLE
    for rule in ("scoped.approval.feasibility", "scoped.review.always"):
        decision = got[rule]
        assert decision.status is Status.NOT_APPLICABLE, rule
        assert "适用范围" in decision.explanation_zh
        assert "scope" in decision.explanation_en
        assert decision.missing == ()


def test_exclude_fired_makes_rules_not_applicable_naming_the_exclusion(engine: govrules.Engine) -> None:
    got = decide(engine, "scoped", {"funding_source": "fiscal", "is_classified": True,
                                    "total_investment": "600万元"})
    # The include rule itself still fires; the exclusion wins over it.
    assert got["scoped.scope.fiscal"].status is Status.APPLIES
    assert got["scoped.scope.classified"].status is Status.APPLIES
    decision = got["scoped.approval.feasibility"]
    assert decision.status is Status.NOT_APPLICABLE
    assert f"“{got['scoped.scope.classified'].title_en}”" in decision.explanation_en  # the exclusion, in English
    assert "涉密项目不纳入" in decision.explanation_zh


def test_exclude_wins_even_when_the_include_fact_is_missing(engine: govrules.Engine) -> None:
    got = decide(engine, "scoped", {"is_classified": True, "total_investment": "600万元"})
    assert got["scoped.approval.feasibility"].status is Status.NOT_APPLICABLE
    assert got["scoped.review.always"].status is Status.NOT_APPLICABLE


def test_missing_include_fact_makes_rules_unknown_listing_it(engine: govrules.Engine) -> None:
    got = decide(engine, "scoped", {"is_classified": False, "total_investment": "600万元"})
    for rule in ("scoped.approval.feasibility", "scoped.review.always"):
        assert got[rule].status is Status.UNKNOWN, rule
        assert "funding_source" in got[rule].missing
    assert got["scoped.scope.fiscal"].status is Status.UNKNOWN
    assert got["scoped.scope.fiscal"].missing == ("funding_source",)


def test_missing_exclude_fact_makes_rules_unknown_listing_it(engine: govrules.Engine) -> None:
    got = decide(engine, "scoped", {"funding_source": "fiscal", "total_investment": "600万元"})
    decision = got["scoped.approval.feasibility"]
    assert decision.status is Status.UNKNOWN
    assert "is_classified" in decision.missing
    assert "funding_source" not in decision.missing


def test_rule_false_on_its_own_is_not_applicable_even_when_scope_is_unknown(engine: govrules.Engine) -> None:
    got = decide(engine, "scoped", {"total_investment": "100万元"})
    assert got["scoped.approval.feasibility"].status is Status.NOT_APPLICABLE
    assert got["scoped.review.always"].status is Status.UNKNOWN


def test_empty_project_is_unknown_never_not_applicable(engine: govrules.Engine) -> None:
    scoped = decide(engine, "scoped", {})
    feas = scoped["scoped.approval.feasibility"]
    assert feas.status is Status.UNKNOWN
    assert {"funding_source", "is_classified", "total_investment"} <= set(feas.missing)
    free = decide(engine, "free", {})
    for rule in ("free.approval.feasibility", "free.obligation.supervision", "free.approval.no_reviews"):
        assert free[rule].status is Status.UNKNOWN, rule
        assert free[rule].missing, rule
    assert "total_investment" in free["free.approval.feasibility"].missing
    assert "budget_amount" in free["free.obligation.supervision"].missing


# ---------------------------------------------------------------------------------------------
# when / require


def test_when_boundary_yi_shang_includes_the_number(engine: govrules.Engine) -> None:
    at = decide(engine, "free", {"total_investment": "500万元"})["free.approval.feasibility"]
    below = decide(engine, "free", {"total_investment": "4999999.99"})["free.approval.feasibility"]
    assert at.status is Status.APPLIES
    assert below.status is Status.NOT_APPLICABLE
    assert "500万元" in below.explanation_zh


@pytest.mark.parametrize(
    ("facts", "status"),
    [
        ({"budget_amount": "100万元", "has_supervision": True}, Status.SATISFIED),
        ({"budget_amount": "100万元", "has_supervision": False}, Status.VIOLATED),
        ({"budget_amount": "999999.99", "has_supervision": False}, Status.NOT_APPLICABLE),
        ({"budget_amount": "200万元"}, Status.APPLIES),
        ({"has_supervision": False}, Status.UNKNOWN),
    ],
)
def test_require_statuses(engine: govrules.Engine, facts: dict, status: Status) -> None:
    assert decide(engine, "free", facts)["free.obligation.supervision"].status is status


def test_applies_with_unknown_requirement_lists_the_requirement_fact(engine: govrules.Engine) -> None:
    decision = decide(engine, "free", {"budget_amount": "200万元"})["free.obligation.supervision"]
    assert decision.status is Status.APPLIES
    assert decision.missing == ("has_supervision",)


def test_unknown_when_also_names_the_requirement_fact(engine: govrules.Engine) -> None:
    decision = decide(engine, "free", {})["free.obligation.supervision"]
    assert decision.status is Status.UNKNOWN
    assert set(decision.missing) == {"budget_amount", "has_supervision"}


def test_violated_explanation_shows_the_value_used(engine: govrules.Engine) -> None:
    decision = decide(engine, "free", {"budget_amount": "100万元", "has_supervision": False})[
        "free.obligation.supervision"]
    assert decision.explanation_zh.startswith("违反")
    assert dict(decision.facts) == {"budget_amount": Decimal(1000000), "has_supervision": False}


# ---------------------------------------------------------------------------------------------
# Exceptions


def test_exception_that_fires_overrides_its_base(engine: govrules.Engine) -> None:
    got = decide(engine, "free", {"project_type": "construction", "involves_new_civil_works": True,
                                  "funding_secured": False})
    base = got["free.approval.no_reviews"]
    exc = got["free.approval.reviews_required"]
    assert base.status is Status.NOT_APPLICABLE
    assert base.overridden_by == "free.approval.reviews_required"
    assert exc.status is Status.APPLIES
    assert exc.exception_to == "free.approval.no_reviews"
    assert got["free.approval.reviews_waived"].status is Status.NOT_APPLICABLE


def test_exception_that_does_not_fire_leaves_the_base_applying(engine: govrules.Engine) -> None:
    got = decide(engine, "free", {"project_type": "construction", "involves_new_civil_works": False})
    assert got["free.approval.no_reviews"].status is Status.APPLIES
    assert got["free.approval.no_reviews"].overridden_by is None
    assert got["free.approval.no_reviews"].in_principle is True
    assert got["free.approval.reviews_required"].status is Status.NOT_APPLICABLE


def test_unknown_exception_makes_the_base_unknown_listing_the_exception_fact(engine: govrules.Engine) -> None:
    got = decide(engine, "free", {"project_type": "construction"})
    base = got["free.approval.no_reviews"]
    assert base.status is Status.UNKNOWN
    assert "involves_new_civil_works" in base.missing
    assert base.overridden_by is None


def test_exception_whose_base_condition_is_false_is_not_applicable(engine: govrules.Engine) -> None:
    got = decide(engine, "free", {"project_type": "operation_maintenance", "involves_new_civil_works": True,
                                  "funding_secured": False})
    assert got["free.approval.no_reviews"].status is Status.NOT_APPLICABLE
    exc = got["free.approval.reviews_required"]
    assert exc.status is Status.NOT_APPLICABLE
    assert exc.overridden_by is None
    assert f"“{got['free.approval.no_reviews'].title_en}”" in exc.explanation_en


def test_exception_whose_base_condition_is_unknown_is_unknown(engine: govrules.Engine) -> None:
    got = decide(engine, "free", {"involves_new_civil_works": True, "funding_secured": False})
    exc = got["free.approval.reviews_required"]
    assert exc.status is Status.UNKNOWN
    assert "project_type" in exc.missing


def test_exception_to_an_exception_reinstates_the_base(engine: govrules.Engine) -> None:
    got = decide(engine, "free", {"project_type": "construction", "involves_new_civil_works": True,
                                  "funding_secured": True})
    assert got["free.approval.reviews_waived"].status is Status.APPLIES
    middle = got["free.approval.reviews_required"]
    assert middle.status is Status.NOT_APPLICABLE
    assert middle.overridden_by == "free.approval.reviews_waived"
    base = got["free.approval.no_reviews"]
    assert base.status is Status.APPLIES
    assert base.overridden_by is None


def test_chain_with_unknown_innermost_exception_is_unknown_all_the_way(engine: govrules.Engine) -> None:
    got = decide(engine, "free", {"project_type": "construction", "involves_new_civil_works": True})
    for rule in ("free.approval.no_reviews", "free.approval.reviews_required", "free.approval.reviews_waived"):
        assert got[rule].status is Status.UNKNOWN, rule
        assert "funding_secured" in got[rule].missing, rule


def test_exception_to_an_exception_is_not_applicable_when_the_root_does_not_apply(
        engine: govrules.Engine) -> None:
    got = decide(engine, "free", {"project_type": "operation_maintenance", "involves_new_civil_works": True,
                                  "funding_secured": True})
    assert got["free.approval.no_reviews"].status is Status.NOT_APPLICABLE
    middle = got["free.approval.reviews_required"]
    # The middle exception is dead because the root rule does not apply, not because the waiver won.
    assert middle.status is Status.NOT_APPLICABLE
    assert middle.overridden_by is None
    assert f"“{got['free.approval.no_reviews'].title_en}”" in middle.explanation_en
    assert got["free.approval.reviews_waived"].status is Status.NOT_APPLICABLE
    assert got["free.approval.reviews_waived"].overridden_by is None


def test_exception_chain_with_unknown_root_is_unknown_listing_the_root_fact(engine: govrules.Engine) -> None:
    got = decide(engine, "free", {"involves_new_civil_works": True, "funding_secured": True})
    for rule in ("free.approval.no_reviews", "free.approval.reviews_required", "free.approval.reviews_waived"):
        assert got[rule].status is Status.UNKNOWN, rule
        assert "project_type" in got[rule].missing, rule


def test_dead_chain_explanation_names_the_rule_whose_condition_fails(engine: govrules.Engine) -> None:
    got = decide(engine, "free", {"project_type": "operation_maintenance", "involves_new_civil_works": True,
                                  "funding_secured": True})
    waiver = got["free.approval.reviews_waived"]
    assert waiver.status is Status.NOT_APPLICABLE
    # Whatever the wording, the English must not claim the direct base's condition fails (it holds),
    # and it must name the rule whose condition does fail.
    assert f"“{got['free.approval.no_reviews'].title_en}”" in waiver.explanation_en
    assert f"exception to “{got['free.approval.reviews_required'].title_en}”, whose condition does not hold" \
        not in waiver.explanation_en
    assert "本条是“建设项目原则上不再节能评估”的例外" not in waiver.explanation_zh


# ---------------------------------------------------------------------------------------------
# Deadlines (working days across Labour Day 2026 with 调休; months with 第二百零三条)

UPLOAD = "free.deadline.upload"


def test_working_day_deadline_across_labour_day_2026(engine: govrules.Engine) -> None:
    decision = decide(engine, "free", {"contract_signed_on": "2026-04-30"}, as_of=D("2026-05-06"))[UPLOAD]
    assert decision.due == D("2026-05-11")
    assert decision.provisional is False
    assert decision.status is Status.PENDING


@pytest.mark.parametrize(
    ("uploaded", "status"),
    [("2026-05-06", Status.SATISFIED), ("2026-05-11", Status.SATISFIED), ("2026-05-12", Status.VIOLATED)],
)
def test_done_on_or_after_the_due_date(engine: govrules.Engine, uploaded: str, status: Status) -> None:
    decision = decide(engine, "free", {"contract_signed_on": "2026-04-30", "contract_uploaded_on": uploaded},
                      as_of=D("2026-05-06"))[UPLOAD]
    assert decision.status is status
    assert decision.due == D("2026-05-11")


@pytest.mark.parametrize(
    ("as_of", "status"),
    [("2026-05-01", Status.PENDING), ("2026-05-11", Status.PENDING), ("2026-05-12", Status.OVERDUE)],
)
def test_not_done_pending_until_due_then_overdue(engine: govrules.Engine, as_of: str, status: Status) -> None:
    decision = decide(engine, "free", {"contract_signed_on": "2026-04-30"}, as_of=D(as_of))[UPLOAD]
    assert decision.status is status


def test_deadline_without_its_start_date_is_unknown(engine: govrules.Engine) -> None:
    decision = decide(engine, "free", {"contract_uploaded_on": "2026-05-06"})[UPLOAD]
    assert decision.status is Status.UNKNOWN
    assert decision.missing == ("contract_signed_on",)
    assert decision.due is None


def test_month_deadline_ending_on_a_holiday_moves_to_the_next_working_day(engine: govrules.Engine) -> None:
    # 2026-02-01 + 3 months = 2026-05-01, in the Labour Day break (5-1..5-5): due 2026-05-06.
    decision = decide(engine, "free", {"construction_completed_on": "2026-02-01"},
                      as_of=D("2026-05-06"))["free.deadline.acceptance"]
    assert decision.due == D("2026-05-06")
    assert decision.status is Status.PENDING


def test_deadline_with_several_done_facts_uses_the_latest_and_needs_all(engine: govrules.Engine) -> None:
    # 2026-01-31 + 3 months: no 4-31, so 4-30 (a Thursday working day).
    base = {"construction_completed_on": "2026-01-31", "initial_acceptance_on": "2026-04-20"}
    half = decide(engine, "free", base, as_of=D("2026-05-06"))["free.deadline.acceptance"]
    assert half.due == D("2026-04-30")
    assert half.status is Status.OVERDUE
    late = decide(engine, "free", {**base, "trial_run_ended_on": "2026-05-02"})["free.deadline.acceptance"]
    assert late.status is Status.VIOLATED
    on_time = decide(engine, "free", {**base, "trial_run_ended_on": "2026-04-30"})["free.deadline.acceptance"]
    assert on_time.status is Status.SATISFIED


def test_deadline_in_a_year_without_schedule_is_provisional_with_a_notice(engine: govrules.Engine) -> None:
    report = engine.evaluate({"contract_signed_on": "2027-04-30"}, "free", D("2027-05-03"))
    decision = report.decision(UPLOAD)
    assert decision.provisional is True
    assert decision.due == D("2027-05-07")  # weekends only: Mon 5-3 .. Fri 5-7
    codes = [n.code for n in report.notices]
    assert "provisional-dates" in codes
    notice = next(n for n in report.notices if n.code == "provisional-dates")
    assert UPLOAD in notice.en
    assert report.to_dict()["decisions"][[d.rule for d in report.decisions].index(UPLOAD)]["provisional"] is True


def test_no_provisional_notice_when_every_deadline_is_covered(engine: govrules.Engine) -> None:
    report = engine.evaluate({"contract_signed_on": "2026-04-30"}, "free", AS_OF)
    assert "provisional-dates" not in [n.code for n in report.notices]


def test_holiday_file_makes_2027_deadlines_official(tmp_path: Path) -> None:
    write_pack(tmp_path, "free", FREE_RULES)
    engine = govrules.load(tmp_path, holidays=[SAMPLE_2027])
    report = engine.evaluate({"contract_signed_on": "2027-04-30"}, "free", D("2027-05-03"))
    decision = report.decision(UPLOAD)
    # Sample file: 5-1..5-5 rest, Sat 5-8 a working day: 5-6, 5-7, 5-8, 5-10, 5-11.
    assert decision.due == D("2027-05-11")
    assert decision.provisional is False
    assert "provisional-dates" not in [n.code for n in report.notices]
    assert any("holidays-2027-sample.yaml" in source for source in report.calendar_sources)
    assert any("holidays-2027-sample.yaml" in s for s in report.to_dict()["calendar"]["sources"])


def test_wuxing_contract_upload_due_after_labour_day() -> None:
    engine = govrules.load()
    report = engine.evaluate(EXAMPLE, "wuxing", D("2026-06-01"))
    decision = report.decision("wuxing.deadline.contract_upload")
    assert decision.due == D("2026-05-11")
    assert decision.status is Status.SATISFIED
    assert [c.label for c in decision.citations] == ["第十五条"]


def test_wuxing_2027_deadline_is_provisional_without_a_file_and_official_with_it() -> None:
    project = govrules.read_project(EXAMPLE).facts | {"contract_signed_on": D("2027-04-30")}
    project = {k: v for k, v in project.items() if k != "contract_uploaded_on"}
    plain = govrules.load().evaluate(project, "wuxing", D("2027-05-10"))
    assert plain.decision("wuxing.deadline.contract_upload").provisional is True
    assert "provisional-dates" in [n.code for n in plain.notices]
    with_file = govrules.load(holidays=[SAMPLE_2027]).evaluate(project, "wuxing", D("2027-05-10"))
    decision = with_file.decision("wuxing.deadline.contract_upload")
    assert decision.provisional is False
    assert decision.due == D("2027-05-11")
    assert decision.status is Status.PENDING
    assert "provisional-dates" not in [n.code for n in with_file.notices]
    assert any("holidays-2027-sample.yaml" in s for s in with_file.calendar_sources)


# ---------------------------------------------------------------------------------------------
# In-force dates and jurisdictions


@pytest.fixture(scope="module")
def wuxing() -> govrules.Engine:
    return govrules.load()


def test_wuxing_before_in_force_makes_no_decisions(wuxing: govrules.Engine) -> None:
    # 2023-11-24: the day before 第三十三条's date. 湖州's plan (in force from 2023-07-10) still applies.
    report = wuxing.evaluate(EXAMPLE, "wuxing", D("2023-11-24"))
    assert {d.pack for d in report.decisions} == {"huzhou"}
    assert [p.id for p in report.packs] == ["huzhou"]
    notice = next(n for n in report.notices if n.code == "pack-not-in-force")
    assert "2023-11-25" in notice.zh and "2023-11-25" in notice.en
    # Before both documents: nothing is decided, and the report says why.
    before = wuxing.evaluate(EXAMPLE, "wuxing", D("2023-07-09"))
    assert before.decisions == () and before.packs == ()
    assert {n.code for n in before.notices} == {"pack-not-in-force", "no-pack-in-force"}
    assert all(v == 0 for v in before.summary().values())


def test_wuxing_on_its_first_day_in_force_is_evaluated(wuxing: govrules.Engine) -> None:
    report = wuxing.evaluate(EXAMPLE, "wuxing", D("2023-11-25"))
    assert report.decisions
    assert [p.id for p in report.packs] == ["wuxing", "huzhou"]
    codes = [n.code for n in report.notices]
    assert "pack-not-in-force" not in codes
    assert "no-pack-in-force" not in codes


def test_parent_jurisdiction_without_a_pack_is_noticed(tmp_path: Path) -> None:
    write_pack(tmp_path, "free", FREE_RULES, parent="nowhere")
    engine = govrules.load(tmp_path)
    report = engine.evaluate({}, "free", D("2026-06-01"))
    notice = next(n for n in report.notices if n.code == "parent-without-pack")
    assert "nowhere" in notice.en
    assert engine.chain("free") == ("free", "nowhere")


def test_the_hierarchy_comes_from_pack_metadata(wuxing: govrules.Engine) -> None:
    assert wuxing.chain("wuxing") == ("wuxing", "huzhou")
    assert wuxing.chain("huzhou") == ("huzhou",)
    report = wuxing.evaluate(EXAMPLE, "wuxing", AS_OF)
    assert "parent-without-pack" not in [n.code for n in report.notices]


def test_unknown_jurisdiction_raises_with_did_you_mean(wuxing: govrules.Engine) -> None:
    with pytest.raises(UnknownJurisdiction) as info:
        wuxing.evaluate(EXAMPLE, "wuxin", AS_OF)
    assert "'wuxing'" in str(info.value)
    assert isinstance(info.value, KeyError)
    assert isinstance(info.value, govrules.GovrulesError)


def test_in_force_until_is_inclusive(tmp_path: Path) -> None:
    write_pack(tmp_path, "free", FREE_RULES, in_force_from="2024-02-01", in_force_until="2025-12-31")
    engine = govrules.load(tmp_path)
    last = engine.evaluate({}, "free", D("2025-12-31"))
    after = engine.evaluate({}, "free", D("2026-01-01"))
    before = engine.evaluate({}, "free", D("2024-01-31"))
    first = engine.evaluate({}, "free", D("2024-02-01"))
    assert last.decisions and first.decisions
    assert after.decisions == () and before.decisions == ()
    assert {"pack-not-in-force", "no-pack-in-force"} <= {n.code for n in after.notices}
    assert "2025-12-31" in next(n for n in after.notices if n.code == "pack-not-in-force").en


def test_parent_pack_rules_are_evaluated_too(tmp_path: Path) -> None:
    write_pack(tmp_path, "child", SCOPED_RULES.replace("scoped.", "child."), parent="mother")
    write_pack(tmp_path, "mother", FREE_RULES.replace("free.", "mother."))
    engine = govrules.load(tmp_path)
    report = engine.evaluate({**IN_SCOPE, "total_investment": "600万元"}, "child", AS_OF)
    assert [p.id for p in report.packs] == ["child", "mother"]
    assert report.decision("child.approval.feasibility").status is Status.APPLIES
    assert report.decision("mother.approval.feasibility").status is Status.APPLIES
    assert "parent-without-pack" not in [n.code for n in report.notices]


def test_project_given_as_path_mapping_or_project_agree(wuxing: govrules.Engine) -> None:
    project = govrules.read_project(EXAMPLE)
    a = wuxing.evaluate(EXAMPLE, "wuxing", AS_OF).to_json()
    b = wuxing.evaluate(str(EXAMPLE), "wuxing", AS_OF).to_json()
    c = wuxing.evaluate(project, "wuxing", AS_OF).to_json()
    d = wuxing.evaluate(project.to_dict(), "wuxing", AS_OF).to_json()
    assert a == b == c == d


def test_bad_project_mapping_raises_project_error(wuxing: govrules.Engine) -> None:
    with pytest.raises(govrules.ProjectError) as info:
        wuxing.evaluate({"total_investmnt": "1", "contract_signed_on": "2026-02-30"}, "wuxing", AS_OF)
    fields = {p.field for p in info.value.problems}
    assert fields == {"total_investmnt", "contract_signed_on"}


def test_unknown_scope_deadline_also_names_its_start_date(wuxing: govrules.Engine) -> None:
    report = wuxing.evaluate({"is_classified": False, "contract_uploaded_on": "2026-05-06"}, "wuxing", AS_OF)
    obligation = report.decision("wuxing.obligation.supervision_required")
    assert obligation.status is Status.UNKNOWN
    assert "has_supervision" in obligation.missing  # the requirement's fact is named up front
    deadline = report.decision("wuxing.deadline.contract_upload")
    assert deadline.status is Status.UNKNOWN
    assert "funding_source" in deadline.missing
    assert "contract_signed_on" in deadline.missing


# ---------------------------------------------------------------------------------------------
# Property: missing facts are never treated as false (Kleene monotonicity on the real pack)

_FULL = govrules.read_project(EXAMPLE)
_FULL_EXTRA = dict(_FULL.facts) | {"actual_investment": Decimal(8000000), "estimate_increase_approved": False,
                                   "change_amount": Decimal(500000), "change_reapproved": True,
                                   "final_acceptance_delayed": False, "fails_current_requirements": False}


@functools.cache
def _wuxing() -> govrules.Engine:
    return govrules.load()


@functools.cache
def _known_free_rules() -> frozenset[str]:
    """Rules whose decision (and whose exceptions' and bases') uses no `known:` test and no deadline."""
    pack = next(p for p in _wuxing().packs if p.id == "wuxing")

    def uses_known(rule: govrules.Rule) -> bool:
        return any(isinstance(leaf, Known) for cond in (rule.when, rule.require) if cond is not None
                   for leaf in iter_leaves(cond))
    bad = {r.id for r in pack.rules if uses_known(r) or r.deadline is not None}
    related = {r.id: {r.exception_to} | {x.id for x in pack.rules if x.exception_to == r.id} for r in pack.rules}
    changed = True
    while changed:
        changed = False
        for rule_id, others in related.items():
            if rule_id not in bad and others & bad:
                bad.add(rule_id)
                changed = True
    return frozenset({r.id for r in pack.rules} - bad)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(keep=st.sets(st.sampled_from(sorted(_FULL_EXTRA))))
def test_fewer_facts_never_change_a_decided_status(keep: set[str]) -> None:
    engine = _wuxing()
    full = {d.rule: d for d in engine.evaluate(_FULL_EXTRA, "wuxing", AS_OF).decisions}
    partial = {d.rule: d for d in engine.evaluate({k: _FULL_EXTRA[k] for k in keep}, "wuxing", AS_OF).decisions}
    rules = _known_free_rules()
    assert len(rules) > 20
    for rule in sorted(rules):
        got = partial[rule]
        if got.status is Status.UNKNOWN:
            assert got.missing, rule
            assert not set(got.missing) & keep, (rule, got.missing)
            continue
        if got.status is Status.APPLIES and got.missing:
            # applies, compliance unknown: the full project may satisfy or violate it
            assert full[rule].status in (Status.APPLIES, Status.SATISFIED, Status.VIOLATED), rule
            continue
        assert got.status is full[rule].status, (rule, got.status, full[rule].status, got.explanation_zh)


def test_as_of_datetime_is_handled(wuxing: govrules.Engine) -> None:
    from datetime import datetime

    try:
        report = wuxing.evaluate(EXAMPLE, "wuxing", datetime(2026, 6, 1, 9, 30))
    except (TypeError, ValueError) as exc:
        assert "as_of" in str(exc)
    else:
        assert report.to_json() == wuxing.evaluate(EXAMPLE, "wuxing", AS_OF).to_json()


# ---------------------------------------------------------------------------------------------
# An undecided exception cannot change a requirement that is already met (吴兴 第十九条第（一）项)


def test_requirement_met_is_satisfied_even_if_its_exception_is_undecided(wuxing: govrules.Engine) -> None:
    scope = {"funding_source": "fiscal", "owner_unit_type": "administrative_unit",
             "subject_matter": "information_system", "is_classified": False}
    at_estimate = wuxing.evaluate({**scope, "actual_investment": "500万元", "investment_estimate": "500万元"},
                                  "wuxing", AS_OF).decision("wuxing.change_control.within_estimate")
    assert at_estimate.status is Status.SATISFIED  # 不得超过: equal to the estimate does not exceed it
    assert at_estimate.missing == ()
    over = wuxing.evaluate({**scope, "actual_investment": "500.01万元", "investment_estimate": "500万元"},
                           "wuxing", AS_OF).decision("wuxing.change_control.within_estimate")
    # Exceeding: an approved increase (第十九条第（一）项 确需增加投资概算的…报批) is for the project to show
    # (burden: project, second reading of 吴兴): until it does, the breach stands and names it.
    assert over.status is Status.VIOLATED
    assert over.unclaimed == ("wuxing.change_control.estimate_increase_approved",)


# ---------------------------------------------------------------------------------------------
# Property: any valid project evaluates to one decision per rule, with a JSON-ready report


def _fact_value(fact: govrules.Fact) -> st.SearchStrategy[object]:
    from govrules.vocabulary import FactType

    kinds: dict[FactType, st.SearchStrategy[object]] = {
        FactType.AMOUNT: st.decimals(min_value=0, max_value=10**9, places=2),
        FactType.NUMBER: st.decimals(min_value=0, max_value=100, places=2),
        FactType.INTEGER: st.integers(min_value=0, max_value=10**6),
        FactType.BOOLEAN: st.booleans(),
        FactType.DATE: st.dates(min_value=D("2023-01-01"), max_value=D("2028-12-31")),
        FactType.ENUM: st.sampled_from(sorted(fact.values)),
        FactType.TEXT: st.text(max_size=5),
    }
    return kinds[fact.type]


_VOCAB = govrules.default_vocabulary()
_PROJECTS = st.fixed_dictionaries({}, optional={name: _fact_value(fact) for name, fact in _VOCAB.items()})


@settings(max_examples=150, deadline=None)
@given(project=_PROJECTS, as_of=st.dates(min_value=D("2023-11-25"), max_value=D("2028-12-31")))
def test_any_valid_project_gets_a_complete_json_ready_report(project: dict[str, object], as_of: date) -> None:
    engine = _wuxing()
    report = engine.evaluate(project, "wuxing", as_of)
    # One decision per rule of every pack the chain used (吴兴, then 湖州), in pack order.
    used = [next(p for p in engine.packs if p.id == ref.id) for ref in report.packs]
    assert [ref.id for ref in report.packs] in (["wuxing", "huzhou"], ["huzhou"], [])
    assert [d.rule for d in report.decisions] == [r.id for pack in used for r in pack.rules]
    for decision in report.decisions:
        assert decision.citations, decision.rule
        assert decision.explanation_zh and decision.explanation_en
        if decision.status in (Status.PENDING, Status.OVERDUE):
            assert decision.due is not None
        if decision.status is Status.UNKNOWN:
            assert decision.missing, decision.rule  # unknown always says what it needs
    assert json.loads(report.to_json())["summary"] == report.summary()


def test_a_score_left_open_by_an_unanswered_reading_names_the_reading() -> None:
    # 高平: whether an owner of type `other` is a 市直单位 is a reading the pack leaves open
    # (answer null). A scoring rule (第二十二条) then cannot say whether it applies: the decision
    # names the reading, in the library and in the JSON, as every other decision resting on it does.
    engine = govrules.load()
    dimensions = ("construction", "service", "operation", "application", "user_satisfaction", "fund_use",
                  "output_effect")
    project = {"funding_source": "fiscal", "project_type": "construction", "owner_unit_type": "other",
               **{f"eval_{name}": "80" for name in dimensions}}
    report = engine.evaluate(project, "gaoping", date(2026, 6, 1))
    score = report.decision("gaoping.evaluation.performance_score")
    assert score.status is Status.UNKNOWN
    assert score.readings == ("gaoping_other_unit_is_municipal_unit",)
    listed = {d["rule"]: d for d in json.loads(report.to_json())["decisions"]}
    assert listed["gaoping.evaluation.performance_score"]["readings"] == ["gaoping_other_unit_is_municipal_unit"]
    # Answered, the score is computed and rests on its weights, and still on the reading (the other
    # answer would take the unit out of scope).
    answered = engine.evaluate(project, "gaoping", date(2026, 6, 1),
                               readings={"gaoping_other_unit_is_municipal_unit": "municipal_unit"})
    decided = answered.decision("gaoping.evaluation.performance_score")
    assert decided.status is Status.APPLIES and decided.score is not None and decided.score.total == 80
    assert "gaoping_grade_bands" in decided.local_parameters
    assert decided.readings == ("gaoping_other_unit_is_municipal_unit",)
