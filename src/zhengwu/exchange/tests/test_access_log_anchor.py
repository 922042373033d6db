"""The access log against its anchors (audit.anchors, exchange.access_log_verify): an attacker with
raw database access (guards dropped) cuts the sealed chain and moves its head back, empties it,
deletes staged entries, or edits the subject index behind a citizen's /my/data-use/ page."""

from __future__ import annotations

from typing import Any

import pytest

from zhengwu.audit import anchors
from zhengwu.audit.tests.helpers import (
    own_keys,  # noqa: F401 - the fixture (pytestmark)
    verify_command,
)
from zhengwu.exchange.sharing import access_log, access_log_verify
from zhengwu.exchange.sharing.models import AccessLog, AccessLogPending, AccessLogSubject
from zhengwu.exchange.tests.test_access_log_staging import drop_guards, raw

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_keys")]

PENDING = "exchange.accesslogpending"
CHAIN = "exchange.accesslog"


def sealed(count: int) -> list[AccessLog]:
    """`count` chained entries, each naming two subjects (blind indexes)."""
    return [
        access_log.append(
            operation="record", outcome="ok", resource_code="101001/001", key_indexes=[f"a{n:063d}", f"b{n:063d}"]
        )
        for n in range(1, count + 1)
    ]


def staged(count: int) -> list[int]:
    for n in range(count):
        access_log.stage(operation="record", outcome="ok", resource_code="101001/001", key_indexes=[f"c{n:063d}"])
    return list(AccessLogPending.objects.order_by("id").values_list("id", flat=True))


def anchored(name: str) -> dict[str, Any]:
    anchor, _ = anchors.latest_anchor()
    assert anchor is not None
    return anchor.chains[name]


# --- the sealed chain ----------------------------------------------------------------------------


def test_cutting_the_end_and_moving_the_head_back_is_caught() -> None:
    entries = sealed(5)
    anchors.write_anchor()
    drop_guards()
    raw("DELETE FROM exchange_accesslogsubject WHERE log_id >= 4")
    raw("DELETE FROM exchange_accesslog WHERE seq >= 4")
    raw("UPDATE exchange_accessloghead SET seq = 3, hash = %s", [entries[2].hash])
    assert access_log_verify.verify_chain().ok  # a valid, shorter chain: what verify saw before
    result = access_log_verify.verify_chain(anchor=anchored(CHAIN))
    assert not result.ok and result.first_bad_seq == 4
    assert "日志末尾被截断：锚点记录到第 5 条，数据库中只到第 3 条" in result.reason
    code, _, err = verify_command()
    assert code == 1 and "共享访问日志在第 4 条处被篡改" in err


def test_cutting_the_end_and_chaining_other_entries_is_caught() -> None:
    entries = sealed(3)
    anchors.write_anchor()
    drop_guards()
    raw("DELETE FROM exchange_accesslogsubject WHERE log_id >= 2")
    raw("DELETE FROM exchange_accesslog WHERE seq >= 2")
    raw("UPDATE exchange_accessloghead SET seq = 1, hash = %s", [entries[0].hash])
    sealed(4)
    assert access_log_verify.verify_chain().ok
    code, _, err = verify_command()
    assert code == 1 and "第 3 条的哈希与锚点记录不符" in err


def test_an_emptied_log_with_its_head_emptied_is_caught() -> None:
    sealed(3)
    anchors.write_anchor()
    drop_guards()
    raw("DELETE FROM exchange_accesslogsubject")
    raw("DELETE FROM exchange_accesslog")
    raw("DELETE FROM exchange_accessloghead")
    assert access_log_verify.verify_chain().ok
    code, _, err = verify_command()
    assert code == 1 and "共享访问日志" in err and "日志被清空：锚点记录到第 3 条" in err


# --- the subject index -------------------------------------------------------------------------


def test_a_changed_subject_row_is_caught() -> None:
    sealed(4)
    drop_guards()
    raw("UPDATE exchange_accesslogsubject SET key_index = %s WHERE log_id = 3 AND key_index LIKE 'a%%'", ["z" * 64])
    result = access_log_verify.verify_chain(batch_size=2)
    assert not result.ok and result.first_bad_seq == 3 and result.checked == 2
    assert "主体索引" in result.reason and "缺少 1 行、多出 1 行" in result.reason
    code, _, err = verify_command()
    assert code == 1 and "共享访问日志在第 3 条处被篡改" in err


def test_a_deleted_subject_row_is_caught() -> None:
    sealed(3)
    drop_guards()
    raw("DELETE FROM exchange_accesslogsubject WHERE log_id = 2 AND key_index LIKE 'b%%'")
    result = access_log_verify.verify_chain()
    assert not result.ok and result.first_bad_seq == 2 and "缺少 1 行" in result.reason
    assert AccessLogSubject.objects.filter(log_id=2).count() == 1  # reported, never rebuilt


def test_an_added_subject_row_is_caught() -> None:
    sealed(2)
    drop_guards()
    raw("INSERT INTO exchange_accesslogsubject (log_id, key_index) VALUES (1, %s)", ["d" * 64])
    result = access_log_verify.verify_chain()
    assert not result.ok and result.first_bad_seq == 1 and "多出 1 行" in result.reason


# --- the staged entries ------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["last", "middle", "all"])
def test_a_deleted_staged_entry_is_caught(which: str) -> None:
    sealed(1)
    ids = staged(3)
    anchors.write_anchor()
    assert anchored(PENDING)["count"] == 3
    drop_guards()
    gone = {"last": ids[-1:], "middle": ids[1:2], "all": ids}[which]
    raw(f"DELETE FROM exchange_accesslogpending WHERE id IN ({', '.join(map(str, gone))})")  # noqa: S608 - ids
    # Every row left passes its MAC; a gap in the rows' writer stream is seen without the anchor.
    assert access_log_verify.verify_pending().ok == (which != "middle")
    result = access_log_verify.verify_pending(anchor=anchored(PENDING))
    assert not result.ok and result.first_bad_seq == gone[0]
    assert f"锚点写入时已暂存的 {len(gone)} 条" in result.reason
    code, _, err = verify_command()
    assert code == 1 and "共享访问日志（待封存）" in err and "待封存记录缺失" in err


def test_staged_entries_sealed_after_the_anchor_are_accepted() -> None:
    staged(3)
    anchors.write_anchor()
    staged(2)
    assert access_log.seal_pending(batch_size=2) == 5
    assert access_log_verify.verify_pending(anchor=anchored(PENDING)).ok
    code, _, err = verify_command()
    assert code == 0, err
    anchors.write_anchor()  # the next anchor extends the previous one
    assert anchored(PENDING)["count"] == 0 and anchored(CHAIN)["seq"] == 5


def test_a_staged_entry_replaced_by_a_copy_of_another_is_caught() -> None:
    ids = staged(2)
    anchors.write_anchor()
    drop_guards()
    columns = ", ".join(f'"{name}"' for name in (*access_log.STAGED_FIELDS, "mac"))
    raw(f"DELETE FROM exchange_accesslogpending WHERE id = {ids[1]}")  # noqa: S608
    raw(
        f"INSERT INTO exchange_accesslogpending (id, {columns}) "  # noqa: S608
        f"SELECT {ids[1]}, {columns} FROM exchange_accesslogpending WHERE id = {ids[0]}"
    )
    result = access_log_verify.verify_pending(anchor=anchored(PENDING))
    assert not result.ok and "摘要不符" in result.reason and result.first_bad_seq == ids[0]


def test_a_changed_or_forged_staged_entry_is_caught() -> None:
    ids = staged(2)
    drop_guards()
    raw("UPDATE exchange_accesslogpending SET purpose = %s WHERE id = %s", ["别的用途", ids[1]])
    result = access_log_verify.verify_pending()
    assert not result.ok and result.first_bad_seq == ids[1] and "校验码" in result.reason


def test_an_untouched_database_with_its_triggers_dropped_still_verifies() -> None:
    sealed(3)
    staged(2)
    anchors.write_anchor()
    sealed(1)
    staged(1)
    drop_guards()
    from zhengwu.audit.tests.helpers import disable_triggers

    disable_triggers()
    code, out, err = verify_command()
    assert code == 0, err
    assert "共享访问日志完整：共校验 4 条" in out and "共享访问日志（待封存）完整：共校验 3 条" in out
