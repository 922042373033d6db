"""Database triggers that make the audit log append-only (defence in depth under the model checks).

- audit_auditevent: every UPDATE is refused; a DELETE is refused for rows younger than 180 days.
  180 days (网络安全法 Art. 21, six months) is hard-coded here: it is the legal minimum and
  the smallest value AUDIT_RETENTION_DAYS accepts; a longer configured retention is enforced
  by the model layer (`AuditEvent.delete`, `AuditEventQuerySet.delete`, `services.purge_expired`).
- audit_auditchainhead: it may only advance by exactly one event per update and never be deleted,
  so cutting off the end of the log also means rewinding the head, which is refused.

What is *not* covered: the owner of the database can drop or disable triggers (and on
PostgreSQL TRUNCATE bypasses row triggers; Django's flush uses it). That is what
`zhengwu audit verify` and the SM3-HMAC on each event are for. In production the application
role should not own these tables.

On SQLite Django empties tables with DELETE (flush, transactional tests); `zhengwu_sql_flush()`
(registered by zhengwu.audit.db on every Django connection) lets exactly that through.

Caution for later migrations: on SQLite, altering audit_auditevent or audit_auditchainhead makes
Django rebuild the table, which drops its triggers. Such a migration must create them again
(test_protection.py checks that they exist).
"""

from django.db import migrations

SQLITE_INSTALL = [
    """
    CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能修改'); END
    """,
    """
    CREATE TRIGGER audit_event_no_early_delete BEFORE DELETE ON audit_auditevent
    WHEN OLD."at" > strftime('%Y-%m-%d %H:%M:%f', 'now', '-180 days') AND NOT zhengwu_sql_flush()
    BEGIN SELECT RAISE(ABORT, '审计日志须至少保存 180 天，保存期内的记录不能删除'); END
    """,
    """
    CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_auditchainhead
    WHEN NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1
    BEGIN SELECT RAISE(ABORT, '审计链头只能逐条前进'); END
    """,
    """
    CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_auditchainhead
    WHEN NOT zhengwu_sql_flush()
    BEGIN SELECT RAISE(ABORT, '审计链头不能删除'); END
    """,
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_early_delete",
    "DROP TRIGGER IF EXISTS audit_head_forward_only",
    "DROP TRIGGER IF EXISTS audit_head_no_delete",
]

POSTGRESQL_INSTALL = [
    """
    CREATE OR REPLACE FUNCTION audit_event_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            RAISE EXCEPTION '审计日志只能追加，不能修改（第 % 条）', OLD.seq
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF OLD."at" > now() - interval '180 days' THEN
            RAISE EXCEPTION '审计日志须至少保存 180 天，保存期内的记录不能删除（第 % 条）', OLD.seq
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END
    $$
    """,
    """
    CREATE TRIGGER audit_event_guard BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_guard()
    """,
    """
    CREATE OR REPLACE FUNCTION audit_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION '审计链头不能删除' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1 THEN
            RAISE EXCEPTION '审计链头只能逐条前进' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER audit_head_guard BEFORE UPDATE OR DELETE ON audit_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION audit_head_guard()
    """,
]
POSTGRESQL_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_event_guard ON audit_auditevent",
    "DROP TRIGGER IF EXISTS audit_head_guard ON audit_auditchainhead",
    "DROP FUNCTION IF EXISTS audit_event_guard()",
    "DROP FUNCTION IF EXISTS audit_head_guard()",
]

STATEMENTS = {
    "sqlite": (SQLITE_INSTALL, SQLITE_REMOVE),
    "postgresql": (POSTGRESQL_INSTALL, POSTGRESQL_REMOVE),
}


def _run(schema_editor, install: bool) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise RuntimeError(f"zhengwu audit: no append-only triggers for database '{vendor}'")
    for sql in STATEMENTS[vendor][0 if install else 1]:
        schema_editor.execute(sql, params=None)


def install_triggers(apps, schema_editor):
    _run(schema_editor, install=True)


def remove_triggers(apps, schema_editor):
    _run(schema_editor, install=False)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_audit_events")]

    operations = [migrations.RunPython(install_triggers, remove_triggers)]
