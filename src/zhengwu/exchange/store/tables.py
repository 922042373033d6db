"""The data store: one real table per published structured resource (基础库 and department data).

Table `xd_<resource id>` has one typed column per data item (named by the item code, checked
against `CODE_PATTERN` and quoted by the database backend), a unique indexed key column (the
resource's `key_item`) and four bookkeeping columns:

- `_seq`        change sequence number, unique and increasing; the change feed's cursor
- `_updated_at` when the row last changed
- `_deleted`    tombstone: a row removed by a full replacement stays, so the feed can say so
- `_disputed`   a consumer reported the record wrong (纠错) and it is not yet resolved

Public API (the sharing/query code relies on these names): `ensure_table`, `get_record`,
`find_records`, `changes_since`, `set_disputed`, `count_records`; loading uses `TableWriter`.
All SQL is parameterised; identifiers are validated, then quoted by `connection.ops.quote_name`.
Values come back typed (int, Decimal, date, aware datetime, bool, str) on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cached_property
from itertools import repeat
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from zhengwu.catalog.models import DataType, FormatClass, Resource
from zhengwu.core import rawsql
from zhengwu.core.errors import ApplicationError
from zhengwu.exchange.errors import ExchangeError
from zhengwu.exchange.store.models import StoreTable
from zhengwu.exchange.store.validation import (
    BatchConverter,
    ColumnSpec,
    Converter,
    Invalid,
    compile_batch_converter,
    compile_converter,
    decimal_text,
)

STRUCTURED_FORMATS = frozenset(
    {FormatClass.DATABASE, FormatClass.SPREADSHEET, FormatClass.SELF_DESCRIBING, FormatClass.SERVICE}
)
CODE_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,59}")
META_COLUMNS = ("_seq", "_updated_at", "_deleted", "_disputed")
BATCH_SIZE = 5000
LOAD_CACHE_KIB = 128 * 1024  # SQLite page cache while loading (PRAGMA cache_size, in KiB)
MAX_PAGE = 1000

_PG_TYPES: dict[str, str] = {
    DataType.INTEGER: "bigint",
    DataType.DECIMAL: "numeric",
    DataType.DATE: "date",
    DataType.DATETIME: "timestamp with time zone",
    DataType.BOOLEAN: "boolean",
}
_SQLITE_TYPES: dict[str, str] = {DataType.INTEGER: "integer", DataType.BOOLEAN: "integer"}


def _schema_error(message: str, field: str = "items") -> ApplicationError:
    return ApplicationError(ExchangeError.INVALID_SCHEMA, message, {field: message})


def _vendor() -> str:
    # The default connection's wrapper looked up once (`connection.vendor` looks it up again on
    # every attribute through the proxy): this is on the path of every keyed lookup (issue 21).
    vendor = connections[DEFAULT_DB_ALIAS].vendor
    if vendor not in ("sqlite", "postgresql"):  # pragma: no cover - settings allow only these two
        raise _schema_error(f"数据存储不支持数据库 {vendor}。", "database")
    return vendor


def table_name_for(resource: Resource) -> str:
    return f"xd_{int(resource.pk)}"


def column_type(data_type: str, vendor: str) -> str:
    if vendor == "postgresql":
        return _PG_TYPES.get(data_type, "text")
    return _SQLITE_TYPES.get(data_type, "text")


# --- conversions between Python values and what each database stores -------------------------


def utc_text(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _to_db(data_type: str, vendor: str) -> Callable[[Any], Any] | None:
    if vendor != "sqlite":
        return None
    if data_type == DataType.DECIMAL:
        return decimal_text
    if data_type == DataType.DATE:
        return date.isoformat
    if data_type == DataType.DATETIME:
        return utc_text
    return None


def _from_db(data_type: str, vendor: str) -> Callable[[Any], Any] | None:
    if vendor != "sqlite":
        return None
    readers: dict[str, Callable[[Any], Any]] = {
        DataType.DECIMAL: Decimal,
        DataType.DATE: date.fromisoformat,
        DataType.DATETIME: datetime.fromisoformat,
        DataType.BOOLEAN: bool,
    }
    return readers.get(data_type)


def _meta_from_db(vendor: str) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """(updated_at, flag) converters."""
    if vendor == "sqlite":
        return datetime.fromisoformat, bool
    return (lambda value: value), (lambda value: value)


def _compose(convert: Converter, to_db: Callable[[Any], Any] | None) -> Converter:
    if to_db is None:
        return convert

    def composed(raw: str) -> Any:
        value = convert(raw)
        if value is None or type(value) is Invalid:
            return value
        return to_db(value)

    return composed


# --- the table's description -----------------------------------------------------------------


@dataclass(frozen=True)
class TableSpec:
    resource_id: int
    table: str
    quoted_table: str
    key: str
    columns: tuple[ColumnSpec, ...]
    vendor: str

    def __hash__(self) -> int:
        # The dataclass's hash, computed once: a spec keys the per-table caches of every read, and
        # hashing it with its columns (Python's __hash__ nine times, twice a call) was 7 % of a
        # keyed lookup's instructions (docs/benchmarks.md, issue 21).
        found: int | None = self.__dict__.get("_hash")
        if found is None:
            found = hash((self.resource_id, self.table, self.quoted_table, self.key, self.columns, self.vendor))
            object.__setattr__(self, "_hash", found)
        return found

    def __getstate__(self) -> dict[str, Any]:
        # Not the kept hash: a string's hash is salted per interpreter.
        return {name: value for name, value in self.__dict__.items() if name != "_hash"}

    @cached_property
    def codes(self) -> tuple[str, ...]:
        # Built once (a spec is cached per resource version): each read asks for it.
        return tuple(column.code for column in self.columns)

    def column(self, code: str) -> ColumnSpec | None:
        for column in self.columns:
            if column.code == code:
                return column
        return None

    def q(self, code: str) -> str:
        return connection.ops.quote_name(code)

    def db_converter(self, code: str) -> Converter:
        """Cell text → the value to bind for this column (or None / Invalid)."""
        column = self.column(code)
        assert column is not None
        return _compose(compile_converter(column), _to_db(column.data_type, self.vendor))

    def batch_converter(self, code: str) -> BatchConverter:
        """A column of cell texts → the values to bind, or None (use `db_converter` per cell)."""
        column = self.column(code)
        assert column is not None
        return compile_batch_converter(column, text_storage=self.vendor == "sqlite")

    def from_db(self, code: str) -> Callable[[Any], Any] | None:
        column = self.column(code)
        assert column is not None
        return _from_db(column.data_type, self.vendor)


_spec_cache: dict[tuple[Any, ...], TableSpec] = {}


def table_spec(resource: Resource) -> TableSpec:
    """The validated column layout of a resource's table (cached per resource version)."""
    vendor = _vendor()
    # The alias of `connection` (the default's proxy), without asking the proxy on every read.
    cache_key = (DEFAULT_DB_ALIAS, vendor, resource.pk, resource.version, resource.updated_at)
    cached = _spec_cache.get(cache_key)
    if cached is not None:
        return cached
    if resource.format_class not in STRUCTURED_FORMATS:
        raise ApplicationError(
            ExchangeError.NOT_STRUCTURED,
            f"资源“{resource.name}”的格式为{resource.get_format_class_display()}，不是结构化数据，没有数据表。",
        )
    items = list(resource.items.order_by("position"))
    if not items:
        raise _schema_error(f"资源“{resource.name}”没有信息项。")
    seen: dict[str, str] = {}
    for item in items:
        if not CODE_PATTERN.fullmatch(item.code or ""):
            raise _schema_error(
                f"信息项“{item.name}”的编码“{item.code}”不能作列名："
                "应以字母开头，只含字母、数字和下划线，不超过 60 个字符。"
            )
        lowered = item.code.lower()
        if lowered in seen:
            raise _schema_error(f"信息项编码“{item.code}”与“{seen[lowered]}”仅大小写不同，不能作为两列。")
        seen[lowered] = item.code
        if item.data_type not in DataType.values:
            raise _schema_error(f"信息项“{item.name}”的数据类型“{item.data_type}”无效。")
    key = resource.key_item
    if not key or key not in {item.code for item in items}:
        raise _schema_error(f"资源“{resource.name}”未指定有效的主键信息项（key_item）。", "key_item")
    columns = tuple(ColumnSpec.from_item(item, is_key=item.code == key) for item in items)
    table = table_name_for(resource)
    spec = TableSpec(
        resource_id=int(resource.pk),
        table=table,
        quoted_table=connection.ops.quote_name(table),
        key=key,
        columns=columns,
        vendor=vendor,
    )
    if len(_spec_cache) > 1000:
        _spec_cache.clear()
    _spec_cache[cache_key] = spec
    return spec


def _meta_ddl(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            '"_seq" bigint NOT NULL',
            '"_updated_at" timestamp with time zone NOT NULL',
            '"_deleted" boolean NOT NULL DEFAULT false',
            '"_disputed" boolean NOT NULL DEFAULT false',
        ]
    return [
        '"_seq" integer NOT NULL',
        '"_updated_at" text NOT NULL',
        '"_deleted" integer NOT NULL DEFAULT 0',
        '"_disputed" integer NOT NULL DEFAULT 0',
    ]


def ensure_table(resource: Resource) -> str:
    """Create the resource's table, or add the columns of new data items; return its name.

    A data item whose type changed, or a changed key item, is refused: the data already loaded
    would no longer fit (withdraw the resource and publish it under a new code instead).
    """
    spec = table_spec(resource)
    q = connection.ops.quote_name
    with transaction.atomic():
        existing = StoreTable.objects.select_for_update().filter(resource=resource).first()
        wanted = {column.code: column.data_type for column in spec.columns}
        with connection.cursor() as cursor:
            if existing is None:
                definitions = []
                for column in spec.columns:
                    not_null = " NOT NULL" if column.code == spec.key else ""
                    definitions.append(f"{q(column.code)} {column_type(column.data_type, spec.vendor)}{not_null}")
                definitions += _meta_ddl(spec.vendor)
                cursor.execute(f"CREATE TABLE IF NOT EXISTS {spec.quoted_table} ({', '.join(definitions)})")
                cursor.execute(
                    f"CREATE UNIQUE INDEX IF NOT EXISTS {q(spec.table + '_key')} ON {spec.quoted_table} ({q(spec.key)})"
                )
                cursor.execute(
                    f'CREATE UNIQUE INDEX IF NOT EXISTS {q(spec.table + "_seq")} ON {spec.quoted_table} ("_seq")'
                )
                StoreTable.objects.create(resource=resource, table_name=spec.table, key_column=spec.key, columns=wanted)
                sync_indexes(resource)
                return spec.table
            if existing.key_column != spec.key:
                raise _schema_error(
                    f"资源已有数据表，主键信息项为“{existing.key_column}”，不能改为“{spec.key}”。", "key_item"
                )
            columns = dict(existing.columns)
            changed = False
            for code, data_type in wanted.items():
                if code in columns:
                    if column_type(columns[code], spec.vendor) != column_type(data_type, spec.vendor) or (
                        columns[code] != data_type and DataType.DECIMAL in (columns[code], data_type)
                    ):
                        raise _schema_error(
                            f"信息项“{code}”的数据类型由 {columns[code]} 改为 {data_type}，数据表不能随之改变。"
                        )
                    if columns[code] != data_type:
                        columns[code] = data_type
                        changed = True
                    continue
                cursor.execute(
                    f"ALTER TABLE {spec.quoted_table} ADD COLUMN {q(code)} {column_type(data_type, spec.vendor)}"
                )
                columns[code] = data_type
                changed = True
            if changed:
                existing.columns = columns
                existing.save(update_fields=["columns", "updated_at"])
    return spec.table


# --- the indexes of queryable items (docs/rules.md, 可查询数据项) ----------------------------------

INDEX_MARK = "_q_"  # an index of queryable items is named <table>_q_<codes or digest>


def declared_indexes(resource: Resource) -> list[tuple[str, ...]]:
    """The indexes the catalog declares for the resource: one per queryable item but the key
    (its unique index serves), one per combination; each as the codes it leads with."""
    key = resource.key_item
    codes = [code for code in resource.items.filter(queryable=True).order_by("position").values_list("code", flat=True)]
    wanted: list[tuple[str, ...]] = [(code,) for code in codes if code != key]
    for combination in resource.query_combinations or []:
        columns = tuple(str(code) for code in combination)
        if columns and columns not in wanted and set(columns) <= set(codes):
            wanted.append(columns)
    return wanted


def index_name(spec: TableSpec, columns: Sequence[str]) -> str:
    """`xd_7_q_region_code`, `xd_7_q_region_code__org_name`; a digest when that is too long
    for an identifier (63 bytes on PostgreSQL)."""
    readable = spec.table + INDEX_MARK + "__".join(columns)
    if len(readable) <= 63:
        return readable
    return spec.table + INDEX_MARK + hashlib.sha256(",".join(columns).encode()).hexdigest()[:16]


def _existing_indexes(cursor: Any, spec: TableSpec) -> set[str]:
    if spec.vendor == "postgresql":
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s AND schemaname = current_schema()", [spec.table]
        )
    else:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s", [spec.table])
    prefix = spec.table + INDEX_MARK
    return {str(row[0]) for row in cursor.fetchall() if str(row[0]).startswith(prefix)}


def drop_query_indexes(cursor: Any, spec: TableSpec) -> None:
    """Before rows go into an empty table: they are built once, over all rows, by `sync_indexes`."""
    for name in _existing_indexes(cursor, spec):
        cursor.execute(f"DROP INDEX IF EXISTS {spec.q(name)}")


def sync_indexes(resource: Resource, cursor: Any = None) -> tuple[list[str], list[str]]:
    """Make the table's indexes of queryable items those the catalog declares: each on
    (items…, key), so a filter's keyset page (`WHERE item = ? AND key > ? ORDER BY key LIMIT n`)
    reads only the rows it returns. Records what is built in `StoreTable.query_indexes`.
    Returns (indexes created, indexes dropped). Call inside the load transaction, or alone."""
    spec = table_spec(resource)
    wanted = [columns for columns in declared_indexes(resource) if all(spec.column(c) for c in columns)]
    names = {index_name(spec, columns): columns for columns in wanted}
    own_cursor = cursor is None
    cursor = cursor or connection.cursor()
    try:
        with transaction.atomic():
            existing = _existing_indexes(cursor, spec)
            dropped = sorted(existing - set(names))
            for name in dropped:
                cursor.execute(f"DROP INDEX IF EXISTS {spec.q(name)}")
            created = []
            for name, columns in names.items():
                if name not in existing:
                    listed = ", ".join(spec.q(code) for code in (*columns, spec.key))
                    cursor.execute(f"CREATE INDEX IF NOT EXISTS {spec.q(name)} ON {spec.quoted_table} ({listed})")
                    created.append(name)
            StoreTable.objects.filter(resource_id=resource.pk).update(query_indexes=[list(c) for c in wanted])
    finally:
        if own_cursor:
            cursor.close()
    return created, dropped


def indexes_stale(resource: Resource) -> bool:
    """True when the resource has a table whose indexes of queryable items are not those declared."""
    built = StoreTable.objects.filter(resource_id=resource.pk).values_list("query_indexes", flat=True).first()
    return built is not None and built != [list(c) for c in declared_indexes(resource)]


def queryable_codes(resource: Resource) -> frozenset[str]:
    """The items a filter may use: the key, and each queryable item whose index is built."""
    cache_key = (DEFAULT_DB_ALIAS, resource.pk, resource.version, resource.updated_at)
    found = _queryable_cache.get(cache_key)
    if found is not None:
        return found
    built = StoreTable.objects.filter(resource_id=resource.pk).values_list("query_indexes", flat=True).first() or []
    declared = declared_indexes(resource)
    codes = frozenset({resource.key_item, *(c[0] for c in built if len(c) == 1 and tuple(c) in declared)})
    if all(list(columns) in built for columns in declared):  # all built: it holds until the next version
        if len(_queryable_cache) > 1000:
            _queryable_cache.clear()
        _queryable_cache[cache_key] = codes
    return codes


_queryable_cache: dict[tuple[Any, ...], frozenset[str]] = {}
_tables_seen: set[tuple[Any, ...]] = set()


def _table_exists(resource: Resource) -> bool:
    """True when the resource has a table with a column for each current item (a new published
    version's items are added here if no load has done it yet). A positive answer is remembered
    per process for this version of the resource (tables are never dropped)."""
    seen_key = (DEFAULT_DB_ALIAS, resource.pk, resource.version, resource.updated_at)
    if seen_key in _tables_seen:
        return True
    columns = StoreTable.objects.filter(resource_id=resource.pk).values_list("columns", flat=True).first()
    if columns is None:
        return False
    if not set(table_spec(resource).codes) <= set(columns):
        ensure_table(resource)
    if len(_tables_seen) > 1000:
        _tables_seen.clear()
    _tables_seen.add(seen_key)
    return True


# --- reading ---------------------------------------------------------------------------------


def _select_list(spec: TableSpec) -> str:
    return ", ".join(spec.q(code) for code in spec.codes)


def _row_reader(spec: TableSpec) -> Callable[[Sequence[Any]], dict[str, Any]]:
    """Builds dicts from rows of `SELECT <codes>, _seq, _updated_at, _deleted, _disputed`."""
    codes = spec.codes
    converters = [spec.from_db(code) for code in codes]
    updated_from, flag_from = _meta_from_db(spec.vendor)
    width = len(codes)

    def read(row: Sequence[Any]) -> dict[str, Any]:
        record: dict[str, Any] = {}
        for index in range(width):
            value = row[index]
            convert = converters[index]
            record[codes[index]] = convert(value) if (convert is not None and value is not None) else value
        record["_seq"] = row[width]
        record["_updated_at"] = updated_from(row[width + 1])
        record["_deleted"] = flag_from(row[width + 2])
        record["_disputed"] = flag_from(row[width + 3])
        return record

    return read


_readers: dict[TableSpec, Callable[[Sequence[Any]], dict[str, Any]]] = {}


def _reader(spec: TableSpec) -> Callable[[Sequence[Any]], dict[str, Any]]:
    """`_row_reader(spec)`, built once per TableSpec."""
    found = _readers.get(spec)
    if found is None:
        if len(_readers) > 1000:
            _readers.clear()
        found = _readers[spec] = _row_reader(spec)
    return found


@dataclass(frozen=True)
class _Lookup:
    """What a keyed read of one table needs, built once per TableSpec."""

    sql: str
    key_converter: Converter
    read: Callable[[Sequence[Any]], dict[str, Any]]


_lookups: dict[TableSpec, _Lookup] = {}


def _lookup(spec: TableSpec) -> _Lookup:
    found = _lookups.get(spec)
    if found is None:
        found = _Lookup(
            sql=(
                f'SELECT {_select_list(spec)}, "_seq", "_updated_at", "_deleted", "_disputed" '  # noqa: S608
                f'FROM {spec.quoted_table} WHERE {spec.q(spec.key)} = %s AND "_deleted" = %s'
            ),
            key_converter=spec.db_converter(spec.key),
            read=_row_reader(spec),
        )
        if len(_lookups) > 1000:
            _lookups.clear()
        _lookups[spec] = found
    return found


def _key_param(spec: TableSpec, key: str) -> Any:
    value = _lookup(spec).key_converter(str(key))
    if value is None or type(value) is Invalid:
        return None
    return value


def get_record(resource: Resource, key: str) -> dict[str, Any] | None:
    """The live record with this key (item codes → typed values, plus `_disputed`,
    `_updated_at`, `_seq`), or None when there is none (or no table yet)."""
    return get_record_with(resource, key)[0]


_with_sql: dict[tuple[str, str], str] = {}


def get_record_with(
    resource: Resource, key: str, scalars: str = "", params: Sequence[Any] = ()
) -> tuple[dict[str, Any] | None, tuple[Any, ...]]:
    """`get_record`, and in the same statement the values of `scalars` (scalar subqueries
    separated by commas, `%s` placeholders filled from `params`): (record, their values), or
    (None, ()) when there is no such record."""
    spec = table_spec(resource)
    param = _key_param(spec, key)
    if param is None or not _table_exists(resource):
        return None, ()
    lookup = _lookup(spec)
    row = rawsql.fetch_one(_with_scalars(lookup.sql, scalars), [*params, param, False])
    if row is None:
        return None, ()
    record = lookup.read(row)
    del record["_deleted"]
    return record, tuple(row[len(spec.codes) + 4 :])


def search_sql(resource: Resource, filters: dict[str, str], *, after: str | None, limit: int) -> tuple[str, list[Any]]:
    """The statement of `find_records` and its parameters (tests read its query plan)."""
    spec = table_spec(resource)
    where = ['"_deleted" = %s']
    params: list[Any] = [False]
    for code, raw in filters.items():
        if spec.column(code) is None:
            raise ApplicationError(
                ExchangeError.INVALID_FILTER, f"没有信息项“{code}”，不能按其查询。", {code: "未知信息项"}
            )
        value = spec.db_converter(code)(str(raw))
        if type(value) is Invalid and value.message == "必填项为空":
            value = None
        if type(value) is Invalid:
            raise ApplicationError(
                ExchangeError.INVALID_FILTER, f"查询条件 {code} 的值有误：{value.message}。", {code: value.message}
            )
        if value is None:
            where.append(f"{spec.q(code)} IS NULL")
        else:
            where.append(f"{spec.q(code)} = %s")
            params.append(value)
    if after is not None and after != "":
        cursor_value = _key_param(spec, after)
        if cursor_value is None:
            raise ApplicationError(ExchangeError.INVALID_FILTER, "分页游标无效。", {"after": "分页游标无效"})
        where.append(f"{spec.q(spec.key)} > %s")
        params.append(cursor_value)
    params.append(limit + 1)
    sql = (
        f'SELECT {_select_list(spec)}, "_seq", "_updated_at", "_deleted", "_disputed" FROM {spec.quoted_table} '  # noqa: S608
        f"WHERE {' AND '.join(where)} ORDER BY {spec.q(spec.key)} LIMIT %s"
    )
    return sql, params


def find_records(
    resource: Resource, filters: dict[str, str], *, after: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """Live records matching every `code = value` filter, ordered by key; keyset pages.

    Returns the records and the cursor for the next page (the last key, as text) or None.
    A filter on an unknown item or with a value its type refuses is an `INVALID_FILTER` error.
    Any item may be filtered here: the query API lets through only queryable ones
    (`sharing.query.check_filter`), whose index on (item, key) serves this statement.
    """
    return find_records_with(resource, filters, after=after, limit=limit)[0]


def _with_scalars(sql: str, scalars: str) -> str:
    """`sql` (a SELECT of a table's columns) with `scalars` added to its select list."""
    if not scalars:
        return sql
    found = _with_sql.get((sql, scalars))
    if found is None:
        found = sql.replace(" FROM ", f", {scalars} FROM ", 1)
        if len(_with_sql) > 1000:
            _with_sql.clear()
        _with_sql[(sql, scalars)] = found
    return found


def find_records_with(
    resource: Resource,
    filters: dict[str, str],
    *,
    after: str | None,
    limit: int,
    scalars: str = "",
    params: Sequence[Any] = (),
) -> tuple[tuple[list[dict[str, Any]], str | None], tuple[Any, ...]]:
    """`find_records`, and in the same statement the values of `scalars` (as `get_record_with`):
    ((records, next cursor), their values), or their values () when no record matched."""
    spec = table_spec(resource)
    limit = max(1, min(int(limit), MAX_PAGE))
    sql, where_params = search_sql(resource, filters, after=after, limit=limit)
    if not _table_exists(resource):
        return ([], None), ()
    rows = rawsql.fetch_all(_with_scalars(sql, scalars), [*params, *where_params])
    width = len(spec.codes) + 4
    read = _reader(spec)
    records = [read(row) for row in rows[:limit]]
    for record in records:
        del record["_deleted"]
    next_after = str(records[-1][spec.key]) if len(rows) > limit else None
    return (records, next_after), (tuple(rows[0][width:]) if rows else ())


def changes_since(resource: Resource, since: int, *, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Changes after sequence number `since`, oldest first: each row has `_op` ("upsert" with all
    values, or "delete" with the key only), `_seq`, `_updated_at`, `_disputed`. Returns the rows
    and the cursor for the next call (the last `_seq`, or `since` when nothing is new)."""
    return changes_since_with(resource, since, limit=limit)[0]


def changes_since_with(
    resource: Resource, since: int, *, limit: int, scalars: str = "", params: Sequence[Any] = ()
) -> tuple[tuple[list[dict[str, Any]], int], tuple[Any, ...]]:
    """`changes_since`, and in the same statement the values of `scalars` (as `get_record_with`):
    ((changes, next cursor), their values), or their values () when there was no change."""
    spec = table_spec(resource)
    limit = max(1, min(int(limit), MAX_PAGE))
    if not _table_exists(resource):
        return ([], int(since)), ()
    sql = (
        f'SELECT {_select_list(spec)}, "_seq", "_updated_at", "_deleted", "_disputed" FROM {spec.quoted_table} '  # noqa: S608
        f'WHERE "_seq" > %s ORDER BY "_seq" LIMIT %s'
    )
    rows = rawsql.fetch_all(_with_scalars(sql, scalars), [*params, int(since), limit])
    read = _reader(spec)
    changes: list[dict[str, Any]] = []
    for row in rows:
        record = read(row)
        if record.pop("_deleted"):
            record = {
                spec.key: record[spec.key],
                "_seq": record["_seq"],
                "_updated_at": record["_updated_at"],
                "_disputed": record["_disputed"],
                "_op": "delete",
            }
        else:
            record["_op"] = "upsert"
        changes.append(record)
    width = len(spec.codes) + 4
    return (changes, (changes[-1]["_seq"] if changes else int(since))), (tuple(rows[0][width:]) if rows else ())


def count_records(resource: Resource) -> int:
    """How many live (not deleted) records the resource holds."""
    spec = table_spec(resource)
    if not _table_exists(resource):
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COUNT(*) FROM {spec.quoted_table} WHERE "_deleted" = %s', [False])  # noqa: S608
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def count_matching(resource: Resource, code: str, values: Sequence[str]) -> int:
    """How many live records have item `code` equal to one of `values` (a count, never the rows)."""
    spec = table_spec(resource)
    if spec.column(code) is None:
        raise ApplicationError(
            ExchangeError.INVALID_FILTER, f"没有信息项“{code}”，不能按其统计。", {code: "未知信息项"}
        )
    convert = spec.db_converter(code)
    params: list[Any] = [False]
    for raw in values:
        value = convert(str(raw))
        if type(value) is Invalid or value is None:
            raise ApplicationError(ExchangeError.INVALID_FILTER, f"统计条件 {code} 的值有误。", {code: "值有误"})
        params.append(value)
    if len(params) == 1 or not _table_exists(resource):
        return 0
    marks = ", ".join(["%s"] * (len(params) - 1))
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT COUNT(*) FROM {spec.quoted_table} WHERE "_deleted" = %s AND {spec.q(code)} IN ({marks})',  # noqa: S608
            params,
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def set_disputed(resource: Resource, key: str, disputed: bool) -> None:
    """Mark a live record disputed (纠错 open) or not; a change the feed reports."""
    spec = table_spec(resource)
    param = _key_param(spec, key)
    not_found = ApplicationError(ExchangeError.RECORD_NOT_FOUND, "记录不存在。", {"key": "记录不存在"})
    if param is None:
        raise not_found
    with transaction.atomic():
        table = StoreTable.objects.select_for_update().filter(resource_id=resource.pk).first()
        if table is None:
            raise not_found
        seq = table.last_seq + 1
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(
                f'UPDATE {spec.quoted_table} SET "_disputed" = %s, "_seq" = %s, "_updated_at" = %s '  # noqa: S608
                f'WHERE {spec.q(spec.key)} = %s AND "_deleted" = %s',
                [bool(disputed), seq, utc_text(now) if spec.vendor == "sqlite" else now, param, False],
            )
            if cursor.rowcount == 0:
                raise not_found
        StoreTable.objects.filter(pk=table.pk).update(last_seq=seq)


# --- writing ---------------------------------------------------------------------------------


def upsert_clause(spec: TableSpec, columns: Sequence[str]) -> str:
    """ON CONFLICT for writing rows into a table that holds rows: by key, the given columns,
    `_seq` and `_updated_at` from the new row, and `_deleted` cleared. Only a row that changes
    (or comes back) is written, so only it gets a new _seq and appears in the change feed; an
    unchanged row keeps its _seq and _updated_at."""
    q, table, sqlite = spec.q, spec.quoted_table, spec.vendor == "sqlite"
    values_columns = [code for code in columns if code != spec.key]
    updates = [f"{q(code)} = excluded.{q(code)}" for code in values_columns]
    updates += ['"_seq" = excluded."_seq"', '"_updated_at" = excluded."_updated_at"']
    updates.append('"_deleted" = ' + ("0" if sqlite else "false"))
    differs = "IS NOT" if sqlite else "IS DISTINCT FROM"
    changed = [f"{table}.{q(code)} {differs} excluded.{q(code)}" for code in values_columns]
    changed.append(f'{table}."_deleted" = ' + ("1" if sqlite else "true"))
    return f" ON CONFLICT ({q(spec.key)}) DO UPDATE SET {', '.join(updates)} WHERE {' OR '.join(changed)}"


def retire_missing(
    cursor: Any, spec: TableSpec, *, keys_table: str, keys_column: str, now: Any, seq: int
) -> tuple[int, int]:
    """Replace mode: mark deleted the live rows whose key is not in `keys_table`; (rows retired,
    the new high-water _seq). They were not written, so their _seq is ≤ the load's start:
    shifting it by the load's high-water mark `seq` keeps every _seq unique and puts the
    deletions after this load's writes in the feed."""
    table, key = spec.quoted_table, spec.q(spec.key)
    # Every key of the load is live now (written, or unchanged and live), and `keys_table` holds
    # each once (a load with a duplicate key is refused), so when there are as many live rows as
    # keys loaded none is missing: the daily refresh of the same rows skips the anti-join over
    # the whole table (1.9 s for a million rows, docs/benchmarks.md).
    live = f'SELECT count(*) FROM {table} WHERE "_deleted" = %s'  # noqa: S608
    cursor.execute(f"SELECT ({live}) = (SELECT count(*) FROM {keys_table})", [False])  # noqa: S608
    row = cursor.fetchone()
    if row and row[0]:
        return 0, seq
    cursor.execute(
        f'UPDATE {table} SET "_deleted" = %s, "_updated_at" = %s, "_seq" = "_seq" + %s '  # noqa: S608
        f'WHERE "_deleted" = %s AND NOT EXISTS (SELECT 1 FROM {keys_table} k WHERE k.{keys_column} = {table}.{key})',
        [True, now, seq, False],
    )
    deleted = max(cursor.rowcount, 0)
    if deleted:
        cursor.execute(f'SELECT MAX("_seq") FROM {table}')  # noqa: S608
        row = cursor.fetchone()
        seq = int(row[0]) if row and row[0] is not None else seq
    return deleted, seq


class TableWriter:
    """Writes validated rows into a resource's table; use inside `transaction.atomic()` and as a
    context manager (`with TableWriter(...) as writer:`).

    `columns` are the item codes present in the input, in the order of each row's values (the
    values are what `TableSpec.db_converter` / `batch_converter` return). Mode "replace":
    afterwards the table holds exactly the rows written (rows not written become tombstones);
    "upsert": rows are inserted or updated by key, and columns absent from the input keep their
    values.

    Rows go to the database as they are made (a zip over the columns, never a list of tuples:
    1.9 → 1.5 s for a million rows on SQLite). On SQLite by `executemany`; on PostgreSQL by COPY
    (seven times faster), into the table itself when it is empty, else into a temporary stage
    that one INSERT … ON CONFLICT merges at the end. Writing from a helper thread was measured
    and did not help: the GIL is held while rows are bound. Into an empty table the rows go
    without indexes, which are built once at the end. Figures: docs/benchmarks.md.
    """

    def __init__(self, resource: Resource, *, mode: str, columns: Sequence[str]) -> None:
        if not connection.in_atomic_block:
            raise RuntimeError("TableWriter must run inside transaction.atomic()")
        ensure_table(resource)
        self.resource = resource
        self.spec = table_spec(resource)
        self.mode = mode
        self.table = StoreTable.objects.select_for_update().get(resource_id=resource.pk)
        self.start_seq = self.table.last_seq
        self.seq = self.table.last_seq
        now = timezone.now()
        self.now: Any = utc_text(now) if self.spec.vendor == "sqlite" else now
        self.written = 0
        self.deleted = 0
        self.keys_table = ""  # replace into a non-empty table: where this load's keys are
        self.keys_column = "k"
        self.keys_sql = ""
        self.key_position = list(columns).index(self.spec.key) if self.spec.key in columns else 0
        self.copy_sql = ""  # PostgreSQL: rows go by COPY, into the table or into a stage
        self.row_tail: tuple[Any, ...] = ()  # COPY into the table itself: each row carries _updated_at
        self.merge_sql = ""  # PostgreSQL, non-empty table: the stage merged into the table at the end
        self.stage = ""  # PostgreSQL, non-empty table: the temporary table the rows are copied into
        self.temporary: list[str] = []  # dropped by finish()
        self.cursor = connection.cursor()
        q = self.spec.q
        table = self.spec.quoted_table
        sqlite = self.spec.vendor == "sqlite"
        names = ", ".join([q(code) for code in columns] + ['"_seq"'])
        # The timestamp is ours (ISO 8601 text), so it can be a literal: one parameter less per row.
        stamp = f"'{utc_text(now)}'" if sqlite else f"'{utc_text(now)}'::timestamptz"
        self.cursor.execute(f"SELECT 1 FROM {table} LIMIT 1")  # noqa: S608
        self.empty = self.cursor.fetchone() is None
        conflict = ""
        if self.empty:
            for suffix in ("_key", "_seq"):
                self.cursor.execute(f"DROP INDEX IF EXISTS {q(self.spec.table + suffix)}")
            drop_query_indexes(self.cursor, self.spec)
        else:
            conflict = upsert_clause(self.spec, columns)
        if sqlite:
            marks = ", ".join(["?"] * (len(columns) + 1))
            self.sql = f'INSERT INTO {table} ({names}, "_updated_at") VALUES ({marks}, {stamp}){conflict}'  # noqa: S608
            if mode == "replace" and not self.empty:
                # The keys of this load, to retire the rows it does not contain at the end (an
                # unchanged row keeps its old _seq, so the _seq alone no longer tells).
                self.keys_table = self._temporary_table("zw_loaded", f"{q(self.spec.key)} AS k")
                self.cursor.execute(
                    f"CREATE UNIQUE INDEX {q(f'zw_loaded_{self.spec.table}_k')} ON {self.keys_table} (k)"
                )
                self.keys_sql = f"INSERT INTO {self.keys_table} (k) VALUES (?) ON CONFLICT (k) DO NOTHING"  # noqa: S608
            self.cursor.execute("PRAGMA cache_size")
            row = self.cursor.fetchone()
            self.cache_size = row[0] if row else -2000
            self.cursor.execute(f"PRAGMA cache_size = {-LOAD_CACHE_KIB}")
        elif self.empty:
            self.copy_sql = f'COPY {table} ({names}, "_updated_at") FROM STDIN'
            self.row_tail = (self.now,)
        else:
            # ON CONFLICT needs an INSERT: the rows are copied into a stage first, merged at the end.
            stage = self.stage = self._temporary_table("zw_stage", names)
            self.copy_sql = f"COPY {stage} ({names}) FROM STDIN"
            self.merge_sql = (
                f'INSERT INTO {table} ({names}, "_updated_at") SELECT {names}, {stamp} FROM {stage}{conflict}'  # noqa: S608
            )
            if mode == "replace":
                self.keys_table, self.keys_column = stage, q(self.spec.key)
        connection.ensure_connection()
        self._raw = connection.connection.cursor()  # the DB-API cursor: no wrapper per batch

    def _temporary_table(self, prefix: str, columns: str) -> str:
        """An empty temporary table with these columns of the store table, named after it."""
        name = self.spec.q(f"{prefix}_{self.spec.table}")
        self.cursor.execute(f"DROP TABLE IF EXISTS {name}")
        self.cursor.execute(
            f"CREATE TEMPORARY TABLE {name} AS SELECT {columns} FROM {self.spec.quoted_table} WHERE 1 = 0"  # noqa: S608 - our identifiers
        )
        self.temporary.append(name)
        return name

    def _write(self, rows: Iterable[tuple[Any, ...]], keys: Iterable[tuple[Any]]) -> None:
        if self.copy_sql:
            with self._raw.copy(self.copy_sql) as copy:
                write = copy.write_row
                for row in rows:
                    write(row)
            return
        if self.keys_sql:
            self._raw.executemany(self.keys_sql, keys)
        self._raw.executemany(self.sql, rows)

    def add_many(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Write rows of values, each given the next sequence number."""
        if not rows:
            return
        start = self.seq
        tail = self.row_tail
        params = [(*values, start + offset, *tail) for offset, values in enumerate(rows, start=1)]
        self.seq = start + len(params)
        self.written += len(params)
        position = self.key_position
        self._write(params, [(row[position],) for row in params] if self.keys_sql else ())

    def add(self, values: tuple[Any, ...]) -> None:
        self.add_many([values])

    def copy_csv(self) -> Any:
        """PostgreSQL: a COPY … (FORMAT csv) into the table or the stage, for rows that carry the
        columns given, `_seq` (the next numbers: `count` them) and, where `row_tail` is set,
        `_updated_at`; the columnar path (`columnar.copy_batches`) writes them."""
        assert self.copy_sql, "COPY is PostgreSQL's"
        return self._raw.copy(self.copy_sql + " (FORMAT csv)")

    def count(self, rows: int) -> None:
        """Rows written by `copy_csv`: their sequence numbers are taken."""
        self.seq += rows
        self.written += rows

    def stage_keys_unique(self) -> None:
        """A unique index on the stage's keys (an IntegrityError if one repeats): the merge alone
        would not always notice, since ON CONFLICT … WHERE skips an unchanged row and then the
        repeated key updates it without error."""
        if self.stage:
            self.cursor.execute(f"CREATE UNIQUE INDEX ON {self.stage} ({self.spec.q(self.spec.key)})")

    def add_columns(self, columns: list[list[Any]]) -> None:
        """Like `add_many`, for values given column by column (each row's tuple made as it is written)."""
        count = len(columns[0]) if columns else 0
        if not count:
            return
        start = self.seq
        self.seq = start + count
        self.written += count
        keys = zip(columns[self.key_position], strict=True) if self.keys_sql else ()
        tail = [repeat(value, count) for value in self.row_tail]
        self._write(zip(*columns, range(start + 1, start + count + 1), *tail, strict=True), keys)

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._raw.close()

    def finish(self) -> tuple[int, int]:
        """Merge the staged rows, retire replaced rows, rebuild indexes, advance the sequence."""
        q = self.spec.q
        if self.merge_sql:
            self.cursor.execute(self.merge_sql)
        if self.empty:
            self.cursor.execute(
                f"CREATE UNIQUE INDEX {q(self.spec.table + '_key')} ON {self.spec.quoted_table} ({q(self.spec.key)})"
            )
            self.cursor.execute(
                f'CREATE UNIQUE INDEX {q(self.spec.table + "_seq")} ON {self.spec.quoted_table} ("_seq")'
            )
        sync_indexes(self.resource, self.cursor)  # the load's index phase: as the catalog declares now
        if self.mode == "replace" and not self.empty:
            self.deleted, self.seq = retire_missing(
                self.cursor,
                self.spec,
                keys_table=self.keys_table,
                keys_column=self.keys_column,
                now=self.now,
                seq=self.seq,
            )
        for name in self.temporary:
            self.cursor.execute(f"DROP TABLE IF EXISTS {name}")
        if self.spec.vendor == "sqlite":
            self.cursor.execute(f"PRAGMA cache_size = {int(self.cache_size)}")
        StoreTable.objects.filter(pk=self.table.pk).update(last_seq=self.seq, updated_at=timezone.now())
        self.cursor.close()
        return self.written, self.deleted
