"""`zhengwu keys rotate-data-key` (issue 16): every encrypted field re-encrypted, blind indexes rebuilt
or looked up under every key, resumable after a crash, reads working in every state, the audit and
access-log MACs verified across the rotation, the start-up check, the lock, the audit log."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from zhengwu.accounts import services as accounts_services
from zhengwu.accounts.models import User
from zhengwu.audit import anchors
from zhengwu.audit import services as audit_services
from zhengwu.audit.models import AuditEvent
from zhengwu.audit.tests.helpers import disable_triggers, make_events, raw, rehash
from zhengwu.certificates.models import Certificate, IssuerKey
from zhengwu.certificates.selectors import certificates_of_user
from zhengwu.certificates.tests import conftest as certificate_fixtures
from zhengwu.core import crypto, keys, rotation
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, CoreError
from zhengwu.disclosure import fees
from zhengwu.disclosure.models import DisclosureRequest
from zhengwu.disclosure.services import requests as disclosure_requests
from zhengwu.disclosure.services.requests import ApplicantData
from zhengwu.exchange.sharing import access_log, access_log_verify, subscriptions
from zhengwu.exchange.sharing.models import Grant, Subscription
from zhengwu.exchange.sharing.selectors import reads_of_citizen
from zhengwu.exchange.tests import test_sharing_helpers as helpers
from zhengwu.participation.models import Letter
from zhengwu.participation.services import letters
from zhengwu.participation.tests.conftest import submit as submit_letter

people, market_grant = helpers.people, helpers.market_grant  # the exchange tests' grant, for a subscription
types, household_book = certificate_fixtures.types, certificate_fixtures.household_book  # a certificate

pytestmark = pytest.mark.django_db

ENCRYPTED = {
    ("accounts_user", ("id_number", "phone")),
    ("certificates_issuerkey", ("private_key",)),
    ("certificates_certificate", ("holder_name", "holder_code", "data_json")),
    ("disclosure_disclosurerequest", ("id_number", "phone", "address")),
    ("exchange_subscription", ("secret",)),
    ("participation_letter", ("writer_name", "writer_phone", "writer_id_number", "writer_address", "writer_email")),
}
LIU = ApplicantData(
    name="刘明", id_number="11010519491231002X", phone="13900001111", address="长春市南关区人民大街 1 号"
)


class Stop(Exception):
    """A crash in the middle of a rotation."""


@pytest.fixture
def keyring(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data directory of this test: its keyring, platform key and witness."""
    settings.DATA_DIR = tmp_path
    settings.ZHENGWU_DATA_KEYRING = tmp_path / "data_keys"
    settings.ZHENGWU_AUDIT_WITNESS = tmp_path / "witness"
    settings.ZHENGWU_PLATFORM_KEY = None
    crypto.forget_keyring()
    monkeypatch.setattr(rotation, "SETTLE_SECONDS", 0.0)  # one process here: nobody else to wait for
    return tmp_path


def stored(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {column} <> '' ORDER BY 1")  # noqa: S608 - ours
        return [row[0] for row in cursor.fetchall()]


def key_ids(table: str, column: str) -> set[str]:
    return {crypto.envelope_key_id(value) for value in stored(table, column)}


@pytest.fixture
def records(
    keyring: Path,
    citizen: User,
    police_dept: Any,
    market_clerk: User,
    market_grant: Grant,
    household_book: Certificate,
    egov: User,  # the e-gov office receives the letter
) -> dict[str, Any]:
    """One row of every model with an encrypted field, written under the first key (the issuer
    key and the certificate: `household_book`)."""
    letter, code = submit_letter(Actor.person(citizen), writer_address="朝阳区幸福路8号", writer_email="z@example.cn")
    request = disclosure_requests.request_register(
        actor=Actor.platform(), department=police_dept, channel="in_person", applicant=LIU, description="户籍统计"
    )
    certificate = household_book
    subscription, secret = subscriptions.subscription_create(
        actor=Actor.person(market_clerk), grant=market_grant, mode=Subscription.Mode.WEBHOOK, url="http://127.0.0.1:9/"
    )
    read = access_log.append(
        operation="record",
        outcome="ok",
        consumer_label="省公安厅",
        purpose="案件协查",
        key_indexes=[crypto.blind_index(citizen.id_number, purpose="resident-id")],
    )
    return {
        "letter": letter,
        "code": code,
        "request": request,
        "certificate": certificate,
        "read": read,
        "subscription": (subscription, secret),
    }


def test_every_encrypted_field_is_rotated() -> None:
    # A new EncryptedTextField is found by the rotation without being listed anywhere; this list
    # makes its author look at this test (and at which blind index goes with it).
    found = {(t.table, tuple(name for name, _ in t.columns)) for t in rotation.encrypted_tables()}
    assert found == ENCRYPTED
    indexes = {t.table: [i.column for i in t.indexes] for t in rotation.encrypted_tables() if t.indexes}
    assert indexes == {
        "accounts_user": ["id_number_index", "phone_index"],
        "certificates_certificate": ["holder_index"],
    }


def test_rotation_round_trips_every_field_and_keeps_every_lookup(records: dict[str, Any], citizen: User) -> None:
    first = crypto.data_keyring().current_id
    letter: Letter = records["letter"]
    before = {
        "user": (citizen.id_number, citizen.phone),
        "letter": [getattr(letter, f) for f in ENCRYPTED_LETTER],
        "request": (records["request"].id_number, records["request"].phone, records["request"].address),
        "certificate": (records["certificate"].holder_name, records["certificate"].holder_code),
        "key": IssuerKey.objects.get().private_key,
    }
    old_index = User.objects.get(pk=citizen.pk).id_number_index

    out = io.StringIO()
    call_command("keys", "rotate-data-key", "--batch-size", "1", stdout=out)
    ring = crypto.data_keyring()
    assert ring.current_id != first and set(ring.keys) == {first, ring.current_id}
    assert re.search(r"accounts_user：.*：1/\d+", out.getvalue())  # progress, batch by batch
    assert re.search(r"participation_letter：.*：1/1", out.getvalue())
    for table, columns in ENCRYPTED:
        for column in columns:
            assert key_ids(table, column) <= {ring.current_id}, (table, column)

    # Every field reads back the same through the ORM.
    user = User.objects.get(pk=citizen.pk)
    letter = Letter.objects.get(pk=letter.pk)
    request = DisclosureRequest.objects.get(pk=records["request"].pk)
    certificate = Certificate.objects.get(pk=records["certificate"].pk)
    assert (user.id_number, user.phone) == before["user"]
    assert [getattr(letter, f) for f in ENCRYPTED_LETTER] == before["letter"]
    assert (request.id_number, request.phone, request.address) == before["request"]
    assert (certificate.holder_name, certificate.holder_code) == before["certificate"]
    assert IssuerKey.objects.get().private_key == before["key"]

    # Recomputable indexes are rewritten under the new key ...
    assert user.id_number_index == crypto.blind_index(citizen.id_number, purpose="resident-id") != old_index
    assert certificates_of_user(user).get() == certificate
    with pytest.raises(ApplicationError) as refused:
        accounts_services._check_not_registered(
            User(kind=User.Kind.CITIZEN, username="again", id_number=user.id_number)
        )
    assert refused.value.code == "accounts.id_registered"
    # ... the others stay under the first one and are found under every key: the letter's query
    # code, the access log's subject index (my data use), the applicant key of the fee rule.
    assert letters.code_matches(letter, records["code"])
    assert not letters.code_matches(letter, "WRONG1")
    assert [r.purpose for r in reads_of_citizen(user)] == ["案件协查"]
    again = disclosure_requests.request_register(
        actor=Actor.platform(),
        department=request.department,
        channel="in_person",
        applicant=LIU,
        description="再次申请",
    )
    assert again.applicant_key != request.applicant_key  # made under the new key
    # The same applicant's earlier request of the month still counts for the fee.
    assert disclosure_requests.fee_for(again, fee_basis="requests", pages=0) == fees.request_fee(earlier_requests=1)
    subscription, secret = records["subscription"]
    assert subscriptions.sign(crypto.decrypt_text(Subscription.objects.get(pk=subscription.pk).secret), b"x") == (
        subscriptions.sign(secret, b"x")
    )

    assert keys.data_key_status() == "ok"
    assert rotation.pending_rotation() is None
    event = AuditEvent.objects.filter(action="audit.data_key.rotate").get()
    assert event.outcome == "success" and event.details["new_key"] == ring.current_id
    assert event.details["rewritten"] >= 6


ENCRYPTED_LETTER = ("writer_name", "writer_phone", "writer_id_number", "writer_address", "writer_email")


def make_citizen(i: int) -> User:
    return User.objects.create_user(
        username=f"r{i}",
        password="x-Long-Passw0rd!",
        kind="citizen",
        real_name=f"轮换{i}",
        id_number=f"1101051980010100{i:02d}",
        phone=f"138001380{i:02d}",
    )


def make_citizens(count: int) -> list[User]:
    return [make_citizen(i) for i in range(count)]


def test_a_crash_leaves_a_mix_that_reads_and_a_second_run_finishes(keyring: Path) -> None:
    people = make_citizens(6)
    first = crypto.data_keyring().current_id
    batches = []

    def crash_after_two(rows: int) -> None:
        batches.append(rows)
        if len(batches) == 2:
            raise Stop

    with pytest.raises(Stop):
        rotation.rotate_data_key(batch_size=2, after_batch=crash_after_two)
    new = crypto.data_keyring().current_id
    assert new != first and rotation.pending_rotation() == new
    ids = [crypto.envelope_key_id(v) for v in stored("accounts_user", "id_number")]
    assert ids.count(new) == 4 and ids.count(first) == 2  # two batches of two committed, the rest not

    # Every row reads, whichever key it is under; lookups find both kinds; the start-up check passes.
    for person in people:
        again = User.objects.get(pk=person.pk)
        assert (again.id_number, again.phone) == (person.id_number, person.phone)
        with pytest.raises(ApplicationError):
            accounts_services._check_not_registered(User(kind="citizen", username="x", id_number=person.id_number))
    assert keys.data_key_status() == "ok"
    written = make_citizen(6)  # a write during the rotation: under the new key
    assert crypto.envelope_key_id(stored_of(written)) == new
    assert rotation.values_by_key() == {first: 4, new: 10}  # ID numbers and phones of 2 and of 4 + 1 people
    shown = io.StringIO()
    call_command("keys", "show", stdout=shown)
    assert f"{new}（当前）：10 个加密字段值" in shown.getvalue()
    assert f"{first}（最早）：4 个加密字段值" in shown.getvalue() and "未完成的轮换" in shown.getvalue()

    result = rotation.rotate_data_key(batch_size=2)
    assert result.resumed and result.new_id == new and result.remaining == 0 and result.rewritten == 2
    assert rotation.pending_rotation() is None
    assert {crypto.envelope_key_id(v) for v in stored("accounts_user", "id_number")} == {new}
    assert rotation.values_by_key().get(first, 0) == 0


def stored_of(user: User) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM accounts_user WHERE id = %s", [user.pk])
        row = cursor.fetchone()
    assert row is not None
    return str(row[0])


def test_a_second_rotation_is_refused_while_one_runs_and_the_refusal_is_logged(keyring: Path) -> None:
    with rotation.rotation_lock():
        with pytest.raises(ApplicationError) as refused:
            rotation.rotate_data_key()
        assert refused.value.code == CoreError.KEY_ROTATION_RUNNING and "正在进行" in refused.value.message
        with pytest.raises(CommandError, match="正在进行"):
            call_command("keys", "rotate-data-key", stdout=io.StringIO())
    event = AuditEvent.objects.filter(action="audit.data_key.rotate").get()
    assert event.outcome == "failure" and event.details["code"] == "core.key_rotation_running"
    assert not (keyring / "data_keys" / rotation.MARKER).exists()


def test_the_configured_key_is_left_as_it_is_and_stays_in_the_ring(keyring: Path, settings: Any) -> None:
    configured = bytes(settings.ZHENGWU_DATA_KEY)  # ZHENGWU_DATA_KEY in the environment, or data_key
    result = rotation.rotate_data_key()
    assert configured == settings.ZHENGWU_DATA_KEY  # an environment variable need not change
    ring = crypto.data_keyring()
    assert ring.current_id == result.new_id == (keyring / "data_keys" / "current").read_text().strip()
    assert ring.keys[result.old_id] == configured and ring.first_id == result.old_id
    assert sorted(p.name for p in (keyring / "data_keys").glob("*.key")) == sorted(
        f"{kid}.key" for kid in (result.old_id, result.new_id)
    )
    assert all(oct(p.stat().st_mode)[-3:] == "600" for p in (keyring / "data_keys").glob("*.key"))
    # A second rotation keeps every key: three in the ring, the newest current.
    again = rotation.rotate_data_key()
    assert crypto.data_keyring().current_id == again.new_id and len(crypto.data_keyring().keys) == 3


def test_audit_and_access_log_verify_across_a_rotation_and_still_catch_tampering(keyring: Path) -> None:
    make_events(3)
    staged = access_log.stage(operation="record", outcome="ok", purpose="核验", keys=["x"])
    anchor = anchors.write_anchor("test")  # records the staged entry's MAC, made under the first key
    call_command("keys", "rotate-data-key", stdout=io.StringIO())
    make_events(2)
    assert access_log.seal_pending() == 1  # a row staged before the rotation is sealed after it
    assert audit_services.verify_chain().ok
    assert access_log_verify.verify_chain().ok
    assert access_log_verify.pending_check(anchor.chains["exchange.accesslogpending"]) is None
    assert staged["mac"]

    # An attacker without any key of the ring cannot make a MAC that verifies.
    disable_triggers()
    raw("UPDATE audit_auditevent SET details = %s WHERE seq = 2", ['{"n": 99}'])
    rehash(2)
    raw("UPDATE audit_auditevent SET mac = %s WHERE seq = 2", [crypto.sm3_hmac_hex(bytes(32), "x")])
    result = audit_services.verify_chain()
    assert not result.ok and result.first_bad_seq == 2


def test_the_start_up_check_accepts_the_keyring_and_refuses_a_restore_without_the_old_key(keyring: Path) -> None:
    first = crypto.data_keyring().current_id
    make_citizens(1)
    call_command("keys", "rotate-data-key", stdout=io.StringIO())
    assert keys.data_key_status() == "ok" and keys.check_data_key() == []

    shutil.rmtree(keyring / "data_keys")  # restored with data_key but not the keyring
    crypto.forget_keyring()
    assert crypto.data_keyring().current_id == first
    assert keys.data_key_status() == "mismatch"
    [error] = keys.check_data_key()
    assert error.id == "core.E001" and "恢复数据时必须同时恢复备份中的密钥" in error.msg and "密钥环" in error.msg
    assert "data_keys" in error.msg


def test_every_row_reads_and_is_found_after_every_batch_of_a_rotation(keyring: Path) -> None:
    people = make_citizens(5)
    states: list[tuple[int, int]] = []

    def read_all(rows: int) -> None:
        ids = [crypto.envelope_key_id(v) for v in stored("accounts_user", "id_number")]
        states.append((ids.count(crypto.data_keyring().first_id), len(ids)))
        for person in people:
            again = User.objects.get(pk=person.pk)
            assert (again.id_number, again.phone) == (person.id_number, person.phone)
            with pytest.raises(ApplicationError):  # found by its blind index, whichever key it is under
                accounts_services._check_not_registered(User(kind="citizen", username="x", id_number=person.id_number))

    rotation.rotate_data_key(batch_size=2, after_batch=read_all)
    assert states == [(3, 5), (1, 5), (0, 5)]  # rows under the old key: 3, then 1, then none
