"""Resources: nearby by distance (bounding box, then haversine), committed to one incident at a
time — of two commitments at the same moment exactly one wins — and released."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from zhengwu.accounts.models import Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.emergency import response_selectors, services
from zhengwu.emergency.models import Commitment, Plan, Resource, ResourceKind
from zhengwu.emergency.tests.dispatch_helpers import CHANGCHUN, activate, make_incident, make_resource

pytestmark = pytest.mark.django_db


def test_haversine_distance_is_right() -> None:
    # 长春 → 吉林市: about 95 km on the great circle
    km = response_selectors.haversine_km(43.8868, 125.3245, 43.8378, 126.5496)
    assert 97 < km < 99
    assert response_selectors.haversine_km(*CHANGCHUN, *CHANGCHUN) == 0


def test_nearby_finds_resources_by_distance_nearest_first(duty_officer: User, police_dept: Department) -> None:
    lat, lng = CHANGCHUN
    near = make_resource(duty_officer, police_dept, "近", lat + 0.01, lng)  # ≈ 1.1 km
    middle = make_resource(duty_officer, police_dept, "中", lat, lng + 0.2)  # ≈ 16 km
    corner = make_resource(duty_officer, police_dept, "角", lat + 0.2, lng + 0.25)  # in the box, ≈ 28.9 km > 25
    make_resource(duty_officer, police_dept, "远", lat + 1.0, lng)  # ≈ 111 km
    shelter = make_resource(
        duty_officer, police_dept, "避难场所", lat, lng - 0.05, kind=ResourceKind.SHELTER, capacity=2000
    )
    found = response_selectors.nearby_resources(lat, lng, radius_km=25)
    assert [n.resource for n in found] == [near, shelter, middle]
    assert corner not in [n.resource for n in found]
    assert 1.0 < found[0].km < 1.2
    only = response_selectors.nearby_resources(lat, lng, radius_km=25, kinds=[ResourceKind.SHELTER])
    assert [n.resource for n in only] == [shelter] and shelter.amount == "容纳 2000 人"


def test_a_resource_needs_its_amount_and_a_place_in_the_province(duty_officer: User, police_dept: Department) -> None:
    with pytest.raises(ApplicationError) as error:
        make_resource(duty_officer, police_dept, "冲锋舟", *CHANGCHUN, kind=ResourceKind.SUPPLY, size=None)
    assert error.value.fields == {"quantity": "必填"}
    with pytest.raises(ApplicationError) as error:
        make_resource(duty_officer, police_dept, "队伍", 30.0, 125.0)
    assert error.value.fields == {"lat": "超出范围"}


def test_a_committed_resource_is_not_offered_again_and_is_released(
    commander: User, duty_officer: User, flood_plan: Plan, police_dept: Department
) -> None:
    first, second = make_incident(duty_officer), make_incident(duty_officer)
    activate(commander, flood_plan, first)
    activate(commander, flood_plan, second)
    team = make_resource(duty_officer, police_dept, "省消防救援总队水域救援支队", *CHANGCHUN)
    services.resource_commit(actor=Actor.person(duty_officer), resource=team, incident=first)
    assert team not in [n.resource for n in response_selectors.nearby_resources(*CHANGCHUN)]
    error, _ = refused_write(
        lambda: services.resource_commit(actor=Actor.person(commander), resource=team, incident=second),
        apps=["emergency"],
        rows=[team],
        code="emergency.resource_taken",
    )
    assert "已调用于其他事件" in error.message
    services.resource_release(actor=Actor.person(commander), resource=team)
    services.resource_commit(actor=Actor.person(commander), resource=team, incident=second)
    assert Commitment.objects.filter(resource=team).count() == 2


def test_only_the_command_staff_commit(
    commander: User, duty_officer: User, flood_plan: Plan, police_clerk: User, police_dept: Department
) -> None:
    incident = make_incident(duty_officer)
    activate(commander, flood_plan, incident)
    team = make_resource(duty_officer, police_dept, "队伍", *CHANGCHUN)
    refused_write(
        lambda: services.resource_commit(actor=Actor.person(police_clerk), resource=team, incident=incident),
        apps=["emergency"],
        rows=[team],
        code="core.permission_denied",
    )


@pytest.mark.django_db(transaction=True)
def test_two_commitments_of_one_resource_at_the_same_moment_exactly_one_wins(
    commander: User, duty_officer: User, emergency_dept: Department, police_dept: Department, market_dept: Department
) -> None:
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
        pytest.skip("an in-memory SQLite test database has no cross-connection write locks; run with a file DB")
    from zhengwu.emergency.tests.dispatch_helpers import make_plan

    plan = make_plan(commander, emergency_dept, police_dept, market_dept)
    first, second = make_incident(duty_officer), make_incident(duty_officer)
    activate(commander, plan, first)
    activate(commander, plan, second)
    team = make_resource(duty_officer, police_dept, "唯一的冲锋舟队", *CHANGCHUN)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def commit(person: User, incident: Any) -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            services.resource_commit(actor=Actor.person(person), resource=team, incident=incident)
            outcomes.append("ok")
        except ApplicationError as error:
            outcomes.append(error.code)
        finally:
            thread_connection.close()

    threads = [
        threading.Thread(target=commit, args=(commander, first)),
        threading.Thread(target=commit, args=(duty_officer, second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["emergency.resource_taken", "ok"]
    assert Commitment.objects.filter(resource=team, released_at__isnull=True).count() == 1
    assert Resource.objects.get(pk=team.pk).committed_to_id in (first.pk, second.pk)
    events = AuditEvent.objects.filter(action="emergency.resource.commit")
    assert sorted(events.values_list("outcome", flat=True)) == ["failure", "success"]
