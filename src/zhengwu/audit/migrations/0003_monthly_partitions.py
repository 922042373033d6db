"""On PostgreSQL, `audit_auditevent` becomes a table partitioned by month on `at`: one partition
per month that holds rows, this month and the next ZHENGWU_LOG_PARTITIONS_AHEAD, and a DEFAULT
partition; the rows move into their months. The primary key becomes (seq, at): a partitioned
table's keys must hold its partition key. The model is unchanged. The append-only trigger of
migration 0002 is created again on the partitioned table (every partition has it).

Nothing happens on SQLite (one table, as before). The work is in `audit.partitions.convert_table`,
which reads the table's constraints, indexes and triggers from the catalog and creates them again
under the same names, so that later migrations find them. A large table is copied row by row
inside the migration's transaction: run it in a maintenance window (docs/deployment.md, "日志分区").
"""

from django.db import migrations

from zhengwu.audit.partitions import convert_table, unconvert_table

TABLE = "audit_auditevent"


def forward(apps, schema_editor):
    convert_table(schema_editor.connection, TABLE)


def backward(apps, schema_editor):
    unconvert_table(schema_editor.connection, TABLE)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [migrations.RunPython(forward, backward)]
