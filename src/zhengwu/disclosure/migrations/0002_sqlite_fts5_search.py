"""The SQLite full-text index of published items (FTS5 over jieba-segmented text); see
`disclosure/search_index.py`. Other databases use the term table of migration 0001."""

from django.db import migrations

FTS_TABLE = "disclosure_publication_fts"  # = search_index.FTS_TABLE
CREATE_FTS = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "title, subject, number, body, tokenize = 'unicode61 remove_diacritics 0')"
)


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(CREATE_FTS)


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0001_publications_requests_reports")]

    operations = [migrations.RunPython(create, drop)]
