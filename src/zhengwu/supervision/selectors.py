"""Reads of the supervision app: the timer of an object, lights and dashboards.

Dashboards aggregate in SQL: every light comes from one CASE over the stored deadline and
yellow start (`models.light_expression`), so counting a province's timers is one GROUP BY.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import models
from django.db.models import BooleanField, Case, Count, IntegerField, Min, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils import timezone

from zhengwu.accounts.models import Department, Role, User
from zhengwu.core import workdays
from zhengwu.core.errors import ApplicationError, permission_denied
from zhengwu.core.models import WorkdayOverride
from zhengwu.supervision.errors import SupervisionError
from zhengwu.supervision.models import Complaint, ExposureList, Light, Timer, TimerEvent, Urging, light_expression
from zhengwu.supervision.reports import missed_q

LIGHT_ANNOTATION = "current_light"
# The live condition written with literal values, exactly as in the partial indexes of `Timer`
# (`timer_live_lights`, `timer_live_deadline`): SQLite uses a partial index only when the query
# contains its WHERE term, and a bound parameter (`state IN (?, ?)`) does not match it.
LIVE_SQL = """"supervision_timer"."state" IN ('running', 'paused')"""


def live(queryset: QuerySet[Timer] | None = None) -> QuerySet[Timer]:
    """Only running and paused timers, in the form the partial indexes match."""
    queryset = Timer.objects.all() if queryset is None else queryset
    return queryset.filter(RawSQL(LIVE_SQL, [], output_field=BooleanField()))  # noqa: S611 - a constant


def target_key(target: models.Model) -> tuple[str, str]:
    """`("app_label.model", "pk")` of a saved model instance: how a timer names its object."""
    if getattr(target, "pk", None) is None:
        raise ApplicationError(SupervisionError.TARGET_UNSAVED, "计时对象尚未保存，无法计时。")
    return target._meta.label_lower, str(target.pk)


def _moments(today: date | None, now: datetime | None) -> tuple[date, datetime]:
    now = now or timezone.now()
    return today or workdays.today(now), now


def timer_for(target: models.Model, kind: str) -> Timer | None:
    """The timer of `kind` on `target`: the live one if any, else the most recent one, else None."""
    target_type, target_id = target_key(target)
    timers = Timer.objects.filter(kind=kind, target_type=target_type, target_id=target_id)
    live = timers.filter(state__in=Timer.LIVE_STATES).first()
    if live is not None:
        return live
    return timers.order_by("-started_at", "-id").first()


def timers_for_target(target: models.Model) -> QuerySet[Timer]:
    """Every timer (any kind, any state) on `target`, oldest first."""
    target_type, target_id = target_key(target)
    return Timer.objects.filter(target_type=target_type, target_id=target_id).order_by("started_at", "id")


def timers_by_target(
    targets: Sequence[models.Model], kinds: Sequence[str], *, today: date | None = None, now: datetime | None = None
) -> dict[int, dict[str, Timer]]:
    """target pk → {kind → its timer} for a page of objects of one model, in one query: the live timer
    of each kind, else the newest, with `current_light` (read by other apps instead of copying a
    timer's deadline: an extension or a pause shows at once)."""
    if not targets:
        return {}
    target_type = target_key(targets[0])[0]
    rows = Timer.objects.filter(
        target_type=target_type, target_id__in=[str(t.pk) for t in targets], kind__in=list(kinds)
    ).order_by("id")
    found: dict[int, dict[str, Timer]] = {}
    for timer in with_light(rows, today=today, now=now):
        clocks = found.setdefault(int(timer.target_id), {})
        current = clocks.get(timer.kind)
        if current is None or timer.is_live or not current.is_live:
            clocks[timer.kind] = timer
    return found


# A target's light is the worst of its live timers' (red, then yellow, then paused, then green).
WORST_FIRST = (Light.RED, Light.YELLOW, Light.PAUSED, Light.GREEN)


def worst_lights(
    target_type: str,
    kinds: Sequence[str],
    *,
    now: datetime | None = None,
    target_ids: Iterable[int] | None = None,
) -> dict[int, str]:
    """{pk: light} of the objects of `target_type` (`app_label.model`) with live timers of `kinds`,
    each the worst light of its live timers, in one pass over those timers (a board that counts
    thousands of objects by light reads each live timer once, never one query per object or per
    light); `target_ids` narrows it to those objects (found through the (target_type, target_id)
    index)."""
    rank = Case(
        *(When(**{LIGHT_ANNOTATION: str(name)}, then=Value(i)) for i, name in enumerate(WORST_FIRST)),
        default=Value(len(WORST_FIRST)),
        output_field=IntegerField(),
    )
    # (state__in, not `live()`: its raw SQL names the table)
    rows = Timer.objects.filter(target_type=target_type, kind__in=list(kinds), state__in=Timer.LIVE_STATES)
    if target_ids is not None:
        rows = rows.filter(target_id__in=[str(pk) for pk in target_ids])
    ranked = (
        with_light(rows, now=now)
        .annotate(target=Cast("target_id", IntegerField()))
        .values("target")
        .annotate(worst=Min(rank))
        .values_list("target", "worst")
    )
    return {target: str(WORST_FIRST[worst]) for target, worst in ranked if worst < len(WORST_FIRST)}


def late_targets(target_type: str, kind: str, *, now: datetime | None = None) -> QuerySet[Timer, dict[str, Any]]:
    """The pks (column `target`) of the objects of `target_type` whose timer of `kind` finished late
    or is live and past its deadline at `now`: a subquery for `Q(pk__in=…)`."""
    today, now = _moments(None, now)
    rows = Timer.objects.filter(target_type=target_type, kind=kind).filter(missed_q(today, now))
    return rows.annotate(target=Cast("target_id", IntegerField())).values("target")


def with_light(
    queryset: QuerySet[Timer] | None = None, *, today: date | None = None, now: datetime | None = None
) -> QuerySet[Timer]:
    """Annotate `current_light` ("green" | "yellow" | "red" | "paused" | "done") in SQL."""
    today, now = _moments(today, now)
    queryset = Timer.objects.all() if queryset is None else queryset
    return queryset.annotate(**{LIGHT_ANNOTATION: light_expression(today, now)})


def live_timers_of(objects: Sequence[models.Model], kind: str) -> dict[str, Timer]:
    """The live timer of `kind` (with `current_light`) of each of `objects` (saved rows of one model),
    by the object's pk as text (`Timer.target_id`): one query, for the to-do lists."""
    if not objects:
        return {}
    target_type = target_key(objects[0])[0]
    rows = Timer.objects.filter(
        kind=kind, target_type=target_type, target_id__in=[str(o.pk) for o in objects], state__in=Timer.LIVE_STATES
    )
    return {t.target_id: t for t in with_light(rows)}


def light_counts(
    department: Department | None = None,
    today: date | None = None,
    *,
    now: datetime | None = None,
    kind: str | None = None,
    include_done: bool = False,
) -> dict[str, int]:
    """Number of timers per light, computed by the database in one query.

    Keys are always green, yellow, red and paused (and done with `include_done=True`), zero
    when none. `department` limits to one responsible unit, `kind` to one kind of deadline.
    """
    queryset = Timer.objects.all()
    if department is not None:
        queryset = queryset.filter(department=department)
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    if not include_done:
        queryset = live(queryset)
    rows = with_light(queryset, today=today, now=now).order_by().values(LIGHT_ANNOTATION).annotate(number=Count("*"))
    keys = [Light.GREEN, Light.YELLOW, Light.RED, Light.PAUSED] + ([Light.DONE] if include_done else [])
    counts = {str(key): 0 for key in keys}
    for row in rows:
        counts[row[LIGHT_ANNOTATION]] = row["number"]
    return counts


def overdue_q(today: date, now: datetime) -> Q:
    """Live timers past their deadline (a paused one: past it on the day it was paused)."""
    workday, minute = Timer.Unit.WORKDAY, Timer.Unit.MINUTE
    running, paused = Timer.State.RUNNING, Timer.State.PAUSED
    return (
        Q(state=running, unit=workday, deadline__lt=today)
        | Q(state=running, unit=minute, deadline_at__lt=now)
        | Q(state=paused, unit=workday, paused_on__gt=models.F("deadline"))
        | Q(state=paused, unit=minute, paused_at__gt=models.F("deadline_at"))
    )


def red_list(
    department: Department | None = None,
    today: date | None = None,
    *,
    now: datetime | None = None,
    kind: str | None = None,
) -> QuerySet[Timer]:
    """Overdue live timers (red lights), the longest overdue first, with their department.

    Written for the partial index `timer_live_deadline`: live timers with a deadline up to
    today (every red timer has one; a minute timer's `deadline` is the Beijing date of its
    `deadline_at`) in deadline order, keeping those whose light is red — so `red_list()[:20]`
    reads the oldest deadlines only instead of sorting every overdue timer.
    """
    today, now = _moments(today, now)
    queryset = live().filter(deadline__lte=today)
    if department is not None:
        queryset = queryset.filter(department=department)
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    queryset = with_light(queryset, today=today, now=now).filter(**{LIGHT_ANNOTATION: Light.RED.value})
    return queryset.select_related("department").order_by("deadline", "deadline_at", "id")


def timers_for_department(
    department: Department,
    *,
    light: str | None = None,
    live_only: bool = True,
    today: date | None = None,
    now: datetime | None = None,
) -> QuerySet[Timer]:
    """A department's timers annotated with `current_light`, nearest deadline first.

    `light` filters on one light; `live_only=False` includes finished and cancelled timers.
    """
    queryset = Timer.objects.filter(department=department)
    if live_only:
        queryset = live(queryset)
    queryset = with_light(queryset, today=today, now=now)
    if light is not None:
        queryset = queryset.filter(**{LIGHT_ANNOTATION: light})
    return queryset.order_by("deadline", "deadline_at", "id")


def timer_events(timer: Timer) -> QuerySet[TimerEvent]:
    """The history of `timer`, oldest first, with the acting people."""
    return TimerEvent.objects.filter(timer=timer).select_related("actor").order_by("at", "id")


def workday_overrides(*, year: int) -> QuerySet[WorkdayOverride]:
    """The administrator's calendar changes of one year, in date order."""
    return WorkdayOverride.objects.filter(date__year=year).select_related("created_by").order_by("date")


# --- who may watch what -------------------------------------------------------------------------

WATCH_ALL_ROLES = (Role.SUPERVISOR, Role.EGOV_OFFICE)
WATCH_ROLES = (Role.SUPERVISOR, Role.EGOV_OFFICE, Role.DEPT_LEADER)
LIVE_LIGHTS = (Light.RED, Light.YELLOW, Light.GREEN, Light.PAUSED)


def watches_all(user: User) -> bool:
    """Supervisors and the e-government office watch every department's timers."""
    return user.has_role(*WATCH_ALL_ROLES)


def watched_department(user: User) -> Department | None:
    """The one department a department leader watches (None: all, for supervisors / e-gov office).

    Raises `permission_denied` for anyone who may not open the dashboard at all.
    """
    if watches_all(user):
        return None
    if user.has_role(Role.DEPT_LEADER) and user.department_id is not None:
        return user.department
    raise permission_denied("只有电子监察人员、电子政务主管和部门负责人可以查看电子监察。")


def may_watch(user: User, department_id: int) -> bool:
    return watches_all(user) or (
        user.has_role(Role.DEPT_LEADER) and user.department_id is not None and user.department_id == department_id
    )


# --- the dashboard: one GROUP BY feeds every panel -------------------------------------------------


@dataclass
class LightRow:
    """Counts of live timers per light for one department or one kind (or the whole platform)."""

    key: str | int
    label: str
    red: int = 0
    yellow: int = 0
    green: int = 0
    paused: int = 0

    @property
    def total(self) -> int:
        return self.red + self.yellow + self.green + self.paused

    def add(self, light: str, number: int) -> None:
        setattr(self, light, getattr(self, light) + number)


@dataclass
class Dashboard:
    totals: LightRow
    by_department: list[LightRow] = field(default_factory=list)
    by_kind: list[LightRow] = field(default_factory=list)
    cells: dict[tuple[int, str, str], int] = field(default_factory=dict)


def live_light_groups(
    department: Department | None = None, today: date | None = None, *, now: datetime | None = None
) -> list[dict[str, object]]:
    """`[{department_id, kind, kind_label, current_light, number}]` of live timers: ONE query.

    This is the hand-written GROUP BY of the benchmark, expressed with the ORM: the light CASE
    of `light_expression` grouped with department and kind.
    """
    queryset = live()
    if department is not None:
        queryset = queryset.filter(department=department)
    rows = (
        with_light(queryset, today=today, now=now)
        .order_by()
        .values("department_id", "kind", "kind_label", LIGHT_ANNOTATION)
        .annotate(number=Count("*"))
    )
    return list(rows)


def dashboard(
    department: Department | None = None, today: date | None = None, *, now: datetime | None = None
) -> Dashboard:
    """Counts by department, by kind and by light of every live timer (or of one department's).

    One aggregate query over the timer table plus one query for the department names; the
    panels are sums over the (department, kind, light) groups, so they always agree.
    """
    groups = live_light_groups(department, today, now=now)
    totals = LightRow("all", "全部")
    departments: dict[int, LightRow] = {}
    kinds: dict[str, LightRow] = {}
    cells: dict[tuple[int, str, str], int] = {}
    for row in groups:
        dept_id = int(row["department_id"])  # type: ignore[call-overload]
        kind = str(row["kind"])
        light = str(row[LIGHT_ANNOTATION])
        number = int(row["number"])  # type: ignore[call-overload]
        totals.add(light, number)
        departments.setdefault(dept_id, LightRow(dept_id, "")).add(light, number)
        kind_row = kinds.setdefault(kind, LightRow(kind, ""))
        kind_row.add(light, number)
        if not kind_row.label and row["kind_label"]:
            kind_row.label = str(row["kind_label"])
        cells[(dept_id, kind, light)] = cells.get((dept_id, kind, light), 0) + number
    names = dict(Department.objects.filter(pk__in=departments).values_list("pk", "name"))
    for dept_id, dept_row in departments.items():
        dept_row.label = names.get(dept_id, str(dept_id))
    for kind, kind_row in kinds.items():
        kind_row.label = kind_row.label or kind
    by_department = sorted(departments.values(), key=lambda r: (-r.red, -r.yellow, -r.total, r.label))
    by_kind = sorted(kinds.values(), key=lambda r: (-r.red, -r.total, str(r.key)))
    return Dashboard(totals=totals, by_department=by_department, by_kind=by_kind, cells=cells)


def kind_choices(department: Department | None = None) -> list[tuple[str, str]]:
    """`(kind, label)` of the kinds that have timers (of one department), for filters."""
    queryset = Timer.objects.all()
    if department is not None:
        queryset = queryset.filter(department=department)
    labels: dict[str, str] = {}
    for kind, label in queryset.order_by().values_list("kind", "kind_label").distinct():
        if not labels.get(kind):
            labels[kind] = label or kind
    return sorted(labels.items(), key=lambda item: item[1])


def department_timers(
    department: Department,
    *,
    kind: str = "",
    light: str = "",
    today: date | None = None,
    now: datetime | None = None,
) -> QuerySet[Timer]:
    """A department's timers for the drill-down: live ones by default, `light="done"` for the
    closed ones, filtered by kind; red first then nearest deadline."""
    live_only = light != Light.DONE
    queryset = timers_for_department(department, light=light or None, live_only=live_only, today=today, now=now)
    if kind:
        queryset = queryset.filter(kind=kind)
    if light == Light.DONE:
        return queryset.order_by("-finished_at", "-id")
    return queryset


def timer_with_light(pk: int, today: date | None = None, *, now: datetime | None = None) -> Timer | None:
    return with_light(Timer.objects.filter(pk=pk).select_related("department"), today=today, now=now).first()


def safe_target_url(timer: Timer) -> str:
    """The item's staff page, only when it is a path on this site (never another origin or a script)."""
    url = (timer.target_url or "").strip()
    return url if url.startswith("/") and not url.startswith("//") and "\\" not in url else ""


# --- urgings, complaints, exposure lists --------------------------------------------------------------


def urgings_visible_to(user: User, *, state: str = "") -> QuerySet[Urging]:
    """Supervisors / e-gov office: every urging; clerks and leaders: those sent to their department."""
    queryset = Urging.objects.select_related("timer", "department", "created_by", "answered_by")
    if not watches_all(user):
        if not user.has_role(Role.CLERK, Role.DEPT_LEADER) or user.department_id is None:
            return queryset.none()
        queryset = queryset.filter(department_id=user.department_id)
    if state in Urging.State.values:
        queryset = queryset.filter(state=state)
    return queryset.order_by("-created_at", "-id")


def urgings_of_timer(timer: Timer) -> QuerySet[Urging]:
    return Urging.objects.filter(timer=timer).select_related("created_by", "answered_by").order_by("created_at", "id")


def complaints_visible_to(user: User, *, state: str = "") -> QuerySet[Complaint]:
    """Supervisors: every complaint; clerks and leaders: those forwarded to their department."""
    queryset = Complaint.objects.select_related("department", "complainant")
    if not user.has_role(Role.SUPERVISOR):
        if not user.has_role(Role.CLERK, Role.DEPT_LEADER) or user.department_id is None:
            return queryset.none()
        queryset = queryset.filter(department_id=user.department_id, forwarded_at__isnull=False)
    if state in Complaint.State.values:
        queryset = queryset.filter(state=state)
    return queryset.order_by("-submitted_at", "-id")


def complaints_of(user: User) -> QuerySet[Complaint]:
    """A citizen's own complaints (我的投诉), newest first."""
    return Complaint.objects.filter(complainant=user).select_related("department").order_by("-submitted_at", "-id")


def published_exposure_lists() -> QuerySet[ExposureList]:
    return ExposureList.objects.order_by("-month")


# --- evaluations (governance reads these through here) --------------------------------------------------


def due_in_period(first: date, last: date, *, kinds: tuple[str, ...]) -> QuerySet[Timer]:
    """Timers of `kinds` whose deadline falls in [first, last] (a minute timer's `deadline` is the
    Beijing date of its `deadline_at`), cancelled ones left out: the items a period is judged on."""
    return Timer.objects.filter(kind__in=kinds, deadline__gte=first, deadline__lte=last).exclude(
        state=Timer.State.CANCELLED
    )


def on_time_counts(
    first: date, last: date, *, kinds: tuple[str, ...], today: date | None = None, now: datetime | None = None
) -> dict[tuple[int, str], tuple[int, int]]:
    """`{(department_id, kind): (on_time, due)}` of the timers due in the period, in one GROUP BY.

    Due: the deadline falls in the period (not cancelled). Late: finished after the deadline, or
    still live past it (as of `now`); every other due timer counts as on time.
    """
    today, now = _moments(today, now)
    rows = (
        due_in_period(first, last, kinds=kinds)
        .order_by()
        .values("department_id", "kind")
        .annotate(due=Count("id"), late=Count("id", filter=missed_q(today, now)))
    )
    return {(r["department_id"], r["kind"]): (r["due"] - r["late"], r["due"]) for r in rows}


def late_in_period(
    department_id: int,
    first: date,
    last: date,
    *,
    kinds: tuple[str, ...],
    today: date | None = None,
    now: datetime | None = None,
) -> QuerySet[Timer]:
    """The department's timers of `kinds` due in the period and late (the evidence behind an
    on-time rate), the latest deadline first."""
    today, now = _moments(today, now)
    return (
        due_in_period(first, last, kinds=kinds)
        .filter(missed_q(today, now), department_id=department_id)
        .order_by("-deadline", "-id")
    )
