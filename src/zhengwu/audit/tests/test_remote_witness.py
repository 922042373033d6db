"""The remote witness (audit.remote_witness → audit.witness_peers): every anchor is also kept by a
second zhengwu instance, so a local witness rewritten together with the database is caught.

One test database plays both instances: the sender's HTTP calls are answered by the Django test
client, and the receiver has the sender's own platform key registered as its peer."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import requests
from django.conf import settings
from django.test import Client
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from zhengwu.accounts.models import ApiClient, Department, User
from zhengwu.accounts.services import apiclient_create
from zhengwu.audit import anchors, remote_witness, restores, witness_peers
from zhengwu.audit.models import AuditEvent, WitnessPeer
from zhengwu.audit.tests import helpers
from zhengwu.audit.tests.helpers import disable_triggers, make_events, raw, verify_command
from zhengwu.conftest import machine_api_client
from zhengwu.core.actors import Actor
from zhengwu.ops import watch

own_keys = helpers.own_keys  # the fixture, for pytestmark
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_keys")]

URL = "https://witness.example"


class Answer:
    """What `requests` returns, from a Django test response."""

    def __init__(self, response: Any) -> None:
        self.status_code = response.status_code
        self.text = response.content.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.text)


def issue(sys_admin: User, department: Department, *scopes: str) -> tuple[ApiClient, str]:
    return apiclient_create(  # as the system administrator issues it (工作台 → 接口调用系统)
        actor=Actor.person(sys_admin),
        name="省政务云备用节点",
        department=department,
        scopes=scopes,
        expires_at=timezone.now() + timedelta(days=365),
    )


@pytest.fixture
def peer(sys_admin: User, market_dept: Department) -> tuple[ApiClient, str]:
    client, token = issue(sys_admin, market_dept, ApiClient.Scope.AUDIT_WITNESS)
    witness_peers.register_peer(actor=Actor.platform(), client=client, public_key=anchors.platform_key().public_key)
    return client, token


@pytest.fixture
def wired(peer: tuple[ApiClient, str], settings: Any) -> Iterator[Client]:
    """This platform configured with a remote witness that is itself, reached through the test client."""
    settings.ZHENGWU_AUDIT_WITNESS_URL = URL
    settings.ZHENGWU_AUDIT_WITNESS_TOKEN = peer[1]
    http = machine_api_client()

    def post(url: str, json: dict[str, str], headers: dict[str, str], timeout: int) -> Answer:
        path = url.removeprefix(URL)
        return Answer(
            http.post(path, json, content_type="application/json", HTTP_AUTHORIZATION=headers["Authorization"])
        )

    def get(url: str, headers: dict[str, str], timeout: int) -> Answer:
        return Answer(http.get(url.removeprefix(URL), HTTP_AUTHORIZATION=headers["Authorization"]))

    immediate = HUEY.immediate
    HUEY.immediate = True  # the queued send runs at once
    try:
        with (
            mock.patch.object(remote_witness.requests, "post", post),
            mock.patch.object(remote_witness.requests, "get", get),
        ):
            yield http
    finally:
        HUEY.immediate = immediate


def kept_lines() -> list[dict[str, Any]]:
    directory = Path(settings.ZHENGWU_AUDIT_WITNESS) / "peers" / anchors.platform_key().fingerprint
    return [json.loads(line) for path in sorted(directory.glob("*.jsonl")) for line in path.read_text().splitlines()]


def post_line(token: str, line: str) -> Any:
    return machine_api_client().post(
        "/api/v1/audit/witness/anchors",
        {"line": line},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def signed_line() -> str:
    """An anchor signed by this platform's key, written to the local witness only."""
    anchors.write_anchor()
    return next(anchors._lines_newest_first())[2].decode("utf-8")


def test_each_anchor_written_is_kept_by_the_remote_witness(wired: Client) -> None:
    make_events(3)
    first = anchors.write_anchor()
    make_events(2)
    second = anchors.write_anchor()
    kept = kept_lines()
    assert [line["at"] for line in kept] == [first.at, second.at]
    assert kept[-1]["chains"] == second.chains
    assert AuditEvent.objects.filter(action="audit.witness.receive", outcome="success").count() == 2
    line = remote_witness.fetch_latest()
    assert line is not None and anchors.parse_own(line, "远程见证").at == second.at
    code, out, _ = verify_command()
    assert code == 0 and "对照远程见证中" in out


def test_a_failed_send_is_logged_and_never_blocks_the_write(wired: Client, caplog: pytest.LogCaptureFixture) -> None:
    def down(*args: Any, **kwargs: Any) -> None:
        raise requests.ConnectionError("no route")

    with mock.patch.object(remote_witness.requests, "post", down), caplog.at_level(logging.ERROR):
        anchor = anchors.write_anchor()
    latest, _ = anchors.latest_anchor()
    assert latest is not None and latest.at == anchor.at
    assert kept_lines() == []
    assert "无法连接远程见证" in caplog.text


def refused(response: Any, code: str, status: int) -> None:
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.outcome != "success" and event.details["code"] == code
    assert kept_lines() == []


def test_a_forged_signature_is_refused_audited_and_not_kept(peer: tuple[ApiClient, str]) -> None:
    record = json.loads(signed_line())
    record["chains"][anchors.AUDIT_CHAIN]["seq"] = 999  # the content no longer matches its signature
    refused(post_line(peer[1], json.dumps(record)), "audit.witness_refused", 400)
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and "SM2 签名无效" in event.details["message"]
    refused(post_line(peer[1], "not json"), "audit.witness_refused", 400)


def test_an_anchor_of_another_key_is_refused(peer: tuple[ApiClient, str]) -> None:
    line = signed_line()
    WitnessPeer.objects.filter(client=peer[0]).update(public_key="ab" * 64, fingerprint="0123456789abcdef")
    response = post_line(peer[1], line)
    assert response.status_code == 400 and "不是本平台为该对端登记的公钥" in response.json()["message"]


def test_an_unknown_peer_is_refused_and_audited(sys_admin: User, market_dept: Department) -> None:
    _, token = issue(sys_admin, market_dept, ApiClient.Scope.AUDIT_WITNESS)  # the scope, but no key registered
    refused(post_line(token, signed_line()), "audit.witness_unknown_peer", 403)
    latest = machine_api_client().get("/api/v1/audit/witness/anchors/latest", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert latest.status_code == 403


def test_a_token_without_the_scope_is_refused_and_audited(sys_admin: User, market_dept: Department) -> None:
    _, token = issue(sys_admin, market_dept, ApiClient.Scope.READ_DIRECTORY)
    refused(post_line(token, signed_line()), "core.permission_denied", 403)


def test_an_old_anchor_replayed_is_refused(peer: tuple[ApiClient, str]) -> None:
    first = signed_line()
    second = signed_line()
    assert post_line(peer[1], first).status_code == 200
    assert post_line(peer[1], second).status_code == 200
    response = post_line(peer[1], first)
    assert response.status_code == 400 and "不接受旧锚点或重放" in response.json()["message"]
    assert len(kept_lines()) == 2


def test_verify_fails_when_the_local_witness_is_cut_back_but_the_remote_holds_a_later_anchor(wired: Client) -> None:
    events = make_events(4)
    anchors.write_anchor()
    make_events(4)
    anchors.write_anchor()
    # Whoever holds the disk and the database: cut the log back to seq 4, and the local witness
    # back to its first anchor. Locally, everything agrees again.
    disable_triggers()
    raw("DELETE FROM audit_auditevent WHERE seq > 4")
    raw("UPDATE audit_auditchainhead SET seq = 4, hash = %s", [events[-1].hash])
    [witness_file] = Path(settings.ZHENGWU_AUDIT_WITNESS).glob("anchors-*.jsonl")
    witness_file.write_text(witness_file.read_text().splitlines()[0] + "\n")
    code, out, err = verify_command()
    assert code == 1
    assert "对照远程见证中" in out and "审计日志与远程见证的锚点不符" in err


def test_verify_fails_when_the_remote_witness_cannot_be_read(wired: Client) -> None:
    anchors.write_anchor()

    def down(*args: Any, **kwargs: Any) -> None:
        raise requests.ConnectionError("no route")

    with mock.patch.object(remote_witness.requests, "get", down):
        code, _, err = verify_command()
    assert code == 1 and "未能对照远程见证校验" in err


def test_healthz_reads_the_age_of_the_remote_anchor(wired: Client, settings: Any) -> None:
    settings.ZHENGWU_AUDIT_WITNESS_URL = ""
    assert watch.remote_anchor_age().status == watch.UNKNOWN
    settings.ZHENGWU_AUDIT_WITNESS_URL = URL
    assert watch.remote_anchor_age().status == watch.BAD  # nothing kept yet
    anchors.write_anchor()
    assert watch.remote_anchor_age().status == watch.OK
    later = timezone.now() + timedelta(minutes=settings.ZHENGWU_WATCH_REMOTE_ANCHOR_MINUTES + 1)
    with mock.patch.object(watch.timezone, "now", return_value=later):
        reading = watch.remote_anchor_age()
    assert reading.status == watch.BAD and reading.name == "remote_anchor"
    # The anchors kept for peers are not this platform's own anchors.
    for path in Path(settings.ZHENGWU_AUDIT_WITNESS).glob("anchors-*.jsonl"):
        path.unlink()
    assert watch.anchor_age().status == watch.BAD


def roll_back_to_first_anchor(events: list[AuditEvent]) -> None:
    """What a restore of a backup taken at the first anchor does to the log and the local witness."""
    disable_triggers()
    raw("DELETE FROM audit_auditevent WHERE seq > %s", [events[-1].seq])
    raw("UPDATE audit_auditchainhead SET seq = %s, hash = %s", [events[-1].seq, events[-1].hash])
    [witness_file] = Path(settings.ZHENGWU_AUDIT_WITNESS).glob("anchors-*.jsonl")
    witness_file.write_text(witness_file.read_text().splitlines()[0] + "\n")


def test_a_restore_behind_the_remote_witness_verifies_once_recorded_and_signed_and_says_so(wired: Client) -> None:
    events = make_events(4)
    anchors.write_anchor()
    make_events(4)
    rolled_back = anchors.write_anchor()
    roll_back_to_first_anchor(events)
    assert verify_command()[0] == 1  # behind the remote witness, before the restore is recorded
    anchor = restores.record_restore(actor=Actor.platform(), backup_created_at=timezone.now())
    assert anchor.reason == "restored" and kept_lines()[-1]["reason"] == "restored"
    event = AuditEvent.objects.get(action="audit.restored")
    assert event.seq == anchor.chains[anchors.AUDIT_CHAIN]["seq"]
    assert event.details["remote"] == rolled_back.at
    assert event.details["remote_heads"][anchors.AUDIT_CHAIN] == rolled_back.chains[anchors.AUDIT_CHAIN]["seq"]
    code, out, err = verify_command()
    assert code == 0, err
    assert "最近一次恢复备份" in out and "此后的日志已回滚" in out and "恢复备份后" in out


def test_a_restored_anchor_without_its_recorded_restore_is_refused_by_verify(wired: Client) -> None:
    events = make_events(4)
    anchors.write_anchor()
    make_events(4)
    anchors.write_anchor()
    roll_back_to_first_anchor(events)
    anchors.write_anchor("restored")  # whoever holds the key signs a "restore" nobody recorded
    code, _, err = verify_command()
    assert code == 1 and "不是恢复记录（audit.restored）" in err


def test_backup_restore_records_the_restore_and_signs_a_restored_anchor(tmp_path: Path) -> None:
    from zhengwu.ops import backup
    from zhengwu.ops import services as ops_services

    make_events(2)
    made = backup.BackupInfo(tmp_path, timezone.now(), "sqlite", 1, 1)
    with mock.patch.object(backup, "backup_restore", return_value=made):
        ops_services.backup_restore(actor=Actor.platform(), directory=tmp_path, passphrase="口令")
    latest, _ = anchors.latest_anchor()
    assert latest is not None and latest.reason == "restored"
    assert AuditEvent.objects.filter(action="audit.restored").count() == 1
    assert restores.check_restored_anchor(latest) is None
