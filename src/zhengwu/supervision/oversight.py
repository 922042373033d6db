"""Writes of the e-supervision centre (电子监察): 督办, 网上投诉 and the monthly exposure list.

Every service is keyword-only, atomic, validated and audited (docs/design.md rule 1) and checks who
may act inside the service, before writing anything, so a refusal changes nothing. Rows are
locked (`select_for_update`) and their state checked on the fresh row: two people acting on
the same urging or complaint at once → exactly one succeeds, the other gets a clear error.

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

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from zhengwu.accounts.models import Department, Role, User
from zhengwu.audit.services import record
from zhengwu.core import workdays
from zhengwu.core.actors import legacy_actor
from zhengwu.core.errors import ApplicationError, from_validation_error, not_found, permission_denied
from zhengwu.supervision import casechecks, reports
from zhengwu.supervision import selectors as sel
from zhengwu.supervision import services as timers
from zhengwu.supervision.errors import SupervisionError
from zhengwu.supervision.models import Complaint, ExposureList, Timer, Urging

URGING_TIMER = "supervision.urging"
COMPLAINT_TIMER = "supervision.complaint"
COMPLAINT_ANSWER_TIMER = "supervision.complaint_answer"
DEPARTMENT_STAFF = (Role.CLERK, Role.DEPT_LEADER)


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


def _clean(instance: models.Model) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        raise from_validation_error(error) from None


def _text(value: str, field: str, what: str, code: SupervisionError, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(code, f"请填写{what}。", {field: "必填"})
    if len(value) > limit:
        raise ApplicationError(code, f"{what}不能超过 {limit} 字。", {field: "过长"})
    return value


def _require_supervisor(actor: User | None, what: str) -> User:
    if actor is None or not actor.has_role(Role.SUPERVISOR):
        raise permission_denied(f"只有电子监察人员可以{what}。")
    return actor


def _department_staff(actor: User | None, department_id: int) -> bool:
    return (
        actor is not None
        and actor.has_role(*DEPARTMENT_STAFF)
        and actor.department_id is not None
        and actor.department_id == department_id
    )


def _finish_live(actor: User | None, target: models.Model, kind: str) -> Timer | None:
    timer = sel.timer_for(target, kind)
    if timer is not None and timer.is_live:
        return timers.timer_finish(actor=legacy_actor(actor), timer=timer)
    return timer


def _cancel_live(actor: User | None, target: models.Model, kind: str, reason: str) -> None:
    timer = sel.timer_for(target, kind)
    if timer is not None and timer.is_live:
        timers.timer_cancel(actor=legacy_actor(actor), timer=timer, reason=reason)


# --- 督办 (urging) --------------------------------------------------------------------------------


@transaction.atomic
def urging_create(
    *,
    actor: User | None,
    timer: Timer,
    notice: str,
    answer_days: int | None = None,
    request: HttpRequest | None = None,
) -> Urging:
    """A supervisor urges the department responsible for `timer`'s item (督办).

    The department must answer within `answer_days` working days (default
    `ZHENGWU_URGING_ANSWER_DAYS` = 3): a timer of kind `supervision.urging` on the urging. Only
    a live (running or paused) timer can be urged, and only once at a time (an open urging
    must be answered before the next).
    """
    actor = _require_supervisor(actor, "督办")
    notice = _text(notice, "notice", "督办意见", SupervisionError.NOTICE_REQUIRED, 2000)
    days = urging_answer_days() if answer_days is None else answer_days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 30:
        raise ApplicationError(
            SupervisionError.INVALID_LIMIT, "答复时限应为 1 至 30 个工作日。", {"answer_days": "超出范围"}
        )
    try:
        locked = Timer.objects.select_for_update(of=("self",)).select_related("department").get(pk=timer.pk)
    except Timer.DoesNotExist:
        raise not_found("计时记录") from None
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
    urging = Urging(timer=locked, department=locked.department, notice=notice, answer_days=days, created_by=actor)
    _clean(urging)
    urging.save()
    answer_timer = timers.timer_start(
        actor=legacy_actor(actor),
        kind=URGING_TIMER,
        kind_label="督办答复时限",
        target=urging,
        title=f"督办：{locked.title}"[:200],
        department=locked.department,
        limit=days,
        url=reverse("supervision:urging_detail", args=[urging.pk]),
    )
    record(
        actor=actor,
        action="supervision.urging.create",
        target=urging,
        request=request,
        department=locked.department,
        details={
            "timer": locked.pk,
            "kind": locked.kind,
            "item": f"{locked.target_type}:{locked.target_id}",
            "light": locked.light(),
            "notice": notice,
            "answer_days": days,
            "answer_deadline": answer_timer.deadline.isoformat(),
        },
    )
    return urging


@transaction.atomic
def urging_answer(*, actor: User | None, urging: Urging, answer: str, request: HttpRequest | None = None) -> Urging:
    """A clerk or the leader of the urged department answers the 督办 notice."""
    locked = (
        Urging.objects.select_for_update(of=("self",))
        .select_related("department", "timer")
        .filter(pk=urging.pk)
        .first()
    )
    if locked is None:
        raise not_found("督办")
    if not _department_staff(actor, locked.department_id):
        raise permission_denied("只有被督办单位的业务人员或负责人可以答复督办。")
    assert actor is not None
    answer = _text(answer, "answer", "答复内容", SupervisionError.ANSWER_REQUIRED, 4000)
    if locked.state != Urging.State.OPEN:
        raise ApplicationError(
            SupervisionError.URGING_NOT_OPEN, "该督办已答复，不能重复答复。", {"state": locked.state}
        )
    answer_timer = _finish_live(actor, locked, URGING_TIMER)
    locked.state = Urging.State.ANSWERED
    locked.answer = answer
    locked.answered_by = actor
    locked.answered_at = timezone.now()
    locked.answered_on_time = None if answer_timer is None else answer_timer.finished_on_time
    _clean(locked)
    locked.save()
    record(
        actor=actor,
        action="supervision.urging.answer",
        target=locked,
        request=request,
        department=locked.department,
        details={"timer": locked.timer_id, "answer": answer, "on_time": locked.answered_on_time},
    )
    if urging is not locked:
        urging.refresh_from_db()
    return locked


# --- 网上投诉 (complaints) ---------------------------------------------------------------------------


def _complaint_number(now: Any) -> str:
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
    actor: User | None,
    department: Department | None,
    content: str,
    case_number: str = "",
    item: str = "",
    request: HttpRequest | None = None,
) -> Complaint:
    """A logged-in citizen or enterprise files a complaint (网上投诉) about a department.

    A case number, when given, must name one of the complainant's own cases (`casechecks`:
    the app holding the case checks it); an unknown number or someone else's case is refused
    and nothing is written. The complaint goes to the supervision office with a timer of `ZHENGWU_COMPLAINT_DAYS`
    (default 10) working days, kind `supervision.complaint`.
    """
    if actor is None or not actor.is_authenticated or actor.kind not in (User.Kind.CITIZEN, User.Kind.ENTERPRISE):
        raise permission_denied("请以个人或法人账号登录后投诉。")
    if not actor.is_active:
        raise permission_denied("账号已停用。")
    if department is None or not department.is_active:
        raise ApplicationError(SupervisionError.COMPLAINT_INVALID, "请选择被投诉的单位。", {"department": "必填"})
    content = _text(content, "content", "投诉内容", SupervisionError.COMPLAINT_INVALID, 4000)
    case_number = (case_number or "").strip()
    item = (item or "").strip()
    if not case_number and not item:
        raise ApplicationError(
            SupervisionError.COMPLAINT_INVALID,
            "请填写办件编号或事项名称（至少一项）。",
            {"case_number": "办件编号或事项名称至少填一项", "item": "办件编号或事项名称至少填一项"},
        )
    # A case number must name one of the complainant's own cases (checked by the app that holds it).
    case_number = casechecks.check_case_number(actor, case_number)
    for _attempt in range(3):  # the day's sequence number may be taken by a concurrent complaint
        try:
            return _complaint_create(
                actor=actor, department=department, content=content, case_number=case_number, item=item, request=request
            )
        except IntegrityError:
            continue
    raise ApplicationError(SupervisionError.COMPLAINT_INVALID, "系统繁忙，请稍后重试。")


@transaction.atomic
def _complaint_create(
    *, actor: User, department: Department, content: str, case_number: str, item: str, request: HttpRequest | None
) -> Complaint:
    now = timezone.now()
    complaint = Complaint(
        number=_complaint_number(now),
        complainant=actor,
        department=department,
        case_number=case_number,
        item=item,
        content=content,
        submitted_at=now,
    )
    _clean(complaint)
    with transaction.atomic():
        complaint.save()
    timer = timers.timer_start(
        actor=legacy_actor(actor),
        kind=COMPLAINT_TIMER,
        kind_label="投诉办理时限",
        target=complaint,
        title=f"投诉{complaint.number}：{department.name}"[:200],
        department=supervision_office() or department,
        limit=complaint_days(),
        url=reverse("supervision:complaint_detail", args=[complaint.pk]),
    )
    record(
        actor=actor,
        action="supervision.complaint.create",
        target=complaint,
        request=request,
        department=department,
        details={
            "number": complaint.number,
            "department": department.pk,
            "case_number": case_number,
            "item": item,
            "deadline": timer.deadline.isoformat(),
        },
    )
    return complaint


def _lock_complaint(complaint: Complaint) -> Complaint:
    locked = (
        Complaint.objects.select_for_update(of=("self",)).select_related("department").filter(pk=complaint.pk).first()
    )
    if locked is None:
        raise not_found("投诉")
    return locked


def _wrong_state(locked: Complaint, what: str) -> ApplicationError:
    return ApplicationError(
        SupervisionError.COMPLAINT_WRONG_STATE,
        f"该投诉当前状态为“{locked.get_state_display()}”，不能{what}。",
        {"state": locked.state},
    )


@transaction.atomic
def complaint_forward(
    *, actor: User | None, complaint: Complaint, note: str, request: HttpRequest | None = None
) -> Complaint:
    """The supervisor forwards the complaint to the department complained about for an answer
    (timer `supervision.complaint_answer`, `ZHENGWU_COMPLAINT_ANSWER_DAYS` = 5 working days)."""
    actor = _require_supervisor(actor, "转办投诉")
    note = _text(note, "note", "转办意见", SupervisionError.COMPLAINT_INVALID, 2000)
    locked = _lock_complaint(complaint)
    if locked.state != Complaint.State.SUBMITTED:
        raise _wrong_state(locked, "转办")
    locked.state = Complaint.State.FORWARDED
    locked.forward_note = note
    locked.forwarded_by = actor
    locked.forwarded_at = timezone.now()
    _clean(locked)
    locked.save()
    timer = timers.timer_start(
        actor=legacy_actor(actor),
        kind=COMPLAINT_ANSWER_TIMER,
        kind_label="投诉核查答复时限",
        target=locked,
        title=f"投诉{locked.number}核查答复"[:200],
        department=locked.department,
        limit=complaint_answer_days(),
        url=reverse("supervision:complaint_detail", args=[locked.pk]),
    )
    record(
        actor=actor,
        action="supervision.complaint.forward",
        target=locked,
        request=request,
        department=locked.department,
        details={"number": locked.number, "note": note, "answer_deadline": timer.deadline.isoformat()},
    )
    if complaint is not locked:
        complaint.refresh_from_db()
    return locked


@transaction.atomic
def complaint_answer(
    *, actor: User | None, complaint: Complaint, answer: str, request: HttpRequest | None = None
) -> Complaint:
    """A clerk or the leader of the department complained about answers a forwarded complaint."""
    locked = _lock_complaint(complaint)
    if not _department_staff(actor, locked.department_id) or locked.forwarded_at is None:
        raise permission_denied("只有被转办单位的业务人员或负责人可以答复该投诉。")
    assert actor is not None
    answer = _text(answer, "answer", "答复内容", SupervisionError.ANSWER_REQUIRED, 4000)
    if locked.state != Complaint.State.FORWARDED:
        raise _wrong_state(locked, "答复")
    _finish_live(actor, locked, COMPLAINT_ANSWER_TIMER)
    locked.state = Complaint.State.ANSWERED
    locked.answer = answer
    locked.answered_by = actor
    locked.answered_at = timezone.now()
    _clean(locked)
    locked.save()
    record(
        actor=actor,
        action="supervision.complaint.answer",
        target=locked,
        request=request,
        department=locked.department,
        details={"number": locked.number, "answer": answer},
    )
    if complaint is not locked:
        complaint.refresh_from_db()
    return locked


@transaction.atomic
def complaint_conclude(
    *,
    actor: User | None,
    complaint: Complaint,
    finding: str,
    result: str,
    request: HttpRequest | None = None,
) -> Complaint:
    """The supervisor concludes the complaint with a finding and a result told to the complainant.

    Possible from "submitted" (handled directly), "forwarded" (the department's answer is no
    longer awaited: its timer is cancelled) and "answered".
    """
    actor = _require_supervisor(actor, "办结投诉")
    if finding not in Complaint.Finding.values:
        raise ApplicationError(SupervisionError.COMPLAINT_INVALID, "请选择核查结论。", {"finding": "必选"})
    result = _text(result, "result", "处理结果", SupervisionError.COMPLAINT_INVALID, 4000)
    locked = _lock_complaint(complaint)
    if locked.state not in Complaint.OPEN_STATES:
        raise _wrong_state(locked, "再次办结")
    _cancel_live(actor, locked, COMPLAINT_ANSWER_TIMER, "投诉已由电子监察机构办结")
    timer = _finish_live(actor, locked, COMPLAINT_TIMER)
    locked.state = Complaint.State.CONCLUDED
    locked.finding = finding
    locked.result = result
    locked.concluded_by = actor
    locked.concluded_at = timezone.now()
    _clean(locked)
    locked.save()
    record(
        actor=actor,
        action="supervision.complaint.conclude",
        target=locked,
        request=request,
        department=locked.department,
        details={
            "number": locked.number,
            "finding": finding,
            "result": result,
            "on_time": None if timer is None else timer.finished_on_time,
        },
    )
    if complaint is not locked:
        complaint.refresh_from_db()
    return locked


# --- 警示曝光 (monthly exposure list) ------------------------------------------------------------------


@transaction.atomic
def exposure_publish(
    *, actor: User | None, month: date, note: str = "", request: HttpRequest | None = None
) -> ExposureList:
    """A supervisor publishes the exposure list of a finished month; it is then public on the portal.

    The ranking is computed from the timers at this moment (`reports.exposure_rows`) and frozen.
    A month can be published once, and only after it has ended.
    """
    actor = _require_supervisor(actor, "发布警示曝光名单")
    first, last = reports.month_bounds(month)
    if last >= workdays.today():
        raise ApplicationError(
            SupervisionError.EXPOSURE_MONTH_OPEN, "只能发布已结束月份的警示曝光名单。", {"month": "月份未结束"}
        )
    if ExposureList.objects.select_for_update().filter(month=first).exists():
        raise ApplicationError(
            SupervisionError.EXPOSURE_PUBLISHED, f"{first:%Y年%m月}的警示曝光名单已发布。", {"month": "已发布"}
        )
    rows = reports.exposure_rows(first)
    if not rows:
        raise ApplicationError(
            SupervisionError.EXPOSURE_EMPTY, f"{first:%Y年%m月}没有超期办理的单位，无需曝光。", {"month": "无超期"}
        )
    exposure = ExposureList(
        month=first, rows=[row.as_dict() for row in rows], note=(note or "").strip(), published_by=actor
    )
    _clean(exposure)
    try:
        with transaction.atomic():
            exposure.save()
    except IntegrityError:
        raise ApplicationError(
            SupervisionError.EXPOSURE_PUBLISHED, f"{first:%Y年%m月}的警示曝光名单已发布。", {"month": "已发布"}
        ) from None
    record(
        actor=actor,
        action="supervision.exposure.publish",
        target=exposure,
        request=request,
        details={
            "month": first.isoformat(),
            "units": [row.department_name for row in rows],
            "note": exposure.note,
        },
    )
    return exposure
