"""The columnar loading path: a plain CSV file into a table on SQLite, streamed in record batches.

Issue 3 asked loading to run at half the rate of `sqlite3 .import` or better, issue 21 at 0.6×
with memory that does not grow with the file. The row path (`ingest._run`) passes every value
through Python. This path reads the file with Apache Arrow's streaming CSV reader, a record
batch (`BLOCK_BYTES` of the file) at a time; checks each column of the batch at once in compiled
code; and sends the batch as an Arrow IPC stream through a pipe to a forked process, where the
ADBC SQLite driver writes it into a load table (`zw_load_<table>`) while this process reads and
checks the next batch. Neither process ever holds more than a few batches, so memory is the
same for 100,000 rows as for 10 million (docs/benchmarks.md). The load transaction then applies
the load table: into an empty table by renaming it over it (then building the indexes), into a
table that holds rows by one `INSERT … SELECT … ON CONFLICT` with the row path's own clause
(`store.upsert_clause`, so unchanged rows keep their `_seq`) and, in replace mode,
`store.retire_missing`. The transaction is the commit point, so the load stays all-or-nothing;
a crash before it leaves only a load table that the next load drops.

It only accepts; it never reports. Anything it does not handle in exactly the row path's way
returns None and the caller takes the row path, which reads the file again and names every
error: a quoted or GB18030 file, another database, a data type it does not check (datetime,
boolean), a header problem, a value that is wrong or merely not in canonical form (a space
around it, "2024/01/31"), a duplicate key (found by the unique index `apply` builds, so no set
of keys is kept in memory). So a file it accepts is stored exactly as the row path would store
it (tests load the same files both ways and compare the tables).

Why a forked process: the ADBC driver carries its own copy of SQLite, and two copies of SQLite
with the same database file open in one process release each other's POSIX locks
(https://sqlite.org/howtocorrupt.html §2.2.1). The child has the file open alone.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import re
import traceback
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from zhengwu.catalog.models import DataType, Resource
from zhengwu.core import regions
from zhengwu.core.idnumbers import (
    CREDIT_CHARSET,
    CREDIT_WEIGHTS,
    EARLIEST_BIRTH,
    ORG_CODE_WEIGHTS,
    REGISTRATION_AUTHORITIES,
    RESIDENT_ID_CHECK,
    RESIDENT_ID_WEIGHTS,
)
from zhengwu.exchange.store.checking import CsvPlan
from zhengwu.exchange.store.models import StoreTable
from zhengwu.exchange.store.tables import (
    TableSpec,
    TableWriter,
    ensure_table,
    retire_missing,
    upsert_clause,
    utc_text,
)
from zhengwu.exchange.store.validation import ColumnSpec

if TYPE_CHECKING:
    import pyarrow as pa

logger = logging.getLogger(__name__)


CHECKED_TYPES = frozenset(
    {
        DataType.STRING,
        DataType.ENUM,
        DataType.REGION_CODE,
        DataType.CREDIT_CODE,
        DataType.RESIDENT_ID,
        DataType.DATE,
        DataType.DECIMAL,
        DataType.INTEGER,
    }
)
# RE2 patterns (Arrow's regular expressions), each the column form of a check in `validation`.
INTEGER = r"^-?[0-9]{1,19}$"
CANONICAL_DECIMAL_OR_EMPTY = r"^$|^-?(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?$"  # validation._CANONICAL_DECIMAL
DECIMAL = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$"  # validation.DECIMAL_PATTERN
# Canonical but for zeros after the point, which are dropped with the point if nothing is left.
ZEROS_AFTER_POINT = r"^-?(?:0|[1-9][0-9]*)\.[0-9]*$"
PLAIN_DECIMAL_OR_EMPTY = r"^$|^-?[0-9]+(?:\.[0-9]+)?$"  # what PostgreSQL's numeric reads as Decimal(text) does
LOAD_PREFIX = "zw_load_"
BLOCK_BYTES = 1024 * 1024  # a record batch: about 7,500 法人 rows (Arrow reads some 20 blocks ahead)
WARM_UP_BLOCKS = 4  # what `warm_up` reads: enough blocks for Arrow's reader to run on its threads
PIPE_BYTES = 1024 * 1024
# The characters str.strip() removes (all below U+3001; a test holds it): a value starting or ending
# with one would be stored stripped by the row path. Checked on the UTF-8 bytes, by encoded length.
_SPACE_CHARACTERS = [chr(code) for code in range(0x3001) if chr(code).isspace()]
# validation.CONTROL_CHARACTER: in valid UTF-8 (Arrow checks it) these code points are single
# bytes that no multi-byte character contains, and there are no surrogates.
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def utf8_valid(data: Any) -> bool:
    """Whether bytes (a buffer of at most 2 GiB) are UTF-8 as Python's strict decoder reads it
    (no surrogates, no overlong forms, nothing above U+10FFFF): Arrow's validator, several times
    faster than decoding (a test holds the two to each other)."""
    import numpy as np
    import pyarrow as pa

    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int32))
    try:
        pa.Array.from_buffers(pa.utf8(), 1, [None, offsets, pa.py_buffer(data)]).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


@dataclass
class Prepared:
    """A checked file written into a load table, waiting to be applied."""

    spec: TableSpec
    codes: list[str]  # the file's columns
    load_table: str
    table_sql: str  # the target's CREATE TABLE when the load table was made from it
    start_seq: int
    rows: int  # written into the load table
    now: str  # the rows' _updated_at
    writer: Any = None  # the writer's process, checkpointing after its commit; `discard` joins it


def _streamable(plan: CsvPlan | None, spec: TableSpec) -> bool:
    """A plain UTF-8 CSV file, large enough for the setting, every item of a type the column checks cover."""
    return (
        plan is not None
        and plan.encoding == "utf-8"
        and plan.delimiter == ","
        and plan.size - plan.data_start >= settings.ZHENGWU_LOAD_COLUMNAR_MIN_BYTES
        and all(column.data_type in CHECKED_TYPES for column in spec.columns)
    )


def warm_up() -> None:
    """Import what the path uses and build its tables once, ahead of the first load (a Huey
    worker at its start): some 0.2 s a process, a third of a 100,000-row load."""
    import numpy  # noqa: F401
    import pyarrow.compute
    import pyarrow.csv
    import pyarrow.ipc

    if connection.vendor == "sqlite":
        import adbc_driver_sqlite.dbapi  # noqa: F401
    pyarrow.compute.utf8_length(pyarrow.array(["预热"]))  # the compute functions are made at first use
    # The CSV reader over a few blocks, as a load reads them: its first multi-block read in a
    # process (Arrow's threads, its memory pool's first pages) took 0.08–0.1 s of a 100,000-row
    # load's 0.45, the next ones 0.02–0.04 (docs/benchmarks.md, issue 21).
    codes = [f"c{i}" for i in range(8)]
    rows = (",".join(["预热数据"] * len(codes)) + "\n").encode() * (WARM_UP_BLOCKS * BLOCK_BYTES // 100)
    _csv_batches(pyarrow.BufferReader(rows), codes, ",").read_all()
    _region_codes()
    _byte_tables()


def available(plan: CsvPlan | None, spec: TableSpec) -> bool:
    """Whether a file may take this path into a SQLite table (before anything is read)."""
    return (
        spec.vendor == "sqlite"
        and _streamable(plan, spec)
        and _database_file() is not None
        and "fork" in multiprocessing.get_all_start_methods()
    )


def _database_file() -> str | None:
    name = str(connection.settings_dict["NAME"])
    if name.startswith("file:") or ":memory:" in name or "mode=memory" in name:
        return None  # an in-memory database (the test suite's): no other process can reach it
    return name if Path(name).is_file() else None


class _Refused(Exception):
    """A batch holds something the row path must see (it names it): the load table is dropped."""


def prepare(
    spec: TableSpec,
    resource: Resource,
    plan: CsvPlan,
    codes: list[str],
    *,
    now: datetime,
    progress: Callable[[int, float], None] = lambda rows, fraction: None,
) -> Prepared | None:
    """Read, check and write the file into a load table, batch by batch; None when the row
    path must take it.

    Each batch's columns to store are made first (decimals rewritten, integers cast, empty cells
    made NULL, required cells checked) and sent to the forked writer; the other checks of that
    batch then run here while the writer stores it, on the other core. A value they refuse
    stops the writer and drops the load table before anything could use it."""
    table_sql, start_seq = _target(spec, resource)
    load_table = LOAD_PREFIX + spec.table
    quoted_target = re.escape(spec.quoted_table)
    load_sql, replaced = re.subn(
        rf"^CREATE TABLE (?:{quoted_target}|{re.escape(spec.table)}) ",
        f"CREATE TABLE {connection.ops.quote_name(load_table)} ",
        table_sql,
    )
    if replaced != 1:
        return None
    import adbc_driver_sqlite.dbapi  # noqa: F401 - imported once here, not by every forked writer
    import pyarrow.ipc

    stamp = utc_text(now)
    prepared = Prepared(spec, codes, load_table, table_sql, start_seq, 0, stamp)
    batches = read_batches(plan, codes)
    try:
        first = next(batches, None)
    except _Refused:
        first = None
    if first is None:  # no rows, or a row the reader refuses: the row path says so
        plan.position = plan.data_start
        return None
    receiving, sending = os.pipe()
    told, telling = os.pipe()  # the writer says "committed" on it, before it checkpoints
    _widen(sending)
    child = multiprocessing.get_context("fork").Process(
        target=_write, args=(_database_file() or "", load_table, load_sql, receiving, sending, told, telling)
    )
    child.start()
    os.close(receiving)
    os.close(telling)
    sent = 0
    with open(told, "rb", buffering=0) as committed:
        try:
            with open(sending, "wb", closefd=True) as pipe:
                writer = None
                for batch in itertools.chain([first], batches):
                    stored, checks = _stored_batch(batch, codes, spec, start_seq + sent + 1, stamp)
                    if writer is None:
                        writer = pyarrow.ipc.new_stream(pipe, stored.schema)
                    writer.write_batch(stored)
                    if not all(_accepts(present, column) for present, column in checks):
                        raise _Refused
                    sent += stored.num_rows
                    progress(sent, 0.9 * min(plan.position / max(plan.size, 1), 1.0))
                if writer is not None:
                    writer.close()
        except _Refused:
            child.kill()
            child.join()
            discard(prepared)
            plan.position = plan.data_start  # the row path reads the file again
            return None
        except OSError as error:  # the writer is gone (a broken pipe): its exit code says why
            child.join()  # the pipe is closed: a writer still running sees its end
            discard(prepared)
            if child.exitcode == 0:
                raise
            raise RuntimeError(f"the columnar writer exited with {child.exitcode}") from error
        except BaseException:
            child.kill()
            child.join()
            discard(prepared)
            raise
        finally:
            batches.close()
        written = committed.read(1) == b"1"  # nothing: the writer ended without committing
    if not written:
        child.join()
        discard(prepared)
        raise RuntimeError(f"the columnar writer exited with {child.exitcode}")
    prepared.rows = sent
    prepared.writer = child  # still copying its rows from the WAL into the database file: see `_write`
    return prepared


def _widen(descriptor: int) -> None:
    """A larger pipe buffer (1 MiB where Linux allows it): fewer hand-overs between the processes."""
    try:
        import fcntl

        fcntl.fcntl(descriptor, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except OSError:  # pragma: no cover - not Linux, or a lower /proc/sys/fs/pipe-max-size
        pass


def _stored_batch(
    batch: Any, codes: list[str], spec: TableSpec, first_seq: int, stamp: str | None
) -> tuple[Any, Checks]:
    """One batch's columns to store, with `_seq` from `first_seq` and `_updated_at` (unless
    `stamp` is None), and its checks still to run."""
    import numpy as np
    import pyarrow as pa

    converted = stored_columns(batch, codes, spec)
    if converted is None:
        raise _Refused
    columns, checks = converted
    rows = batch.num_rows
    # From the buffer: pa.array(ndarray) looks for a masked array, importing numpy.ma (a fresh process's first load)
    seq = np.arange(first_seq, first_seq + rows, dtype=np.int64)
    columns.append(pa.Array.from_buffers(pa.int64(), rows, [None, pa.py_buffer(seq)]))
    names = [*codes, "_seq"]
    if stamp is not None:
        columns.append(pa.repeat(pa.scalar(stamp, pa.string()), rows))
        names.append("_updated_at")
    return pa.record_batch(columns, names=names), checks


# --- PostgreSQL: the batches by COPY, inside the load transaction --------------------------------


def streams_to_postgresql(plan: CsvPlan | None, spec: TableSpec) -> bool:
    """Whether a file may be streamed into a PostgreSQL table by `copy_batches`."""
    return spec.vendor == "postgresql" and _streamable(plan, spec)


def copy_batches(
    writer: TableWriter, plan: CsvPlan, codes: list[str], progress: Callable[[int, float], None]
) -> int | None:
    """Stream the file into `writer` (a `TableWriter` on PostgreSQL, inside the load transaction)
    by one COPY … (FORMAT csv): each record batch checked, then written as CSV by Arrow. The
    rows written, or None when the row path must take the file: the caller rolls back to its
    savepoint. A repeated key fails the unique index `writer.finish()` builds (into an empty
    table) or the stage's (`writer.stage_keys_unique`): the caller's savepoint too."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    spec, sent = writer.spec, 0
    stamp = utc_text(writer.now) if writer.row_tail else None  # into the table itself: each row stamped
    options = pacsv.WriteOptions(include_header=False)
    batches = read_batches(plan, codes)
    try:
        with writer.copy_csv() as copy:
            for batch in batches:
                stored, checks = _stored_batch(batch, codes, spec, writer.seq + 1, stamp)
                if not all(_accepts(present, column) for present, column in checks):
                    raise _Refused
                sink = pa.BufferOutputStream()
                pacsv.write_csv(stored, sink, options)
                copy.write(memoryview(sink.getvalue()))
                writer.count(stored.num_rows)
                sent += stored.num_rows
                progress(sent, 0.9 * min(plan.position / max(plan.size, 1), 1.0))
    except _Refused:
        plan.position = plan.data_start  # the row path reads the file again
        return None
    finally:
        batches.close()
    writer.stage_keys_unique()
    return sent or None  # no rows: the row path says so


def _target(spec: TableSpec, resource: Resource) -> tuple[str, int]:
    """(CREATE TABLE of the resource's table, its last _seq)."""
    ensure_table(resource)  # a first load: the table is made here, empty, in its own transaction
    store_table = StoreTable.objects.get(resource_id=spec.resource_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [spec.table])
        row = cursor.fetchone()
    return str(row[0]), int(store_table.last_seq)


def apply(prepared: Prepared, mode: str) -> tuple[int, int] | None:
    """Inside the load transaction: put the load table's rows into the resource's table;
    (rows written, rows retired). None, with nothing changed, if a key is duplicated (the row
    path names it) or the table changed since the load table was made from it."""
    spec = prepared.spec
    store_table = StoreTable.objects.select_for_update().get(resource_id=spec.resource_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL", [spec.table])
        schema = cursor.fetchall()
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [prepared.load_table])
        loaded = cursor.fetchone() is not None
        table_sql = next((sql for kind, sql in schema if kind == "table"), None)
        if not loaded or store_table.last_seq != prepared.start_seq or table_sql != prepared.table_sql:
            return None
        cursor.execute(f"SELECT 1 FROM {spec.quoted_table} LIMIT 1")  # noqa: S608 - our identifier
        empty = cursor.fetchone() is None
        try:
            with transaction.atomic():  # a savepoint: a duplicate key undoes all of it
                if empty:
                    deleted, seq = 0, prepared.start_seq + prepared.rows
                    _swap(cursor, prepared, [sql for kind, sql in schema if kind == "index"])
                else:
                    deleted, seq = _merge(cursor, prepared, mode)
        except IntegrityError:
            return None
    StoreTable.objects.filter(pk=store_table.pk).update(last_seq=seq)
    return prepared.rows, deleted


def _swap(cursor: Any, prepared: Prepared, indexes: list[str]) -> None:
    """Into an empty table: the load table takes its place; its indexes are built once, over all the rows."""
    spec, q = prepared.spec, connection.ops.quote_name
    cursor.execute(f"DROP TABLE {spec.quoted_table}")
    cursor.execute(f"ALTER TABLE {q(prepared.load_table)} RENAME TO {spec.quoted_table}")
    for sql in indexes:
        cursor.execute(sql)


def _merge(cursor: Any, prepared: Prepared, mode: str) -> tuple[int, int]:
    """Into a table that holds rows, as the row path writes them: (rows retired, new high-water _seq)."""
    spec, q = prepared.spec, connection.ops.quote_name
    load = q(prepared.load_table)
    # Unique: a duplicate key in the file must not silently update the same row twice.
    cursor.execute(f"CREATE UNIQUE INDEX {q(prepared.load_table + '_k')} ON {load} ({q(spec.key)})")
    names = ", ".join([q(code) for code in prepared.codes] + ['"_seq"', '"_updated_at"'])
    cursor.execute(
        f"INSERT INTO {spec.quoted_table} ({names}) SELECT {names} FROM {load} WHERE true"  # noqa: S608
        + upsert_clause(spec, prepared.codes)  # (WHERE true: SQLite's parser needs it before ON CONFLICT)
    )
    seq = prepared.start_seq + prepared.rows
    if mode != "replace":
        return 0, seq
    return retire_missing(cursor, spec, keys_table=load, keys_column=q(spec.key), now=prepared.now, seq=seq)


def discard(prepared: Prepared) -> None:
    """Wait for the writer's checkpoint, and drop the load table if it was not swapped in (after
    a failure, or when the row path ran)."""
    if prepared.writer is not None:
        prepared.writer.join()
        if prepared.writer.exitcode:  # after its commit: the rows are in; only its checkpoint failed
            logger.warning("the columnar writer exited with %s after its commit", prepared.writer.exitcode)
        prepared.writer = None
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(prepared.load_table)}")


# --- reading and checking ----------------------------------------------------------------------


def read_batches(plan: CsvPlan, codes: list[str]) -> Generator[Any, None, None]:
    """The file's data rows as record batches of cell texts, about `BLOCK_BYTES` of the file
    each; raises `_Refused` on a row of the wrong width or a stray byte (the row path says where).
    `plan.position` follows the bytes read (progress)."""
    import pyarrow as pa

    with pa.OSFile(str(plan.path)) as handle:
        handle.seek(plan.data_start)
        try:
            for batch in _csv_batches(handle, codes, plan.delimiter):
                plan.position = handle.tell()
                if batch.num_rows:
                    yield batch
        except (pa.ArrowInvalid, ValueError):
            raise _Refused from None


def _csv_batches(source: Any, codes: list[str], delimiter: str) -> Any:
    """Arrow's streaming CSV reader over `source` (a file or a buffer): every cell as text, no
    quoting, no nulls, `BLOCK_BYTES` a batch (loads, and `warm_up`)."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    return pacsv.open_csv(
        source,
        read_options=pacsv.ReadOptions(column_names=codes, block_size=BLOCK_BYTES),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, quote_char=False, double_quote=False, newlines_in_values=False
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(codes, pa.string()), strings_can_be_null=False, null_values=[]
        ),
    )


Checks = list[tuple[Any, ColumnSpec]]  # (the column's non-empty values, its item) still to check


def stored_columns(table: pa.RecordBatch, codes: list[str], spec: TableSpec) -> tuple[list[Any], Checks] | None:
    """The columns to store and the checks still to run on them; None if a value is refused
    already: a required cell is empty, a decimal or an integer is wrong. The key is required,
    so it has no nulls; its uniqueness is checked by the unique index `apply` builds."""
    columns = []
    checks: Checks = []
    for code in codes:
        column = spec.column(code)
        assert column is not None
        converted = stored_column(table.column(code), column, spec.vendor)
        if converted is None:
            return None
        stored, present = converted
        columns.append(stored)
        if column.data_type not in (DataType.DECIMAL, DataType.INTEGER) and len(present):
            checks.append((present, column))  # decimals and integers were checked by converting them
    return columns, checks


def stored_column(values: Any, column: ColumnSpec, vendor: str = "sqlite") -> tuple[Any, Any] | None:
    """(the column to store, with NULL for empty cells; its non-empty values), or None. On SQLite
    a decimal is stored as its canonical text; on PostgreSQL as `numeric`, which keeps the text's
    digits as `Decimal(text)` does, so only a plain decimal goes there as it is."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if column.data_type == DataType.DECIMAL:
        if vendor == "postgresql":
            if not _all(pc.match_substring_regex(values, PLAIN_DECIMAL_OR_EMPTY)):
                return None
        else:
            values = canonical_decimals(values)
            if values is None:
                return None
    shortest = pc.min(pc.binary_length(values)).as_py()  # cheaper than comparing every value with ""
    has_empty = shortest == 0
    if has_empty and column.required:
        return None
    empty = pc.equal(values, pa.scalar("", pa.string())) if has_empty else None
    present = pc.filter(values, pc.invert(empty)) if has_empty else values
    stored = pc.if_else(empty, pa.scalar(None, pa.string()), values) if has_empty else values
    if column.data_type == DataType.INTEGER:
        if not _all(pc.match_substring_regex(present, INTEGER)):
            return None
        try:
            stored = pc.cast(stored, pa.int64())
        except pa.ArrowInvalid:
            return None  # beyond 64 bits
    return stored, present


def check_column(values: Any, column: ColumnSpec) -> Any | None:
    """One column of cell texts → the column to store, or None: both steps (for tests)."""
    converted = stored_column(values, column)
    if converted is None:
        return None
    stored, present = converted
    checked_by_converting = column.data_type in (DataType.DECIMAL, DataType.INTEGER)
    if len(present) and not checked_by_converting and not _accepts(present, column):
        return None
    return stored


def canonical_decimals(values: Any) -> Any | None:
    """Decimal texts as the row path stores them on SQLite (`validation.decimal_text`: no sign
    "+", no leading or trailing zeros, "0.5" for ".5"); "" stays "". None if a value is not a
    plain decimal."""
    import pyarrow.compute as pc

    canonical = pc.match_substring_regex(values, CANONICAL_DECIMAL_OR_EMPTY)
    if _all(canonical):
        return values
    values = values.combine_chunks() if hasattr(values, "combine_chunks") else values
    rewrite = pc.invert(canonical.combine_chunks() if hasattr(canonical, "combine_chunks") else canonical)
    rewritten = _canonical(pc.filter(values, rewrite))  # only the values that need it: the slow part
    return None if rewritten is None else pc.replace_with_mask(values, rewrite, rewritten)


def _canonical(values: Any) -> Any | None:
    import pyarrow.compute as pc

    if _all(pc.match_substring_regex(values, ZEROS_AFTER_POINT)):  # the usual case ("12.50", "3.00"): one pass
        return pc.replace_substring_regex(values, r"\.?0*$", "")
    if not _all(pc.match_substring_regex(values, DECIMAL)):
        return None
    values = pc.replace_substring_regex(values, r"^\+", "")
    values = pc.replace_substring_regex(values, r"^(-?)\.", r"\10.")  # .5 → 0.5 (RE2 reads \1, then "0.")
    values = pc.replace_substring_regex(values, r"(\.[0-9]*?)0+$", r"\1")  # 1.50 → 1.5, 2.00 → 2.
    values = pc.replace_substring_regex(values, r"\.$", "")
    values = pc.replace_substring_regex(values, r"^(-?)0+([0-9])", r"\1\2")  # 007 → 7, -00.5 → -0.5
    return values


def _any(mask: Any) -> bool:
    import pyarrow.compute as pc

    return bool(pc.any(mask).as_py())


def _all(mask: Any) -> bool:
    import pyarrow.compute as pc

    return bool(pc.all(mask, min_count=0).as_py())  # a batch's column may have no value at all


def _all_of_length(values: Any, width: int) -> bool:
    """Whether every value is `width` bytes long.

    Every Python value given to Arrow here carries its Arrow type: without one, pyarrow infers it
    and tries to import dateutil each time (not installed: a search of sys.path, 50 µs a call,
    five a record batch)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return _all(pc.equal(pc.binary_length(values), pa.scalar(width, pa.int32())))


def _accepts(values: Any, column: ColumnSpec) -> bool:
    """Every (non-empty) value of a text column passes the row path's check unchanged."""
    import pyarrow as pa
    import pyarrow.compute as pc

    data_type = column.data_type
    if data_type == DataType.STRING:
        limit = column.max_length  # a value has at least as many bytes as characters
        bytes_over = limit and pc.max(pc.binary_length(values)).as_py() > limit
        if bytes_over and pc.max(pc.utf8_length(values)).as_py() > limit:
            return False
        # The other types' checks refuse a space anywhere (patterns, charsets, exact sets).
        return not any(_control_or_edge_space(*buffers) for buffers in _utf8_buffers(values))
    if data_type == DataType.ENUM:
        enum_values = pa.array(list(column.enum_values), pa.string())
        return bool(column.enum_values) and _all(pc.is_in(values, value_set=enum_values))
    if data_type == DataType.REGION_CODE:
        return _all(pc.is_in(values, value_set=_region_codes()))
    if data_type == DataType.CREDIT_CODE:
        return credit_codes_ok(values)
    if data_type == DataType.RESIDENT_ID:
        return resident_ids_ok(values, timezone.localdate())
    if data_type == DataType.DATE:
        return iso_dates_ok(values)
    return False


@cache
def _region_codes() -> Any:
    import pyarrow as pa

    return pa.array(regions.all_codes())


def _lookup(values: dict[str, int]) -> Any:
    import numpy as np

    table = np.full(256, 255, dtype=np.uint8)
    for char, value in values.items():
        table[ord(char)] = value
    return table


@cache
def _credit_tables() -> tuple[Any, Any, Any, Any, Any]:
    """(charset index, organisation-code value and registration authority of each byte; the two
    weight vectors), made once: every record batch's check used to build them again."""
    import numpy as np

    charset = _lookup({char: index for index, char in enumerate(CREDIT_CHARSET)})
    org_value = _lookup({char: (int(char) if char.isdigit() else ord(char) - 55) for char in CREDIT_CHARSET})
    authority = _lookup(dict.fromkeys(REGISTRATION_AUTHORITIES, 1))
    weights = np.array(CREDIT_WEIGHTS, dtype=np.int32), np.array(ORG_CODE_WEIGHTS, dtype=np.int32)
    return charset, org_value, authority, *weights


def credit_codes_ok(values: Any) -> bool:
    """validation.credit_code_ok over a column: 18 ASCII characters of the charset, registration
    authority, organisation type 1–9, six digits of region, both check characters right."""
    import numpy as np

    if not _all_of_length(values, 18):
        return False  # a non-ASCII character makes the byte length differ from 18 or fails the lookups
    charset, org_value, authority, credit_weights, org_weights = _credit_tables()
    for data in _fixed_width(values, 18):
        indexes = charset[data]
        if (indexes == 255).any() or (authority[data[:, 0]] != 1).any():
            return False
        if (data[:, 1] - np.uint8(ord("1")) > 8).any():  # unsigned: a byte below "1" wraps above 8
            return False
        if (indexes[:, 2:8] > 9).any():  # the charset's first ten characters are the digits
            return False
        # int32 sums: at most 35 × 30 × 8 and 30 × 30 × 17, far from overflowing
        org_check = 11 - (org_value[data[:, 8:16]].astype(np.int32) @ org_weights) % 11
        expected16 = np.where(org_check == 10, ord("X"), np.where(org_check == 11, ord("0"), org_check + ord("0")))
        if (expected16 != data[:, 16]).any():  # 10 → X, 11 → 0
            return False
        total = indexes[:, :17].astype(np.int32) @ credit_weights
        if ((31 - total % 31) % 31 != indexes[:, 17]).any():
            return False
    return True


def _utf8_buffers(values: Any) -> Generator[tuple[Any, Any, Any], None, None]:
    """Each chunk's (UTF-8 bytes, value starts, value ends) as numpy arrays, without a copy."""
    import numpy as np

    for chunk in values.chunks if hasattr(values, "chunks") else [values]:
        if len(chunk) and chunk.buffers()[2] is not None:
            offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32, count=len(chunk) + 1, offset=chunk.offset * 4)
            yield np.frombuffer(chunk.buffers()[2], dtype=np.uint8), offsets[:-1], offsets[1:]


def _fixed_width(values: Any, width: int) -> Any:
    """The values' bytes as an (n, width) array, chunk by chunk (every value `width` bytes long)."""
    for data, starts, ends in _utf8_buffers(values):
        yield data[starts[0] : ends[-1]].reshape(-1, width)


@cache
def _byte_tables() -> tuple[Any, dict[int, tuple[Any, Any]]]:
    """(which bytes are control characters; by encoded length, which bytes start a space
    character's encoding and the encodings, each as a big-endian number)."""
    import numpy as np

    control = np.zeros(256, dtype=bool)
    control[list(_CONTROL_BYTES)] = True
    encoded = [char.encode() for char in _SPACE_CHARACTERS]
    spaces = {}
    for width in sorted({len(code) for code in encoded}):
        codes = [code for code in encoded if len(code) == width]
        leads = np.zeros(256, dtype=bool)
        leads[[code[0] for code in codes]] = True
        spaces[width] = leads, np.array(sorted(int.from_bytes(code, "big") for code in codes), dtype=np.int32)
    return control, spaces


def _control_or_edge_space(data: Any, starts: Any, ends: Any) -> bool:
    """Whether a value (of a chunk's bytes, starts and ends) holds a control character, or starts
    or ends with a space character: UTF-8 is self-synchronising, so a value's last `width` bytes
    equal to a space's encoding are that space. Only values whose byte there can start one are
    compared (Chinese text's seldom can)."""
    import numpy as np

    control, spaces = _byte_tables()
    values = data[starts[0] : ends[-1]]
    # Every control byte is below 0x20 but DEL: a minimum and one comparison look at the bytes
    # without a table lookup per byte, which only text with a byte below 0x20 still needs.
    if (values == 0x7F).any() or (values.size and values.min() < 0x20 and control[values].any()):
        return True
    lengths = ends - starts
    for width, (leads, encodings) in spaces.items():
        fits = lengths >= width
        for edge in (starts[fits], ends[fits] - width):
            at = edge[leads[data[edge]]]  # the values whose byte there can start a space
            if not len(at):
                continue
            if width == 1:
                return True  # a one-byte space
            key = data[at].astype(np.int32)
            for step in range(1, width):
                key = (key << 8) | data[at + step]
            if np.isin(key, encodings).any():
                return True
    return False


def _real_dates(year: Any, month: Any, day: Any) -> Any:
    """Elementwise: whether year-month-day is a day of the Gregorian calendar (numpy arrays)."""
    import numpy as np

    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    valid_month = (month >= 1) & (month <= 12)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    days = month_days[np.where(valid_month, month, 0)] + (leap & (month == 2))
    return valid_month & (day >= 1) & (day <= days)


def iso_dates_ok(values: Any) -> bool:
    """validation's date check over a column, in the form stored as it is: YYYY-MM-DD, a real
    date from year 1 (Python's dates start there)."""
    import numpy as np

    if not _all_of_length(values, 10):
        return False
    places = np.array([1000, 100, 10, 1], dtype=np.int32)
    for data in _fixed_width(values, 10):
        if ((data[:, 4] != ord("-")) | (data[:, 7] != ord("-"))).any():
            return False
        digits = data[:, [0, 1, 2, 3, 5, 6, 8, 9]] - np.uint8(ord("0"))  # unsigned: a byte below "0" wraps above 9
        if (digits > 9).any():
            return False
        digits = digits.astype(np.int32)
        year, month, day = digits[:, :4] @ places, digits[:, 4] * 10 + digits[:, 5], digits[:, 6] * 10 + digits[:, 7]
        if (year < 1).any() or not _real_dates(year, month, day).all():
            return False
    return True


def resident_ids_ok(values: Any, today: date) -> bool:
    """validation.resident_id_ok over a column: 17 ASCII digits and a check character (0–9, X)
    that is right, a province of GB/T 2260, a real birth date from 1900-01-01 to today."""
    import numpy as np

    if not _all_of_length(values, 18):
        return False
    provinces = np.zeros(100, dtype=bool)
    for code in regions.all_codes():
        if code.endswith("0000"):
            provinces[int(code[:2])] = True
    weights = np.array(RESIDENT_ID_WEIGHTS, dtype=np.int64)
    check = np.frombuffer(RESIDENT_ID_CHECK.encode(), dtype=np.uint8)
    earliest = EARLIEST_BIRTH.year * 10000 + EARLIEST_BIRTH.month * 100 + EARLIEST_BIRTH.day
    latest = today.year * 10000 + today.month * 100 + today.day
    for data in _fixed_width(values, 18):
        digits = data[:, :17].astype(np.int64) - ord("0")
        if ((digits < 0) | (digits > 9)).any():
            return False
        if not provinces[digits[:, 0] * 10 + digits[:, 1]].all():
            return False
        if (check[(digits @ weights) % 11] != data[:, 17]).any():
            return False  # also refuses a lowercase x, which the row path would rewrite
        year = digits[:, 6:10] @ np.array([1000, 100, 10, 1])
        month = digits[:, 10] * 10 + digits[:, 11]
        day = digits[:, 12] * 10 + digits[:, 13]
        if not _real_dates(year, month, day).all():
            return False
        born = year * 10000 + month * 100 + day
        if ((born < earliest) | (born > latest)).any():
            return False
    return True


# --- writing ---------------------------------------------------------------------------------


def _write(
    database: str, load_table: str, load_sql: str, receiving: int, sending: int, told: int, telling: int
) -> None:
    """The forked writer: the batches arriving on the pipe into the load table, one transaction.

    Its commit is reported on `telling` before the WAL is checkpointed: the loader then builds
    the indexes (and the SM3 digest runs) while this process copies the rows from the WAL into the
    database file and waits for the disk, beside them rather than before them."""
    import adbc_driver_sqlite.dbapi
    import pyarrow.ipc

    os.close(sending)  # this process's copy of the loading process's end: EOF comes when that one closes
    os.close(told)
    try:
        with (
            open(receiving, "rb", closefd=True) as pipe,
            open(telling, "wb", buffering=0) as committed,
            adbc_driver_sqlite.dbapi.connect(database) as db,
        ):
            cursor = db.cursor()
            cursor.execute("PRAGMA busy_timeout = 5000")
            cursor.execute("PRAGMA wal_autocheckpoint = 0")
            cursor.execute(f'DROP TABLE IF EXISTS "{load_table}"')  # left by a load that crashed
            cursor.execute(load_sql)
            cursor.adbc_ingest(load_table, pyarrow.ipc.open_stream(pipe), mode="append")
            db.commit()
            committed.write(b"1")
            committed.close()
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")  # readers and the loader's writes go on meanwhile
            cursor.fetchall()
            cursor.close()
    except BaseException:
        traceback.print_exc()
        raise
