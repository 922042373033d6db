"""Every workbench page against everyone who must be refused (docs/design.md rule 9)."""

from __future__ import annotations

import pytest
from django.test import Client

from zhengwu.accounts.models import ApiClient, RoleAssignment, User
from zhengwu.audit.models import AuditEvent
from zhengwu.conftest import PASSWORD, person_client, staff_client
from zhengwu.core.actors import Actor

pytestmark = pytest.mark.django_db

ADMIN_PAGES = {
    "/workbench/users/": "sys_admin",
    "/workbench/roles/": "sec_admin",
    "/workbench/api-clients/": "sys_admin",
    "/workbench/workdays/": "sys_admin",
}
EVERYONE = ["sys_admin", "sec_admin", "audit_admin", "market_clerk"]


@pytest.mark.parametrize(("path", "owner"), ADMIN_PAGES.items())
def test_admin_pages_open_only_to_their_role(request: pytest.FixtureRequest, path: str, owner: str) -> None:
    for who in EVERYONE:
        user = request.getfixturevalue(who)
        status = staff_client(user).get(path).status_code
        assert status == (200 if who == owner else 403), (path, who, status)


@pytest.mark.parametrize("path", ["/workbench/", *ADMIN_PAGES])
def test_anonymous_goes_to_login_and_citizens_are_refused(path: str, citizen: User) -> None:
    response = Client().get(path)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert person_client(citizen).get(path).status_code == 403


def test_staff_who_skipped_the_second_factor_is_sent_to_verify(market_clerk: User) -> None:
    client = Client()
    client.post("/accounts/login/", {"username": "market_clerk", "password": PASSWORD})
    response = client.get("/workbench/")
    assert response.status_code == 302 and response.url.startswith("/accounts/otp/")


def test_refused_role_change_changes_nothing(sys_admin: User, police_clerk: User) -> None:
    before = set(RoleAssignment.objects.values_list("user_id", "role"))
    response = staff_client(sys_admin).post(f"/workbench/roles/{police_clerk.pk}/", {"roles": ["sys_admin"]})
    assert response.status_code == 403
    assert set(RoleAssignment.objects.values_list("user_id", "role")) == before


def test_security_admin_sees_the_separation_error_in_the_form(sec_admin: User, police_clerk: User) -> None:
    response = staff_client(sec_admin).post(
        f"/workbench/roles/{police_clerk.pk}/", {"roles": ["sys_admin", "audit_admin"]}
    )
    assert response.status_code == 200
    assert "三员分立" in response.content.decode()
    assert set(police_clerk.role_assignments.values_list("role", flat=True)) == {"clerk"}
    [event] = AuditEvent.objects.filter(action="accounts.roles_set")
    assert (event.outcome, event.actor, event.details["code"]) == ("denied", sec_admin, "accounts.admin_roles_combined")


def test_system_admin_registers_an_api_client_and_sees_the_token_once(sys_admin: User, police_dept: object) -> None:
    client = staff_client(sys_admin)
    response = client.post(
        "/workbench/api-clients/",
        {"name": "金盾工程", "department": police_dept.pk, "scopes": ["directory:read"], "valid_days": 30},  # type: ignore[attr-defined]
    )
    assert response.status_code == 200
    token = response.context["new_token"]
    assert token.startswith("zw_") and token in response.content.decode()
    assert token not in client.get("/workbench/api-clients/").content.decode()
    api = ApiClient.objects.get()
    client.post(f"/workbench/api-clients/{api.pk}/revoke/")
    api.refresh_from_db()
    assert api.revoked_at is not None
    assert AuditEvent.objects.filter(action="accounts.apiclient_revoke").exists()


def test_menu_shows_only_the_pages_of_the_users_roles(sys_admin: User, audit_admin: User) -> None:
    page = staff_client(sys_admin).get("/workbench/").content.decode()
    assert 'href="/workbench/users/"' in page and 'href="/workbench/audit/"' not in page
    page = staff_client(audit_admin).get("/workbench/").content.decode()
    assert 'href="/workbench/audit/"' in page and 'href="/workbench/users/"' not in page


def test_todo_list_shows_the_departments_timers_with_lights(market_clerk: User, police_clerk: User) -> None:
    from datetime import date

    from zhengwu.supervision.services import timer_start

    timer_start(
        actor=Actor.platform(),
        kind="test.case",
        target=market_clerk,
        title="食品经营许可（市场监管）",
        department=market_clerk.department,
        limit=20,
        start=date(2025, 1, 2),  # type: ignore[arg-type]
    )
    timer_start(
        actor=Actor.platform(),
        kind="test.case",
        target=police_clerk,
        title="户籍迁移（公安）",
        department=police_clerk.department,
        limit=20,
        start=date(2025, 1, 2),  # type: ignore[arg-type]
    )
    page = staff_client(market_clerk).get("/workbench/").content.decode()
    assert "食品经营许可（市场监管）" in page and "户籍迁移（公安）" not in page
    assert 'class="light red"' in page  # started in January 2025 with 20 working days: long overdue
    filtered = staff_client(market_clerk).get("/workbench/", {"light": "green"}).content.decode()
    assert "食品经营许可（市场监管）" not in filtered
