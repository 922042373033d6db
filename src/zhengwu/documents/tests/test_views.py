"""Workbench pages and the public verify page."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from zhengwu.accounts.models import Department, User
from zhengwu.conftest import staff_client
from zhengwu.core import workdays
from zhengwu.documents import storage
from zhengwu.documents.models import Delivery, Document
from zhengwu.documents.tests.conftest import issued
from zhengwu.workbench.todo import todo_list

pytestmark = pytest.mark.django_db


def test_draft_to_issue_through_the_pages(
    market_clerk: User, market_leader: User, market_dept: Department, police_dept: Department, police_clerk: User
) -> None:
    clerk, leader = staff_client(market_clerk), staff_client(market_leader)
    assert clerk.get(reverse("documents_wb:document_new") + "?kind=request").status_code == 200
    response = clerk.post(
        reverse("documents_wb:document_new"),
        {
            "kind": "notice",
            "number_prefix": "吉市监发",
            "title": "关于做好节日期间市场监管工作的通知",
            "body": "各单位：要做好工作。",
        },
    )
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("documents_wb:document", args=[document.pk])
    act = lambda client, verb, **data: client.post(  # noqa: E731
        reverse("documents_wb:document_action", args=[document.pk, verb]), data
    )
    act(clerk, "submit")
    act(leader, "send_back", comment="请写明时间。")
    clerk.post(
        reverse("documents_wb:document_edit", args=[document.pk]),
        {
            "kind": "notice",
            "number_prefix": "吉市监发",
            "title": "关于做好节日期间市场监管工作的通知",
            "body": "各单位：国庆期间要做好工作。",
            "note": "补时间",
        },
    )
    act(clerk, "submit")
    act(leader, "approve")
    act(clerk, "to_signer")
    assert any(i.kind_label == "公文签发" for i in todo_list(market_leader))
    act(clerk, "sign")  # refused: not a leader
    document.refresh_from_db()
    assert document.state == "signing"
    act(leader, "sign")
    act(clerk, "check")
    act(clerk, "register", main=[police_dept.pk], copies="10")
    act(clerk, "print")
    act(clerk, "issue")
    document.refresh_from_db()
    assert document.state == "issued" and document.number == "吉市监发〔2026〕1号"
    page = clerk.get(reverse("documents_wb:document", args=[document.pk]))
    assert "吉林省公安厅" in page.content.decode() and "第2稿" in page.content.decode()
    pdf = clerk.get(reverse("documents_wb:document_file", args=[document.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # the recipient
    police = staff_client(police_clerk)
    inbox = police.get(reverse("documents_wb:inbox"))
    assert "关于做好节日期间市场监管工作的通知" in inbox.content.decode()
    assert any(i.kind_label == "公文签收" for i in todo_list(police_clerk))
    delivery = Delivery.objects.get()
    police.post(reverse("documents_wb:delivery_action", args=[delivery.pk, "sign"]))
    delivery.refresh_from_db()
    assert delivery.state == "signed"
    status = clerk.get(reverse("documents_wb:document", args=[document.pk])).content.decode()
    assert "已签收" in status and "公安厅李科员" in status


def test_other_departments_see_nothing(
    market_clerk: User, market_leader: User, market_dept: Department, police_dept: Department, police_clerk: User
) -> None:
    document = issued(market_clerk, market_leader, market_dept, [police_dept])
    other = staff_client(police_clerk)
    assert other.get(reverse("documents_wb:document", args=[document.pk])).status_code == 404
    assert market_clerk  # the sender sees the delivery, the recipient sees its own
    delivery = Delivery.objects.get()
    assert other.get(reverse("documents_wb:delivery", args=[delivery.pk])).status_code == 200
    assert Client().get(reverse("documents_wb:inbox")).status_code in (302, 403)


def test_search_and_export(
    market_clerk: User, market_leader: User, market_dept: Department, police_dept: Department
) -> None:
    issued(market_clerk, market_leader, market_dept, [police_dept])
    client = staff_client(market_clerk)
    found = client.get(reverse("documents_wb:search"), {"q": "食品安全"}).content.decode()
    assert "吉市监发〔2026〕1号" in found
    assert (
        "吉市监发"
        not in client.get(reverse("documents_wb:search"), {"q": "户籍管理"}).content.decode().split("<table")[1]
    )
    export = client.get(reverse("documents_wb:search"), {"q": "食品安全", "format": "xlsx"})
    assert export.status_code == 200 and export.content[:2] == b"PK"
    page = client.get(reverse("documents_wb:statistics"))
    assert page.status_code == 200
    chart = page.context["chart"]
    month = workdays.today().month
    assert chart["sent"][month - 1] == 1 and sum(chart["sent"]) == 1
    assert chart["units"] == [police_dept.name] and chart["delivered"] == [1] and chart["signed"] == [0]
    assert 'data-chart="documents_months"' in page.content.decode()
    book = client.get(reverse("documents_wb:statistics"), {"format": "xlsx"})
    assert book.status_code == 200
    sheets = load_workbook(io.BytesIO(book.content))
    assert [c.value for c in sheets["各单位签收"][2]][:3] == [police_dept.name, 1, 0]
    assert sheets["按月发文收文"].max_row == 13


def test_public_verify_page(
    market_clerk: User, market_leader: User, market_dept: Department, police_dept: Department
) -> None:
    document = issued(market_clerk, market_leader, market_dept, [police_dept])
    content, seal_bytes = storage.read(document.file_path), storage.read(document.seal_path)
    client = Client()
    good = client.post(
        reverse("documents:verify"),
        {"document": SimpleUploadedFile("a.pdf", content), "seal": SimpleUploadedFile("a.json", seal_bytes)},
    ).content.decode()
    assert "印章有效" in good and "吉林省市场监督管理厅" in good
    bad = client.post(
        reverse("documents:verify"),
        {
            "document": SimpleUploadedFile("a.pdf", content[:-1] + b"X"),
            "seal": SimpleUploadedFile("a.json", seal_bytes),
        },
    ).content.decode()
    assert "印章无效" in bad
