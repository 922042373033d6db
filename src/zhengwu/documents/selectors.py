"""Reads of the documents app: a department's sent documents, its 收文 list, search, statistics,
the per-recipient status a sender sees, and the workbench to-do items.

A clerk sees only their department's documents: what it sent (`sent_documents`) and what was
delivered to it (`inbox`). The 收文 list filters on the delivery's own columns (department, state,
kind, delivered time), covered by the indexes `documents_inbox` and `documents_inbox_state`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import ExtractMonth
from django.urls import reverse

from zhengwu.accounts.models import Role, User
from zhengwu.core.actors import Actor
from zhengwu.core.contracts import TodoItem
from zhengwu.core.textsearch import query_terms
from zhengwu.documents.models import Delivery, Document, Handler
from zhengwu.documents.services.common import HANDLE_TIMER, SIGN_TIMER
from zhengwu.supervision import selectors as supervision_selectors

TODO_LIMIT = 50
OPEN_STATES = [
    Delivery.State.DELIVERED,
    Delivery.State.SIGNED,
    Delivery.State.REGISTERED,
    Delivery.State.REVIEWED,
    Delivery.State.INSTRUCTED,
    Delivery.State.HANDLING,
]


@dataclass(frozen=True)
class LightPage:
    """A page of a long list without counting it (the 收文 list of 100,000 documents stays fast)."""

    object_list: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)


def light_page(rows: QuerySet[Any], number: str | None, size: int) -> LightPage:
    page = int(number) if number and number.isdigit() and 0 < int(number) <= 10000 else 1
    items = list(rows[(page - 1) * size : page * size + 1])
    return LightPage(items[:size], page, len(items) > size)


def sent_documents(actor: Actor) -> QuerySet[Document]:
    """Documents of the actor's department (none for anyone outside a department)."""
    if actor.department_id is None or actor.is_anonymous:
        return Document.objects.none()
    return Document.objects.filter(department_id=actor.department_id).select_related("department")


def document_for(actor: Actor, pk: int) -> Document | None:
    """A document the actor's department issues, or co-issues (联合行文: to countersign it)."""
    if actor.department_id is None or actor.is_anonymous:
        return None
    return (
        Document.objects.filter(
            Q(department_id=actor.department_id) | Q(joint_issuers__department_id=actor.department_id), pk=pk
        )
        .select_related("department")
        .distinct()
        .first()
    )


def joint_issuers(document: Document) -> list[dict[str, Any]]:
    """The co-issuing agencies with their countersignature, and whether it covers today's content."""
    from zhengwu.documents.services import content_digest

    digest = content_digest(document)
    return [
        {"joint": joint, "current": bool(joint.countersigned_digest) and joint.countersigned_digest == digest}
        for joint in document.joint_issuers.select_related("department")
    ]


def inbox(
    actor: Actor, *, state: str = "", kind: str = "", year: int | None = None, query: str = ""
) -> QuerySet[Delivery]:
    """The department's 收文 list, newest first (filters on indexed columns of `Delivery`)."""
    if actor.department_id is None or actor.is_anonymous:
        return Delivery.objects.none()
    rows = Delivery.objects.filter(department_id=actor.department_id)
    if state == "open":
        rows = rows.filter(state__in=OPEN_STATES)
    elif state in Delivery.State.values:
        rows = rows.filter(state=state)
    if kind:
        rows = rows.filter(kind=kind)
    if year:
        rows = rows.filter(delivered_at__year=year)
    query = (query or "").strip()[:100]
    if query:
        rows = rows.filter(Q(title__icontains=query) | Q(number__icontains=query))
    return rows.order_by("-delivered_at", "-id")


def delivery_for(actor: Actor, pk: int) -> Delivery | None:
    """A delivery to the actor's department, or one of a document the actor's department sent."""
    if actor.department_id is None:
        return None
    return (
        Delivery.objects.select_related("document", "department", "document__department", "signed_by")
        .filter(Q(department_id=actor.department_id) | Q(document__department_id=actor.department_id), pk=pk)
        .first()
    )


def recipient_status(document: Document) -> list[Delivery]:
    """What the sender sees per recipient: delivered, signed (when, by whom), returned (why), handling, done."""
    return list(document.deliveries.select_related("department", "signed_by").order_by("role", "department__name"))


def search(actor: Actor, query: str, *, kind: str = "", year: int | None = None, state: str = "") -> QuerySet[Document]:
    """The department's documents, sent or received, whose title, number or body hold every term
    of the query (cut by jieba: `core.textsearch`)."""
    if actor.department_id is None or actor.is_anonymous:
        return Document.objects.none()
    rows = Document.objects.filter(
        Q(department_id=actor.department_id) | Q(deliveries__department_id=actor.department_id)
    ).distinct()
    terms = query_terms(query) or ([query.strip()[:100]] if query.strip() else [])
    for term in terms:
        rows = rows.filter(Q(title__icontains=term) | Q(number__icontains=term) | Q(body__icontains=term))
    if kind:
        rows = rows.filter(kind=kind)
    if year:
        rows = rows.filter(year=year)
    if state in Document.State.values:
        rows = rows.filter(state=state)
    return rows.select_related("department").order_by("-created_at", "-id")


def statistics(actor: Actor, year: int) -> dict[str, Any]:
    """Sent and received counts and the average signing time (hours) of each recipient unit."""
    if actor.department_id is None:
        return {"year": year, "sent": 0, "received": 0, "units": [], "months": []}
    sent = sent_documents(actor).filter(issued_at__year=year).count()
    received = inbox(actor, year=year).count()
    signing = (
        Delivery.objects.filter(document__department_id=actor.department_id, delivered_at__year=year)
        .values("department__name")
        .annotate(
            count=Count("id"),
            signed=Count("id", filter=Q(signed_at__isnull=False)),
            returned=Count("id", filter=Q(state=Delivery.State.RETURNED)),
            average=Avg(F("signed_at") - F("delivered_at")),
        )
        .order_by("department__name")
    )
    rows = [
        {
            "department": row["department__name"],
            "count": row["count"],
            "signed": row["signed"],
            "returned": row["returned"],
            "hours": round(row["average"].total_seconds() / 3600, 1) if row["average"] else None,
        }
        for row in signing
    ]
    return {
        "year": year,
        "sent": sent,
        "received": received,
        "units": rows,
        "months": _by_month(actor, actor.department_id, year),
    }


def _by_month(actor: Actor, department_id: int, year: int) -> list[dict[str, int]]:
    """Documents issued and received in each month of `year` (months in the platform's time zone)."""
    issued = dict(
        sent_documents(actor)
        .filter(issued_at__year=year)
        .annotate(month=ExtractMonth("issued_at"))
        .values_list("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    received = dict(
        Delivery.objects.filter(department_id=department_id, delivered_at__year=year)
        .annotate(month=ExtractMonth("delivered_at"))
        .values_list("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    return [{"month": m, "sent": issued.get(m, 0), "received": received.get(m, 0)} for m in range(1, 13)]


def statistics_chart(stats: dict[str, Any]) -> dict[str, Any]:
    """What the statistics page's two charts draw (core/static/zhengwu/charts.js, "documents")."""
    units = stats["units"]
    return {
        "months": [f"{row['month']}月" for row in stats["months"]],
        "sent": [row["sent"] for row in stats["months"]],
        "received": [row["received"] for row in stats["months"]],
        "units": [row["department"] for row in units],
        "delivered": [row["count"] for row in units],
        "signed": [row["signed"] for row in units],
        "returned": [row["returned"] for row in units],
        "hours": [row["hours"] for row in units],
    }


def timers_by_target(kind: str, department_id: int) -> dict[str, Any]:
    return {
        t.target_id: t
        for t in supervision_selectors.with_light().filter(
            kind=kind, department_id=department_id, state__in=["running", "paused"]
        )
    }


def todo_items(user: User) -> list[TodoItem]:
    """To sign for (签收) with its clock, to instruct (leaders), to handle (handlers), and drafts
    waiting for review or signature (leaders)."""
    if user.department_id is None or not user.has_role(Role.CLERK, Role.DEPT_LEADER):
        return []
    items: list[TodoItem] = []
    department_id = user.department_id
    if user.has_role(Role.CLERK):
        sign_timers = timers_by_target(SIGN_TIMER, department_id)
        for delivery in Delivery.objects.filter(department_id=department_id, state=Delivery.State.DELIVERED).order_by(
            "delivered_at"
        )[:TODO_LIMIT]:
            items.append(
                TodoItem.timed(
                    "公文签收",
                    f"{delivery.number} {delivery.title}",
                    reverse("documents_wb:delivery", args=[delivery.pk]),
                    sign_timers.get(str(delivery.pk)),
                )
            )
    if user.has_role(Role.DEPT_LEADER):
        for delivery in Delivery.objects.filter(department_id=department_id, state=Delivery.State.REVIEWED)[
            :TODO_LIMIT
        ]:
            items.append(
                TodoItem(
                    kind_label="公文批办",
                    title=f"{delivery.number} {delivery.title}",
                    url=reverse("documents_wb:delivery", args=[delivery.pk]),
                )
            )
        for document in Document.objects.filter(
            department_id=department_id, state__in=[Document.State.SIGNING, Document.State.REVIEWING]
        )[:TODO_LIMIT]:
            items.append(
                TodoItem(
                    kind_label="公文签发" if document.state == Document.State.SIGNING else "公文核稿",
                    title=document.title,
                    url=reverse("documents_wb:document", args=[document.pk]),
                )
            )
        for document in Document.objects.filter(
            joint_issuers__department_id=department_id, state=Document.State.SIGNING
        ).distinct()[:TODO_LIMIT]:
            if any(r["joint"].department_id == department_id and not r["current"] for r in joint_issuers(document)):
                items.append(
                    TodoItem(
                        kind_label="公文会签",
                        title=document.title,
                        url=reverse("documents_wb:document", args=[document.pk]),
                    )
                )
    handle_timers = timers_by_target(HANDLE_TIMER, department_id)
    for handler in Handler.objects.filter(
        user=user, done_at__isnull=True, delivery__state=Delivery.State.HANDLING
    ).select_related("delivery")[:TODO_LIMIT]:
        timer = handle_timers.get(str(handler.pk))
        items.append(
            TodoItem(
                kind_label="公文承办",
                title=f"{handler.delivery.number} {handler.delivery.title}（{handler.get_role_display()}）",
                url=reverse("documents_wb:delivery", args=[handler.delivery_id]),
                deadline=handler.deadline,
                light=str(getattr(timer, "current_light", "") or ""),
            )
        )
    return items


def year_choices(today: date) -> list[int]:
    return list(range(today.year, today.year - 6, -1))
