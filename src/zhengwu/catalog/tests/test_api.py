"""/api/v1/catalog against the public, people, department systems and bad credentials."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from zhengwu.accounts import services as account_services
from zhengwu.accounts.models import ApiClient, Department, User
from zhengwu.catalog.models import Resource
from zhengwu.conftest import person_client, staff_client
from zhengwu.core.actors import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def tax_system(sys_admin: User, police_dept: Department) -> str:
    _, token = account_services.apiclient_create(
        actor=Actor.person(sys_admin),
        name="金盾工程",
        department=police_dept,
        scopes=[ApiClient.Scope.EXCHANGE_QUERY],
        expires_at=timezone.now() + timedelta(days=30),
    )
    return token


def _codes(response: object) -> set[str]:
    return {item["code"] for item in response.json()["items"]}  # type: ignore[attr-defined]


def _code(resources: list[Resource], name: str) -> str:
    return next(r.code for r in resources if r.name == name and r.code)


def test_public_sees_open_resources_only(base_catalog: list[Resource], citizen: User) -> None:
    for client in (Client(), person_client(citizen)):
        codes = _codes(client.get("/api/v1/catalog/resources"))
        assert _code(base_catalog, "法人单位基本信息") in codes
        assert _code(base_catalog, "人口基础信息") not in codes
    people = _code(base_catalog, "人口基础信息")
    response = Client().get(f"/api/v1/catalog/resources/{people}")
    assert response.status_code == 404 and response.json()["code"] == "core.not_found"


def test_detail_takes_the_code_with_its_slash(base_catalog: list[Resource]) -> None:
    legal = _code(base_catalog, "法人单位基本信息")
    body = Client().get(f"/api/v1/catalog/resources/{legal}").json()
    assert body["code"] == legal and body["api_url"] == f"/api/v1/exchange/{legal}/records"
    assert [i["code"] for i in body["items"]][:3] == ["credit_code", "org_name", "legal_representative"]
    assert body["freshness"] == {"score": 0, "label": "尚无数据"}
    assert Client().get(f"/api/v1/catalog/resources/{legal.replace('/', '%2F')}").status_code == 200


def test_staff_and_systems_see_every_published_resource(
    base_catalog: list[Resource], police_clerk: User, tax_system: str
) -> None:
    people = _code(base_catalog, "人口基础信息")
    assert people in _codes(staff_client(police_clerk).get("/api/v1/catalog/resources"))
    system = Client(HTTP_AUTHORIZATION=f"Bearer {tax_system}")
    assert people in _codes(system.get("/api/v1/catalog/resources"))
    assert system.get(f"/api/v1/catalog/resources/{people}").status_code == 200


@pytest.mark.parametrize("header", ["Bearer zw_deadbeef_wrong", "Bearer not-a-token", "Basic abc"])
def test_bad_credentials_are_401_not_anonymous(header: str, base_catalog: list[Resource]) -> None:
    response = Client(HTTP_AUTHORIZATION=header).get("/api/v1/catalog/resources")
    assert response.status_code == 401
    assert response.json() == {"code": "core.not_authenticated", "message": "需要有效的身份凭证。", "fields": {}}


def test_filters_search_and_keyset_pages(base_catalog: list[Resource], market_dept: Department) -> None:
    client = Client()
    first = client.get("/api/v1/catalog/resources", {"limit": 1}).json()
    assert len(first["items"]) == 1 and first["next_after"] == first["items"][0]["id"]
    second = client.get("/api/v1/catalog/resources", {"limit": 1, "after": first["next_after"]}).json()
    assert second["items"][0]["id"] > first["items"][0]["id"]
    theirs = _codes(client.get("/api/v1/catalog/resources", {"provider": market_dept.credit_code}))
    assert theirs == {_code(base_catalog, "法人单位基本信息"), _code(base_catalog, "食品经营许可信息")}
    found = client.get("/api/v1/catalog/resources", {"q": "食品经营许可"}).json()["items"]
    assert found[0]["name"] == "食品经营许可信息" and found[0]["score"] > 0
    bad = client.get("/api/v1/catalog/resources", {"catalog_class": "secret", "limit": 0})
    assert bad.status_code == 400 and bad.json()["code"] == "core.invalid_input"


def test_unpublished_drafts_stay_with_their_department(market_officer: User, police_clerk: User) -> None:
    from zhengwu.catalog import services
    from zhengwu.catalog.tests.conftest import license_data, license_items

    assert market_officer.department is not None
    draft = services.resource_create(
        actor=Actor.person(market_officer),
        provider=market_officer.department,
        data=license_data(),
        items=license_items(),
    )
    mine = staff_client(market_officer).get("/api/v1/catalog/resources").json()["items"]
    assert [i["id"] for i in mine] == [draft.pk]
    assert staff_client(police_clerk).get("/api/v1/catalog/resources").json()["items"] == []


@pytest.mark.parametrize("code", ["\x00", "abc", "101001/001\x00", "1/1", "../../etc"])
def test_malformed_codes_are_simply_not_found(code: str) -> None:
    assert Client().get(f"/api/v1/catalog/resources/{code}").status_code == 404
    assert Client().get(f"/catalog/resource/{code}/").status_code == 404
