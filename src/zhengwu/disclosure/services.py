"""Writes of the disclosure app: proactive publication (主动公开) and its index numbers.

Lifecycle: draft → published → withdrawn. A department's clerk or leader drafts an item; the
supervision timer `disclosure.publication` (20 working days, Art. 26) runs from the date written
(or the day the draft is made, if later) until it is published. Publishing assigns the index
number (索引号) `{credit code}/{year}-{sequence:05d}`: the year is the year written (成文日期),
the sequence counts per department and year from `IndexSequence`, taken under a row lock
(`INSERT … ON CONFLICT DO NOTHING` then `SELECT … FOR UPDATE` on PostgreSQL; SQLite
serialises writers), so two publications at once never get the same number; the unique
constraint on (department, year, sequence) is the last guard. A number is never reused.

The request services (依申请公开) are in `request_services.py`. Every service is keyword-only, atomic,
validated and audited (docs/design.md rule 1); a refusal raises before anything is written.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from zhengwu.accounts.models import Department, Role, User
from zhengwu.audit.services import record
from zhengwu.core import workdays
from zhengwu.core.actors import legacy_actor
from zhengwu.core.crypto import sm3_hex
from zhengwu.core.errors import ApplicationError, from_validation_error, not_found, permission_denied
from zhengwu.disclosure import search_index
from zhengwu.disclosure.errors import DisclosureError
from zhengwu.disclosure.models import (
    Attachment,
    Category,
    IndexSequence,
    Publication,
    Validity,
)
from zhengwu.supervision import selectors as supervision_selectors
from zhengwu.supervision import services as supervision_services

PUBLICATION_TIMER = "disclosure.publication"
STAFF_ROLES = (Role.CLERK, Role.DEPT_LEADER)
MAX_SEQUENCE = 99999
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def publication_days() -> int:
    """Art. 26: 20 working days (an administrator may set ZHENGWU_DISCLOSURE_PUBLICATION_DAYS)."""
    return settings.ZHENGWU_DISCLOSURE_PUBLICATION_DAYS


# --- helpers ------------------------------------------------------------------------------


def clean(instance: models.Model, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise from_validation_error(error) from None


def is_department_staff(actor: User | None, department_id: int | None) -> bool:
    return (
        actor is not None
        and actor.has_role(*STAFF_ROLES)
        and department_id is not None
        and actor.department_id == department_id
    )


def _require_staff(actor: User | None, department_id: int, message: str) -> None:
    if actor is not None and not is_department_staff(actor, department_id):
        raise permission_denied(message)


def _require_state(publication: Publication, *states: str) -> None:
    if publication.state not in states:
        raise ApplicationError(
            DisclosureError.WRONG_STATE,
            f"该信息{publication.get_state_display()}，不能执行此操作。",
            {"state": publication.state},
        )


def _lock(publication: Publication) -> Publication:
    try:
        return Publication.objects.select_for_update(of=("self",)).select_related("department").get(pk=publication.pk)
    except Publication.DoesNotExist:
        raise not_found("公开信息") from None


@dataclass
class PublicationData:
    """The editable metadata of a publication."""

    title: str
    category: str
    date_written: date
    body: str
    document_number: str = ""
    subject_words: str = ""
    validity: str = Validity.VALID

    @classmethod
    def of(cls, publication: Publication) -> PublicationData:
        return cls(**{name: getattr(publication, name) for name in cls.__dataclass_fields__})


def _apply(publication: Publication, data: PublicationData) -> None:
    values = asdict(data)
    for name in ("title", "document_number", "subject_words", "body"):
        values[name] = str(values[name] or "").strip()
    if values["category"] not in Category.values:
        raise ApplicationError(DisclosureError.INVALID_INPUT, "请选择公开类别。", {"category": "无效"})
    if values["validity"] not in Validity.values:
        raise ApplicationError(DisclosureError.INVALID_INPUT, "请选择有效性。", {"validity": "无效"})
    if not isinstance(values["date_written"], date):
        raise ApplicationError(DisclosureError.INVALID_INPUT, "请填写成文日期。", {"date_written": "必填"})
    if values["date_written"] > workdays.today():
        raise ApplicationError(DisclosureError.INVALID_INPUT, "成文日期不能晚于今天。", {"date_written": "晚于今天"})
    _set_validity(publication, values.pop("validity"))
    for name, value in values.items():
        setattr(publication, name, value)


def _set_validity(publication: Publication, validity: str) -> None:
    """Set the validity; the day an item stops being valid is kept for the annual report."""
    if validity != publication.validity or publication._state.adding:
        publication.validity_changed_on = None if validity == Validity.VALID else workdays.today()
    publication.validity = validity


def _timer_start_day(publication: Publication) -> date:
    return min(publication.date_written, workdays.today(publication.created_at))


def _start_timer(actor: User | None, publication: Publication) -> None:
    supervision_services.timer_start(
        actor=legacy_actor(actor),
        kind=PUBLICATION_TIMER,
        kind_label="主动公开信息发布时限",
        target=publication,
        title=f"主动公开：{publication.title}"[:200],
        department=publication.department,
        limit=publication_days(),
        start=_timer_start_day(publication),
    )


# --- publications ---------------------------------------------------------------------------


@transaction.atomic
def publication_create(
    *, actor: User | None, department: Department, data: PublicationData, request: HttpRequest | None = None
) -> Publication:
    """Draft a proactive item for `department` (its clerk or leader; None = the platform)."""
    _require_staff(actor, department.pk, "只有本部门的业务人员或负责人可以编制公开信息。")
    publication = Publication(department=department, created_by=actor)
    _apply(publication, data)
    clean(publication)
    publication.save()
    _start_timer(actor, publication)
    record(
        actor=actor,
        action="disclosure.publication_create",
        target=publication,
        request=request,
        department=department,
        details={"title": publication.title, "category": publication.category},
    )
    return publication


@transaction.atomic
def publication_update(
    *, actor: User | None, publication: Publication, data: PublicationData, request: HttpRequest | None = None
) -> Publication:
    """Change a draft. A new date written moves the start of its publication timer."""
    locked = _lock(publication)
    _require_staff(actor, locked.department_id, "只能编辑本部门的公开信息。")
    _require_state(locked, Publication.State.DRAFT)
    before = locked.date_written
    _apply(locked, data)
    clean(locked)
    locked.save()
    if locked.date_written != before:
        timer = supervision_selectors.timer_for(locked, PUBLICATION_TIMER)
        if timer is not None and timer.is_live:
            supervision_services.timer_cancel(actor=legacy_actor(actor), timer=timer, reason="成文日期变更，重新起算")
        _start_timer(actor, locked)
    record(
        actor=actor,
        action="disclosure.publication_update",
        target=locked,
        request=request,
        department=locked.department,
        details={"title": locked.title},
    )
    return locked


def next_index_sequence(department: Department, year: int) -> int:
    """Take the next sequence of `department` in `year` (call inside a transaction).

    The row is created if missing without failing on a concurrent insert (ON CONFLICT DO NOTHING)
    and then locked (SELECT … FOR UPDATE), so concurrent publishers queue on it.
    """
    IndexSequence.objects.bulk_create([IndexSequence(department=department, year=year)], ignore_conflicts=True)
    row = IndexSequence.objects.select_for_update().get(department=department, year=year)
    if row.last >= MAX_SEQUENCE:
        raise ApplicationError(DisclosureError.INVALID_INPUT, f"{year} 年索引号已用完（最多 {MAX_SEQUENCE} 个）。")
    row.last += 1
    row.save(update_fields=["last"])
    return row.last


def index_number(credit_code: str, year: int, sequence: int) -> str:
    """docs/rules.md §4: `11220000013544357T/2017-01006`."""
    return f"{credit_code}/{year}-{sequence:05d}"


def reindex(publication: Publication) -> None:
    search_index.index(publication)


@transaction.atomic
def publication_publish(
    *, actor: User | None, publication: Publication, request: HttpRequest | None = None
) -> Publication:
    """Publish a draft: index number, search terms, publication time; its timer is finished."""
    locked = _lock(publication)
    _require_staff(actor, locked.department_id, "只能发布本部门的公开信息。")
    _require_state(locked, Publication.State.DRAFT)
    year = locked.date_written.year
    locked.index_year = year
    locked.index_sequence = next_index_sequence(locked.department, year)
    locked.index_number = index_number(locked.department.credit_code, year, locked.index_sequence)
    locked.state = Publication.State.PUBLISHED
    locked.published_at = timezone.now()
    clean(locked)
    locked.save()
    reindex(locked)
    timer = supervision_selectors.timer_for(locked, PUBLICATION_TIMER)
    on_time = None
    if timer is not None and timer.is_live:
        timer = supervision_services.timer_finish(actor=legacy_actor(actor), timer=timer)
        on_time = timer.finished_on_time
    record(
        actor=actor,
        action="disclosure.publication_publish",
        target=locked,
        request=request,
        department=locked.department,
        details={"index_number": locked.index_number, "on_time": on_time},
    )
    return locked


@transaction.atomic
def publication_withdraw(
    *, actor: User | None, publication: Publication, reason: str, request: HttpRequest | None = None
) -> Publication:
    """Take a published item off the portal (it keeps its index number, which is never reused)."""
    locked = _lock(publication)
    _require_staff(actor, locked.department_id, "只能撤回本部门的公开信息。")
    _require_state(locked, Publication.State.PUBLISHED)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(DisclosureError.REASON_REQUIRED, "请填写撤回理由。", {"reason": "必填"})
    locked.state = Publication.State.WITHDRAWN
    locked.withdrawn_at = timezone.now()
    locked.withdraw_reason = reason[:500]
    clean(locked)
    locked.save()
    search_index.unindex(locked)
    record(
        actor=actor,
        action="disclosure.publication_withdraw",
        target=locked,
        request=request,
        department=locked.department,
        details={"index_number": locked.index_number, "reason": locked.withdraw_reason},
    )
    return locked


@transaction.atomic
def publication_set_validity(
    *, actor: User | None, publication: Publication, validity: str, request: HttpRequest | None = None
) -> Publication:
    """Mark a published policy 有效 / 失效 / 废止 (it stays public, with its validity shown)."""
    locked = _lock(publication)
    _require_staff(actor, locked.department_id, "只能变更本部门公开信息的有效性。")
    _require_state(locked, Publication.State.PUBLISHED, Publication.State.DRAFT)
    if validity not in Validity.values:
        raise ApplicationError(DisclosureError.INVALID_INPUT, "请选择有效性。", {"validity": "无效"})
    before = locked.validity
    _set_validity(locked, validity)
    clean(locked)
    locked.save(update_fields=["validity", "validity_changed_on", "updated_at"])
    record(
        actor=actor,
        action="disclosure.publication_set_validity",
        target=locked,
        request=request,
        department=locked.department,
        details={"from": before, "to": validity},
    )
    return locked


@transaction.atomic
def publication_delete_draft(
    *, actor: User | None, publication: Publication, request: HttpRequest | None = None
) -> None:
    locked = _lock(publication)
    _require_staff(actor, locked.department_id, "只能删除本部门的草稿。")
    _require_state(locked, Publication.State.DRAFT)
    timer = supervision_selectors.timer_for(locked, PUBLICATION_TIMER)
    if timer is not None and timer.is_live:
        supervision_services.timer_cancel(actor=legacy_actor(actor), timer=timer, reason="草稿已删除")
    record(
        actor=actor,
        action="disclosure.publication_delete",
        target=locked,
        request=request,
        department=locked.department,
        details={"title": locked.title},
    )
    locked.delete()


@transaction.atomic
def attachment_add(
    *,
    actor: User | None,
    publication: Publication,
    name: str,
    content: bytes,
    content_type: str = "application/octet-stream",
    request: HttpRequest | None = None,
) -> Attachment:
    """Attach a file to a draft (kept in the database with its SM3 digest)."""
    locked = _lock(publication)
    _require_staff(actor, locked.department_id, "只能为本部门的公开信息上传附件。")
    _require_state(locked, Publication.State.DRAFT)
    name = (name or "").strip().replace("/", "_").replace("\\", "_")[:200]
    if not name or not content:
        raise ApplicationError(DisclosureError.INVALID_INPUT, "请选择要上传的文件。", {"file": "必填"})
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise ApplicationError(DisclosureError.FILE_TOO_LARGE, "附件不能超过 20 MB。", {"file": "过大"})
    attachment = Attachment(
        publication=locked,
        name=name,
        content_type=(content_type or "application/octet-stream")[:100],
        size=len(content),
        sm3=sm3_hex(content),
        content=content,
        uploaded_by=actor,
    )
    clean(attachment)
    attachment.save()
    record(
        actor=actor,
        action="disclosure.attachment_add",
        target=locked,
        request=request,
        department=locked.department,
        details={"name": name, "size": attachment.size, "sm3": attachment.sm3},
    )
    return attachment


@transaction.atomic
def attachment_remove(*, actor: User | None, attachment: Attachment, request: HttpRequest | None = None) -> None:
    locked = _lock(attachment.publication)
    _require_staff(actor, locked.department_id, "只能删除本部门公开信息的附件。")
    _require_state(locked, Publication.State.DRAFT)
    record(
        actor=actor,
        action="disclosure.attachment_remove",
        target=locked,
        request=request,
        department=locked.department,
        details={"name": attachment.name, "sm3": attachment.sm3},
    )
    Attachment.objects.filter(pk=attachment.pk, publication=locked).delete()


def workbench_url(publication: Publication) -> str:
    return reverse("disclosure_wb:publication", args=[publication.pk])
