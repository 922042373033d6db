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

from django.db import migrations

from zhengwu.audit.partitions import convert_table, unconvert_table

TABLE = "exchange_accesslog"

POSTGRESQL_GUARDS = [
    """
    CREATE OR REPLACE FUNCTION exchange_accesslogsubject_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM exchange_accesslog WHERE seq <= OLD.log_id) THEN
            RETURN OLD;  -- its entry's month was dropped past retention
        END IF;
        RAISE EXCEPTION '共享访问日志只能追加，不能修改或删除（%）', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS exchange_accesslogsubject_guard ON exchange_accesslogsubject",
    """
    CREATE TRIGGER exchange_accesslogsubject_guard BEFORE UPDATE OR DELETE ON exchange_accesslogsubject
    FOR EACH ROW EXECUTE FUNCTION exchange_accesslogsubject_guard()
    """,
    """
    CREATE OR REPLACE FUNCTION exchange_accesslogpending_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            RAISE EXCEPTION '共享访问日志只能追加，不能修改（待封存第 % 条）', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM exchange_accesslog WHERE pending_id = OLD.id AND "at" = OLD."at") THEN
            RAISE EXCEPTION '待封存的访问日志只能在封存入链后移除（第 % 条）', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END
    $$
    """,
]
POSTGRESQL_GUARDS_REMOVE = [
    "DROP TRIGGER IF EXISTS exchange_accesslogsubject_guard ON exchange_accesslogsubject",
    "DROP FUNCTION IF EXISTS exchange_accesslogsubject_guard()",
    """
    CREATE TRIGGER exchange_accesslogsubject_guard BEFORE UPDATE OR DELETE ON exchange_accesslogsubject
    FOR EACH ROW EXECUTE FUNCTION exchange_accesslog_guard()
    """,
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
        ("exchange", "0010_store_query_indexes"),
        ("audit", "0003_monthly_partitions"),
    ]

    operations = [migrations.RunPython(forward, backward)]
