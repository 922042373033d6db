"""The query API: grants, masking, deny-by-default without telling anything, zones, rate limits,
and the access log written for every call."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone

from zhengwu.accounts.models import User
from zhengwu.catalog.models import Resource
from zhengwu.conftest import machine_api_client
from zhengwu.core.actors import Actor
from zhengwu.exchange.sharing import access_log
from zhengwu.exchange.sharing import services as sharing
from zhengwu.exchange.sharing.models import AccessLog, Grant
from zhengwu.exchange.tests import test_sharing_helpers as helpers
from zhengwu.exchange.tests.test_sharing_helpers import CITIZEN_ID, OTHER_ID, PURPOSE, api_token, request_people

# Fixtures of the shared helpers module, made visible to pytest in this module.
people, companies, market_grant = helpers.people, helpers.companies, helpers.market_grant
market_token, police_token = helpers.market_token, helpers.police_token

# Every test twice: keyed lookups by the fast path (exchange.sharing.fast_lookup) and by the ninja view.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lookup_path")]


def call(token: str | None, path: str, purpose: str | None = PURPOSE, **params: Any) -> Any:
    """One call of the query API; its access-log entry stays staged (not sealed)."""
    headers: dict[str, str] = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if purpose is not None:
        headers["X-Purpose"] = quote(purpose)
    return machine_api_client().get(f"/api/v1/exchange/{path}", params, headers=headers)


def get(token: str | None, path: str, purpose: str | None = PURPOSE, **params: Any) -> Any:
    """One call, then the sealer (as its periodic task would), so `AccessLog` holds the entry."""
    response = call(token, path, purpose, **params)
    access_log.seal_pending()
    return response


def record_path(resource_code: str, key: str, *, encoded: bool = False) -> str:
    code = resource_code.replace("/", "%2F") if encoded else resource_code
    return f"{code}/records/{key}"


def test_granted_items_only_and_personal_items_masked(market_grant: Grant, market_token: str) -> None:
    response = get(market_token, record_path("101001/001", CITIZEN_ID))
    assert response.status_code == 200, response.content
    record = response.json()["record"]
    assert record == {
        "sfzh": "1101**********002X",
        "xm": "张*",
        "sjhm": "138****8000",
        "zz": "北京市西城区****",
        "_disputed": False,
    }
    assert "xb" not in record  # not granted


def test_resource_code_may_be_percent_encoded(market_grant: Grant, market_token: str) -> None:
    response = get(market_token, record_path("101001/001", CITIZEN_ID, encoded=True))
    assert response.status_code == 200
    assert response.json()["resource"] == "101001/001"


def test_plain_personal_values_when_the_grant_allows_them(
    market_clerk: User, police_officer: User, people: Resource, market_token: str
) -> None:
    share_request = request_people(market_clerk, people, plain_personal=True, purpose="企业开办实名核验")
    sharing.share_request_approve(actor=Actor.person(police_officer), share_request=share_request, plain_personal=True)
    response = get(market_token, record_path("101001/001", OTHER_ID), purpose="企业开办实名核验")
    assert response.status_code == 200
    assert response.json()["record"]["sfzh"] == OTHER_ID
    assert response.json()["record"]["sjhm"] == "13912341234"


def test_refused_consumer_sees_nothing_and_learns_nothing(
    market_grant: Grant, police_token: str, market_token: str, people: Resource
) -> None:
    # 公安厅 has no grant on 市场监管's … and here asks for data of a resource it owns no grant on.
    no_grant = get(police_token, record_path("102001/001", "91110000600037341L"))
    unknown_resource = get(police_token, record_path("999999/001", "91110000600037341L"))
    unknown_key_with_grant = get(market_token, record_path("101001/001", "110105194912310038"))
    unknown_resource_with_grant = get(market_token, record_path("101001/002", CITIZEN_ID))
    answers = [no_grant, unknown_resource, unknown_key_with_grant, unknown_resource_with_grant]
    assert {r.status_code for r in answers} == {404}
    assert len({r.content for r in answers}) == 1
    assert no_grant.json()["code"] == "exchange.not_found"


def test_purpose_must_match_the_grant(market_grant: Grant, market_token: str) -> None:
    other = get(market_token, record_path("101001/001", CITIZEN_ID), purpose="其他用途")
    assert other.status_code == 404
    assert other.json()["code"] == "exchange.not_found"
    missing = get(market_token, record_path("101001/001", CITIZEN_ID), purpose=None)
    assert missing.status_code == 400
    assert missing.json()["code"] == "exchange.purpose_required"
    reasons = list(AccessLog.objects.order_by("seq").values_list("outcome", "reason"))
    assert reasons == [("denied", "purpose_mismatch"), ("invalid", "purpose_missing")]


def test_expired_and_revoked_grants_answer_like_no_grant(
    market_grant: Grant, market_token: str, police_officer: User
) -> None:
    path = record_path("101001/001", CITIZEN_ID)
    assert get(market_token, path).status_code == 200
    Grant.objects.filter(pk=market_grant.pk).update(valid_until=timezone.now() - timedelta(seconds=1))
    expired = get(market_token, path)
    assert expired.status_code == 404
    Grant.objects.filter(pk=market_grant.pk).update(valid_until=timezone.now() + timedelta(days=1))
    sharing.grant_revoke(actor=Actor.person(police_officer), grant=market_grant, reason="用途已结束")
    revoked = get(market_token, path)
    assert revoked.status_code == 404
    assert expired.content == revoked.content
    assert AccessLog.objects.filter(reason="grant_inactive").count() == 2


def test_rate_limit_per_grant(market_grant: Grant, market_token: str) -> None:
    # The limit counts per clock minute: start early in one, so the four calls share it.
    if time.time() % 60 > 40:
        time.sleep(60.5 - time.time() % 60)
    Grant.objects.filter(pk=market_grant.pk).update(rate_limit_per_minute=2)
    path = record_path("101001/001", CITIZEN_ID)
    assert [get(market_token, path).status_code for _ in range(3)] == [200, 200, 429]
    assert get(market_token, path).json()["code"] == "exchange.rate_limited"
    assert AccessLog.objects.filter(outcome="rate_limited").count() == 2


def test_internal_resources_never_answer_on_an_external_instance(
    settings: Any, market_grant: Grant, market_token: str, police_clerk: User, companies: Resource, police_token: str
) -> None:
    sharing.share_request_create(
        actor=Actor.person(police_clerk),
        resource=companies,
        item_codes=["tyshxydm", "mc"],
        purpose="案件协查",
        legal_basis="《人民警察法》",
        period_start=timezone.localdate(),
        period_end=timezone.localdate() + timedelta(days=30),
    )
    settings.ZHENGWU_ZONE = "external"
    hidden = get(market_token, record_path("101001/001", CITIZEN_ID))
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "exchange.not_found"
    shown = get(police_token, record_path("102001/001", "91110000600037341L"), purpose="案件协查")
    assert shown.status_code == 200
    assert shown.json()["record"] == {"tyshxydm": "91110000600037341L", "mc": "某某科技有限公司", "_disputed": False}
    assert AccessLog.objects.filter(reason="zone").count() == 1


def test_secret_resources_never_answer_on_an_external_instance(
    settings: Any, market_grant: Grant, market_token: str, people: Resource
) -> None:
    Resource.objects.filter(pk=people.pk).update(is_secret=True)
    settings.ZHENGWU_ZONE = "external"
    assert get(market_token, record_path("101001/001", CITIZEN_ID)).status_code == 404


def test_keys_purposes_and_filters_in_chinese_are_answered_and_logged(market_grant: Grant, market_token: str) -> None:
    """A key outside Latin-1 ("荖") was a 500 with an empty body, missing from the access log."""
    missing = get(market_token, record_path("101001/001", "%E8%8D%96"))
    assert missing.status_code == 404 and missing.json()["code"]
    other_purpose = get(market_token, record_path("101001/001", CITIZEN_ID), purpose="查询人口信息（另一用途）")
    assert other_purpose.status_code == 404
    search = get(market_token, "101001/001/records", xm="张三")
    assert search.status_code == 200 and [row["xm"] for row in search.json()["items"]] == ["张*"]
    logged = list(AccessLog.objects.order_by("seq").values_list("outcome", "reason", "keys"))
    assert logged == [
        ("not_found", "", ["*"]),  # the key itself is not kept in clear
        ("denied", "purpose_mismatch", []),
        ("ok", "", ["1101**********002X"]),
    ]


def test_a_missing_or_empty_purpose_is_refused_saying_how_to_send_chinese(
    market_grant: Grant, market_token: str
) -> None:
    """granian hands a header value outside ASCII (a purpose in raw UTF-8) over as empty."""
    for purpose in (None, ""):
        response = get(market_token, record_path("101001/001", CITIZEN_ID), purpose=purpose)
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "exchange.purpose_required" and "百分号编码" in body["message"]
        assert "%E6%A1%88%E4%BB%B6%E5%8D%8F%E6%9F%A5" in body["message"]
    assert list(AccessLog.objects.values_list("reason", flat=True)) == ["purpose_missing", "purpose_missing"]


def test_every_call_is_logged_even_when_denied(market_grant: Grant, police_token: str, market_token: str) -> None:
    get(police_token, record_path("101001/001", CITIZEN_ID))
    get(None, record_path("101001/001", CITIZEN_ID))
    get("zw_bad_token", record_path("101001/001", CITIZEN_ID))
    get(market_token, record_path("101001/001", CITIZEN_ID))
    rows = list(AccessLog.objects.order_by("seq"))
    assert [(r.outcome, r.reason) for r in rows] == [
        ("denied", "no_grant"),
        ("denied", "unauthenticated"),
        ("denied", "unauthenticated"),
        ("ok", ""),
    ]
    ok = rows[-1]
    assert ok.consumer is not None and ok.consumer.name == "吉林省市场监督管理厅"
    assert ok.purpose == PURPOSE
    assert ok.keys == ["1101**********002X"]  # ID numbers are not kept in clear in the log
    assert ok.item_codes == ["sfzh", "xm", "sjhm", "zz"]
    assert ok.rows == 1 and ok.grant_id == market_grant.pk
    assert len(ok.key_indexes) == 1


def test_a_token_without_the_query_scope_is_refused_and_logged(
    sys_admin: User, market_dept: Any, market_grant: Grant
) -> None:
    _, token = api_token(sys_admin, market_dept, scopes=["directory:read"])
    response = get(token, record_path("101001/001", CITIZEN_ID))
    assert response.status_code == 403
    assert AccessLog.objects.get().reason == "scope"


def test_search_by_granted_items_with_keyset_pages(market_grant: Grant, market_token: str) -> None:
    response = get(market_token, "101001/001/records", xm="李四")
    assert response.status_code == 200, response.content
    body = response.json()
    assert [r["sfzh"] for r in body["items"]] == ["2201**********" + OTHER_ID[-4:]]
    assert body["next_after"] is None
    refused = get(market_token, "101001/001/records", xb="男")  # 性别 is not granted
    assert refused.status_code == 400
    assert refused.json()["code"] == "exchange.invalid_filter"
    log = AccessLog.objects.filter(operation="search", outcome="ok").get()
    assert log.filters == {"xm": "李*"}


def test_pull_changes_by_cursor_masked_and_logged(market_grant: Grant, market_token: str) -> None:
    first = get(market_token, "101001/001/changes", since=0)
    assert first.status_code == 200, first.content
    body = first.json()
    assert len(body["changes"]) == 2
    assert all("xb" not in c for c in body["changes"])
    assert body["changes"][0]["sfzh"].count("*") == 10
    again = get(market_token, "101001/001/changes", since=body["next_since"])
    assert again.json()["changes"] == []
    assert AccessLog.objects.filter(operation="changes", outcome="ok").count() == 2


def test_a_bad_filter_value_is_refused_and_logged(market_grant: Grant, market_token: str) -> None:
    response = get(market_token, "101001/001/records", sfzh="not-an-id")
    assert response.status_code == 400
    entry = AccessLog.objects.get()
    assert entry.outcome == "invalid" and entry.reason == "exchange.invalid_filter"
    assert set(entry.filters) == {"sfzh"} and entry.filters["sfzh"] != "not-an-id"  # masked in the log


def test_a_filter_value_with_a_control_character_is_refused_and_logged(market_grant: Grant, market_token: str) -> None:
    # PostgreSQL can hold NUL neither in the table's text nor in the log's JSON: the sealer must
    # still seal the entry, and the next call must still be answered and logged.
    response = get(market_token, "101001/001/records", xm="李\x00四")
    assert response.status_code == 400 and response.json()["code"] == "exchange.invalid_filter"
    entry = AccessLog.objects.get()
    assert entry.outcome == "invalid" and "\x00" not in json.dumps(entry.filters, ensure_ascii=False)
    # not masked in the log: an item outside the grant, and an unknown parameter name
    assert get(market_token, "101001/001/records", xb="男\x00").status_code == 400
    assert get(market_token, "101001/001/records", **{"x\x00": "1"}).status_code == 400
    assert get(market_token, "101001/001/records", xm="李四").status_code == 200
    assert AccessLog.objects.count() == 4


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_the_lookups_statements_are_prepared_on_postgresql(market_grant: Grant, market_token: str) -> None:
    """The keyed lookup's read and access-log insert are planned once per connection, not per
    call (core.rawsql binds on the server; psycopg prepares from the fifth run)."""
    for _ in range(6):
        assert call(market_token, record_path("101001/001", CITIZEN_ID)).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("exchange_accesslogpending" in sql and sql.startswith("INSERT") for sql in prepared), prepared
    assert any('"_deleted" = $' in sql and sql.startswith("SELECT") for sql in prepared), prepared
