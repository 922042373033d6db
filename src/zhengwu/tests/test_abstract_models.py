"""The abstract base models (columns that several tables share with the same meaning) stay
abstract, and every table built on one keeps each of its columns as the base declares it."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection, models

from zhengwu.catalog.models import TypedValue
from zhengwu.core.models import StoredFile
from zhengwu.participation.models import ModeratedContent

BASES: dict[type[models.Model], set[str]] = {
    StoredFile: {"eservices.MaterialFile", "participation.LetterPhoto"},
    TypedValue: {"catalog.DataItem", "eservices.FormField"},
    ModeratedContent: {"participation.Letter", "participation.Comment"},
}


def _column(field: models.Field) -> tuple[object, ...]:
    return (field.column, field.db_type(connection), field.null, field.verbose_name, field.choices)


@pytest.mark.parametrize("base", BASES, ids=lambda base: base.__name__)
def test_abstract_base_tables_share_its_columns(base: type[models.Model]) -> None:
    assert base._meta.abstract
    tables = [model for model in apps.get_models() if issubclass(model, base)]
    assert {model._meta.label for model in tables} >= BASES[base]
    for model in tables:
        for declared in base._meta.fields:
            assert _column(model._meta.get_field(declared.name)) == _column(declared), f"{model._meta.label}"
