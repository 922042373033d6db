"""Pages and API of the disclosure app against the people who may and may not use them."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from django.test import Client

from zhengwu.accounts.models import Department, User
from zhengwu.conftest import person_client, staff_client
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.disclosure import selectors
from zhengwu.disclosure.models import DisclosureRequest, Publication
from zhengwu.disclosure.services import ApplicantData
from zhengwu.disclosure.services import requests as rs
from zhengwu.disclosure.tests.conftest import published

pytestmark = pytest.mark.django_db


def table_row(page: str, marker: str) -> str:
    """The one table row (`<tr>…</tr>`) of `page` that contains `marker`."""
    rows = [row for row in re.findall(r"<tr>.*?</tr>", page, flags=re.DOTALL) if marker in row]
    assert len(rows) == 1, f"{marker} in {len(rows)} rows"
    return rows[0]


def test_citizen_files_online_and_follows_the_request(
    citizen: User, outsider: User, market_clerk: User, market_dept: Department
) -> None:
    client = person_client(citizen)
    form = client.get("/disclosure/requests/new/")
    assert form.status_code == 200 and "所需信息" in form.content.decode()
    response = client.post(
        "/disclosure/requests/new/",
        {
            "department": market_dept.pk,
            "applicant_kind": "citizen",
            "applicant_name": "张三",
            "phone": "13800138000",
            "description": "2025 年全省食品安全监督抽检结果",
            "delivery": "电子邮件",
        },
    )
    req = DisclosureRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/disclosure/requests/{req.pk}/"
    page = client.get(f"/disclosure/requests/{req.pk}/")
    assert req.number in page.content.decode() and "待确认收到" in page.content.decode()
    # Nobody else sees it.
    assert person_client(outsider).get(f"/disclosure/requests/{req.pk}/").status_code == 404
    assert Client().get(f"/disclosure/requests/{req.pk}/").status_code == 302  # to the login page
    assert person_client(outsider).post(f"/disclosure/requests/{req.pk}/withdraw/").status_code == 404
    req.refresh_from_db()
    assert req.state == "submitted"
    # The clerk confirms and asks for a correction through the workbench; the citizen corrects.
    clerk = staff_client(market_clerk)
    assert clerk.post(f"/workbench/disclosure/requests/{req.pk}/confirm/").status_code == 302
    assert (
        clerk.post(f"/workbench/disclosure/requests/{req.pk}/correction/", {"items": "请写明抽检批次"}).status_code
        == 302
    )
    req.refresh_from_db()
    assert req.state == "correction"
    original = req.description
    page = client.get(f"/disclosure/requests/{req.pk}/").content.decode()
    box = page.split('name="description"')[1].split("</textarea>")[0]
    assert original not in box  # the 补正 box starts empty: the original is not rewritten
    client.post(f"/disclosure/requests/{req.pk}/correct/", {"description": "2025 年第三批食品安全抽检结果"})
    req.refresh_from_db()
    assert req.state == "processing" and req.corrected_on is not None
    # The 补正 is added to the request: the original text is kept, both are shown.
    assert req.description == original and req.correction_text == "2025 年第三批食品安全抽检结果"
    for page in (
        client.get(f"/disclosure/requests/{req.pk}/").content.decode(),
        clerk.get(f"/workbench/disclosure/requests/{req.pk}/").content.decode(),
    ):
        assert original in page and "补正内容" in page and "2025 年第三批食品安全抽检结果" in page
    # An incomplete answer is shown beside the form and changes nothing.
    bad = clerk.post(
        f"/workbench/disclosure/requests/{req.pk}/answer/", {"kind": "already_public", "fee_basis": "none"}
    )
    assert bad.status_code == 200 and "获取该信息的方式和途径" in bad.content.decode()
    req.refresh_from_db()
    assert req.state == "processing"
    good = clerk.post(
        f"/workbench/disclosure/requests/{req.pk}/answer/",
        {
            "kind": "already_public",
            "public_location": "省市场监管厅网站“抽检信息”栏目",
            "fee_basis": "none",
            "pages": "0",
        },
    )
    assert good.status_code == 302
    text = client.get(f"/disclosure/requests/{req.pk}/").content.decode()
    assert "已主动公开" in text and "抽检信息" in text and "收到补正" in text


@pytest.mark.parametrize("who", ["police_clerk", "citizen", "anonymous", "sys_admin"])
def test_workbench_request_pages_refuse_others(
    who: str, request: pytest.FixtureRequest, market_clerk: User, market_dept: Department
) -> None:
    req = rs.request_register(
        actor=Actor.person(market_clerk),
        department=market_dept,
        channel="in_person",
        applicant=ApplicantData(name="刘明"),
        description="某文件",
    )
    if who == "anonymous":
        client = Client()
    elif who == "citizen":
        client = person_client(request.getfixturevalue(who))
    else:
        client = staff_client(request.getfixturevalue(who))
    expected = {"police_clerk": 404, "citizen": 403, "anonymous": 302, "sys_admin": 403}[who]
    assert client.get(f"/workbench/disclosure/requests/{req.pk}/").status_code == expected
    response = client.post(f"/workbench/disclosure/requests/{req.pk}/correction/", {"items": "补正"})
    assert response.status_code == expected
    req.refresh_from_db()
    assert req.state == "processing" and req.correction_items == ""


def test_staff_queue_and_todo(market_clerk: User, police_clerk: User, market_dept: Department) -> None:
    req = rs.request_register(
        actor=Actor.person(market_clerk),
        department=market_dept,
        channel="post",
        applicant=ApplicantData(name="刘明"),
        description="某文件",
        received_on=date(2026, 9, 25),
    )
    items = selectors.todo_items(market_clerk)
    assert [(i.kind_label, i.light, i.deadline) for i in items] == [("依申请公开", "red", date(2026, 10, 29))]
    assert selectors.todo_items(police_clerk) == []
    fresh = rs.request_register(
        actor=Actor.person(market_clerk),
        department=market_dept,
        channel="post",
        applicant=ApplicantData(name="王芳"),
        description="另一文件",
        received_on=workdays.today(),
    )
    page = staff_client(market_clerk).get("/workbench/disclosure/requests/")
    assert page.status_code == 200
    # The legend above the table names every light: look at each request's own row.
    overdue = table_row(page.content.decode(), req.number)
    assert 'class="light red">红灯<' in overdue and "绿灯" not in overdue
    on_time = table_row(page.content.decode(), fresh.number)
    assert 'class="light green">绿灯<' in on_time and "红灯" not in on_time
    assert req.number not in staff_client(police_clerk).get("/workbench/disclosure/requests/").content.decode()


def test_workbench_publication_journey(market_clerk: User, police_clerk: User, citizen: User) -> None:
    clerk = staff_client(market_clerk)
    form = {
        "title": "吉林省市场监督管理厅关于公布2026年第一批食品安全抽检结果的公告",
        "category": "licensing",
        "document_number": "吉市监通〔2026〕3号",
        "date_written": "2026-11-02",
        "subject_words": "食品安全 抽检",
        "validity": "valid",
        "body": "现将抽检结果公布如下。",
    }
    response = clerk.post("/workbench/disclosure/publications/new/", form)
    item = Publication.objects.get()
    assert response.status_code == 302
    # a renamed draft: the message names the title just saved, not the one the page was opened with
    renamed = {**form, "title": "吉林省市场监督管理厅关于公布2026年第一批食品安全抽检结果的通告"}
    saved = clerk.post(f"/workbench/disclosure/publications/{item.pk}/edit/", renamed, follow=True)
    assert f"已保存《{renamed['title']}》。" in saved.content.decode()
    assert staff_client(police_clerk).get(f"/workbench/disclosure/publications/{item.pk}/").status_code == 404
    assert staff_client(police_clerk).post(f"/workbench/disclosure/publications/{item.pk}/publish/").status_code == 404
    assert person_client(citizen).get("/workbench/disclosure/publications/").status_code == 403
    clerk.post(f"/workbench/disclosure/publications/{item.pk}/publish/")
    item.refresh_from_db()
    assert item.state == "published" and item.index_number == "11220000013544357T/2026-00001"
    assert Client().get(f"/disclosure/{item.index_number}/").status_code == 200
    bad = clerk.post("/workbench/disclosure/publications/new/", {"title": "", "category": "x"})
    assert bad.status_code == 200 and Publication.objects.count() == 1


def test_api(citizen: User, outsider: User, market_clerk: User, market_dept: Department) -> None:
    item = published(market_clerk, market_dept)
    anonymous = Client()
    listing = anonymous.get("/api/v1/disclosure/publications").json()
    assert [p["index_number"] for p in listing["items"]] == [item.index_number]
    found = anonymous.get("/api/v1/disclosure/publications", {"q": "营商环境"}).json()
    assert found["items"][0]["id"] == item.pk and found["items"][0]["score"] > 0
    assert anonymous.get(f"/api/v1/disclosure/publications/{item.pk}").json()["body"].startswith("为深入")
    assert anonymous.get("/api/v1/disclosure/publications", {"limit": 0}).status_code in (400, 422)
    body = {"agency": market_dept.pk, "description": "某企业行政处罚决定书"}
    assert (
        anonymous.post("/api/v1/disclosure/requests", json.dumps(body), content_type="application/json").status_code
        == 401
    )
    created = person_client(citizen).post(
        "/api/v1/disclosure/requests", json.dumps(body), content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["state"] == "submitted"
    rid = created.json()["id"]
    assert person_client(citizen).get(f"/api/v1/disclosure/requests/{rid}").status_code == 200
    assert person_client(outsider).get(f"/api/v1/disclosure/requests/{rid}").status_code == 404
    staff = staff_client(market_clerk).post(
        "/api/v1/disclosure/requests", json.dumps(body), content_type="application/json"
    )
    assert staff.status_code == 403
    bad = person_client(citizen).post(
        "/api/v1/disclosure/requests",
        json.dumps({"agency": 999999, "description": "x"}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and DisclosureRequest.objects.count() == 1
