"""The staging table of the access log keeps its foreign keys in the model (PROTECT) but not as
database constraints: checking them at each API call's commit locked the rows they name, and
concurrent calls naming the same rows cost a fifth of the query API's throughput on PostgreSQL
(AccessLogPending's comment, docs/benchmarks.md).

On PostgreSQL the constraints are dropped. On SQLite Django rebuilds the table, which drops its
triggers (migrations 0004 and 0005) and restarts its AUTOINCREMENT when it is empty; after the
rebuild, in either direction, `restore_after_rebuild` creates the triggers again and moves the
sequence past every id the sealed log names (`exchange_accesslog.pending_id` is unique, so a
reused id could never be sealed).
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

PENDING = "exchange_accesslogpending"


def _sqlite_triggers() -> list[str]:
    """The SQLite triggers on the staging table, as migrations 0004 and 0005 create them."""
    statements: list[str] = []
    for name in ("0004_access_log_append_only_triggers", "0005_rate_counter_insert_trigger"):
        module = importlib.import_module(f"zhengwu.exchange.migrations.{name}")
        statements += [sql for sql in module.SQLITE_INSTALL if f"ON {PENDING}" in sql]
    return statements


def sqlite_triggers(schema_editor, *, create: bool) -> None:
    """The staging table's SQLite triggers dropped, and created again if `create` (migration 0013
    drops them before its rebuild too)."""
    for sql in _sqlite_triggers():
        name = sql.split("CREATE TRIGGER", 1)[1].split()[0]
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        if create:
            schema_editor.execute(sql, params=None)


def restore_after_rebuild(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    sqlite_triggers(schema_editor, create=True)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT MAX(last) FROM (SELECT MAX(pending_id) AS last FROM exchange_accesslog "
            f"UNION ALL SELECT MAX(id) FROM {PENDING} UNION ALL SELECT seq FROM sqlite_sequence WHERE name = %s)",  # noqa: S608
            [PENDING],
        )
        last = cursor.fetchone()[0] or 0
        cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [PENDING])
        cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [PENDING, last])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial_accounts"),
        ("catalog", "0003_code_sequence"),
        ("exchange", "0006_delivery_claimed_until"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_after_rebuild),
        migrations.AlterField(
            model_name="accesslogpending",
            name="api_client",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.apiclient",
            ),
        ),
        migrations.AlterField(
            model_name="accesslogpending",
            name="consumer",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.department",
            ),
        ),
        migrations.AlterField(
            model_name="accesslogpending",
            name="grant",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="exchange.grant",
            ),
        ),
        migrations.AlterField(
            model_name="accesslogpending",
            name="provider",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.department",
            ),
        ),
        migrations.AlterField(
            model_name="accesslogpending",
            name="resource",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="catalog.resource",
            ),
        ),
        migrations.RunPython(restore_after_rebuild, migrations.RunPython.noop),
    ]
