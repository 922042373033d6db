"""Reads of the eservices app."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Aggregate, Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from zhengwu.accounts.models import Region, Role
from zhengwu.core import workdays
from zhengwu.core.contracts import DataSection, SearchHit, TodoItem, moment_text
from zhengwu.core.crypto import constant_time_equal
from zhengwu.core.errors import ApplicationError
from zhengwu.core.ratelimit import RateLimiter
from zhengwu.eservices.errors import EservicesError
from zhengwu.eservices.models import (
    ALL_THEMES,
    LEGAL_THEMES,
    PERSON_THEMES,
    Application,
    Audience,
    Bundle,
    BundleCase,
    CaseEvent,
    CaseTask,
    ItemMaterial,
    ItemSearchTerm,
    ItemTheme,
    ItemViewDay,
    MaterialFile,
    Notification,
    Rating,
    RatingLevel,
    Rectification,
    ServiceItem,
)
from zhengwu.eservices.search import query_terms
from zhengwu.supervision.models import Timer
from zhengwu.supervision.selectors import target_key

if TYPE_CHECKING:
    from zhengwu.accounts.models import User

HANDLER_ROLES = (Role.CLERK, Role.DEPT_LEADER)
LOOKUP_LIMIT_PER_MINUTE = 10
LOOKUP_LIMITER = RateLimiter("esvc-lookup", LOOKUP_LIMIT_PER_MINUTE)


def _handles(user: User) -> bool:
    return user.department_id is not None and user.has_role(*HANDLER_ROLES)


# --- items -------------------------------------------------------------------------------


def published_items() -> QuerySet[ServiceItem]:
    return ServiceItem.objects.filter(state=ServiceItem.State.PUBLISHED).select_related("department")


def search_items(query: str) -> list[ServiceItem]:
    """Published items ranked by the summed weights of the query's jieba terms (all items when empty)."""
    terms = query_terms(query or "")
    if not terms:
        return list(published_items().order_by("department__name", "name"))
    scores = (
        ItemSearchTerm.objects.filter(term__in=terms, item__state=ServiceItem.State.PUBLISHED)
        .values("item_id")
        .annotate(score=Sum("weight"))
        .order_by("-score", "item_id")[:200]
    )
    ranked = [(row["item_id"], row["score"]) for row in scores]
    items = published_items().in_bulk([pk for pk, _ in ranked])
    result = []
    for pk, score in ranked:
        item = items[pk]
        item.score = score  # type: ignore[attr-defined]
        result.append(item)
    return result


HOT_DAYS = 30
HOT_COUNT = 6
# 热门服务's score: one application counts as many as this many guide views (docs/rules.md §5).
HOT_APPLICATION_WEIGHT = 10


@dataclass(frozen=True)
class Finder:
    """What the portal's finder narrows published items by (empty = no narrowing)."""

    query: str = ""
    audience: str = ""  # "person" (个人办事) or "legal" (法人办事)
    theme: str = ""
    department: int | None = None
    region: str = ""  # a 行政区划代码


def region_and_above(code: str) -> list[Region]:
    """The region of `code` and the regions above it (county → city → province)."""
    found = Region.objects.filter(code=code).select_related("parent__parent").first()
    chain = []
    while found is not None:
        chain.append(found)
        found = found.parent
    return chain


def find_items(finder: Finder) -> list[ServiceItem]:
    """Published items by search terms (ranked) or by name, narrowed by 个人/法人, 主题, 部门 and
    区划 (a region shows its own items and those of the levels above; an item without a region of
    its own is in its department's)."""
    rows = published_items()
    if finder.audience in (Audience.PERSON, Audience.LEGAL):
        rows = rows.filter(audience__in=[finder.audience, Audience.BOTH])
    if finder.theme:
        rows = rows.filter(themes__theme=finder.theme)
    if finder.department:
        rows = rows.filter(department_id=finder.department)
    if finder.region:
        ids = [r.pk for r in region_and_above(finder.region)]
        rows = rows.filter(Q(region_id__in=ids) | Q(region__isnull=True, department__region_id__in=ids))
    if not query_terms(finder.query or ""):
        return list(rows.order_by("department__name", "name"))
    allowed = set(rows.values_list("pk", flat=True))
    return [item for item in search_items(finder.query) if item.pk in allowed]


def _per_item(rows: QuerySet[Any], total: Aggregate) -> Coalesce:
    """One number per item of the outer query: `total` over those of `rows` that are the item's (0 when none)."""
    per_item = rows.filter(item=OuterRef("pk")).order_by().values("item").annotate(n=total).values("n")
    return Coalesce(Subquery(per_item, output_field=IntegerField()), 0)


def hot_items(*, days: int = HOT_DAYS, limit: int = HOT_COUNT, audience: str = "") -> list[ServiceItem]:
    """热门服务 (docs/rules.md §5): the published items of the highest score over the last `days`
    days, score = HOT_APPLICATION_WEIGHT × applications submitted + guide views (`ItemViewDay`),
    ties by name; an item with neither is not hot. Each row carries `recent` (applications),
    `viewed` (views) and `hot_score`."""
    since = timezone.now() - timedelta(days=days)
    first_day = timezone.localdate() - timedelta(days=days - 1)
    applied = _per_item(Application.objects.filter(submitted_at__gte=since), Count("pk"))
    viewed = _per_item(ItemViewDay.objects.filter(day__gte=first_day), Sum("views"))
    rows = published_items()
    if audience in (Audience.PERSON, Audience.LEGAL):
        rows = rows.filter(audience__in=[audience, Audience.BOTH])
    ranked = (
        rows.annotate(recent=applied, viewed=viewed)
        .annotate(hot_score=F("recent") * HOT_APPLICATION_WEIGHT + F("viewed"))
        .filter(hot_score__gt=0)
        .order_by("-hot_score", "name")[:limit]
    )
    return list(ranked)


def theme_counts(audience: str) -> list[tuple[str, int]]:
    """The 主题 of `audience`'s list with how many published items each has, in the list's order
    (themes without items are left out)."""
    themes: dict[str, tuple[str, ...]] = {Audience.PERSON: PERSON_THEMES, Audience.LEGAL: LEGAL_THEMES}
    names = themes.get(audience, ALL_THEMES)
    audiences = [audience, Audience.BOTH] if audience in (Audience.PERSON, Audience.LEGAL) else Audience.values
    counts = dict(
        ItemTheme.objects.filter(item__state=ServiceItem.State.PUBLISHED, item__audience__in=audiences)
        .values_list("theme")
        .annotate(n=Count("item", distinct=True))
        .values_list("theme", "n")
    )
    return [(name, counts[name]) for name in names if counts.get(name)]


def finder_departments() -> list[tuple[int, str]]:
    """Departments with published items, by name."""
    rows = published_items().values_list("department_id", "department__name").distinct()
    return sorted(set(rows), key=lambda row: row[1])


def finder_regions() -> list[Region]:
    """The regions items are handled in (their own or their department's), with the levels above."""
    ids = set(published_items().exclude(region__isnull=True).values_list("region_id", flat=True))
    ids |= set(published_items().filter(region__isnull=True).values_list("department__region_id", flat=True))
    regions = {r.pk: r for r in Region.objects.filter(pk__in=ids).select_related("parent__parent")}
    for region in list(regions.values()):
        parent = region.parent
        while parent is not None:
            regions[parent.pk] = parent
            parent = parent.parent
    return sorted(regions.values(), key=lambda r: r.code)


def theme_names(items: list[ServiceItem]) -> dict[int, list[str]]:
    """item id → its 主题 (one query)."""
    names: dict[int, list[str]] = {}
    for item_id, theme in ItemTheme.objects.filter(item__in=items).values_list("item_id", "theme"):
        names.setdefault(item_id, []).append(theme)
    return names


def public_search(query: str, *, limit: int = 10) -> list[SearchHit]:
    """What the portal's one search box finds in this app (public items only), best first."""
    if not query_terms(query or ""):
        return []
    return [
        SearchHit(
            kind="eservices",
            kind_label="办事指南",
            title=item.name,
            url=reverse("eservices:guide", args=[item.pk]),
            summary=f"{item.department.name} · {item.get_item_type_display()} · 承诺 {item.promised_limit} 个工作日",
            day=timezone.localdate(item.published_at) if item.published_at else None,  # China's day, not UTC's
            score=float(getattr(item, "score", 0)),
        )
        for item in search_items(query)[:limit]
    ]


def items_managed_by(user: User) -> QuerySet[ServiceItem]:
    rows = ServiceItem.objects.select_related("department")
    if user.has_role(Role.EGOV_OFFICE):
        return rows
    if _handles(user):
        return rows.filter(department_id=user.department_id or 0)
    return rows.none()


def materials_with_files(item: ServiceItem) -> QuerySet[ItemMaterial]:
    """The item's materials with their 空白表格 / 示例样表 (without the file bytes)."""
    files = MaterialFile.objects.defer("content").order_by("kind")
    return item.materials.prefetch_related(Prefetch("files", queryset=files))


# --- applications ------------------------------------------------------------------------


def applications_of(user: User) -> QuerySet[Application]:
    return Application.objects.filter(applicant=user).select_related("item", "department")


def window_queue(user: User, *, state: str = "") -> QuerySet[Application]:
    """The department's applications at the window (待受理/待补正/待决定) or in any `state`."""
    if not _handles(user):
        return Application.objects.none()
    rows = Application.objects.filter(department_id=user.department_id or 0).select_related("item", "applicant")
    if state in Application.State.values:
        return rows.filter(state=state)
    return rows.filter(
        state__in=[Application.State.SUBMITTED, Application.State.CORRECTION, Application.State.DECIDING]
    ).order_by("submitted_at", "id")


def tasks_of(user: User, *, live_only: bool = True) -> QuerySet[CaseTask]:
    if not _handles(user):
        return CaseTask.objects.none()
    rows = CaseTask.objects.filter(department_id=user.department_id or 0).select_related(
        "application__item", "handled_by", "claimed_by"
    )
    if live_only:
        rows = rows.filter(state__in=CaseTask.LIVE_STATES, application__state=Application.State.PROCESSING)
    return rows.order_by("opened_at", "id")


def staff_may_see(user: User, application: Application) -> bool:
    """The handling department's clerks, any department with a task on it, supervisors."""
    if user.has_role(Role.SUPERVISOR):
        return True
    if not _handles(user):
        return False
    return (
        application.department_id == user.department_id
        or application.tasks.filter(department_id=user.department_id or 0).exists()
    )


def timeline(application: Application) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(application=application).order_by("at", "id")


def timers_of(objects: list[object], kind: str) -> dict[str, Timer]:
    """target id → the live (else latest) timer of `kind`, for a page of objects."""
    keys = [target_key(o)[1] for o in objects]  # type: ignore[arg-type]
    if not objects:
        return {}
    target_type = target_key(objects[0])[0]  # type: ignore[arg-type]
    found: dict[str, Timer] = {}
    for timer in Timer.objects.filter(kind=kind, target_type=target_type, target_id__in=keys).order_by(
        "started_at", "id"
    ):
        if timer.target_id not in found or timer.is_live:
            found[timer.target_id] = timer
    return found


@dataclass(frozen=True)
class LookupResult:
    number: str
    item: str
    department: str
    state: str
    submitted_at: datetime
    decided_at: datetime | None
    events: list[tuple[datetime, str]]


def lookup(number: str, code: str, *, client: str = "") -> LookupResult:
    """一号查询: status of a case by number + 查询码, for anyone. The code is compared in constant
    time; each client (`core.ratelimit.subject_of`: the person, or the IP of a visitor) gets at
    most 10 tries a minute, counted in the shared cache (all processes); a wrong number and a
    wrong code give the same answer."""
    if not LOOKUP_LIMITER.hit(client):
        raise ApplicationError(
            EservicesError.RATE_LIMITED,
            f"一号查询每人每分钟最多 {LOOKUP_LIMIT_PER_MINUTE} 次，请一分钟后再试。",
            status=429,
        )
    number = (number or "").strip().upper()[:32]
    code = (code or "").strip().upper()[:8]
    application = Application.objects.select_related("item", "department").filter(number=number).first()
    stored = application.verify_code if application is not None else "XXXXXXXX"
    if application is None or not code or not constant_time_equal(stored, code):
        raise ApplicationError(EservicesError.LOOKUP_FAILED, "办件编号或查询码不正确。", {"code": "不匹配"}, status=404)
    events = [(e.at, e.text) for e in timeline(application)]
    return LookupResult(
        number=application.number,
        item=application.item.name,
        department=application.department.name,
        state=application.get_state_display(),
        submitted_at=application.submitted_at,
        decided_at=application.decided_at,
        events=events,
    )


def complaint_case_of(complainant: User, case_number: str) -> str | None:
    """The checker registered with `supervision.casechecks`: the case number as stored when it
    names an application of which `complainant` is the applicant, else None."""
    number = (case_number or "").strip().upper()[:32]
    if not number or complainant is None or complainant.pk is None:
        return None
    return (
        Application.objects.filter(number=number, applicant_id=complainant.pk).values_list("number", flat=True).first()
    )


def notifications_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("application")


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


# --- ratings -----------------------------------------------------------------------------


def rectifications_for(user: User) -> QuerySet[Rectification]:
    rows = Rectification.objects.select_related("rating__application__item", "department")
    if user.has_role(Role.SUPERVISOR):
        return rows
    if _handles(user):
        return rows.filter(department_id=user.department_id or 0)
    return rows.none()


@dataclass(frozen=True)
class MonthStats:
    department_id: int
    department: str
    total: int
    good: int  # 非常满意 + 满意
    bad: int  # 不满意 + 非常不满意
    satisfaction: float | None  # share of 满意 or better, 0–1

    @property
    def percent(self) -> str:
        return "—" if self.satisfaction is None else f"{self.satisfaction * 100:.1f}%"


def _bounds(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(first_day, time.min, tzinfo=workdays.CHINA_TZ)
    end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=workdays.CHINA_TZ)
    return start, end


def rating_stats(first_day: date, last_day: date) -> list[MonthStats]:
    """Per department: ratings of the period (appeals upheld excluded), best satisfaction first."""
    start, end = _bounds(first_day, last_day)
    rows = (
        Rating.objects.filter(created_at__gte=start, created_at__lt=end, excluded=False)
        .values("department_id", "department__name")
        .annotate(
            total=Count("id"),
            good=Count("id", filter=Q(level__gte=RatingLevel.SATISFIED)),
            bad=Count("id", filter=Q(level__lte=RatingLevel.DISSATISFIED)),
        )
    )
    stats = [
        MonthStats(
            department_id=r["department_id"],
            department=r["department__name"],
            total=r["total"],
            good=r["good"],
            bad=r["bad"],
            satisfaction=r["good"] / r["total"] if r["total"] else None,
        )
        for r in rows
    ]
    return sorted(stats, key=lambda s: (-(s.satisfaction or 0), s.department))


def scorecard_figures(first_day: date, last_day: date) -> dict[int, dict[str, float | None]]:
    """The provider registered with `supervision.scorecards`: satisfaction (0–1, 满意 or better),
    online_share (0–1, finished cases with no visit) and visits_avg, per department."""
    figures: dict[int, dict[str, float | None]] = {}
    for s in rating_stats(first_day, last_day):
        figures.setdefault(s.department_id, {})["satisfaction"] = s.satisfaction
    start, end = _bounds(first_day, last_day)
    rows = (
        Application.objects.filter(decided_at__gte=start, decided_at__lt=end, state__in=Application.DONE_STATES)
        .values("department_id")
        .annotate(total=Count("id"), online=Count("id", filter=Q(visits=0)), visits=Sum("visits"))
    )
    for r in rows:
        entry = figures.setdefault(r["department_id"], {})
        entry["online_share"] = r["online"] / r["total"] if r["total"] else None
        entry["visits_avg"] = (r["visits"] or 0) / r["total"] if r["total"] else None
    return figures


# --- workbench to-do ---------------------------------------------------------------------


def todo_items(user: User) -> list[TodoItem]:
    """The staff user's open work in this app, for the workbench's one to-do list."""
    if not _handles(user) and not user.has_role(Role.SUPERVISOR):
        return []
    items: list[TodoItem] = []
    today = workdays.today()
    queue = list(window_queue(user)[:100])
    app_timers = timers_of(list(queue), "eservices.application")
    labels = {
        Application.State.SUBMITTED: "办件受理",
        Application.State.CORRECTION: "办件补正中",
        Application.State.DECIDING: "办件决定",
    }
    for application in queue:
        timer = app_timers.get(str(application.pk))
        items.append(
            TodoItem(
                kind_label=labels.get(Application.State(application.state), "办件"),
                title=f"{application.number} {application.item.name}（{application.applicant_name}）",
                url=reverse("eservices_wb:case", args=[application.pk]),
                deadline=timer.deadline if timer else None,
                light=timer.light(today) if timer else "",
            )
        )
    tasks = list(tasks_of(user)[:100])
    task_timers = timers_of(list(tasks), "eservices.task")
    for task in tasks:
        timer = task_timers.get(str(task.pk))
        claimed = task.claimed_by_id is not None
        items.append(
            TodoItem(
                kind_label="办件审批",
                title=f"{task.application.number} {task.name}",
                url=reverse("eservices_wb:task", args=[task.pk]),
                deadline=timer.deadline if timer else None,
                light=timer.light(today) if timer else "",
                claimed_by=str(task.claimed_by or "已认领") if claimed else "",
                claim_url="" if claimed else reverse("eservices_wb:task_action", args=[task.pk, "claim"]),
            )
        )
    open_states = [Rectification.State.OPEN] if _handles(user) else [Rectification.State.APPEALED]
    rects = list(rectifications_for(user).filter(state__in=open_states)[:100])
    rect_timers = timers_of(list(rects), "eservices.rectification")
    for rect in rects:
        timer = rect_timers.get(str(rect.pk))
        items.append(
            TodoItem(
                kind_label="差评整改" if rect.state == Rectification.State.OPEN else "差评申诉审核",
                title=f"{rect.rating.application.number} {rect.rating.get_level_display()}",
                url=reverse("eservices_wb:rating", args=[rect.pk]),
                deadline=timer.deadline if timer else None,
                light=timer.light(today) if timer else "",
            )
        )
    return items


def online_counts(first_day: date, last_day: date) -> dict[int, tuple[int, int]]:
    """Per department, `(fully_online, decided)` of the applications decided in the period (no visit
    to a counter: 全程网办). For the evaluations (docs/rules.md §13)."""
    start, end = _bounds(first_day, last_day)
    rows = (
        Application.objects.filter(decided_at__gte=start, decided_at__lt=end, state__in=Application.DONE_STATES)
        .order_by()
        .values("department_id")
        .annotate(total=Count("id"), online=Count("id", filter=Q(visits=0)))
    )
    return {r["department_id"]: (r["online"], r["total"]) for r in rows}


def personal_data(user: User) -> list[DataSection]:
    """What eservices holds about `user` (我的数据): their cases with the forms they filled, and ratings."""
    cases = list(applications_of(user).order_by("-submitted_at", "-id").select_related("rating"))
    rows = [
        (
            a.number,
            a.item.name,
            a.department.name,
            a.get_state_display(),
            moment_text(a.submitted_at),
            json.dumps(a.data, ensure_ascii=False),
        )
        for a in cases
    ]
    ratings = []
    for a in cases:
        rating = getattr(a, "rating", None)
        if rating is not None:
            ratings.append((a.number, rating.get_level_display(), rating.comment, moment_text(rating.created_at)))
    return [
        DataSection(
            "applications", "办件", ("办件编号", "事项", "部门", "状态", "提交时间", "申请表内容"), tuple(rows)
        ),
        DataSection("ratings", "好差评", ("办件编号", "评价", "评价内容", "评价时间"), tuple(ratings)),
    ]


# --- 一件事 --------------------------------------------------------------------------------


def active_bundles(audience: str = "") -> QuerySet[Bundle]:
    rows = Bundle.objects.filter(active=True).prefetch_related("entries__item__department")
    if audience in (Audience.PERSON, Audience.LEGAL):
        rows = rows.filter(audience__in=[audience, Audience.BOTH])
    return rows.order_by("code")


def bundle_cases_of(user: User) -> QuerySet[BundleCase]:
    return BundleCase.objects.filter(applicant=user).select_related("bundle")


BUNDLE_OPEN, BUNDLE_DONE = "办理中", "已办结"


def bundle_case_state(case: BundleCase) -> str:
    """A bundle case's state, read from its parts: 办理中 while any is open, else 已办结."""
    states = [p.state for p in case.parts.all()]
    return BUNDLE_OPEN if any(s in Application.OPEN_STATES for s in states) else BUNDLE_DONE


def bundle_parts(case: BundleCase) -> QuerySet[Application]:
    return case.parts.select_related("item", "department").order_by("id")
