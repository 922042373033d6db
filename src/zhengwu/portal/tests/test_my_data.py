"""我的数据 (个人信息保护法, docs/rules.md §16): a citizen sees and exports what the platform holds
about them, asks for a correction of base data (a 纠错 to the provider), and closes the account."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from openpyxl import load_workbook

from zhengwu.accounts import services as account_services
from zhengwu.accounts.errors import AccountsError
from zhengwu.accounts.models import User
from zhengwu.audit.models import AuditEvent
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.conftest import PASSWORD, person_client
from zhengwu.core.actors import Actor
from zhengwu.core.tests.plain_check import check_plain
from zhengwu.eservices.tests import conftest as eservices_fixtures
from zhengwu.exchange.sharing.models import Objection
from zhengwu.exchange.store import tables as store
from zhengwu.participation import services as participation
from zhengwu.supervision.models import Timer

pytestmark = pytest.mark.django_db
bases = eservices_fixtures.bases  # the 人口 base holding 张三 (the cast's citizen)


@pytest.fixture
def letter_of(citizen: User, egov: User) -> Any:
    created, _ = participation.letter_submit(
        actor=Actor.person(citizen), channel="mayor", kind="complain", title="饭店油烟扰民",
        content="楼下饭店油烟直排。", consent_publish=False, writer_address="幸福路8号",
    )  # fmt: skip
    return created


def test_the_page_shows_the_account_status_and_every_section(citizen: User, letter_of: Any) -> None:
    page = person_client(citizen).get("/my/data/").content.decode()
    assert "已通过实名核验" in page and citizen.username in page
    for title in (
        "账号信息",
        "办件",
        "好差评",
        "政府信息公开申请",
        "来信",
        "问卷答卷",
        "谁用了我的数据",
        "基础信息更正申请",
    ):
        assert f"{title}（" in page, title
    assert "饭店油烟扰民" in page and "幸福路8号" in page
    citizen.identity_verified = False
    citizen.save()
    assert "未实名核验" in person_client(citizen).get("/my/data/").content.decode()


def test_export_as_json_and_excel(citizen: User, letter_of: Any) -> None:
    client = person_client(citizen)
    data = json.loads(client.get("/my/data/export.json").content)
    assert data["account"]["rows"][0]["公民身份号码"] == citizen.id_number
    assert data["letters"]["rows"][0]["标题"] == "饭店油烟扰民"
    assert {"applications", "ratings", "disclosure_requests", "comments", "survey_answers", "data_use"} <= set(data)
    response = client.get("/my/data/export.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    assert "来信" in workbook.sheetnames
    assert workbook["账号信息"]["A2"].value == citizen.username
    assert response["Cache-Control"] == "no-store"


def test_staff_and_visitors_have_no_such_page(market_clerk: User) -> None:
    assert Client().get("/my/data/").status_code == 302
    from zhengwu.conftest import staff_client

    assert staff_client(market_clerk).get("/my/data/").status_code == 404


def test_a_correction_request_becomes_an_objection_to_the_provider(
    citizen: User, bases: dict[str, Any], police_dept: Any
) -> None:
    client = person_client(citizen)
    response = client.post(
        "/my/data/correction/", {"field": "household_address", "evidence": "户籍已迁至长春市朝阳区。"}
    )
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert objection.consumer is None and objection.record_key == citizen.id_number
    assert objection.resource.provider == police_dept and objection.raised_by == citizen
    assert store.get_record(bases["person"], citizen.id_number)["_disputed"]  # type: ignore[index]
    assert Timer.objects.filter(department=police_dept, state="running").exists()
    assert "户籍已迁至" in client.get("/my/data/").content.decode()
    wrong = client.post("/my/data/correction/", {"field": "nonsense", "evidence": "x"})
    assert wrong.status_code == 400


def test_closing_the_account(citizen: User, letter_of: Any) -> None:
    client = person_client(citizen)
    other = person_client(citizen)  # a second session, on another device
    assert Session.objects.count() == 2
    refused_write(
        lambda: account_services.account_close(actor=Actor.person(citizen), password="wrong-password"),
        models=[User],
        rows=[citizen],
        code=AccountsError.WRONG_PASSWORD,
    )
    response = client.post("/my/data/close/", {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.closed_at is not None and not citizen.is_active
    assert (citizen.real_name, citizen.id_number, citizen.phone, citizen.id_number_index) == ("", "", "", "")
    assert citizen.username.startswith("closed-") and not citizen.has_usable_password()
    assert Session.objects.count() == 0 and other.get("/my/data/").status_code == 302
    # What the law keeps is kept: the letter (with what was written in it) and the audit log.
    letter_of.refresh_from_db()
    assert letter_of.writer_id == citizen.pk and letter_of.title == "饭店油烟扰民"
    assert AuditEvent.objects.filter(action="accounts.user.close", outcome="success").count() == 1
    # The closed account cannot log in, under either name.
    for name in ("citizen_zhang", citizen.username):
        login = Client().post("/accounts/login/", {"username": name, "password": PASSWORD})
        assert login.status_code == 200 and not login.wsgi_request.user.is_authenticated


def test_my_data_in_plain_words_and_in_the_account_menu(citizen: User, bases: Any) -> None:
    """长者模式 says 我的信息 for 我的数据 (core/plain_words.py); the account menu links the page on every page."""
    web = person_client(citizen)
    assert 'href="/my/data/"' in web.get("/").content.decode()
    check_plain(web, "/my/data/", ["我的数据", "导出全部数据", "谁用了我的数据", "申请更正基础信息", "实名状态"])
