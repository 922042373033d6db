"""A report sent upward is signed for (签收) by the receiving duty room, with time and person, and the
sender sees it; a draft is edited on its own page until it is signed off, and refused after
(docs/rules.md §14)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from zhengwu.accounts.models import Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.conftest import staff_client
from zhengwu.core.actors import Actor
from zhengwu.core.errors import CoreError
from zhengwu.emergency import selectors, services
from zhengwu.emergency.audit_actions import EmergencyAction
from zhengwu.emergency.errors import EmergencyError
from zhengwu.emergency.models import IncidentReport
from zhengwu.emergency.services import ReportData
from zhengwu.emergency.tests.conftest import graded
from zhengwu.emergency.tests.test_dispatch_api import system

pytestmark = pytest.mark.django_db


def _draft(cc_duty: User, content: str) -> IncidentReport:
    """A 初报 drafted by 长春市's duty room on a graded incident of its city."""
    return services.report_draft(
        actor=Actor.person(cc_duty),
        incident=graded(cc_duty, 3),
        kind=IncidentReport.Kind.INITIAL,
        data=ReportData(content=content),
    )


def _sent(cc_duty: User, cc_commander: User) -> IncidentReport:
    draft = _draft(cc_duty, "初报：伊通河沿岸内涝，被困 12 人。")
    return services.report_sign(actor=Actor.person(cc_commander), report=draft)


def test_the_receiving_duty_room_signs_for_a_report_and_the_sender_sees_it(
    cc_duty: User,
    cc_commander: User,
    duty_officer: User,
    commander: User,
    emergency_dept: Department,
    cc_emergency: Department,
    sys_admin: User,
) -> None:
    report = _sent(cc_duty, cc_commander)
    assert report.recipient == emergency_dept and report.received_at is None
    # unreceived: in the receiving duty room's to-do list, marked 未签收 for the sender and the receiver
    todo = [item for item in selectors.todo_items(duty_officer) if item.kind_label == "报送签收"]
    assert [item.url for item in todo] == [f"/workbench/emergency/reports/{report.pk}/"]
    assert "未签收" in staff_client(duty_officer).get("/workbench/emergency/reports/").content.decode()
    incident_page = f"/workbench/emergency/incidents/{report.incident_id}/"
    assert "未签收" in staff_client(cc_duty).get(incident_page).content.decode()

    for who in (cc_duty, cc_commander):  # the sender's own duty room may not sign for it
        refused_write(
            lambda who=who: services.report_receive(actor=Actor.person(who), report=report),
            apps=["emergency"],
            rows=[report],
            code=CoreError.PERMISSION_DENIED,
        )
    page = staff_client(duty_officer).post(f"/workbench/emergency/reports/{report.pk}/receive/")
    assert page.status_code == 302
    report.refresh_from_db()
    assert report.state == IncidentReport.State.RECEIVED and report.received_by == duty_officer
    assert report.receiver_name == duty_officer.real_name and report.received_at is not None
    events = AuditEvent.objects.filter(action=EmergencyAction.REPORT_RECEIVE)
    assert [e.outcome for e in events.order_by("seq")].count(AuditEvent.Outcome.DENIED) == 2  # the two refusals
    assert events.get(outcome=AuditEvent.Outcome.SUCCESS).actor == duty_officer
    shown = f"已签收：{duty_officer.real_name}，{timezone.localtime(report.received_at):%Y-%m-%d %H:%M}"
    assert shown in staff_client(cc_duty).get(incident_page).content.decode()
    assert shown in staff_client(cc_duty).get(f"/workbench/emergency/reports/{report.pk}/").content.decode()
    assert report.incident.events.filter(move="report_receive").exists()
    api = system(sys_admin, cc_emergency, ["emergency:report"])  # the sender's own system sees it too
    (seen,) = api.get(f"/api/v1/emergency/incidents/{report.incident_id}").json()["reports"]
    assert seen["received_by"] == duty_officer.real_name and seen["received_at"]
    assert not [item for item in selectors.todo_items(duty_officer) if item.kind_label == "报送签收"]
    assert list(selectors.reports_received(Actor.person(commander))) == [report]  # still in the inbox
    refused_write(  # once only
        lambda: services.report_receive(actor=Actor.person(commander), report=report),
        apps=["emergency"],
        rows=[report],
        code=EmergencyError.WRONG_STATE,
    )


def test_a_draft_is_edited_on_its_page_and_refused_once_sent(cc_duty: User, cc_commander: User) -> None:
    draft = _draft(cc_duty, "初报：伊通河沿岸内涝。")
    client = staff_client(cc_duty)
    url = f"/workbench/emergency/reports/{draft.pk}/edit/"
    form = client.get(url).content.decode()
    assert "初报：伊通河沿岸内涝。" in form and 'name="trapped"' in form
    body = {"content": "初报：伊通河沿岸内涝，被困 15 人。", "dead": 0, "injured": 2, "missing": 0, "trapped": 15}
    assert client.post(url, {**body, "trapped": -1}).status_code == 200  # the form names the field
    assert client.post(url, body).status_code == 302
    draft.refresh_from_db()
    assert draft.content == "初报：伊通河沿岸内涝，被困 15 人。" and draft.figures["trapped"] == 15
    event = AuditEvent.objects.filter(action=EmergencyAction.REPORT_EDIT, outcome=AuditEvent.Outcome.SUCCESS).get()
    assert event.details["changed"] == ["content", "figures"]

    services.report_sign(actor=Actor.person(cc_commander), report=draft)
    error, _ = refused_write(
        lambda: services.report_edit(actor=Actor.person(cc_duty), report=draft, data=ReportData(content="改")),
        apps=["emergency"],
        rows=[draft],
        code=EmergencyError.WRONG_STATE,
    )
    assert "签发报送，不能再修改" in error.message and "请起草续报" in error.message
    answer = client.post(url, body)
    assert answer.status_code == 200 and "已于" in answer.content.decode() and "请起草续报" in answer.content.decode()
    again = client.get(url, follow=True).content.decode()
    assert "已签发报送，不能再修改" in again
