"""Issuing, signing, verifying and revoking certificates; the write into the 电子证照 base."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from zhengwu.accounts.models import Department, Role, User
from zhengwu.audit.models import AuditEvent
from zhengwu.catalog.models import Resource
from zhengwu.certificates import identifiers, selectors, signing
from zhengwu.certificates.demo import TYPE_CODES
from zhengwu.certificates.errors import CertificateError
from zhengwu.certificates.models import Certificate, IssuerKey
from zhengwu.certificates.services import certificate_issue, certificate_revoke, certificates_resync
from zhengwu.certificates.tests.conftest import FOOD, FOOD_DATA, HOUSEHOLD, make_base_resource
from zhengwu.conftest import COMPANY_CODE, make_staff
from zhengwu.core.actors import Actor
from zhengwu.core.crypto import sm2_verify
from zhengwu.core.errors import ApplicationError, CoreError
from zhengwu.core.workdays import today
from zhengwu.exchange.store.tables import get_record

pytestmark = pytest.mark.django_db


def issue_food(actor: Actor, department: Department, **changes: Any) -> Certificate:
    arguments: dict[str, Any] = {
        "actor": actor,
        "department": department,
        "certificate_type": TYPE_CODES[FOOD],
        "holder_name": "长春市春城食品有限公司",
        "holder_credit_code": COMPANY_CODE,
        "data": dict(FOOD_DATA),
        "valid_until": today() + timedelta(days=5 * 365),
    }
    arguments.update(changes)
    return certificate_issue(**arguments)


# --- issue ---------------------------------------------------------------------------------------


def test_a_clerk_of_the_issuing_department_issues_a_signed_certificate(
    types: Any, market_dept: Department, market_clerk: User
) -> None:
    certificate = issue_food(Actor.person(market_clerk), market_dept, source_label="办件 XK-2026-000007")
    parsed = identifiers.parse(certificate.identifier)
    assert parsed is not None
    assert parsed.type_code == TYPE_CODES[FOOD] == certificate.certificate_type.code
    assert parsed.issuer_code == market_dept.credit_code
    assert (parsed.serial, parsed.version) == ("00000001", "001")
    assert certificate.issued_on == today()
    assert certificate.status == Certificate.Status.VALID
    assert certificate.data == FOOD_DATA
    # The signature is SM2 over the canonical JSON, with the department's published key.
    key = IssuerKey.objects.get(department=market_dept)
    assert certificate.issuer_key == key
    payload = json.loads(signing.canonical_bytes(certificate))
    assert payload["identifier"] == certificate.identifier
    assert payload["holder_code"] == COMPANY_CODE
    assert payload["data"] == FOOD_DATA
    assert sm2_verify(key.public_key, signing.canonical_bytes(certificate), certificate.signature)
    event = AuditEvent.objects.get(action="certificates.certificate.issue", outcome="success")
    assert event.actor == market_clerk
    assert event.details["identifier"] == certificate.identifier
    assert event.details["source"] == "办件 XK-2026-000007"
    assert AuditEvent.objects.filter(action="certificates.issuer_key.create").count() == 1


def test_personal_data_is_stored_encrypted(types: Any, market_dept: Department, market_clerk: User) -> None:
    from django.db import connection

    certificate = issue_food(Actor.person(market_clerk), market_dept)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT holder_name, holder_code, data_json FROM certificates_certificate WHERE id = %s", [certificate.pk]
        )
        row = cursor.fetchone()
    assert all(str(value).startswith("sm4g2:") for value in row)
    assert COMPANY_CODE not in "".join(row)


def test_the_key_private_part_is_stored_encrypted(types: Any, market_dept: Department, market_clerk: User) -> None:
    from django.db import connection

    issue_food(Actor.person(market_clerk), market_dept)
    with connection.cursor() as cursor:
        cursor.execute("SELECT private_key FROM certificates_issuerkey")
        (stored,) = cursor.fetchone()
    assert stored.startswith("sm4g2:")
    assert IssuerKey.objects.get().private_key != stored


def test_serial_numbers_count_up_per_type_and_issuer(
    types: Any, market_dept: Department, market_clerk: User, police_dept: Department
) -> None:
    first = issue_food(Actor.person(market_clerk), market_dept)
    second = issue_food(Actor.platform(), market_dept)
    other_issuer = issue_food(Actor.platform(), police_dept)
    assert (first.serial, second.serial, other_issuer.serial) == ("00000001", "00000002", "00000001")
    assert first.issuer_key_id == second.issuer_key_id != other_issuer.issuer_key_id
    assert IssuerKey.objects.count() == 2


def test_the_platform_issues_for_a_department(types: Any, market_dept: Department) -> None:
    certificate = issue_food(Actor.platform(), market_dept)
    assert certificate.issued_by is None
    assert selectors.verify(certificate.identifier).status == "valid"


def test_a_type_object_works_like_its_code(types: Any, police_dept: Department, citizen: User) -> None:
    certificate = certificate_issue(
        actor=Actor.platform(),
        department=police_dept,
        certificate_type=types[HOUSEHOLD],
        holder_name="张三",
        holder_id_number=citizen.id_number.lower(),
        data={
            "household_no": "1",
            "household_type": "家庭户",
            "head_name": "张三",
            "relation": "户主",
            "address": "长春",
        },
        valid_until=None,
    )
    assert certificate.holder_code == citizen.id_number
    assert list(selectors.certificates_held_by(id_number=citizen.id_number)) == [certificate]


def test_a_leader_may_issue_but_not_other_staff_or_people(
    types: Any,
    market_dept: Department,
    market_leader: User,
    market_officer: User,
    police_clerk: User,
    citizen: User,
    sys_admin: User,
) -> None:
    assert issue_food(Actor.person(market_leader), market_dept).pk
    for refused in (market_officer, police_clerk, citizen, sys_admin):
        before = Certificate.objects.count()
        with pytest.raises(ApplicationError) as caught:
            issue_food(Actor.person(refused), market_dept)
        assert caught.value.code == CoreError.PERMISSION_DENIED
        assert Certificate.objects.count() == before
        assert AuditEvent.objects.filter(
            action="certificates.certificate.issue", outcome="denied", actor=refused
        ).exists()


BAD_INPUT = [
    ({"certificate_type": "11100000MB01430H0G999"}, CertificateError.UNKNOWN_TYPE, "certificate_type"),
    ({"holder_name": " "}, CertificateError.INVALID_HOLDER, "holder_name"),
    ({"holder_credit_code": ""}, CertificateError.INVALID_HOLDER, "holder_credit_code"),
    ({"holder_credit_code": "91220101MA0000015X"}, CertificateError.INVALID_HOLDER, "holder_credit_code"),
    ({"holder_id_number": "11010519491231002X"}, CertificateError.INVALID_HOLDER, "holder_id_number"),
    ({"data": {**FOOD_DATA, "license_no": ""}}, CertificateError.INVALID_DATA, "license_no"),
    ({"data": {**FOOD_DATA, "colour": "红"}}, CertificateError.INVALID_DATA, "colour"),
    ({"data": {**FOOD_DATA, "premises": "长" * 501}}, CertificateError.INVALID_DATA, "premises"),
    ({"data": ["not", "a", "dict"]}, CertificateError.INVALID_DATA, "data"),
    ({"valid_until": date(2020, 1, 1)}, CertificateError.INVALID_VALIDITY, "valid_until"),
]


@pytest.mark.parametrize(("changes", "code", "field"), BAD_INPUT)
def test_bad_input_is_refused_and_writes_nothing(
    types: Any, market_dept: Department, market_clerk: User, changes: dict[str, Any], code: str, field: str
) -> None:
    with pytest.raises(ApplicationError) as caught:
        issue_food(Actor.person(market_clerk), market_dept, **changes)
    assert caught.value.code == code
    assert caught.value.status == 400
    assert field in caught.value.fields
    assert not Certificate.objects.exists()
    assert not IssuerKey.objects.exists()
    assert AuditEvent.objects.filter(action="certificates.certificate.issue", outcome="failure").count() == 1


def test_a_person_type_refuses_a_credit_code(types: Any, police_dept: Department) -> None:
    with pytest.raises(ApplicationError) as caught:
        certificate_issue(
            actor=Actor.platform(),
            department=police_dept,
            certificate_type=TYPE_CODES[HOUSEHOLD],
            holder_name="某公司",
            holder_credit_code=COMPANY_CODE,
            data={},
            valid_until=None,
        )
    assert caught.value.code == CertificateError.INVALID_HOLDER


def test_an_inactive_department_cannot_issue(types: Any, market_dept: Department) -> None:
    market_dept.is_active = False
    market_dept.save()
    with pytest.raises(ApplicationError) as caught:
        issue_food(Actor.platform(), market_dept)
    assert caught.value.code == CertificateError.ISSUER_INACTIVE
    assert not Certificate.objects.exists()


def test_an_inactive_type_is_refused(types: Any, market_dept: Department) -> None:
    types[FOOD].is_active = False
    types[FOOD].save()
    with pytest.raises(ApplicationError) as caught:
        issue_food(Actor.platform(), market_dept)
    assert caught.value.code == CertificateError.UNKNOWN_TYPE


# --- verify --------------------------------------------------------------------------------------


def test_a_tampered_field_breaks_the_signature(food_licence: Certificate) -> None:
    assert selectors.verify(food_licence.identifier).status == "valid"
    stored = Certificate.objects.get(pk=food_licence.pk)
    stored.data_json = json.dumps({**FOOD_DATA, "business_items": "预包装食品销售；酒类销售"}, ensure_ascii=False)
    stored.save()
    result = selectors.verify(food_licence.identifier)
    assert (result.status, result.signature_ok, result.status_label) == ("bad_signature", False, "签名无效")


@pytest.mark.parametrize(
    "field",
    ["holder_name", "holder_code", "valid_until", "issued_on"],
)
def test_any_signed_field_changed_is_detected(food_licence: Certificate, field: str) -> None:
    values = {
        "holder_name": "长春市另一家食品有限公司",
        "holder_code": "91220101MA0000023B",
        "valid_until": date(2099, 12, 31),
        "issued_on": food_licence.issued_on - timedelta(days=1),
    }
    Certificate.objects.filter(pk=food_licence.pk).update(**{field: values[field]})
    assert selectors.verify(food_licence.identifier).status == "bad_signature"


def test_a_signature_from_another_key_is_refused(food_licence: Certificate, market_dept: Department) -> None:
    key = food_licence.issuer_key
    _private_key, public_key = signing.new_keypair()
    IssuerKey.objects.filter(pk=key.pk).update(public_key=public_key)
    assert selectors.verify(food_licence.identifier).status == "bad_signature"


def test_an_expired_certificate_is_reported_expired(types: Any, market_dept: Department) -> None:
    certificate = issue_food(Actor.platform(), market_dept, valid_until=today())
    assert selectors.verify(certificate.identifier).status == "valid"
    Certificate.objects.filter(pk=certificate.pk).update(valid_until=today() - timedelta(days=1))
    # Moving the date breaks the signature too: re-sign as if issued with that validity.
    stored = Certificate.objects.get(pk=certificate.pk)
    stored.signature = signing.sign(stored)
    stored.save()
    result = selectors.verify(certificate.identifier)
    assert (result.status, result.status_label) == ("expired", "已过期")
    assert not stored.is_usable


def test_unknown_and_malformed_identifiers(food_licence: Certificate) -> None:
    text = food_licence.identifier
    other = str(identifiers.build(type_code=TYPE_CODES[FOOD], issuer_code="11220000013544357T", serial=99))
    assert selectors.verify(other).status == "not_found"
    assert selectors.verify(other).check_char_ok
    broken = selectors.verify(text[:-1] + ("0" if text[-1] != "0" else "1"))
    assert (broken.status, broken.check_char_ok) == ("not_found", False)
    assert selectors.certificate_by_identifier("nonsense") is None
    assert selectors.certificate_by_identifier(text.lower()) == food_licence


# --- revoke -------------------------------------------------------------------------------------


def test_a_clerk_of_the_issuer_revokes_with_a_reason(food_licence: Certificate, market_clerk: User) -> None:
    revoked = certificate_revoke(actor=Actor.person(market_clerk), certificate=food_licence, reason="经营者申请注销")
    assert revoked.status == Certificate.Status.REVOKED
    assert revoked.revoked_by == market_clerk
    assert revoked.revoked_at is not None
    result = selectors.verify(food_licence.identifier)
    assert (result.status, result.status_label, result.signature_ok) == ("revoked", "已注销", True)
    event = AuditEvent.objects.get(action="certificates.certificate.revoke", outcome="success")
    assert event.details["reason"] == "经营者申请注销"
    assert not selectors.certificates_held_by(credit_code=COMPANY_CODE).filter(status="valid").exists()


def test_revoke_refusal_matrix(
    food_licence: Certificate,
    market_dept: Department,
    market_officer: User,
    police_clerk: User,
    citizen: User,
    company: User,
    sys_admin: User,
    egov: User,
) -> None:
    for refused in (market_officer, police_clerk, citizen, company, sys_admin, egov):
        with pytest.raises(ApplicationError) as caught:
            certificate_revoke(actor=Actor.person(refused), certificate=food_licence, reason="试图注销")
        assert caught.value.code == CoreError.PERMISSION_DENIED
        food_licence.refresh_from_db()
        assert food_licence.status == Certificate.Status.VALID
        assert AuditEvent.objects.filter(
            action="certificates.certificate.revoke", outcome="denied", actor=refused
        ).exists()


def test_the_platform_and_anonymous_visitors_may_not_revoke(food_licence: Certificate) -> None:
    before = AuditEvent.objects.count()
    for actor in (Actor.platform(), Actor.anonymous(ip="192.0.2.44")):
        with pytest.raises(ApplicationError) as caught:
            certificate_revoke(actor=actor, certificate=food_licence, reason="试图注销")
        assert caught.value.code == CoreError.PERMISSION_DENIED
    stored = Certificate.objects.get(pk=food_licence.pk)
    assert (stored.status, stored.revoked_at, stored.revoke_reason) == (Certificate.Status.VALID, None, "")
    # Nothing was written but the two refusals, each naming the certificate and who tried.
    refused = list(AuditEvent.objects.order_by("seq")[before:])
    assert [(e.action, e.outcome, e.actor_kind, e.target_id) for e in refused] == [
        ("certificates.certificate.revoke", "denied", AuditEvent.ActorKind.SYSTEM, str(food_licence.pk)),
        ("certificates.certificate.revoke", "denied", AuditEvent.ActorKind.ANONYMOUS, str(food_licence.pk)),
    ]
    assert refused[1].ip == "192.0.2.44"
    assert refused[0].department == food_licence.issuer


def test_revoke_needs_a_reason_and_happens_once(
    food_licence: Certificate, market_clerk: User, market_leader: User
) -> None:
    with pytest.raises(ApplicationError) as caught:
        certificate_revoke(actor=Actor.person(market_clerk), certificate=food_licence, reason="  ")
    assert caught.value.code == CertificateError.REASON_REQUIRED
    food_licence.refresh_from_db()
    assert food_licence.status == Certificate.Status.VALID
    certificate_revoke(actor=Actor.person(market_clerk), certificate=food_licence, reason="许可事项变更，换发新证")
    # The leader acts on the stale object at the same time: exactly one revocation succeeds.
    with pytest.raises(ApplicationError) as caught:
        certificate_revoke(actor=Actor.person(market_leader), certificate=food_licence, reason="重复操作")
    assert caught.value.code == CertificateError.WRONG_STATE
    food_licence.refresh_from_db()
    assert food_licence.revoke_reason == "许可事项变更，换发新证"
    assert AuditEvent.objects.filter(action="certificates.certificate.revoke", outcome="failure").count() == 2


# --- once-only: selectors -----------------------------------------------------------------------


def test_certificates_held_by_finds_the_holders_certificates_only(
    food_licence: Certificate, household_book: Certificate, citizen: User
) -> None:
    assert list(selectors.certificates_held_by(credit_code=COMPANY_CODE)) == [food_licence]
    assert list(selectors.certificates_held_by(id_number=citizen.id_number)) == [household_book]
    assert list(selectors.certificates_held_by(credit_code=COMPANY_CODE, type_code=TYPE_CODES[HOUSEHOLD])) == []
    assert list(selectors.certificates_held_by(credit_code=COMPANY_CODE, type_code=TYPE_CODES[FOOD])) == [food_licence]
    assert list(selectors.certificates_held_by()) == []
    assert list(selectors.certificates_held_by(id_number="220102198005010159")) == []


# --- the 电子证照 base resource -----------------------------------------------------------------


def test_issue_and_revoke_are_written_into_the_base(
    types: Any, base_resource: Resource, market_dept: Department, market_clerk: User
) -> None:
    certificate = issue_food(Actor.person(market_clerk), market_dept, valid_until=date(2031, 12, 31))
    assert certificate.base_synced_at is not None
    stored = get_record(base_resource, certificate.identifier)
    assert stored is not None
    assert stored["license_type"] == FOOD
    assert stored["holder_code"] == COMPANY_CODE
    assert stored["issuer"] == market_dept.name
    assert str(stored["issued_on"]) == today().isoformat()
    assert str(stored["valid_until"]) == "2031-12-31"
    assert stored["status"] == "有效"
    certificate_revoke(actor=Actor.person(market_clerk), certificate=certificate, reason="吊销")
    stored = get_record(base_resource, certificate.identifier)
    assert stored is not None
    assert stored["status"] == "注销"


def test_without_a_base_resource_the_certificate_is_still_issued_and_can_be_written_later(
    types: Any, market_dept: Department, office_dept: Department
) -> None:
    certificate = issue_food(Actor.platform(), market_dept)
    assert certificate.base_synced_at is None
    event = AuditEvent.objects.get(action="certificates.certificate.issue", outcome="success")
    assert "未找到" in event.details["base"]
    resource = make_base_resource(office_dept)
    assert certificates_resync(actor=Actor.platform()) == ""
    certificate.refresh_from_db()
    assert certificate.base_synced_at is not None
    assert get_record(resource, certificate.identifier) is not None


def test_a_base_resource_too_narrow_for_the_identifier_refuses_the_row_not_the_issue(
    types: Any, market_dept: Department, office_dept: Department
) -> None:
    # As catalog/demo.py defines it today: 证照编号 up to 64 characters, the identifier has 70.
    resource = make_base_resource(office_dept, number_length=64)
    certificate = issue_food(Actor.platform(), market_dept)
    assert len(certificate.identifier) == 70
    assert certificate.base_synced_at is None
    assert get_record(resource, certificate.identifier) is None
    event = AuditEvent.objects.get(action="certificates.certificate.issue", outcome="success")
    assert event.details["base"] != "已写入电子证照库"
    assert selectors.verify(certificate.identifier).status == "valid"


def test_the_daily_task_marks_expired_certificates_in_the_base(
    types: Any, base_resource: Resource, market_dept: Department
) -> None:
    from zhengwu.certificates.services import certificates_expire_in_base
    from zhengwu.certificates.tasks import certificates_expiry_tick

    running = issue_food(Actor.platform(), market_dept, valid_until=today())
    ending = issue_food(Actor.platform(), market_dept, valid_until=today())
    assert certificates_expire_in_base(actor=Actor.platform()) == 0
    Certificate.objects.filter(pk=ending.pk).update(valid_until=today() - timedelta(days=1))
    assert certificates_expiry_tick.call_local() == 1
    stored = get_record(base_resource, ending.identifier)
    assert stored is not None and stored["status"] == "过期"
    assert get_record(base_resource, running.identifier)["status"] == "有效"  # type: ignore[index]
    assert certificates_expire_in_base(actor=Actor.platform()) == 0
    assert AuditEvent.objects.filter(action="certificates.base.expire").count() == 1


# --- key rotation ---------------------------------------------------------------------------------


def test_the_leader_rotates_the_key_and_old_certificates_still_verify(
    food_licence: Certificate, market_dept: Department, market_leader: User, sec_admin: User
) -> None:
    from zhengwu.certificates.services import issuer_key_rotate

    old_key = food_licence.issuer_key
    new_key = issuer_key_rotate(actor=Actor.person(market_leader), department=market_dept)
    old_key.refresh_from_db()
    assert old_key.retired_at is not None and new_key.retired_at is None
    assert selectors.verify(food_licence.identifier).status == "valid"
    fresh = issue_food(Actor.platform(), market_dept)
    assert fresh.issuer_key == new_key
    assert selectors.verify(fresh.identifier).status == "valid"
    assert issuer_key_rotate(actor=Actor.person(sec_admin), department=market_dept).pk != new_key.pk
    assert IssuerKey.objects.filter(department=market_dept, retired_at__isnull=True).count() == 1
    assert AuditEvent.objects.filter(action="certificates.issuer_key.rotate", outcome="success").count() == 2


def test_key_rotation_refusals(
    food_licence: Certificate, market_dept: Department, market_clerk: User, police_dept: Department, citizen: User
) -> None:
    from zhengwu.certificates.services import issuer_key_rotate

    police_leader = make_staff("police_leader", police_dept, Role.DEPT_LEADER, name="公安厅负责人")
    for refused in (market_clerk, police_leader, citizen):
        with pytest.raises(ApplicationError) as caught:
            issuer_key_rotate(actor=Actor.person(refused), department=market_dept)
        assert caught.value.code == CoreError.PERMISSION_DENIED
    assert IssuerKey.objects.get(department=market_dept).retired_at is None
    assert AuditEvent.objects.filter(action="certificates.issuer_key.rotate", outcome="denied").count() == 3
