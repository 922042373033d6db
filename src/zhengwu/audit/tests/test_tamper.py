"""An attacker with raw database access (triggers dropped first) edits the log; verify_chain
must say where. Each test builds a chain of 6 events and tampers with it."""

from __future__ import annotations

import json

import pytest

from zhengwu.audit import services
from zhengwu.audit.models import AuditChainHead, AuditEvent
from zhengwu.audit.tests.helpers import disable_triggers, make_events, raw, rehash

pytestmark = pytest.mark.django_db

CONTENT = "at, actor_label, action, target_label, outcome, details, prev_hash, hash, mac"


@pytest.fixture
def chain() -> list[AuditEvent]:
    events = make_events(6)
    assert services.verify_chain().ok
    disable_triggers()
    return events


def _bad_at(seq: int, *, batch_size: int = 5000) -> services.VerifyResult:
    result = services.verify_chain(batch_size=batch_size)
    assert not result.ok, result
    assert result.first_bad_seq == seq, result
    assert result.checked == seq - 1, result
    return result


def test_intact_chain_is_reported_ok_across_batches(chain: list[AuditEvent]) -> None:
    for batch_size in (1, 2, 5, 6, 7, 5000):
        result = services.verify_chain(batch_size=batch_size)
        assert result == services.VerifyResult(ok=True, checked=6, first_bad_seq=None, reason="")


def test_empty_log_is_intact() -> None:
    assert services.verify_chain() == services.VerifyResult(ok=True, checked=0, first_bad_seq=None, reason="")


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("outcome", "failure"),
        ("action", "test.innocent"),
        ("actor_label", "别人(someone)"),
        ("details", '{"n": 99}'),
        ("ip", "10.9.9.9"),
    ],
)
def test_a_changed_field_is_found(chain: list[AuditEvent], column: str, value: str) -> None:
    raw(f"UPDATE audit_auditevent SET {column} = %s WHERE seq = 3", [value])  # noqa: S608 - fixed names
    result = _bad_at(3)
    assert "修改" in result.reason
    assert result.checked == 2


def test_a_changed_time_is_found(chain: list[AuditEvent]) -> None:
    with_moved_time = chain[3].at.replace(year=chain[3].at.year - 1)
    raw("UPDATE audit_auditevent SET at = %s WHERE seq = 4", [with_moved_time])
    _bad_at(4)


def test_a_change_in_a_later_batch_is_found(chain: list[AuditEvent]) -> None:
    raw("UPDATE audit_auditevent SET outcome = 'denied' WHERE seq = 5")
    _bad_at(5, batch_size=2)


def test_a_deleted_event_is_named(chain: list[AuditEvent]) -> None:
    raw("DELETE FROM audit_auditevent WHERE seq = 3")
    result = _bad_at(3)
    assert "第 2 条之后直接是第 4 条（第 3 条缺失）" in result.reason


def test_several_deleted_events_are_named_by_their_range(chain: list[AuditEvent]) -> None:
    raw("DELETE FROM audit_auditevent WHERE seq IN (3, 4)")
    assert "第 2 条之后直接是第 5 条（第 3 至第 4 条缺失）" in _bad_at(3).reason


def test_a_deleted_event_with_renumbering_is_found(chain: list[AuditEvent]) -> None:
    raw("DELETE FROM audit_auditevent WHERE seq = 3")
    for seq in (4, 5, 6):
        raw("UPDATE audit_auditevent SET seq = %s WHERE seq = %s", [seq - 1, seq])
    raw("UPDATE audit_auditchainhead SET seq = 5")
    _bad_at(3)


def test_deleting_the_first_events_without_a_purge_is_found(chain: list[AuditEvent]) -> None:
    raw("DELETE FROM audit_auditevent WHERE seq <= 2")
    result = _bad_at(1)
    assert "第 1 至第 2 条缺失" in result.reason


def test_cutting_off_the_end_is_found(chain: list[AuditEvent]) -> None:
    raw("DELETE FROM audit_auditevent WHERE seq >= 5")
    result = _bad_at(5)
    assert "截断" in result.reason


def test_deleting_everything_is_found(chain: list[AuditEvent]) -> None:
    raw("DELETE FROM audit_auditevent")
    _bad_at(1)


def test_swapping_two_rows_contents_is_found(chain: list[AuditEvent]) -> None:
    columns = [c.strip() for c in CONTENT.split(",")]
    two = AuditEvent.objects.filter(seq=2).values(*columns).get()
    five = AuditEvent.objects.filter(seq=5).values(*columns).get()
    assignments = ", ".join(f"{c} = %s" for c in columns)

    def values(row: dict[str, object]) -> list[object]:
        return [json.dumps(row[c]) if c == "details" else row[c] for c in columns]

    raw(f"UPDATE audit_auditevent SET {assignments} WHERE seq = 2", [*values(five)])  # noqa: S608
    raw(f"UPDATE audit_auditevent SET {assignments} WHERE seq = 5", [*values(two)])  # noqa: S608
    _bad_at(2)


def test_reordering_two_events_is_found(chain: list[AuditEvent]) -> None:
    raw("UPDATE audit_auditevent SET seq = -3 WHERE seq = 3")
    raw("UPDATE audit_auditevent SET seq = 3 WHERE seq = 4")
    raw("UPDATE audit_auditevent SET seq = 4 WHERE seq = -3")
    _bad_at(3)


def test_reordering_with_recomputed_hashes_is_found_by_the_links(chain: list[AuditEvent]) -> None:
    raw("UPDATE audit_auditevent SET seq = -3 WHERE seq = 3")
    raw("UPDATE audit_auditevent SET seq = 3 WHERE seq = 4")
    raw("UPDATE audit_auditevent SET seq = 4 WHERE seq = -3")
    rehash(3)
    rehash(4)
    result = _bad_at(3)
    assert "前序哈希" in result.reason


def test_a_changed_first_link_is_found(chain: list[AuditEvent]) -> None:
    raw("UPDATE audit_auditevent SET prev_hash = %s WHERE seq = 1", ["1" * 64])
    rehash(1)
    _bad_at(1)


def test_recomputing_the_whole_chain_without_the_key_is_found(chain: list[AuditEvent]) -> None:
    """The attacker knows SM3 and rewrites every hash after the change; the HMAC gives them away."""
    raw("UPDATE audit_auditevent SET outcome = 'failure' WHERE seq = 3")
    previous = AuditEvent.objects.get(seq=2).hash
    for seq in range(3, 7):
        raw("UPDATE audit_auditevent SET prev_hash = %s WHERE seq = %s", [previous, seq])
        previous = rehash(seq)
    raw("UPDATE audit_auditchainhead SET hash = %s", [previous])
    result = _bad_at(3)
    assert "HMAC" in result.reason


def test_a_missing_chain_head_is_reported(chain: list[AuditEvent]) -> None:
    raw("DELETE FROM audit_auditchainhead")
    assert AuditChainHead.objects.count() == 0
    _bad_at(7)
