"""The short-lived cache of public pages: only for visitors without a session, new at once after
any audited write, never for a logged-in user, one copy per display mode (长者模式, 高对比度)."""

from __future__ import annotations

import pytest
from django.test import Client

from zhengwu.accounts.models import Department, User
from zhengwu.catalog.models import Resource
from zhengwu.conftest import person_client
from zhengwu.portal import cache as page_cache
from zhengwu.portal.tests.conftest import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_on(settings: object, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.ZHENGWU_PAGE_CACHE_SECONDS = 30  # type: ignore[attr-defined]
    monkeypatch.setattr(page_cache, "HEAD_CHECK_SECONDS", 0.0)  # read the audit head on every request


def test_zero_seconds_turns_it_off(open_resource: Resource) -> None:
    Client().get("/")
    assert "X-Page-Cache" not in Client().get("/")


def test_on_by_default() -> None:
    from zhengwu import settings as project_settings

    assert project_settings.ZHENGWU_PAGE_CACHE_SECONDS == 30


def test_second_visitor_gets_the_cached_page(cache_on: None, open_resource: Resource) -> None:
    first = Client().get("/")
    second = Client().get("/")
    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    assert first.content == second.content
    assert "csrfmiddlewaretoken" not in second.content.decode()  # nothing of one visitor in it


def test_an_audited_write_makes_the_page_new_at_once(
    cache_on: None, open_resource: Resource, police_dept: Department
) -> None:
    assert "户籍业务办理网点信息" not in Client().get("/").content.decode()
    publish(police_dept, subitem="009", name="户籍业务办理网点信息")  # audited by the catalog's services
    response = Client().get("/")
    assert response["X-Page-Cache"] == "miss"
    assert "户籍业务办理网点信息" in response.content.decode()


@pytest.mark.parametrize(("cookie", "html_class"), [("zw_elder", "elder"), ("zw_contrast", "contrast")])
def test_each_display_mode_has_its_own_copy(
    cache_on: None, open_resource: Resource, cookie: str, html_class: str
) -> None:
    Client().get("/")
    other = Client()
    other.cookies[cookie] = "1"
    response = other.get("/")
    assert response["X-Page-Cache"] == "miss" and f'class="{html_class}' in response.content.decode()
    assert Client().get("/")["X-Page-Cache"] == "hit"


def test_a_logged_in_person_is_never_served_from_the_cache(
    cache_on: None, open_resource: Resource, citizen: User
) -> None:
    Client().get("/opendata/")
    client = person_client(citizen)
    for _ in range(2):
        response = client.get("/opendata/")
        assert "X-Page-Cache" not in response
        assert "退出" in response.content.decode()


def test_query_string_is_part_of_the_key(cache_on: None, open_resource: Resource) -> None:
    Client().get("/search/", {"q": "特种设备"})
    other = Client().get("/search/", {"q": "航天发射"})
    assert other["X-Page-Cache"] == "miss" and "没有找到" in other.content.decode()


def test_errors_are_not_cached(cache_on: None, market_dept: Department) -> None:
    assert Client().get("/departments/abc/").status_code == 404
    assert "X-Page-Cache" not in Client().get("/departments/abc/")


@pytest.mark.parametrize(("mode", "cookie"), [("elder", "zw_elder"), ("contrast", "zw_contrast")])
def test_display_switches_need_no_token(open_resource: Resource, mode: str, cookie: str) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/accessibility/{mode}/", HTTP_REFERER="http://testserver/opendata/")
    assert response.status_code == 302 and response["Location"] == "http://testserver/opendata/"
    assert response.cookies[cookie].value == "1"
    # A second press turns it off again.
    response = client.post(f"/accessibility/{mode}/", HTTP_REFERER="http://testserver/opendata/")
    assert response.cookies[cookie].value == "" and response.cookies[cookie]["max-age"] == 0


def test_the_audit_head_is_read_at_most_once_per_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[int] = []
    clock = [100.0]

    def head_seq() -> int:
        reads.append(1)
        return len(reads)

    monkeypatch.setattr(page_cache.audit_selectors, "head_seq", head_seq)
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(page_cache, "_head", {"seq": -1.0, "read_at": -1e9})
    assert page_cache.audit_head() == 1
    clock[0] += 0.5
    assert page_cache.audit_head() == 1 and len(reads) == 1
    clock[0] += 0.6
    assert page_cache.audit_head() == 2


def test_a_publication_page_is_served_from_the_cache(cache_on: None, market_dept: Department) -> None:
    from zhengwu.portal.tests.conftest import _publication

    publication = _publication(market_dept, "关于优化营商环境的实施意见")
    url = f"/disclosure/{publication.url_key}/"
    first, second = Client().get(url), Client().get(url)
    assert first.status_code == 200 and "关于优化营商环境的实施意见" in first.content.decode()
    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"


def test_a_catalog_resource_page_is_served_from_the_cache(cache_on: None, open_resource: Resource) -> None:
    url = f"/catalog/resource/{open_resource.code}/"
    first, second = Client().get(url), Client().get(url)
    assert first.status_code == 200 and open_resource.name in first.content.decode()
    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
