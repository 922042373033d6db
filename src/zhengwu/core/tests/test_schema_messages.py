"""The API's field errors are Chinese and name the field and the limit (core.schema_messages)."""

from __future__ import annotations

import pytest
from django.test import Client

from zhengwu.core.schema_messages import field_message


@pytest.mark.django_db
def test_api_field_errors_name_the_field_and_the_limit(client: Client) -> None:
    too_many = client.get("/api/v1/disclosure/publications", {"limit": 5000})
    assert too_many.status_code == 400 and too_many.json()["code"] == "core.invalid_input"
    assert too_many.json()["fields"] == {"limit": "limit 不能大于 500。"}
    not_a_number = client.get("/api/v1/disclosure/publications", {"after": "abc"}).json()
    assert not_a_number["fields"] == {"after": "after 须是整数。"}


@pytest.mark.parametrize(
    ("error", "message"),
    [
        ({"type": "missing"}, "缺少 title。"),
        ({"type": "string_too_long", "ctx": {"max_length": 200}}, "title 不能超过 200 个字。"),
        ({"type": "greater_than_equal", "ctx": {"ge": 1}}, "title 不能小于 1。"),
        ({"type": "literal_error", "ctx": {"expected": "'a' or 'b'"}}, "title 须是以下之一：'a' or 'b'。"),
        ({"type": "string_too_long"}, "title 格式有误。"),  # no limit in the context: no half message
        ({"type": "some_new_type"}, "title 格式有误。"),
    ],
)
def test_field_message(error: dict[str, object], message: str) -> None:
    assert field_message(error, "title") == message
