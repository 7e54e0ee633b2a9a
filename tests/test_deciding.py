"""The decision procedure (govrules.deciding): readings, exceptions the project must establish,
permissions on a condition, absent acts, and the all-completions rule (issue 12 B, C).

Each behaviour is pinned down on a small synthetic pack whose provisions quote a made-up text, so
that each assertion depends on one rule; the properties over the shipped packs are in
tests/test_fast_paths.py.
"""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import packwriter
import pytest

import govrules
from govrules import ProjectError, Status

D = date.fromisoformat
AS_OF = D("2026-06-01")

PROVISIONS = """\
provisions:
  - label: 第一条
    path: [第一条]
    text: 本办法适用于行政单位利用财政资金的信息化项目；其他单位的项目是否适用，由主管部门结合实际确定。
  - label: 第二条
    path: [第二条]
    text: 除特殊情况外，项目须先审批后建设。
  - label: 第三条
    path: [第三条]
    text: 不得新建业务专网；按照法律法规需要新建的，应报主管部门同意。
  - label: 第四条
    path: [第四条]
    text: 合同签订后5个工作日内上传；试运行前须完成初验。
"""

RULES = """\
rules:
  - id: demo.scope.fiscal
    kind: scope
    effect: include
    title: {zh: 行政单位利用财政资金的项目适用本办法, en: fiscal projects of administrative units}
    cites: [第一条]
    outcome: decided
    when:
      all:
        - {fact: funding_source, is: fiscal}
        - any:
          - {fact: owner_unit_type, is: administrative_unit}
          - all:
            - {fact: owner_unit_type, in: [other, state_owned_enterprise]}
            - {reading: demo_other_units, is: governed}

  - id: demo.obligation.approve_first
    kind: obligation
    title: {zh: 先审批后建设, en: approval before construction}
    cites: [第二条]
    outcome: decided
    when: {fact: construction_started_on, known: true}
    require: {fact: project_approved_on, op: 先于, value: {fact: construction_started_on}}

  - id: demo.exception.special_circumstances
    kind: obligation
    exception_to: demo.obligation.approve_first
    burden: project
    title: {zh: 特殊情况, en: special circumstances}
    cites: [第二条]
    outcome: decided
    when: {fact: special_circumstances_build_before_approval, is: true}

  - id: demo.obligation.no_network
    kind: obligation
    title: {zh: 不得新建业务专网, en: no new dedicated network}
    cites: [第三条]
    outcome: decided
    require: {fact: builds_business_private_network, is: false}

  - id: demo.obligation.network_consent
    kind: obligation
    exception_to: demo.obligation.no_network
    lifts: when_met
    title: {zh: 法律要求新建的须经同意, en: a network the law requires needs consent}
    cites: [第三条]
    outcome: decided
    when:
      all:
        - {fact: builds_business_private_network, is: true}
        - {fact: private_network_required_by_law, is: true}
    require: {fact: private_network_approved, is: true}

  - id: demo.deadline.contract_upload
    kind: deadline
    title: {zh: 合同签订后5个工作日内上传, en: upload within 5 working days}
    cites: [第四条]
    outcome: decided
    deadline: {from: contract_signed_on, within: {working_days: 5}, done: contract_uploaded_on}

  - id: demo.obligation.acceptance_before_trial
    kind: obligation
    title: {zh: 试运行前完成初验, en: initial acceptance before the trial run}
    cites: [第四条]
    outcome: decided
    when: {fact: trial_run_started_on, happened: true}
    require: {fact: initial_acceptance_on, op: 以前, value: {fact: trial_run_started_on}}
"""

READINGS = """\
readings:
  - id: demo_other_units
    provision: 第一条
    question: {zh: 其他单位的项目是否适用本办法？, en: Are projects of other units governed?}
    quote: 其他单位的项目是否适用，由主管部门结合实际确定
    answer: {answer}
    alternatives:
      governed: {zh: 适用, en: governed}
      not_governed: {zh: 不适用, en: not governed}
    why: {zh: 测试用, en: for the test}
"""

FISCAL = {"funding_source": "fiscal", "owner_unit_type": "administrative_unit"}


def _indented(rule: str) -> str:
    """One more rule, indented as an item of RULES' list."""
    return textwrap.indent(textwrap.dedent(rule), "  ")


def _engine(tmp_path: Path, answer: str = "not_governed", rules: str = RULES) -> govrules.Engine:
    root = tmp_path / f"policies-{answer}"
    pack = packwriter.write_pack(root, "demo", provisions=PROVISIONS, rules=rules)
    (pack / "readings.yaml").write_text(textwrap.dedent(READINGS).replace("{answer}", answer), encoding="utf-8")
    return govrules.load(root)


@pytest.fixture()
def engine(tmp_path: Path) -> govrules.Engine:
    return _engine(tmp_path)


def _decide(engine: govrules.Engine, rule: str, readings: dict[str, str | None] | None = None,
            **facts: object) -> govrules.Decision:
    return engine.evaluate({**FISCAL, **facts}, "demo", AS_OF, readings=readings).decision(rule)


# -- readings (issue 12 B) ----------------------------------------------------------------------

def test_a_reading_decides_scope_and_the_decision_names_it(engine: govrules.Engine) -> None:
    other = {"owner_unit_type": "other"}
    report = engine.evaluate({**FISCAL, **other, "builds_business_private_network": True}, "demo", AS_OF)
    no_network = report.decision("demo.obligation.no_network")
    # The pack answers not_governed: out of scope, and the decision says which reading settled it.
    assert no_network.status is Status.NOT_APPLICABLE
    assert no_network.readings == ("demo_other_units",)
    assert "readings" in [n.code for n in report.notices]
    # The alternative answer, chosen by the caller, brings the project in: the network is a breach.
    governed = engine.evaluate({**FISCAL, **other, "builds_business_private_network": True,
                                "private_network_approved": False}, "demo", AS_OF,
                               readings={"demo_other_units": "governed"})
    assert governed.decision("demo.obligation.no_network").status is Status.VIOLATED
    assert governed.decision("demo.obligation.no_network").readings == ("demo_other_units",)
    assert governed.to_dict()["readings"] == {"demo_other_units": "governed"}
    assert "readings-chosen" in [n.code for n in governed.notices]
    assert governed.decision_id != report.decision_id


def test_a_decision_the_reading_cannot_change_does_not_rest_on_it(engine: govrules.Engine) -> None:
    # An administrative unit is governed whatever the reading says of other units.
    d = _decide(engine, "demo.obligation.no_network", builds_business_private_network=False)
    assert d.status is Status.SATISFIED
    assert d.readings == ()


def test_a_reading_without_an_answer_leaves_the_kind_of_project_it_concerns_unknown(tmp_path: Path) -> None:
    engine = _engine(tmp_path, answer="null")
    d = _decide(engine, "demo.obligation.no_network", owner_unit_type="other", builds_business_private_network=True)
    assert d.status is Status.UNKNOWN  # never silently not_applicable
    assert "demo_other_units" in d.explanation_zh
    chosen = _decide(engine, "demo.obligation.no_network", {"demo_other_units": "not_governed"},
                     owner_unit_type="other", builds_business_private_network=True)
    assert chosen.status is Status.NOT_APPLICABLE


def test_a_bad_reading_from_the_caller_is_a_project_error_naming_it(engine: govrules.Engine) -> None:
    with pytest.raises(ProjectError) as caught:
        engine.evaluate(FISCAL, "demo", AS_OF, readings={"demo_other_unit": "governed",
                                                         "demo_other_units": "maybe"})
    fields = [p.field for p in caught.value.problems]
    assert fields == ["readings.demo_other_unit", "readings.demo_other_units"]
    assert "demo_other_units" in (caught.value.problems[0].hint or "")


def test_a_reading_must_name_a_provision_and_answer_with_an_alternative(tmp_path: Path) -> None:
    with pytest.raises(govrules.PackError) as caught:
        _engine(tmp_path, answer="perhaps")
    (problem,) = caught.value.problems
    assert problem.code == "unknown-alternative" and problem.line is not None
    assert problem.file.endswith("readings.yaml")


# -- exceptions the project must establish (issue 12 C1) ------------------------------------------

def test_an_unclaimed_exception_leaves_the_breach_standing_and_says_what_would_lift_it(
        engine: govrules.Engine) -> None:
    d = _decide(engine, "demo.obligation.approve_first", construction_started_on="2026-03-01",
                project_approved_on="2026-04-01")
    assert d.status is Status.VIOLATED  # not unknown: special circumstances are for the project to show
    assert d.unclaimed == ("demo.exception.special_circumstances",)
    assert "除非能证明" in d.explanation_zh and "special_circumstances_build_before_approval" in d.explanation_zh
    assert d.to_dict()["unclaimed"] == ["demo.exception.special_circumstances"]


def test_a_claimed_exception_lifts_the_breach_and_a_refuted_one_is_not_listed(engine: govrules.Engine) -> None:
    late = {"construction_started_on": "2026-03-01", "project_approved_on": "2026-04-01"}
    claimed = _decide(engine, "demo.obligation.approve_first", special_circumstances_build_before_approval=True, **late)
    assert claimed.status is Status.NOT_APPLICABLE
    assert claimed.overridden_by == "demo.exception.special_circumstances"
    refuted = _decide(engine, "demo.obligation.approve_first", special_circumstances_build_before_approval=False, **late)
    assert refuted.status is Status.VIOLATED and refuted.unclaimed == ()


# -- permissions on a condition (lifts: when_met) --------------------------------------------------

@pytest.mark.parametrize("required_by_law", [True, False, None])
def test_a_network_without_consent_is_a_breach_whether_or_not_law_requires_it(
        engine: govrules.Engine, required_by_law: bool | None) -> None:
    facts = {"builds_business_private_network": True, "private_network_approved": False}
    if required_by_law is not None:
        facts["private_network_required_by_law"] = required_by_law
    d = _decide(engine, "demo.obligation.no_network", **facts)
    assert d.status is Status.VIOLATED


def test_a_network_the_law_requires_with_consent_is_lifted(engine: govrules.Engine) -> None:
    d = _decide(engine, "demo.obligation.no_network", builds_business_private_network=True,
                private_network_required_by_law=True, private_network_approved=True)
    assert d.status is Status.NOT_APPLICABLE
    assert d.overridden_by == "demo.obligation.network_consent"


# -- the all-completions rule (issue 12 C2) --------------------------------------------------------

def test_missing_facts_that_cannot_change_the_answer_are_listed_as_not_needed(engine: govrules.Engine) -> None:
    # Without consent, whether law requires the network does not matter: a breach either way.
    d = _decide(engine, "demo.obligation.no_network", builds_business_private_network=True,
                private_network_approved=False)
    assert d.status is Status.VIOLATED
    assert d.missing == ()
    assert d.not_needed == ("private_network_required_by_law",)
    # Nothing is missing: nothing to list.
    full = _decide(engine, "demo.obligation.no_network", builds_business_private_network=True,
                   private_network_approved=False, private_network_required_by_law=True)
    assert full.status is Status.VIOLATED and full.not_needed == ()


def test_all_completions_settle_what_three_valued_logic_leaves_open(tmp_path: Path) -> None:
    # "x is true or x is false": Kleene's logic cannot see it is always true; every completion does.
    rules = RULES + _indented("""\
      - id: demo.obligation.tautology
        kind: obligation
        title: {zh: 同义反复, en: tautology}
        cites: [第三条]
        outcome: decided
        when:
          any:
            - {fact: private_network_required_by_law, is: true}
            - {fact: private_network_required_by_law, is: false}
        require: {fact: builds_business_private_network, is: false}
    """)
    engine = _engine(tmp_path, rules=rules)
    d = _decide(engine, "demo.obligation.tautology", builds_business_private_network=True)
    assert d.status is Status.VIOLATED
    assert d.not_needed == ("private_network_required_by_law",)
    assert "无论取何值" in d.explanation_zh


def test_missing_facts_that_can_change_the_answer_leave_it_unknown(engine: govrules.Engine) -> None:
    d = _decide(engine, "demo.obligation.no_network", builds_business_private_network=True,
                private_network_approved=True)
    # With consent, it turns on whether law requires the network: lifted, or a breach.
    assert d.status is Status.UNKNOWN
    assert d.missing == ("private_network_required_by_law",)
    assert d.not_needed == ()


# -- absent acts (issue 12 C3) -------------------------------------------------------------------

def test_an_act_that_did_not_happen_can_be_stated_and_is_not_unknown(engine: govrules.Engine) -> None:
    trial = {"trial_run_started_on": "2026-05-01"}
    missing = _decide(engine, "demo.obligation.acceptance_before_trial", **trial)
    assert missing.status is Status.APPLIES and missing.missing == ("initial_acceptance_on",)
    none = _decide(engine, "demo.obligation.acceptance_before_trial", initial_acceptance_on=False, **trial)
    assert none.status is Status.VIOLATED  # a comparison with an act that did not happen is false
    assert "未发生" in none.explanation_zh
    not_started = _decide(engine, "demo.obligation.acceptance_before_trial", trial_run_started_on=False)
    assert not_started.status is Status.NOT_APPLICABLE
    assert not_started.to_dict()["facts"] == {"trial_run_started_on": False}  # written as JSON false


def test_a_deadline_whose_start_act_did_not_happen_never_began(engine: govrules.Engine) -> None:
    d = _decide(engine, "demo.deadline.contract_upload", contract_signed_on=False)
    assert d.status is Status.NOT_APPLICABLE and d.due is None
    # A done act stated as not done is overdue after the period, like one not recorded; the words differ.
    stated = _decide(engine, "demo.deadline.contract_upload", contract_signed_on="2026-05-06",
                     contract_uploaded_on=False)
    silent = _decide(engine, "demo.deadline.contract_upload", contract_signed_on="2026-05-06")
    assert stated.status is silent.status is Status.OVERDUE
    # 5 working days from Wed 2026-05-06: 7, 8, Sat 9 (a working day swapped for the 劳动节 holiday), 11, 12.
    assert stated.due == silent.due == D("2026-05-12")
    assert "未完成" in stated.explanation_zh and "未记录完成" in silent.explanation_zh


def test_false_is_refused_for_a_date_that_is_not_an_act_and_for_a_non_date() -> None:
    with pytest.raises(ProjectError) as caught:
        govrules.parse_project({"is_classified": "false", "total_investment": False})
    assert {p.field for p in caught.value.problems} == {"is_classified", "total_investment"}
    project = govrules.parse_project({"contract_signed_on": False})
    assert project.to_dict()["contract_signed_on"] is False  # JSON writes the absent act as false


def test_happened_is_refused_on_a_fact_that_is_not_an_act(tmp_path: Path) -> None:
    bad = RULES + _indented("""\
      - id: demo.obligation.bad
        kind: obligation
        title: {zh: 坏, en: bad}
        cites: [第四条]
        outcome: decided
        when: {fact: total_investment, happened: true}
    """)
    with pytest.raises(govrules.PackError) as caught:
        _engine(tmp_path, rules=bad)
    assert any("does not record an act" in p.message for p in caught.value.problems)


def test_burden_and_lifts_belong_to_exceptions_only(tmp_path: Path) -> None:
    bad = RULES.replace("    require: {fact: builds_business_private_network, is: false}\n",
                        "    require: {fact: builds_business_private_network, is: false}\n    burden: project\n", 1)
    with pytest.raises(govrules.PackError) as caught:
        _engine(tmp_path, rules=bad)
    assert any("only an exception" in p.message for p in caught.value.problems)


def test_the_pack_page_shows_each_reading_beside_its_provision(tmp_path: Path) -> None:
    pytest.importorskip("jinja2")
    from govrules.coverage import measure_engine
    from govrules.pages import render_pack

    engine = _engine(tmp_path)
    html = render_pack(measure_engine(engine).pack("demo"), engine.vocabulary)
    section = html.split('data-label="第一条"', 1)[1].split("</section>", 1)[0]
    assert 'data-reading="demo_other_units"' in section  # beside 第一条, the provision it reads
    assert "其他单位的项目是否适用本办法？" in section and "✔ 所取：<code>not_governed</code>" in section
    assert "demo.scope.fiscal" in section.split('data-reading="demo_other_units"', 1)[1]


def test_govrules_readings_lists_every_reading_with_the_rules_reading_it(tmp_path: Path) -> None:
    import io
    import json

    from govrules.cli import main

    _engine(tmp_path)
    out = io.StringIO()
    assert main(["readings", str(tmp_path / "policies-not_governed"), "--format", "json"], out=out) == 0
    (entry,) = json.loads(out.getvalue())
    assert entry["id"] == "demo_other_units" and entry["answer"] == "not_governed"
    assert entry["rules"] == ["demo.scope.fiscal"]
    human = io.StringIO()
    assert main(["readings", str(tmp_path / "policies-not_governed")], out=human) == 0
    assert "✔ not_governed" in human.getvalue() and "1 reading(s) in 1 pack(s)" in human.getvalue()


def test_the_cli_evaluates_under_another_reading(tmp_path: Path) -> None:
    import io
    import json

    from govrules.cli import main

    _engine(tmp_path)
    project = tmp_path / "p.json"
    project.write_text(json.dumps({**FISCAL, "owner_unit_type": "other", "builds_business_private_network": True,
                                   "private_network_approved": False}), encoding="utf-8")
    policies = str(tmp_path / "policies-not_governed")
    base = ["evaluate", str(project), "-j", "demo", "--as-of", "2026-06-01", "--policies", policies,
            "--format", "json"]
    out = io.StringIO()
    assert main(base, out=out) == 0  # out of scope under the pack's reading: nothing violated
    out2 = io.StringIO()
    assert main([*base, "--reading", "demo_other_units=governed"], out=out2) == 1  # a violation found
    assert json.loads(out2.getvalue())["readings"] == {"demo_other_units": "governed"}
    err = io.StringIO()
    assert main([*base, "--reading", "demo_other_units=perhaps"], out=io.StringIO(), err=err) == 3
    assert "readings.demo_other_units" in err.getvalue()


def test_diff_shows_what_another_reading_changes_over_a_corpus(tmp_path: Path) -> None:
    import json

    from govrules.diffing import diff_paths

    _engine(tmp_path)
    policies = tmp_path / "policies-not_governed"
    corpus = tmp_path / "corpus.jsonl"
    rows = [{**FISCAL, "id": "A", "builds_business_private_network": True, "private_network_approved": False},
            {**FISCAL, "id": "B", "owner_unit_type": "other", "builds_business_private_network": True,
             "private_network_approved": False}]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = diff_paths(policies, policies, corpus, as_of=AS_OF, new_readings={"demo_other_units": "governed"})
    # Only the other unit's project changes: the administrative unit is governed under either answer.
    assert [p.project_id for p in report.changed] == ["B"]
    changes = {c.rule: c.transition for c in report.changed[0].changes}
    assert changes["demo.obligation.no_network"] == "not_applicable → violated"


def test_batch_decides_under_the_readings_asked_for_as_evaluate_does(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    from govrules.batch import evaluate_batch

    engine = _engine(tmp_path)
    rows = [{**FISCAL, "owner_unit_type": unit, "builds_business_private_network": True,
             "private_network_approved": approved}
            for unit in ("administrative_unit", "other", "state_owned_enterprise") for approved in (True, False, None)]
    table = pa.RecordBatch.from_pylist(rows)
    for readings in (None, {"demo_other_units": "governed"}, {"demo_other_units": None}):
        out = evaluate_batch(table, engine, "demo", AS_OF, readings=readings).to_pydict()
        for i, row in enumerate(rows):
            project = {k: v for k, v in row.items() if v is not None}
            expected = engine.evaluate(project, "demo", AS_OF, readings=readings).decision("demo.obligation.no_network")
            assert out["demo.obligation.no_network"][i] == expected.status.value, (readings, row)


def test_lint_analyses_packs_with_readings_acts_and_exceptions_that_lift_when_met(tmp_path: Path) -> None:
    from govrules.linting import lint_packs

    engine = _engine(tmp_path)
    findings = lint_packs(engine.packs, engine.vocabulary, engine)  # it used to crash on a happened leaf
    codes = {f.code for f in findings}
    assert "unused-reading" not in codes  # demo_other_units is read by the scope rule
    unused = _engine(tmp_path / "unused", rules=RULES.replace(
        "            - {reading: demo_other_units, is: governed}\n", "            - {fact: is_classified, is: false}\n"))
    assert "unused-reading" in {f.code for f in lint_packs(unused.packs, unused.vocabulary, unused)}


def test_a_requirement_open_on_a_reading_the_pack_leaves_open_names_it(tmp_path: Path) -> None:
    rules = RULES + _indented("""\
      - id: demo.obligation.other_units_network
        kind: obligation
        title: {zh: 其他单位, en: other units}
        cites: [第一条]
        outcome: decided
        require: {reading: demo_other_units, is: not_governed}
    """)
    engine = _engine(tmp_path, answer="null", rules=rules)
    d = _decide(engine, "demo.obligation.other_units_network")
    assert d.status is Status.APPLIES and d.missing == ()
    assert d.readings == ("demo_other_units",)
    assert "demo_other_units" in d.explanation_zh and "缺少" not in d.explanation_zh


@pytest.mark.parametrize("answer", ["[]", "[governed]", "{a: 1}", "3"])
def test_a_reading_condition_answered_with_a_list_or_a_mapping_is_a_located_problem(tmp_path: Path,
                                                                                   answer: str) -> None:
    # Found by the pack fuzz test: an unhashable answer crashed loading with a TypeError.
    rules = RULES.replace("{reading: demo_other_units, is: governed}", f"{{reading: demo_other_units, is: {answer}}}")
    assert rules != RULES
    with pytest.raises(govrules.PackError) as caught:
        _engine(tmp_path, rules=rules)
    (problem,) = caught.value.problems
    assert problem.code == "unknown-alternative" and problem.line is not None
    assert problem.message_zh
