"""Reads of sharing by rule: queues with their lights, grants, objections, the access log
(filters, export, the citizen's view) and statistics per department."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from zhengwu.accounts.models import Department, Role, User
from zhengwu.catalog.models import Resource
from zhengwu.core import workdays
from zhengwu.core.contracts import DataSection, moment_text
from zhengwu.core.crypto import blind_indexes
from zhengwu.exchange.sharing import access_log
from zhengwu.exchange.sharing.models import AccessLog, AccessLogSubject, Grant, Objection, ShareRequest
from zhengwu.exchange.sharing.query import check_filter as check_filter
from zhengwu.exchange.sharing.query import queryable_items as queryable_items
from zhengwu.exchange.sharing.services import SHARE_REQUEST_TIMER
from zhengwu.supervision import selectors as supervision_selectors
from zhengwu.supervision.models import Timer

# For other apps' filtered reads of a resource's records (docs/rules.md, 可查询数据项):
# `queryable_items(resource)` lists the items a filter may use, `check_filter(resource, filters,
# granted=…)` refuses any other filter (ApplicationError exchange.not_queryable, naming them).


def lights_for(objects: Iterable[Any], kind: str) -> dict[int, Timer]:
    """The timer (with `current_light`) of each object, by object pk."""
    items = list(objects)
    if not items:
        return {}
    target_type = items[0]._meta.label_lower
    timers = supervision_selectors.with_light(
        Timer.objects.filter(kind=kind, target_type=target_type, target_id__in=[str(o.pk) for o in items])
    ).order_by("started_at")
    return {int(t.target_id): t for t in timers}


def requests_made(department: Department) -> QuerySet[ShareRequest]:
    return ShareRequest.objects.filter(consumer=department).select_related("resource", "resource__provider")


def requests_received(department: Department, *, state: str = "") -> QuerySet[ShareRequest]:
    rows = ShareRequest.objects.filter(resource__provider=department).select_related("resource", "consumer")
    return rows.filter(state=state) if state else rows


def requests_coordinating() -> QuerySet[ShareRequest]:
    return ShareRequest.objects.filter(state=ShareRequest.State.COORDINATING).select_related(
        "resource", "resource__provider", "consumer"
    )


def grants_visible_to(user: User) -> QuerySet[Grant]:
    rows = Grant.objects.select_related("resource", "resource__provider", "consumer")
    if user.has_role(Role.EGOV_OFFICE):
        return rows
    if user.department_id is None:
        return rows.none()
    return rows.filter(Q(consumer_id=user.department_id) | Q(resource__provider_id=user.department_id))


def objections_visible_to(user: User) -> QuerySet[Objection]:
    rows = Objection.objects.select_related("resource", "consumer")
    if user.has_role(Role.EGOV_OFFICE):
        return rows
    if user.department_id is None:
        return rows.none()
    return rows.filter(Q(consumer_id=user.department_id) | Q(resource__provider_id=user.department_id))


def objections_of_subject(user: User) -> QuerySet[Objection]:
    """The corrections this person asked for about their own records (their page 我的数据)."""
    return Objection.objects.filter(raised_by=user, consumer__isnull=True).select_related("resource")


def requestable_resources(department: Department | None) -> QuerySet[Resource]:
    rows = Resource.objects.filter(state=Resource.State.PUBLISHED).exclude(code=None).order_by("code")
    return rows.exclude(provider=department) if department is not None else rows


# --- access log ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogFilter:
    since: date | None = None
    until: date | None = None
    consumer_id: int | None = None
    resource_code: str = ""
    outcome: str = ""


def access_log_for(user: User, flt: LogFilter) -> QuerySet[AccessLog]:
    """The provider sees calls on its resources; the e-gov office and the audit admin see all.
    Staged calls are sealed into the chain first, so the viewer shows every call."""
    access_log.seal_pending()
    rows = AccessLog.objects.all()
    if not user.has_role(Role.EGOV_OFFICE, Role.AUDIT_ADMIN):
        if user.department_id is None:
            return rows.none()
        rows = rows.filter(provider_id=user.department_id)
    if flt.since:
        rows = rows.filter(at__gte=datetime.combine(flt.since, time.min, tzinfo=workdays.CHINA_TZ))
    if flt.until:
        rows = rows.filter(at__lt=datetime.combine(flt.until + timedelta(days=1), time.min, tzinfo=workdays.CHINA_TZ))
    if flt.consumer_id:
        rows = rows.filter(consumer_id=flt.consumer_id)
    if flt.resource_code:
        rows = rows.filter(resource_code=flt.resource_code)
    if flt.outcome:
        rows = rows.filter(outcome=flt.outcome)
    return rows.order_by("-seq")


EXPORT_COLUMNS = (
    ("seq", "序号"),
    ("at", "时间"),
    ("consumer_label", "使用部门"),
    ("api_client_label", "调用系统"),
    ("resource_code", "资源代码"),
    ("operation", "操作"),
    ("purpose", "用途"),
    ("keys", "主键"),
    ("item_codes", "返回信息项"),
    ("rows", "条数"),
    ("outcome", "结果"),
    ("reason", "原因"),
    ("latency_ms", "耗时（毫秒）"),
    ("ip", "IP"),
    ("hash", "哈希"),
)


def access_log_rows(rows: QuerySet[AccessLog]) -> Iterator[list[Any]]:
    fields = [name for name, _ in EXPORT_COLUMNS]
    for row in rows.values(*fields).iterator(chunk_size=2000):
        out: list[Any] = []
        for name in fields:
            value = row[name]
            if name == "at":
                value = timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
            elif isinstance(value, list):
                value = "、".join(str(v) for v in value)
            out.append(value)
        yield out


@dataclass(frozen=True)
class CitizenRead:
    at: datetime
    department: str
    resource: str
    purpose: str
    operation: str


def reads_of_citizen(user: User, *, limit: int = 500) -> list[CitizenRead]:
    """Successful reads of records keyed by this person's ID number (through the blind index)."""
    if user.kind != User.Kind.CITIZEN or not user.id_number_index:
        return []
    access_log.seal_pending()
    # The subject index is part of the hashed chain and keeps the key of the day of each call:
    # look for the person's index under every data key (docs/rules.md §9, "Data keys").
    indexes = blind_indexes(user.id_number, purpose="resident-id")
    log_ids = AccessLogSubject.objects.filter(key_index__in=indexes).values("log_id")
    rows = (
        AccessLog.objects.filter(seq__in=log_ids, outcome=AccessLog.Outcome.OK)
        .select_related("resource")
        .order_by("-seq")[:limit]
    )
    return [
        CitizenRead(
            at=r.at,
            department=r.consumer_label,
            resource=r.resource.name if r.resource else r.resource_code,
            purpose=r.purpose,
            operation=r.get_operation_display(),
        )
        for r in rows
    ]


# --- statistics -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentStats:
    department: str
    provided: int
    used_calls: int
    consumers: int
    requests_answered: int
    answered_on_time: int
    objections: int
    objections_open: int


def statistics(since: datetime | None = None) -> list[DepartmentStats]:
    """Per department: resources provided, calls answered (OK) on them and by how many consumers,
    share requests answered (and on time, from the supervision timers), objections received."""
    since = since or (timezone.now() - timedelta(days=365))
    access_log.seal_pending()
    provided = dict(
        Resource.objects.filter(state=Resource.State.PUBLISHED)
        .values_list("provider_id")
        .annotate(n=Count("id"))
        .values_list("provider_id", "n")
    )
    used = {
        row["provider_id"]: row
        for row in AccessLog.objects.filter(outcome=AccessLog.Outcome.OK, at__gte=since, provider_id__isnull=False)
        .values("provider_id")
        .annotate(calls=Count("seq"), consumers=Count("consumer_id", distinct=True))
    }
    answered = {
        row["department_id"]: row
        for row in Timer.objects.filter(kind=SHARE_REQUEST_TIMER, state=Timer.State.FINISHED, started_at__gte=since)
        .values("department_id")
        .annotate(n=Count("id"), on_time=Count("id", filter=Q(finished_on_time=True)))
    }
    objections = {
        row["resource__provider_id"]: row
        for row in Objection.objects.filter(created_at__gte=since)
        .values("resource__provider_id")
        .annotate(n=Count("id"), open=Count("id", filter=Q(state=Objection.State.OPEN)))
    }
    ids = set(provided) | set(used) | set(answered) | set(objections)
    names = dict(Department.objects.filter(pk__in=ids).values_list("pk", "name"))
    out = [
        DepartmentStats(
            department=names.get(pk, str(pk)),
            provided=provided.get(pk, 0),
            used_calls=used.get(pk, {}).get("calls", 0),
            consumers=used.get(pk, {}).get("consumers", 0),
            requests_answered=answered.get(pk, {}).get("n", 0),
            answered_on_time=answered.get(pk, {}).get("on_time", 0),
            objections=objections.get(pk, {}).get("n", 0),
            objections_open=objections.get(pk, {}).get("open", 0),
        )
        for pk in ids
    ]
    return sorted(out, key=lambda s: (-s.used_calls, s.department))


@dataclass(frozen=True)
class ClientCalls:
    """Calls of one API client through the exchange since a moment (the sealed access log)."""

    by_month: dict[date, int]  # first day of the month (Beijing time) → calls
    total: int
    resources: int  # distinct resources it called
    last_call: datetime | None  # its last call ever


def calls_by_client(client_ids: Iterable[int], *, since: datetime) -> dict[int, ClientCalls]:
    """Per API client: its calls per month since `since`, the resources it called, its last call.

    Three grouped queries whatever the number of clients, each on the log's `api_client` index
    (the access log grows by millions of rows: never one query per client or month). Staged rows
    not yet sealed are not counted; callers that need them sealed call `access_log.seal_pending()`.
    """
    from django.db.models import Max
    from django.db.models.functions import TruncMonth

    ids = sorted(set(client_ids))
    if not ids:
        return {}
    recent = AccessLog.objects.filter(api_client_id__in=ids, at__gte=since).order_by()
    months: dict[int, dict[date, int]] = {pk: {} for pk in ids}
    for row in recent.annotate(month=TruncMonth("at")).values("api_client_id", "month").annotate(n=Count("seq")):
        month = row["month"]
        day = timezone.localtime(month).date() if isinstance(month, datetime) else month
        months[row["api_client_id"]][day] = row["n"]
    resources = dict(
        recent.values("api_client_id").annotate(n=Count("resource_id", distinct=True)).values_list("api_client_id", "n")
    )
    last = dict(
        AccessLog.objects.filter(api_client_id__in=ids)
        .order_by()
        .values("api_client_id")
        .annotate(last=Max("at"))
        .values_list("api_client_id", "last")
    )
    return {
        pk: ClientCalls(
            by_month=months[pk], total=sum(months[pk].values()), resources=resources.get(pk, 0), last_call=last.get(pk)
        )
        for pk in ids
    }


def calls_by_resource(resource_ids: Iterable[int], *, since: datetime) -> dict[int, int]:
    """Per resource: the calls of it through the exchange since `since` (the sealed access log)."""
    ids = sorted(set(resource_ids))
    if not ids:
        return {}
    return dict(
        AccessLog.objects.filter(resource_id__in=ids, at__gte=since)
        .order_by()
        .values("resource_id")
        .annotate(n=Count("seq"))
        .values_list("resource_id", "n")
    )


def calls_by_department(start: datetime, end: datetime) -> dict[int, dict[str, int]]:
    """Per department, the query-API calls of [start, end): `served` (answered OK on its resources),
    `asked` (every call on its resources) and `used` (answered OK to it as consumer), from ONE scan of
    the access log grouped by provider, consumer and outcome (the evaluations' sharing measures,
    docs/rules.md §13).

    The period is most of the log, so a sequential scan beats the (provider, at) index with a table
    lookup per row; SQLite's planner picks the index, hence NOT INDEXED there (docs/benchmarks.md)."""
    from django.db import connection

    access_log.seal_pending()
    table = AccessLog._meta.db_table
    hint = " NOT INDEXED" if connection.vendor == "sqlite" else ""
    sql = (
        f"SELECT provider_id, consumer_id, outcome, COUNT(*) FROM {table}{hint} "  # noqa: S608 - our identifiers
        "WHERE at >= %s AND at < %s GROUP BY provider_id, consumer_id, outcome"
    )
    adapt = connection.ops.adapt_datetimefield_value
    out: dict[int, dict[str, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [adapt(start), adapt(end)])
        for provider_id, consumer_id, outcome, n in cursor.fetchall():
            ok = outcome == AccessLog.Outcome.OK
            if provider_id is not None:
                row = out.setdefault(provider_id, {})
                row["asked"] = row.get("asked", 0) + n
                row["served"] = row.get("served", 0) + (n if ok else 0)
            if consumer_id is not None and ok:
                row = out.setdefault(consumer_id, {})
                row["used"] = row.get("used", 0) + n
    return out


def personal_data(user: User) -> list[DataSection]:
    """What the exchange shows `user` about their data (我的数据): who used it, and the corrections
    they asked for. The base records themselves are the providers' and are read where used."""
    reads = tuple((moment_text(r.at), r.department, r.resource, r.purpose, r.operation) for r in reads_of_citizen(user))
    corrections = tuple(
        (moment_text(o.created_at), o.resource.name, o.field, o.evidence, o.get_state_display(), o.answer)
        for o in objections_of_subject(user)
    )
    return [
        DataSection("data_use", "谁用了我的数据", ("时间", "使用部门", "信息资源", "用途", "操作"), reads),
        DataSection(
            "corrections",
            "基础信息更正申请",
            ("申请时间", "信息资源", "信息项", "更正内容及依据", "状态", "核实意见"),
            corrections,
        ),
    ]
