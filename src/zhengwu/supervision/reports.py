"""Monthly figures of the e-supervision centre: the exposure ranking and the department scorecards.

Both are computed from the timer table for one calendar month (Beijing time):

- **due** — timers whose deadline fell in the month (the day they had to be done);
- **overdue (超期)** — of those, the ones that missed it: finished late, or still live and past
  the deadline now (a paused timer: past it on the day it was paused). Each late timer counts
  once, in the month of its deadline;
- **finished (办结)** — timers finished in the month; **on time (按时)** — of those, finished on
  or before their deadline; **on-time rate** = on time / finished;
- **delay (超期工作日)** — for each overdue timer, the working days from its deadline to its
  finish day (still open: to today, or to the day it was paused), at least 1;
- **handling time (办理用时)** — for each workday timer finished in the month, the working days
  from its start to its finish minus the paused working days, against its promise
  (limit + extensions); minute timers count in the ratio only (minutes used / minutes promised).

Cancelled timers count nowhere. The complaint timer of the supervision office itself
(`supervision.complaint`) is left out: it measures the office, not the unit complained about.
Counts are SQL aggregates; the working-day delays and handling times are summed in Python over
the rows of that month only (working days need the holiday calendar), memoised per date pair.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone

from zhengwu.accounts.models import Department
from zhengwu.core import workdays
from zhengwu.core.errors import ApplicationError
from zhengwu.supervision import scorecards
from zhengwu.supervision.errors import SupervisionError
from zhengwu.supervision.models import Timer

EXCLUDED_KINDS = ("supervision.complaint",)


def exposure_size() -> int:
    from django.conf import settings

    return settings.ZHENGWU_EXPOSURE_SIZE


# --- months ----------------------------------------------------------------------------------------


def month_bounds(month: date) -> tuple[date, date]:
    """First and last day of the month containing `month`."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def parse_month(text: str | None, *, default: date | None = None) -> date:
    """`"2026-10"` → 2026-10-01. Empty → `default` (the previous month). Bad input → `invalid_month`."""
    text = (text or "").strip()
    if not text:
        if default is not None:
            return default
        return previous_month()
    try:
        year, month = text.split("-")[:2]
        value = date(int(year), int(month), 1)
    except (ValueError, TypeError):
        raise ApplicationError(
            SupervisionError.INVALID_MONTH, "月份格式应为 YYYY-MM。", {"month": "格式不正确"}
        ) from None
    if not 2000 <= value.year <= 2100:
        raise ApplicationError(SupervisionError.INVALID_MONTH, "月份超出范围。", {"month": "超出范围"})
    return value


def previous_month(today: date | None = None) -> date:
    today = today or workdays.today()
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def recent_months(count: int = 12, today: date | None = None) -> list[date]:
    """The current month and the `count - 1` before it, newest first (for month selectors)."""
    today = today or workdays.today()
    months = [today.replace(day=1)]
    while len(months) < count:
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
    return months


def _moments(first: date, last: date) -> tuple[datetime, datetime]:
    start = datetime.combine(first, time.min, tzinfo=workdays.CHINA_TZ)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=workdays.CHINA_TZ)
    return start, end


def _base() -> Any:
    return Timer.objects.exclude(kind__in=EXCLUDED_KINDS).exclude(state=Timer.State.CANCELLED)


def missed_q(today: date, now: datetime) -> Q:
    """Late: finished after the deadline, or live and past it (a paused one as of its pause)."""
    workday, minute = Timer.Unit.WORKDAY, Timer.Unit.MINUTE
    running, paused = Timer.State.RUNNING, Timer.State.PAUSED
    return (
        Q(state=Timer.State.FINISHED, finished_on_time=False)
        | Q(state=running, unit=workday, deadline__lt=today)
        | Q(state=running, unit=minute, deadline_at__lt=now)
        | Q(state=paused, unit=workday, paused_on__gt=F("deadline"))
        | Q(state=paused, unit=minute, paused_at__gt=F("deadline_at"))
    )


class WorkdayCounter:
    """`workdays_between(a, b)` (working days d with a < d <= b) from a running count of working
    days, filled one day at a time as needed: a month's rows then cost one calendar lookup per
    distinct day instead of one per day of every timer."""

    def __init__(self) -> None:
        self.origin: date | None = None
        self.counts: list[int] = []  # counts[i] = working days in (origin, origin + i]

    def _count(self, day: date) -> int:
        if self.origin is None:
            self.origin, self.counts = day - timedelta(days=1), [0]
        elif day < self.origin:  # extend to the left: earlier counts, then the old ones shifted
            origin = day - timedelta(days=31)
            prefix = [0]
            for i in range(1, (self.origin - origin).days + 1):
                prefix.append(prefix[-1] + (1 if workdays.is_workday(origin + timedelta(days=i)) else 0))
            self.counts = prefix + [prefix[-1] + c for c in self.counts[1:]]
            self.origin = origin
        index = (day - self.origin).days
        while len(self.counts) <= index:
            nxt = self.origin + timedelta(days=len(self.counts))
            self.counts.append(self.counts[-1] + (1 if workdays.is_workday(nxt) else 0))
        return self.counts[index]

    def between(self, start: date, end: date) -> int:
        if end <= start:
            return 0
        self._count(start)  # fixes the origin at or before the earlier day
        return self._count(end) - self._count(start)


# --- per-department counts -----------------------------------------------------------------------------


class _Ratio:
    """A read-only attribute: one counter divided by another, None when the divisor is 0."""

    def __init__(self, numerator: str, denominator: str) -> None:
        self.numerator = numerator
        self.denominator = denominator

    def __get__(self, counts: object, owner: type | None = None) -> float | None:
        denominator = getattr(counts, self.denominator)
        return getattr(counts, self.numerator) / denominator if denominator else None


@dataclass
class MonthCounts:
    due: int = 0
    overdue: int = 0
    finished: int = 0
    on_time: int = 0
    delay_total: int = 0
    delay_max: int = 0
    used_days_total: int = 0
    promised_days_total: int = 0
    workday_finished: int = 0
    ratio_total: float = 0.0
    ratio_count: int = 0

    on_time_rate = _Ratio("on_time", "finished")
    avg_delay = _Ratio("delay_total", "overdue")
    avg_used_days = _Ratio("used_days_total", "workday_finished")
    avg_promised_days = _Ratio("promised_days_total", "workday_finished")
    used_ratio = _Ratio("ratio_total", "ratio_count")


def month_counts(
    month: date, *, department: Department | None = None, today: date | None = None, now: datetime | None = None
) -> dict[int, MonthCounts]:
    """`{department_id: MonthCounts}` of the month containing `month` (see the module docstring)."""
    now = now or timezone.now()
    today = today or workdays.today(now)
    first, last = month_bounds(month)
    start, end = _moments(first, last)
    base = _base()
    if department is not None:
        base = base.filter(department=department)
    # a minute timer's `deadline` is the Beijing date of its `deadline_at`: one date range serves both
    due_in_month = Q(deadline__gte=first, deadline__lte=last)
    finished_in_month = Q(state=Timer.State.FINISHED, finished_at__gte=start, finished_at__lt=end)
    missed = missed_q(today, now)
    result: dict[int, MonthCounts] = defaultdict(MonthCounts)
    aggregates = (
        base.filter(due_in_month | finished_in_month)
        .order_by()
        .values("department_id")
        .annotate(
            due=Count("id", filter=due_in_month),
            overdue=Count("id", filter=due_in_month & missed),
            finished=Count("id", filter=finished_in_month),
            on_time=Count("id", filter=finished_in_month & Q(finished_on_time=True)),
        )
    )
    for row in aggregates:
        counts = result[row["department_id"]]
        counts.due, counts.overdue = row["due"], row["overdue"]
        counts.finished, counts.on_time = row["finished"], row["on_time"]
    days = WorkdayCounter()
    # delays of the month's overdue timers
    late = base.filter(due_in_month & missed).values_list(
        "department_id", "deadline", "state", "finished_at", "paused_on"
    )
    for dept_id, deadline, state, finished_at, paused_on in late.iterator(chunk_size=2000):
        if state == Timer.State.FINISHED and finished_at is not None:
            until = workdays.today(finished_at)
        elif state == Timer.State.PAUSED and paused_on is not None:
            until = paused_on
        else:
            until = today
        delay = max(1, days.between(deadline, until))
        counts = result[dept_id]
        counts.delay_total += delay
        counts.delay_max = max(counts.delay_max, delay)
    # handling time of the month's finished timers
    done = base.filter(finished_in_month).values_list(
        "department_id",
        "unit",
        "start_date",
        "started_at",
        "finished_at",
        "limit",
        "extended_by",
        "paused_workdays",
        "paused_minutes",
        "paused_on",
    )
    for (
        dept_id,
        unit,
        start_date,
        started_at,
        finished_at,
        limit,
        extended,
        p_days,
        p_minutes,
        paused_on,
    ) in done.iterator(chunk_size=2000):
        counts = result[dept_id]
        promised = limit + extended
        if unit == Timer.Unit.WORKDAY:
            finished_on = workdays.today(finished_at)
            used = days.between(start_date, finished_on) - p_days
            if paused_on is not None:  # finished while paused: the days since the pause are not counted
                used -= days.between(paused_on, finished_on)
            used = max(0, used)
            counts.workday_finished += 1
            counts.used_days_total += used
            counts.promised_days_total += promised
        else:
            used = max(0, int((finished_at - started_at).total_seconds() // 60) - p_minutes)
        counts.ratio_total += used / promised if promised else 0.0
        counts.ratio_count += 1
    return dict(result)


# --- exposure ----------------------------------------------------------------------------------------------


@dataclass
class ExposureRow:
    rank: int
    department_id: int
    department_name: str
    due: int
    overdue: int
    finished: int
    on_time: int
    on_time_rate: float | None
    avg_delay: float | None
    max_delay: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


EXPOSURE_COLUMNS: list[tuple[str, str]] = [
    ("rank", "排名"),
    ("department_name", "单位"),
    ("overdue", "超期件数"),
    ("due", "当月到期件数"),
    ("finished", "当月办结件数"),
    ("on_time", "按时办结件数"),
    ("on_time_rate", "按时办结率"),
    ("avg_delay", "平均超期（工作日）"),
    ("max_delay", "最长超期（工作日）"),
]


def exposure_rows(
    month: date, *, today: date | None = None, now: datetime | None = None, size: int | None = None
) -> list[ExposureRow]:
    """The slowest units of the month: units with overdue timers, ranked by overdue count
    (most first), then on-time rate (lowest first; none finished counts as lowest), then
    average delay (longest first), then name. At most `ZHENGWU_EXPOSURE_SIZE` (10) units."""
    counts = {k: v for k, v in month_counts(month, today=today, now=now).items() if v.overdue > 0}
    names = dict(Department.objects.filter(pk__in=counts).values_list("pk", "name"))
    ordered = sorted(
        counts.items(),
        key=lambda item: (
            -item[1].overdue,
            item[1].on_time_rate if item[1].on_time_rate is not None else -1.0,
            -(item[1].avg_delay or 0.0),
            names.get(item[0], ""),
        ),
    )
    rows = []
    for rank, (dept_id, c) in enumerate(ordered[: size or exposure_size()], start=1):
        rows.append(
            ExposureRow(
                rank=rank,
                department_id=dept_id,
                department_name=names.get(dept_id, str(dept_id)),
                due=c.due,
                overdue=c.overdue,
                finished=c.finished,
                on_time=c.on_time,
                on_time_rate=None if c.on_time_rate is None else round(c.on_time_rate, 4),
                avg_delay=None if c.avg_delay is None else round(c.avg_delay, 2),
                max_delay=c.delay_max,
            )
        )
    return rows


# --- scorecards ------------------------------------------------------------------------------------------


@dataclass
class ScorecardRow:
    department_id: int
    department_name: str
    finished: int
    on_time: int
    on_time_rate: float | None
    overdue: int
    avg_used_days: float | None
    avg_promised_days: float | None
    used_ratio: float | None
    satisfaction: float | None
    online_share: float | None
    visits_avg: float | None


SCORECARD_COLUMNS: list[tuple[str, str]] = [
    ("department_name", "单位"),
    ("finished", "办结件数"),
    ("on_time", "按时办结"),
    ("on_time_rate", "按时办结率"),
    ("overdue", "超期件数"),
    ("avg_used_days", "平均办理用时（工作日）"),
    ("avg_promised_days", "平均承诺时限（工作日）"),
    ("used_ratio", "用时占承诺时限"),
    ("satisfaction", "满意度"),
    ("online_share", "网上办理率"),
    ("visits_avg", "平均跑动次数"),
]
PERCENT_COLUMNS = frozenset({"on_time_rate", "used_ratio", "satisfaction", "online_share"})


def scorecard_rows(
    month: date, *, department: Department | None = None, today: date | None = None, now: datetime | None = None
) -> list[ScorecardRow]:
    """One row per active department (or only `department`), by name: timer figures of the month
    plus the figures of the registered providers (`scorecards.register_figures`), None when missing."""
    first, last = month_bounds(month)
    counts = month_counts(month, department=department, today=today, now=now)
    figures = scorecards.collect_figures(first, last)
    departments = Department.objects.filter(is_active=True)
    if department is not None:
        departments = departments.filter(pk=department.pk)
    rows = []
    for dept_id, name in departments.order_by("name").values_list("pk", "name"):
        c = counts.get(dept_id, MonthCounts())
        extra = figures.get(dept_id, {})
        rows.append(
            ScorecardRow(
                department_id=dept_id,
                department_name=name,
                finished=c.finished,
                on_time=c.on_time,
                on_time_rate=c.on_time_rate,
                overdue=c.overdue,
                avg_used_days=c.avg_used_days,
                avg_promised_days=c.avg_promised_days,
                used_ratio=c.used_ratio,
                satisfaction=extra.get("satisfaction"),
                online_share=extra.get("online_share"),
                visits_avg=extra.get("visits_avg"),
            )
        )
    return rows


def cell(value: Any, column: str) -> str:
    """How a figure is shown: "—" when missing, percentages with one decimal, else 1–2 decimals."""
    if value is None:
        return "—"
    if column in PERCENT_COLUMNS:
        return f"{float(value) * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)
