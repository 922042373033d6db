"""Plans (预案): created and revised by the command staff, every version kept and readable."""

from __future__ import annotations

import pytest

from zhengwu.accounts.models import Department, User
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.conftest import staff_client
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.emergency import services
from zhengwu.emergency.models import Plan, PlanVersion
from zhengwu.emergency.tests.dispatch_helpers import FLOOD_CLASS, plan_data

pytestmark = pytest.mark.django_db


def test_a_plan_is_created_with_duties_and_revised_into_a_new_version(
    commander: User, emergency_dept: Department, police_dept: Department, market_dept: Department
) -> None:
    plan = services.plan_create(actor=Actor.person(commander), data=plan_data(emergency_dept, police_dept, market_dept))
    assert plan.current_version == 1
    assert plan.current.duties.count() == 4
    data = plan_data(emergency_dept, police_dept, summary="修订后的要点")
    version = services.plan_revise(actor=Actor.person(commander), plan=plan, data=data, note="机构改革后调整职责")
    plan.refresh_from_db()
    assert (version.number, plan.current_version) == (2, 2)
    first = PlanVersion.objects.get(plan=plan, number=1)
    assert first.duties.count() == 4 and first.note == "首次发布"  # the old version is kept as it was
    assert version.duties.count() == 3 and version.summary == "修订后的要点"


def test_a_plan_needs_a_class_duties_and_no_repeated_department(
    commander: User, emergency_dept: Department, police_dept: Department
) -> None:
    actor = Actor.person(commander)
    with pytest.raises(ApplicationError) as error:
        services.plan_create(actor=actor, data=plan_data(emergency_dept, police_dept, incident_class="unknown"))
    assert error.value.fields == {"incident_class": "必选"}
    with pytest.raises(ApplicationError) as error:
        services.plan_create(actor=actor, data=plan_data(emergency_dept, police_dept, duties=[]))
    assert error.value.code == "emergency.no_duties"
    data = plan_data(emergency_dept, police_dept)
    twice = services.PlanData(
        data.name, data.incident_class, data.lead_department, "", [data.duties[0], data.duties[0]]
    )
    with pytest.raises(ApplicationError) as error:
        services.plan_create(actor=actor, data=twice)
    assert "重复" in error.value.message


def test_only_the_command_staff_write_plans(
    police_clerk: User, citizen: User, commander: User, emergency_dept: Department, police_dept: Department
) -> None:
    for person in (police_clerk, citizen):
        refused_write(
            lambda person=person: services.plan_create(
                actor=Actor.person(person), data=plan_data(emergency_dept, police_dept)
            ),
            apps=["emergency"],
            code="core.permission_denied",
        )
    plan = services.plan_create(actor=Actor.person(commander), data=plan_data(emergency_dept, police_dept))
    refused_write(
        lambda: services.plan_revise(
            actor=Actor.person(police_clerk), plan=plan, data=plan_data(emergency_dept, police_dept), note="x"
        ),
        apps=["emergency"],
        rows=[plan],
    )


def test_the_plan_pages_show_the_versions(
    duty_officer: User, emergency_dept: Department, police_dept: Department
) -> None:
    client = staff_client(duty_officer)
    page = client.get("/workbench/emergency/plans/new/")
    assert page.status_code == 200
    response = client.post(
        "/workbench/emergency/plans/new/",
        {
            "name": "吉林省防汛抗旱应急预案",
            "incident_class": FLOOD_CLASS,
            "lead_department": emergency_dept.pk,
            "summary": "",
            "duty-0-level": "3",
            "duty-0-department": police_dept.pk,
            "duty-0-duty": "交通管制、人员疏散",
            "duty-0-sign": "10",
        },
    )
    assert response.status_code == 302
    plan = Plan.objects.get()
    assert plan.current.duties.get().sign_minutes == 10
    response = client.post(
        f"/workbench/emergency/plans/{plan.pk}/revise/",
        {
            "name": plan.name,
            "incident_class": FLOOD_CLASS,
            "lead_department": emergency_dept.pk,
            "note": "",
            "duty-0-level": "3",
            "duty-0-department": police_dept.pk,
            "duty-0-duty": "交通管制",
        },
    )
    assert response.status_code == 200 and "修订说明" in response.content.decode()  # the note is required
    page = client.get(f"/workbench/emergency/plans/{plan.pk}/?version=1").content.decode()
    assert "交通管制、人员疏散" in page and "第 1 版" in page
