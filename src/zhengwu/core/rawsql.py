"""Statements of the hot paths (the query API's keyed lookup) run on the DB-API connection itself.

Django's cursor wrapper (connection proxy, placeholder rewriting by regex, debug and error
wrappers, a cursor object per statement) cost more than the small primary-key reads and the one
insert of a keyed lookup (docs/benchmarks.md). These helpers keep what matters of it: the
connection is opened as Django opens it, errors are Django's `DatabaseError` classes, and the
statement joins the current transaction (`atomic`) or commits on its own (autocommit). They are
not counted by `connection.queries`. `sql` uses `%s` placeholders and must not contain "%s"
otherwise (identifiers are ours, values are parameters).

On PostgreSQL the values are bound by the server, not quoted into the text (Django's cursors
do that), so psycopg prepares a statement the connection has run five times (settings set
`prepare_threshold` unless ZHENGWU_PG_PREPARED is false, for poolers that cannot keep prepared
statements) and the server plans it once, not on every call: the lookup's read went from 332
to 188 µs in process (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections


def _run(sql: str, params: Sequence[Any], *, many: bool = False) -> Any:
    # One lookup of this thread's connection: each attribute read through `django.db.connection`
    # looks it up again in a context-local store, which cost more than these statements' binding.
    db = connections[DEFAULT_DB_ALIAS]
    db.ensure_connection()
    raw: Any = db.connection
    with db.wrap_database_errors:
        if db.vendor == "sqlite":
            if many:
                return raw.executemany(_qmark(sql), params)
            return raw.execute(_qmark(sql), tuple(params))
        if many:
            cursor = psycopg.Cursor(raw)
            cursor.executemany(sql, params)
            return cursor
        return psycopg.Cursor(raw).execute(sql, tuple(params))


@lru_cache(maxsize=512)
def _qmark(sql: str) -> str:
    return sql.replace("%s", "?")


def fetch_one(sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
    """The first row of a read (or None)."""
    cursor = _run(sql, params)
    try:
        row: tuple[Any, ...] | None = cursor.fetchone()
    finally:
        cursor.close()
    return row


def execute(sql: str, params: Sequence[Any] = ()) -> None:
    """A write; committed on return outside a transaction."""
    _run(sql, params).close()


def execute_many(sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """The same write once per row of `rows` (psycopg sends them in one pipeline); in the caller's
    transaction, or each committed on its own in autocommit."""
    _run(sql, rows, many=True).close()


def fetch_all(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Every row of a read."""
    cursor = _run(sql, params)
    try:
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    finally:
        cursor.close()
    return rows
