"""Who may act on a document, and the sequences its numbers come from (shared by the services)."""

from __future__ import annotations

from django.conf import settings

from zhengwu.accounts.models import Department, Role
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.documents.errors import DocumentsError
from zhengwu.documents.models import NumberSequence

STAFF_ROLES = (Role.CLERK, Role.DEPT_LEADER)
MAX_SERIAL = 999999
SIGN_TIMER = "documents.sign"
HANDLE_TIMER = "documents.handle"


def is_clerk(actor: Actor, department_id: int | None) -> bool:
    """The department's 文书 (a clerk), or an API client (OA system) of the department."""
    if actor.api_client is not None:
        return department_id is not None and actor.department_id == department_id
    return actor.works_in(department_id, Role.CLERK)


def is_staff_of(actor: Actor, department_id: int | None) -> bool:
    """A clerk or leader of the department (or its OA system)."""
    return is_clerk(actor, department_id) or actor.works_in(department_id, *STAFF_ROLES)


def is_leader(actor: Actor, department_id: int | None) -> bool:
    """An authorised signing leader: DEPT_LEADER of the department."""
    return actor.works_in(department_id, Role.DEPT_LEADER)


def next_serial(department: Department, prefix: str, year: int) -> int:
    """Take the next number of `prefix` in `year` (inside a transaction; never reused).

    The row is created if missing without failing on a concurrent insert (ON CONFLICT DO NOTHING),
    then locked (SELECT … FOR UPDATE), so concurrent registrations queue on it; the unique
    constraint on (prefix, year, serial) of documents is the last guard.
    """
    NumberSequence.objects.bulk_create(
        [NumberSequence(department=department, prefix=prefix, year=year)], ignore_conflicts=True
    )
    row = NumberSequence.objects.select_for_update().get(prefix=prefix, year=year)
    if row.department_id != department.pk:
        raise ApplicationError(
            DocumentsError.INVALID_INPUT, f"机关代字“{prefix}”已属于其他机关。", {"prefix": "已被占用"}
        )
    if row.last >= MAX_SERIAL:
        raise ApplicationError(DocumentsError.SEQUENCE_EXHAUSTED, f"{prefix}〔{year}〕的序号已用完。")
    row.last += 1
    row.save(update_fields=["last"])
    return row.last


def sign_limit(urgency: str) -> tuple[int, str]:
    """(limit, unit) of the 签收 clock: 特急 in minutes, 加急 and ordinary in working days."""
    from zhengwu.documents.models import Urgency
    from zhengwu.supervision.models import Timer

    if urgency == Urgency.EXTRA_URGENT:
        return settings.ZHENGWU_DOCUMENT_SIGN_EXTRA_URGENT_MINUTES, Timer.Unit.MINUTE
    if urgency == Urgency.URGENT:
        return settings.ZHENGWU_DOCUMENT_SIGN_URGENT_DAYS, Timer.Unit.WORKDAY
    return settings.ZHENGWU_DOCUMENT_SIGN_DAYS, Timer.Unit.WORKDAY
