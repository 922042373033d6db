"""The rate-limit counter is kept by the database: a staged access-log row of an answered call
(outcome ok or not_found, with a grant) adds one to `exchange_ratecounter` for its grant and
minute, in the same statement as the insert, so the query API writes one row per call and needs
no transaction of its own.

The shard is the PostgreSQL backend pid (one row per connection, so concurrent connections do
not queue on one row lock); on SQLite, which admits one writer at a time anyway, it is 0.
"""

from django.db import migrations

SQLITE_INSTALL = [
    """
    CREATE TRIGGER exchange_accesslogpending_rate_count AFTER INSERT ON exchange_accesslogpending
    WHEN NEW.grant_id IS NOT NULL AND NEW.outcome IN ('ok', 'not_found')
    BEGIN
        INSERT INTO exchange_ratecounter (grant_id, minute, shard, hits)
        VALUES (NEW.grant_id, CAST(strftime('%s', NEW."at") AS INTEGER) / 60, 0, 1)
        ON CONFLICT (grant_id, minute, shard) DO UPDATE SET hits = hits + 1;
    END
    """,
]
SQLITE_REMOVE = ["DROP TRIGGER IF EXISTS exchange_accesslogpending_rate_count"]

POSTGRESQL_INSTALL = [
    """
    CREATE OR REPLACE FUNCTION exchange_rate_count() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.grant_id IS NOT NULL AND NEW.outcome IN ('ok', 'not_found') THEN
            INSERT INTO exchange_ratecounter (grant_id, minute, shard, hits)
            VALUES (NEW.grant_id, floor(extract(epoch FROM NEW."at") / 60)::bigint, pg_backend_pid(), 1)
            ON CONFLICT (grant_id, minute, shard) DO UPDATE SET hits = exchange_ratecounter.hits + 1;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER exchange_accesslogpending_rate_count AFTER INSERT ON exchange_accesslogpending
    FOR EACH ROW EXECUTE FUNCTION exchange_rate_count()
    """,
]
POSTGRESQL_REMOVE = [
    "DROP TRIGGER IF EXISTS exchange_accesslogpending_rate_count ON exchange_accesslogpending",
    "DROP FUNCTION IF EXISTS exchange_rate_count()",
]

STATEMENTS = {
    "sqlite": (SQLITE_INSTALL, SQLITE_REMOVE),
    "postgresql": (POSTGRESQL_INSTALL, POSTGRESQL_REMOVE),
}


def _run(schema_editor, install: bool) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise RuntimeError(f"zhengwu exchange: no rate counter trigger for database '{vendor}'")
    for sql in STATEMENTS[vendor][0 if install else 1]:
        schema_editor.execute(sql, params=None)


def install(apps, schema_editor):
    _run(schema_editor, install=True)


def remove(apps, schema_editor):
    _run(schema_editor, install=False)


class Migration(migrations.Migration):
    dependencies = [("exchange", "0004_access_log_append_only_triggers")]

    operations = [migrations.RunPython(install, remove)]
