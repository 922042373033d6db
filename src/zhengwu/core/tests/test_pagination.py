"""Keyset pages and row ids past what a database key can hold (found by Schemathesis: a 500)."""

from __future__ import annotations

import pytest
from django.test import Client

from zhengwu.accounts.models import Region
from zhengwu.core.pagination import MAX_ROW_ID, keyset_page

pytestmark = pytest.mark.django_db


def test_a_cursor_past_every_key_is_an_empty_last_page(jilin: Region) -> None:
    rows = Region.objects.all()
    assert keyset_page(rows, after=MAX_ROW_ID, limit=10) == ([], None)
    assert keyset_page(rows, after=MAX_ROW_ID * 4, limit=10) == ([], None)
    assert keyset_page(rows, after=0, limit=10) == ([jilin], None)


def test_an_id_filter_larger_than_a_key_is_bad_input_not_a_server_error() -> None:
    client = Client(raise_request_exception=False)
    answer = client.get("/api/v1/disclosure/publications", {"agency": str(2**64)})
    assert answer.status_code == 400 and answer.json()["code"]
    assert client.get("/api/v1/disclosure/publications", {"after": str(2**64)}).status_code in (200, 400)
