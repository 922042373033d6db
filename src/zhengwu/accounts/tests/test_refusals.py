"""A refused write leaves one row in the audit log, with its reason, and changes nothing else
(docs/design.md rules 1 and 5; issue 15: the 三员 refusal used to leave no trace)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhengwu.accounts import services
from zhengwu.accounts.errors import AccountsError
from zhengwu.accounts.models import ApiClient, Department, PhoneCode, Region, Role, RoleAssignment, User
from zhengwu.audit.models import AuditEvent
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.conftest import PASSWORD
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, CoreError

pytestmark = pytest.mark.django_db

TABLES = (User, RoleAssignment, Department, Region, ApiClient, TOTPDevice, PhoneCode)


def refused(call: Callable[[], Any]) -> tuple[ApplicationError, AuditEvent]:
    """Run `call`, which must be refused; check that only the one audit row was written."""
    return refused_write(call, models=TABLES)


def test_three_admin_rule_refusal_is_denied_in_the_log_and_grants_nothing(sec_admin: User, market_clerk: User) -> None:
    """Issue 15: a 系统管理员 + 审计管理员 grant refused by the 三员 rule leaves a denied event."""
    actor = Actor.person(sec_admin, ip="10.1.2.3")
    error, event = refused(
        lambda: services.user_set_roles(actor=actor, user=market_clerk, roles=[Role.SYS_ADMIN, Role.AUDIT_ADMIN])
    )
    assert error.code == AccountsError.ADMIN_ROLES_COMBINED
    assert (event.action, event.outcome) == ("accounts.roles_set", AuditEvent.Outcome.DENIED)
    assert (event.actor, event.ip) == (sec_admin, "10.1.2.3")
    assert (event.target_type, event.target_id) == ("accounts.user", str(market_clerk.pk))
    assert "三员分立" in event.details["message"]
    assert not RoleAssignment.objects.filter(user=market_clerk, role__in=[Role.SYS_ADMIN, Role.AUDIT_ADMIN]).exists()
    assert set(RoleAssignment.objects.filter(user=market_clerk).values_list("role", flat=True)) == {Role.CLERK}


def test_a_role_grant_by_someone_else_than_the_security_admin_is_denied(sys_admin: User, police_clerk: User) -> None:
    _, event = refused(
        lambda: services.user_set_roles(actor=Actor.person(sys_admin), user=police_clerk, roles=[Role.DATA_OFFICER])
    )
    assert (event.action, event.outcome, event.actor) == ("accounts.roles_set", "denied", sys_admin)


def test_the_platform_grants_no_roles_either(police_clerk: User) -> None:
    _, event = refused(
        lambda: services.user_set_roles(actor=Actor.platform(), user=police_clerk, roles=[Role.DATA_OFFICER])
    )
    assert (event.outcome, event.actor_kind) == ("denied", AuditEvent.ActorKind.SYSTEM)


def test_staff_creation_by_the_security_admin_is_denied(sec_admin: User, market_dept: Department) -> None:
    _, event = refused(
        lambda: services.staff_create(
            actor=Actor.person(sec_admin),
            username="newbie",
            real_name="新人",
            department=market_dept,
            password=PASSWORD,
        )
    )
    assert (event.action, event.outcome) == ("accounts.staff_create", "denied")


def test_staff_creation_with_a_weak_password_is_a_recorded_failure(sys_admin: User, market_dept: Department) -> None:
    _, event = refused(
        lambda: services.staff_create(
            actor=Actor.person(sys_admin), username="newbie", real_name="新人", department=market_dept, password="123"
        )
    )
    assert (event.action, event.outcome) == ("accounts.staff_create", "failure")
    assert event.details["code"] == AccountsError.WEAK_PASSWORD


def test_disabling_oneself_is_denied(sys_admin: User) -> None:
    _, event = refused(lambda: services.user_set_active(actor=Actor.person(sys_admin), user=sys_admin, active=False))
    assert (event.action, event.outcome) == ("accounts.user_disable", "denied")
    sys_admin.refresh_from_db()
    assert sys_admin.is_active


def test_totp_reset_by_a_clerk_is_denied(market_clerk: User, police_clerk: User) -> None:
    _, event = refused(lambda: services.totp_reset(actor=Actor.person(market_clerk), user=police_clerk))
    assert (event.action, event.outcome, event.target_id) == ("accounts.totp_reset", "denied", str(police_clerk.pk))


def test_unlock_by_the_system_admin_is_denied(sys_admin: User, police_clerk: User) -> None:
    _, event = refused(lambda: services.user_unlock(actor=Actor.person(sys_admin), user=police_clerk))
    assert (event.action, event.outcome) == ("accounts.unlock", "denied")


def test_api_client_registration_by_the_security_admin_is_denied(sec_admin: User, police_dept: Department) -> None:
    _, event = refused(
        lambda: services.apiclient_create(
            actor=Actor.person(sec_admin),
            name="金盾工程",
            department=police_dept,
            scopes=[ApiClient.Scope.READ_DIRECTORY],
            expires_at=timezone.now() + timedelta(days=1),
        )
    )
    assert (event.action, event.outcome, event.department) == ("accounts.apiclient_create", "denied", police_dept)


def test_revoking_twice_is_a_recorded_failure_and_keeps_the_first_revocation(
    sys_admin: User, police_dept: Department
) -> None:
    actor = Actor.person(sys_admin)
    client, _ = services.apiclient_create(
        actor=actor,
        name="金盾工程",
        department=police_dept,
        scopes=[ApiClient.Scope.READ_DIRECTORY],
        expires_at=timezone.now() + timedelta(days=1),
    )
    services.apiclient_revoke(actor=actor, client=client)
    revoked_at = ApiClient.objects.get().revoked_at
    error, event = refused(lambda: services.apiclient_revoke(actor=actor, client=client))
    assert error.code == AccountsError.ALREADY_REVOKED
    assert (event.action, event.outcome, event.target_id) == ("accounts.apiclient_revoke", "failure", str(client.pk))
    assert ApiClient.objects.get().revoked_at == revoked_at


def test_department_registration_by_a_clerk_is_denied(market_clerk: User, jilin: Region) -> None:
    _, event = refused(
        lambda: services.department_create(
            actor=Actor.person(market_clerk),
            name="某厅",
            credit_code="11220000013544111Q",
            region=jilin,
            level=Department.Level.PROVINCE,
        )
    )
    assert (event.action, event.outcome) == ("accounts.department_create", "denied")


def test_a_wrong_old_password_is_a_recorded_failure(citizen: User) -> None:
    old_hash = citizen.password
    error, event = refused(
        lambda: services.password_change(
            actor=Actor.person(citizen), old_password="wrong", new_password="Another-Pass-2026!"
        )
    )
    assert error.code == AccountsError.WRONG_PASSWORD
    assert (event.action, event.outcome, event.actor) == ("accounts.password_change", "failure", citizen)
    citizen.refresh_from_db()
    assert citizen.password == old_hash


def test_a_citizen_cannot_start_a_second_factor_enrolment(citizen: User) -> None:
    error, event = refused(lambda: services.totp_enrolment_device(actor=Actor.person(citizen)))
    assert error.code == CoreError.PERMISSION_DENIED
    assert (event.action, event.outcome) == ("accounts.totp.enrolment_start", "denied")


def test_the_security_admin_grants_and_the_grant_names_who_granted(sec_admin: User, police_clerk: User) -> None:
    services.user_set_roles(actor=Actor.person(sec_admin), user=police_clerk, roles=[Role.CLERK, Role.DATA_OFFICER])
    grant = RoleAssignment.objects.get(user=police_clerk, role=Role.DATA_OFFICER)
    assert grant.granted_by == sec_admin
    [event] = AuditEvent.objects.filter(action="accounts.roles_set")
    assert (event.outcome, event.details) == ("success", {"added": [Role.DATA_OFFICER], "removed": []})


def test_a_code_asked_for_again_within_the_minute_is_a_recorded_failure() -> None:
    visitor = Actor.anonymous(ip="192.0.2.20")
    services.phone_code_send(actor=visitor, phone="13900003333")
    sent = AuditEvent.objects.get(action="accounts.phone_code.send")
    assert (sent.outcome, sent.actor_kind, sent.details) == ("success", "anonymous", {"phone": "139****3333"})
    error, event = refused(lambda: services.phone_code_send(actor=visitor, phone="13900003333"))
    assert error.code == AccountsError.CODE_TOO_FREQUENT
    assert (event.outcome, event.ip) == ("failure", "192.0.2.20")
    assert "13900003333" not in str(event.details)
