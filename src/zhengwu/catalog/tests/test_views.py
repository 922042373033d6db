"""Catalog pages: the portal for everyone, the workbench for staff; each refused where it must be."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from openpyxl import load_workbook

from zhengwu.accounts.models import User
from zhengwu.catalog.models import Resource
from zhengwu.conftest import person_client, staff_client
from zhengwu.core.actors import Actor

pytestmark = pytest.mark.django_db


def _by_name(resources: list[Resource], name: str) -> Resource:
    return next(r for r in resources if r.name == name)


def test_portal_lists_only_open_resources_with_filters_and_search(base_catalog: list[Resource]) -> None:
    client = Client()
    page = client.get("/catalog/").content.decode()
    assert "法人单位基本信息" in page and "食品经营许可信息" in page
    assert "人口基础信息" not in page and "机动车驾驶证信息" not in page
    found = client.get("/catalog/", {"q": "法定代表人"}).content.decode()
    assert "法人单位基本信息" in found and "食品经营许可信息" not in found
    legal = _by_name(base_catalog, "法人单位基本信息")
    by_class = client.get("/catalog/", {"class": "department"}).content.decode()
    assert "食品经营许可信息" in by_class and "法人单位基本信息" not in by_class
    by_provider = client.get("/catalog/", {"provider": legal.provider_id}).content.decode()
    assert "法人单位基本信息" in by_provider


def test_portal_resource_page_and_refusals(base_catalog: list[Resource], citizen: User) -> None:
    legal = _by_name(base_catalog, "法人单位基本信息")
    people = _by_name(base_catalog, "人口基础信息")
    response = Client().get(f"/catalog/resource/{legal.code}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "法定代表人" in body and "无条件共享" in body and f"/api/v1/exchange/{legal.code}/records" in body
    assert Client().get(f"/catalog/resource/{people.code}/").status_code == 404
    assert person_client(citizen).get(f"/catalog/resource/{people.code}/").status_code == 404


def test_dcat_and_exports(base_catalog: list[Resource]) -> None:
    client = Client()
    dcat = client.get("/catalog/dcat.jsonld")
    assert dcat["Content-Type"].startswith("application/ld+json")
    body = json.loads(dcat.content)
    assert body["@type"] == "dcat:Catalog"
    codes = {d["dct:identifier"] for d in body["dcat:dataset"]}
    legal = _by_name(base_catalog, "法人单位基本信息")
    assert legal.code in codes and _by_name(base_catalog, "人口基础信息").code not in codes
    dataset = next(d for d in body["dcat:dataset"] if d["dct:identifier"] == legal.code)
    assert dataset["dcat:distribution"][0]["dcat:accessURL"]["@id"].endswith(f"/api/v1/exchange/{legal.code}/records")
    assert "法定代表人" in dataset["dcat:keyword"]
    exported = json.loads(client.get("/catalog/export.json").content)
    assert {r["code"] for r in exported["resources"]} == codes
    xlsx = client.get("/catalog/export.xlsx")
    assert xlsx["Content-Disposition"].startswith("attachment")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book["信息资源"].max_row == len(codes) + 1


@pytest.mark.parametrize("path", ["/workbench/catalog/", "/workbench/catalog/review/", "/workbench/catalog/new/"])
def test_workbench_refuses_anonymous_and_citizens(path: str, citizen: User) -> None:
    assert Client().get(path).status_code == 302
    assert person_client(citizen).get(path).status_code == 403


def test_staff_see_all_published_and_only_their_drafts(
    base_catalog: list[Resource], market_officer: User, police_officer: User, police_clerk: User
) -> None:
    from zhengwu.catalog import services
    from zhengwu.catalog.tests.conftest import license_data, license_items

    assert market_officer.department is not None
    draft = services.resource_create(
        actor=Actor.person(market_officer),
        provider=market_officer.department,
        data=license_data(),
        items=license_items(),
    )
    market = staff_client(market_officer)
    listing = market.get("/workbench/catalog/").content.decode()
    assert "人口基础信息" in listing and "特种设备使用登记信息" in listing
    assert market.get(f"/workbench/catalog/{draft.pk}/").status_code == 200
    police = staff_client(police_officer)
    assert "特种设备使用登记信息" not in police.get("/workbench/catalog/").content.decode()
    assert police.get(f"/workbench/catalog/{draft.pk}/").status_code == 404
    assert police.get(f"/workbench/catalog/{draft.pk}/edit/").status_code == 404
    assert staff_client(police_clerk).get("/workbench/catalog/new/").status_code == 403
    assert police.post(f"/workbench/catalog/{draft.pk}/submit/").status_code == 404


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "name": "广告发布登记信息",
        "catalog_class": "department",
        "category": "3",
        "item": "01",
        "subitem": "003",
        "summary": "广告发布单位的登记证号、单位名称和登记机关。",
        "format_class": "database",
        "share_type": "unconditional",
        "share_method": "api",
        "update_cycle": "monthly",
        "zone": "internal",
        "key_item": "registration_number",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "300",
        "items-0-name": "登记证号",
        "items-0-code": "registration_number",
        "items-0-data_type": "string",
        "items-0-required": "on",
        "items-1-name": "单位名称",
        "items-1-code": "org_name",
        "items-1-data_type": "string",
        "items-2-data_type": "string",
    }
    data.update(overrides)
    return data


def test_officer_creates_submits_and_egov_publishes_through_the_pages(market_officer: User, egov: User) -> None:
    officer = staff_client(market_officer)
    bad = officer.post("/workbench/catalog/new/", _form(**{"items-1-code": "Org-Name"}))
    assert bad.status_code == 200 and "须以小写字母开头" in bad.content.decode()
    assert not Resource.objects.exists()
    created = officer.post("/workbench/catalog/new/", _form())
    resource = Resource.objects.get()
    assert created.status_code == 302 and resource.items.count() == 2
    edit = officer.get(f"/workbench/catalog/{resource.pk}/edit/")
    assert "registration_number" in edit.content.decode()
    officer.post(f"/workbench/catalog/{resource.pk}/submit/")
    reviewer = staff_client(egov)
    assert "广告发布登记信息" in reviewer.get("/workbench/catalog/review/").content.decode()
    assert officer.get("/workbench/catalog/review/").status_code == 403
    assert officer.post(f"/workbench/catalog/{resource.pk}/approve/").status_code == 403
    reviewer.post(f"/workbench/catalog/{resource.pk}/approve/", {"reason": ""})
    reviewer.post(f"/workbench/catalog/{resource.pk}/publish/")
    resource.refresh_from_db()
    assert resource.state == Resource.State.PUBLISHED and resource.code == "301003/001"
    page = officer.get(f"/workbench/catalog/{resource.pk}/").content.decode()
    assert "第 1 版" in page
    assert officer.get(f"/workbench/catalog/{resource.pk}/versions/1/").status_code == 200


def test_reject_without_reason_shows_the_error(market_officer: User, egov: User) -> None:
    officer = staff_client(market_officer)
    officer.post("/workbench/catalog/new/", _form())
    resource = Resource.objects.get()
    officer.post(f"/workbench/catalog/{resource.pk}/submit/")
    response = staff_client(egov).post(f"/workbench/catalog/{resource.pk}/reject/", {"reason": ""}, follow=True)
    assert "请填写退回理由" in response.content.decode()
    resource.refresh_from_db()
    assert resource.state == Resource.State.SUBMITTED


def test_workbench_exports_and_template(base_catalog: list[Resource], police_clerk: User) -> None:
    client = staff_client(police_clerk)
    exported = json.loads(client.get("/workbench/catalog/export.json").content)
    assert "人口基础信息" in {r["name"] for r in exported["resources"]}
    template = load_workbook(io.BytesIO(client.get("/workbench/catalog/template.xlsx").content))
    assert template.sheetnames[:2] == ["信息资源", "信息项"]
    assert [c.value for c in template["信息资源"][1]][:2] == ["资源名称", "目录类别"]


def test_revision_through_the_pages_keeps_versions(
    base_catalog: list[Resource], market_officer: User, egov: User
) -> None:
    legal = _by_name(base_catalog, "法人单位基本信息")
    officer = staff_client(market_officer)
    assert staff_client(egov).post(f"/workbench/catalog/{legal.pk}/revise/").status_code == 403
    officer.post(f"/workbench/catalog/{legal.pk}/revise/")
    revision = Resource.objects.get(revision_of=legal)
    assert "修订中的新版本" in officer.get(f"/workbench/catalog/{legal.pk}/").content.decode()
    officer.post(f"/workbench/catalog/{revision.pk}/submit/")
    reviewer = staff_client(egov)
    reviewer.post(f"/workbench/catalog/{revision.pk}/approve/")
    reviewer.post(f"/workbench/catalog/{revision.pk}/publish/")
    legal.refresh_from_db()
    assert legal.version == 2 and not Resource.objects.filter(pk=revision.pk).exists()
    assert officer.get(f"/workbench/catalog/{legal.pk}/versions/1/").status_code == 200
    assert Client().get(f"/catalog/resource/{legal.code}/").status_code == 200
    officer.post(f"/workbench/catalog/{legal.pk}/withdraw/", {"reason": "机构改革，职能划转"})
    legal.refresh_from_db()
    assert legal.state == Resource.State.WITHDRAWN
    assert Client().get(f"/catalog/resource/{legal.code}/").status_code == 404
