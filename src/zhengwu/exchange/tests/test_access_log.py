"""The access log: a verifiable SM3 chain (checked by `zhengwu audit verify`), the viewer and its
export for providers, and the citizen's page that shows who read their records — and nobody else's."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from openpyxl import load_workbook

from zhengwu.accounts.models import User
from zhengwu.conftest import PASSWORD, person_client, staff_client
from zhengwu.exchange.sharing import access_log_verify
from zhengwu.exchange.sharing.models import AccessLog, Grant
from zhengwu.exchange.tests import test_sharing_helpers as helpers
from zhengwu.exchange.tests.test_query import get, record_path
from zhengwu.exchange.tests.test_sharing_helpers import CITIZEN_ID, OTHER_ID, PURPOSE

people, market_grant = helpers.people, helpers.market_grant
market_token, police_token = helpers.market_token, helpers.police_token

pytestmark = pytest.mark.django_db


def drop_guards() -> None:
    from zhengwu.exchange.tests.test_access_log_staging import drop_guards as drop

    drop()


def verify() -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_the_chain_verifies_and_a_tampered_entry_is_caught(market_grant: Grant, market_token: str) -> None:
    for key in (CITIZEN_ID, OTHER_ID, CITIZEN_ID):
        get(market_token, record_path("101001/001", key))
    assert access_log_verify.verify_chain(batch_size=2).ok
    code, out, _ = verify()
    assert code == 0 and "共享访问日志完整：共校验 3 条" in out
    drop_guards()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE exchange_accesslog SET purpose = %s WHERE seq = 2", ["其他用途"])
    result = access_log_verify.verify_chain()
    assert not result.ok and result.first_bad_seq == 2
    code, out, err = verify()
    assert code == 1 and "共享访问日志在第 2 条处被篡改" in err
    assert "审计日志完整" in out  # the audit chain itself is intact and still reported


def test_a_deleted_entry_and_a_cut_end_are_caught(market_grant: Grant, market_token: str) -> None:
    for _ in range(3):
        get(market_token, record_path("101001/001", CITIZEN_ID))
    drop_guards()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM exchange_accesslogsubject WHERE log_id = 3")
        cursor.execute("DELETE FROM exchange_accesslog WHERE seq = 3")
    result = access_log_verify.verify_chain()
    assert not result.ok and "截断" in result.reason


def test_entries_cannot_be_changed_through_the_orm(market_grant: Grant, market_token: str) -> None:
    get(market_token, record_path("101001/001", CITIZEN_ID))
    entry = AccessLog.objects.get()
    with pytest.raises(Exception, match="只能追加"):
        entry.save()
    with pytest.raises(Exception, match="只能追加"):
        AccessLog.objects.update(purpose="x")


def test_a_citizen_sees_who_read_their_records(market_grant: Grant, market_token: str, citizen: User) -> None:
    get(market_token, record_path("101001/001", CITIZEN_ID))
    get(market_token, "101001/001/records", xm="张三")
    get(market_token, record_path("101001/001", OTHER_ID))
    get(market_token, record_path("101001/001", CITIZEN_ID), purpose="其他用途")  # denied: not a read
    response = person_client(citizen).get("/my/data-use/")
    assert response.status_code == 200
    reads = response.context["reads"]
    assert len(reads) == 2
    assert {r.department for r in reads} == {"吉林省市场监督管理厅"}
    assert {r.purpose for r in reads} == {PURPOSE}
    assert "吉林省市场监督管理厅" in response.content.decode()


def test_another_citizen_sees_nothing_of_it(market_grant: Grant, market_token: str, outsider: User) -> None:
    get(market_token, record_path("101001/001", CITIZEN_ID))
    other = User.objects.create_user(
        username="citizen_li",
        password=PASSWORD,
        kind=User.Kind.CITIZEN,
        real_name="李四",
        id_number="110101199003070017",
    )
    for person in (other, outsider):
        response = person_client(person).get("/my/data-use/")
        assert response.status_code == 200
        assert response.context["reads"] == []


def test_the_citizen_page_needs_a_login() -> None:
    from django.test import Client

    response = Client().get("/my/data-use/")
    assert response.status_code == 302


def test_provider_views_and_exports_the_log_of_its_resources(
    market_grant: Grant, market_token: str, police_token: str, police_officer: User, market_clerk: User
) -> None:
    get(market_token, record_path("101001/001", CITIZEN_ID))
    get(police_token, record_path("102001/009", "x"))  # another department's failed call, on no resource of 公安厅
    client = staff_client(police_officer)
    page = client.get("/workbench/exchange/sharing/access-log/")
    assert page.status_code == 200
    rows = list(page.context["page"])
    assert [r.resource_code for r in rows] == ["101001/001"]
    export = client.get("/workbench/exchange/sharing/access-log/export.xlsx", {"outcome": "ok"})
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    values: list[Any] = [row for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "序号" and len(values) == 2
    assert staff_client(market_clerk).get("/workbench/exchange/sharing/access-log/").status_code == 403
