"""`core.models.StoredFile` is abstract: each app's file table has its own rows, and all of them
the same file columns."""

from __future__ import annotations

from django.apps import apps
from django.db import connection

from zhengwu.core.models import StoredFile

FILE_COLUMNS = ["file_name", "content_type", "size", "sm3", "content", "uploaded_at"]


def test_stored_file_is_abstract_and_its_tables_share_its_columns() -> None:
    assert StoredFile._meta.abstract
    tables = [model for model in apps.get_models() if issubclass(model, StoredFile)]
    assert {model._meta.label for model in tables} >= {"eservices.MaterialFile", "participation.LetterPhoto"}
    for model in tables:
        for name in FILE_COLUMNS:
            field, declared = model._meta.get_field(name), StoredFile._meta.get_field(name)
            assert (field.column, field.db_type(connection), field.null) == (
                declared.column,
                declared.db_type(connection),
                declared.null,
            ), f"{model._meta.label}.{name}"
