"""依申请公开: receipt dates, correction restart, extension, third-party pause, answers, fees, refusals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from zhengwu.accounts import sms
from zhengwu.accounts.models import Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.disclosure.models import AnswerKind, DisclosureRequest, FeeBasis, RequestEvent
from zhengwu.disclosure.services import AnswerData, ApplicantData
from zhengwu.disclosure.services import requests as rs
from zhengwu.supervision.models import Timer
from zhengwu.supervision.selectors import timer_for

pytestmark = pytest.mark.django_db
LIU = ApplicantData(
    name="刘明", id_number="11010519491231002X", phone="13900001111", address="长春市南关区人民大街 1 号"
)


def register(user: User, department: Department, on: date | None = None, **kw: Any) -> DisclosureRequest:
    channel = kw.pop("channel", "post" if on else "in_person")
    return rs.request_register(
        actor=Actor.person(user),
        department=department,
        channel=channel,
        applicant=kw.pop("applicant", LIU),
        description=kw.pop("description", "2025 年度食品生产许可证核发情况"),
        received_on=on,
        **kw,
    )


def timer(req: DisclosureRequest) -> Timer:
    found = timer_for(req, rs.REQUEST_TIMER)
    assert found is not None
    return found


# --- receipt date by channel (Art. 31) ------------------------------------------------------


def test_in_person_counts_from_today(market_clerk: User, market_dept: Department) -> None:
    req = register(market_clerk, market_dept)
    today = workdays.today()
    assert req.received_on == today and req.state == "processing"
    assert timer(req).deadline == workdays.add_workdays(today, 20)


def test_post_counts_from_the_day_signed_for(market_clerk: User, market_dept: Department) -> None:
    req = register(market_clerk, market_dept, on=date(2026, 9, 25))
    assert req.received_on == date(2026, 9, 25)
    assert timer(req).deadline == date(2026, 10, 29)  # 20 working days over 国庆 (see test_publications)


def test_post_needs_the_signed_for_date(market_clerk: User, market_dept: Department) -> None:
    with pytest.raises(ApplicationError) as caught:
        rs.request_register(
            actor=Actor.person(market_clerk),
            department=market_dept,
            channel="post",
            applicant=LIU,
            description="某文件",
        )
    assert "received_on" in caught.value.fields
    assert DisclosureRequest.objects.count() == 0


def test_online_counts_from_confirmation(citizen: User, market_clerk: User, market_dept: Department) -> None:
    req = rs.request_submit_online(
        actor=Actor.person(citizen), department=market_dept, description="某企业行政处罚决定书"
    )
    assert req.state == "submitted" and req.received_on is None
    assert timer_for(req, rs.REQUEST_TIMER) is None
    req = rs.request_confirm_receipt(actor=Actor.person(market_clerk), disclosure_request=req)
    today = workdays.today()
    assert req.received_on == today and timer(req).deadline == workdays.add_workdays(today, 20)
    assert req.number.startswith("YSQ") and req.applicant_name == "张三"


# --- correction (Art. 30) ------------------------------------------------------------------


def test_correction_restarts_the_clock(market_clerk: User, market_dept: Department) -> None:
    req = register(market_clerk, market_dept, on=date(2026, 9, 25))
    first = timer(req)
    req = rs.request_ask_correction(
        actor=Actor.person(market_clerk),
        disclosure_request=req,
        items="请写明文件名称或文号；请写明年份",
        on=date(2026, 10, 9),
    )
    first.refresh_from_db()
    assert req.state == "correction" and first.state == Timer.State.CANCELLED
    req = rs.request_correct(
        actor=Actor.person(market_clerk),
        disclosure_request=req,
        description="2025 年食品生产许可证核发名单",
        on=date(2026, 10, 20),
    )
    second = timer(req)
    assert second.pk != first.pk and second.start_date == date(2026, 10, 20)
    # Full 20 working days again from Tue 20 Oct: 21–23 Oct, 26–30 Oct, 2–6 Nov, 9–13 Nov, 16–17 Nov.
    assert second.deadline == date(2026, 11, 17)
    assert req.clock_start == date(2026, 10, 20)


def test_correction_only_within_seven_working_days(market_clerk: User, market_dept: Department) -> None:
    req = register(market_clerk, market_dept, on=date(2026, 9, 25))
    # Working days after Fri 25 Sep: 28, 29, 30 Sep, (国庆) 8, 9, 10 (调休 Saturday), 12 Oct = day 7.
    with pytest.raises(ApplicationError) as caught:
        rs.request_ask_correction(
            actor=Actor.person(market_clerk), disclosure_request=req, items="请补正", on=date(2026, 10, 13)
        )
    assert caught.value.code == "disclosure.correction_late"
    req.refresh_from_db()
    assert req.state == "processing" and timer(req).state == Timer.State.RUNNING
    rs.request_ask_correction(
        actor=Actor.person(market_clerk), disclosure_request=req, items="请补正", on=date(2026, 10, 12)
    )


def test_correction_only_once(market_clerk: User, market_dept: Department) -> None:
    req = register(market_clerk, market_dept)
    req = rs.request_ask_correction(actor=Actor.person(market_clerk), disclosure_request=req, items="请写明文号")
    req = rs.request_correct(
        actor=Actor.person(market_clerk), disclosure_request=req, description="文号 吉市监发〔2025〕3号"
    )
    with pytest.raises(ApplicationError) as caught:
        rs.request_ask_correction(actor=Actor.person(market_clerk), disclosure_request=req, items="再补正")
    assert caught.value.code == "disclosure.correction_once"


def test_applicant_corrects_online(citizen: User, market_clerk: User, market_dept: Department) -> None:
    req = rs.request_submit_online(actor=Actor.person(citizen), department=market_dept, description="某文件")
    req = rs.request_confirm_receipt(actor=Actor.person(market_clerk), disclosure_request=req)
    req = rs.request_ask_correction(actor=Actor.person(market_clerk), disclosure_request=req, items="请写明文件名称")
    req = rs.request_correct(
        actor=Actor.person(citizen), disclosure_request=req, description="《关于食品安全抽检的通告》"
    )
    assert req.state == "processing" and req.corrected_on == workdays.today()


# --- extension (Art. 33) -------------------------------------------------------------------


def test_extension_once_at_most_20_by_a_leader(
    market_clerk: User, market_leader: User, police_leader: User, market_dept: Department
) -> None:
    req = register(market_clerk, market_dept)
    deadline = timer(req).deadline
    for actor in (market_clerk, police_leader):
        with pytest.raises(ApplicationError) as caught:
            rs.request_extend(actor=Actor.person(actor), disclosure_request=req, days=10, reason="需要调取档案")
        assert caught.value.status == 403
    for days in (0, 21, -5):
        with pytest.raises(ApplicationError) as caught:
            rs.request_extend(
                actor=Actor.person(market_leader), disclosure_request=req, days=days, reason="需要调取档案"
            )
        assert caught.value.code == "disclosure.extension_too_long"
    req.refresh_from_db()
    assert req.extension_days == 0 and timer(req).deadline == deadline
    req = rs.request_extend(actor=Actor.person(market_leader), disclosure_request=req, days=20, reason="需要调取档案")
    assert timer(req).deadline == workdays.add_workdays(deadline, 20)
    assert req.extension_approved_by == market_leader
    with pytest.raises(ApplicationError) as caught:
        rs.request_extend(actor=Actor.person(market_leader), disclosure_request=req, days=1, reason="再延长")
    assert caught.value.code == "disclosure.extension_once"
    assert RequestEvent.objects.filter(request=req, action="延长答复期限").count() == 1


# --- third-party consultation (Art. 32) --------------------------------------------------


def test_third_party_time_is_not_counted(market_clerk: User, market_dept: Department) -> None:
    req = register(market_clerk, market_dept, on=date(2026, 9, 25))
    req = rs.request_consult_start(
        actor=Actor.person(market_clerk), disclosure_request=req, third_party="长春某食品有限公司", on=date(2026, 10, 9)
    )
    assert req.state == "consulting" and timer(req).state == Timer.State.PAUSED
    assert rs.consult_due(req) == workdays.add_workdays(date(2026, 10, 9), 15)
    req = rs.request_consult_end(
        actor=Actor.person(market_clerk), disclosure_request=req, view="不同意公开商业秘密部分", on=date(2026, 10, 16)
    )
    # Paused 10 (Sat, 调休), 12–16 Oct = 6 working days: 29 Oct + 6 → 6 Nov.
    assert timer(req).state == Timer.State.RUNNING and timer(req).deadline == date(2026, 11, 6)
    req = rs.request_answer(
        actor=Actor.person(market_clerk),
        disclosure_request=req,
        answer=AnswerData(kind=AnswerKind.DISCLOSED, provision_method="电子邮件发送（商业秘密部分已删除）"),
        on=date(2026, 11, 5),
    )
    finished = timer_for(req, rs.REQUEST_TIMER)
    assert finished is not None and finished.state == Timer.State.FINISHED and finished.finished_on_time is True


def test_third_party_pause_counts_at_most_fifteen_days(market_clerk: User, market_dept: Department) -> None:
    req = register(market_clerk, market_dept, on=date(2026, 9, 1))
    before = timer(req).deadline
    rs.request_consult_start(
        actor=Actor.person(market_clerk), disclosure_request=req, third_party="某公司", on=date(2026, 9, 2)
    )
    req = rs.request_consult_end(
        actor=Actor.person(market_clerk), disclosure_request=req, view="逾期未答复", on=date(2026, 11, 2)
    )
    assert timer(req).deadline == workdays.add_workdays(before, 15)


# --- answers (Art. 36) ---------------------------------------------------------------------


REQUIRED = {
    AnswerKind.ALREADY_PUBLIC: ("public_location", "吉林省市场监督管理厅门户网站“政府信息公开”栏目"),
    AnswerKind.DISCLOSED: ("provision_method", "电子邮件"),
    AnswerKind.REFUSED: ("reasons", "属于国家秘密，依据条例第十四条不予公开"),
    AnswerKind.NOT_EXIST: ("reasons", "经检索，本机关未制作或获取该信息"),
    AnswerKind.NOT_OURS: ("competent_agency", "吉林省财政厅"),
    AnswerKind.REPEAT: ("reference", "YSQ20260901000001"),
    AnswerKind.SPECIAL: ("reasons", "请依照《不动产登记暂行条例》向不动产登记机构申请查询"),
}


@pytest.mark.parametrize("kind", list(REQUIRED))
def test_each_answer_kind_needs_its_content(kind: str, market_clerk: User, market_dept: Department) -> None:
    req = register(market_clerk, market_dept)
    field, value = REQUIRED[kind]
    with pytest.raises(ApplicationError) as caught:
        rs.request_answer(actor=Actor.person(market_clerk), disclosure_request=req, answer=AnswerData(kind=kind))
    assert caught.value.code == "disclosure.answer_incomplete" and field in caught.value.fields
    req.refresh_from_db()
    assert req.state == "processing" and timer(req).state == Timer.State.RUNNING
    detail = {"result_detail": "state_secret"} if kind == AnswerKind.REFUSED else {}
    answer = AnswerData(kind=kind, **{field: value}, **detail)  # type: ignore[arg-type]
    req = rs.request_answer(actor=Actor.person(market_clerk), disclosure_request=req, answer=answer)
    assert req.state == "answered" and req.answer_kind == kind and getattr(req, field) == value
    assert timer_for(req, rs.REQUEST_TIMER).state == Timer.State.FINISHED  # type: ignore[union-attr]


def test_not_ours_may_explain_instead_of_naming(market_clerk: User, market_dept: Department) -> None:
    req = register(market_clerk, market_dept)
    answer = AnswerData(kind=AnswerKind.NOT_OURS, reasons="经查，无法确定负责公开该信息的机关")
    assert (
        rs.request_answer(actor=Actor.person(market_clerk), disclosure_request=req, answer=answer).state == "answered"
    )


def test_unknown_kind_and_fee_on_refusal_are_rejected(market_clerk: User, market_dept: Department) -> None:
    req = register(market_clerk, market_dept)
    for answer in (
        AnswerData(kind="maybe"),
        AnswerData(kind=AnswerKind.REFUSED, reasons="国家秘密", fee_basis=FeeBasis.REQUESTS),
        AnswerData(kind=AnswerKind.DISCLOSED, provision_method="邮寄", fee_basis=FeeBasis.PAGES, pages=0),
    ):
        with pytest.raises(ApplicationError):
            rs.request_answer(actor=Actor.person(market_clerk), disclosure_request=req, answer=answer)
    req.refresh_from_db()
    assert req.state == "processing" and req.answer_kind == ""


# --- fees (Art. 42) ------------------------------------------------------------------------


def test_fee_by_requests_counts_the_applicants_month(market_clerk: User, market_dept: Department) -> None:
    reqs = [register(market_clerk, market_dept, on=date(2026, 10, 9), description=f"文件 {i}") for i in range(11)]
    other_month = register(market_clerk, market_dept, on=date(2026, 9, 30), description="上月的申请")
    disclosed = AnswerData(kind=AnswerKind.DISCLOSED, provision_method="电子邮件", fee_basis=FeeBasis.REQUESTS)
    assert rs.request_answer(actor=Actor.person(market_clerk), disclosure_request=reqs[9], answer=disclosed).fee == 0
    assert rs.request_answer(
        actor=Actor.person(market_clerk), disclosure_request=reqs[10], answer=disclosed
    ).fee == Decimal(100)
    assert (
        rs.request_answer(actor=Actor.person(market_clerk), disclosure_request=other_month, answer=disclosed).fee == 0
    )


def test_fee_by_pages_accumulates(market_clerk: User, market_dept: Department) -> None:
    first, second = (register(market_clerk, market_dept, on=date(2026, 10, 9), description=d) for d in ("甲", "乙"))
    pages = AnswerData(kind=AnswerKind.DISCLOSED, provision_method="邮寄纸质", fee_basis=FeeBasis.PAGES, pages=40)
    assert rs.request_answer(actor=Actor.person(market_clerk), disclosure_request=first, answer=pages).fee == Decimal(
        100
    )
    assert rs.request_answer(actor=Actor.person(market_clerk), disclosure_request=second, answer=pages).fee == Decimal(
        400
    )


# --- notification, audit, refusals ---------------------------------------------------------


def test_every_step_is_told_and_audited(
    market_clerk: User, market_dept: Department, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        req = register(market_clerk, market_dept)
        rs.request_ask_correction(actor=Actor.person(market_clerk), disclosure_request=req, items="请写明文号")
        rs.request_correct(actor=Actor.person(market_clerk), disclosure_request=req, description="吉市监发〔2025〕3号")
        rs.request_answer(
            actor=Actor.person(market_clerk),
            disclosure_request=req,
            answer=AnswerData(kind="disclosed", provision_method="邮寄"),
        )
    actions = list(req.events.order_by("id").values_list("action", flat=True))
    assert actions == ["登记收到", "告知补正", "收到补正", "作出答复"]
    assert [phone for phone, _ in sms.outbox] == ["13900001111"] * 4
    audited = AuditEvent.objects.filter(action__startswith="disclosure.request_").order_by("seq")
    assert list(audited.values_list("action", flat=True)) == [
        "disclosure.request_register",
        "disclosure.request_ask_correction",
        "disclosure.request_correct",
        "disclosure.request_answer",
    ]


@pytest.mark.parametrize("who", ["outsider", "citizen", "police_clerk", "police_leader", "sys_admin"])
def test_staff_steps_refuse_everyone_else(
    who: str, request: pytest.FixtureRequest, market_clerk: User, market_dept: Department
) -> None:
    user = request.getfixturevalue(who)
    actor = Actor.person(user)
    req = register(market_clerk, market_dept)
    before = (AuditEvent.objects.count(), RequestEvent.objects.count(), Timer.objects.count())
    calls = {
        "disclosure.request_ask_correction": lambda: rs.request_ask_correction(
            actor=actor, disclosure_request=req, items="补正"
        ),
        "disclosure.request_consult_start": lambda: rs.request_consult_start(
            actor=actor, disclosure_request=req, third_party="某公司"
        ),
        "disclosure.request_extend": lambda: rs.request_extend(
            actor=actor, disclosure_request=req, days=5, reason="理由"
        ),
        "disclosure.request_answer": lambda: rs.request_answer(
            actor=actor, disclosure_request=req, answer=AnswerData(kind="disclosed", provision_method="邮寄")
        ),
        "disclosure.request_register": lambda: register(user, market_dept),
    }
    for call in calls.values():
        with pytest.raises(ApplicationError) as caught:
            call()
        assert caught.value.status == 403
    req.refresh_from_db()
    assert req.state == "processing" and req.extension_days == 0
    # Nothing was written but one audited refusal per attempt.
    assert (RequestEvent.objects.count(), Timer.objects.count()) == before[1:]
    refused = AuditEvent.objects.order_by("seq")[before[0] :]
    assert [(e.action, e.outcome, e.actor_id) for e in refused] == [
        (action, AuditEvent.Outcome.DENIED, user.pk) for action in calls
    ]


def test_applicant_steps_refuse_other_people(
    citizen: User, outsider: User, market_clerk: User, market_dept: Department
) -> None:
    req = rs.request_submit_online(actor=Actor.person(citizen), department=market_dept, description="某文件")
    rs.request_confirm_receipt(actor=Actor.person(market_clerk), disclosure_request=req)
    rs.request_ask_correction(actor=Actor.person(market_clerk), disclosure_request=req, items="请写明文号")
    for call in (
        lambda: rs.request_correct(actor=Actor.person(outsider), disclosure_request=req, description="冒充补正"),
        lambda: rs.request_withdraw(actor=Actor.person(outsider), disclosure_request=req),
    ):
        with pytest.raises(ApplicationError) as caught:
            call()
        assert caught.value.status == 404
    req.refresh_from_db()
    assert req.state == "correction" and req.description == "某文件"
    refused = AuditEvent.objects.filter(actor=outsider).order_by("seq")
    assert [(e.action, e.outcome) for e in refused] == [
        ("disclosure.request_correct", AuditEvent.Outcome.DENIED),
        ("disclosure.request_withdraw", AuditEvent.Outcome.DENIED),
    ]
    with pytest.raises(ApplicationError):
        rs.request_submit_online(
            actor=Actor.person(market_clerk), department=market_dept, description="工作人员不能网上申请"
        )


def test_withdraw_cancels_the_clock(citizen: User, market_clerk: User, market_dept: Department) -> None:
    req = rs.request_submit_online(actor=Actor.person(citizen), department=market_dept, description="某文件")
    req = rs.request_confirm_receipt(actor=Actor.person(market_clerk), disclosure_request=req)
    req = rs.request_withdraw(actor=Actor.person(citizen), disclosure_request=req, reason="已在网站上找到")
    assert req.state == "closed" and timer_for(req, rs.REQUEST_TIMER).state == Timer.State.CANCELLED  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("kw", "field"),
    [({"description": " "}, "description"), ({"applicant": ApplicantData(name="")}, "applicant_name")],
)
def test_bad_request_input_changes_nothing(kw: dict, field: str, market_clerk: User, market_dept: Department) -> None:
    with pytest.raises(ApplicationError) as caught:
        register(market_clerk, market_dept, **kw)
    assert field in caught.value.fields
    assert DisclosureRequest.objects.count() == 0 and Timer.objects.count() == 0


def test_a_second_answer_is_refused(market_clerk: User, market_dept: Department) -> None:
    """Two clerks answering the same request: the row is locked and the state re-checked, so the
    second (here: the later) one gets a clear error and the first answer stands."""
    req = register(market_clerk, market_dept)
    rs.request_answer(
        actor=Actor.person(market_clerk),
        disclosure_request=req,
        answer=AnswerData(kind="disclosed", provision_method="邮寄"),
    )
    with pytest.raises(ApplicationError) as caught:
        rs.request_answer(
            actor=Actor.person(market_clerk),
            disclosure_request=req,
            answer=AnswerData(kind="refused", reasons="国家秘密"),
        )
    assert caught.value.code == "disclosure.wrong_state"
    assert caught.value.status == 409
    req.refresh_from_db()
    assert req.answer_kind == "disclosed"
    failed = AuditEvent.objects.get(action="disclosure.request_answer", outcome=AuditEvent.Outcome.FAILURE)
    assert failed.details["code"] == "disclosure.wrong_state" and failed.target_id == str(req.pk)
    assert RequestEvent.objects.filter(request=req, action="作出答复").count() == 1


def test_bad_input_is_an_audited_failure_that_changes_nothing(market_clerk: User, market_dept: Department) -> None:
    req = register(market_clerk, market_dept)
    before = RequestEvent.objects.count()
    with pytest.raises(ApplicationError) as caught:
        rs.request_consult_start(actor=Actor.person(market_clerk), disclosure_request=req, third_party="  ")
    assert caught.value.fields == {"third_party": "必填"}
    req.refresh_from_db()
    assert req.state == "processing" and timer(req).state == Timer.State.RUNNING
    assert RequestEvent.objects.count() == before
    failed = AuditEvent.objects.get(action="disclosure.request_consult_start")
    assert failed.outcome == AuditEvent.Outcome.FAILURE and failed.actor == market_clerk
    assert failed.details["fields"] == {"third_party": "必填"}
    assert not AuditEvent.objects.filter(action__startswith="supervision.timer_pause").exists()


def test_the_platform_may_act_as_staff(market_dept: Department) -> None:
    req = rs.request_register(
        actor=Actor.platform(), department=market_dept, channel="in_person", applicant=LIU, description="某文件"
    )
    req = rs.request_answer(
        actor=Actor.platform(), disclosure_request=req, answer=AnswerData(kind="disclosed", provision_method="邮寄")
    )
    assert req.state == "answered" and req.answered_by is None
    event = AuditEvent.objects.get(action="disclosure.request_answer")
    assert event.actor_kind == AuditEvent.ActorKind.SYSTEM and event.outcome == AuditEvent.Outcome.SUCCESS


def test_an_anonymous_visitor_is_refused_and_recorded(market_clerk: User, market_dept: Department) -> None:
    req = register(market_clerk, market_dept)
    with pytest.raises(ApplicationError) as caught:
        rs.request_withdraw(actor=Actor.anonymous(ip="192.0.2.9"), disclosure_request=req)
    assert caught.value.status == 404
    event = AuditEvent.objects.get(action="disclosure.request_withdraw")
    assert (event.outcome, event.ip, event.actor_kind) == (
        AuditEvent.Outcome.DENIED,
        "192.0.2.9",
        AuditEvent.ActorKind.ANONYMOUS,
    )
