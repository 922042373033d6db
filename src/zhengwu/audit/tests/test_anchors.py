"""Anchors (audit.anchors): the audit chain's head signed outside the database. An attacker with
raw database access cuts the end of the log and moves the head back, or empties both: the chain
that remains is valid on its own, and only the anchor in the witness shows what is missing."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from zhengwu.audit import anchors, services
from zhengwu.audit.errors import AuditError
from zhengwu.audit.models import AuditChainHead, AuditEvent
from zhengwu.audit.tests.helpers import (
    clock,
    disable_triggers,
    make_events,
    own_keys,  # noqa: F401 - the fixture (pytestmark)
    raw,
    verify_command,
)
from zhengwu.core.errors import ApplicationError

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_keys")]


def home() -> Path:
    return Path(settings.DATA_DIR)


def anchor_lines() -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for path in sorted((home() / "witness").glob("*.jsonl"))
        for line in path.read_text().splitlines()
    ]


def test_an_anchor_records_the_chain_head_signed() -> None:
    events = make_events(4)
    anchor = anchors.write_anchor()
    [line] = anchor_lines()
    state = line["chains"][anchors.AUDIT_CHAIN]
    assert state["seq"] == 4 and state["hash"] == events[-1].hash and state["count"] == 4 and state["first_seq"] == 1
    assert line["key"] == anchors.platform_key().fingerprint == anchor.key
    assert (home() / "platform_key").stat().st_mode & 0o777 == 0o600
    latest, problems = anchors.latest_anchor()
    assert latest is not None and latest.chains == line["chains"] and problems == []
    code, out, _ = verify_command()
    assert code == 0 and "对照" in out and "锚点" in out


def test_cutting_the_end_and_moving_the_head_back_is_caught() -> None:
    events = make_events(6)
    anchors.write_anchor()
    disable_triggers()
    raw("DELETE FROM audit_auditevent WHERE seq >= 5")
    raw("UPDATE audit_auditchainhead SET seq = 4, hash = %s", [events[3].hash])
    assert services.verify_chain().ok  # what verify saw before anchors: a valid, shorter chain
    code, _, err = verify_command()
    assert code == 1
    assert "审计日志在第 5 条处被篡改" in err and "日志末尾被截断：锚点记录到第 6 条，数据库中只到第 4 条" in err
    with pytest.raises(ApplicationError) as refused:
        anchors.write_anchor()  # a new anchor must not make the cut look legitimate
    assert refused.value.code == AuditError.ANCHOR_REFUSED


def test_cutting_the_end_and_writing_new_events_is_caught() -> None:
    events = make_events(6)
    anchors.write_anchor()
    disable_triggers()
    raw("DELETE FROM audit_auditevent WHERE seq >= 3")
    raw("UPDATE audit_auditchainhead SET seq = 2, hash = %s", [events[1].hash])
    make_events(5)  # the chain grows past the anchor again, with other events
    assert services.verify_chain().ok
    code, _, err = verify_command()
    assert code == 1 and "第 6 条的哈希与锚点记录不符" in err


def test_an_emptied_log_with_its_head_emptied_is_caught() -> None:
    make_events(3)
    anchors.write_anchor()
    disable_triggers()
    raw("DELETE FROM audit_auditevent")
    raw("DELETE FROM audit_auditchainhead")
    assert services.verify_chain() == services.VerifyResult(ok=True, checked=0, first_bad_seq=None, reason="")
    result = services.verify_chain(anchor=anchors.latest_anchor()[0].chains[anchors.AUDIT_CHAIN])  # type: ignore[union-attr]
    assert not result.ok and "日志被清空：锚点记录到第 3 条（共 3 条）" in result.reason
    code, _, err = verify_command()
    assert code == 1 and "日志被清空" in err


def test_a_head_that_disagrees_with_its_last_event_is_not_anchored() -> None:
    make_events(3)
    disable_triggers()
    raw("UPDATE audit_auditchainhead SET hash = %s", ["f" * 64])
    with pytest.raises(ApplicationError, match="链头记录的第 3 条与日志中的该条记录不符"):
        anchors.write_anchor()
    assert not (home() / "witness").exists()


def test_an_untouched_database_with_its_triggers_dropped_still_verifies() -> None:
    make_events(5)
    anchors.write_anchor()
    make_events(2)
    disable_triggers()
    code, out, err = verify_command()
    assert code == 0, err
    assert "审计日志完整" in out


def test_anchors_signed_before_a_rotation_still_verify() -> None:
    events = make_events(3)
    first = anchors.write_anchor()
    out = io.StringIO()
    call_command("keys", "rotate-platform-key", stdout=out)
    new_key = anchors.platform_key().fingerprint
    assert new_key != first.key and f"{first.key} → {new_key}" in out.getvalue()
    lines = anchor_lines()
    assert [line["key"] for line in lines] == [first.key, new_key]  # the rotation wrote an anchor with the new key
    assert AuditEvent.objects.filter(action="audit.platform_key.rotate").exists()
    # Only the old anchor left: it is still accepted, and still catches a cut.
    for path in (home() / "witness").glob("*.jsonl"):
        path.write_text(path.read_text().splitlines()[0] + "\n")
    latest, problems = anchors.latest_anchor()
    assert latest is not None and latest.key == first.key and problems == []
    disable_triggers()
    raw("DELETE FROM audit_auditevent WHERE seq >= 2")
    raw("UPDATE audit_auditchainhead SET seq = 1, hash = %s", [events[0].hash])
    code, _, err = verify_command()
    assert code == 1 and "截断" in err


def test_an_anchor_of_an_unknown_key_or_a_changed_anchor_is_skipped() -> None:
    make_events(2)
    good = anchors.write_anchor()
    [line] = anchor_lines()
    changed = {
        **line,
        "chains": {**line["chains"], anchors.AUDIT_CHAIN: {**line["chains"][anchors.AUDIT_CHAIN], "seq": 1}},
    }
    stranger = {**line, "key": "0" * 16}
    path = next((home() / "witness").glob("*.jsonl"))
    with path.open("a") as witness:
        witness.write(json.dumps(changed) + "\n" + json.dumps(stranger) + "\n")
    latest, problems = anchors.latest_anchor()
    assert latest is not None and latest.at == good.at
    assert len(problems) == 2 and "不在受信任的平台公钥之列" in problems[0] and "SM2 签名无效" in problems[1]
    code, _, err = verify_command()
    assert code == 0 and "已跳过" in err


def test_a_purge_after_the_retention_period_writes_an_anchor_that_verify_accepts(
    django_capture_on_commit_callbacks: Any,
) -> None:
    old = timezone.now() - timedelta(days=400)
    with clock(old):
        make_events(3)
    anchors.write_anchor()
    make_events(2)
    with django_capture_on_commit_callbacks(execute=True):
        deleted = services.purge_expired(actor=None, before=old + timedelta(days=1))
    assert deleted == 3
    last = anchor_lines()[-1]
    assert last["reason"] == "purge"
    state = last["chains"][anchors.AUDIT_CHAIN]
    assert state["first_seq"] == 4 and state["seq"] == 6 and state["count"] == 3
    code, out, err = verify_command()
    assert code == 0, err
    assert "到期清理后" in out


def test_deleting_the_start_without_a_purge_is_caught_against_the_anchor() -> None:
    make_events(5)
    anchors.write_anchor()
    disable_triggers()
    raw("DELETE FROM audit_auditevent WHERE seq <= 2")
    code, _, err = verify_command()
    assert code == 1 and "第 1 至第 2 条缺失" in err


def test_verify_without_an_anchor_says_so() -> None:
    make_events(1)
    code, out, _ = verify_command()
    assert code == 0 and "没有有效的锚点" in out


def test_the_anchor_command_and_keys_show() -> None:
    make_events(2)
    out = io.StringIO()
    call_command("audit", "anchor", stdout=out)
    assert "已写入" in out.getvalue() and "审计日志：到第 2 条（共 2 条）" in out.getvalue()
    assert AuditEvent.objects.filter(action="audit.anchor").exists()
    out = io.StringIO()
    call_command("keys", "show", stdout=out)
    key = anchors.platform_key()
    assert key.fingerprint in out.getvalue() and key.public_key in out.getvalue()
    assert key.private_key not in out.getvalue()


def test_a_key_given_in_the_environment_is_used_and_not_rotated_here(settings: Any) -> None:
    settings.ZHENGWU_PLATFORM_KEY = bytes.fromhex("1f" * 32)
    key = anchors.platform_key()
    assert key.private_key == "1f" * 32 and "ZHENGWU_PLATFORM_KEY" in key.source
    assert not (home() / "platform_key").exists()
    with pytest.raises(ApplicationError, match="环境变量"):
        anchors.rotate_platform_key()


def test_the_chain_head_row_is_what_writers_keep() -> None:
    make_events(2)
    assert services.chain_state()["seq"] == AuditChainHead.objects.get().seq == 2


def test_a_fresh_demo_ends_with_an_anchor_and_detects_an_emptied_log() -> None:
    out = io.StringIO()
    call_command("demo", enterprises=0, stdout=out)
    assert "已写入日志锚点" in out.getvalue()
    [line] = anchor_lines()
    assert line["reason"] == "demo" and line["chains"][anchors.AUDIT_CHAIN]["seq"] == AuditChainHead.objects.get().seq
    disable_triggers()
    raw("DELETE FROM audit_auditevent")
    raw("DELETE FROM audit_auditchainhead")
    code, _, err = verify_command()
    assert code == 1 and "日志被清空" in err


def test_the_periodic_task_writes_an_anchor() -> None:
    from zhengwu.audit.tasks import audit_anchor

    make_events(1)
    audit_anchor.call_local()
    assert [line["reason"] for line in anchor_lines()] == ["periodic"]
