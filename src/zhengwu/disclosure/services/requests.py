"""Writes of 依申请公开 (requests for government information, 《政府信息公开条例》Arts. 27–45).

States: submitted (online, waiting for the agency to confirm receipt) → processing ⇄ correction
(补正) / consulting (征求第三方意见) → answered; or closed (withdrawn by the applicant, or not
corrected in time: 视为放弃).

Clocks (docs/rules.md §4), timer `disclosure.request` on the agency:
- receipt date (Art. 31): in person the same day; by post the day it was signed for; online the
  day the agency confirms receipt. The answer timer starts then (day 0), 20 working days (Art. 33).
- correction (Art. 30): one notice, within 7 working days of receipt, listing everything; the
  timer is cancelled and a new 20-day timer starts on the day the corrected request arrives.
- extension (Art. 33): once, at most 20 working days, decided by a leader of the agency
  (`Role.DEPT_LEADER`) and told to the applicant.
- third-party consultation (Art. 32): the third party has 15 working days; the answer timer is
  paused from the day of the request until its view arrives (or the 15 days end).
- answer (Art. 36): one of seven kinds, each with its required content (`REQUIRED_CONTENT`);
  the fee (Art. 42) is computed by `fees` from the applicant's month.

Every change is told to the applicant (`RequestEvent`, plus an SMS when a phone is known) and goes
through `audited_write` for an `Actor` (docs/design.md rules 1 and 5): the request is locked, the
actor authorized on it and the move checked against `states.REQUEST`. Staff are the clerks and
leaders of the agency the request was made to; the platform (the demo loader) may act as staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import uuid4

from django.conf import settings
from django.db import transaction
from django.db.models import Sum

from zhengwu.accounts import sms
from zhengwu.accounts.models import Department, Role, User
from zhengwu.audit.write import Write, audited_write
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.crypto import blind_indexes
from zhengwu.core.errors import ApplicationError, clause, clean, not_found, required_text
from zhengwu.disclosure import fees
from zhengwu.disclosure.audit_actions import DisclosureAction
from zhengwu.disclosure.errors import DisclosureError
from zhengwu.disclosure.models import (
    AnswerKind,
    ApplicantKind,
    Channel,
    DisclosureRequest,
    FeeBasis,
    RequestEvent,
    ResultDetail,
)
from zhengwu.disclosure.services.publications import may_act_for
from zhengwu.disclosure.states import REQUEST
from zhengwu.supervision import selectors as supervision_selectors
from zhengwu.supervision import services as supervision_services

REQUEST_TIMER = "disclosure.request"
State = DisclosureRequest.State

# Art. 36: what each kind of answer must contain (field → what it is, in Chinese).
REQUIRED_CONTENT: dict[str, dict[str, str]] = {
    AnswerKind.ALREADY_PUBLIC: {"public_location": "获取该信息的方式和途径"},
    AnswerKind.DISCLOSED: {"provision_method": "提供方式（或获取的方式和途径、时间）"},
    AnswerKind.REFUSED: {"reasons": "不予公开的理由和依据"},
    AnswerKind.NOT_EXIST: {"reasons": "经检索不存在的说明"},
    AnswerKind.NOT_OURS: {"competent_agency": "负责公开该信息的机关（无法确定时在理由中说明）"},
    AnswerKind.REPEAT: {"reference": "原申请编号或原答复文号"},
    AnswerKind.SPECIAL: {"reasons": "应依照的法律、行政法规及办理途径"},
}

# The annual report's sub-rows (国办公开办函〔2021〕30号 table 三) each answer kind may carry, the
# first being the default when none is chosen; a kind with an empty first entry may go without.
RESULT_DETAILS: dict[str, tuple[str, ...]] = {
    AnswerKind.ALREADY_PUBLIC: ("",),
    AnswerKind.DISCLOSED: ("", ResultDetail.PARTIAL),
    AnswerKind.REFUSED: (
        ResultDetail.STATE_SECRET,
        ResultDetail.LAW_PROHIBITED,
        ResultDetail.THREE_SAFETIES,
        ResultDetail.THIRD_PARTY,
        ResultDetail.INTERNAL,
        ResultDetail.PROCESS,
        ResultDetail.ENFORCEMENT_FILE,
        ResultDetail.QUERY,
    ),
    AnswerKind.NOT_EXIST: (ResultDetail.NOT_HELD, ResultDetail.NEEDS_MAKING, ResultDetail.STILL_UNCLEAR),
    AnswerKind.NOT_OURS: (ResultDetail.NOT_HELD,),
    AnswerKind.REPEAT: (ResultDetail.REPEAT,),
    AnswerKind.SPECIAL: (
        ResultDetail.OTHER,
        ResultDetail.PETITION,
        ResultDetail.PUBLICATION,
        ResultDetail.MASS_REPEAT,
        ResultDetail.CONFIRM,
    ),
}
# Kinds whose detail must be chosen (the reason decides the row of the report).
DETAIL_REQUIRED = (AnswerKind.REFUSED,)


def answer_days() -> int:
    return settings.ZHENGWU_DISCLOSURE_ANSWER_DAYS


def correction_days() -> int:
    return settings.ZHENGWU_DISCLOSURE_CORRECTION_DAYS


def max_extension_days() -> int:
    return settings.ZHENGWU_DISCLOSURE_EXTENSION_DAYS


def third_party_days() -> int:
    return settings.ZHENGWU_DISCLOSURE_THIRD_PARTY_DAYS


# --- helpers ------------------------------------------------------------------------------


def _text(value: str, field: str, what: str, *, limit: int = 4000, required: bool = True) -> str:
    if not required and not (value or "").strip():
        return ""
    return required_text(value, field=field, what=what, code=DisclosureError.INVALID_INPUT, max_length=limit)


def _day(on: date | None) -> date:
    today = workdays.today()
    if on is None:
        return today
    if not isinstance(on, date) or on > today:
        raise ApplicationError(DisclosureError.INVALID_INPUT, "日期不能晚于今天。", {"on": "晚于今天"})
    return on


def _lock(write: Write, disclosure_request: DisclosureRequest) -> DisclosureRequest:
    try:
        return write.lock(disclosure_request, "department", "applicant")
    except DisclosureRequest.DoesNotExist:
        raise not_found("公开申请") from None


def _staff_step(write: Write, disclosure_request: DisclosureRequest, move: str) -> DisclosureRequest:
    """The request locked, the actor checked to be staff of its agency (or the platform), `move` allowed."""
    locked = _lock(write, disclosure_request)
    write.require(may_act_for(write.actor, locked.department_id), "只有受理机关的工作人员可以办理该申请。")
    REQUEST.check(locked, move)
    return locked


def _require_applicant(actor: Actor, disclosure_request: DisclosureRequest) -> None:
    if not actor.is_user(disclosure_request.applicant_id):
        raise not_found("公开申请")


def _start_timer(actor: Actor, disclosure_request: DisclosureRequest, start: date) -> None:
    supervision_services.timer_start(
        actor=actor,
        kind=REQUEST_TIMER,
        kind_label="依申请公开答复期限",
        target=disclosure_request,
        title=f"依申请公开 {disclosure_request.number}：{disclosure_request.applicant_name}",
        department=disclosure_request.department,
        limit=answer_days(),
        start=start,
    )


def _tell(disclosure_request: DisclosureRequest, *, actor: Actor, action: str, text: str) -> None:
    """Record the step for the applicant and send it by SMS when a phone is known."""
    RequestEvent.objects.create(request=disclosure_request, action=action, text=text, actor=actor.user)
    if disclosure_request.phone:
        transaction.on_commit(
            lambda: sms.send(disclosure_request.phone, f"【政府信息公开】申请 {disclosure_request.number}：{text}")
        )


def _done(write: Write, disclosure_request: DisclosureRequest, **details: object) -> DisclosureRequest:
    """Validate and save the request, and name it with its state in the audit event."""
    clean(disclosure_request)
    disclosure_request.save()
    write.set_target(disclosure_request)
    write.note(number=disclosure_request.number, state=disclosure_request.state, **details)
    return disclosure_request


def _save_new(disclosure_request: DisclosureRequest) -> DisclosureRequest:
    disclosure_request.number = f"tmp-{uuid4().hex[:24]}"
    clean(disclosure_request)
    disclosure_request.save()
    day = workdays.today(disclosure_request.submitted_at)
    disclosure_request.number = f"YSQ{day:%Y%m%d}{disclosure_request.pk:06d}"
    disclosure_request.save(update_fields=["number"])
    return disclosure_request


def deadline_of(disclosure_request: DisclosureRequest) -> date | None:
    timer = supervision_selectors.timer_for(disclosure_request, REQUEST_TIMER)
    return timer.deadline if timer is not None else None


# --- filing ---------------------------------------------------------------------------------


@dataclass
class ApplicantData:
    name: str
    kind: str = ApplicantKind.CITIZEN
    id_number: str = ""
    phone: str = ""
    address: str = ""
    email: str = ""


def _fill(
    disclosure_request: DisclosureRequest,
    *,
    applicant: ApplicantData,
    description: str,
    purpose: str,
    delivery: str,
) -> None:
    if applicant.kind not in ApplicantKind.values:
        raise ApplicationError(DisclosureError.INVALID_INPUT, "请选择申请人类型。", {"applicant_kind": "无效"})
    disclosure_request.applicant_kind = applicant.kind
    disclosure_request.applicant_name = _text(applicant.name, "applicant_name", "申请人姓名或名称", limit=100)
    disclosure_request.id_number = _text(applicant.id_number, "id_number", "证件号码", limit=40, required=False)
    disclosure_request.phone = _text(applicant.phone, "phone", "联系电话", limit=30, required=False)
    disclosure_request.address = _text(applicant.address, "address", "通信地址", limit=200, required=False)
    disclosure_request.email = _text(applicant.email, "email", "电子邮箱", limit=254, required=False)
    disclosure_request.description = _text(description, "description", "所需信息的内容描述")
    disclosure_request.purpose = _text(purpose, "purpose", "用途", limit=500, required=False)
    disclosure_request.delivery = _text(delivery or "电子邮件", "delivery", "获取信息方式", limit=100)


def request_submit_online(
    *,
    actor: Actor,
    department: Department,
    description: str,
    applicant_kind: str = ApplicantKind.CITIZEN,
    applicant_name: str = "",
    phone: str = "",
    address: str = "",
    email: str = "",
    purpose: str = "",
    delivery: str = "电子邮件",
) -> DisclosureRequest:
    """A logged-in citizen or enterprise files a request online; it counts from the day the
    agency confirms receipt (Art. 31)."""
    with audited_write(actor, DisclosureAction.REQUEST_SUBMIT, department=department) as write:
        user = actor.user
        write.require(
            user is not None and user.kind in (User.Kind.CITIZEN, User.Kind.ENTERPRISE),
            "请以公众或企业账号登录后提交申请。",
        )
        assert user is not None
        if not department.is_active:
            raise ApplicationError(DisclosureError.INVALID_INPUT, "请选择受理机关。", {"department": "无效"})
        disclosure_request = DisclosureRequest(
            department=department,
            applicant=user,
            applicant_key=f"user:{user.pk}",
            channel=Channel.ONLINE,
            created_by=user,
        )
        kind = applicant_kind or (
            ApplicantKind.LEGAL_PERSON if user.kind == User.Kind.ENTERPRISE else ApplicantKind.CITIZEN
        )
        applicant = ApplicantData(
            name=applicant_name or user.real_name,
            kind=kind,
            id_number=user.id_number or "",
            phone=phone or user.phone or "",
            address=address,
            email=email,
        )
        _fill(disclosure_request, applicant=applicant, description=description, purpose=purpose, delivery=delivery)
        _save_new(disclosure_request)
        _tell(
            disclosure_request,
            actor=actor,
            action="提交申请",
            text=f"您向{department.name}提交的政府信息公开申请已提交，待机关确认收到后开始计算答复期限。",
        )
        _done(write, disclosure_request, channel=Channel.ONLINE)
    return disclosure_request


def request_register(
    *,
    actor: Actor,
    department: Department,
    channel: str,
    applicant: ApplicantData,
    description: str,
    received_on: date | None = None,
    purpose: str = "",
    delivery: str = "纸质",
) -> DisclosureRequest:
    """Staff register a request made in person (received today) or by post (received the day it
    was signed for, `received_on`)."""
    with audited_write(actor, DisclosureAction.REQUEST_REGISTER, department=department) as write:
        write.require(may_act_for(actor, department.pk), "只有受理机关的工作人员可以登记申请。")
        if channel not in (Channel.IN_PERSON, Channel.POST):
            raise ApplicationError(DisclosureError.INVALID_INPUT, "请选择当面提交或邮寄。", {"channel": "无效"})
        if channel == Channel.IN_PERSON:
            received = _day(received_on) if received_on else workdays.today()
        else:
            if received_on is None:
                raise ApplicationError(DisclosureError.INVALID_INPUT, "请填写邮件签收日期。", {"received_on": "必填"})
            received = _day(received_on)
        disclosure_request = DisclosureRequest(
            department=department,
            channel=channel,
            state=State.PROCESSING,
            received_on=received,
            clock_start=received,
            created_by=actor.user,
            handled_by=actor.user,
        )
        _fill(disclosure_request, applicant=applicant, description=description, purpose=purpose, delivery=delivery)
        disclosure_request.applicant_key = applicant_keys(applicant.id_number, applicant.name)[0]
        _save_new(disclosure_request)
        _start_timer(actor, disclosure_request, received)
        _tell(
            disclosure_request,
            actor=actor,
            action="登记收到",
            text=f"{department.name}已于 {received:%Y年%m月%d日} 收到您的申请"
            f"（{disclosure_request.get_channel_display()}）。",
        )
        _done(write, disclosure_request, channel=channel, received_on=received.isoformat())
    return disclosure_request


def request_confirm_receipt(
    *, actor: Actor, disclosure_request: DisclosureRequest, on: date | None = None
) -> DisclosureRequest:
    """The agency confirms it received an online request: that day is the receipt date."""
    with audited_write(actor, DisclosureAction.REQUEST_CONFIRM, disclosure_request) as write:
        locked = _staff_step(write, disclosure_request, "confirm_receipt")
        day = _day(on)
        if day < workdays.today(locked.submitted_at):
            raise ApplicationError(DisclosureError.INVALID_INPUT, "确认日期不能早于提交日期。", {"on": "过早"})
        REQUEST.move(locked, "confirm_receipt")
        locked.received_on = day
        locked.clock_start = day
        locked.handled_by = actor.user
        _done(write, locked, received_on=day.isoformat())
        _start_timer(actor, locked, day)
        _tell(
            locked,
            actor=actor,
            action="确认收到",
            text=f"机关已于 {day:%Y年%m月%d日} 确认收到您的申请，将在 {answer_days()} 个工作日内答复"
            f"（{deadline_of(locked):%Y年%m月%d日}前）。",
        )
    return locked


def request_ask_correction(
    *, actor: Actor, disclosure_request: DisclosureRequest, items: str, on: date | None = None
) -> DisclosureRequest:
    """One correction notice (Art. 30), within 7 working days of receipt, listing everything to fix.
    The answer clock stops; it starts again, in full, when the corrected request arrives."""
    with audited_write(actor, DisclosureAction.REQUEST_ASK_CORRECTION, disclosure_request) as write:
        locked = _staff_step(write, disclosure_request, "ask_correction")
        if locked.correction_sent_on is not None:
            raise ApplicationError(DisclosureError.CORRECTION_ONCE, "补正告知只能发出一次。", {"items": "已告知过"})
        items = _text(items, "items", "需要补正的全部事项")
        day = _day(on)
        assert locked.received_on is not None
        last_day = workdays.add_workdays(locked.received_on, correction_days())
        if day > last_day:
            raise ApplicationError(
                DisclosureError.CORRECTION_LATE,
                f"补正告知应在收到申请之日起 {correction_days()} 个工作日内（{last_day:%Y-%m-%d} 前）发出。",
                {"items": "已超期"},
            )
        supervision_services.live_timer_cancel(
            actor=actor, target=locked, kind=REQUEST_TIMER, reason="已告知补正，补正后重新计算答复期限"
        )
        REQUEST.move(locked, "ask_correction")
        locked.correction_items = items
        locked.correction_sent_on = day
        _done(write, locked, items=items, on=day.isoformat())
        _tell(
            locked,
            actor=actor,
            action="告知补正",
            text=f"您的申请内容不够明确，请补正以下事项：{clause(items)}。答复期限自机关收到补正后的申请之日起重新计算。",
        )
    return locked


def request_correct(
    *, actor: Actor, disclosure_request: DisclosureRequest, description: str, on: date | None = None
) -> DisclosureRequest:
    """The corrected request arrives (the applicant online, or staff recording a paper one):
    a new 20-working-day clock starts that day. The 补正 is kept beside the original description
    (`correction_text`): the request is both."""
    with audited_write(actor, DisclosureAction.REQUEST_CORRECT, disclosure_request) as write:
        if actor.is_platform or actor.is_staff:
            locked = _staff_step(write, disclosure_request, "correct")
        else:
            locked = _lock(write, disclosure_request)
            _require_applicant(actor, locked)
            REQUEST.check(locked, "correct")
            on = None  # an applicant's correction arrives today
        description = _text(description, "description", "补正内容")
        day = _day(on)
        assert locked.correction_sent_on is not None
        if day < locked.correction_sent_on:
            raise ApplicationError(DisclosureError.INVALID_INPUT, "补正日期不能早于补正告知日期。", {"on": "过早"})
        REQUEST.move(locked, "correct")
        locked.correction_text = description  # added to the original description, which is kept
        locked.corrected_on = day
        locked.clock_start = day
        _done(write, locked, on=day.isoformat())
        _start_timer(actor, locked, day)
        _tell(
            locked,
            actor=actor,
            action="收到补正",
            text=f"机关已于 {day:%Y年%m月%d日} 收到补正后的申请，答复期限重新计算，"
            f"至 {deadline_of(locked):%Y年%m月%d日}。",
        )
    return locked


def request_extend(
    *, actor: Actor, disclosure_request: DisclosureRequest, days: int, reason: str, on: date | None = None
) -> DisclosureRequest:
    """One extension of at most 20 working days, approved by a leader of the agency (Art. 33)."""
    with audited_write(actor, DisclosureAction.REQUEST_EXTEND, disclosure_request) as write:
        locked = _lock(write, disclosure_request)
        write.require(
            actor.is_platform or actor.works_in(locked.department_id, Role.DEPT_LEADER),
            "延长答复期限须经受理机关负责人同意。",
        )
        REQUEST.check(locked, "extend")
        if locked.extension_days:
            raise ApplicationError(DisclosureError.EXTENSION_ONCE, "答复期限只能延长一次。", {"days": "已延长"})
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= max_extension_days():
            raise ApplicationError(
                DisclosureError.EXTENSION_TOO_LONG,
                f"延长期限应为 1 至 {max_extension_days()} 个工作日。",
                {"days": "超出范围"},
            )
        reason = _text(reason, "reason", "延长理由", limit=500)
        timer = supervision_services.live_timer(locked, REQUEST_TIMER)
        if timer is not None:
            supervision_services.timer_extend(actor=actor, timer=timer, days=days, reason=reason, when=on)
        locked.extension_days = days
        locked.extension_reason = reason
        locked.extension_approved_by = actor.user
        _done(write, locked, days=days, reason=reason)
        deadline = deadline_of(locked)
        _tell(
            locked,
            actor=actor,
            action="延长答复期限",
            text=f"经机关负责人同意，答复期限延长 {days} 个工作日"
            + (f"，至 {deadline:%Y年%m月%d日}" if deadline else "")
            + f"。理由：{reason}",
        )
    return locked


def request_consult_start(
    *, actor: Actor, disclosure_request: DisclosureRequest, third_party: str, on: date | None = None
) -> DisclosureRequest:
    """Ask a third party for its view (Art. 32): 15 working days, not counted in the answer time."""
    with audited_write(actor, DisclosureAction.REQUEST_CONSULT_START, disclosure_request) as write:
        locked = _staff_step(write, disclosure_request, "consult_start")
        third_party = _text(third_party, "third_party", "第三方名称", limit=200)
        day = _day(on)
        supervision_services.live_timer_pause(
            actor=actor, target=locked, kind=REQUEST_TIMER, reason=f"征求第三方（{third_party}）意见", when=day
        )
        REQUEST.move(locked, "consult_start")
        locked.third_party = third_party
        locked.consult_started_on = day
        locked.consult_ended_on = None
        _done(write, locked, third_party=third_party, on=day.isoformat())
        due = workdays.add_workdays(day, third_party_days())
        _tell(
            locked,
            actor=actor,
            action="征求第三方意见",
            text=f"您申请的信息涉及第三方权益，机关已书面征求第三方意见（期限至 {due:%Y年%m月%d日}），"
            "征求意见所需时间不计算在答复期限内。",
        )
    return locked


def consult_due(disclosure_request: DisclosureRequest) -> date | None:
    if disclosure_request.consult_started_on is None:
        return None
    return workdays.add_workdays(disclosure_request.consult_started_on, third_party_days())


def request_consult_end(
    *, actor: Actor, disclosure_request: DisclosureRequest, view: str, on: date | None = None
) -> DisclosureRequest:
    """The third party's view arrived (or its 15 days ended without one): the clock runs again."""
    with audited_write(actor, DisclosureAction.REQUEST_CONSULT_END, disclosure_request) as write:
        locked = _staff_step(write, disclosure_request, "consult_end")
        view = _text(view, "view", "第三方意见（逾期未提出时请注明）")
        day = _day(on)
        assert locked.consult_started_on is not None
        if day < locked.consult_started_on:
            raise ApplicationError(DisclosureError.INVALID_INPUT, "日期不能早于征求意见日期。", {"on": "过早"})
        # The pause counts at most the third party's 15 working days.
        resume_on = min(day, consult_due(locked) or day)
        supervision_services.live_timer_resume(actor=actor, target=locked, kind=REQUEST_TIMER, when=resume_on)
        REQUEST.move(locked, "consult_end")
        locked.consult_ended_on = day
        locked.third_party_view = view
        _done(write, locked, on=day.isoformat())
        deadline = deadline_of(locked)
        _tell(
            locked,
            actor=actor,
            action="第三方意见",
            text="征求第三方意见已结束，继续办理"
            + (f"，答复期限至 {deadline:%Y年%m月%d日}" if deadline else "")
            + "。",
        )
    return locked


@dataclass
class AnswerData:
    kind: str
    text: str = ""
    public_location: str = ""
    provision_method: str = ""
    reasons: str = ""
    competent_agency: str = ""
    reference: str = ""
    pages: int = 0
    fee_basis: str = FeeBasis.NONE
    result_detail: str = ""


def check_answer(data: AnswerData) -> dict[str, str]:
    """The answer's fields, validated: every kind must carry its required content (Art. 36)."""
    if data.kind not in AnswerKind.values:
        raise ApplicationError(DisclosureError.INVALID_INPUT, "请选择答复类型。", {"kind": "无效"})
    values = {
        "text": _text(data.text, "text", "答复正文", required=False),
        "public_location": _text(data.public_location, "public_location", "获取途径", limit=500, required=False),
        "provision_method": _text(data.provision_method, "provision_method", "提供方式", limit=200, required=False),
        "reasons": _text(data.reasons, "reasons", "理由", required=False),
        "competent_agency": _text(data.competent_agency, "competent_agency", "负责机关", limit=200, required=False),
        "reference": _text(data.reference, "reference", "原申请编号", limit=100, required=False),
    }
    missing = {field: "必填" for field in REQUIRED_CONTENT[data.kind] if not values[field]}
    if data.kind == AnswerKind.NOT_OURS and missing and values["reasons"]:
        missing = {}  # the right agency cannot be determined: the reasons say so
    if missing:
        what = "、".join(REQUIRED_CONTENT[data.kind][field] for field in missing)
        label = AnswerKind(data.kind).label
        raise ApplicationError(DisclosureError.ANSWER_INCOMPLETE, f"“{label}”的答复须写明{what}。", missing)
    allowed = RESULT_DETAILS[data.kind]
    detail = data.result_detail or ""
    if not detail and data.kind in DETAIL_REQUIRED:
        label = AnswerKind(data.kind).label
        raise ApplicationError(
            DisclosureError.ANSWER_INCOMPLETE, f"“{label}”的答复须选择具体情形。", {"result_detail": "必填"}
        )
    if detail and detail not in allowed:
        choices = "、".join(ResultDetail(d).label for d in allowed if d)
        raise ApplicationError(
            DisclosureError.INVALID_INPUT,
            f"“{AnswerKind(data.kind).label}”的具体情形只能是：{choices or '无'}。",
            {"result_detail": "不适用"},
        )
    values["result_detail"] = detail or allowed[0]
    if data.fee_basis not in FeeBasis.values:
        raise ApplicationError(DisclosureError.INVALID_INPUT, "请选择收费方式。", {"fee_basis": "无效"})
    if data.fee_basis != FeeBasis.NONE and data.kind != AnswerKind.DISCLOSED:
        raise ApplicationError(
            DisclosureError.INVALID_INPUT, "只有予以公开并提供信息时才能收取信息处理费。", {"fee_basis": "不适用"}
        )
    if isinstance(data.pages, bool) or not isinstance(data.pages, int) or not 0 <= data.pages <= 100000:
        raise ApplicationError(DisclosureError.INVALID_INPUT, "页数应为 0 至 100000 的整数。", {"pages": "无效"})
    if data.fee_basis == FeeBasis.PAGES and data.pages < 1:
        raise ApplicationError(DisclosureError.INVALID_INPUT, "按量计收须填写提供的页数。", {"pages": "必填"})
    return values


def applicant_keys(id_number: str, name: str) -> list[str]:
    """The key of an applicant without an account, by ID number (else name), under every data key,
    the current one first (docs/rules.md §9, "Data keys")."""
    key = id_number.strip().upper() or name.strip()
    return ["id:" + index[:60] for index in blind_indexes(key, purpose="disclosure.applicant")]


def fee_for(disclosure_request: DisclosureRequest, *, fee_basis: str, pages: int) -> Decimal:
    """The fee of this request by the applicant's running total in the calendar month of receipt."""
    if fee_basis == FeeBasis.NONE:
        return Decimal("0")
    received = disclosure_request.received_on or workdays.today()
    keys = [disclosure_request.applicant_key]
    if disclosure_request.applicant_key.startswith("id:"):  # made under some data key: look under each
        keys += applicant_keys(disclosure_request.id_number, disclosure_request.applicant_name)
    month = DisclosureRequest.objects.filter(
        applicant_key__in=keys,
        received_on__year=received.year,
        received_on__month=received.month,
    ).exclude(pk=disclosure_request.pk)
    if fee_basis == FeeBasis.REQUESTS:
        earlier = month.filter(pk__lt=disclosure_request.pk).count()
        return fees.request_fee(earlier_requests=earlier)
    earlier_pages = (
        month.filter(state=State.ANSWERED, fee_basis=FeeBasis.PAGES).aggregate(total=Sum("pages"))["total"] or 0
    )
    return fees.pages_fee(earlier_pages=earlier_pages, pages=pages)


def request_answer(
    *, actor: Actor, disclosure_request: DisclosureRequest, answer: AnswerData, on: date | None = None
) -> DisclosureRequest:
    """Answer the request with one of the seven kinds (Art. 36); the clock stops."""
    with audited_write(actor, DisclosureAction.REQUEST_ANSWER, disclosure_request) as write:
        locked = _staff_step(write, disclosure_request, "answer")
        values = check_answer(answer)
        day = _day(on)
        locked.answer_kind = answer.kind
        locked.result_detail = values["result_detail"]
        locked.answer_text = values["text"]
        locked.public_location = values["public_location"]
        locked.provision_method = values["provision_method"]
        locked.reasons = values["reasons"]
        locked.competent_agency = values["competent_agency"]
        locked.reference = values["reference"]
        locked.pages = answer.pages
        locked.fee_basis = answer.fee_basis
        locked.fee = fee_for(locked, fee_basis=answer.fee_basis, pages=answer.pages)
        locked.answered_on = day
        locked.answered_by = actor.user
        REQUEST.move(locked, "answer")
        timer = supervision_services.live_timer(locked, REQUEST_TIMER)
        on_time = None
        _done(write, locked, kind=answer.kind, fee=str(locked.fee))
        if timer is not None:
            on_time = supervision_services.timer_finish(actor=actor, timer=timer, when=day).finished_on_time
        write.note(on_time=on_time)
        fee_text = f"，信息处理费 {locked.fee} 元（{locked.get_fee_basis_display()}）" if locked.fee else ""
        _tell(
            locked,
            actor=actor,
            action="作出答复",
            text=f"机关已作出答复：{locked.get_answer_kind_display()}{fee_text}。请登录查看答复内容。",
        )
    return locked


def request_withdraw(*, actor: Actor, disclosure_request: DisclosureRequest, reason: str = "") -> DisclosureRequest:
    """The applicant withdraws an open request."""
    with audited_write(actor, DisclosureAction.REQUEST_WITHDRAW, disclosure_request) as write:
        locked = _lock(write, disclosure_request)
        _require_applicant(actor, locked)
        REQUEST.check(locked, "withdraw")
        reason = _text(reason, "reason", "撤回原因", limit=500, required=False) or "申请人撤回申请"
        supervision_services.live_timer_cancel(actor=actor, target=locked, kind=REQUEST_TIMER, reason="申请人撤回申请")
        REQUEST.move(locked, "withdraw")
        locked.close_reason = reason
        locked.closed_on = workdays.today()
        locked.result_detail = ResultDetail.OTHER
        _done(write, locked, reason=reason)
        _tell(locked, actor=actor, action="撤回申请", text=f"您已撤回申请：{reason}")
    return locked


def request_close_uncorrected(
    *, actor: Actor, disclosure_request: DisclosureRequest, reason: str, on: date | None = None
) -> DisclosureRequest:
    """Art. 30: an applicant who does not correct within the time given is deemed to give up."""
    with audited_write(actor, DisclosureAction.REQUEST_CLOSE, disclosure_request) as write:
        locked = _staff_step(write, disclosure_request, "close_uncorrected")
        reason = _text(reason, "reason", "终止原因", limit=500)
        day = _day(on)
        if locked.correction_sent_on is not None and day < locked.correction_sent_on:
            raise ApplicationError(DisclosureError.INVALID_INPUT, "终止日期不能早于补正告知日期。", {"on": "无效"})
        REQUEST.move(locked, "close_uncorrected")
        locked.close_reason = reason
        locked.closed_on = day
        locked.result_detail = ResultDetail.UNCORRECTED
        _done(write, locked, reason=reason)
        _tell(locked, actor=actor, action="终止办理", text=f"因未在期限内补正，视为放弃申请：{reason}")
    return locked
