"""Reading the audit log: filters, keyset pages, one event, streaming for export."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from zhengwu.accounts.models import Department
from zhengwu.audit.chain import HASHED_FIELDS, event_hash, event_mac_matches
from zhengwu.audit.models import AuditChainHead, AuditEvent
from zhengwu.core.crypto import constant_time_equal
from zhengwu.core.errors import not_found

PAGE_SIZE = 50


@dataclass(frozen=True)
class EventFilter:
    """What the audit administrator asked for. Empty values mean "any"."""

    since: date | None = None  # from the start of this day (Beijing time)
    until: date | None = None  # to the end of this day
    actor: str = ""  # username
    department_id: int | None = None
    action: str = ""  # prefix: "accounts." or "accounts.login"
    outcome: str = ""
    target: str = ""  # "type:id" (e.g. "accounts.user:7"), or an id, or part of the object's name

    def as_details(self) -> dict[str, Any]:
        """The filter as JSON for the audit record of a view or an export."""
        return {
            k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items() if v not in ("", None)
        }


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def events(flt: EventFilter | None = None) -> QuerySet[AuditEvent]:
    """Events matching the filter, newest first."""
    flt = flt or EventFilter()
    rows = AuditEvent.objects.all()
    if flt.since:
        rows = rows.filter(at__gte=_day_start(flt.since))
    if flt.until:
        rows = rows.filter(at__lt=_day_start(flt.until + timedelta(days=1)))
    if flt.actor:
        rows = rows.filter(Q(actor__username=flt.actor) | Q(actor_label__endswith=f"({flt.actor})"))
    if flt.department_id is not None:
        rows = rows.filter(department_id=flt.department_id)
    if flt.action:
        rows = rows.filter(action__startswith=flt.action)
    if flt.outcome:
        rows = rows.filter(outcome=flt.outcome)
    if flt.target:
        kind, sep, ident = flt.target.partition(":")
        if sep and kind and ident:
            rows = rows.filter(target_type=kind, target_id=ident)
        else:
            rows = rows.filter(Q(target_id=flt.target) | Q(target_label__contains=flt.target))
    return rows.order_by("-seq")


@dataclass
class EventPage:
    items: list[AuditEvent] = field(default_factory=list)
    newer: int | None = None  # cursor for the page of newer events (`after=`)
    older: int | None = None  # cursor for the page of older events (`before=`)


def events_page(
    flt: EventFilter, *, before: int | None = None, after: int | None = None, size: int = PAGE_SIZE
) -> EventPage:
    """One page (newest first) by keyset on seq: `before` = older than, `after` = newer than."""
    rows = events(flt)
    if after is not None:
        items = list(rows.filter(seq__gt=after).order_by("seq")[: size + 1])
        has_more_newer = len(items) > size
        items = list(reversed(items[:size]))
        has_more_older = bool(items) and rows.filter(seq__lt=items[-1].seq).exists()
    else:
        if before is not None:
            rows = rows.filter(seq__lt=before)
        items = list(rows[: size + 1])
        has_more_older = len(items) > size
        items = items[:size]
        has_more_newer = before is not None and bool(items) and events(flt).filter(seq__gt=items[0].seq).exists()
    return EventPage(
        items=items,
        newer=items[0].seq if items and has_more_newer else None,
        older=items[-1].seq if items and has_more_older else None,
    )


def event_get(seq: int) -> AuditEvent:
    event = AuditEvent.objects.filter(seq=seq).select_related("actor", "department", "api_client").first()
    if event is None:
        raise not_found("审计记录")
    return event


def event_neighbours(seq: int) -> tuple[int | None, int | None]:
    """The seq of the events just before and after `seq`, if they exist."""
    previous = AuditEvent.objects.filter(seq__lt=seq).order_by("-seq").values_list("seq", flat=True).first()
    following = AuditEvent.objects.filter(seq__gt=seq).order_by("seq").values_list("seq", flat=True).first()
    return previous, following


def event_intact(event: AuditEvent) -> bool:
    """Whether this one event still matches its hash and MAC (the chain is checked by verify_chain)."""
    computed = event_hash({name: getattr(event, name) for name in HASHED_FIELDS})
    return constant_time_equal(computed, event.hash) and event_mac_matches(event.hash, event.mac)


def head_seq() -> int:
    """The seq of the last event appended so far (0 when the log is empty)."""
    head = AuditChainHead.objects.filter(pk=1).values_list("seq", flat=True).first()
    if head is not None:
        return int(head)
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    return int(last or 0)


def events_stream(flt: EventFilter, *, through_seq: int, batch_size: int = 2000) -> Iterator[AuditEvent]:
    """Matching events up to `through_seq`, oldest first, in keyset batches (constant memory)."""
    rows = events(flt).filter(seq__lte=through_seq).order_by("seq")
    after = 0
    while True:
        batch = list(rows.filter(seq__gt=after)[:batch_size])
        yield from batch
        if len(batch) < batch_size:
            return
        after = batch[-1].seq


def departments_for_filter() -> QuerySet[Department]:
    return Department.objects.order_by("name").only("id", "name")
