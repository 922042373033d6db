"""The table of the "shared" database cache (settings.CACHES): rate-limit counts that every
process and node sees. Made here so that `zhengwu migrate` is the one set-up step; with Redis
(REDIS_URL) the cache is Redis and this leaves nothing behind but an unused table."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def create_table(apps: Any, schema_editor: Any) -> None:
    from django.core.management import call_command

    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_key_fingerprints")]
    # createcachetable runs its own DDL: on SQLite it cannot run inside the migration's transaction.
    atomic = False
    operations = [migrations.RunPython(create_table, migrations.RunPython.noop)]
