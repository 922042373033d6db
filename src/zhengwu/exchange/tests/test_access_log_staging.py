"""The query API's hot path: per-process caches that a change invalidates at once, the rate-limit
counter, staged access-log rows (durable, MAC-protected, visible to the citizen and the viewer
before they are sealed), the sealer, and the database triggers that keep the log append-only."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from zhengwu.accounts.models import ApiClient, User
from zhengwu.accounts.services import apiclient_revoke
from zhengwu.conftest import person_client
from zhengwu.core.actors import Actor
from zhengwu.exchange.sharing import access_log, access_log_verify, query_cache, rate_limit
from zhengwu.exchange.sharing import services as sharing
from zhengwu.exchange.sharing.models import AccessLog, AccessLogHead, AccessLogPending, Grant, RateCounter
from zhengwu.exchange.tests import test_sharing_helpers as helpers
from zhengwu.exchange.tests.test_query import call, record_path
from zhengwu.exchange.tests.test_sharing_helpers import CITIZEN_ID, OTHER_ID

people, market_grant = helpers.people, helpers.market_grant
market_token = helpers.market_token

pytestmark = pytest.mark.django_db

PATH = record_path("101001/001", CITIZEN_ID)

SQLITE_TRIGGERS = (
    "exchange_accesslog_no_update",
    "exchange_accesslog_no_delete",
    "exchange_accesslogsubject_no_update",
    "exchange_accesslogsubject_no_delete",
    "exchange_accesslogpending_no_update",
    "exchange_accesslogpending_no_delete",
    "exchange_accessloghead_forward_only",
    "exchange_accessloghead_no_delete",
    "exchange_accesslogpending_rate_count",
)
POSTGRESQL_TRIGGERS = (
    ("exchange_accesslog", "exchange_accesslog_guard"),
    ("exchange_accesslogsubject", "exchange_accesslogsubject_guard"),
    ("exchange_accesslogpending", "exchange_accesslogpending_guard"),
    ("exchange_accessloghead", "exchange_accessloghead_guard"),
    ("exchange_accesslogpending", "exchange_accesslogpending_rate_count"),
)


def raw(sql: str, params: list[Any] | tuple[Any, ...] = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def refused(sql: str, params: list[Any] | tuple[Any, ...] = ()) -> bool:
    try:
        with transaction.atomic():
            raw(sql, params)
    except DatabaseError as error:
        return "访问日志" in str(error) or "链头" in str(error)
    return False


def drop_guards() -> None:
    """What someone who owns the database does first (rolled back with the test)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS[:-1]:
                cursor.execute(f"DROP TRIGGER {name}")
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, name in POSTGRESQL_TRIGGERS[:-1]:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {name}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


# --- caches -----------------------------------------------------------------------------------


def test_a_revoked_grant_is_refused_at_once_in_the_same_process(
    market_grant: Grant, market_token: str, police_officer: User
) -> None:
    assert call(market_token, PATH).status_code == 200
    assert call(market_token, PATH).status_code == 200  # served from the caches
    sharing.grant_revoke(actor=Actor.person(police_officer), grant=market_grant, reason="用途已结束")
    assert call(market_token, PATH).status_code == 404
    assert AccessLogPending.objects.order_by("-id").values_list("reason", flat=True)[0] == "grant_inactive"


def test_a_revoked_api_client_is_refused_at_once(market_grant: Grant, market_token: str, sys_admin: User) -> None:
    assert call(market_token, PATH).status_code == 200
    client = ApiClient.objects.get(department=market_grant.consumer)
    apiclient_revoke(actor=Actor.person(sys_admin), client=client)
    assert call(market_token, PATH).status_code == 401


def test_a_change_committed_by_another_process_empties_the_caches(market_grant: Grant, market_token: str) -> None:
    assert call(market_token, PATH).status_code == 200
    before = query_cache.current()
    assert before.grants and before.clients
    # Another process revoked the grant: its row changed and it bumped the shared version.
    raw("UPDATE exchange_grant SET revoked_at = %s WHERE id = %s", [market_grant.created_at, market_grant.pk])
    assert call(market_token, PATH).status_code == 200  # this process cannot know yet …
    raw("UPDATE exchange_querycacheversion SET value = value + 1 WHERE id = 1")
    assert call(market_token, PATH).status_code == 404  # … until the version moves
    assert query_cache.current() is not before


def test_a_queryset_update_of_a_grant_invalidates_too(market_grant: Grant, market_token: str) -> None:
    assert call(market_token, PATH).status_code == 200
    Grant.objects.filter(pk=market_grant.pk).update(purpose="另一用途")
    assert call(market_token, PATH).status_code == 404


# --- rate limit -------------------------------------------------------------------------------


def test_the_rate_counter_counts_answered_calls_only(market_grant: Grant, market_token: str) -> None:
    first = rate_limit.current_minute()
    assert call(market_token, PATH).status_code == 200
    assert call(market_token, record_path("101001/001", OTHER_ID)).status_code == 200
    assert call(market_token, record_path("101001/001", "110105194912310038")).status_code == 404  # not found
    assert call(market_token, PATH, purpose="其他用途").status_code == 404  # denied: not counted
    last = rate_limit.current_minute()  # the calls may straddle a minute on a slow machine
    assert sum(rate_limit.used(market_grant, minute) for minute in range(first, last + 1)) == 3
    assert RateCounter.objects.filter(grant=market_grant).count() == last - first + 1


def test_old_counters_are_purged(market_grant: Grant) -> None:
    now = rate_limit.current_minute()
    RateCounter.objects.create(grant=market_grant, minute=now - 60, shard=1, hits=5)
    RateCounter.objects.create(grant=market_grant, minute=now, shard=1, hits=5)
    assert rate_limit.purge_old() == 1
    assert rate_limit.used(market_grant, now) == 5


# --- staging and sealing ----------------------------------------------------------------------


def test_a_call_is_staged_durably_and_sealed_later(market_grant: Grant, market_token: str) -> None:
    assert call(market_token, PATH).status_code == 200
    assert AccessLog.objects.count() == 0
    staged = AccessLogPending.objects.get()
    assert staged.outcome == "ok" and staged.keys == ["1101**********002X"] and len(staged.key_indexes) == 1
    assert access_log_verify.verify_pending().ok
    assert access_log.seal_pending() == 1
    assert AccessLogPending.objects.count() == 0
    entry = AccessLog.objects.get()
    assert entry.pending_id == staged.id and entry.at == staged.at and entry.keys == staged.keys
    assert entry.subjects.count() == 1
    assert access_log_verify.verify_chain().ok


def test_sealing_keeps_the_chain_in_order_across_batches(market_grant: Grant, market_token: str) -> None:
    for _ in range(5):
        call(market_token, PATH)
    access_log.append(operation="push", outcome="ok", resource_code="101001/001")  # chained at once
    assert access_log.seal_pending(batch_size=2) == 5
    assert list(AccessLog.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3, 4, 5, 6]
    assert access_log_verify.verify_chain(batch_size=2).ok
    assert AccessLogHead.objects.get().seq == 6


def test_a_sealed_entry_holds_exactly_its_staged_values(market_grant: Grant, market_token: str) -> None:
    """The database copies the staged row; what sealing adds is seq, prev_hash, hash and mac."""
    call(market_token, PATH)
    call(market_token, record_path("101001/001", OTHER_ID))
    staged = list(AccessLogPending.objects.order_by("id").values("id", *access_log.PENDING_FIELDS))
    assert access_log.seal_pending() == 2
    sealed = AccessLog.objects.order_by("seq").values("pending_id", *access_log.PENDING_FIELDS)
    assert [{"id": row.pop("pending_id"), **row} for row in sealed] == staged
    assert access_log_verify.verify_chain().ok


def test_the_sealer_reads_staged_rows_as_the_orm_values_them() -> None:
    """The sealer reads the staged rows raw (for speed); what it hashes must be what the ORM, and
    so `audit verify`, reads: aware times, decoded JSON, the address as text."""
    access_log.stage(
        operation=AccessLog.Operation.SEARCH,
        outcome=AccessLog.Outcome.OK,
        resource_code="101001/001",
        purpose="案件协查",
        keys=["220102199001011234"],
        filters={"org_name": "长春“一汽”有限公司", "region_code": "220102"},
        key_indexes=["b" * 64, "a" * 64],
        item_codes=["org_name"],
        rows=3,
        ip="2001:db8::1",
    )
    access_log.stage(operation=AccessLog.Operation.RECORD, outcome=AccessLog.Outcome.NOT_FOUND)
    orm = list(AccessLogPending.objects.order_by("id").values(*access_log._STAGED_COLUMNS))
    assert access_log._staged_rows(10) == orm
    assert orm[0]["at"].tzinfo is not None and orm[0]["filters"]["org_name"] == "长春“一汽”有限公司"
    assert access_log.seal_pending() == 2
    assert access_log_verify.verify_chain().ok


def test_a_batch_is_not_sealed_if_a_staged_row_vanished_meanwhile(
    market_grant: Grant, market_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(2):
        call(market_token, PATH)
    hashed = access_log._chained

    def hashed_then_vanished(rows: list[dict[str, Any]], seq: int, prev: str) -> Any:
        result = hashed(rows, seq, prev)
        drop_guards()
        raw("DELETE FROM exchange_accesslogpending WHERE id = %s", [rows[-1]["id"]])
        return result

    monkeypatch.setattr(access_log, "_chained", hashed_then_vanished)
    with pytest.raises(RuntimeError, match="sealed 1 of 2"):
        access_log.seal_pending()
    assert AccessLog.objects.count() == 0
    assert AccessLogPending.objects.count() == 1
    assert not AccessLogHead.objects.filter(seq__gt=0).exists()


def test_the_citizen_sees_calls_not_sealed_yet(market_grant: Grant, market_token: str, citizen: User) -> None:
    assert call(market_token, PATH).status_code == 200
    assert AccessLog.objects.count() == 0
    reads = person_client(citizen).get("/my/data-use/").context["reads"]
    assert len(reads) == 1 and reads[0].purpose == market_grant.purpose


def test_a_changed_staged_row_is_caught_and_never_sealed(market_grant: Grant, market_token: str) -> None:
    for _ in range(3):
        call(market_token, PATH)
    _first, second, _ = AccessLogPending.objects.order_by("id").values_list("id", flat=True)
    drop_guards()
    raw("UPDATE exchange_accesslogpending SET purpose = %s WHERE id = %s", ["其他用途", second])
    result = access_log_verify.verify_pending()
    assert not result.ok and result.first_bad_seq == second
    assert access_log.seal_pending() == 1  # the first only: sealing stops before the changed row
    assert list(AccessLogPending.objects.values_list("id", flat=True)) == [second, second + 1]
    assert access_log_verify.verify_chain().ok


def test_audit_verify_reports_a_changed_staged_row(market_grant: Grant, market_token: str) -> None:
    from zhengwu.exchange.tests.test_access_log import verify

    call(market_token, PATH)
    code, out, _ = verify()
    assert code == 0 and "共享访问日志（待封存）完整：共校验 1 条" in out
    drop_guards()
    raw("UPDATE exchange_accesslogpending SET rows = 7")
    code, _, err = verify()
    assert code == 1 and "共享访问日志（待封存）在第" in err


# --- triggers ---------------------------------------------------------------------------------


def test_the_triggers_are_installed() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            expected = set(SQLITE_TRIGGERS)
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'")
            expected = {name for _, name in POSTGRESQL_TRIGGERS}
        installed = {row[0] for row in cursor.fetchall()}
    assert expected <= installed


def test_the_database_refuses_to_change_or_delete_log_rows(market_grant: Grant, market_token: str) -> None:
    for _ in range(2):
        call(market_token, PATH)
    access_log.seal_pending(limit=1)
    staged = AccessLogPending.objects.get()
    assert refused("UPDATE exchange_accesslog SET purpose = 'x'")
    assert refused("DELETE FROM exchange_accesslog")
    assert refused("UPDATE exchange_accesslogsubject SET key_index = 'x'")
    assert refused("DELETE FROM exchange_accesslogsubject")
    assert refused("UPDATE exchange_accesslogpending SET purpose = 'x'")
    assert refused("DELETE FROM exchange_accesslogpending WHERE id = %s", [staged.id])  # not sealed yet
    assert refused("UPDATE exchange_accessloghead SET seq = seq - 1")
    assert refused("DELETE FROM exchange_accessloghead")
    assert AccessLog.objects.count() == 1 and AccessLogPending.objects.count() == 1
    assert access_log.seal_pending() == 1  # sealing itself may remove the staged row
    assert AccessLogPending.objects.count() == 0
    assert access_log_verify.verify_chain().ok


def test_the_staging_table_has_no_foreign_key_constraints() -> None:
    """Each call's commit would lock the rows they name (AccessLogPending's comment)."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, AccessLogPending._meta.db_table)
    assert not [name for name, spec in constraints.items() if spec["foreign_key"]]
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, AccessLog._meta.db_table)
    assert len([name for name, spec in constraints.items() if spec["foreign_key"]]) == 5  # the chain keeps them


class _Editor:
    """What the migration's function uses of a schema editor (SQLite's cannot open inside a test's
    transaction)."""

    connection = connection

    def execute(self, sql: str, params: Any = ()) -> None:
        raw(sql, params or ())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite rebuilds the table to change a constraint")
def test_after_sqlites_rebuild_the_triggers_are_back_and_ids_are_not_reused(
    market_grant: Grant, market_token: str
) -> None:
    rebuilt = importlib.import_module(
        "zhengwu.exchange.migrations.0007_access_log_staging_without_foreign_key_constraints"
    )
    for _ in range(3):
        call(market_token, PATH)
    assert access_log.seal_pending() == 3
    with connection.cursor() as cursor:  # what a rebuild of the empty table leaves
        for name in ("exchange_accesslogpending_no_update", "exchange_accesslogpending_no_delete"):
            cursor.execute(f"DROP TRIGGER {name}")
        cursor.execute("DROP TRIGGER exchange_accesslogpending_rate_count")
        cursor.execute("DELETE FROM sqlite_sequence WHERE name = 'exchange_accesslogpending'")
    rebuilt.restore_after_rebuild(None, _Editor())
    test_the_triggers_are_installed()
    assert call(market_token, PATH).status_code == 200
    assert AccessLogPending.objects.get().id == 4
    assert access_log.seal_pending() == 1
    assert access_log_verify.verify_chain().ok


def test_a_staged_id_is_never_given_twice_once_every_row_is_sealed(market_grant: Grant, market_token: str) -> None:
    for _ in range(3):
        call(market_token, PATH)
    ids = list(AccessLogPending.objects.values_list("id", flat=True))
    assert ids == sorted(ids) and len(set(ids)) == 3
    assert access_log.seal_pending() == 3
    assert not AccessLogPending.objects.exists()  # the highest id is gone from the staging table
    assert call(market_token, PATH).status_code == 200
    again = AccessLogPending.objects.get().id
    assert again > max(ids) and not AccessLog.objects.filter(pending_id=again).exists()
    if connection.vendor == "sqlite":
        assert again == max(ids) + 1  # access_log.STAGED_ID_SQL: after the highest sealed one
    assert access_log.seal_pending() == 1  # a reused id would break the log's unique pending_id
    assert access_log_verify.verify_chain().ok


@pytest.mark.skipif(connection.vendor != "sqlite", reason="sqlite_sequence is SQLite's AUTOINCREMENT")
def test_a_call_writes_no_autoincrement_sequence(market_grant: Grant, market_token: str) -> None:
    """A call's commit writes the staged row's page and the rate counter's, not `sqlite_sequence`
    (models.PlainRowId, docs/benchmarks.md "The access log's pages per call")."""

    def sequences() -> list[tuple[str, int]]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, seq FROM sqlite_sequence ORDER BY name")
            return list(cursor.fetchall())

    assert call(market_token, PATH).status_code == 200  # the minute's counter row exists
    before = sequences()
    for _ in range(3):
        assert call(market_token, PATH).status_code == 200
    assert sequences() == before
    assert AccessLogPending.objects.count() == 4
    assert sum(RateCounter.objects.filter(grant=market_grant).values_list("hits", flat=True)) == 4
