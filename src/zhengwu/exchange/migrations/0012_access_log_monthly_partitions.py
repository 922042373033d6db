"""On PostgreSQL, `exchange_accesslog` becomes a table partitioned by month on `at`, like the audit
log (audit migration 0003, `audit.partitions`): its rows move into their months, the primary key
becomes (seq, at) and the unique `pending_id` (pending_id, at) — a sealed entry copies its staged
row's `at`, so a staged row can still be sealed only once. The model is unchanged.

Two consequences on the other access-log tables (PostgreSQL only):
- the foreign key `exchange_accesslogsubject.log_id` → `exchange_accesslog.seq` is dropped (it
  needs seq unique by itself, which a partitioned table cannot declare). `zhengwu audit verify`
  compares the subject index with the chain row for row and reports an orphan, so nothing is
  lost. Caution for later migrations: Django's state still has the constraint; altering that
  field on PostgreSQL must not expect to find it.
- the subject index's trigger lets a row be deleted when no entry at or before its `log_id` is
  left in the log, i.e. after its month was dropped past retention (`audit partitions drop`);
  every other UPDATE and DELETE is refused as before. The staged rows' trigger looks for the
  sealed copy in the one partition of its `at` (the copy has the same `at`).

Nothing happens on SQLite.
"""

import importlib

from django.db import migrations

from zhengwu.audit.partitions import convert_table, unconvert_table

TABLE = "exchange_accesslog"
_TRIGGERS_0004 = importlib.import_module("zhengwu.exchange.migrations.0004_access_log_append_only_triggers")


def _function_0004(name: str) -> str:
    """The PostgreSQL trigger function `name` as migration 0004 created it."""
    [sql] = [sql for sql in _TRIGGERS_0004.POSTGRESQL_INSTALL if f"CREATE OR REPLACE FUNCTION {name}()" in sql]
    return sql


# The log's own guard (refuse everything), renamed, with one way through first: the subject rows
# of entries whose month was dropped past retention (none at or before them is left).
SUBJECT_GUARD = (
    _function_0004("exchange_accesslog_guard")
    .replace("exchange_accesslog_guard()", "exchange_accesslogsubject_guard()")
    .replace(
        "BEGIN\n",
        "BEGIN\n        IF TG_OP = 'DELETE' AND NOT EXISTS "
        "(SELECT 1 FROM exchange_accesslog WHERE seq <= OLD.log_id) THEN RETURN OLD; END IF;\n",
        1,
    )
)
PENDING_GUARD_0004 = _function_0004("exchange_accesslogpending_guard")
# The sealed copy has the staged row's `at`: look in that one partition.
PENDING_GUARD = PENDING_GUARD_0004.replace(
    "WHERE pending_id = OLD.id)", 'WHERE pending_id = OLD.id AND "at" = OLD."at")'
)
SUBJECT_TRIGGER = """
    CREATE TRIGGER exchange_accesslogsubject_guard BEFORE UPDATE OR DELETE ON exchange_accesslogsubject
    FOR EACH ROW EXECUTE FUNCTION {}()
"""
POSTGRESQL_GUARDS = [
    SUBJECT_GUARD,
    "DROP TRIGGER IF EXISTS exchange_accesslogsubject_guard ON exchange_accesslogsubject",
    SUBJECT_TRIGGER.format("exchange_accesslogsubject_guard"),
    PENDING_GUARD,
]
POSTGRESQL_GUARDS_REMOVE = [
    "DROP TRIGGER IF EXISTS exchange_accesslogsubject_guard ON exchange_accesslogsubject",
    "DROP FUNCTION IF EXISTS exchange_accesslogsubject_guard()",
    SUBJECT_TRIGGER.format("exchange_accesslog_guard"),
    PENDING_GUARD_0004,
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    convert_table(schema_editor.connection, TABLE)
    for sql in POSTGRESQL_GUARDS:
        schema_editor.execute(sql, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in POSTGRESQL_GUARDS_REMOVE:
        schema_editor.execute(sql, params=None)
    unconvert_table(schema_editor.connection, TABLE)
    subject = apps.get_model("exchange", "AccessLogSubject")
    schema_editor.execute(
        schema_editor._create_fk_sql(subject, subject._meta.get_field("log"), "_fk_%(to_table)s_%(to_column)s")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0011_access_log_pending_mac"),
        ("audit", "0003_monthly_partitions"),
    ]

    operations = [migrations.RunPython(forward, backward)]
