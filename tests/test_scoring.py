"""Local parameters and the scoring rule kind: loading, exact totals, grade bands, derived facts."""

from __future__ import annotations

import textwrap
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packwriter import pack_yaml, write_pack

import govrules
from govrules import PackError, Status

AS_OF = date(2026, 6, 1)

PROVISIONS = """\
provisions:
  - label: 第一条
    path: [第一条]
    text: 绩效评价的内容包括成本效益、应用效果等方面。
  - label: 第二条
    path: [第二条]
    text: 对已建成应用进行绩效评价，根据应用评价结果进行分类。
"""

PARAMS = """
local_parameters:
  - id: w_cost
    type: number
    value: 40
    zh: 权重：成本效益
    en: weight, cost
    source: 测试设定
  - id: w_effect
    type: number
    value: 60
    zh: 权重：应用效果
    en: weight, effect
    source: 测试设定
  - id: bands
    type: bands
    value:
      - {grade: excellent, at_least: 90}
      - {grade: pass, at_least: 60}
      - {grade: fail}
    zh: 等级表
    en: grade bands
    source: 测试设定
  - id: low_usage
    type: number
    value: 60
    zh: 使用情况界线
    en: usage line
    source: 测试设定
"""

RULES = """\
rules:
  - id: demo.evaluation.score
    kind: scoring
    title: {zh: 绩效评价计分, en: performance score}
    cites: [第一条]
    scoring:
      dimensions:
        - {fact: eval_cost_benefit, weight: w_cost}
        - {fact: eval_application_effect, weight: w_effect}
      total: performance_score
      grade: performance_grade
      bands: bands
    outcome: performance_graded
  - id: demo.classify.not_effective
    kind: classification
    title: {zh: 用而未达效, en: used but not effective}
    cites: [第二条]
    when:
      all:
        - {fact: usage_evaluation_score, op: 不低于, param: low_usage}
        - {fact: performance_grade, is: fail}
    outcome: used_not_effective
"""


def _pack(root: Path, rules: str = RULES, params: str = PARAMS) -> Path:
    directory = write_pack(root, "demo", provisions=PROVISIONS, rules=rules)
    (directory / "pack.yaml").write_text(pack_yaml("demo") + textwrap.dedent(params), encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> govrules.Engine:
    root = tmp_path_factory.mktemp("policies")
    _pack(root)
    return govrules.load(root)


def _score(engine: govrules.Engine, **facts: object) -> govrules.Report:
    return engine.evaluate(facts, "demo", AS_OF)


def test_total_is_the_exact_weighted_sum_and_the_grade_band_includes_its_bound(engine: govrules.Engine) -> None:
    # 40% × 90 + 60% × 90 = 90 exactly: "90 以上" includes 90.
    on = _score(engine, eval_cost_benefit=90, eval_application_effect=90).decision("demo.evaluation.score")
    assert on.score is not None and on.score.total == Decimal(90) and on.score.grade == "excellent"
    below = _score(engine, eval_cost_benefit=Decimal("89.75"), eval_application_effect=90)
    assert below.decision("demo.evaluation.score").score.total == Decimal("89.9")  # type: ignore[union-attr]
    assert below.decision("demo.evaluation.score").score.grade == "pass"  # type: ignore[union-attr]
    bottom = _score(engine, eval_cost_benefit=0, eval_application_effect=0).decision("demo.evaluation.score")
    assert bottom.score.total == 0 and bottom.score.grade == "fail"  # type: ignore[union-attr]


def test_the_breakdown_names_the_dimension_that_lost_most(engine: govrules.Engine) -> None:
    # cost 50 loses 40% × 50 = 20; effect 80 loses 60% × 20 = 12: cost pulled the total down.
    d = _score(engine, eval_cost_benefit=50, eval_application_effect=80).decision("demo.evaluation.score")
    assert d.score is not None
    assert d.score.weakest().fact == "eval_cost_benefit"  # type: ignore[union-attr]
    data = d.to_dict()["score"]
    assert data["total"] == "68" and data["weakest"] == "eval_cost_benefit"
    assert [x["lost"] for x in data["dimensions"]] == ["20", "12"]
    assert "成本效益" in d.explanation_zh and "20" in d.explanation_zh
    assert d.to_dict()["local_parameters"] == ["w_cost", "w_effect", "bands"]


def test_a_missing_dimension_leaves_the_total_open_and_says_which(engine: govrules.Engine) -> None:
    d = _score(engine, eval_cost_benefit=90).decision("demo.evaluation.score")
    assert d.status is Status.APPLIES
    assert d.missing == ("eval_application_effect",)
    assert d.score is not None and d.score.total is None and d.score.grade is None


def test_the_grade_feeds_classification_and_the_param_is_named(engine: govrules.Engine) -> None:
    failing = dict(eval_cost_benefit=10, eval_application_effect=10)
    # usage 60 is 不低于 60 (inclusive): the classification applies on the bound and above it.
    # Where the classification applies, the computed grade decides it too, so the decision rests on
    # the weights and grade table that grade came from (issue 12: a decision lists every local
    # parameter it rests on). Below the usage bound the grade does not matter: only low_usage.
    for usage, expected, params in ((59, Status.NOT_APPLICABLE, ("low_usage",)),
                                    (60, Status.APPLIES, ("low_usage", "w_cost", "w_effect", "bands")),
                                    (61, Status.APPLIES, ("low_usage", "w_cost", "w_effect", "bands"))):
        report = _score(engine, usage_evaluation_score=usage, **failing)
        d = report.decision("demo.classify.not_effective")
        assert d.status is expected, usage
        assert d.local_parameters == params, usage
        assert "local-parameters" in [n.code for n in report.notices]
    passing = _score(engine, usage_evaluation_score=80, eval_cost_benefit=90, eval_application_effect=90)
    assert passing.decision("demo.classify.not_effective").status is Status.NOT_APPLICABLE


def test_a_stated_result_wins_over_the_computed_one_and_the_difference_is_said(engine: govrules.Engine) -> None:
    report = _score(engine, usage_evaluation_score=80, eval_cost_benefit=90, eval_application_effect=90,
                    performance_grade="fail")
    assert report.decision("demo.classify.not_effective").status is Status.APPLIES
    # The grade is the project's, not computed: the classification rests on no weight or band.
    assert report.decision("demo.classify.not_effective").local_parameters == ("low_usage",)
    score = report.decision("demo.evaluation.score")
    assert score.score is not None and score.score.grade == "excellent"
    assert "申报" in score.explanation_zh and "differs" in score.explanation_en


def test_no_local_parameter_is_claimed_when_its_fact_is_not_stated(engine: govrules.Engine) -> None:
    report = _score(engine)
    assert report.decision("demo.classify.not_effective").local_parameters == ()
    assert "local-parameters" not in [n.code for n in report.notices]


@settings(max_examples=60, deadline=None)
@given(cost=st.integers(0, 100), effect=st.integers(0, 100))
def test_grade_matches_the_band_table(cost: int, effect: int) -> None:
    engine = _engine_cached()
    d = _score(engine, eval_cost_benefit=cost, eval_application_effect=effect).decision("demo.evaluation.score")
    total = (Decimal(40) * cost + Decimal(60) * effect) / 100
    assert d.score is not None and d.score.total == total
    assert d.score.grade == ("excellent" if total >= 90 else "pass" if total >= 60 else "fail")


_CACHE: dict[str, govrules.Engine] = {}


def _engine_cached() -> govrules.Engine:
    if "e" not in _CACHE:
        import tempfile

        root = Path(tempfile.mkdtemp())
        _pack(root)
        _CACHE["e"] = govrules.load(root)
    return _CACHE["e"]


@pytest.mark.parametrize(("params", "rules", "message"), [
    (PARAMS.replace("value: 60\n    zh: 权重：应用效果", "value: 50\n    zh: 权重：应用效果"), RULES, "add up to 90, not 100"),
    (PARAMS, RULES.replace("weight: w_effect", "weight: w_efect"), "unknown local parameter 'w_efect'"),
    (PARAMS, RULES.replace("bands: bands", "bands: w_cost"), "is a number, but a bands is needed"),
    (PARAMS, RULES.replace("param: low_usage", "param: bands"), "is a bands, but usage_evaluation_score is a number"),
    (PARAMS.replace("{grade: pass, at_least: 60}", "{grade: passed, at_least: 60}"), RULES, "not a value of performance_grade"),
    (PARAMS.replace("at_least: 60}", "at_least: 95}"), RULES, "must be lower than the band before it"),
    (PARAMS, RULES.replace("kind: scoring", "kind: obligation"), "only scoring rules have scoring"),
    (PARAMS, RULES.replace("fact: eval_cost_benefit, weight", "fact: total_investment, weight"), "a dimension score is a number"),
    # regression (found by the pack-mutation test): an entry without a required key crashed with KeyError
    (PARAMS.replace("    type: number\n    value: 40\n", "    value: 40\n"), RULES, "'type' is required here"),
    (PARAMS.replace("    en: weight, cost\n", ""), RULES, "'en' is required here"),
    (PARAMS.replace("  - id: w_cost\n", "  - id: w_cost\n    id_again: 1\n"), RULES, "id_again"),
])
def test_bad_scoring_and_parameters_are_located_pack_errors(tmp_path: Path, params: str, rules: str,
                                                            message: str) -> None:
    _pack(tmp_path, rules=rules, params=params)
    with pytest.raises(PackError) as info:
        govrules.load(tmp_path)
    problems = info.value.problems
    assert any(message in p.message for p in problems), [p.message for p in problems]
    assert all(p.line is not None for p in problems)


def test_outline_paths_may_be_written_as_numbers(tmp_path: Path) -> None:
    provisions = "provisions:\n  - label: 二\n    path: [二]\n  - label: 二6\n    path: [二, 6]\n    text: 不予受理。\n"
    rules = ("rules:\n  - id: demo.exclusion.x\n    kind: exclusion\n    title: {zh: 不予受理, en: refused}\n"
             "    cites: [二6]\n    when: {fact: duplicate_construction, is: true}\n    outcome: not_accepted\n")
    write_pack(tmp_path, "demo", provisions=provisions, rules=rules)
    pack = govrules.load(tmp_path).packs[0]
    assert pack.provisions["二6"].path == ("二", "6")
