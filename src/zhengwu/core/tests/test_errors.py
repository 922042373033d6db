"""The one error type, rendered for the API and for people; zones hide internal pages."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from zhengwu.core.errors import ApplicationError, CoreError
from zhengwu.core.middleware import path_allowed_in_zone


def test_error_carries_code_message_fields_and_status() -> None:
    error = ApplicationError(CoreError.NOT_FOUND, "记录不存在。", {"id": "无此记录"})
    assert error.as_dict() == {"code": "core.not_found", "message": "记录不存在。", "fields": {"id": "无此记录"}}
    assert error.status == 404
    assert ApplicationError(CoreError.INVALID_INPUT, "x").status == 400


@pytest.mark.parametrize(
    ("zone", "path", "allowed"),
    [
        ("external", "/workbench/", False),
        ("external", "/api/v1/internal/x", False),
        ("external", "/", True),
        ("internal", "/workbench/", True),
        ("all", "/workbench/", True),
    ],
)
def test_zone_rules(zone: str, path: str, allowed: bool) -> None:
    assert path_allowed_in_zone(path, zone) is allowed


@pytest.mark.django_db
@override_settings(ZHENGWU_ZONE="external")
def test_external_instance_does_not_serve_the_workbench() -> None:
    response = Client().get("/workbench/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


@pytest.mark.django_db
def test_unknown_pages_get_a_friendly_chinese_404() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


@pytest.mark.django_db
def test_unknown_api_paths_answer_json() -> None:
    response = Client().get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
