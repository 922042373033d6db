"""The one shape of a keyset-paged API list: `?after=&limit=` in, `{items, next_after}` out."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from zhengwu.accounts.models import Region
from zhengwu.core.keyset_api import KeysetQuery, keyset_response

pytestmark = pytest.mark.django_db


def test_pages_follow_the_cursor_until_it_is_null(jilin: Region) -> None:
    Region.objects.create(code="220100", name="长春市", level=Region.Level.CITY, parent=jilin)
    Region.objects.create(code="220200", name="吉林市", level=Region.Level.CITY, parent=jilin)
    rows = Region.objects.all()
    codes: list[str] = []
    query = KeysetQuery(limit=2)
    while True:
        page = keyset_response(rows, query, lambda r: r.code)
        assert len(page["items"]) <= 2
        codes += page["items"]
        if page["next_after"] is None:
            break
        query = KeysetQuery(after=page["next_after"], limit=2)
    assert codes == [r.code for r in rows.order_by("pk")]
    assert len(codes) == rows.count() >= 3


def test_the_query_defaults_and_bounds() -> None:
    assert (KeysetQuery().after, KeysetQuery().limit) == (None, 50)
    for limit in (0, 501):
        with pytest.raises(ValidationError):
            KeysetQuery(limit=limit)
