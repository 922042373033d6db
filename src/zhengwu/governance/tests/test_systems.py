"""Registering, updating and linking systems of the inventory (docs/rules.md §11)."""

from __future__ import annotations

import pytest

from zhengwu.accounts.models import Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.governance.models import InformationSystem, SystemApiClient
from zhengwu.governance.services import (
    system_change_state,
    system_link_client,
    system_register,
    system_update,
)
from zhengwu.governance.tests.conftest import make_client, register, system_data

pytestmark = pytest.mark.django_db


def test_officer_registers_a_system_of_the_department(systems_officer: User) -> None:
    system = register(systems_officer)
    assert system.department_id == systems_officer.department_id
    assert system.state == InformationSystem.State.RUNNING
    assert str(system.om_cost_yearly) == "35.50"
    event = AuditEvent.objects.filter(action="governance.system.register").get()
    assert event.outcome == "success" and event.target_id == str(system.pk)


def test_leader_may_register_too(market_leader: User) -> None:
    assert register(market_leader, name="综合执法系统").pk


@pytest.mark.parametrize("who", ["police_systems", "police_officer", "market_clerk", "citizen", "egov"])
def test_others_may_not_register_for_the_department(
    request: pytest.FixtureRequest, who: str, market_dept: Department
) -> None:
    user = request.getfixturevalue(who)
    refused_write(
        lambda: system_register(actor=Actor.person(user), department=market_dept, data=system_data()),
        apps=["governance"],
        code="core.permission_denied",
    )


def test_anonymous_may_not_register(market_dept: Department) -> None:
    refused_write(
        lambda: system_register(actor=Actor.anonymous(), department=market_dept, data=system_data()),
        apps=["governance"],
        code="core.permission_denied",
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": " "}, "name"),
        ({"network_zone": "moon"}, "network_zone"),
        ({"funding_source": "x"}, "funding_source"),
        ({"om_cost_yearly": "-1"}, "om_cost_yearly"),
        ({"om_cost_yearly": "abc"}, "om_cost_yearly"),
        ({"mlps_level": 2, "mlps_filing_number": ""}, "mlps_filing_number"),
        ({"should_connect": False}, "no_connect_reason"),
        ({"state": "cleared"}, "state"),
        ({"resources_provided": ["NOPE"]}, "resources_provided"),
        ({"users": ["nobody"]}, "users"),
    ],
)
def test_bad_input_is_refused_naming_the_field(systems_officer: User, overrides: dict, field: str) -> None:
    error, _ = refused_write(lambda: register(systems_officer, **overrides), apps=["governance"])
    assert field in error.fields


def test_same_name_twice_in_a_department_is_refused(systems_officer: User, market_system: InformationSystem) -> None:
    error, _ = refused_write(lambda: register(systems_officer), apps=["governance"], code="governance.duplicate_system")
    assert "市场主体登记系统" in error.message


def test_update_keeps_the_state(systems_officer: User, market_system: InformationSystem) -> None:
    system_change_state(actor=Actor.person(systems_officer), system=market_system, move="stop")
    updated = system_update(
        actor=Actor.person(systems_officer), system=market_system, data=system_data(om_cost_yearly="0")
    )
    assert updated.state == InformationSystem.State.STOPPED
    assert updated.om_cost_yearly == 0


def test_link_own_client_once(systems_officer: User, market_system: InformationSystem, market_dept: Department) -> None:
    client = make_client(market_dept)
    system_link_client(actor=Actor.person(systems_officer), system=market_system, api_client=client)
    assert SystemApiClient.objects.get().api_client == client
    other = register(systems_officer, name="另一个系统")
    refused_write(
        lambda: system_link_client(actor=Actor.person(systems_officer), system=other, api_client=client),
        apps=["governance"],
        code="governance.client_taken",
    )


def test_another_departments_client_is_refused(
    systems_officer: User, market_system: InformationSystem, police_dept: Department
) -> None:
    client = make_client(police_dept, "公安人口库")
    refused_write(
        lambda: system_link_client(actor=Actor.person(systems_officer), system=market_system, api_client=client),
        apps=["governance"],
    )


def test_department_may_not_consolidate_but_office_may(
    systems_officer: User, egov: User, market_system: InformationSystem
) -> None:
    target = register(systems_officer, name="一体化政务服务平台")
    refused_write(
        lambda: system_change_state(
            actor=Actor.person(systems_officer), system=market_system, move="consolidate", into=target
        ),
        apps=["governance"],
        code="core.permission_denied",
    )
    done = system_change_state(actor=Actor.person(egov), system=market_system, move="consolidate", into=target)
    assert done.state == InformationSystem.State.CONSOLIDATED and done.consolidated_into == target
    with pytest.raises(ApplicationError):
        system_update(actor=Actor.person(systems_officer), system=done, data=system_data())
