"""Excel import of a department's catalog: all or nothing, row-level errors, round trip."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from zhengwu.accounts.models import User
from zhengwu.catalog.errors import CatalogError
from zhengwu.catalog.exchange_formats import catalog_import_excel, catalog_workbook
from zhengwu.catalog.models import Resource
from zhengwu.conftest import staff_client
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError

pytestmark = pytest.mark.django_db

RESOURCE = ["广告发布登记信息", "部门信息资源", "3", "01", "004", "", "广告发布单位登记信息。", "数据库", "无条件共享"]
RESOURCE += ["", "接口调用", "", "否", "", "每月", "政务内网", "否", "registration_number", ""]


def _book(resource_rows: list[list[str]], item_rows: list[list[str]]) -> bytes:
    book = load_workbook(io.BytesIO(catalog_workbook()))
    for row in resource_rows:
        book["信息资源"].append(row)
    for row in item_rows:
        book["信息项"].append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ITEMS = [
    ["广告发布登记信息", "登记证号", "registration_number", "字符串", "", "30", "是", "否", "否", ""],
    ["广告发布登记信息", "单位名称", "org_name", "字符串", "", "", "是", "否", "否", ""],
    ["广告发布登记信息", "登记状态", "status", "枚举", "有效、注销", "", "否", "否", "否", ""],
]


def test_import_creates_drafts(market_officer: User) -> None:
    result = catalog_import_excel(actor=Actor.person(market_officer), content=_book([RESOURCE], ITEMS))
    resource = Resource.objects.get()
    assert result.created == [resource] and resource.state == Resource.State.DRAFT
    assert list(resource.items.values_list("code", flat=True)) == ["registration_number", "org_name", "status"]
    assert resource.items.get(code="status").enum_values == ["有效", "注销"]


def test_bad_cells_are_reported_by_row_and_nothing_is_written(market_officer: User) -> None:
    bad = list(RESOURCE)
    bad[14] = "每两天"
    with pytest.raises(ApplicationError) as caught:
        catalog_import_excel(actor=Actor.person(market_officer), content=_book([RESOURCE, bad], ITEMS))
    errors = list(caught.value.fields.values())
    assert "「信息资源」第 3 行「更新周期」：“每两天”不是有效值，应为 实时、每日、每周、每月、每季度、每年。" in errors
    assert any("第 3 行「资源名称」" in e for e in errors)
    assert not Resource.objects.exists()


def test_service_rule_errors_point_at_the_item_row(market_officer: User) -> None:
    items = [*ITEMS, ["广告发布登记信息", "备注", "Bad Code", "字符串", "", "", "否", "否", "否", ""]]
    with pytest.raises(ApplicationError) as caught:
        catalog_import_excel(actor=Actor.person(market_officer), content=_book([RESOURCE], items))
    assert caught.value.code == CatalogError.IMPORT_FAILED
    assert any(e.startswith("「信息项」第 5 行") for e in caught.value.fields.values())
    assert not Resource.objects.exists()


def test_export_imports_back(base_catalog: list[Resource], market_officer: User) -> None:
    mine = [r for r in base_catalog if r.provider_id == market_officer.department_id]
    content = catalog_workbook(mine)
    Resource.objects.filter(provider_id=market_officer.department_id).update(name="旧")
    for resource in mine:  # free the names: authority claims follow the published rows
        resource.items.update(is_authoritative=False)
    result = catalog_import_excel(actor=Actor.person(market_officer), content=content)
    assert {r.name for r in result.created} == {r.name for r in mine}


def test_not_xlsx_and_refused_people(market_officer: User, police_clerk: User) -> None:
    with pytest.raises(ApplicationError) as caught:
        catalog_import_excel(actor=Actor.person(market_officer), content=b"name,code\n")
    assert caught.value.code == CatalogError.IMPORT_FAILED
    with pytest.raises(ApplicationError) as caught:
        catalog_import_excel(actor=Actor.person(police_clerk), content=_book([RESOURCE], ITEMS))
    assert caught.value.code == "core.permission_denied"


def test_import_page(market_officer: User, police_clerk: User) -> None:
    client = staff_client(market_officer)
    bad = list(RESOURCE)
    bad[8] = "随便共享"
    upload = SimpleUploadedFile("catalog.xlsx", _book([bad], ITEMS))
    page = client.post("/workbench/catalog/import/", {"file": upload}).content.decode()
    assert "「共享类型」：“随便共享”不是有效值" in page
    upload = SimpleUploadedFile("catalog.xlsx", _book([RESOURCE], ITEMS))
    assert client.post("/workbench/catalog/import/", {"file": upload}).status_code == 302
    assert Resource.objects.count() == 1
    assert staff_client(police_clerk).get("/workbench/catalog/import/").status_code == 403
