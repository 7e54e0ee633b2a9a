"""Tests of govrules.calendar: working days, 民法典 第二百零一至二百零三条 periods, holiday files."""

from __future__ import annotations

import ast
import calendar as stdcalendar
import threading
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from chinese_calendar import constants
from hypothesis import given, settings
from hypothesis import strategies as st

from govrules.calendar import (
    Calendar,
    DateResult,
    HolidaySchedule,
    Period,
    add_months,
    default_calendar,
    read_holiday_file,
)
from govrules.errors import PackError

SAMPLE_2027 = Path(__file__).parent / "data" / "holidays-2027-sample.yaml"
MODULE_FILE = Path(__file__).parents[1] / "src" / "govrules" / "calendar.py"

D = date.fromisoformat
CAL = default_calendar()


@pytest.fixture(scope="module")
def cal2027() -> Calendar:
    return Calendar.with_files([SAMPLE_2027])


# ---------------------------------------------------------------------------------------------
# Working days and 调休


def test_issue_example_labour_day_2026() -> None:
    # 5-1..5-5 rest, 5-6 Wed, 5-7 Thu, 5-8 Fri, 5-9 Sat (调休 working day), 5-10 Sun rest, 5-11 Mon.
    result = CAL.add_working_days(D("2026-04-30"), 5)
    assert result == DateResult(date=D("2026-05-11"), provisional=False, assumed_years=())
    assert CAL.add_working_days(D("2026-04-30"), 4).date == D("2026-05-09")
    assert CAL.add_working_days(D("2026-04-30"), 1).date == D("2026-05-06")


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Spring Festival 2025: rest 1-28..2-4, 调休 Sun 1-26 and Sat 2-8.
        ("2025-01-24", 1, "2025-01-26"),
        ("2025-01-24", 2, "2025-01-27"),
        ("2025-01-24", 3, "2025-02-05"),
        ("2025-02-07", 1, "2025-02-08"),
        # National Day 2025: rest 10-1..10-8, 调休 Sun 9-28 and Sat 10-11.
        ("2025-09-26", 1, "2025-09-28"),
        ("2025-09-30", 1, "2025-10-09"),
        ("2025-09-30", 3, "2025-10-11"),
        # Spring Festival 2026: rest 2-15..2-23, 调休 Sat 2-14 and Sat 2-28.
        ("2026-02-13", 1, "2026-02-14"),
        ("2026-02-13", 2, "2026-02-24"),
        # National Day 2026: rest 10-1..10-7, 调休 Sat 10-10.
        ("2026-09-30", 1, "2026-10-08"),
        ("2026-09-30", 3, "2026-10-10"),
        ("2026-09-30", 4, "2026-10-12"),
        # Start day on a holiday is not counted either (第二百零一条).
        ("2026-10-03", 1, "2026-10-08"),
        # An ordinary week: Friday + 1 working day is Monday.
        ("2026-03-13", 1, "2026-03-16"),
    ],
)
def test_add_working_days_across_holidays(start: str, n: int, expected: str) -> None:
    result = CAL.add_working_days(D(start), n)
    assert result.date == D(expected)
    assert not result.provisional


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2026-09-30", True),   # day before National Day
        ("2026-10-01", False),  # first day
        ("2026-10-07", False),  # last day
        ("2026-10-08", True),   # day after
        ("2026-10-10", True),   # Saturday made a working day
        ("2026-10-11", False),  # ordinary Sunday
        ("2026-05-09", True),   # Saturday made a working day
        ("2026-05-05", False),  # Tuesday holiday
        ("2026-05-06", True),
        ("2025-01-27", True),   # Monday before Spring Festival 2025
        ("2025-01-28", False),
        ("2025-02-04", False),
        ("2025-02-05", True),
    ],
)
def test_is_working_day_boundaries(day: str, working: bool) -> None:
    assert CAL.is_working_day(D(day)) == (working, True)


def test_unknown_year_rests_on_weekends_and_the_fixed_date_holidays() -> None:
    # 《全国年节及纪念日放假办法》第二条 fixes 1月1日, 5月1日、2日 and 10月1日至3日 by date, so they
    # are rest days even before the year's notice is published; the result stays "not known".
    assert CAL.is_working_day(D("2027-01-01")) == (False, False)  # a Friday, 元旦
    assert CAL.is_working_day(D("2027-01-04")) == (True, False)   # the Monday after
    assert CAL.is_working_day(D("2027-01-02")) == (False, False)  # a Saturday
    assert CAL.is_working_day(D("2027-10-01")) == (False, False)  # a Friday, 国庆节
    assert CAL.is_working_day(D("2028-05-02")) == (False, False)  # a Tuesday, 劳动节
    assert CAL.is_working_day(D("2028-05-03")) == (True, False)   # not fixed by the law
    assert CAL.is_working_day(D("2003-12-31")) == (True, False)   # before the 2024 revision applies


def test_add_working_days_rejects_bad_n() -> None:
    with pytest.raises(ValueError):
        CAL.add_working_days(D("2026-01-05"), 0)
    with pytest.raises(ValueError):
        CAL.add_working_days(D("2026-01-05"), -3)
    with pytest.raises(TypeError):
        CAL.add_working_days(D("2026-01-05"), True)


def test_datetime_is_refused() -> None:
    with pytest.raises(TypeError):
        CAL.is_working_day(datetime(2026, 10, 1, 9, 0))
    with pytest.raises(TypeError):
        CAL.add_working_days(datetime(2026, 10, 1, 9, 0), 1)


# ---------------------------------------------------------------------------------------------
# 第二百零二条: months and years


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2024-01-31", 1, "2024-02-29"),
        ("2023-01-31", 1, "2023-02-28"),
        ("2023-03-31", 3, "2023-06-30"),
        ("2023-01-15", 1, "2023-02-15"),
        ("2025-11-30", 3, "2026-02-28"),
        ("2025-12-31", 1, "2026-01-31"),
        ("2025-10-31", 14, "2026-12-31"),
        ("2024-02-29", 12, "2025-02-28"),
        ("2024-03-31", -1, "2024-02-29"),
    ],
)
def test_add_months(start: str, months: int, expected: str) -> None:
    assert add_months(D(start), months) == D(expected)


def test_add_months_out_of_range() -> None:
    with pytest.raises(ValueError):
        add_months(date(9999, 12, 1), 1)


# ---------------------------------------------------------------------------------------------
# 第二百零三条: periods ending on a rest day


def test_period_end_three_months_into_national_day() -> None:
    # Corresponding day 2026-10-01 is a holiday; the first working day after is 10-08.
    assert CAL.span_end(D("2026-07-01"), Period(months=3)) == D("2026-10-01")
    result = CAL.period_end(D("2026-07-01"), Period(months=3))
    assert result == DateResult(date=D("2026-10-08"), provisional=False, assumed_years=())
    assert CAL.period_end(D("2026-07-05"), Period(months=3)).date == D("2026-10-08")


def test_period_end_on_working_day_stays() -> None:
    assert CAL.period_end(D("2026-06-15"), Period(months=3)).date == D("2026-09-15")
    # A Saturday made a working day (调休) is not a rest day, so the period ends on it.
    assert CAL.period_end(D("2026-07-10"), Period(months=3)).date == D("2026-10-10")


def test_period_end_moves_off_ordinary_weekend() -> None:
    # 2026-03-07 is a Saturday; the next working day is Monday 03-09.
    assert CAL.span_end(D("2026-02-07"), Period(months=1)) == D("2026-03-07")
    assert CAL.period_end(D("2026-02-07"), Period(months=1)).date == D("2026-03-09")


def test_period_end_days_and_years() -> None:
    assert CAL.span_end(D("2026-09-21"), Period(days=10)) == D("2026-10-01")
    assert CAL.period_end(D("2026-09-21"), Period(days=10)).date == D("2026-10-08")
    assert CAL.period_end(D("2025-10-01"), Period(years=1)).date == D("2026-10-08")
    assert CAL.span_end(D("2024-02-29"), Period(years=1)) == D("2025-02-28")


def test_period_end_working_days_is_add_working_days() -> None:
    assert CAL.period_end(D("2026-04-30"), Period(working_days=5)) == CAL.add_working_days(
        D("2026-04-30"), 5
    )


def test_span_end_refuses_working_days() -> None:
    with pytest.raises(ValueError):
        CAL.span_end(D("2026-04-30"), Period(working_days=5))


# ---------------------------------------------------------------------------------------------
# Period


@pytest.mark.parametrize(
    ("period", "text"),
    [
        (Period(working_days=5), "5个工作日"),
        (Period(months=3), "3个月"),
        (Period(years=1), "1年"),
        (Period(days=30), "30日"),
    ],
)
def test_period_describe(period: Period, text: str) -> None:
    assert period.describe() == text


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"days": 1, "months": 1}, {"days": -1}, {"months": 0, "years": 0}, {"working_days": -5}],
)
def test_period_validation(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        Period(**kwargs)


def test_period_is_frozen() -> None:
    period = Period(days=3)
    with pytest.raises(AttributeError):
        period.days = 4  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------
# Coverage, provisional results and the 2027 sample file


def test_covered_years_come_from_the_data() -> None:
    years = {d.year for d in constants.holidays} | {d.year for d in constants.workdays}
    assert CAL.covered_years() == frozenset(years)
    assert CAL.covers(2026) and CAL.covers(2004)
    assert not CAL.covers(2027) and not CAL.covers(2003)
    assert CAL.sources() == (f"chinesecalendar {__import__('chinese_calendar').__version__}",)


def test_beyond_coverage_is_provisional() -> None:
    result = CAL.add_working_days(D("2027-04-30"), 5)
    assert result == DateResult(date=D("2027-05-07"), provisional=True, assumed_years=(2027,))
    end = CAL.period_end(D("2027-03-01"), Period(months=1))
    assert end.provisional and end.assumed_years == (2027,)


def test_sample_file_is_used(cal2027: Calendar) -> None:
    assert cal2027.covers(2027)
    result = cal2027.add_working_days(D("2027-04-30"), 5)
    # Fixture: 5-1..5-5 rest, Sat 5-8 working: 5-6, 5-7, 5-8, 5-10, 5-11.
    assert result == DateResult(date=D("2027-05-11"), provisional=False, assumed_years=())
    assert cal2027.is_working_day(D("2027-01-01")) == (False, True)
    assert cal2027.is_working_day(D("2027-02-20")) == (True, True)
    assert any("TEST FIXTURE" in s for s in cal2027.sources())
    assert cal2027.fingerprint() != CAL.fingerprint()
    # The built-in years are still there.
    assert cal2027.add_working_days(D("2026-04-30"), 5).date == D("2026-05-11")


def test_crossing_into_uncovered_year_is_provisional(cal2027: Calendar) -> None:
    crossing = CAL.add_working_days(D("2026-12-30"), 3)  # 12-31, (元旦, weekend), 01-04, 01-05
    assert crossing == DateResult(date=D("2027-01-05"), provisional=True, assumed_years=(2027,))
    assert CAL.add_working_days(D("2026-12-30"), 1).provisional is False
    month = CAL.period_end(D("2026-12-15"), Period(months=1))
    assert month.date == D("2027-01-15") and month.provisional
    # With the sample file, the same computations use its days and are not provisional.
    with_file = cal2027.add_working_days(D("2026-12-30"), 3)
    assert with_file == DateResult(date=D("2027-01-05"), provisional=False, assumed_years=())


def test_provisional_lists_every_assumed_year() -> None:
    result = CAL.add_working_days(D("2026-12-31"), 300)
    assert result.assumed_years == (2027, 2028)
    assert result.provisional


def test_supplied_schedule_replaces_builtin_year() -> None:
    empty_2026 = HolidaySchedule(year=2026, holidays=frozenset(), workdays=frozenset(), source="x")
    cal = Calendar([empty_2026])
    assert cal.is_working_day(D("2026-10-01")) == (True, True)
    assert cal.is_working_day(D("2026-05-09")) == (False, True)
    assert cal.is_working_day(D("2025-10-01")) == (False, True)
    assert cal.sources() == (CAL.sources()[0], "x")
    assert cal.fingerprint() != CAL.fingerprint()


def test_fingerprint_is_deterministic_and_ignores_source_names() -> None:
    assert Calendar().fingerprint() == CAL.fingerprint()
    assert len(CAL.fingerprint()) == 64
    a = HolidaySchedule(2030, frozenset({D("2030-01-01")}), frozenset(), "a")
    b = HolidaySchedule(2030, frozenset({D("2030-01-01")}), frozenset(), "b")
    c = HolidaySchedule(2030, frozenset({D("2030-01-02")}), frozenset(), "a")
    assert Calendar([a]).fingerprint() == Calendar([b]).fingerprint()
    assert Calendar([a]).fingerprint() != Calendar([c]).fingerprint()


def test_duplicate_supplied_years_refused() -> None:
    a = HolidaySchedule(2030, frozenset(), frozenset(), "a")
    with pytest.raises(ValueError):
        Calendar([a, a])


@pytest.mark.parametrize(
    ("holidays", "workdays"),
    [
        ({D("2031-01-01")}, set()),                 # outside the year
        ({D("2030-01-05")}, {D("2030-01-05")}),     # in both lists
        (set(), {D("2030-01-07")}),                 # a Monday as 调休
    ],
)
def test_holiday_schedule_validation(holidays: set[date], workdays: set[date]) -> None:
    with pytest.raises(ValueError):
        HolidaySchedule(2030, frozenset(holidays), frozenset(workdays), "test")


def test_calendar_is_immutable_and_shared() -> None:
    with pytest.raises(AttributeError):
        CAL._override = {}  # type: ignore[misc]
    with pytest.raises(TypeError):
        CAL._override[D("2026-10-01")] = True  # type: ignore[index]
    seen: list[Calendar] = []
    threads = [threading.Thread(target=lambda: seen.append(default_calendar())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(c is CAL for c in seen)


# ---------------------------------------------------------------------------------------------
# Holiday file errors


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "holidays.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path) -> list[tuple[str, int | None]]:
    with pytest.raises(PackError) as info:
        Calendar.with_files([path])
    return [(p.code, p.line) for p in info.value.problems]


GOOD_HEAD = "year: 2027\nsource: test notice\n"


def test_bad_date_line(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD_HEAD + "holidays:\n  - 2027-01-01\n  - 2027-02-30\nworkdays: []\n")
    assert _problems(path) == [("bad-date", 5)]


def test_not_iso_date_line(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD_HEAD + "holidays: [20270101, 2027-1-2]\nworkdays: []\n")
    assert _problems(path) == [("bad-date", 3), ("bad-date", 3)]


def test_date_outside_year_line(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD_HEAD + "holidays:\n  - 2027-01-01\nworkdays:\n  - 2026-02-07\n")
    assert _problems(path) == [("date-outside-year", 6)]


def test_unknown_key_line(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD_HEAD + "holidays: []\nworkdays: []\nholiday: [2027-01-01]\n")
    with pytest.raises(PackError) as info:
        Calendar.with_files([path])
    (problem,) = info.value.problems
    assert (problem.code, problem.line, problem.column) == ("unknown-key", 5, 1)
    assert problem.hint is not None and "holidays" in problem.hint


def test_workday_on_weekday_line(tmp_path: Path) -> None:
    # 2027-02-08 is a Monday.
    path = _write(tmp_path, GOOD_HEAD + "holidays: []\nworkdays:\n  - 2027-02-07\n  - 2027-02-08\n")
    with pytest.raises(PackError) as info:
        Calendar.with_files([path])
    (problem,) = info.value.problems
    assert (problem.code, problem.line) == ("workday-not-weekend", 6)
    assert problem.hint is not None and "调休" in problem.hint
    assert problem.file == str(path)


def test_missing_key_and_date_in_both(tmp_path: Path) -> None:
    path = _write(tmp_path, "year: 2027\nholidays:\n  - 2027-01-02\nworkdays:\n  - 2027-01-02\n")
    problems = _problems(path)
    assert ("missing-key", 1) in problems
    assert ("date-in-both", 5) in problems
    assert len(problems) == 2


def test_all_problems_collected_across_files(tmp_path: Path) -> None:
    first = tmp_path / "a.yaml"
    first.write_text(
        "year: 2027\n"                 # 1
        "source: x\n"                  # 2
        "holidays:\n"                  # 3
        "  - 2027-13-01\n"             # 4 bad date
        "  - 2028-01-01\n"             # 5 outside year
        "workdays:\n"                  # 6
        "  - 2027-02-08\n"             # 7 Monday
        "colour: red\n",               # 8 unknown key
        encoding="utf-8",
    )
    second = tmp_path / "b.yaml"
    second.write_text("year: 2028\nsource: notice b\nholidays: [2028-01-01, 2028-01-01]\nworkdays: []\n")
    with pytest.raises(PackError) as info:
        Calendar.with_files([first, second])
    got = sorted((p.file, p.line, p.code) for p in info.value.problems)
    assert got == sorted([
        (str(first), 4, "bad-date"),
        (str(first), 5, "date-outside-year"),
        (str(first), 7, "workday-not-weekend"),
        (str(first), 8, "unknown-key"),
        (str(second), 3, "duplicate-date"),
    ])


def test_yaml_syntax_error_becomes_pack_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "year: 2027\nholidays: [2027-01-01\n")
    with pytest.raises(PackError) as info:
        read_holiday_file(path)
    assert info.value.problems[0].code == "syntax"


def test_two_files_for_one_year(tmp_path: Path) -> None:
    copy = tmp_path / "copy.yaml"
    copy.write_bytes(SAMPLE_2027.read_bytes())
    with pytest.raises(PackError) as info:
        Calendar.with_files([SAMPLE_2027, copy])
    assert [p.code for p in info.value.problems] == ["duplicate-year"]


def test_sample_file_reads() -> None:
    schedule = read_holiday_file(SAMPLE_2027)
    assert schedule.year == 2027
    assert D("2027-10-01") in schedule.holidays
    assert schedule.workdays == frozenset(
        D(s) for s in ("2027-02-20", "2027-05-08", "2027-09-26", "2027-10-09")
    )
    assert "TEST FIXTURE" in schedule.source


# ---------------------------------------------------------------------------------------------
# Properties

FIRST = date(min(CAL.covered_years()), 1, 1)
LAST = date(max(CAL.covered_years()), 12, 31)
covered_starts = st.dates(min_value=FIRST, max_value=LAST - timedelta(days=200))
any_starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31))
counts = st.integers(min_value=1, max_value=60)


def _working(cal: Calendar, d: date) -> bool:
    return cal.is_working_day(d)[0]


@given(any_starts, counts)
def test_prop_add_working_days_counts_exactly_n(start: date, n: int) -> None:
    result = CAL.add_working_days(start, n)
    assert result.date > start
    assert _working(CAL, result.date)
    days = [start + timedelta(days=i) for i in range(1, (result.date - start).days + 1)]
    assert sum(_working(CAL, d) for d in days) == n
    unknown = sorted({d.year for d in days if not CAL.is_working_day(d)[1]})
    assert result.assumed_years == tuple(unknown)
    assert result.provisional == bool(unknown)


@given(covered_starts, counts)
def test_prop_add_working_days_in_coverage_not_provisional(start: date, n: int) -> None:
    assert not CAL.add_working_days(start, n).provisional


@given(any_starts, counts)
def test_prop_add_working_days_strictly_increasing_in_n(start: date, n: int) -> None:
    assert CAL.add_working_days(start, n + 1).date > CAL.add_working_days(start, n).date


@given(any_starts, any_starts, counts)
def test_prop_add_working_days_monotonic_in_start(a: date, b: date, n: int) -> None:
    a, b = min(a, b), max(a, b)
    assert CAL.add_working_days(a, n).date <= CAL.add_working_days(b, n).date


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
       st.integers(min_value=-1200, max_value=1200))
def test_prop_add_months(start: date, months: int) -> None:
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day <= start.day
    if start.day <= stdcalendar.monthrange(result.year, result.month)[1]:
        assert result.day == start.day
    else:
        assert result.day == stdcalendar.monthrange(result.year, result.month)[1]


@given(covered_starts, st.integers(min_value=1, max_value=120))
def test_prop_period_end_days(start: date, k: int) -> None:
    plain = start + timedelta(days=k)
    assert CAL.span_end(start, Period(days=k)) == plain
    result = CAL.period_end(start, Period(days=k))
    assert result.date >= plain
    assert _working(CAL, result.date)
    assert not result.provisional
    if _working(CAL, plain):
        assert result.date == plain
    # It is the *first* working day at or after the plain end.
    d = plain
    while d < result.date:
        assert not _working(CAL, d)
        d += timedelta(days=1)


@given(covered_starts, st.integers(min_value=1, max_value=6))
def test_prop_period_end_months(start: date, months: int) -> None:
    plain = CAL.span_end(start, Period(months=months))
    assert plain == add_months(start, months)
    result = CAL.period_end(start, Period(months=months))
    assert result.date >= plain and _working(CAL, result.date)
    assert (result.date - plain).days <= 10  # no rest run in the data is longer


@settings(max_examples=50)
@given(st.dates(min_value=date(2027, 1, 1), max_value=date(2027, 12, 1)), counts)
def test_prop_uncovered_year_never_silently_exact(start: date, n: int) -> None:
    result = CAL.add_working_days(start, n)
    assert result.provisional and 2027 in result.assumed_years


# ---------------------------------------------------------------------------------------------
# Source hygiene


def test_module_has_no_float_or_eval() -> None:
    tree = ast.parse(MODULE_FILE.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            assert node.id not in {"float", "eval", "exec"}, node.id
        if isinstance(node, ast.Constant):
            assert not isinstance(node.value, float), node.value
