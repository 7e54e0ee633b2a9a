"""Working days and legal periods under the Civil Code (民法典) and the State Council's holidays.

The rules encoded here:

* 民法典 第二百零一条: a period counted in years, months or days starts counting from the next
  day; the start day itself is not counted.
* 民法典 第二百零二条: a period counted in months or years ends on the corresponding day of the
  last month; if that month has no such day, on the last day of that month.
* 民法典 第二百零三条: if the last day of a period is a statutory rest day (法定休假日, which
  includes ordinary weekends that are rest days), the period ends on the first working day after
  it. (Its second paragraph, that the last day ends at 24:00 or at the close of business, is about
  the time of day and is not modelled here.)
* Working days (工作日) follow the State Council's yearly holiday schedule (国务院办公厅关于
  部分节假日安排的通知), including weekend days made working days (调休), e.g. Saturday
  2026-05-09.

Schedules come from the ``chinesecalendar`` package (its ``constants.holidays`` and
``constants.workdays`` dicts) and from holiday files that users supply for years the package does
not cover yet. For a year with no schedule, the rest days are the weekends plus the holidays the
law fixes by calendar date (《全国年节及纪念日放假办法》第二条, as revised 2024: 元旦 1月1日,
劳动节 5月1日、2日, 国庆节 10月1日至3日); the lunar holidays and the 调休 swaps are only known
from the yearly notice, so every result that relied on such a year says so
(``DateResult.provisional``).
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .errors import PackError, PackProblem, did_you_mean

#: The law's day is China Standard Time (UTC+8, no daylight saving time): a period that ends "today"
#: ends at midnight in Beijing, wherever the process runs and whatever its TZ says (issue 14).
CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")


def today_in_china() -> date:
    """Today's date in China Standard Time (UTC+8): the default ``as_of`` everywhere."""
    return datetime.now(CHINA_STANDARD_TIME).date()
from .yamlfiles import YamlDocument, YamlReadError, read_yaml

__all__ = [
    "CHINA_STANDARD_TIME",
    "today_in_china",
    "Calendar",
    "DateResult",
    "HolidaySchedule",
    "Period",
    "add_months",
    "default_calendar",
    "read_holiday_file",
]

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5  # date.weekday(): Monday is 0, Saturday 5, Sunday 6

#: Holidays fixed by calendar date in 《全国年节及纪念日放假办法》第二条 (2024 revision, in force
#: 2025-01-01), used for years that have no published schedule yet.
_FIXED_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})
_FIXED_HOLIDAYS_FROM = 2025


def _assumed_working(d: date) -> bool:
    """Whether ``d`` is a working day in a year without a schedule: Mon–Fri, not a fixed-date holiday."""
    if d.weekday() >= _SATURDAY:
        return False
    return d.year < _FIXED_HOLIDAYS_FROM or (d.month, d.day) not in _FIXED_HOLIDAYS
_FINGERPRINT_FORMAT = "govrules-calendar-v1"


# ---------------------------------------------------------------------------------------------
# Data types


@dataclass(frozen=True, slots=True)
class HolidaySchedule:
    """One year's official holiday schedule: its rest days, its 调休 working days and their source.

    ``holidays`` is the official list of rest days as given (it may include weekend days);
    ``workdays`` holds the weekend days that are made working days (调休).
    """

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str

    def __post_init__(self) -> None:
        if isinstance(self.year, bool) or not isinstance(self.year, int):
            raise TypeError(f"year must be an int, not {type(self.year).__name__}")
        if not isinstance(self.source, str) or not self.source.strip():
            raise ValueError("source must be non-empty text naming where the schedule comes from")
        # Accept any iterable of dates, but store frozensets so the schedule is immutable.
        for name in ("holidays", "workdays"):
            value = getattr(self, name)
            if not isinstance(value, frozenset):
                object.__setattr__(self, name, frozenset(value))
        for name in ("holidays", "workdays"):
            for d in getattr(self, name):
                if not isinstance(d, date) or isinstance(d, datetime):
                    raise TypeError(f"{name} must hold datetime.date values, got {d!r}")
                if d.year != self.year:
                    raise ValueError(f"{name} date {d.isoformat()} is not in year {self.year}")
        both = self.holidays & self.workdays
        if both:
            listed = ", ".join(sorted(d.isoformat() for d in both))
            raise ValueError(f"dates listed both as holidays and as workdays: {listed}")
        weekday_workdays = [d for d in self.workdays if d.weekday() < _SATURDAY]
        if weekday_workdays:
            listed = ", ".join(sorted(d.isoformat() for d in weekday_workdays))
            raise ValueError(f"workdays (调休) must be Saturdays or Sundays: {listed}")


@dataclass(frozen=True, slots=True)
class DateResult:
    """A computed date and whether it relied on years that have no official schedule.

    ``provisional`` is True if any day consulted lies in a year with no schedule; those years,
    assumed to rest on weekends and the fixed-date statutory holidays only, are listed sorted in
    ``assumed_years``.
    """

    date: date
    provisional: bool
    assumed_years: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Period:
    """A legal period in days, months, years or working days; exactly one of them is non-zero."""

    days: int = 0
    months: int = 0
    years: int = 0
    working_days: int = 0

    def __post_init__(self) -> None:
        values = {
            "days": self.days, "months": self.months, "years": self.years,
            "working_days": self.working_days,
        }
        for name, value in values.items():
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"Period.{name} must be an int, not {type(value).__name__}")
            if value < 0:
                raise ValueError(f"Period.{name} must be >= 0, got {value}")
        set_fields = [name for name, value in values.items() if value != 0]
        if len(set_fields) != 1:
            raise ValueError(
                "a Period needs exactly one non-zero field of days, months, years, working_days; "
                f"got {', '.join(set_fields) or 'none'}"
            )

    def describe(self) -> str:
        """The period in Chinese, such as "5个工作日", "3个月", "1年" or "30日"."""
        if self.working_days:
            return f"{self.working_days}个工作日"
        if self.months:
            return f"{self.months}个月"
        if self.years:
            return f"{self.years}年"
        return f"{self.days}日"

    def describe_en(self) -> str:
        """The period in English, such as "5 working days", "3 months", "1 year" or "30 days"."""
        for count, word in ((self.working_days, "working day"), (self.months, "month"), (self.years, "year"),
                            (self.days, "day")):
            if count:
                return f"{count} {word}" + ("" if count == 1 else "s")
        return "0 days"


def _as_date(d: Any) -> date:
    """``d`` as a plain date; a datetime is refused (its time of day would be silently dropped)."""
    if type(d) is date:
        return d
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"expected a datetime.date, got {type(d).__name__}; pass d.date() for a datetime")
    return date(d.year, d.month, d.day)


# ---------------------------------------------------------------------------------------------
# Month arithmetic


def add_months(d: date, months: int) -> date:
    """The corresponding day ``months`` months after ``d``, or that month's last day (第二百零二条).

    Negative ``months`` count backwards the same way; a result outside the years 1–9999 raises
    ``ValueError``.
    """
    if isinstance(months, bool) or not isinstance(months, int):
        raise TypeError(f"months must be an int, not {type(months).__name__}")
    d = _as_date(d)
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise ValueError(f"{d.isoformat()} plus {months} month(s) is outside the years 1-9999")
    month = month0 + 1
    # 第二百零二条: 没有对应日的，月末日为期间的最后一日.
    last = _days_in_month(year, month)
    return date(year, month, min(d.day, last))


def _days_in_month(year: int, month: int) -> int:
    """The number of days in ``month`` of ``year`` (proleptic Gregorian, as ``datetime.date``)."""
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


# ---------------------------------------------------------------------------------------------
# Built-in data


@functools.cache
def _builtin_schedules() -> tuple[HolidaySchedule, ...]:
    """One schedule per year found in chinesecalendar's data (the years are not hard-coded)."""
    import chinese_calendar
    from chinese_calendar import constants

    source = f"chinesecalendar {chinese_calendar.__version__}"
    holidays: dict[int, set[date]] = {}
    workdays: dict[int, set[date]] = {}
    for d in constants.holidays:
        holidays.setdefault(d.year, set()).add(d)
    for d in constants.workdays:
        workdays.setdefault(d.year, set()).add(d)
    years = sorted(set(holidays) | set(workdays))
    return tuple(
        HolidaySchedule(
            year=year,
            holidays=frozenset(holidays.get(year, ())),
            workdays=frozenset(workdays.get(year, ())),
            source=source,
        )
        for year in years
    )


# ---------------------------------------------------------------------------------------------
# The calendar


class Calendar:
    """Working days under the built-in schedules plus supplied ones; immutable and thread-safe.

    A supplied schedule replaces the built-in one for its year. Years with no schedule rest on
    weekends and the holidays the law fixes by date (see the module docstring), and results that
    consulted them are provisional.
    """

    __slots__ = ("_schedules", "_covered", "_override", "_sources", "_fingerprint")

    _schedules: Mapping[int, HolidaySchedule]
    _covered: frozenset[int]
    _override: Mapping[date, bool]
    _sources: tuple[str, ...]
    _fingerprint: str

    def __init__(self, schedules: Iterable[HolidaySchedule] = ()) -> None:
        supplied: dict[int, HolidaySchedule] = {}
        for schedule in schedules:
            if not isinstance(schedule, HolidaySchedule):
                raise TypeError(f"expected HolidaySchedule, got {type(schedule).__name__}")
            if schedule.year in supplied:
                raise ValueError(f"two schedules supplied for the year {schedule.year}")
            supplied[schedule.year] = schedule
        by_year = {s.year: s for s in _builtin_schedules()}
        by_year.update(supplied)
        ordered = {year: by_year[year] for year in sorted(by_year)}

        # One dict answers every covered day that differs from "Mon–Fri work, Sat–Sun rest" or
        # that the official list names; days of covered years not in it follow the weekday rule.
        override: dict[date, bool] = {}
        for schedule in ordered.values():
            for d in schedule.holidays:
                override[d] = False
            for d in schedule.workdays:
                override[d] = True

        sources: list[str] = []
        for schedule in ordered.values():
            if schedule.source not in sources:
                sources.append(schedule.source)

        digest = hashlib.sha256()
        digest.update(_FINGERPRINT_FORMAT.encode("ascii") + b"\n")
        for year, schedule in ordered.items():
            line = "{}|H:{}|W:{}\n".format(
                year,
                ",".join(sorted(d.isoformat() for d in schedule.holidays)),
                ",".join(sorted(d.isoformat() for d in schedule.workdays)),
            )
            digest.update(line.encode("ascii"))

        object.__setattr__(self, "_schedules", MappingProxyType(ordered))
        object.__setattr__(self, "_covered", frozenset(ordered))
        object.__setattr__(self, "_override", MappingProxyType(override))
        object.__setattr__(self, "_sources", tuple(sources))
        object.__setattr__(self, "_fingerprint", digest.hexdigest())

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Calendar is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Calendar is immutable; cannot delete {name!r}")

    def __repr__(self) -> str:
        years = sorted(self._covered)
        span = f"{years[0]}-{years[-1]}" if years else "none"
        return f"<Calendar years={span} ({len(years)}) fingerprint={self._fingerprint[:12]}>"

    @classmethod
    def with_files(cls, paths: Iterable[Path], *, replace: bool = False) -> Calendar:
        """The built-in schedules plus the holiday files at ``paths``; ``PackError`` lists all problems.

        A file for a year the built-in data already covers is refused unless ``replace`` is true
        (``--replace-holidays``): silently moving due dates away from the official schedule would be
        a wrong answer nobody asked for (issue 14). With ``replace`` the file wins, and the report's
        ``calendar.sources`` and fingerprint say so."""
        problems: list[PackProblem] = []
        schedules: list[HolidaySchedule] = []
        first_file: dict[int, str] = {}
        builtin = {s.year: s for s in _builtin_schedules()}
        for path in paths:
            path = Path(path)
            try:
                schedule = read_holiday_file(path)
            except PackError as exc:
                problems.extend(exc.problems)
                continue
            if schedule.year in builtin and not replace:
                problems.append(PackProblem(
                    file=str(path), code="covered-year",
                    message=f"the year {schedule.year} already has the official schedule built in "
                            f"({builtin[schedule.year].source}); this file would replace it",
                    hint="leave the file out, or pass --replace-holidays (replace=True) to use it instead",
                ))
                continue
            if schedule.year in first_file:
                problems.append(PackProblem(
                    file=str(path), code="duplicate-year",
                    message=f"a second holiday file for the year {schedule.year} "
                            f"(first: {first_file[schedule.year]})",
                    hint="give one file per year",
                ))
                continue
            first_file[schedule.year] = str(path)
            schedules.append(schedule)
        if problems:
            raise PackError(problems)
        return cls(schedules)

    def covered_years(self) -> frozenset[int]:
        """The years that have an official (or supplied) schedule."""
        return self._covered

    def covers(self, year: int) -> bool:
        """Whether ``year`` has a schedule."""
        return year in self._covered

    def schedule(self, year: int) -> HolidaySchedule | None:
        """The schedule in use for ``year``, or None if the year is not covered."""
        return self._schedules.get(year)

    def is_working_day(self, d: date) -> tuple[bool, bool]:
        """``(working, known)`` for ``d``; in a year with no schedule, known is False and working
        means Mon–Fri and not a fixed-date statutory holiday."""
        if type(d) is not date:
            d = _as_date(d)
        if d.year in self._covered:
            working = self._override.get(d)
            if working is None:
                working = d.weekday() < _SATURDAY
            return working, True
        return _assumed_working(d), False

    def add_working_days(self, start: date, n: int) -> DateResult:
        """The ``n``-th working day after ``start``, the start day not counted (第二百零一条); n >= 1."""
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"n must be an int, not {type(n).__name__}")
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        start = _as_date(start)
        covered = self._covered
        override = self._override
        assumed: set[int] = set()
        d = start
        count = 0
        while count < n:
            d += _ONE_DAY
            if d.year in covered:
                working = override.get(d)
                if working is None:
                    working = d.weekday() < _SATURDAY
            else:
                assumed.add(d.year)
                working = _assumed_working(d)
            if working:
                count += 1
        return DateResult(date=d, provisional=bool(assumed), assumed_years=tuple(sorted(assumed)))

    def span_end(self, start: date, period: Period) -> date:
        """The plain last day of ``period`` from ``start`` (第二百零一、二百零二条, no rest-day move).

        Working-day periods are refused (``ValueError``): their end depends on the schedule.
        """
        if period.working_days:
            raise ValueError("span_end takes days, months or years; use period_end for working days")
        start = _as_date(start)
        if period.days:
            # 第二百零一条: counting starts the next day, so the k-th day is start + k.
            return start + timedelta(days=period.days)
        # 第二百零二条: the corresponding day of the last month, or that month's last day.
        return add_months(start, period.months + 12 * period.years)

    def period_end(self, start: date, period: Period) -> DateResult:
        """The last day of ``period`` from ``start``, moved to the next working day if it is a rest day.

        This is 民法典 第二百零一至二百零三条; a working-day period is ``add_working_days``.
        """
        if period.working_days:
            return self.add_working_days(start, period.working_days)
        d = self.span_end(start, period)
        assumed: set[int] = set()
        # 第二百零三条: 期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日.
        while True:
            working, known = self.is_working_day(d)
            if not known:
                assumed.add(d.year)
            if working:
                break
            d += _ONE_DAY
        return DateResult(date=d, provisional=bool(assumed), assumed_years=tuple(sorted(assumed)))

    def sources(self) -> tuple[str, ...]:
        """The distinct sources of the schedules in use, ordered by the first year each covers."""
        return self._sources

    def fingerprint(self) -> str:
        """A sha256 hex digest of the schedule data in use (years and their sorted dates).

        Sources are not part of it: the same days from another file give the same fingerprint.
        """
        return self._fingerprint


_default_lock = threading.Lock()
_default: Calendar | None = None


def default_calendar() -> Calendar:
    """A shared Calendar with the built-in chinesecalendar data only (immutable, so safe to share)."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Calendar()
    return _default


# ---------------------------------------------------------------------------------------------
# Holiday files


_KEYS = ("year", "source", "holidays", "workdays")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def read_holiday_file(path: Path) -> HolidaySchedule:
    """Read one year's holiday file (year, source, holidays, workdays); ``PackError`` lists every problem."""
    path = Path(path)
    try:
        doc = read_yaml(path)
    except YamlReadError as exc:
        raise PackError(exc.problems) from None
    problems: list[PackProblem] = []
    schedule = _parse_holiday_doc(doc, problems)
    if problems or schedule is None:
        if not problems:  # pragma: no cover - _parse_holiday_doc reports why it returns None
            problems.append(doc.problem((), "the holiday file could not be read"))
        raise PackError(problems)
    return schedule


def _parse_holiday_doc(doc: YamlDocument, problems: list[PackProblem]) -> HolidaySchedule | None:
    data = doc.data
    if not isinstance(data, dict):
        problems.append(doc.problem(
            (), "a holiday file must be a mapping with the keys year, source, holidays, workdays",
            code="type",
        ))
        return None

    for key in data:
        if key not in _KEYS:
            problems.append(doc.problem(
                (str(key),), f"unknown key {key!r}", key=True, code="unknown-key",
                hint=did_you_mean(str(key), _KEYS) or f"the keys are {', '.join(_KEYS)}",
            ))
    for key in _KEYS:
        if key not in data:
            hint = {"holidays": "write holidays: [] if there are none",
                    "workdays": "write workdays: [] if no weekend day is made a working day"}
            problems.append(doc.problem(
                (), f"missing key {key!r}", code="missing-key",
                hint=hint.get(key, f"the keys are {', '.join(_KEYS)}"),
            ))

    year: int | None = None
    if "year" in data:
        raw_year = data["year"]
        if isinstance(raw_year, bool) or not isinstance(raw_year, int) or not 1 <= raw_year <= 9999:
            problems.append(doc.problem(
                ("year",), f"year must be a whole number such as 2027, got {raw_year!r}",
                code="type",
            ))
        else:
            year = raw_year

    source: str | None = None
    if "source" in data:
        raw_source = data["source"]
        if not isinstance(raw_source, str) or not raw_source.strip():
            problems.append(doc.problem(
                ("source",), "source must be text naming the official notice",
                hint="e.g. 国务院办公厅关于2027年部分节假日安排的通知 (国办发明电〔2026〕X号)",
                code="type",
            ))
        else:
            source = raw_source.strip()

    lists: dict[str, dict[date, int]] = {}
    for key in ("holidays", "workdays"):
        if key not in data:
            continue
        lists[key] = _parse_dates(doc, key, data[key], year, problems)

    holidays = lists.get("holidays", {})
    workdays = lists.get("workdays", {})
    for d, index in workdays.items():
        if d in holidays:
            problems.append(doc.problem(
                ("workdays", index),
                f"{d.isoformat()} is listed both as a holiday (holidays entry {holidays[d] + 1}) "
                "and as a working day",
                hint="a day is either a rest day or a 调休 working day; remove it from one list",
                code="date-in-both",
            ))
        if d.weekday() < _SATURDAY:
            problems.append(doc.problem(
                ("workdays", index),
                f"{d.isoformat()} is a {_WEEKDAY_NAMES[d.weekday()]}, not a weekend day",
                hint="调休 days are weekend days; Monday to Friday are working days already",
                code="workday-not-weekend",
            ))

    if problems or year is None or source is None:
        return None
    return HolidaySchedule(
        year=year, holidays=frozenset(holidays), workdays=frozenset(workdays),
        source=f"{doc.file}: {source}",
    )


_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _parse_dates(
    doc: YamlDocument, key: str, value: Any, year: int | None, problems: list[PackProblem],
) -> dict[date, int]:
    """The dates of list ``key`` mapped to their index; problems for each bad entry."""
    if not isinstance(value, list):
        problems.append(doc.problem(
            (key,), f"{key} must be a list of dates (YYYY-MM-DD)",
            hint=f"write {key}: [] for none", code="type",
        ))
        return {}
    found: dict[date, int] = {}
    for index, item in enumerate(value):
        where = (key, index)
        text = item if isinstance(item, str) else None
        parsed: date | None = None
        if text is not None and _ISO_DATE.match(text):
            try:
                parsed = date.fromisoformat(text)
            except ValueError:
                parsed = None
        if parsed is None:
            problems.append(doc.problem(
                where, f"{item!r} is not a date", hint="write dates as YYYY-MM-DD, e.g. 2027-01-01",
                code="bad-date",
            ))
            continue
        if year is not None and parsed.year != year:
            problems.append(doc.problem(
                where, f"{parsed.isoformat()} is not in the year {year}",
                hint="a holiday file holds one year's days; put other years in their own file",
                code="date-outside-year",
            ))
            continue
        if parsed in found:
            problems.append(doc.problem(
                where, f"{parsed.isoformat()} is listed twice in {key} "
                       f"(first as entry {found[parsed] + 1})",
                hint="remove the repeated date", code="duplicate-date",
            ))
            continue
        found[parsed] = index
    return found
