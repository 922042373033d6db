"""Every error page is the site's own: it extends the base template, speaks Chinese, names what
to do, and never shows Django's "Bad Request"/"Forbidden" or a hint about DEBUG — under the test
client (as under runserver) and under `zhengwu serve` (granian)."""

from __future__ import annotations

import sqlite3
import urllib.error
import urllib.request
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.test import Client, RequestFactory
from django.urls import get_resolver

from zhengwu.accounts.models import User
from zhengwu.conftest import person_client
from zhengwu.core.tests.test_serve import Server, data_dir, server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

DJANGO_WORDS = ("Bad Request", "Forbidden", "DEBUG", "Not Found", "Server Error", "CSRF verification failed")
OVERSIZED = 3 * 1024 * 1024  # a 3 MB letter: over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)
COOKIE_TOKEN = "A" * 32  # a well-formed CSRF cookie


def assert_site_page(status: int, body: str, expected_status: int, title: str) -> None:
    assert status == expected_status, body[:500]
    assert 'class="site-header"' in body and 'class="site-footer"' in body  # the base template
    assert f"<h1>{title}</h1>" in body
    assert 'lang="zh-CN"' in body
    for word in DJANGO_WORDS:
        assert word not in body, word


def test_404_is_the_sites_page() -> None:
    response = Client().get("/no-such-page/")
    assert_site_page(response.status_code, response.content.decode(), 404, "页面不存在")


def test_an_oversized_letter_gets_the_413_page(citizen: User) -> None:
    client = person_client(citizen)
    response = client.post("/participation/letters/write/", {"title": "噪音扰民", "content": "字" * OVERSIZED})
    body = response.content.decode()
    assert_site_page(response.status_code, body, 413, "提交的内容过大")
    assert "2.5 MB" in body  # the limit is named


def test_an_oversized_post_with_csrf_checks_gets_the_413_page() -> None:
    """The CSRF check reads the form first: the size refusal comes from there, still the 413 page."""
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = COOKIE_TOKEN  # as a browser that has the form's page has
    response = client.post("/accounts/login/", {"username": "x" * OVERSIZED})
    assert_site_page(response.status_code, response.content.decode(), 413, "提交的内容过大")


def test_csrf_failure_is_the_sites_403_page() -> None:
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "a", "password": "b"})
    body = response.content.decode()
    assert_site_page(response.status_code, body, 403, "页面已过期，请刷新后重试")
    assert "刷新" in body


@pytest.mark.parametrize(
    ("status", "exception", "title"),
    [
        (400, SuspiciousOperation("bad"), "请求有误"),
        (400, RequestDataTooBig("big"), "提交的内容过大"),
        (403, PermissionDenied(), "无权访问"),
        (404, None, "页面不存在"),
        (500, None, "系统繁忙"),
    ],
)
def test_each_handler_renders_the_sites_page(status: int, exception: Exception | None, title: str) -> None:
    handler = get_resolver().resolve_error_handler(status)
    request = RequestFactory().get("/x/")
    request.user = AnonymousUser()
    response = handler(request) if status == 500 else handler(request, exception)
    expected = 413 if isinstance(exception, RequestDataTooBig) else status
    assert_site_page(response.status_code, response.content.decode(), expected, title)


def test_a_suspicious_host_gets_the_400_page(settings: Any) -> None:
    response = Client().get("/", HTTP_HOST="evil.example")
    assert_site_page(response.status_code, response.content.decode(), 400, "请求有误")


def _request(
    serving: Server, path: str, data: bytes | None = None, cookie: str = "", host: str = ""
) -> tuple[int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{serving.port}{path}", data=data)
    if host:
        request.add_header("Host", host)
    if data is not None:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    if cookie:
        request.add_header("Cookie", cookie)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (http to our own server)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.django_db(transaction=True)
def test_error_pages_under_zhengwu_serve(server: Server, data_dir: Path) -> None:  # noqa: F811
    server.wait_healthy()
    assert_site_page(*_request(server, "/no-such-page/"), 404, "页面不存在")
    assert_site_page(*_request(server, "/", host="evil.example"), 400, "请求有误")
    assert_site_page(*_request(server, "/accounts/login/", b"username=a&password=b"), 403, "页面已过期，请刷新后重试")
    big = b"username=" + b"x" * OVERSIZED
    page = _request(server, "/accounts/login/", big, cookie=f"csrftoken={COOKIE_TOKEN}")
    assert_site_page(*page, 413, "提交的内容过大")
    # A view that fails (its table is gone) gets the site's 500 page from the served process too.
    database = data_dir / "zhengwu.sqlite3"
    with closing(sqlite3.connect(database)) as db:
        db.execute("ALTER TABLE disclosure_publication RENAME TO disclosure_publication_away")
    try:
        assert_site_page(*_request(server, "/disclosure/"), 500, "系统繁忙")
    finally:
        with closing(sqlite3.connect(database)) as db:
            db.execute("ALTER TABLE disclosure_publication_away RENAME TO disclosure_publication")
