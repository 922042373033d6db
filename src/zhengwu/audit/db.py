"""Database support for the append-only triggers of migration 0002.

On SQLite, Django empties tables with `DELETE FROM` (the `flush` command, and the test runner
between transactional tests), which the delete trigger would refuse. The trigger therefore asks
`zhengwu_sql_flush()`, a function registered on every Django SQLite connection, whether the
deletion comes from Django's flush and lets only that through. Anywhere else the function is
absent (the sqlite3 shell, another program), so deleting a young event fails there too.
PostgreSQL flushes with TRUNCATE, which row triggers do not see.
"""

from __future__ import annotations

import sys
from typing import Any

from django.db.backends.base.operations import BaseDatabaseOperations

SQL_FLUSH_FUNCTION = "zhengwu_sql_flush"
_FLUSH_CODE = BaseDatabaseOperations.execute_sql_flush.__code__


def inside_sql_flush() -> int:
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code is _FLUSH_CODE:
            return 1
        frame = frame.f_back  # type: ignore[assignment]
    return 0


def register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQL_FLUSH_FUNCTION, 0, inside_sql_flush)
