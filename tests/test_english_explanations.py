"""English explanations speak English (issue 16): facts by their English labels, rules by their
English titles, amounts in yuan, periods and comparisons in English words — not fact ids, rule ids,
万元 or 个工作日. Chinese explanations keep their own words."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

import govrules
from govrules.calendar import Period

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 6, 1)
CHINESE_UNITS = re.compile(r"万元|亿元|个工作日|个月|以上|以下|以内|超过|不满|低于")


@pytest.fixture(scope="module")
def engine() -> govrules.Engine:
    return govrules.load()


def projects(jurisdiction: str, count: int) -> list[dict[str, object]]:
    lines = (ROOT / "corpora" / f"{jurisdiction}.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line, parse_float=Decimal) for line in lines[:count]]


def ids_in(text: str, names: set[str]) -> list[str]:
    return sorted(n for n in names if re.search(rf"(?<![A-Za-z0-9_.]){re.escape(n)}(?![A-Za-z0-9_])", text))


@pytest.mark.parametrize("jurisdiction", ["wuxing", "huzhou", "quzhou", "yaohai", "gaoping"])
def test_english_explanations_name_no_fact_or_rule_by_its_id(engine: govrules.Engine, jurisdiction: str) -> None:
    facts = {name for name in engine.vocabulary if "_" in name}  # ids that are not plain English words
    rules = {rule.id for pack in engine.packs for rule in pack.rules}
    checked = 0
    for data in projects(jurisdiction, 4):
        report = engine.evaluate(data, jurisdiction, AS_OF)
        for decision in report.decisions:
            en = decision.explanation_en
            assert en and decision.explanation_zh
            assert not ids_in(en, facts), (decision.rule, en)
            assert not ids_in(en, rules), (decision.rule, en)
            assert not CHINESE_UNITS.search(en.replace(decision.title_en, "")), (decision.rule, en)
            checked += 1
    assert checked > 40


def test_the_example_reads_in_english_and_in_chinese(engine: govrules.Engine) -> None:
    report = engine.evaluate(govrules.read_project(ROOT / "examples" / "wuxing-project.yaml"), "wuxing", AS_OF)
    upload = report.decision("wuxing.deadline.contract_upload")
    signed = engine.vocabulary["contract_signed_on"]
    assert upload.explanation_en.startswith(f"5 working days from {signed.en} (2026-04-30): due 2026-05-11")
    assert upload.explanation_zh.startswith(f"自{signed.zh} 2026-04-30 起5个工作日内，截止 2026-05-11")
    feasibility = report.decision("wuxing.approval.feasibility_study")
    assert "total investment is at least 5,000,000 yuan holds (total investment=8,600,000 yuan)" \
        in feasibility.explanation_en
    assert "总投资500万元以上成立（总投资=860万元）" in feasibility.explanation_zh


@pytest.mark.parametrize(("period", "en", "zh"), [
    (Period(working_days=5), "5 working days", "5个工作日"), (Period(working_days=1), "1 working day", "1个工作日"),
    (Period(months=1), "1 month", "1个月"), (Period(months=3), "3 months", "3个月"),
    (Period(years=1), "1 year", "1年"), (Period(years=2), "2 years", "2年"),
    (Period(days=1), "1 day", "1日"), (Period(days=30), "30 days", "30日"),
])
def test_periods_in_both_languages(period: Period, en: str, zh: str) -> None:
    assert period.describe_en() == en
    assert period.describe() == zh
