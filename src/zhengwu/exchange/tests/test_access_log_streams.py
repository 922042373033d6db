"""The staged access-log entries' writer streams (access_log.stage, access_log_verify.streams_check):
an attacker with raw database access (guards dropped) copies a staged row under a new id, or
deletes staged rows before any anchor names them; a failed group-commit batch, a rolled-back
transaction and the rows written before streams existed must raise no alarm."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, transaction

from zhengwu.audit import anchors
from zhengwu.audit.tests.helpers import verify_command
from zhengwu.core.errors import ApplicationError
from zhengwu.exchange.sharing import access_log, access_log_verify
from zhengwu.exchange.sharing.models import AccessLog, AccessLogPending
from zhengwu.exchange.tests.test_access_log_staging import drop_guards, raw

pytestmark = pytest.mark.django_db

PENDING = "exchange.accesslogpending"
FIELDS = ", ".join(f'"{name}"' for name in access_log.STAGED_FIELDS)
# Statements of the attacker's, put together from our own column names.
COPY_STAGED = (
    "INSERT INTO exchange_accesslogpending (id, FIELDS, mac) "
    "SELECT %s, FIELDS, mac FROM exchange_accesslogpending WHERE id = %s"
).replace("FIELDS", FIELDS)
COPY_SEALED = (
    "INSERT INTO exchange_accesslogpending (id, FIELDS, mac) "
    "SELECT %s, FIELDS, pending_mac FROM exchange_accesslog WHERE pending_id = %s"
).replace("FIELDS", FIELDS)


@pytest.fixture(autouse=True)
def _own_keys(settings: Any, tmp_path: Path) -> None:
    """The platform key and the witness of the anchors (audit.anchors) of this test only."""
    settings.DATA_DIR = tmp_path
    settings.ZHENGWU_AUDIT_WITNESS = tmp_path / "witness"
    settings.ZHENGWU_PLATFORM_KEY = None


def stage(count: int) -> list[dict[str, Any]]:
    return [
        access_log.stage(operation="record", outcome="ok", resource_code="101001/001", key_indexes=[f"c{i:063d}"])
        for i in range(count)
    ]


def staged_ids() -> list[int]:
    return list(AccessLogPending.objects.order_by("id").values_list("id", flat=True))


def copy_staged(staged_id: int) -> int:
    """A verbatim copy of a staged row under a new id (its MAC still matches: the same fields)."""
    new_id = max(staged_ids()) + 1
    raw(COPY_STAGED, [new_id, staged_id])
    return new_id


def test_staged_rows_carry_their_stream_and_number_under_their_mac() -> None:
    first, second, third = stage(3)
    rows = list(AccessLogPending.objects.order_by("id").values("stream", "stream_n"))
    assert rows == [{"stream": first["stream"], "stream_n": n} for n in (1, 2, 3)]
    assert re.fullmatch(r"[0-9a-f]{16}", first["stream"]) and second["stream_n"] == 2 and third["stream_n"] == 3
    assert access_log_verify.verify_pending().ok
    drop_guards()
    raw("UPDATE exchange_accesslogpending SET stream_n = 7 WHERE stream_n = 3")
    result = access_log_verify.verify_pending()
    assert not result.ok and "校验码" in result.reason  # the number is under the MAC


def test_sealed_entries_keep_their_stream_and_number_under_the_hash() -> None:
    stage(2)
    assert access_log.seal_pending() == 2
    assert list(AccessLog.objects.order_by("seq").values_list("stream_n", flat=True)) == [1, 2]
    assert access_log_verify.verify_chain().ok and access_log_verify.verify_pending().ok
    drop_guards()
    raw("UPDATE exchange_accesslog SET stream_n = 5 WHERE seq = 2")
    result = access_log_verify.verify_chain()
    assert not result.ok and result.first_bad_seq == 2 and "哈希" in result.reason


def test_a_staged_row_copied_under_a_new_id_is_reported_and_never_sealed() -> None:
    stage(2)
    drop_guards()
    copy = copy_staged(staged_ids()[0])
    result = access_log_verify.verify_pending()
    assert not result.ok and result.first_bad_seq == copy
    assert "第 1 条出现不止一次" in result.reason and "记录被复制" in result.reason
    code, _, err = verify_command()
    assert code == 1 and "共享访问日志（待封存）" in err and "记录被复制" in err
    assert access_log.seal_pending() == 2  # the originals; sealing stops before the copy
    assert list(AccessLogPending.objects.values_list("id", flat=True)) == [copy]
    result = access_log_verify.verify_pending()
    assert not result.ok and "已封存的第 1 条" in result.reason and f"暂存编号 {copy}" in result.reason


def test_a_copy_of_a_row_sealed_already_is_not_chained_again() -> None:
    original = stage(1)[0]
    first_id = staged_ids()[0]
    assert access_log.seal_pending() == 1
    drop_guards()
    raw(COPY_SEALED, [first_id + 1, first_id])
    assert access_log_verify.verify_pending().reason.startswith("待封存记录重复")
    assert access_log.seal_pending() == 0
    assert AccessLog.objects.count() == 1 and AccessLog.objects.get().stream_n == original["stream_n"]


def test_a_deleted_middle_staged_row_is_reported_staged_or_sealed() -> None:
    stage(3)
    ids = staged_ids()
    drop_guards()
    raw("DELETE FROM exchange_accesslogpending WHERE id = %s", [ids[1]])
    result = access_log_verify.verify_pending()  # no anchor named it yet
    assert not result.ok and result.first_bad_seq == ids[2]
    assert "的第 2 条不在暂存表中" in result.reason and "记录在封存前被删除" in result.reason
    assert access_log.seal_pending() == 2
    result = access_log_verify.verify_pending()
    assert not result.ok and result.first_bad_seq == 2 and "第 2 条不在暂存表中" in result.reason
    code, _, err = verify_command()
    assert code == 1 and "记录在封存前被删除" in err


def test_a_deleted_tail_is_reported_by_the_next_entry_of_its_stream() -> None:
    stage(3)
    drop_guards()
    raw("DELETE FROM exchange_accesslogpending WHERE stream_n = 3")
    assert access_log_verify.verify_pending().ok  # nothing after it: the window that remains
    stage(1)
    result = access_log_verify.verify_pending()
    assert not result.ok and "的第 3 条不在暂存表中" in result.reason


def test_a_deleted_tail_is_reported_after_the_next_anchor() -> None:
    [values, *_] = stage(3)
    anchors.write_anchor()
    anchored, _ = anchors.latest_anchor()
    assert anchored is not None and anchored.chains[PENDING]["streams"] == {values["stream"]: 3}
    drop_guards()
    raw("DELETE FROM exchange_accesslogpending WHERE stream_n = 3")
    assert access_log_verify.verify_pending().ok  # without the anchor: the tail of a quiet stream
    result = access_log_verify.verify_pending(anchor=anchored.chains[PENDING])
    assert not result.ok and "待封存记录缺失" in result.reason
    # The stream's highest number, anchored, tells the same on its own.
    raw("DELETE FROM exchange_accesslogpending")
    streams = anchored.chains[PENDING]["streams"]
    reach = access_log_verify.pending_check({**access_log_verify.pending_state(), "streams": streams})
    assert reach is not None and "现只到第 0 条" in reach[1]
    code, _, err = verify_command()
    assert code == 1 and "共享访问日志（待封存）" in err
    with pytest.raises(ApplicationError, match="未写入新锚点"):
        anchors.write_anchor()  # never anchored over


def test_a_rolled_back_savepoint_gives_its_numbers_back() -> None:
    stage(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        stage(2)
        raise RuntimeError("rolled back")
    stage(1)
    assert list(AccessLogPending.objects.order_by("id").values_list("stream_n", flat=True)) == [1, 2]
    assert access_log_verify.verify_pending().ok


def test_rows_staged_before_streams_existed_still_verify() -> None:
    stage(2)
    old = stage(1)[0]
    drop_guards()
    # As staged before this change: no stream, and the MAC of the fields without it.
    old_mac = access_log.pending_mac({**old, "stream": None})
    raw("UPDATE exchange_accesslogpending SET stream = NULL, stream_n = NULL, mac = %s WHERE stream_n = 3", [old_mac])
    assert access_log_verify.verify_pending().ok
    assert access_log.seal_pending() == 3
    assert AccessLog.objects.filter(stream__isnull=True).count() == 1
    assert access_log_verify.verify_chain().ok and access_log_verify.verify_pending().ok
    code, _, err = verify_command()
    assert code == 0, err


@pytest.mark.django_db(transaction=True)
def test_a_failed_batch_leaves_no_gap(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """Outside a transaction the process's stream numbers a batch where it is committed, and only
    a committed batch keeps its numbers (with group commit and without): after a failed one the
    process goes on in a new stream, from 1, the old one ending at its last committed number."""
    from zhengwu.core import rawsql

    execute = rawsql.execute
    failures: list[str] = []

    def failing(sql: str, params: Any) -> Any:
        if failures and sql.startswith("INSERT INTO"):
            if failures.pop() == "after":  # committed, but the answer is lost (the connection)
                execute(sql, params)
            raise OperationalError("disk I/O error")
        return execute(sql, params)

    monkeypatch.setattr(rawsql, "execute", failing)
    stage(1)
    failures.append("before")
    with pytest.raises(OperationalError):
        stage(1)
    assert AccessLogPending.objects.count() == 1
    stage(2)
    settings.ZHENGWU_ACCESS_LOG_GROUP_COMMIT = False
    failures.append("before")
    with pytest.raises(OperationalError):
        stage(1)
    stage(1)
    failures.append("after")
    with pytest.raises(OperationalError):
        stage(1)
    stage(1)
    rows = list(AccessLogPending.objects.order_by("id").values_list("stream", "stream_n"))
    assert [n for _, n in rows] == [1, 1, 2, 1, 2, 1]
    assert len({stream for stream, _ in rows}) == 4
    assert access_log_verify.verify_pending().ok  # no gap, and no number twice
    assert access_log.seal_pending() == 6 and access_log_verify.verify_pending().ok
    assert access_log_verify.verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_the_threads_of_a_process_number_their_rows_in_one_stream_without_gaps() -> None:
    import threading

    from django.db import connection as thread_connection

    def calls() -> None:
        try:
            stage(5)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=calls) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = list(AccessLogPending.objects.order_by("id").values_list("stream", "stream_n"))
    assert [n for _, n in rows] == list(range(1, 31)) and len({stream for stream, _ in rows}) == 1
    assert access_log_verify.verify_pending().ok


def test_a_row_another_sealer_chained_meanwhile_is_no_copy(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Two sealers at once: the second reads the staged rows, the first chains them before the
    second looks for their numbers in the chain. The second must read again, not stop with an
    alarm about a copy (seen under load, issue 21). Sealers now take turns (`_one_sealer`), so
    the other one here is the sealing loop without that lock: a process of an older release
    during an upgrade, say."""
    stage(3)
    looked_up = access_log._sealed_numbers
    others: list[int] = []

    def another_sealer_first(rows: list[dict[str, Any]]) -> set[tuple[str | None, int | None]]:
        if not others:
            others.append(0)
            others[0] = access_log._seal(batch_size=100, limit=None, pause=0)  # between our read and check
        return looked_up(rows)

    monkeypatch.setattr(access_log, "_sealed_numbers", another_sealer_first)
    with caplog.at_level("ERROR", logger=access_log.__name__):
        assert access_log.seal_pending() == 0
    assert others == [3]
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert AccessLog.objects.count() == 3 and not AccessLogPending.objects.exists()
    assert access_log_verify.verify_chain().ok and access_log_verify.verify_pending().ok


@pytest.mark.django_db(transaction=True)
def test_sealers_take_turns() -> None:
    """A second sealer waits for the first (which would otherwise hash its batches for nothing)."""
    stage(2)
    done: list[int] = []
    thread = threading.Thread(target=lambda: done.append(access_log.seal_pending()))
    with access_log._one_sealer():
        thread.start()
        thread.join(0.5)
        assert thread.is_alive() and not done and AccessLogPending.objects.count() == 2
    thread.join(10)
    assert done == [2] and AccessLog.objects.count() == 2
