"""Open data (数据开放): the open resources, their downloads as CSV, Excel and JSON, and who may
download what — never an internal-network resource, never a personal item, a conditional
resource only after login."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client
from openpyxl import load_workbook

from zhengwu.accounts.models import Department, User
from zhengwu.catalog.models import FormatClass, Resource
from zhengwu.conftest import person_client
from zhengwu.exchange.store import open_data
from zhengwu.portal.tests.conftest import ROWS, publish

pytestmark = pytest.mark.django_db

OPEN_HEADER = ["使用登记证编号", "使用单位名称", "设备类别", "登记日期", "额定载荷"]


def _url(resource: Resource, fmt: str = "") -> str:
    return f"/opendata/{resource.code}/" + (f"data.{fmt}" if fmt else "")


def _body(response: object) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return response.content  # type: ignore[attr-defined]


def test_list_shows_open_resources_only(
    open_resource: Resource, conditional_resource: Resource, internal_resource: Resource, draft_resource: Resource
) -> None:
    response = Client().get("/opendata/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "特种设备使用登记信息" in body and "特种设备检验机构信息" in body
    assert "无条件开放" in body and "有条件开放" in body
    assert "特种设备内部核查信息" not in body and "特种设备草稿台账" not in body
    filtered = Client().get("/opendata/", {"q": "检验机构"}).content.decode()
    assert "特种设备检验机构信息" in filtered and "特种设备使用登记信息" not in filtered


def test_detail_describes_downloads_and_api(open_resource: Resource) -> None:
    body = Client().get(_url(open_resource)).content.decode()
    assert "共 3 条记录" in body
    for fmt in ("csv", "xlsx", "json"):
        assert f'href="{_url(open_resource, fmt)}"' in body
    assert f'curl "http://testserver/api/v1/catalog/resources/{open_resource.code}"' in body
    api = Client().get(f"/api/v1/catalog/resources/{open_resource.code}")  # the described call works
    assert api.status_code == 200 and api.json()["name"] == "特种设备使用登记信息"
    assert f'curl -o data.csv "http://testserver{_url(open_resource, "csv")}"' in body
    assert "使用单位联系人" not in body  # a personal item is not even listed


def test_csv_download_has_open_columns_and_every_row(open_resource: Resource) -> None:
    response = Client().get(_url(open_resource, "csv"))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = _body(response).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == OPEN_HEADER
    assert rows[1:] == [[r[0], r[1], r[3], r[4], r[5]] for r in ROWS]
    assert "王小明" not in text  # the personal item never leaves


def test_excel_download_opens(open_resource: Resource) -> None:
    response = Client().get(_url(open_resource, "xlsx"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(_body(response)), read_only=True)
    values = [list(row) for row in book.active.iter_rows(values_only=True)]
    assert values[0] == OPEN_HEADER
    assert len(values) == 4
    assert values[1][0] == "TS-0001" and values[1][4] == 1000
    assert str(values[1][3])[:10] == "2024-01-05"
    assert all("王小明" not in str(v) for row in values for v in row)


def test_json_download(open_resource: Resource) -> None:
    response = Client().get(_url(open_resource, "json"))
    assert response.status_code == 200 and response.streaming
    data = json.loads(_body(response))
    assert data["resource"]["code"] == open_resource.code
    assert data["resource"]["open_type"] == "无条件开放"
    assert [c["code"] for c in data["columns"]] == [
        "certificate_number",
        "user_name",
        "category",
        "registered_on",
        "load_kg",
    ]
    assert data["rows"][0] == {
        "certificate_number": "TS-0001",
        "user_name": "长春市第一百货有限公司",
        "category": "电梯",
        "registered_on": "2024-01-05",
        "load_kg": 1000,
    }
    assert data["rows"][1]["load_kg"] is None and len(data["rows"]) == 3


def test_rows_are_read_in_pages(open_resource: Resource) -> None:
    columns = open_data.open_columns(open_resource)
    assert [row[0] for row in open_data.open_rows(open_resource, columns, page=2)] == ["TS-0001", "TS-0002", "TS-0003"]


def test_empty_resource_downloads_a_header(market_dept: Department) -> None:
    resource = publish(market_dept, subitem="006", name="特种设备停用信息")
    rows = list(csv.reader(io.StringIO(_body(Client().get(_url(resource, "csv"))).decode("utf-8-sig"))))
    assert rows == [OPEN_HEADER]
    assert json.loads(_body(Client().get(_url(resource, "json"))))["rows"] == []


@pytest.mark.parametrize("zone", ["all", "external"])
@pytest.mark.parametrize("fmt", ["", "csv", "xlsx", "json"])
def test_internal_network_resource_is_never_served(
    internal_resource: Resource, open_resource: Resource, settings: object, zone: str, fmt: str
) -> None:
    settings.ZHENGWU_ZONE = zone  # type: ignore[attr-defined]
    response = Client().get(_url(internal_resource, fmt))
    assert response.status_code == 404
    assert "TS-0001" not in _body(response).decode("utf-8", "replace")
    assert Client().get(_url(open_resource, fmt)).status_code == 200  # the open one still is


@pytest.mark.parametrize("fmt", ["", "csv", "json"])
def test_draft_withdrawn_and_closed_resources_are_not_open(
    open_resource: Resource, draft_resource: Resource, fmt: str
) -> None:
    assert (
        Client().get(f"/opendata/{draft_resource.classification_code}/999/{'data.' + fmt if fmt else ''}").status_code
        == 404
    )
    Resource.objects.filter(pk=open_resource.pk).update(open_to_public=False)
    assert Client().get(_url(open_resource, fmt)).status_code == 404
    Resource.objects.filter(pk=open_resource.pk).update(open_to_public=True, state=Resource.State.WITHDRAWN)
    assert Client().get(_url(open_resource, fmt)).status_code == 404


def test_conditional_resource_needs_a_login(conditional_resource: Resource, citizen: User) -> None:
    anonymous = Client()
    detail = anonymous.get(_url(conditional_resource)).content.decode()
    assert "有条件开放" in detail and "仅用于科研和公益用途" in detail and "请先" in detail
    for fmt in ("csv", "xlsx", "json"):
        refused = anonymous.get(_url(conditional_resource, fmt))
        assert refused.status_code == 302 and refused["Location"].startswith("/accounts/login/")
    logged_in = person_client(citizen)
    response = logged_in.get(_url(conditional_resource, "csv"))
    assert response.status_code == 200
    assert len(list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig"))))) == 4


def test_a_resource_without_rows_offers_no_download(market_dept: Department) -> None:
    resource = publish(
        market_dept, subitem="007", name="特种设备安全宣传资料", format_class=FormatClass.FILE, key_item=""
    )
    assert "暂无可下载的数据文件" in Client().get(_url(resource)).content.decode()
    assert Client().get(_url(resource, "csv")).status_code == 404


@pytest.mark.parametrize("path", ["/opendata/abc/", "/opendata/1/2/data.csv", "/opendata/?provider=x&page=-1"])
def test_odd_paths_do_not_fail(path: str, open_resource: Resource) -> None:
    assert Client().get(path).status_code in (200, 404)
