"""The notices of what decisions rest on are found on first read of ``Report.notices`` (issue 16),
and are the same whenever they are read: before or after the decisions' details, or spelled out."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

import govrules
from govrules.report import Notice

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def engine() -> govrules.Engine:
    return govrules.load()


@pytest.fixture(scope="module")
def example() -> govrules.Project:
    return govrules.read_project(ROOT / "examples" / "wuxing-project.yaml")


def test_notices_read_first_or_last_or_spelled_out_are_the_same(engine: govrules.Engine,
                                                                example: govrules.Project) -> None:
    first = engine.evaluate(example, "wuxing", AS_OF)
    notices = first.notices
    assert "readings" in [n.code for n in notices]  # the example rests on a reading of 湖州's plan
    last = engine.evaluate(example, "wuxing", AS_OF)
    for decision in last.decisions:
        decision.readings, decision.local_parameters, decision.explanation_en  # noqa: B018
    assert last.notices == notices
    assert engine.evaluate_plain(example, "wuxing", AS_OF).notices == notices
    assert first.notices is notices  # found once
    assert all(isinstance(n, Notice) for n in notices)


def test_the_readings_notice_names_exactly_the_decisions_resting_on_a_reading(
        engine: govrules.Engine, example: govrules.Project) -> None:
    report = engine.evaluate(example, "wuxing", AS_OF)
    resting = [d.rule for d in report.decisions if d.readings]
    assert resting
    notice = next(n for n in report.notices if n.code == "readings")
    for rule in {d.rule for d in report.decisions}:
        assert (rule in notice.en) is (rule in resting), rule


def test_a_report_with_lazy_notices_compares_copies_and_prints_as_any_other(
        engine: govrules.Engine, example: govrules.Project) -> None:
    one, two = engine.evaluate(example, "wuxing", AS_OF), engine.evaluate(example, "wuxing", AS_OF)
    assert one == two
    assert dataclasses.replace(one).notices == two.notices
    with pytest.raises(AttributeError):
        one.no_such_field  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.notices = ()  # type: ignore[misc]


def test_the_caller_s_readings_and_provisional_dates_keep_their_place_after_the_resting_notices(
        engine: govrules.Engine, example: govrules.Project) -> None:
    report = engine.evaluate(example, "wuxing", AS_OF, readings={"huzhou_disposition_pairs": "either"})
    codes = [n.code for n in report.notices]
    assert codes[-1] == "readings-chosen"
    assert codes == [n.code for n in engine.evaluate_plain(example, "wuxing", AS_OF,
                                                           readings={"huzhou_disposition_pairs": "either"}).notices]
