"""Working days (工作日, docs/rules.md §1).

A legal deadline counts working days: not Saturdays or Sundays, not statutory holidays, but
including the weekend days declared working days (调休上班日). The answer for a date comes from,
in this order:

1. the `WorkdayOverride` table, which an administrator fills for later years' holiday
   arrangements and local closures;
2. the `chinese-calendar` package (it ships the State Council arrangements it knows, 2004–2026
   in version 1.11);
3. for a year neither covers: Monday–Friday, with a warning logged once per year and process,
   so that an administrator loads that year (``zhengwu workdays load``). Nothing crashes.

Counting (as FOI platforms do it): the day a clock starts is day 0; day N is the N-th working
day after it; the item is overdue from the next day on.

Overrides are cached per process, one query per year; the cache is cleared by
`invalidate_cache()` (the override services call it) and, so that other processes and machines
see a change too, reloaded after `WORKDAY_CACHE_SECONDS` (setting, default 60 s).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings

logger = logging.getLogger(__name__)

# Legal days are days in Beijing time, whatever timezone a request has activated.
CHINA_TZ = ZoneInfo("Asia/Shanghai")
DEFAULT_CACHE_SECONDS = 60.0
# Far enough for any legal deadline; stops a runaway loop on absurd input.
MAX_SPAN_DAYS = 366 * 20

Source = Literal["override", "chinese_calendar", "fallback"]

_lock = threading.Lock()
_overrides: dict[int, tuple[float, dict[date, tuple[bool, str]]]] = {}
_warned_years: set[int] = set()
_unsupported_years: set[int] = set()


def _cache_seconds() -> float:
    return float(getattr(settings, "WORKDAY_CACHE_SECONDS", DEFAULT_CACHE_SECONDS))


def invalidate_cache() -> None:
    """Forget the cached overrides (and the once-per-year fallback warnings) of this process."""
    with _lock:
        _overrides.clear()
        _warned_years.clear()


def overrides_for_year(year: int) -> dict[date, tuple[bool, str]]:
    """`{date: (is_workday, reason)}` of the override table for one year, cached (one query)."""
    now = time.monotonic()
    entry = _overrides.get(year)
    if entry is not None and now - entry[0] < _cache_seconds():
        return entry[1]
    from zhengwu.core.models import WorkdayOverride

    rows = WorkdayOverride.objects.filter(date__gte=date(year, 1, 1), date__lte=date(year, 12, 31))
    loaded = {row.date: (row.is_workday, row.reason) for row in rows.only("date", "is_workday", "reason")}
    with _lock:
        _overrides[year] = (now, loaded)
    return loaded


def _as_date(d: date) -> date:
    if isinstance(d, datetime):
        if d.tzinfo is not None:
            return d.astimezone(CHINA_TZ).date()
        return d.date()
    if not isinstance(d, date):
        raise TypeError(f"expected a date, got {type(d).__name__}")
    return d


def today(now: datetime | None = None) -> date:
    """Today's date in Beijing time (the legal day), or the Beijing date of `now`."""
    moment = now if now is not None else datetime.now(tz=CHINA_TZ)
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(CHINA_TZ).date()


def _holiday_name(d: date) -> str:
    name = chinese_calendar.get_holiday_detail(d)[1]
    for holiday in chinese_calendar.Holiday:
        if holiday.value == name:
            return str(holiday.chinese)
    return str(name or "")


def workday_source(d: date) -> tuple[bool, Source, str]:
    """`(is_workday, source, note)`: the answer for `d` and where it came from."""
    d = _as_date(d)
    override = overrides_for_year(d.year).get(d)
    if override is not None:
        return override[0], "override", override[1]
    if d.year not in _unsupported_years:
        try:
            working = chinese_calendar.is_workday(d)
        except NotImplementedError:
            _unsupported_years.add(d.year)
        else:
            return working, "chinese_calendar", _holiday_name(d) if working != (d.weekday() < 5) else ""
    if d.year not in _warned_years:
        with _lock:
            first = d.year not in _warned_years
            _warned_years.add(d.year)
        if first:
            logger.warning(
                "%s 年的法定节假日安排未导入，暂按周一至周五计算工作日；请用 `zhengwu workdays load` 导入。", d.year
            )
    return d.weekday() < 5, "fallback", ""


def is_workday(d: date) -> bool:
    """True when `d` is a working day (调休上班日 included, statutory holidays excluded)."""
    return workday_source(d)[0]


def next_workday(d: date) -> date:
    """The first working day strictly after `d`."""
    return add_workdays(d, 1)


def add_workdays(start: date, n: int) -> date:
    """The date of the n-th working day after `start` (day 0). `n=0` returns `start`.

    A deadline of N working days started on `start` is `add_workdays(start, N)`: the item is due
    by the end of that day and overdue from the next day on. A negative `n` counts backwards:
    the |n|-th working day strictly before `start`.
    """
    current = _as_date(start)
    if n == 0:
        return current
    step = timedelta(days=1 if n > 0 else -1)
    remaining = abs(n)
    for _ in range(MAX_SPAN_DAYS):
        current += step
        if is_workday(current):
            remaining -= 1
            if remaining == 0:
                return current
    raise ValueError(f"no {n}-th working day within {MAX_SPAN_DAYS} days of {start}")


def workdays_between(a: date, b: date) -> int:
    """The number of working days d with a < d <= b; negative (−count of b < d <= a) if b < a.

    `workdays_between(start, add_workdays(start, n)) == n` for every n >= 0. The number of
    working days left until a deadline, seen on `today`, is `workdays_between(today, deadline)`.
    """
    a, b = _as_date(a), _as_date(b)
    if b < a:
        return -workdays_between(b, a)
    if (b - a).days > MAX_SPAN_DAYS:
        raise ValueError(f"span {a}..{b} longer than {MAX_SPAN_DAYS} days")
    count = 0
    current = a
    while current < b:
        current += timedelta(days=1)
        if is_workday(current):
            count += 1
    return count


def workdays_in_year(year: int) -> list[date]:
    """Every working day of `year`, in order."""
    day, last = date(year, 1, 1), date(year, 12, 31)
    days = []
    while day <= last:
        if is_workday(day):
            days.append(day)
        day += timedelta(days=1)
    return days
