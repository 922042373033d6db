"""`catalog.models.TypedValue` is abstract: a resource's data item and an application form's field
each keep their own table, and both the same columns for what a value must be."""

from __future__ import annotations

from django.apps import apps
from django.db import connection

from zhengwu.catalog.models import TypedValue

COLUMNS = ["data_type", "enum_values", "max_length", "required"]


def test_typed_value_is_abstract_and_its_tables_share_its_columns() -> None:
    assert TypedValue._meta.abstract
    tables = [model for model in apps.get_models() if issubclass(model, TypedValue)]
    assert {model._meta.label for model in tables} >= {"catalog.DataItem", "eservices.FormField"}
    for model in tables:
        for name in COLUMNS:
            field, declared = model._meta.get_field(name), TypedValue._meta.get_field(name)
            assert (field.column, field.db_type(connection), field.null, field.choices) == (
                declared.column,
                declared.db_type(connection),
                declared.null,
                declared.choices,
            ), f"{model._meta.label}.{name}"
