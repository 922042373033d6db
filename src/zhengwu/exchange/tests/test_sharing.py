"""Share rules (docs/rules.md §3): unconditional at once, conditional within 10 working days with reasons
on refusal, 不予共享 only through the e-gov office; revocation; objections. Every refusal of an
actor changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from zhengwu.accounts.models import User
from zhengwu.audit.models import AuditEvent
from zhengwu.catalog.models import Resource, ShareType
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.exchange.sharing import services as sharing
from zhengwu.exchange.sharing.models import Grant, Objection, ShareRequest
from zhengwu.exchange.store import tables as store
from zhengwu.exchange.tests import test_sharing_helpers as helpers
from zhengwu.exchange.tests.test_sharing_helpers import CITIZEN_ID, PURPOSE, request_people
from zhengwu.supervision import selectors as supervision_selectors

people, companies, market_grant = helpers.people, helpers.companies, helpers.market_grant


pytestmark = pytest.mark.django_db


def request_companies(user: User, resource: Resource) -> ShareRequest:
    return sharing.share_request_create(
        actor=Actor.person(user),
        resource=resource,
        item_codes=["tyshxydm", "mc"],
        purpose="案件协查",
        legal_basis="《人民警察法》",
        period_start=date.today(),
        period_end=date.today() + timedelta(days=30),
    )


def test_unconditional_resources_are_granted_at_once(police_clerk: User, companies: Resource) -> None:
    share_request = request_companies(police_clerk, companies)
    assert share_request.state == ShareRequest.State.GRANTED
    grant = Grant.objects.get(request=share_request)
    assert grant.item_codes == ["tyshxydm", "mc"] and grant.is_active() and not grant.plain_personal
    assert supervision_selectors.timer_for(share_request, sharing.SHARE_REQUEST_TIMER) is None


def test_conditional_request_starts_a_ten_workday_timer_for_the_provider(
    market_clerk: User, people: Resource, police_dept: object
) -> None:
    share_request = request_people(market_clerk, people)
    assert share_request.state == ShareRequest.State.SUBMITTED
    assert not Grant.objects.exists()
    timer = supervision_selectors.timer_for(share_request, sharing.SHARE_REQUEST_TIMER)
    assert timer is not None and timer.is_live
    assert timer.department == police_dept and timer.limit == 10
    assert timer.deadline == workdays.add_workdays(timer.start_date, 10)


def test_provider_data_officer_approves_and_the_timer_finishes(
    market_clerk: User, police_officer: User, people: Resource
) -> None:
    share_request = request_people(market_clerk, people)
    grant = sharing.share_request_approve(
        actor=Actor.person(police_officer), share_request=share_request, item_codes=["sfzh", "xm"]
    )
    assert grant.item_codes == ["sfzh", "xm"] and grant.purpose == PURPOSE
    share_request.refresh_from_db()
    assert share_request.state == ShareRequest.State.GRANTED and share_request.decided_by == police_officer
    timer = supervision_selectors.timer_for(share_request, sharing.SHARE_REQUEST_TIMER)
    assert timer is not None and timer.state == "finished"
    assert AuditEvent.objects.filter(action="exchange.share_request_approve").count() == 1


def test_approving_more_items_than_requested_is_refused(
    market_clerk: User, police_officer: User, people: Resource
) -> None:
    share_request = request_people(market_clerk, people, items=["sfzh"])
    with pytest.raises(ApplicationError):
        sharing.share_request_approve(
            actor=Actor.person(police_officer), share_request=share_request, item_codes=["sfzh", "xb"]
        )
    assert not Grant.objects.exists()


def test_refusal_needs_reasons(market_clerk: User, police_officer: User, people: Resource) -> None:
    share_request = request_people(market_clerk, people)
    with pytest.raises(ApplicationError) as info:
        sharing.share_request_refuse(actor=Actor.person(police_officer), share_request=share_request, reason="  ")
    assert info.value.code == "exchange.reason_required"
    share_request.refresh_from_db()
    assert share_request.state == ShareRequest.State.SUBMITTED
    sharing.share_request_refuse(
        actor=Actor.person(police_officer), share_request=share_request, reason="用途超出法定职责"
    )
    share_request.refresh_from_db()
    assert share_request.state == ShareRequest.State.REFUSED and share_request.refusal_reason == "用途超出法定职责"
    assert not Grant.objects.exists()


@pytest.mark.parametrize("who", ["market_clerk", "police_clerk", "market_officer", "egov", "citizen"])
def test_only_the_providers_data_officer_or_leader_decides(
    request: pytest.FixtureRequest, who: str, market_clerk: User, people: Resource
) -> None:
    share_request = request_people(market_clerk, people)
    actor = request.getfixturevalue(who)
    events = AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as info:
        sharing.share_request_approve(actor=Actor.person(actor), share_request=share_request)
    assert info.value.status == 403
    with pytest.raises(ApplicationError):
        sharing.share_request_refuse(actor=Actor.person(actor), share_request=share_request, reason="无")
    share_request.refresh_from_db()
    assert share_request.state == ShareRequest.State.SUBMITTED
    assert not Grant.objects.exists()
    refusals = AuditEvent.objects.order_by("seq")[events:]
    assert [(e.action, e.outcome) for e in refusals] == [
        ("exchange.share_request_approve", "denied"),
        ("exchange.share_request_refuse", "denied"),
    ]


def test_a_citizen_or_an_outsider_cannot_request(citizen: User, people: Resource) -> None:
    with pytest.raises(ApplicationError):
        request_people(citizen, people)
    assert not ShareRequest.objects.exists()


def test_not_shared_resources_need_the_egov_office(
    market_clerk: User, police_officer: User, egov: User, people: Resource
) -> None:
    Resource.objects.filter(pk=people.pk).update(share_type=ShareType.NONE)
    people.refresh_from_db()
    share_request = request_people(market_clerk, people)
    assert share_request.state == ShareRequest.State.COORDINATING
    with pytest.raises(ApplicationError):
        sharing.share_request_approve(actor=Actor.person(police_officer), share_request=share_request)
    with pytest.raises(ApplicationError):
        sharing.share_request_coordinate(
            actor=Actor.person(police_officer), share_request=share_request, approve=True, note="同意"
        )
    with pytest.raises(ApplicationError):
        sharing.share_request_coordinate(actor=Actor.person(egov), share_request=share_request, approve=True, note="")
    assert not Grant.objects.exists()
    sharing.share_request_coordinate(
        actor=Actor.person(egov), share_request=share_request, approve=True, note="经协调，依据专项规定同意共享"
    )
    share_request.refresh_from_db()
    assert share_request.state == ShareRequest.State.GRANTED
    assert Grant.objects.get(request=share_request).granted_by == egov


def test_withdrawal_cancels_the_timer(market_clerk: User, people: Resource) -> None:
    share_request = request_people(market_clerk, people)
    sharing.share_request_withdraw(actor=Actor.person(market_clerk), share_request=share_request)
    timer = supervision_selectors.timer_for(share_request, sharing.SHARE_REQUEST_TIMER)
    assert timer is not None and timer.state == "cancelled"


def test_grants_are_revoked_by_the_provider_or_the_egov_office_only(
    market_grant: Grant, market_clerk: User, egov: User, police_officer: User
) -> None:
    with pytest.raises(ApplicationError):
        sharing.grant_revoke(actor=Actor.person(market_clerk), grant=market_grant, reason="不需要了")
    with pytest.raises(ApplicationError):
        sharing.grant_revoke(actor=Actor.person(police_officer), grant=market_grant, reason="")
    market_grant.refresh_from_db()
    assert market_grant.is_active()
    sharing.grant_revoke(actor=Actor.person(egov), grant=market_grant, reason="超范围使用")
    market_grant.refresh_from_db()
    assert not market_grant.is_active() and market_grant.revoke_reason == "超范围使用"


def test_objection_marks_the_record_disputed_until_resolved(
    market_grant: Grant, market_clerk: User, police_officer: User, people: Resource, police_dept: object
) -> None:
    objection = sharing.objection_create(
        actor=Actor.person(market_clerk),
        resource=people,
        record_key=CITIZEN_ID,
        field="zz",
        evidence="现场核实住址已变更",
    )
    record = store.get_record(people, CITIZEN_ID)
    assert record is not None and record["_disputed"] is True
    timer = supervision_selectors.timer_for(objection, sharing.OBJECTION_TIMER)
    assert timer is not None and timer.limit == 5 and timer.department == police_dept
    with pytest.raises(ApplicationError):
        sharing.objection_resolve(actor=Actor.person(market_clerk), objection=objection, corrected=True, answer="已改")
    sharing.objection_resolve(
        actor=Actor.person(police_officer), objection=objection, corrected=True, answer="已更正住址"
    )
    objection.refresh_from_db()
    assert objection.state == Objection.State.CORRECTED
    record = store.get_record(people, CITIZEN_ID)
    assert record is not None and record["_disputed"] is False
    timer.refresh_from_db()
    assert timer.state == "finished"


def test_objection_needs_a_grant_and_a_granted_item(
    market_grant: Grant, police_clerk: User, market_clerk: User, people: Resource
) -> None:
    with pytest.raises(ApplicationError) as info:  # 公安厅 holds no grant on its own resource's consumer side
        sharing.objection_create(
            actor=Actor.person(police_clerk), resource=people, record_key=CITIZEN_ID, field="zz", evidence="x"
        )
    assert info.value.status == 404
    with pytest.raises(ApplicationError):  # 性别 is not granted
        sharing.objection_create(
            actor=Actor.person(market_clerk), resource=people, record_key=CITIZEN_ID, field="xb", evidence="x"
        )
    with pytest.raises(ApplicationError):  # no such record
        sharing.objection_create(
            actor=Actor.person(market_clerk), resource=people, record_key="110105194912310038", field="zz", evidence="x"
        )
    assert not Objection.objects.exists()
