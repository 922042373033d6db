"""Writes of the incoming side (收文): 签收/退回, 登记, 初审, 批办, 承办, 传阅, 催办, 办结, 归档.

The recipient department's 文书 (clerk, or its OA system) signs for a delivered document or
returns it with a reason (also at 初审), registers it (收文编号) and checks it; a leader
(DEPT_LEADER) of the department instructs (批办) and sets the handlers (承办: one lead, any
co-handlers, each with a deadline: a supervision timer each); the handlers mark their part done;
anyone of the department may read it (传阅, recorded); the clerk, the leader or the sending
department's clerk may urge (催办); the lead handler or the clerk finishes it (办结) and the clerk
archives it. Timers are finished when their step is done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from zhengwu.accounts.models import User
from zhengwu.audit.write import Write, audited_write
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.crypto import sm3_hex
from zhengwu.core.errors import ApplicationError, required_text
from zhengwu.documents import archive, storage
from zhengwu.documents.audit_actions import DocumentsAction
from zhengwu.documents.errors import DocumentsError
from zhengwu.documents.models import Delivery, Handler, Reading, Urging
from zhengwu.documents.services.common import HANDLE_TIMER, SIGN_TIMER, is_clerk, is_leader, is_staff_of, next_serial
from zhengwu.documents.states import DELIVERY
from zhengwu.supervision import services as supervision_services

Allowed = Callable[[Delivery], bool] | None


def _locked(write: Write, delivery: Delivery, move: str, allowed: Allowed, message: str) -> Delivery:
    """The delivery locked, the actor authorized on it (default: the recipient's clerk), the move checked."""
    locked = write.lock(delivery, "department", "document")
    actor = write.actor
    write.require(allowed(locked) if allowed is not None else is_clerk(actor, locked.department_id), message)
    DELIVERY.check(locked, move)
    return locked


def delivery_sign(*, actor: Actor, delivery: Delivery, when: datetime | None = None) -> Delivery:
    """签收: the exact time and who; the document lands in the department's 收文 list."""
    with audited_write(actor, DocumentsAction.DELIVERY_SIGN, delivery) as write:
        locked = _locked(write, delivery, "sign", None, "只有收文单位的文书可以签收公文。")
        DELIVERY.move(locked, "sign")
        locked.signed_at = when or timezone.now()
        locked.signed_by = actor.user
        locked.save()
        supervision_services.live_timer_finish(actor=actor, target=locked, kind=SIGN_TIMER, when=locked.signed_at)
        write.note(number=locked.number, signed_at=locked.signed_at.isoformat())
    return locked


def delivery_return(*, actor: Actor, delivery: Delivery, reason: str, comment: str = "") -> Delivery:
    """退回 at 签收 or at 初审, with the reason (非本单位 / 内容不全 / 不符合规范) and an explanation."""
    with audited_write(actor, DocumentsAction.DELIVERY_RETURN, delivery) as write:
        locked = _locked(write, delivery, "return", None, "只有收文单位的文书可以退回公文。")
        if reason not in Delivery.ReturnReason.values:
            raise ApplicationError(DocumentsError.REASON_REQUIRED, "请选择退回原因。", {"reason": "必填"})
        comment = (comment or "").strip()
        if reason != Delivery.ReturnReason.NOT_OURS:
            comment = required_text(
                comment, field="comment", what="退回说明", code=DocumentsError.REASON_REQUIRED, max_length=500
            )
        stage = locked.state
        DELIVERY.move(locked, "return")
        locked.returned_at = timezone.now()
        locked.return_reason = reason
        locked.return_comment = comment[:500]
        locked.save()
        supervision_services.live_timer_finish(actor=actor, target=locked, kind=SIGN_TIMER)
        write.note(number=locked.number, reason=reason, comment=comment[:200], stage=stage)
    return locked


def delivery_register(*, actor: Actor, delivery: Delivery) -> Delivery:
    """登记: the department's 收文编号 (`收〔2026〕7号`, one sequence per department and year)."""
    with audited_write(actor, DocumentsAction.DELIVERY_REGISTER, delivery) as write:
        locked = _locked(write, delivery, "register", None, "只有收文单位的文书可以登记公文。")
        year = workdays.today().year
        serial = next_serial(locked.department, f"收文#{locked.department_id}", year)
        locked.receipt_number = f"收\u3014{year}\u3015{serial}号"
        locked.registered_at = timezone.now()
        DELIVERY.move(locked, "register")
        locked.save()
        write.note(receipt_number=locked.receipt_number)
    return locked


def delivery_review(*, actor: Actor, delivery: Delivery, proposal: str = "") -> Delivery:
    """初审 passed, with the clerk's 拟办意见 for the leader."""
    with audited_write(actor, DocumentsAction.DELIVERY_REVIEW, delivery) as write:
        locked = _locked(write, delivery, "review", None, "只有收文单位的文书可以初审公文。")
        DELIVERY.move(locked, "review")
        locked.proposal = (proposal or "").strip()[:2000]
        locked.reviewed_at = timezone.now()
        locked.save()
        write.note(proposal=locked.proposal[:200])
    return locked


def delivery_instruct(*, actor: Actor, delivery: Delivery, instruction: str) -> Delivery:
    """批办: the leader's instruction."""
    with audited_write(actor, DocumentsAction.DELIVERY_INSTRUCT, delivery) as write:
        locked = _locked(
            write, delivery, "instruct", lambda d: is_leader(actor, d.department_id), "只有收文单位的负责人可以批办。"
        )
        locked.instruction = required_text(
            instruction, field="instruction", what="批办意见", code=DocumentsError.INVALID_INPUT, max_length=2000
        )
        DELIVERY.move(locked, "instruct")
        locked.instructed_by = actor.user
        locked.instructed_at = timezone.now()
        locked.save()
        write.note(instruction=locked.instruction[:200])
    return locked


MAX_HANDLING_DAYS = 366


@dataclass(frozen=True)
class Assignment:
    user: User
    deadline: date


def delivery_assign(
    *,
    actor: Actor,
    delivery: Delivery,
    lead: Assignment,
    co: list[Assignment] | None = None,
    when: datetime | None = None,
) -> Delivery:
    """承办: the leader names the lead handler and co-handlers, each with a deadline (a timer each)."""
    co = co or []
    with audited_write(actor, DocumentsAction.DELIVERY_ASSIGN, delivery) as write:
        locked = _locked(
            write, delivery, "assign", lambda d: is_leader(actor, d.department_id), "只有收文单位的负责人可以交办承办。"
        )
        start = when or timezone.now()
        start_day = workdays.today(start)
        users = [lead.user.pk, *(a.user.pk for a in co)]
        if len(set(users)) != len(users):
            raise ApplicationError(DocumentsError.INVALID_INPUT, "同一人不能重复承办。", {"co": "重复"})
        for assignment in [lead, *co]:
            if not (assignment.user.kind == User.Kind.STAFF and assignment.user.department_id == locked.department_id):
                raise ApplicationError(
                    DocumentsError.INVALID_INPUT, "承办人应为本单位工作人员。", {"lead": "不是本单位人员"}
                )
            if assignment.deadline > start_day + timedelta(days=MAX_HANDLING_DAYS):
                raise ApplicationError(DocumentsError.INVALID_INPUT, "办理期限不能超过一年。", {"deadline": "过晚"})
            if workdays.workdays_between(start_day, assignment.deadline) < 1:
                raise ApplicationError(
                    DocumentsError.INVALID_INPUT, "办理期限应至少晚于今天一个工作日。", {"deadline": "过早"}
                )
        DELIVERY.move(locked, "assign")
        locked.deadline = lead.deadline
        locked.save()
        for role, assignment in [(Handler.Role.LEAD, lead), *((Handler.Role.CO, a) for a in co)]:
            handler = Handler.objects.create(
                delivery=locked, user=assignment.user, role=role, deadline=assignment.deadline
            )
            supervision_services.timer_start(
                actor=actor,
                kind=HANDLE_TIMER,
                kind_label="公文承办",
                target=handler,
                title=f"承办 {locked.number} {locked.title}"[:200],
                department=locked.department,
                limit=workdays.workdays_between(start_day, assignment.deadline),
                start=start,
                url=reverse("documents_wb:delivery", args=[locked.pk]),
            )
        write.note(lead=lead.user.pk, deadline=lead.deadline.isoformat(), co=[a.user.pk for a in co])
    return locked


def handler_done(*, actor: Actor, handler: Handler, note: str = "") -> Handler:
    """A handler's part is done (by the handler, or the clerk for them); their timer is finished."""
    with audited_write(actor, DocumentsAction.HANDLER_DONE, handler.delivery) as write:
        locked = write.lock(handler)
        delivery = locked.delivery
        write.require(
            actor.is_user(locked.user_id) or is_clerk(actor, delivery.department_id), "只能填写本人承办的办理情况。"
        )
        DELIVERY.check(delivery, "finish")
        if locked.done_at is not None:
            raise ApplicationError(DocumentsError.WRONG_STATE, "该承办人已办理完毕。")
        locked.done_at = timezone.now()
        locked.note = (note or "").strip()[:2000]
        locked.save()
        supervision_services.live_timer_finish(actor=actor, target=locked, kind=HANDLE_TIMER)
        write.note(handler=locked.user_id, role=locked.role)
    return locked


def delivery_read(*, actor: Actor, delivery: Delivery) -> Reading:
    """传阅: record that this person of the department has read it (once; the first time kept)."""
    with audited_write(actor, DocumentsAction.DELIVERY_READ, delivery) as write:
        locked = _locked(
            write,
            delivery,
            "read",
            lambda d: actor.is_person and actor.works_in(d.department_id),
            "只有收文单位的人员可以传阅。",
        )
        assert actor.user is not None
        reading, created = Reading.objects.get_or_create(delivery=locked, user=actor.user)
        write.note(first=created)
    return reading


def delivery_urge(*, actor: Actor, delivery: Delivery, message: str) -> Urging:
    """催办: by the recipient's clerk or leader, or by the sending department's clerk."""
    with audited_write(actor, DocumentsAction.DELIVERY_URGE, delivery) as write:
        locked = _locked(
            write,
            delivery,
            "urge",
            lambda d: is_staff_of(actor, d.department_id) or is_clerk(actor, d.document.department_id),
            "只有收文单位或发文单位的人员可以催办。",
        )
        message = required_text(
            message, field="message", what="催办内容", code=DocumentsError.INVALID_INPUT, max_length=500
        )
        urging = Urging.objects.create(delivery=locked, by=actor.user, message=message)
        write.note(message=message[:200])
    return urging


def _is_lead(actor: Actor, delivery: Delivery) -> bool:
    return actor.user is not None and delivery.handlers.filter(role=Handler.Role.LEAD, user=actor.user).exists()


def delivery_finish(*, actor: Actor, delivery: Delivery, answer: str = "") -> Delivery:
    """办结 (答复): by the lead handler or the clerk; every handler's timer is finished."""
    with audited_write(actor, DocumentsAction.DELIVERY_FINISH, delivery) as write:
        locked = _locked(
            write,
            delivery,
            "finish",
            lambda d: is_clerk(actor, d.department_id) or _is_lead(actor, d),
            "只有主办人或本单位文书可以办结。",
        )
        DELIVERY.move(locked, "finish")
        locked.done_at = timezone.now()
        locked.answer = (answer or "").strip()[:5000]
        locked.save()
        for handler in locked.handlers.filter(done_at__isnull=True):
            handler.done_at = locked.done_at
            handler.save(update_fields=["done_at"])
            supervision_services.live_timer_finish(actor=actor, target=handler, kind=HANDLE_TIMER)
        write.note(answer=locked.answer[:200])
    return locked


def delivery_archive(*, actor: Actor, delivery: Delivery) -> Delivery:
    """归档 a finished document: its archive package (zip with an SM3 manifest) under media/documents/."""
    with audited_write(actor, DocumentsAction.DELIVERY_ARCHIVE, delivery) as write:
        locked = _locked(write, delivery, "archive", None, "只有本单位文书可以归档。")
        DELIVERY.move(locked, "archive")
        locked.archived_at = timezone.now()
        package = archive.build(locked)
        locked.archive_path = storage.store(f"{locked.document_id}/archive/{locked.department_id}.zip", package)
        locked.save()
        write.note(package_sm3=sm3_hex(package), size=len(package))
    return locked
