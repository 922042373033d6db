"""Writes of the disclosure app: proactive publication (主动公开) and its index numbers.

Lifecycle: draft → published → withdrawn. A department's clerk or leader drafts an item; the
supervision timer `disclosure.publication` (20 working days, Art. 26) runs from the date written
(or the day the draft is made, if later) until it is published. Publishing assigns the index
number (索引号) `{credit code}/{year}-{sequence:05d}`: the year is the year written (成文日期),
the sequence counts per department and year from `IndexSequence`, taken under a row lock
(`INSERT … ON CONFLICT DO NOTHING` then `SELECT … FOR UPDATE` on PostgreSQL; SQLite
serialises writers), so two publications at once never get the same number; the unique
constraint on (department, year, sequence) is the last guard. A number is never reused.

The request services (依申请公开) are in `requests.py` beside this module. Every service acts for an
`Actor` through `audited_write` (docs/design.md rules 1 and 5): the row is locked, the actor
authorized on it and the move checked against `states.PUBLICATION`; a refusal writes nothing but
its audit record.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone

from zhengwu.accounts.models import Department, Role
from zhengwu.audit.write import Write, audited_write
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.crypto import sm3_hex
from zhengwu.core.errors import ApplicationError, clean, not_found, required_text
from zhengwu.disclosure import search_index
from zhengwu.disclosure.audit_actions import DisclosureAction
from zhengwu.disclosure.errors import DisclosureError
from zhengwu.disclosure.models import (
    Attachment,
    Category,
    IndexSequence,
    Publication,
    Validity,
)
from zhengwu.disclosure.states import PUBLICATION
from zhengwu.supervision import services as supervision_services

PUBLICATION_TIMER = "disclosure.publication"
STAFF_ROLES = (Role.CLERK, Role.DEPT_LEADER)
MAX_SEQUENCE = 99999
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def publication_days() -> int:
    """Art. 26: 20 working days (an administrator may set ZHENGWU_DISCLOSURE_PUBLICATION_DAYS)."""
    return settings.ZHENGWU_DISCLOSURE_PUBLICATION_DAYS


# --- helpers ------------------------------------------------------------------------------


def is_department_staff(actor: Actor, department_id: int | None) -> bool:
    """A clerk or leader of `department_id`."""
    return actor.works_in(department_id, *STAFF_ROLES)


def may_act_for(actor: Actor, department_id: int | None) -> bool:
    """Staff of the department, or the platform itself (the demo loader, commands)."""
    return actor.is_platform or is_department_staff(actor, department_id)


def _locked(write: Write, publication: Publication, move: str, message: str) -> Publication:
    """The publication re-read under a row lock, the actor authorized on it and `move` allowed."""
    try:
        locked = write.lock(publication, "department")
    except Publication.DoesNotExist:
        raise not_found("公开信息") from None
    write.require(may_act_for(write.actor, locked.department_id), message)
    PUBLICATION.check(locked, move)
    return locked


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
    interprets: str = ""  # a 政策解读: the 索引号 of the published policy it explains

    @classmethod
    def of(cls, publication: Publication) -> PublicationData:
        values = {name: getattr(publication, name) for name in cls.__dataclass_fields__ if name != "interprets"}
        explained = publication.interprets
        return cls(**values, interprets=explained.index_number or "" if explained is not None else "")


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
    publication.interprets = _explained_policy(values["category"], str(values.pop("interprets") or "").strip())
    for name, value in values.items():
        setattr(publication, name, value)


def _explained_policy(category: str, index_number: str) -> Publication | None:
    """docs/rules.md §4: a 政策解读 names the published policy it explains by its 索引号; no other
    category names one."""
    if category != Category.INTERPRETATION:
        if index_number:
            raise ApplicationError(
                DisclosureError.INVALID_INPUT,
                "只有“政策解读”类信息填写所解读政策的索引号。",
                {"interprets": "仅政策解读填写"},
            )
        return None
    if not index_number:
        raise ApplicationError(
            DisclosureError.INVALID_INPUT, "政策解读须填写所解读政策的索引号。", {"interprets": "必填"}
        )
    policy = (
        Publication.objects.filter(index_number=index_number, state=Publication.State.PUBLISHED)
        .exclude(category=Category.INTERPRETATION)
        .first()
    )
    if policy is None:
        raise ApplicationError(
            DisclosureError.INVALID_INPUT,
            f"索引号 {index_number[:40]} 不是已发布的政策文件，请核对后填写。",
            {"interprets": "未找到已发布的政策"},
        )
    return policy


def _set_validity(publication: Publication, validity: str) -> None:
    """Set the validity; the day an item stops being valid is kept for the annual report."""
    if validity != publication.validity or publication._state.adding:
        publication.validity_changed_on = None if validity == Validity.VALID else workdays.today()
    publication.validity = validity


def _timer_start_day(publication: Publication) -> date:
    return min(publication.date_written, workdays.today(publication.created_at))


def _start_timer(actor: Actor, publication: Publication) -> None:
    supervision_services.timer_start(
        actor=actor,
        kind=PUBLICATION_TIMER,
        kind_label="主动公开信息发布时限",
        target=publication,
        title=f"主动公开：{publication.title}"[:200],
        department=publication.department,
        limit=publication_days(),
        start=_timer_start_day(publication),
    )


# --- publications ---------------------------------------------------------------------------


def publication_create(*, actor: Actor, department: Department, data: PublicationData) -> Publication:
    """Draft a proactive item for `department` (its clerk or leader, or the platform)."""
    with audited_write(actor, DisclosureAction.PUBLICATION_CREATE, department=department) as write:
        write.require(may_act_for(actor, department.pk), "只有本部门的业务人员或负责人可以编制公开信息。")
        publication = Publication(department=department, created_by=actor.user)
        _apply(publication, data)
        clean(publication)
        publication.save()
        _start_timer(actor, publication)
        write.set_target(publication)
        write.note(title=publication.title, category=publication.category)
    return publication


def publication_update(*, actor: Actor, publication: Publication, data: PublicationData) -> Publication:
    """Change a draft. A new date written moves the start of its publication timer."""
    with audited_write(actor, DisclosureAction.PUBLICATION_UPDATE, publication) as write:
        locked = _locked(write, publication, "edit", "只能编辑本部门的公开信息。")
        before = locked.date_written
        _apply(locked, data)
        clean(locked)
        locked.save()
        if locked.date_written != before:
            supervision_services.live_timer_cancel(
                actor=actor, target=locked, kind=PUBLICATION_TIMER, reason="成文日期变更，重新起算"
            )
            _start_timer(actor, locked)
        write.note(title=locked.title)
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


def publication_publish(*, actor: Actor, publication: Publication) -> Publication:
    """Publish a draft: index number, search terms, publication time; its timer is finished."""
    with audited_write(actor, DisclosureAction.PUBLICATION_PUBLISH, publication) as write:
        locked = _locked(write, publication, "publish", "只能发布本部门的公开信息。")
        if locked.category == Category.INTERPRETATION:
            # The policy may have been withdrawn since the draft named it.
            explained = locked.interprets
            locked.interprets = _explained_policy(locked.category, explained.index_number or "" if explained else "")
        year = locked.date_written.year
        locked.index_year = year
        locked.index_sequence = next_index_sequence(locked.department, year)
        locked.index_number = index_number(locked.department.credit_code, year, locked.index_sequence)
        PUBLICATION.move(locked, "publish")
        locked.published_at = timezone.now()
        clean(locked)
        locked.save()
        reindex(locked)
        timer = supervision_services.live_timer(locked, PUBLICATION_TIMER)
        on_time = None
        if timer is not None:
            on_time = supervision_services.timer_finish(actor=actor, timer=timer).finished_on_time
        write.note(index_number=locked.index_number, on_time=on_time)
    return locked


def publication_withdraw(*, actor: Actor, publication: Publication, reason: str) -> Publication:
    """Take a published item off the portal (it keeps its index number, which is never reused)."""
    with audited_write(actor, DisclosureAction.PUBLICATION_WITHDRAW, publication) as write:
        locked = _locked(write, publication, "withdraw", "只能撤回本部门的公开信息。")
        reason = required_text(reason, field="reason", what="撤回理由", code=DisclosureError.REASON_REQUIRED)
        PUBLICATION.move(locked, "withdraw")
        locked.withdrawn_at = timezone.now()
        locked.withdraw_reason = reason[:500]
        clean(locked)
        locked.save()
        search_index.unindex(locked)
        write.note(index_number=locked.index_number, reason=locked.withdraw_reason)
    return locked


def publication_set_validity(*, actor: Actor, publication: Publication, validity: str) -> Publication:
    """Mark a published policy 有效 / 失效 / 废止 (it stays public, with its validity shown)."""
    with audited_write(actor, DisclosureAction.PUBLICATION_SET_VALIDITY, publication) as write:
        locked = _locked(write, publication, "set_validity", "只能变更本部门公开信息的有效性。")
        if validity not in Validity.values:
            raise ApplicationError(DisclosureError.INVALID_INPUT, "请选择有效性。", {"validity": "无效"})
        before = locked.validity
        _set_validity(locked, validity)
        clean(locked)
        locked.save(update_fields=["validity", "validity_changed_on", "updated_at"])
        write.note(**{"from": before, "to": validity})
    return locked


def publication_delete_draft(*, actor: Actor, publication: Publication) -> None:
    with audited_write(actor, DisclosureAction.PUBLICATION_DELETE, publication) as write:
        locked = _locked(write, publication, "delete", "只能删除本部门的草稿。")
        supervision_services.live_timer_cancel(actor=actor, target=locked, kind=PUBLICATION_TIMER, reason="草稿已删除")
        write.note(title=locked.title)
        locked.delete()


def attachment_add(
    *,
    actor: Actor,
    publication: Publication,
    name: str,
    content: bytes,
    content_type: str = "application/octet-stream",
) -> Attachment:
    """Attach a file to a draft (kept in the database with its SM3 digest)."""
    with audited_write(actor, DisclosureAction.ATTACHMENT_ADD, publication) as write:
        locked = _locked(write, publication, "attach", "只能为本部门的公开信息上传附件。")
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
            uploaded_by=actor.user,
        )
        clean(attachment)
        attachment.save()
        write.note(name=name, size=attachment.size, sm3=attachment.sm3)
    return attachment


def attachment_remove(*, actor: Actor, attachment: Attachment) -> None:
    with audited_write(actor, DisclosureAction.ATTACHMENT_REMOVE, attachment.publication) as write:
        locked = _locked(write, attachment.publication, "attach", "只能删除本部门公开信息的附件。")
        write.note(name=attachment.name, sm3=attachment.sm3)
        Attachment.objects.filter(pk=attachment.pk, publication=locked).delete()
