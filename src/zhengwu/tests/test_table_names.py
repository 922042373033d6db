"""Each app's tables carry its name (issues 17–19 ask `documents_*`, `emergency_*`, `governance_*`):
an operator finds an app's data by prefix, and a model moved between apps without its table shows here."""

from __future__ import annotations

import pytest
from django.apps import apps


@pytest.mark.parametrize("label", ["documents", "emergency", "governance"])
def test_an_apps_tables_carry_its_name(label: str) -> None:
    tables = [model._meta.db_table for model in apps.get_app_config(label).get_models()]
    assert tables, label
    assert [table for table in tables if not table.startswith(f"{label}_")] == []
