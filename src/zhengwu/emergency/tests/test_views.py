"""The workbench of 应急值守: a duty officer receives, verifies, grades; a letter becomes an incident;
who sees what (another city's duty room, a department's staff, the public)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.utils import timezone

from zhengwu.accounts.models import Department, User
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.conftest import person_client, staff_client
from zhengwu.core.actors import Actor
from zhengwu.core.errors import CoreError
from zhengwu.emergency import selectors, services
from zhengwu.emergency.errors import EmergencyError
from zhengwu.emergency.models import Incident, Source
from zhengwu.emergency.tests.conftest import incident_data, received
from zhengwu.participation import services as participation_services
from zhengwu.participation.models import Letter


def _form(**overrides: Any) -> dict[str, Any]:
    values = {
        "title": "长春市朝阳区燃气管道泄漏",
        "category": "accident",
        "subcategory": "燃气事故",
        "level": "",
        "source": "duty_phone",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "region_code": "220100",
        "place": "朝阳区红旗街 100 号",
        "lat": "43.86",
        "lng": "125.29",
        "description": "施工挖断中压燃气管道，周边已疏散。",
        "dead": "0",
        "injured": "0",
        "missing": "0",
        "trapped": "0",
    }
    values.update(overrides)
    return values


def test_a_duty_officer_receives_verifies_and_grades_on_the_workbench(cc_duty: User) -> None:
    client = staff_client(cc_duty)
    response = client.post("/workbench/emergency/incidents/new/", _form())
    assert response.status_code == 302, response.content.decode()[:3000]
    incident = Incident.objects.get()
    url = f"/workbench/emergency/incidents/{incident.pk}/"
    assert response["Location"] == url
    page = client.get(url).content.decode()
    assert "长春市朝阳区燃气管道泄漏" in page and "（初报）" in page and "60 分钟" in page
    client.post(url + "verify/", {"note": "已回拨核实"})
    client.post(url + "grade/", {"level": "3", "reason": "疏散群众 300 人"})
    page = client.get(url).content.decode()
    assert "Ⅲ级（较大）" in page and "疏散群众 300 人" in page and "定级" in page
    incident.refresh_from_db()
    assert incident.state == Incident.State.GRADED and incident.level == 3
    listed = client.get("/workbench/emergency/incidents/?state=graded&level=3").content.decode()
    assert incident.number in listed
    assert incident.number not in client.get("/workbench/emergency/incidents/?level=4").content.decode()
    export = client.get("/workbench/emergency/incidents/export/")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_level_change_without_a_reason_shows_the_error(cc_duty: User) -> None:
    incident = received(cc_duty)
    client = staff_client(cc_duty)
    url = f"/workbench/emergency/incidents/{incident.pk}/"
    client.post(url + "verify/")
    response = client.post(url + "grade/", {"level": "3", "reason": ""}, follow=True)
    assert "理由" in response.content.decode()
    incident.refresh_from_db()
    assert incident.level is None


def test_another_citys_duty_room_neither_sees_nor_moves_the_incident(cc_duty: User, jl_duty: User) -> None:
    incident = received(cc_duty)
    assert selectors.incident_for(Actor.person(jl_duty), incident.pk) is None
    client = staff_client(jl_duty)
    assert client.get(f"/workbench/emergency/incidents/{incident.pk}/").status_code == 404
    assert incident.number not in client.get("/workbench/emergency/incidents/").content.decode()
    refused_write(
        lambda: services.incident_verify(actor=Actor.person(jl_duty), incident=incident),
        apps=["emergency"],
        rows=[incident],
        code=CoreError.PERMISSION_DENIED,
    )


def test_the_provincial_duty_room_sees_the_whole_province(cc_duty: User, duty_officer: User) -> None:
    incident = received(cc_duty)
    assert selectors.incident_for(Actor.person(duty_officer), incident.pk) == incident
    services.incident_verify(actor=Actor.person(duty_officer), incident=incident)


def test_a_department_reports_and_sees_only_its_own(cc_duty: User, police_clerk: User, market_clerk: User) -> None:
    incident = services.incident_report(actor=Actor.person(police_clerk), data=incident_data(source="duty_phone"))
    assert incident.source == Source.DEPARTMENT and incident.reporting_department == police_clerk.department
    assert selectors.incident_for(Actor.person(police_clerk), incident.pk) == incident
    assert selectors.incident_for(Actor.person(market_clerk), incident.pk) is None
    refused_write(
        lambda: services.incident_verify(actor=Actor.person(police_clerk), incident=incident),
        apps=["emergency"],
        code=CoreError.PERMISSION_DENIED,
    )


def test_the_public_cannot_report_or_see(citizen: User, cc_duty: User) -> None:
    refused_write(
        lambda: services.incident_report(actor=Actor.person(citizen), data=incident_data()),
        apps=["emergency"],
        code=CoreError.PERMISSION_DENIED,
    )
    refused_write(
        lambda: services.incident_report(actor=Actor.anonymous(), data=incident_data()),
        apps=["emergency"],
        code=CoreError.PERMISSION_DENIED,
    )
    incident = received(cc_duty)
    assert selectors.incident_for(Actor.person(citizen), incident.pk) is None
    assert person_client(citizen).get(f"/workbench/emergency/incidents/{incident.pk}/").status_code == 403
    assert Client().get("/workbench/emergency/incidents/").status_code == 302


def test_bad_input_names_the_field(cc_duty: User) -> None:
    me = Actor.person(cc_duty)
    for overrides, field in (
        ({"region_code": "999999"}, "region_code"),
        ({"lat": "123.4"}, "lat"),
        ({"category": "meteor"}, "category"),
        ({"trapped": -1}, "trapped"),
    ):
        error, _ = refused_write(
            lambda o=overrides: services.incident_report(actor=me, data=incident_data(**o)),
            apps=["emergency"],
            code=EmergencyError.INVALID_INPUT,
        )
        assert field in error.fields


def _letter(citizen: User, egov: User, department: Department) -> Letter:
    letter, _code = participation_services.letter_submit(
        actor=Actor.person(citizen),
        channel="hotline",
        kind="help",
        title="伊通河边小区进水，有老人被困",
        content="永吉街道幸福小区一楼进水半米深，有两位老人被困家中，请求救援。",
        location="南关区永吉街道幸福小区",
    )
    participation_services.letter_accept(actor=Actor.person(egov), letter=letter)
    participation_services.letter_dispatch(actor=Actor.person(egov), letter=letter, department=department)
    return letter


def test_a_letter_becomes_an_incident_in_one_step_keeping_the_link(
    citizen: User, egov: User, cc_duty: User, cc_emergency: Department
) -> None:
    letter = _letter(citizen, egov, cc_emergency)
    client = staff_client(cc_duty)
    page = client.get(f"/workbench/participation/letters/{letter.pk}/").content.decode()
    assert "转为突发事件" in page
    form = client.get(f"/workbench/emergency/incidents/from-letter/{letter.number}/").content.decode()
    assert "有两位老人被困家中" in form
    response = client.post(
        f"/workbench/emergency/incidents/from-letter/{letter.number}/",
        _form(title=letter.title, category="natural", description=letter.content, trapped="2"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    incident = Incident.objects.get()
    assert incident.letter == letter and incident.source == Source.HOTLINE
    assert incident.number in client.get(f"/workbench/participation/letters/{letter.pk}/").content.decode()
    refused_write(
        lambda: services.incident_from_letter(actor=Actor.person(cc_duty), letter=letter, data=incident_data()),
        apps=["emergency"],
        code=EmergencyError.LETTER_TAKEN,
    )
    # the incident's side: by the letter's number, once converted, to the incident
    again = client.get(f"/workbench/emergency/incidents/new/?letter={letter.number}", follow=True)
    assert again.redirect_chain[-1][0] == f"/workbench/emergency/incidents/{incident.pk}/"
