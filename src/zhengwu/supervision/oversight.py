"""Writes of the e-supervision centre (电子监察): 督办, 网上投诉 and the monthly exposure list.

Every service takes an `Actor` and runs as one `audited_write` (docs/design.md rules 1 and 5): the
row is locked, who may act is decided on the locked row, the state moves through the machines of
`supervision.states` (URGING, COMPLAINT), and a refusal changes nothing but is recorded in the
audit log. Two people acting on the same urging or complaint at once → exactly one succeeds, the
other gets a clear error.

Defaults (environment settings an administrator may change, see settings.py):
- `ZHENGWU_URGING_ANSWER_DAYS` = 3 working days for a department to answer a 督办 notice.
- `ZHENGWU_COMPLAINT_DAYS` = 10 working days for the supervision office to conclude a complaint
  (local practice; *unverified* — provinces set 5 to 15, so it is configurable).
- `ZHENGWU_COMPLAINT_ANSWER_DAYS` = 5 working days for the department to answer a forwarded complaint.
- `ZHENGWU_SUPERVISION_OFFICE` = credit code of the supervision office's department, which
  carries the complaint timer; when unset (or unknown) the complaint timer is carried by the
  department complained about.
- `ZHENGWU_EXPOSURE_SIZE` = 10 units at most on a monthly exposure list.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone

from zhengwu.accounts.models import Department, Role, User
from zhengwu.audit.write import Write, audited_write
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, clean, not_found, required_text
from zhengwu.supervision import casechecks, reports
from zhengwu.supervision import selectors as sel
from zhengwu.supervision import services as timers
from zhengwu.supervision.audit_actions import SupervisionAction
from zhengwu.supervision.errors import SupervisionError
from zhengwu.supervision.models import Complaint, ExposureList, Timer, Urging
from zhengwu.supervision.states import COMPLAINT, URGING

M = TypeVar("M", bound=models.Model)

URGING_TIMER = "supervision.urging"
COMPLAINT_TIMER = "supervision.complaint"
COMPLAINT_ANSWER_TIMER = "supervision.complaint_answer"
DEPARTMENT_STAFF = (Role.CLERK, Role.DEPT_LEADER)
TIMER_LABELS = {
    URGING_TIMER: "督办答复时限",
    COMPLAINT_TIMER: "投诉办理时限",
    COMPLAINT_ANSWER_TIMER: "投诉核查答复时限",
}


def urging_answer_days() -> int:
    return settings.ZHENGWU_URGING_ANSWER_DAYS


def complaint_days() -> int:
    return settings.ZHENGWU_COMPLAINT_DAYS


def complaint_answer_days() -> int:
    return settings.ZHENGWU_COMPLAINT_ANSWER_DAYS


def supervision_office() -> Department | None:
    code = settings.ZHENGWU_SUPERVISION_OFFICE
    return Department.objects.filter(credit_code=code, is_active=True).first() if code else None


# --- helpers ------------------------------------------------------------------------------------


def _require_supervisor(write: Write, what: str) -> User:
    write.require(write.actor.has_role(Role.SUPERVISOR), f"只有电子监察人员可以{what}。")
    assert write.actor.user is not None
    return write.actor.user


def _require_department_staff(write: Write, department_id: int, message: str, also: bool = True) -> User:
    write.require(also and write.actor.works_in(department_id, *DEPARTMENT_STAFF), message)
    assert write.actor.user is not None
    return write.actor.user


def _start_timer(
    actor: Actor, kind: str, target: Urging | Complaint, title: str, department: Department, limit: int
) -> Timer:
    """Start the clock of `kind` on an urging or a complaint, linked to its workbench page."""
    page = "urging_detail" if isinstance(target, Urging) else "complaint_detail"
    return timers.timer_start(
        actor=actor,
        kind=kind,
        kind_label=TIMER_LABELS[kind],
        target=target,
        title=title[:200],
        department=department,
        limit=limit,
        url=reverse(f"supervision_wb:{page}", args=[target.pk]),
    )


def _finish_live(actor: Actor, target: models.Model, kind: str) -> Timer | None:
    """Finish the live timer of `kind` on `target` (if any); the latest such timer afterwards."""
    timers.live_timer_finish(actor=actor, target=target, kind=kind)
    return sel.timer_for(target, kind)


def _lock(write: Write, instance: M, what: str) -> M:
    """`instance` re-read under a row lock with its department; "not found" when it is gone."""
    try:
        return write.lock(instance, "department")
    except ObjectDoesNotExist:
        raise not_found(what) from None


def _refresh(original: models.Model, locked: models.Model) -> None:
    if original is not locked:
        original.refresh_from_db()


# --- 督办 (urging) --------------------------------------------------------------------------------


def urging_create(*, actor: Actor, timer: Timer, notice: str, answer_days: int | None = None) -> Urging:
    """A supervisor urges the department responsible for `timer`'s item (督办).

    The department must answer within `answer_days` working days (default
    `ZHENGWU_URGING_ANSWER_DAYS` = 3): a timer of kind `supervision.urging` on the urging. Only
    a live (running or paused) timer can be urged, and only once at a time (an open urging
    must be answered before the next).
    """
    with audited_write(actor, SupervisionAction.URGING_CREATE, timer) as write:
        locked = _lock(write, timer, "计时记录")
        supervisor = _require_supervisor(write, "督办")
        notice = required_text(
            notice, field="notice", what="督办意见", code=SupervisionError.NOTICE_REQUIRED, max_length=2000
        )
        days = urging_answer_days() if answer_days is None else answer_days
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 30:
            raise ApplicationError(
                SupervisionError.INVALID_LIMIT, "答复时限应为 1 至 30 个工作日。", {"answer_days": "超出范围"}
            )
        if not locked.is_live:
            raise ApplicationError(
                SupervisionError.URGING_TIMER_CLOSED,
                f"该事项已{locked.get_state_display()}，无需督办。",
                {"timer": locked.state},
            )
        if Urging.objects.filter(timer=locked, state=Urging.State.OPEN).exists():
            raise ApplicationError(
                SupervisionError.URGING_EXISTS, "该事项已有待答复的督办，请等待部门答复后再督办。", {"timer": "已督办"}
            )
        urging = Urging(
            timer=locked, department=locked.department, notice=notice, answer_days=days, created_by=supervisor
        )
        clean(urging)
        urging.save()
        answer_timer = _start_timer(actor, URGING_TIMER, urging, f"督办：{locked.title}", locked.department, days)
        write.department = locked.department
        write.set_target(urging)
        write.note(
            timer=locked.pk,
            kind=locked.kind,
            item=f"{locked.target_type}:{locked.target_id}",
            light=locked.light(),
            notice=notice,
            answer_days=days,
            answer_deadline=answer_timer.deadline.isoformat(),
        )
    return urging


def urging_answer(*, actor: Actor, urging: Urging, answer: str) -> Urging:
    """A clerk or the leader of the urged department answers the 督办 notice."""
    with audited_write(actor, SupervisionAction.URGING_ANSWER, urging) as write:
        locked = _lock(write, urging, "督办")
        person = _require_department_staff(
            write, locked.department_id, "只有被督办单位的业务人员或负责人可以答复督办。"
        )
        answer = required_text(
            answer, field="answer", what="答复内容", code=SupervisionError.ANSWER_REQUIRED, max_length=4000
        )
        URGING.move(locked, "answer")
        answer_timer = _finish_live(actor, locked, URGING_TIMER)
        locked.answer = answer
        locked.answered_by = person
        locked.answered_at = timezone.now()
        locked.answered_on_time = None if answer_timer is None else answer_timer.finished_on_time
        clean(locked)
        locked.save()
        write.note(timer=locked.timer_id, answer=answer, on_time=locked.answered_on_time)
    _refresh(urging, locked)
    return locked


# --- 网上投诉 (complaints) ---------------------------------------------------------------------------


def _complaint_number(now: datetime) -> str:
    """TS + Beijing date + 4-digit sequence of the day, e.g. TS202611220001."""
    day = workdays.today(now)
    prefix = f"TS{day:%Y%m%d}"
    last = (
        Complaint.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True).first()
    )
    sequence = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


def complaint_create(
    *,
    actor: Actor,
    department: Department | None,
    content: str,
    case_number: str = "",
    item: str = "",
) -> Complaint:
    """A logged-in citizen or enterprise files a complaint (网上投诉) about a department.

    A case number, when given, must name one of the complainant's own cases (`casechecks`:
    the app holding the case checks it); an unknown number or someone else's case is refused
    and nothing is written. The complaint goes to the supervision office with a timer of `ZHENGWU_COMPLAINT_DAYS`
    (default 10) working days, kind `supervision.complaint`.
    """
    with audited_write(actor, SupervisionAction.COMPLAINT_CREATE, department=department) as write:
        complainant = actor.user
        write.require(
            complainant is not None and complainant.kind in (User.Kind.CITIZEN, User.Kind.ENTERPRISE),
            "请以个人或法人账号登录后投诉。",
        )
        assert complainant is not None
        write.require(complainant.is_active, "账号已停用。")
        if department is None or not department.is_active:
            raise ApplicationError(SupervisionError.COMPLAINT_INVALID, "请选择被投诉的单位。", {"department": "必填"})
        content = required_text(
            content, field="content", what="投诉内容", code=SupervisionError.COMPLAINT_INVALID, max_length=4000
        )
        case_number = (case_number or "").strip()
        item = (item or "").strip()
        if not case_number and not item:
            raise ApplicationError(
                SupervisionError.COMPLAINT_INVALID,
                "请填写办件编号或事项名称（至少一项）。",
                {"case_number": "办件编号或事项名称至少填一项", "item": "办件编号或事项名称至少填一项"},
            )
        # A case number must name one of the complainant's own cases (checked by the app that holds it).
        case_number = casechecks.check_case_number(complainant, case_number)
        complaint = _complaint_save(complainant, department, content, case_number, item)
        title = f"投诉{complaint.number}：{department.name}"
        timer = _start_timer(
            actor, COMPLAINT_TIMER, complaint, title, supervision_office() or department, complaint_days()
        )
        write.set_target(complaint)
        write.note(
            number=complaint.number,
            department=department.pk,
            case_number=case_number,
            item=item,
            deadline=timer.deadline.isoformat(),
        )
    return complaint


def _complaint_save(complainant: User, department: Department, content: str, case_number: str, item: str) -> Complaint:
    now = timezone.now()
    complaint = Complaint(
        number=_complaint_number(now),
        complainant=complainant,
        department=department,
        case_number=case_number,
        item=item,
        content=content,
        submitted_at=now,
    )
    clean(complaint)
    for _attempt in range(3):  # the day's sequence number may be taken by a concurrent complaint
        try:
            with transaction.atomic():
                complaint.save()
            return complaint
        except IntegrityError:
            complaint.pk = None
            complaint.number = _complaint_number(now)
    raise ApplicationError(SupervisionError.COMPLAINT_INVALID, "系统繁忙，请稍后重试。")


def complaint_forward(*, actor: Actor, complaint: Complaint, note: str) -> Complaint:
    """The supervisor forwards the complaint to the department complained about for an answer
    (timer `supervision.complaint_answer`, `ZHENGWU_COMPLAINT_ANSWER_DAYS` = 5 working days)."""
    with audited_write(actor, SupervisionAction.COMPLAINT_FORWARD, complaint) as write:
        locked = _lock(write, complaint, "投诉")
        supervisor = _require_supervisor(write, "转办投诉")
        note = required_text(
            note, field="note", what="转办意见", code=SupervisionError.COMPLAINT_INVALID, max_length=2000
        )
        COMPLAINT.move(locked, "forward")
        locked.forward_note = note
        locked.forwarded_by = supervisor
        locked.forwarded_at = timezone.now()
        clean(locked)
        locked.save()
        title = f"投诉{locked.number}核查答复"
        timer = _start_timer(actor, COMPLAINT_ANSWER_TIMER, locked, title, locked.department, complaint_answer_days())
        write.set_target(locked)
        write.note(number=locked.number, note=note, answer_deadline=timer.deadline.isoformat())
    _refresh(complaint, locked)
    return locked


def complaint_answer(*, actor: Actor, complaint: Complaint, answer: str) -> Complaint:
    """A clerk or the leader of the department complained about answers a forwarded complaint."""
    with audited_write(actor, SupervisionAction.COMPLAINT_ANSWER, complaint) as write:
        locked = _lock(write, complaint, "投诉")
        person = _require_department_staff(
            write,
            locked.department_id,
            "只有被转办单位的业务人员或负责人可以答复该投诉。",
            also=locked.forwarded_at is not None,
        )
        answer = required_text(
            answer, field="answer", what="答复内容", code=SupervisionError.ANSWER_REQUIRED, max_length=4000
        )
        COMPLAINT.move(locked, "answer")
        _finish_live(actor, locked, COMPLAINT_ANSWER_TIMER)
        locked.answer = answer
        locked.answered_by = person
        locked.answered_at = timezone.now()
        clean(locked)
        locked.save()
        write.note(number=locked.number, answer=answer)
    _refresh(complaint, locked)
    return locked


def complaint_conclude(*, actor: Actor, complaint: Complaint, finding: str, result: str) -> Complaint:
    """The supervisor concludes the complaint with a finding and a result told to the complainant.

    Possible from "submitted" (handled directly), "forwarded" (the department's answer is no
    longer awaited: its timer is cancelled) and "answered".
    """
    with audited_write(actor, SupervisionAction.COMPLAINT_CONCLUDE, complaint) as write:
        locked = _lock(write, complaint, "投诉")
        supervisor = _require_supervisor(write, "办结投诉")
        if finding not in Complaint.Finding.values:
            raise ApplicationError(SupervisionError.COMPLAINT_INVALID, "请选择核查结论。", {"finding": "必选"})
        result = required_text(
            result, field="result", what="处理结果", code=SupervisionError.COMPLAINT_INVALID, max_length=4000
        )
        COMPLAINT.move(locked, "conclude")
        timers.live_timer_cancel(
            actor=actor, target=locked, kind=COMPLAINT_ANSWER_TIMER, reason="投诉已由电子监察机构办结"
        )
        timer = _finish_live(actor, locked, COMPLAINT_TIMER)
        locked.finding = finding
        locked.result = result
        locked.concluded_by = supervisor
        locked.concluded_at = timezone.now()
        clean(locked)
        locked.save()
        write.note(
            number=locked.number,
            finding=finding,
            result=result,
            on_time=None if timer is None else timer.finished_on_time,
        )
    _refresh(complaint, locked)
    return locked


# --- 警示曝光 (monthly exposure list) ------------------------------------------------------------------


def _already_published(first: date) -> ApplicationError:
    return ApplicationError(
        SupervisionError.EXPOSURE_PUBLISHED, f"{first:%Y年%m月}的警示曝光名单已发布。", {"month": "已发布"}
    )


def exposure_publish(*, actor: Actor, month: date, note: str = "") -> ExposureList:
    """A supervisor publishes the exposure list of a finished month; it is then public on the portal.

    The ranking is computed from the timers at this moment (`reports.exposure_rows`) and frozen.
    A month can be published once, and only after it has ended.
    """
    with audited_write(actor, SupervisionAction.EXPOSURE_PUBLISH) as write:
        supervisor = _require_supervisor(write, "发布警示曝光名单")
        first, last = reports.month_bounds(month)
        if last >= workdays.today():
            raise ApplicationError(
                SupervisionError.EXPOSURE_MONTH_OPEN, "只能发布已结束月份的警示曝光名单。", {"month": "月份未结束"}
            )
        if ExposureList.objects.select_for_update().filter(month=first).exists():
            raise _already_published(first)
        rows = reports.exposure_rows(first)
        if not rows:
            raise ApplicationError(
                SupervisionError.EXPOSURE_EMPTY, f"{first:%Y年%m月}没有超期办理的单位，无需曝光。", {"month": "无超期"}
            )
        exposure = ExposureList(
            month=first, rows=[row.as_dict() for row in rows], note=(note or "").strip(), published_by=supervisor
        )
        clean(exposure)
        try:
            with transaction.atomic():
                exposure.save()
        except IntegrityError:
            raise _already_published(first) from None
        write.set_target(exposure)
        write.note(month=first.isoformat(), units=[row.department_name for row in rows], note=exposure.note)
    return exposure
