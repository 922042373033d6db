"""Monthly partitions of the audit and access logs on PostgreSQL (audit.partitions): rows in three
months verify across their partitions; a month that had no partition lands in DEFAULT and is
reported, then moved; dropping the oldest month past retention signs an anchor first, and verify
accepts the chain starting after it; a month deleted by hand without one is named; a month inside
the retention period is refused."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from zhengwu.accounts.models import User
from zhengwu.audit import anchors, partitions
from zhengwu.audit.audit_actions import AuditLogAction
from zhengwu.audit.errors import AuditError
from zhengwu.audit.models import AuditEvent
from zhengwu.audit.tests.helpers import (
    clock,
    make_events,
    own_keys,  # noqa: F401 - the fixture (pytestmark)
    raw,
    refused_write,
    verify_command,
)
from zhengwu.core.actors import Actor
from zhengwu.core.crypto import sm3_hex
from zhengwu.exchange.sharing import access_log
from zhengwu.exchange.sharing.models import AccessLog, AccessLogSubject
from zhengwu.ops import watch

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("own_keys"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the logs are partitioned on PostgreSQL only"),
]
AUDIT, ACCESS = "audit_auditevent", "exchange_accesslog"


def month(offset: int) -> date:
    """The first day of the month `offset` months from this one (Beijing time)."""
    return partitions.add_months(partitions.month_of(timezone.now()), offset)


def moment(offset: int, day: int = 3) -> datetime:
    return partitions.month_start(month(offset)) + timedelta(days=day - 1, hours=9)


def where(table: str) -> dict[str, int]:
    """Rows per partition."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text, count(*) FROM {table} GROUP BY 1")  # noqa: S608
        return {name: count for name, count in cursor.fetchall()}


def three_old_months() -> list[AuditEvent]:
    """Audit events and access-log entries in the months 10, 9 and 8 before this one (all past the
    180-day retention), three each, then two this month; none of the old months has a partition."""
    events = []
    for offset in (-10, -9, -8):
        with clock(moment(offset)):
            events += make_events(3)
        for n in range(3):
            access_log.append(
                operation="record",
                outcome="ok",
                resource_code="101001/001",
                key_indexes=[f"{offset + 20:02d}{n:062d}"],
                at=moment(offset, day=4 + n),
            )
    events += make_events(2)
    access_log.append(operation="record", outcome="ok", resource_code="101001/001", key_indexes=["f" * 64])
    return events


def command(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def spread() -> list[AuditEvent]:
    """Rows in three old months, moved into their own partitions by `ensure`."""
    events = three_old_months()
    partitions.ensure()
    return events


def test_both_logs_are_partitioned_by_month_with_a_default() -> None:
    for table in (AUDIT, ACCESS):
        assert partitions.is_partitioned(table)
        months, default = partitions.partitions(table)
        assert default == f"{table}_default"
        assert {month(i) for i in range(4)} <= set(months)  # this month and the next three
    make_events(1)
    assert where(AUDIT) == {f"{AUDIT}_p{month(0):%Y%m}": 1}
    with pytest.raises(Exception, match="审计日志只能追加"):  # the append-only trigger holds in every partition
        raw("UPDATE audit_auditevent SET action = 'x.y'")


def test_a_month_without_partition_lands_in_default_is_reported_then_moved() -> None:
    three_old_months()
    assert where(AUDIT)[f"{AUDIT}_default"] == 9 and where(ACCESS)[f"{ACCESS}_default"] == 9
    code, _, err = command("partitions", "status")
    assert code == 1 and "默认分区中有 9 条记录" in err and f"{month(-10):%Y-%m}" in err
    reading = {r.name: r for r in watch.readings()}["partitions"]
    assert reading.status == watch.BAD and "默认分区中有 9 条记录" in reading.value

    created = partitions.ensure()

    assert {f"{table}_p{month(o):%Y%m}" for table in (AUDIT, ACCESS) for o in (-10, -9, -8)} <= set(created)
    for table in (AUDIT, ACCESS):
        rows = where(table)
        assert f"{table}_default" not in rows
        assert [rows[f"{table}_p{month(o):%Y%m}"] for o in (-10, -9, -8)] == [3, 3, 3]
    assert command("partitions", "status")[0] == 0
    assert {r.name: r for r in watch.readings()}["partitions"].status == watch.OK
    assert AuditEvent.objects.filter(action=AuditLogAction.PARTITIONS_ENSURE).exists()
    assert partitions.ensure() == []  # nothing left to do: nothing done, nothing recorded


def test_verify_walks_the_chains_across_three_months(spread: list[AuditEvent]) -> None:
    anchors.write_anchor()
    code, out, err = verify_command()
    assert code == 0, err
    assert "审计日志完整" in out and "共享访问日志完整：共校验 10 条" in out


def test_dropping_the_oldest_month_signs_an_anchor_and_verify_accepts_the_rest(
    spread: list[AuditEvent], tmp_path: Path
) -> None:
    anchors.write_anchor()
    archive = tmp_path / "archive"

    code, out, err = command("partitions", "drop", "--before", f"{month(-9):%Y-%m}", "--archive", str(archive))

    assert code == 0, err
    assert f"审计日志：已删除 {month(-10):%Y-%m} 共 3 条，现从第 4 条开始" in out
    assert f"{AUDIT}_p{month(-10):%Y%m}" not in where(AUDIT) and AuditEvent.objects.order_by("seq")[0].seq == 4
    assert AccessLog.objects.order_by("seq")[0].seq == 4
    assert not AccessLogSubject.objects.filter(log_id__lte=3).exists()  # their subject rows went with them
    latest, _ = anchors.latest_anchor()
    assert latest is not None and latest.reason == "partition_drop"
    state = latest.chains[anchors.AUDIT_CHAIN]
    assert state["first_seq"] == 4 and state["first_prev_hash"] == spread[2].hash
    [exported] = state["dropped"]["archives"]
    assert state["dropped"]["months"] == [f"{month(-10):%Y-%m}"] and state["dropped"]["rows"] == 3
    assert sm3_hex(Path(exported["file"]).read_bytes()) == exported["sm3"]
    assert Path(exported["file"]).read_text().count("\n") == 4  # the header and three events
    assert AuditEvent.objects.filter(action=AuditLogAction.PARTITIONS_DROP, outcome="success").exists()

    code, out, err = verify_command()
    assert code == 0, err
    assert "审计日志完整" in out and "共享访问日志完整：共校验 7 条" in out
    anchors.write_anchor()  # later anchors carry the new start on
    assert verify_command()[0] == 0


def test_a_month_dropped_by_hand_without_an_anchor_is_named(spread: list[AuditEvent]) -> None:
    anchors.write_anchor()
    raw(f"DROP TABLE {AUDIT}_p{month(-10):%Y%m}")  # the owner of the database, no anchor

    code, _, err = verify_command()

    assert code == 1
    first_left = timezone.localtime(moment(-9))
    assert "第 1 至第 3 条缺失" in err and f"{first_left:%Y-%m-%d %H:%M:%S}" in err
    assert "没有相应的到期清理记录或删除分区前签署的锚点" in err


def test_a_middle_month_deleted_by_hand_is_named_by_its_window(spread: list[AuditEvent]) -> None:
    anchors.write_anchor()
    raw(f"TRUNCATE {ACCESS}_p{month(-9):%Y%m}")  # bypasses the row triggers

    code, _, err = verify_command()

    assert code == 1
    before, after = timezone.localtime(moment(-10, day=6)), timezone.localtime(moment(-8, day=4))
    assert "共享访问日志在第 4 条处被篡改" in err
    assert f"缺失的记录在 {before:%Y-%m-%d %H:%M:%S} 之后、{after:%Y-%m-%d %H:%M:%S} 之前" in err


def test_a_month_within_retention_is_refused_and_nothing_is_dropped(
    spread: list[AuditEvent], audit_admin: User
) -> None:
    before = where(AUDIT)
    with pytest.raises(CommandError, match="日志须至少保存 180 天") as refused:
        command("partitions", "drop", "--before", f"{month(0):%Y-%m}")
    assert f"最多只能删除 {partitions.month_of(timezone.now() - timedelta(days=180)):%Y-%m} 之前的月份" in str(
        refused.value
    )
    after = where(AUDIT)  # nothing dropped (the refusal itself is recorded this month)
    assert after.keys() == before.keys() and after[f"{AUDIT}_p{month(-10):%Y%m}"] == 3
    error, _ = refused_write(
        lambda: partitions.drop_before(actor=Actor.person(audit_admin), before=month(-1)),
        models=[AccessLog, AccessLogSubject],
        action=AuditLogAction.PARTITIONS_DROP,
        code=AuditError.WITHIN_RETENTION,
    )
    assert error.fields["before"].startswith("日志须至少保存 180 天")


def test_only_the_audit_administrator_drops(spread: list[AuditEvent], market_clerk: User) -> None:
    refused_write(
        lambda: partitions.drop_before(actor=Actor.person(market_clerk), before=month(-9)),
        models=[AccessLog],
        action=AuditLogAction.PARTITIONS_DROP,
        outcome="denied",
    )
    assert f"{AUDIT}_p{month(-10):%Y%m}" in where(AUDIT)
