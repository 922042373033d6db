"""The access log of the query API: written durably before every answer, SM3 hash-chained.

Two ways in, both durable when they return (called outside a transaction, as the API does):

- `stage(...)` — the query API's path: ONE insert into `AccessLogPending`, the row carrying its
  own SM3-HMAC (`pending_mac`) under a key derived from the current data key. No lock on the chain
  head, so concurrent calls do not queue behind one another for the chain. Each staged row names
  its writer stream (`stream`: random, one per server process) and its number in it
  (`stream_n` = 1, 2, 3 …), both under the MAC and, once sealed, under the chain's hash: a staged row copied under a
  new id repeats a (stream, stream_n), a deleted one leaves a gap in its stream (docs/deployment.md,
  "日志锚点"). The numbers are given where the process's batch is committed, under the lock that
  serialises its batches, and only a committed batch keeps them: after a failed one the process
  goes on in a new stream, leaving no gap and no number used twice.
  Inside a caller's transaction a row is numbered in a stream of that transaction's own.
- `append(...)` — chains the entry at once (webhook pushes, other apps' calls): serialised by a
  lock on the one-row `AccessLogHead` (on SQLite the IMMEDIATE transactions admit one writer at
  a time anyway), so seq numbers are gapless.

`seal_pending()` moves staged rows, oldest first, into the chain in batches (one head lock per
batch): it checks each row's MAC first and stops at a row that fails (never chaining a changed
row). It runs every minute (Huey, `exchange.tasks.access_log_seal`), and before the access-log
viewer, the citizen's page and the statistics read the log, so they see every call.

Verification (`zhengwu audit verify`) and the anchors of the three tables are in
`access_log_verify` (named by `hash_chain_verifier` / `hash_chain_state` of the models).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Required, TypedDict, Unpack

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabase
from django.utils import timezone

from zhengwu.accounts.models import ApiClient, Department
from zhengwu.audit.chain import canonical_json, canonical_time, lock_seq_chain_head
from zhengwu.catalog.models import Resource
from zhengwu.core import rawsql
from zhengwu.core.crypto import (
    data_mac,
    data_mac_key_id,
    data_mac_matches,
    data_mac_subkeys,
    data_mac_under,
    sm3_hex,
    sm3_hmac_hex,
)
from zhengwu.core.group_commit import GroupCommit, ProcessLock
from zhengwu.exchange.sharing.models import (
    ACCESS_LOG_ZERO_HASH,
    AccessLog,
    AccessLogHead,
    AccessLogPending,
    AccessLogSubject,
    Grant,
)

logger = logging.getLogger(__name__)

# Every stored field except hash and mac. Changing this list changes every hash.
HASHED_FIELDS: tuple[str, ...] = (
    "seq",
    "at",
    "api_client_id",
    "api_client_label",
    "consumer_id",
    "consumer_label",
    "provider_id",
    "resource_id",
    "resource_code",
    "grant_id",
    "operation",
    "purpose",
    "keys",
    "filters",
    "key_indexes",
    "item_codes",
    "rows",
    "outcome",
    "reason",
    "latency_ms",
    "zone",
    "ip",
    "prev_hash",
)


# The writer stream and the entry's number in it: hashed (and MACed while staged, `_stream_suffix`)
# only for entries that have one, so entries staged or sealed before streams existed verify as before.
STREAM_FIELDS: tuple[str, ...] = ("stream", "stream_n")


def _with_stream(names: tuple[str, ...], fields: Mapping[str, Any]) -> tuple[str, ...]:
    return (*names, *STREAM_FIELDS) if fields.get("stream") else names


def log_hash(fields: Mapping[str, Any]) -> str:
    return sm3_hex(_canonical_fields(fields, _with_stream(HASHED_FIELDS, fields)).encode("utf-8"))


CHAIN_MAC = "access-log-chain"
PENDING_MAC = "access-log-pending"


def log_mac(hash_hex: str, subkey: bytes | None = None) -> str:
    """A new entry's MAC, under the current data key (`subkey`: its subkey for `CHAIN_MAC`, if
    the caller has it at hand: `data_mac_subkeys`)."""
    return data_mac(CHAIN_MAC, hash_hex) if subkey is None else sm3_hmac_hex(subkey, hash_hex)


def log_mac_key_id(hash_hex: str, mac: str) -> str | None:
    """The id of the data key the entry's MAC was made with (entries are never re-MACed after a
    rotation), or None when no key of the ring made it."""
    return data_mac_key_id(CHAIN_MAC, hash_hex, mac)


# Every field of a staged row but id, mac and its stream: the chain's fields without seq and
# prev_hash. `STAGED_FIELDS` adds the stream: what the sealer copies into the chain.
PENDING_FIELDS: tuple[str, ...] = tuple(name for name in HASHED_FIELDS if name not in ("seq", "prev_hash"))
STAGED_FIELDS: tuple[str, ...] = (*PENDING_FIELDS, *STREAM_FIELDS)
_FOREIGN_KEYS = frozenset({"api_client_id", "consumer_id", "provider_id", "resource_id", "grant_id"})
_PLAIN_FIELDS = tuple(name for name in PENDING_FIELDS if name not in _FOREIGN_KEYS)


def _canonical_fields(fields: Mapping[str, Any], names: tuple[str, ...]) -> str:
    """The canonical JSON of `names` of `fields`: the time in UTC ISO form, the address as text."""
    payload = {name: fields[name] for name in names}
    payload["at"] = canonical_time(payload["at"])
    if payload["ip"] is not None:
        payload["ip"] = str(payload["ip"])
    return canonical_json(payload)


def _pending_json(fields: Mapping[str, Any]) -> bytes:
    return _canonical_fields(fields, PENDING_FIELDS).encode("utf-8")


def _stream_suffix(stream: str | None, n: int | None) -> bytes:
    """What a staged row's MAC covers after its fields' JSON: its writer stream and number (none
    for a row staged before streams existed). Outside the JSON, so that the JSON is made before
    the commit lock is taken and only the MAC under it (a JSON text holds no raw line break)."""
    return f"\nstream={stream};n={n}".encode() if stream else b""


def _pending_data(fields: Mapping[str, Any]) -> bytes:
    return _pending_json(fields) + _stream_suffix(fields.get("stream"), fields.get("stream_n"))


def pending_mac(fields: Mapping[str, Any], *, key_id: str | None = None) -> str:
    """SM3-HMAC of a staged row's fields (as written, or as read back), under the current data
    key or the one `key_id` names."""
    data = _pending_data(fields)
    return data_mac(PENDING_MAC, data) if key_id is None else data_mac_under(key_id, PENDING_MAC, data)


def pending_mac_matches(fields: Mapping[str, Any], mac: str, subkeys: dict[str, bytes] | None = None) -> bool:
    """Whether `mac` is the staged row's MAC under any data key (a row staged before a rotation);
    `subkeys`: `data_mac_subkeys(PENDING_MAC)`, if the caller has them at hand."""
    return data_mac_matches(PENDING_MAC, _pending_data(fields), mac, subkeys)


def _lock_head() -> AccessLogHead:
    return lock_seq_chain_head(AccessLogHead, AccessLog.objects.all(), ACCESS_LOG_ZERO_HASH)


def _text(value: object, limit: int) -> str:
    return str(value).replace("\x00", "")[:limit]


class Call(TypedDict, total=False):
    """What one call to the exchange was: the keywords of `append` and `stage` (only the
    operation and the outcome are required; the others default to empty)."""

    operation: Required[str]
    outcome: Required[str]
    api_client: ApiClient | None
    consumer: Department | None
    resource: Resource | None
    resource_code: str
    grant: Grant | None
    purpose: str
    keys: Sequence[str]
    filters: Mapping[str, str] | None
    key_indexes: Sequence[str]
    item_codes: Sequence[str]
    rows: int
    reason: str
    latency_ms: int
    ip: str | None


def append(*, at: datetime | None = None, consumer_label: str = "", **call: Unpack[Call]) -> AccessLog:
    """Append one entry to the chain and commit it (when called outside a transaction).

    `at` is now unless given: only the demo's history of calls (`zhengwu demo`) and tests give it."""
    with transaction.atomic():
        head = _lock_head()
        fields = _fields(call)
        if at is not None:
            fields["at"] = at
        entry = AccessLog(seq=head.seq + 1, prev_hash=head.hash, **fields)
        if fields["consumer"] is None and fields["api_client"] is None and consumer_label:
            entry.consumer_label = _text(consumer_label, 200)  # a use by the platform itself
        entry.hash = log_hash({name: getattr(entry, name) for name in HASHED_FIELDS})
        entry.mac = log_mac(entry.hash)
        entry._chain_append = True  # type: ignore[attr-defined]
        entry.save()
        if indexes := fields["key_indexes"]:
            AccessLogSubject.objects.bulk_create([AccessLogSubject(log=entry, key_index=i) for i in indexes])
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


def _fields(call: Call) -> dict[str, Any]:
    """The stored values of an entry (model field names → values), normalised for hashing."""
    api_client, consumer, resource = call.get("api_client"), call.get("consumer"), call.get("resource")
    if consumer is None and api_client is not None:
        consumer = api_client.department
    return {
        "at": timezone.now(),
        "api_client": api_client,
        "api_client_label": _text(f"{api_client.name}({api_client.token_prefix})", 200) if api_client else "",
        "consumer": consumer,
        "consumer_label": _text(consumer.name, 200) if consumer else "",
        "provider_id": resource.provider_id if resource is not None else None,
        "resource": resource,
        "resource_code": _text(resource.code if resource is not None else call.get("resource_code", ""), 100),
        "grant": call.get("grant"),
        "operation": call["operation"],
        "purpose": _text(call.get("purpose", ""), 200),
        "keys": [_text(k, 100) for k in call.get("keys", ())][:500],
        "filters": {_text(k, 64): _text(v, 200) for k, v in (call.get("filters") or {}).items()},
        "key_indexes": sorted({i for i in call.get("key_indexes", ()) if i}),
        "item_codes": list(call.get("item_codes", ())),
        "rows": max(0, int(call.get("rows", 0))),
        "outcome": call["outcome"],
        "reason": _text(call.get("reason", ""), 64),
        "latency_ms": max(0, int(call.get("latency_ms", 0))),
        "zone": settings.ZHENGWU_ZONE,
        "ip": call.get("ip"),
    }


def stage(**call: Unpack[Call]) -> dict[str, Any]:
    """Write one call to the staging table: one INSERT, committed on return when called outside
    a transaction (a database trigger counts it against the grant's rate limit when it was
    answered). Returns the stored values (with its stream, number and MAC)."""
    fields = _fields(call)
    api_client, resource, grant = fields["api_client"], fields["resource"], fields["grant"]
    values = {
        **{name: fields[name] for name in _PLAIN_FIELDS},
        "api_client_id": api_client.pk if api_client is not None else None,
        "consumer_id": fields["consumer"].pk if fields["consumer"] is not None else None,
        "provider_id": fields["provider_id"],
        "resource_id": resource.pk if resource is not None else None,
        "grant_id": grant.pk if grant is not None else None,
    }
    _insert_pending(values)
    return values


_JSON_FIELDS = frozenset({"keys", "filters", "key_indexes", "item_codes"})
_PENDING_COLUMNS = (*STAGED_FIELDS, "mac")
_insert_sql: dict[str, str] = {}

# SQLite: the staged row's id (the table has no AUTOINCREMENT, models.PlainRowId): one more than the
# highest staged id, or, when every staged row has been sealed and removed, than the highest id
# the sealed log names (`pending_id`, unique), so an id is never given twice. Both are one seek
# (the rowid's B-tree, the unique index on pending_id), read under the write lock the INSERT holds;
# COALESCE evaluates the second only when the first is NULL.
STAGED_ID_SQL = (
    f"COALESCE((SELECT MAX(id) FROM {AccessLogPending._meta.db_table}), "  # noqa: S608 - our identifiers
    f"(SELECT MAX(pending_id) FROM {AccessLog._meta.db_table}), 0) + 1"
)


def _insert_statement(db: BaseDatabaseWrapper | None = None) -> str:
    """The staged row's INSERT with %s placeholders (jsonb casts on PostgreSQL, where the id is the
    identity column's; on SQLite `STAGED_ID_SQL`); `db`: the default connection, if at hand."""
    db = db or connections[DEFAULT_DB_ALIAS]
    vendor = db.vendor
    sql = _insert_sql.get(vendor)
    if sql is None:
        quote = db.ops.quote_name
        names = [quote(name) for name in _PENDING_COLUMNS]
        marks = ["%s::jsonb" if vendor == "postgresql" and name in _JSON_FIELDS else "%s" for name in _PENDING_COLUMNS]
        if vendor == "sqlite":
            names, marks = [quote("id"), *names], [f"({STAGED_ID_SQL})", *marks]
        sql = _insert_sql[vendor] = (
            f"INSERT INTO {quote(AccessLogPending._meta.db_table)} "  # noqa: S608 - our identifiers
            f"({', '.join(names)}) VALUES ({', '.join(marks)})"
        )
    return sql


_to_json = json.JSONEncoder(ensure_ascii=False).encode  # one encoder, not one per value


def _params(row: Mapping[str, Any], columns: Sequence[str], db: BaseDatabaseWrapper) -> list[Any]:
    """The row's values as the ORM would store them (without its per-field machinery: this is
    the hot path of every API call and of the sealer)."""
    adapters = _adapters(db, columns)
    return [row[name] if adapt is None else adapt(row[name]) for name, adapt in zip(columns, adapters, strict=True)]


_adapters_cache: dict[tuple[str, tuple[str, ...]], tuple[Callable[[Any], Any] | None, ...]] = {}


def _adapters(db: BaseDatabaseWrapper, columns: Sequence[str]) -> tuple[Callable[[Any], Any] | None, ...]:
    """Per column, what turns its value into the stored one (None: stored as it is)."""
    key = (db.vendor, tuple(columns))
    found = _adapters_cache.get(key)
    if found is None:
        ops = db.ops

        def adapt_ip(value: Any) -> Any:
            return None if value is None else ops.adapt_ipaddressfield_value(value)

        special: dict[str, Callable[[Any], Any]] = {
            **dict.fromkeys(_JSON_FIELDS, _to_json),
            "at": ops.adapt_datetimefield_value,
            "ip": adapt_ip,
        }
        found = _adapters_cache[key] = tuple(special.get(name) for name in columns)
    return found


class _Staged:
    """A row to stage: its values, the JSON its MAC covers, and its INSERT's parameters but the
    last three (stream, n, mac), which `number` fills in once its place in its stream is known."""

    __slots__ = ("json", "params", "values")

    def __init__(self, values: dict[str, Any], db: BaseDatabaseWrapper) -> None:
        self.values = values
        self.json = _pending_json(values)
        self.params = _params({**values, "stream": None, "stream_n": None, "mac": None}, _PENDING_COLUMNS, db)

    def number(self, stream: str, n: int) -> None:
        mac = data_mac(PENDING_MAC, self.json + _stream_suffix(stream, n))
        self.values.update(stream=stream, stream_n=n, mac=mac)
        self.params[-3:] = [stream, n, mac]


def _new_stream() -> str:
    return secrets.token_hex(8)


class _WriterStream:
    """This process's writer stream: its id (new in each process: a forked child does not go on
    with its parent's) and the last number a committed batch used. Only `_commit_staged` uses it,
    holding `lock`."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._pid: int | None = None
        self.id = ""
        self.last = 0

    def current(self) -> tuple[str, int]:
        if self._pid != os.getpid():
            self.reset()
        return self.id, self.last

    def reset(self) -> None:
        self._pid, self.id, self.last = os.getpid(), _new_stream(), 0


_stream = _WriterStream()


def new_writer_stream() -> None:
    """Start this process's next staged rows in a new writer stream: for a database emptied under
    a running process (the tests), where the stream's numbers so far would look deleted."""
    with _stream.lock:
        _stream.reset()


class _TransactionStream:
    """The stream of the rows staged inside one transaction, and the number of the latest: kept
    as an on-commit callback (which does nothing), so that Django forgets it when the transaction
    (or the savepoint it was staged in) rolls back, and the next row takes that number again."""

    __slots__ = ("id", "n")

    def __init__(self, stream: str, n: int) -> None:
        self.id = stream
        self.n = n

    def __call__(self) -> None:
        return None


def _insert_pending(values: dict[str, Any]) -> None:
    """The staged row written and committed before returning: with the rows of the process's other
    threads staging at the same moment (`core.group_commit`: one transaction, one write lock on
    SQLite, one WAL flush on PostgreSQL, per batch), or in the caller's transaction if there is one."""
    # The default connection looked up once: through `connection` each attribute read looks it up
    # again in a context-local store (issue 21).
    db = connections[DEFAULT_DB_ALIAS]
    row = _Staged(values, db)
    if db.in_atomic_block:
        _insert_in_transaction(db, row)
    elif settings.ZHENGWU_ACCESS_LOG_GROUP_COMMIT:
        _staging.write(row)
    else:
        _commit_staged([row])


def _insert_in_transaction(db: BaseDatabaseWrapper, row: _Staged) -> None:
    """The row numbered in the stream of the caller's transaction (the process's stream would keep
    the numbers of a transaction rolled back: a gap, a false alarm) and inserted there."""
    last: _TransactionStream | None = None
    for entry in db.run_on_commit:
        callback = entry[1]
        if isinstance(callback, _TransactionStream):
            last = callback
    stream = _TransactionStream(last.id, last.n + 1) if last else _TransactionStream(_new_stream(), 1)
    row.number(stream.id, stream.n)
    rawsql.execute(_insert_statement(db), row.params)
    transaction.on_commit(stream, using=db.alias)


def _commit_staged(batch: list[_Staged]) -> None:
    """One batch of staged rows, numbered in the process's stream, MACed and committed (the group's
    commit, run by one of the waiting threads on its own connection, outside any transaction).

    The lock serialises the process's batches (group commit holds its own too, but not when it is
    off), so a stream's numbers are committed in order. The stream's last number moves only once
    the batch is committed. A batch that fails gives its numbers back by starting a new stream:
    the old one ends at its last committed number, with no gap, and ends there even if the commit
    did reach the database before the error came (a lost connection): nothing reuses a number."""
    sql = _insert_statement()
    with _stream.lock:
        stream, last = _stream.current()
        for offset, row in enumerate(batch, start=1):
            row.number(stream, last + offset)
        try:
            if len(batch) == 1:
                rawsql.execute(sql, batch[0].params)  # autocommit: the statement is its own transaction
            else:
                with transaction.atomic():
                    rawsql.execute_many(sql, [row.params for row in batch])
        except BaseException:
            _stream.reset()
            raise
        _stream.last = last + len(batch)


def _sqlite_lock_path(suffix: str) -> str | None:
    """A lock file beside SQLite's database file; none for an in-memory database or PostgreSQL."""
    db = connections[DEFAULT_DB_ALIAS]
    if not isinstance(db, SQLiteDatabase) or db.is_in_memory_db():
        return None
    return f"{db.settings_dict['NAME']}-{suffix}.lock"


# The staging commits of all server processes and the sealer's writes take turns here (SQLite
# admits one writer at a time anyway): a writer that waits is woken by the kernel when the lock
# is free, instead of sleeping 1, 2, 5, 10 ms … in SQLite's busy handler. On PostgreSQL, where
# commits do not exclude one another, only a process's own threads take turns.
_staging_lock = ProcessLock(lambda: _sqlite_lock_path("staging"))
# One sealer at a time (the consumer's minute, a page that reads the log): two at once hash the
# same batch, and all but one hash it again on the moved head (docs/benchmarks.md, issue 21).
_sealer_lock = ProcessLock(lambda: _sqlite_lock_path("sealer"))
SEALER_ADVISORY_LOCK = 0x7A770001  # PostgreSQL's advisory lock of the sealer ("zw" + 1)


@contextlib.contextmanager
def _one_sealer() -> Iterator[None]:
    with _sealer_lock.held():
        db = connections[DEFAULT_DB_ALIAS]
        if db.vendor != "postgresql" or db.in_atomic_block:
            yield
            return
        rawsql.execute("SELECT pg_advisory_lock(%s)", [SEALER_ADVISORY_LOCK])
        try:
            yield
        finally:
            rawsql.execute("SELECT pg_advisory_unlock(%s)", [SEALER_ADVISORY_LOCK])


_staging: GroupCommit[_Staged] = GroupCommit(_commit_staged, gate=_staging_lock.held)


def subjects_drop_through(seq: int) -> int:
    """Remove the subject-index rows of the entries through `seq`, once their monthly partitions
    were dropped past retention (audit.partitions.drop_before): the trigger lets a subject row go
    only when no entry at or before it is left in the log (migration 0012). Returns how many."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {connection.ops.quote_name(AccessLogSubject._meta.db_table)} WHERE log_id <= %s",  # noqa: S608
            [seq],
        )
        return int(cursor.rowcount)


SEAL_BATCH = 100

# The sealer's statements, run raw (`core.rawsql`): through the ORM, building and compiling them
# cost about 1.5 ms a batch of 100 rows, and converting the staged rows' values 10 µs a row, a
# quarter of sealing a row (docs/benchmarks.md, issue 21).
_HEAD = AccessLogHead._meta.db_table
_CHAIN = AccessLog._meta.db_table
_STAGED = AccessLogPending._meta.db_table
_HEAD_SQL = f"SELECT seq, hash FROM {_HEAD} WHERE id = 1"  # noqa: S608 - our identifiers
_STAGED_COLUMNS = ("id", *STAGED_FIELDS, "mac")
_STAGED_ROWS_SQL = (
    "SELECT " + ", ".join(f'"{name}"' for name in _STAGED_COLUMNS) + f" FROM {_STAGED} ORDER BY id LIMIT %s"  # noqa: S608 - ours
)


def _head_now(*, locked: bool = False) -> tuple[int, str]:
    """The chain head as it is now (created, under its lock, if there is none yet); `locked`:
    inside the caller's transaction, locked as `_lock_head` locks it (FOR UPDATE on PostgreSQL)."""
    lock = " FOR UPDATE" if locked and connections[DEFAULT_DB_ALIAS].vendor == "postgresql" else ""
    head = rawsql.fetch_one(_HEAD_SQL + lock)
    if head is None:  # none yet, or gone after a flush of the whole log
        with transaction.atomic():
            created = _lock_head()
        return created.seq, created.hash
    return int(head[0]), str(head[1])


def _staged_rows(size: int) -> list[dict[str, Any]]:
    """The `size` oldest staged rows, valued as the ORM values them (`.values()`): the time aware
    (SQLite's driver gives it naive, in UTC), the JSON columns decoded (both drivers give their
    text, as Django has them do)."""
    rows = []
    for values in rawsql.fetch_all(_STAGED_ROWS_SQL, [size]):
        row = dict(zip(_STAGED_COLUMNS, values, strict=True))
        if row["at"].tzinfo is None:
            row["at"] = row["at"].replace(tzinfo=UTC)
        for name in _JSON_FIELDS:
            row[name] = json.loads(row[name])
        rows.append(row)
    return rows


def _sealed_numbers(rows: list[dict[str, Any]]) -> set[tuple[str, int]]:
    """The (stream, stream_n) of `rows` that the chain holds already (one query, on the chain's index)."""
    numbered: list[tuple[str, int]] = [(row["stream"], row["stream_n"]) for row in rows if row["stream"]]
    if not numbered:
        return set()
    streams, numbers = sorted({s for s, _ in numbered}), sorted({n for _, n in numbered})
    found = rawsql.fetch_all(
        f"SELECT stream, stream_n FROM {_CHAIN} "  # noqa: S608 - our identifiers
        f"WHERE stream IN ({', '.join(['%s'] * len(streams))}) AND stream_n IN ({', '.join(['%s'] * len(numbers))})",
        [*streams, *numbers],
    )
    return {(str(stream), int(n)) for stream, n in found} & set(numbered)


def _chained(rows: list[dict[str, Any]], seq: int, prev: str) -> tuple[list[dict[str, Any]], str | None]:
    """The sealed entries of staged `rows` following the head (seq, prev), and, if sealing must stop
    before a row, why (it fails its MAC, or repeats the (stream, stream_n) of an entry chained or
    about to be: a copy; it and those after it are left staged, for `zhengwu audit verify` to
    report). The caller logs the reason only once it knows the head did not move meanwhile: a row
    that another sealer chained after these rows were read looks like a copy of itself."""
    entries: list[dict[str, Any]] = []
    taken = _sealed_numbers(rows)
    pending_keys = data_mac_subkeys(PENDING_MAC)
    chain_key = next(iter(data_mac_subkeys(CHAIN_MAC).values()))  # the current key's
    for row in rows:
        if not pending_mac_matches(row, row["mac"], pending_keys):
            return entries, f"access log: staged row {row['id']} fails its MAC; sealing stops before it"
        if row["stream"]:
            number = (row["stream"], row["stream_n"])
            if number in taken:
                return entries, (
                    f"access log: staged row {row['id']} repeats stream {number[0]} no. {number[1]}; "
                    "sealing stops before it"
                )
            taken.add(number)
        seq += 1
        entry = {name: row[name] for name in STAGED_FIELDS}
        entry["seq"], entry["prev_hash"], entry["pending_id"] = seq, prev, row["id"]
        entry["hash"] = log_hash(entry)
        entry["mac"] = log_mac(entry["hash"], chain_key)
        prev = entry["hash"]
        entries.append(entry)
    return entries, None


def _write_sealed(entries: list[dict[str, Any]]) -> None:
    """Insert the entries and their subjects, drop their staged rows, move the head (in the
    caller's transaction, under the head's lock).

    The sealed rows are copied from the staged rows by the database; only what sealing adds
    (seq, prev_hash, hash, mac) is sent. The staged rows cannot change (a trigger refuses any
    UPDATE), so the copy holds the very values that were checked against their MAC and hashed.
    """
    quote = connection.ops.quote_name
    fields = ", ".join(quote(name) for name in STAGED_FIELDS)
    staged_fields = ", ".join(f"p.{quote(name)}" for name in STAGED_FIELDS)
    chained = ", ".join(["(%s, %s, %s, %s, %s)"] * len(entries))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(AccessLog._meta.db_table)} "  # noqa: S608 - ours
            f"({fields}, seq, prev_hash, hash, mac, pending_id, pending_mac) "
            f"SELECT {staged_fields}, c.column2, c.column3, c.column4, c.column5, c.column1, p.mac "
            # A VALUES list's columns are named column1, column2… by PostgreSQL and SQLite alike.
            f"FROM {quote(AccessLogPending._meta.db_table)} p JOIN (VALUES {chained}) c ON p.id = c.column1",
            [
                value
                for entry in entries
                for value in (entry["pending_id"], entry["seq"], entry["prev_hash"], entry["hash"], entry["mac"])
            ],
        )
        if cursor.rowcount != len(entries):  # a staged row went missing: the batch is not sealed
            raise RuntimeError(f"access log: sealed {cursor.rowcount} of {len(entries)} staged rows")
        subjects = [(entry["seq"], index) for entry in entries for index in entry["key_indexes"] or []]
        if subjects:
            cursor.executemany(
                f"INSERT INTO {quote(AccessLogSubject._meta.db_table)} ({quote('log_id')}, {quote('key_index')}) "  # noqa: S608
                "VALUES (%s, %s)",
                subjects,
            )
        ids = [entry["pending_id"] for entry in entries]
        cursor.execute(f"DELETE FROM {quote(_STAGED)} WHERE id IN ({', '.join(['%s'] * len(ids))})", ids)  # noqa: S608 - ours
        last = entries[-1]
        cursor.execute(f"UPDATE {quote(_HEAD)} SET seq = %s, hash = %s WHERE id = 1", [last["seq"], last["hash"]])  # noqa: S608 - ours


def seal_pending(*, batch_size: int = SEAL_BATCH, limit: int | None = None, pause: float = 0.0) -> int:
    """Chain the staged rows, oldest first, in batches; returns how many were sealed.

    A batch is read, checked and hashed before the head is locked; the lock (on SQLite: the
    database's one write lock) is then held only to write it, and the batch is hashed again if
    another writer moved the head meanwhile. With `pause`, the sealer sleeps between batches at
    least that long and at least as long as it held the lock: the API's writers, which SQLite
    lets in only while the lock is free (its busy handler is not fair), get half the time or more.

    A staged row whose MAC does not match its fields, or that repeats the stream and number of
    another (a copy), is never chained: sealing stops before it (it stays staged, and
    `verify_pending` reports it). Two sealers may run at once (the consumer's minute and a reader
    of the log): a row the other one chained after this one read it is no copy, and since the
    head then moved, the batch is read again instead of reported.
    """
    with _one_sealer():
        return _seal(batch_size=batch_size, limit=limit, pause=pause)


def _seal(*, batch_size: int, limit: int | None, pause: float) -> int:
    sealed = 0
    while limit is None or sealed < limit:
        size = batch_size if limit is None else min(batch_size, limit - sealed)
        head = _head_now()
        rows = _staged_rows(size)
        if not rows:
            break
        entries, stop = _chained(rows, *head)
        held = 0.0
        moved = False
        if entries:
            started = time.perf_counter()
            # Outside a caller's transaction only: one that has written holds SQLite's write lock
            # already, and a staging commit holding the file lock would wait for it.
            gate = contextlib.nullcontext() if connection.in_atomic_block else _staging_lock.held()
            with gate, transaction.atomic():
                moved = _head_now(locked=True) != head
                if not moved:
                    _write_sealed(entries)
            held = time.perf_counter() - started
        elif stop:
            moved = _head_now() != head
        if moved:
            continue  # another writer chained meanwhile: hash this batch again on its head
        sealed += len(entries)
        if stop:
            logger.error(stop)
            break
        if len(rows) < size:
            break
        if pause:
            time.sleep(max(pause, held))
    return sealed
