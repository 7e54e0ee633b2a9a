"""Tests of govrules.conditions: the statutory comparison words, three-valued logic, times/plus, describe."""

from __future__ import annotations

import calendar as stdcalendar
import operator
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govrules.calendar import default_calendar
from govrules.conditions import (
    All,
    AnyOf,
    Compare,
    Condition,
    Equals,
    Known,
    Literal,
    Not,
    compile_condition,
    describe,
    facts_used,
    missing_facts,
    parse_condition,
)
from govrules.errors import PackProblem
from govrules.vocabulary import default_vocabulary
from govrules.yamlfiles import read_yaml_text

V = default_vocabulary()
CAL = default_calendar()
D = date.fromisoformat
SETTINGS = settings(max_examples=200, deadline=None)


def parse(text: str) -> Condition:
    doc = read_yaml_text(text.encode("utf-8"), "c.yaml")
    problems: list[PackProblem] = []
    cond = parse_condition(doc.data, (), doc, V, problems)
    assert problems == []
    assert cond is not None
    return cond


def parse_problems(text: str) -> list[PackProblem]:
    doc = read_yaml_text(text.encode("utf-8"), "c.yaml")
    problems: list[PackProblem] = []
    cond = parse_condition(doc.data, (), doc, V, problems)
    assert cond is None
    assert problems
    return problems


def evaluate(cond: Condition, facts: Mapping[str, Any]) -> bool | None:
    return compile_condition(cond, CAL)(facts)


# ---------------------------------------------------------------------------------------------
# The statutory words (民法典 第一千二百五十九条: 以上、以下、以内 include the number; 不满、超过 do not)

INCLUSIVE_GE = ["以上", "不少于", "不低于"]
INCLUSIVE_LE = ["以下", "以内", "不超过"]
EXCLUSIVE_GT = ["超过", "高于", "多于"]
EXCLUSIVE_LT = ["不满", "低于", "少于"]
MEANING: dict[str, Callable[[Any, Any], bool]] = {
    **dict.fromkeys(INCLUSIVE_GE, operator.ge),
    **dict.fromkeys(INCLUSIVE_LE, operator.le),
    **dict.fromkeys(EXCLUSIVE_GT, operator.gt),
    **dict.fromkeys(EXCLUSIVE_LT, operator.lt),
}
INCLUSIVE = INCLUSIVE_GE + INCLUSIVE_LE
EXCLUSIVE = EXCLUSIVE_GT + EXCLUSIVE_LT

amounts = st.decimals(min_value=0, max_value=Decimal(10) ** 15, places=2, allow_nan=False, allow_infinity=False)


@SETTINGS
@given(word=st.sampled_from(sorted(MEANING)), a=amounts, t=amounts)
def test_statutory_word_means_its_relation(word: str, a: Decimal, t: Decimal) -> None:
    cond = Compare("total_investment", word, Literal(t))
    assert evaluate(cond, {"total_investment": a}) is MEANING[word](a, t)


@SETTINGS
@given(word=st.sampled_from(sorted(MEANING)), t=amounts, delta=st.sampled_from([Decimal("0.01"), Decimal(1)]))
def test_statutory_word_near_the_threshold(word: str, t: Decimal, delta: Decimal) -> None:
    cond = Compare("total_investment", word, Literal(t))
    for a in (t - delta, t, t + delta):
        if a >= 0:
            assert evaluate(cond, {"total_investment": a}) is MEANING[word](a, t)


@SETTINGS
@given(word=st.sampled_from(sorted(MEANING)), wan=st.integers(min_value=0, max_value=10**8))
def test_at_the_threshold_inclusive_words_hold_and_exclusive_do_not(word: str, wan: int) -> None:
    # The threshold as a pack writes it (N万元), the amount as a project gives it (yuan with cents).
    cond = parse(f"fact: total_investment\nop: {word}\nvalue: {wan}万元\n")
    amount = Decimal(f"{wan * 10_000}.00")
    assert evaluate(cond, {"total_investment": amount}) is (word in INCLUSIVE)


@pytest.mark.parametrize("word", sorted(MEANING))
def test_500_wan_boundary_through_the_parser(word: str) -> None:
    cond = parse(f"fact: total_investment\nop: {word}\nvalue: 500万元\n")
    below, exactly, above = Decimal("4999999.99"), Decimal(5000000), Decimal("5000000.01")
    results = [evaluate(cond, {"total_investment": a}) for a in (below, exactly, above)]
    expected = {
        **dict.fromkeys(INCLUSIVE_GE, (False, True, True)),
        **dict.fromkeys(INCLUSIVE_LE, (True, True, False)),
        **dict.fromkeys(EXCLUSIVE_GT, (False, False, True)),
        **dict.fromkeys(EXCLUSIVE_LT, (True, False, False)),
    }[word]
    assert tuple(results) == expected


def test_symbols_mean_what_they_say() -> None:
    t = Decimal(100)
    for op, fn in {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
                   "==": operator.eq, "!=": operator.ne}.items():
        cond = Compare("total_investment", op, Literal(t))
        for a in (Decimal(99), Decimal(100), Decimal(101)):
            assert evaluate(cond, {"total_investment": a}) is fn(a, t), (op, a)


def test_comparison_with_a_missing_fact_is_unknown() -> None:
    cond = parse("fact: total_investment\nop: 以上\nvalue: 500万元\n")
    assert evaluate(cond, {}) is None
    assert evaluate(cond, {"total_investment": None}) is None
    assert missing_facts(cond, {}, CAL) == ("total_investment",)


# ---------------------------------------------------------------------------------------------
# Three-valued logic (Kleene)

BOOL_FACTS = ["is_classified", "funding_secured", "requirements_unclear", "duplicate_construction"]
T = Equals("is_classified", True)        # true when is_classified is true
F = Equals("funding_secured", True)      # false when funding_secured is false
U = Equals("requirements_unclear", True)  # unknown: requirements_unclear missing
U2 = Equals("duplicate_construction", True)
BASE = {"is_classified": True, "funding_secured": False}


def test_all_with_a_false_member_is_false_even_if_another_is_unknown() -> None:
    for cond in (All((F, U)), All((U, F)), All((T, U, F))):
        assert evaluate(cond, BASE) is False
        assert missing_facts(cond, BASE, CAL) == ()


def test_any_with_a_true_member_is_true_even_if_another_is_unknown() -> None:
    for cond in (AnyOf((T, U)), AnyOf((U, T)), AnyOf((F, U, T))):
        assert evaluate(cond, BASE) is True
        assert missing_facts(cond, BASE, CAL) == ()


def test_otherwise_unknown() -> None:
    assert evaluate(All((T, U)), BASE) is None
    assert evaluate(AnyOf((F, U)), BASE) is None
    assert evaluate(Not(U), BASE) is None
    assert evaluate(All((T, T)), BASE) is True
    assert evaluate(AnyOf((F, F)), BASE) is False
    assert evaluate(Not(T), BASE) is False
    assert evaluate(Not(F), BASE) is True


def test_missing_facts_lists_only_the_unknown_parts() -> None:
    # all[ unknown, any[ true, unknown2 ] ]: the any is decided, so only the first fact is missing.
    cond = All((U, AnyOf((T, U2))))
    assert evaluate(cond, BASE) is None
    assert missing_facts(cond, BASE, CAL) == ("requirements_unclear",)
    # all[ unknown, any[ false, unknown2 ] ]: both parts are unknown, both facts are listed in order.
    cond = All((U, AnyOf((F, U2))))
    assert missing_facts(cond, BASE, CAL) == ("requirements_unclear", "duplicate_construction")


def test_known_is_never_unknown() -> None:
    given_ = Known("requirements_unclear", True)
    absent = Known("requirements_unclear", False)
    assert evaluate(given_, BASE) is False
    assert evaluate(absent, BASE) is True
    assert evaluate(given_, {"requirements_unclear": False}) is True
    assert missing_facts(given_, BASE, CAL) == ()


def kleene(cond: Condition, facts: Mapping[str, Any]) -> bool | None:
    """An independent reference: Kleene's strong three-valued logic."""
    if isinstance(cond, Equals):
        value = facts.get(cond.fact)
        return None if value is None else value == cond.value
    if isinstance(cond, Not):
        inner = kleene(cond.item, facts)
        return None if inner is None else not inner
    values = [kleene(item, facts) for item in cond.items]  # type: ignore[union-attr]
    if isinstance(cond, All):
        if any(v is False for v in values):
            return False
        return None if any(v is None for v in values) else True
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


leaves = st.builds(Equals, st.sampled_from(BOOL_FACTS), st.booleans())
trees = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=3).map(lambda xs: All(tuple(xs))),
        st.lists(children, min_size=1, max_size=3).map(lambda xs: AnyOf(tuple(xs))),
        children.map(Not),
    ),
    max_leaves=8,
)
fact_sets = st.fixed_dictionaries({}, optional={f: st.one_of(st.booleans(), st.none()) for f in BOOL_FACTS})


@SETTINGS
@given(cond=trees, facts=fact_sets)
def test_evaluation_is_kleene(cond: Condition, facts: dict[str, Any]) -> None:
    assert evaluate(cond, facts) is kleene(cond, facts)


@SETTINGS
@given(cond=trees, facts=fact_sets, data=st.data())
def test_missing_facts_are_exactly_what_decides_an_unknown(cond: Condition, facts: dict[str, Any],
                                                           data: st.DataObject) -> None:
    result = evaluate(cond, facts)
    listed = missing_facts(cond, facts, CAL)
    assert len(set(listed)) == len(listed)
    assert (result is None) == bool(listed)
    for name in listed:
        assert facts.get(name) is None
        assert name in facts_used(cond)
    # Giving every listed fact (any values) decides the condition.
    filled = dict(facts)
    for name in listed:
        filled[name] = data.draw(st.booleans(), label=name)
    assert evaluate(cond, filled) is not None
    # Giving a missing fact that is not listed never changes the result.
    unlisted = [f for f in BOOL_FACTS if facts.get(f) is None and f not in listed]
    if unlisted:
        name = data.draw(st.sampled_from(unlisted), label="unlisted")
        changed = dict(facts)
        changed[name] = data.draw(st.booleans(), label="value")
        assert evaluate(cond, changed) is result


# ---------------------------------------------------------------------------------------------
# times and plus

TEN_PERCENT = "fact: change_amount\nop: {op}\nvalue: {{fact: investment_estimate, times: 0.1}}\n"


def test_times_is_exact_ten_percent() -> None:
    over = parse(TEN_PERCENT.format(op="超过"))
    at_least = parse(TEN_PERCENT.format(op="以上"))
    estimate = {"investment_estimate": Decimal(1000000)}
    assert evaluate(over, {**estimate, "change_amount": Decimal(100000)}) is False
    assert evaluate(at_least, {**estimate, "change_amount": Decimal(100000)}) is True
    assert evaluate(over, {**estimate, "change_amount": Decimal("100000.01")}) is True
    # 10% of 3333333.33 is 333333.333 exactly (a float would say 333333.33300000004).
    odd = {"investment_estimate": Decimal("3333333.33")}
    assert evaluate(over, {**odd, "change_amount": Decimal("333333.33")}) is False
    assert evaluate(over, {**odd, "change_amount": Decimal("333333.34")}) is True


def test_times_with_a_missing_operand_fact_is_unknown() -> None:
    cond = parse(TEN_PERCENT.format(op="超过"))
    facts = {"change_amount": Decimal(1)}
    assert evaluate(cond, facts) is None
    assert missing_facts(cond, facts, CAL) == ("investment_estimate",)
    assert facts_used(cond) == ("change_amount", "investment_estimate")


@SETTINGS
@given(change=amounts, estimate=amounts, ratio=st.sampled_from(["0.1", "0.05", "0.3", "1", "2"]))
def test_times_property(change: Decimal, estimate: Decimal, ratio: str) -> None:
    cond = parse(f"fact: change_amount\nop: 超过\nvalue: {{fact: investment_estimate, times: {ratio}}}\n")
    facts = {"change_amount": change, "investment_estimate": estimate}
    assert evaluate(cond, facts) is (change > estimate * Decimal(ratio))


PLUS = "fact: final_acceptance_applied_on\nop: '<='\nvalue: {{fact: trial_run_started_on, plus: {period}}}\n"


def end_of(start: str, period: str, applied: str) -> bool | None:
    cond = parse(PLUS.format(period=period))
    return evaluate(cond, {"trial_run_started_on": D(start), "final_acceptance_applied_on": D(applied)})


@pytest.mark.parametrize(
    ("start", "period", "last_day"),
    [
        # 第二百零二条: no corresponding day → the last day of that month.
        ("2024-01-31", "{months: 1}", "2024-02-29"),
        ("2023-01-31", "{months: 1}", "2023-02-28"),
        ("2024-03-31", "{months: 1}", "2024-04-30"),
        ("2024-01-15", "{months: 1}", "2024-02-15"),
        ("2024-11-30", "{months: 3}", "2025-02-28"),
        ("2024-02-29", "{years: 1}", "2025-02-28"),
        # 第二百零一条: the start day is not counted.
        ("2024-01-31", "{days: 1}", "2024-02-01"),
        ("2024-02-28", "{days: 30}", "2024-03-29"),
    ],
)
def test_plus_counts_periods_by_the_civil_code(start: str, period: str, last_day: str) -> None:
    assert end_of(start, period, last_day) is True
    day_after = (D(last_day) + timedelta(days=1)).isoformat()
    assert end_of(start, period, day_after) is False


def reference_add_months(d: date, months: int) -> date:
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(d.day, stdcalendar.monthrange(year, month)[1]))


@SETTINGS
@given(start=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
       months=st.integers(min_value=1, max_value=36))
def test_plus_months_property(start: date, months: int) -> None:
    cond = parse(PLUS.format(period=f"{{months: {months}}}"))
    end = reference_add_months(start, months)
    facts = {"trial_run_started_on": start}
    assert evaluate(cond, {**facts, "final_acceptance_applied_on": end}) is True
    assert evaluate(cond, {**facts, "final_acceptance_applied_on": end + timedelta(days=1)}) is False


def test_plus_with_a_missing_start_is_unknown() -> None:
    cond = parse(PLUS.format(period="{months: 1}"))
    facts = {"final_acceptance_applied_on": D("2024-02-01")}
    assert evaluate(cond, facts) is None
    assert missing_facts(cond, facts, CAL) == ("trial_run_started_on",)


# ---------------------------------------------------------------------------------------------
# Type checking at parse time (located problems)


@pytest.mark.parametrize(
    ("text", "code", "path"),
    [
        ("fact: contract_signed_on\nop: 以后\nvalue: {fact: trial_run_started_on, times: 2}\n",
         "type-mismatch", ("value", "times")),
        ("fact: total_investment\nop: 以上\nvalue: {fact: budget_amount, plus: {months: 1}}\n",
         "type-mismatch", ("value", "plus")),
        ("fact: total_investment\nop: 以上\nvalue: {fact: contract_signed_on}\n", "type-mismatch", ("value", "fact")),
        ("fact: contract_signed_on\nop: 以后\nvalue: {fact: trial_run_started_on, plus: {working_days: 5}}\n",
         "period", ("value", "plus")),
        ("fact: is_classified\nis: 'true'\n", "type-mismatch", ("is",)),
        ("fact: total_investment\nis: 5\n", "type-mismatch", ("is",)),
        ("fact: is_classified\nin: [true]\n", "type-mismatch", ("in",)),
        ("fact: total_investment\nop: 以上\nvalue: -1\n", "type-mismatch", ("value",)),
        ("fact: total_investment\nop: 以上\nvalue: 500万元\nis: 3\n", "condition", ()),
        ("all: []\n", "condition", ("all",)),
        ("any:\n  - fact: is_classified\n    is: true\n  - fact: nope\n    is: true\n", "unknown-fact",
         ("any", 1, "fact")),
        ("not:\n  fact: project_type\n  in: [construction, maintenance]\n", "type-mismatch", ("not", "in", 1)),
    ],
)
def test_parse_problems_are_coded_and_located(text: str, code: str, path: tuple[Any, ...]) -> None:
    problems = parse_problems(text)
    assert any(p.code == code and p.path == path for p in problems), problems
    doc = read_yaml_text(text.encode("utf-8"), "c.yaml")
    p = next(p for p in problems if p.code == code and p.path == path)
    assert (p.file, p.line, p.column) == ("c.yaml", *doc.locate(path))
    assert p.line is not None


def test_parsed_condition_keeps_its_location() -> None:
    cond = parse("all:\n  - fact: is_classified\n    is: true\n  - fact: total_investment\n    op: 超过\n"
                 "    value: 1\n")
    assert isinstance(cond, All)
    assert cond.items[1].at == ("c.yaml", 4, 5)  # type: ignore[union-attr]


# ---------------------------------------------------------------------------------------------
# describe()


POSTFIX = ["以上", "以下", "以内"]
PREFIX = ["超过", "高于", "多于", "不满", "低于", "少于", "不少于", "不低于", "不超过"]


@pytest.mark.parametrize("word", POSTFIX)
def test_describe_puts_postfix_words_after_the_number(word: str) -> None:
    cond = parse(f"fact: total_investment\nop: {word}\nvalue: 500万元\n")
    assert describe(cond, V) == f"总投资500万元{word}"


@pytest.mark.parametrize("word", PREFIX)
def test_describe_puts_prefix_words_before_the_number(word: str) -> None:
    cond = parse(f"fact: total_investment\nop: {word}\nvalue: 500万元\n")
    assert describe(cond, V) == f"总投资{word}500万元"


def test_describe_amounts_not_in_whole_wan_are_in_yuan() -> None:
    cond = parse("fact: budget_amount\nop: 以下\nvalue: '499999.50'\n")
    assert describe(cond, V) == "资金预算（预算金额）499999.50元以下"


def test_describe_times_and_combinations() -> None:
    cond = parse(TEN_PERCENT.format(op="超过"))
    assert describe(cond, V) == "调整内容涉及金额超过投资概算（计划下发金额）的10%"
    combined = parse("all:\n  - fact: total_investment\n    op: 以上\n    value: 500万元\n"
                     "  - any:\n      - fact: is_classified\n        is: true\n"
                     "      - fact: total_investment\n        op: 超过\n        value: 2000万元\n")
    text = describe(combined, V)
    assert text.startswith("总投资500万元以上且")
    assert "（" in text and "或总投资超过2000万元" in text


def test_explain_states_the_verdict_of_a_negation() -> None:
    from govrules import default_vocabulary
    from govrules.calendar import default_calendar
    from govrules.conditions import Equals, Not, explain

    vocab = default_vocabulary()
    cond = Not(Equals("is_classified", True))
    assert explain(cond, {"is_classified": False}, vocab, default_calendar()).startswith("并非是否涉密项目：是成立")
    assert explain(cond, {"is_classified": True}, vocab, default_calendar(), "en").startswith(
        "not the project involves state secrets is yes does not hold")
