"""On SQLite the ids of the access log's staging table and of the rate counters become plain
`INTEGER PRIMARY KEY`s (the rowid) without AUTOINCREMENT (`sharing.models.PlainRowId`).
AUTOINCREMENT kept each table's last id in `sqlite_sequence` and wrote that row on every insert,
the rate counter's UPSERT included: one more page in the commit of every API call, beside the
staged row's and the counter's own (docs/benchmarks.md, "The access log's pages per call").
`access_log` now gives each staged row its id itself, one more than the highest staged or sealed
one (`access_log.STAGED_ID_SQL`), so staged ids stay unique and increasing and a sealed row's id
is never given again (`exchange_accesslog.pending_id` is unique; anchors name staged ids). A rate
counter's id is referred to by nothing.

SQLite rebuilds both tables, keeping their rows and ids. The staging table's triggers (migrations
0004 and 0005) are dropped first (the rate counter's names `exchange_ratecounter`, which SQLite
will not rename under it) and created again afterwards, as migration 0007 does after its
rebuild. Going back, 0007's `restore_after_rebuild` also moves the staging table's AUTOINCREMENT
sequence past every id given. Nothing changes on PostgreSQL (both ids stay identity columns).
"""

import importlib

from django.db import migrations

import zhengwu.exchange.sharing.models

_0007 = importlib.import_module("zhengwu.exchange.migrations.0007_access_log_staging_without_foreign_key_constraints")


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _0007.sqlite_triggers(schema_editor, create=False)


def restore_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _0007.sqlite_triggers(schema_editor, create=True)


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0012_access_log_monthly_partitions"),
    ]

    operations = [
        migrations.RunPython(drop_triggers, _0007.restore_after_rebuild),
        migrations.AlterField(
            model_name="ratecounter",
            name="id",
            field=zhengwu.exchange.sharing.models.PlainRowId(primary_key=True, serialize=False),
        ),
        migrations.AlterField(
            model_name="accesslogpending",
            name="id",
            field=zhengwu.exchange.sharing.models.PlainRowId(primary_key=True, serialize=False),
        ),
        migrations.RunPython(restore_triggers, drop_triggers),
    ]
