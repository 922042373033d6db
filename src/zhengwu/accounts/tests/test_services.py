from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhengwu.accounts import services, sms
from zhengwu.accounts.errors import AccountsError
from zhengwu.accounts.models import ApiClient, Department, PhoneCode, Role, RoleAssignment, User
from zhengwu.audit.models import AuditEvent
from zhengwu.conftest import PASSWORD
from zhengwu.core.actors import Actor
from zhengwu.core.crypto import blind_index
from zhengwu.core.errors import ApplicationError, CoreError

pytestmark = pytest.mark.django_db

VISITOR = Actor.anonymous(ip="192.0.2.10")


def _send_and_read_code(phone: str) -> str:
    sms.outbox.clear()
    services.phone_code_send(actor=VISITOR, phone=phone)
    text = sms.outbox[-1][1]
    return text.split("验证码是 ")[1][:6]


class TestCitizenRegistration:
    def test_registers_with_valid_id_and_verified_phone(self) -> None:
        code = _send_and_read_code("13900001111")
        user = services.citizen_register(
            actor=VISITOR,
            username="wangwu",
            real_name="王五",
            id_number="11010519491231002x",
            phone="13900001111",
            phone_code=code,
            password=PASSWORD,
        )
        user.refresh_from_db()
        assert user.kind == User.Kind.CITIZEN
        assert user.id_number == "11010519491231002X"  # normalised
        assert user.phone_verified_at is not None
        assert AuditEvent.objects.filter(action="accounts.citizen_register", target_id=str(user.pk)).exists()

    def test_id_number_is_encrypted_at_rest_and_found_by_blind_index(self) -> None:
        from django.db import connection

        code = _send_and_read_code("13900001112")
        user = services.citizen_register(
            actor=VISITOR,
            username="zhaoliu",
            real_name="赵六",
            id_number="11010519491231002X",
            phone="13900001112",
            phone_code=code,
            password=PASSWORD,
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT id_number, phone FROM accounts_user WHERE id = %s", [user.pk])
            stored_id, stored_phone = cursor.fetchone()
        assert "11010519491231002X" not in stored_id and stored_id.startswith("sm4g2:")
        assert "13900001112" not in stored_phone
        found = User.objects.get(id_number_index=blind_index("11010519491231002x", purpose="resident-id"))
        assert found.pk == user.pk

    def test_bad_checksum_is_refused_recorded_and_nothing_else_is_written(self) -> None:
        code = _send_and_read_code("13900001113")
        before = (User.objects.count(), AuditEvent.objects.count())
        with pytest.raises(ApplicationError) as caught:
            services.citizen_register(
                actor=VISITOR,
                username="bad",
                real_name="某",
                id_number="110105194912310021",
                phone="13900001113",
                phone_code=code,
                password=PASSWORD,
            )
        assert caught.value.code == CoreError.INVALID_RESIDENT_ID
        assert "id_number" in caught.value.fields
        assert (User.objects.count(), AuditEvent.objects.count()) == (before[0], before[1] + 1)
        event = AuditEvent.objects.order_by("-seq").first()
        assert event is not None
        assert (event.action, event.outcome) == ("accounts.citizen_register", "failure")
        assert (event.actor_kind, event.ip) == ("anonymous", "192.0.2.10")
        assert event.details["code"] == CoreError.INVALID_RESIDENT_ID
        assert PhoneCode.objects.get().used_at is None  # the code was not spent

    def test_wrong_phone_code_is_refused_and_counted(self) -> None:
        real = _send_and_read_code("13900001114")
        wrong = "000000" if real != "000000" else "111111"
        with pytest.raises(ApplicationError) as caught:
            services.citizen_register(
                actor=VISITOR,
                username="someone",
                real_name="某人",
                id_number="11010519491231002X",
                phone="13900001114",
                phone_code=wrong,
                password=PASSWORD,
            )
        assert caught.value.code in (AccountsError.WRONG_CODE,)
        assert not User.objects.filter(username="someone").exists()
        assert PhoneCode.objects.get().attempts == 1

    def test_same_id_number_cannot_register_twice(self) -> None:
        code = _send_and_read_code("13900001115")
        services.citizen_register(
            actor=VISITOR,
            username="first",
            real_name="甲",
            id_number="11010519491231002X",
            phone="13900001115",
            phone_code=code,
            password=PASSWORD,
        )
        PhoneCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
        code = _send_and_read_code("13900001115")
        with pytest.raises(ApplicationError) as caught:
            services.citizen_register(
                actor=VISITOR,
                username="second",
                real_name="甲",
                id_number="11010519491231002X",
                phone="13900001115",
                phone_code=code,
                password=PASSWORD,
            )
        assert caught.value.code == AccountsError.ID_REGISTERED

    def test_codes_cannot_be_requested_more_than_once_a_minute(self) -> None:
        services.phone_code_send(actor=VISITOR, phone="13900001116")
        with pytest.raises(ApplicationError) as caught:
            services.phone_code_send(actor=VISITOR, phone="13900001116")
        assert caught.value.code == AccountsError.CODE_TOO_FREQUENT

    @pytest.mark.parametrize("password", ["short1A!", "alllowercaseletters", "NoDigitsOrSymbols"])
    def test_weak_passwords_are_refused(self, password: str) -> None:
        code = _send_and_read_code("13900001117")
        with pytest.raises(ApplicationError) as caught:
            services.citizen_register(
                actor=VISITOR,
                username="weakpw",
                real_name="弱",
                id_number="11010519491231002X",
                phone="13900001117",
                phone_code=code,
                password=password,
            )
        assert caught.value.code == AccountsError.WEAK_PASSWORD


def test_enterprise_registration_checks_credit_code() -> None:
    code = _send_and_read_code("13900002222")
    with pytest.raises(ApplicationError) as caught:
        services.enterprise_register(
            actor=VISITOR,
            username="acme",
            enterprise_name="某公司",
            credit_code="91110000600037341X",
            agent_name="钱七",
            agent_id_number="11010519491231002X",
            phone="13900002222",
            phone_code=code,
            password=PASSWORD,
        )
    assert caught.value.code == CoreError.INVALID_CREDIT_CODE
    user = services.enterprise_register(
        actor=VISITOR,
        username="acme",
        enterprise_name="某公司",
        credit_code="91110000600037341L",
        agent_name="钱七",
        agent_id_number="11010519491231002X",
        phone="13900002222",
        phone_code=code,
        password=PASSWORD,
    )
    assert user.kind == User.Kind.ENTERPRISE and user.enterprise_credit_code == "91110000600037341L"


class TestThreeAdministrators:
    def test_one_account_cannot_combine_admin_roles(self, sec_admin: User, market_clerk: User) -> None:
        with pytest.raises(ApplicationError) as caught:
            services.user_set_roles(
                actor=Actor.person(sec_admin), user=market_clerk, roles=[Role.SYS_ADMIN, Role.AUDIT_ADMIN]
            )
        assert caught.value.code == AccountsError.ADMIN_ROLES_COMBINED
        assert set(market_clerk.role_assignments.values_list("role", flat=True)) == {Role.CLERK}

    def test_security_admin_grants_roles_and_it_is_audited(self, sec_admin: User, market_clerk: User) -> None:
        services.user_set_roles(actor=Actor.person(sec_admin), user=market_clerk, roles=[Role.CLERK, Role.DATA_OFFICER])
        assert set(market_clerk.role_assignments.values_list("role", flat=True)) == {Role.CLERK, Role.DATA_OFFICER}
        event = AuditEvent.objects.get(action="accounts.roles_set")
        assert event.details["added"] == [Role.DATA_OFFICER]

    @pytest.mark.parametrize("actor_fixture", ["sys_admin", "audit_admin", "market_clerk"])
    def test_only_security_admin_grants_roles(
        self, request: pytest.FixtureRequest, actor_fixture: str, police_clerk: User
    ) -> None:
        actor = request.getfixturevalue(actor_fixture)
        with pytest.raises(ApplicationError) as caught:
            services.user_set_roles(actor=Actor.person(actor), user=police_clerk, roles=[Role.SYS_ADMIN])
        assert caught.value.code == CoreError.PERMISSION_DENIED
        assert not RoleAssignment.objects.filter(user=police_clerk, role=Role.SYS_ADMIN).exists()

    def test_security_admin_cannot_change_own_roles(self, sec_admin: User) -> None:
        with pytest.raises(ApplicationError):
            services.user_set_roles(actor=Actor.person(sec_admin), user=sec_admin, roles=[Role.SEC_ADMIN, Role.CLERK])

    def test_only_system_admin_creates_staff(self, sys_admin: User, sec_admin: User, market_dept: Department) -> None:
        with pytest.raises(ApplicationError):
            services.staff_create(
                actor=Actor.person(sec_admin),
                username="newbie",
                real_name="新人",
                department=market_dept,
                password=PASSWORD,
            )
        user = services.staff_create(
            actor=Actor.person(sys_admin),
            username="newbie",
            real_name="新人",
            department=market_dept,
            password=PASSWORD,
        )
        assert user.kind == User.Kind.STAFF and not user.role_codes()


class TestTotp:
    def test_enrolment_confirms_with_a_valid_token(self, market_clerk: User) -> None:
        user = market_clerk
        TOTPDevice.objects.filter(user=user).delete()
        device = services.totp_enrolment_device(actor=Actor.person(user))
        token = f"{TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits).token():06d}"
        with pytest.raises(ApplicationError):
            services.totp_enrol_confirm(actor=Actor.person(user), token=f"{(int(token) + 500_000) % 1_000_000:06d}")
        assert AuditEvent.objects.filter(action="accounts.totp_enrol", outcome="failure").count() == 1
        device.refresh_from_db()
        device.throttling_failure_count = 0  # the failed try above throttles the next one
        device.save()
        confirmed = services.totp_enrol_confirm(actor=Actor.person(user), token=token)
        assert confirmed.confirmed

    def test_security_admin_resets_a_lost_authenticator(self, sec_admin: User, market_clerk: User) -> None:
        services.totp_reset(actor=Actor.person(sec_admin), user=market_clerk)
        assert not TOTPDevice.objects.filter(user=market_clerk).exists()


class TestApiClients:
    def test_token_is_shown_once_and_stored_hashed(self, sys_admin: User, police_dept: Department) -> None:
        client, token = services.apiclient_create(
            actor=Actor.person(sys_admin),
            name="金盾工程",
            department=police_dept,
            scopes=[ApiClient.Scope.READ_DIRECTORY],
            expires_at=timezone.now() + timedelta(days=30),
        )
        assert token not in client.token_hash and client.token_hash != token
        assert services.apiclient_authenticate(token) == client
        assert services.apiclient_authenticate(token + "x") is None
        assert services.apiclient_authenticate("zw_nothing_here") is None
        client.refresh_from_db()
        assert client.last_used_at is not None

    def test_revoked_and_expired_tokens_stop_working(self, sys_admin: User, police_dept: Department) -> None:
        client, token = services.apiclient_create(
            actor=Actor.person(sys_admin),
            name="金盾工程",
            department=police_dept,
            scopes=[ApiClient.Scope.READ_DIRECTORY],
            expires_at=timezone.now() + timedelta(days=30),
        )
        services.apiclient_revoke(actor=Actor.person(sys_admin), client=client)
        assert services.apiclient_authenticate(token) is None
        other, other_token = services.apiclient_create(
            actor=Actor.person(sys_admin),
            name="金税工程",
            department=police_dept,
            scopes=[ApiClient.Scope.READ_DIRECTORY],
            expires_at=timezone.now() + timedelta(days=1),
        )
        ApiClient.objects.filter(pk=other.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        assert services.apiclient_authenticate(other_token) is None

    def test_only_system_admin_registers_clients(self, sec_admin: User, police_dept: Department) -> None:
        with pytest.raises(ApplicationError):
            services.apiclient_create(
                actor=Actor.person(sec_admin),
                name="x",
                department=police_dept,
                scopes=[ApiClient.Scope.READ_DIRECTORY],
                expires_at=timezone.now() + timedelta(days=1),
            )
        assert not ApiClient.objects.exists()


def test_department_credit_code_is_validated(sys_admin: User, jilin: object) -> None:
    with pytest.raises(ApplicationError) as caught:
        services.department_create(
            actor=Actor.person(sys_admin), name="某厅", credit_code="11220000013544357A", region=jilin, level="province"
        )  # type: ignore[arg-type]
    assert caught.value.code == CoreError.INVALID_CREDIT_CODE
    assert not Department.objects.filter(name="某厅").exists()


def test_password_change_records_a_refusal_and_changes_nothing(citizen: User) -> None:
    old_hash = citizen.password
    with pytest.raises(ApplicationError) as caught:
        services.password_change(actor=Actor.person(citizen), old_password="wrong", new_password="Another-Pass-2026!")
    assert caught.value.code == AccountsError.WRONG_PASSWORD
    citizen.refresh_from_db()
    assert citizen.password == old_hash
    assert AuditEvent.objects.filter(action="accounts.password_change", outcome="failure").count() == 1
    services.password_change(actor=Actor.person(citizen), old_password=PASSWORD, new_password="Another-Pass-2026!")
    citizen.refresh_from_db()
    assert citizen.check_password("Another-Pass-2026!")
