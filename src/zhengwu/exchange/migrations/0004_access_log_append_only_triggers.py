"""Database triggers that make the exchange access log append-only (defence in depth under the
model checks and the SM3 chain), like the audit log's (audit migration 0002):

- exchange_accesslog and exchange_accesslogsubject: every UPDATE and DELETE is refused;
- exchange_accesslogpending (staged calls not yet chained): every UPDATE is refused, and a
  DELETE unless the row has been sealed (a chained copy names it in `pending_id`) — that is
  what `access_log.seal_pending` does in the same transaction;
- exchange_accessloghead: only moves forward (seq grows), is never deleted.

What is not covered: the owner of the database can drop or disable triggers, and PostgreSQL's
TRUNCATE bypasses row triggers (Django's flush uses it); `zhengwu audit verify` and the SM3-HMACs
are for that. On SQLite Django empties tables with DELETE (flush, transactional tests):
`zhengwu_sql_flush()` (registered by zhengwu.audit.db on every Django connection) lets exactly
that through; anywhere else the function is missing and the DELETE fails.

Caution for later migrations: on SQLite, altering one of these tables makes Django rebuild it,
which drops its triggers; such a migration must create them again (test_access_log_triggers.py
checks they exist).
"""

from django.db import migrations

APPEND_ONLY = ("exchange_accesslog", "exchange_accesslogsubject")

SQLITE_INSTALL = [
    *(
        sql
        for table in APPEND_ONLY
        for sql in (
            f"""
            CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, '共享访问日志只能追加，不能修改'); END
            """,
            f"""
            CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
            WHEN NOT zhengwu_sql_flush()
            BEGIN SELECT RAISE(ABORT, '共享访问日志只能追加，不能删除'); END
            """,
        )
    ),
    """
    CREATE TRIGGER exchange_accesslogpending_no_update BEFORE UPDATE ON exchange_accesslogpending
    BEGIN SELECT RAISE(ABORT, '共享访问日志只能追加，不能修改'); END
    """,
    """
    CREATE TRIGGER exchange_accesslogpending_no_delete BEFORE DELETE ON exchange_accesslogpending
    WHEN NOT EXISTS (SELECT 1 FROM exchange_accesslog WHERE pending_id = OLD.id) AND NOT zhengwu_sql_flush()
    BEGIN SELECT RAISE(ABORT, '待封存的访问日志只能在封存入链后移除'); END
    """,
    """
    CREATE TRIGGER exchange_accessloghead_forward_only BEFORE UPDATE ON exchange_accessloghead
    WHEN NEW.id <> OLD.id OR NEW.seq <= OLD.seq
    BEGIN SELECT RAISE(ABORT, '访问日志链头只能前进'); END
    """,
    """
    CREATE TRIGGER exchange_accessloghead_no_delete BEFORE DELETE ON exchange_accessloghead
    WHEN NOT zhengwu_sql_flush()
    BEGIN SELECT RAISE(ABORT, '访问日志链头不能删除'); END
    """,
]
SQLITE_REMOVE = [
    *(f"DROP TRIGGER IF EXISTS {table}_no_{what}" for table in APPEND_ONLY for what in ("update", "delete")),
    "DROP TRIGGER IF EXISTS exchange_accesslogpending_no_update",
    "DROP TRIGGER IF EXISTS exchange_accesslogpending_no_delete",
    "DROP TRIGGER IF EXISTS exchange_accessloghead_forward_only",
    "DROP TRIGGER IF EXISTS exchange_accessloghead_no_delete",
]

POSTGRESQL_INSTALL = [
    """
    CREATE OR REPLACE FUNCTION exchange_accesslog_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '共享访问日志只能追加，不能修改或删除（%）', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END
    $$
    """,
    *(
        f"""
        CREATE TRIGGER {table}_guard BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION exchange_accesslog_guard()
        """
        for table in APPEND_ONLY
    ),
    """
    CREATE OR REPLACE FUNCTION exchange_accesslogpending_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            RAISE EXCEPTION '共享访问日志只能追加，不能修改（待封存第 % 条）', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM exchange_accesslog WHERE pending_id = OLD.id) THEN
            RAISE EXCEPTION '待封存的访问日志只能在封存入链后移除（第 % 条）', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END
    $$
    """,
    """
    CREATE TRIGGER exchange_accesslogpending_guard BEFORE UPDATE OR DELETE ON exchange_accesslogpending
    FOR EACH ROW EXECUTE FUNCTION exchange_accesslogpending_guard()
    """,
    """
    CREATE OR REPLACE FUNCTION exchange_accessloghead_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION '访问日志链头不能删除' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF NEW.id <> OLD.id OR NEW.seq <= OLD.seq THEN
            RAISE EXCEPTION '访问日志链头只能前进' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER exchange_accessloghead_guard BEFORE UPDATE OR DELETE ON exchange_accessloghead
    FOR EACH ROW EXECUTE FUNCTION exchange_accessloghead_guard()
    """,
]
POSTGRESQL_REMOVE = [
    *(f"DROP TRIGGER IF EXISTS {table}_guard ON {table}" for table in APPEND_ONLY),
    "DROP TRIGGER IF EXISTS exchange_accesslogpending_guard ON exchange_accesslogpending",
    "DROP TRIGGER IF EXISTS exchange_accessloghead_guard ON exchange_accessloghead",
    "DROP FUNCTION IF EXISTS exchange_accesslog_guard()",
    "DROP FUNCTION IF EXISTS exchange_accesslogpending_guard()",
    "DROP FUNCTION IF EXISTS exchange_accessloghead_guard()",
]

STATEMENTS = {
    "sqlite": (SQLITE_INSTALL, SQLITE_REMOVE),
    "postgresql": (POSTGRESQL_INSTALL, POSTGRESQL_REMOVE),
}


def _run(schema_editor, install: bool) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise RuntimeError(f"zhengwu exchange: no append-only triggers for database '{vendor}'")
    for sql in STATEMENTS[vendor][0 if install else 1]:
        schema_editor.execute(sql, params=None)


def install_triggers(apps, schema_editor):
    _run(schema_editor, install=True)


def remove_triggers(apps, schema_editor):
    _run(schema_editor, install=False)


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0003_access_log_staging_rate_counter_cache_version"),
        ("audit", "0002_append_only_triggers"),
    ]

    operations = [migrations.RunPython(install_triggers, remove_triggers)]
