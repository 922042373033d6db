"""The receiving side: 签收/退回 → 登记 → 初审 → 批办 → 承办 → 传阅/催办 → 办结 → 归档, and the clocks."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from zhengwu.accounts.models import Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.documents import services
from zhengwu.documents.models import Delivery, Handler, Reading, Urging
from zhengwu.documents.services import Assignment
from zhengwu.documents.tests.conftest import issued, registered
from zhengwu.supervision.models import Timer
from zhengwu.supervision.services import live_timer

pytestmark = pytest.mark.django_db
BEIJING = ZoneInfo("Asia/Shanghai")


def test_sign_register_review_instruct_handle_finish_archive(
    market_clerk: User,
    market_leader: User,
    market_dept: Department,
    police_clerk: User,
    police_leader: User,
    police_dept: Department,
) -> None:
    document = issued(market_clerk, market_leader, market_dept, [police_dept])
    delivery = Delivery.objects.get(document=document)
    clerk, leader = Actor.person(police_clerk), Actor.person(police_leader)
    assert live_timer(delivery, services.SIGN_TIMER) is not None
    services.delivery_sign(actor=clerk, delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.state == "signed" and delivery.signed_by == police_clerk and delivery.signed_at is not None
    assert live_timer(delivery, services.SIGN_TIMER) is None
    assert Timer.objects.get(kind=services.SIGN_TIMER).state == Timer.State.FINISHED
    services.delivery_register(actor=clerk, delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.receipt_number.startswith("收〔") and delivery.receipt_number.endswith("1号")
    services.delivery_review(actor=clerk, delivery=delivery, proposal="拟请刘处长阅示，治安总队承办。")
    with pytest.raises(ApplicationError):  # the clerk does not instruct
        services.delivery_instruct(actor=clerk, delivery=delivery, instruction="同意")
    services.delivery_instruct(actor=leader, delivery=delivery, instruction="请治安总队牵头办理。")
    deadline = workdays.add_workdays(workdays.today(), 5)
    services.delivery_assign(
        actor=leader,
        delivery=delivery,
        lead=Assignment(police_clerk, deadline),
        co=[Assignment(police_leader, workdays.add_workdays(workdays.today(), 3))],
    )
    handlers = list(Handler.objects.filter(delivery=delivery).order_by("role"))
    assert [h.role for h in handlers] == ["co", "lead"]
    timers = Timer.objects.filter(kind=services.HANDLE_TIMER, state=Timer.State.RUNNING)
    assert sorted(t.deadline for t in timers) == sorted([deadline, workdays.add_workdays(workdays.today(), 3)])
    services.delivery_read(actor=leader, delivery=delivery)
    services.delivery_read(actor=leader, delivery=delivery)  # read once, the first time kept
    assert Reading.objects.filter(delivery=delivery).count() == 1
    services.delivery_urge(actor=Actor.person(market_clerk), delivery=delivery, message="请抓紧办理并反馈。")
    assert Urging.objects.filter(delivery=delivery).count() == 1
    services.handler_done(actor=leader, handler=handlers[0], note="已配合")
    services.delivery_finish(actor=clerk, delivery=delivery, answer="已按要求完成专项检查。")
    assert not Timer.objects.filter(state=Timer.State.RUNNING).exists()
    services.delivery_archive(actor=clerk, delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.state == "archived"
    from zhengwu.documents import archive, storage

    package = storage.read(delivery.archive_path)
    assert archive.check(package)
    import io
    import json
    import zipfile

    with zipfile.ZipFile(io.BytesIO(package)) as opened:
        names = set(opened.namelist())
        record = json.loads(opened.read("record.json"))
    assert {"document.pdf", "document.pdf.seal.json", "record.json", "manifest.json"} <= names
    assert record["receipt"]["instruction"] == "请治安总队牵头办理。" and len(record["readings"]) == 1


def test_return_at_signing_and_at_first_review(
    market_clerk: User,
    market_leader: User,
    market_dept: Department,
    police_clerk: User,
    police_dept: Department,
    office_dept: Department,
    egov: User,
) -> None:
    from zhengwu.accounts.models import Role
    from zhengwu.conftest import make_staff

    office_clerk = make_staff("office_clerk", office_dept, Role.CLERK)
    document = issued(market_clerk, market_leader, market_dept, [police_dept, office_dept])
    to_police = Delivery.objects.get(document=document, department=police_dept)
    to_office = Delivery.objects.get(document=document, department=office_dept)
    with pytest.raises(ApplicationError) as error:
        services.delivery_return(actor=Actor.person(police_clerk), delivery=to_police, reason="incomplete")
    assert error.value.code == "documents.reason_required"
    services.delivery_return(actor=Actor.person(police_clerk), delivery=to_police, reason="not_ours")
    to_police.refresh_from_db()
    assert to_police.state == "returned" and to_police.return_reason == "not_ours"
    assert live_timer(to_police, services.SIGN_TIMER) is None
    clerk = Actor.person(office_clerk)
    services.delivery_sign(actor=clerk, delivery=to_office)
    services.delivery_register(actor=clerk, delivery=to_office)
    services.delivery_return(actor=clerk, delivery=to_office, reason="non_compliant", comment="缺少附件。")
    to_office.refresh_from_db()
    assert to_office.state == "returned" and to_office.return_comment == "缺少附件。"


def test_a_clerk_acts_only_on_deliveries_to_their_department(
    market_clerk: User,
    market_leader: User,
    market_dept: Department,
    police_clerk: User,
    police_dept: Department,
    citizen: User,
) -> None:
    document = issued(market_clerk, market_leader, market_dept, [police_dept])
    delivery = Delivery.objects.get(document=document)
    for actor in [Actor.person(market_clerk), Actor.person(citizen), Actor.anonymous(), Actor.person(market_leader)]:
        before = AuditEvent.objects.count()
        with pytest.raises(ApplicationError):
            services.delivery_sign(actor=actor, delivery=delivery)
        refused = AuditEvent.objects.order_by("seq")[before:].get()
        assert (refused.action, refused.outcome) == ("documents.delivery.sign", "denied")
    delivery.refresh_from_db()
    assert delivery.state == "delivered" and delivery.signed_at is None


@pytest.mark.parametrize(
    ("urgency", "unit"), [("", Timer.Unit.WORKDAY), ("urgent", Timer.Unit.WORKDAY), ("extra_urgent", Timer.Unit.MINUTE)]
)
def test_sign_clock_across_national_day(
    market_clerk: User,
    market_leader: User,
    market_dept: Department,
    police_dept: Department,
    urgency: str,
    unit: str,
    settings: object,
) -> None:
    """Delivered on the last working day before the National Day holiday (2026-09-30, 16:00)."""
    document = registered(market_clerk, market_leader, market_dept, [police_dept], urgency=urgency)
    clerk = Actor.person(market_clerk)
    services.document_print(actor=clerk, document=document)
    when = datetime(2026, 9, 30, 16, 0, tzinfo=BEIJING)
    services.document_issue(actor=clerk, document=document, when=when)
    timer = Timer.objects.get(kind=services.SIGN_TIMER)
    assert timer.unit == unit
    limit, _ = services.sign_limit(urgency)
    if unit == Timer.Unit.WORKDAY:
        assert timer.deadline == workdays.add_workdays(date(2026, 9, 30), limit)
        assert timer.deadline > date(2026, 10, 7)  # the holiday's days do not count
        assert all(not workdays.is_workday(date(2026, 10, d)) for d in range(1, 8))
    else:
        assert timer.deadline_at == when + timedelta(minutes=limit)


def test_handling_clock_across_a_holiday(
    market_clerk: User,
    market_leader: User,
    market_dept: Department,
    police_clerk: User,
    police_leader: User,
    police_dept: Department,
) -> None:
    document = issued(market_clerk, market_leader, market_dept, [police_dept])
    delivery = Delivery.objects.get(document=document)
    clerk, leader = Actor.person(police_clerk), Actor.person(police_leader)
    services.delivery_sign(actor=clerk, delivery=delivery)
    services.delivery_register(actor=clerk, delivery=delivery)
    services.delivery_review(actor=clerk, delivery=delivery)
    services.delivery_instruct(actor=leader, delivery=delivery, instruction="请办理")
    start = datetime(2026, 9, 29, 10, 0, tzinfo=BEIJING)
    deadline = date(2026, 10, 9)
    services.delivery_assign(actor=leader, delivery=delivery, lead=Assignment(police_clerk, deadline), when=start)
    timer = Timer.objects.get(kind=services.HANDLE_TIMER)
    assert timer.deadline == deadline
    assert timer.limit == workdays.workdays_between(date(2026, 9, 29), deadline) < 10
    for too_early_or_late in (date(2026, 9, 29), date(2099, 12, 31)):  # refused, not a server error
        with pytest.raises(ApplicationError):
            services.delivery_assign(
                actor=leader, delivery=delivery, lead=Assignment(police_clerk, too_early_or_late), when=start
            )
