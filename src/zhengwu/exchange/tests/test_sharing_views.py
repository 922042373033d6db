"""Workbench screens of sharing: request, the provider's queue with lights, grants, objections,
statistics — and who is turned away."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from zhengwu.accounts.models import User
from zhengwu.conftest import person_client, staff_client
from zhengwu.exchange.sharing.models import Grant, Objection, ShareRequest
from zhengwu.exchange.tests import test_sharing_helpers as helpers
from zhengwu.exchange.tests.test_sharing_helpers import CITIZEN_ID

people, companies, market_grant = helpers.people, helpers.companies, helpers.market_grant


BASE = "/workbench/exchange/sharing"
pytestmark = pytest.mark.django_db


def test_request_then_approve_through_the_screens(market_clerk: User, police_officer: User, people: object) -> None:
    consumer = staff_client(market_clerk)
    assert consumer.get(f"{BASE}/requests/").status_code == 200
    response = consumer.post(
        f"{BASE}/requests/",
        {
            "resource": people.pk,  # type: ignore[attr-defined]
            "item_codes": "sfzh, xm",
            "purpose": "市场主体登记核验",
            "legal_basis": "《市场主体登记管理条例》",
            "period_start": date.today().isoformat(),
            "period_end": (date.today() + timedelta(days=90)).isoformat(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    share_request = ShareRequest.objects.get()
    provider = staff_client(police_officer)
    queue = provider.get(f"{BASE}/queue/")
    assert queue.status_code == 200
    assert "light green" in queue.content.decode()
    refused = provider.post(f"{BASE}/queue/{share_request.pk}/decide/", {"decision": "refuse", "reason": ""})
    assert refused.status_code == 302
    share_request.refresh_from_db()
    assert share_request.state == "submitted"
    provider.post(f"{BASE}/queue/{share_request.pk}/decide/", {"decision": "approve", "rate": "100"})
    grant = Grant.objects.get()
    assert grant.rate_limit_per_minute == 100
    assert "市场主体登记核验" in provider.get(f"{BASE}/grants/").content.decode()
    provider.post(f"{BASE}/grants/{grant.pk}/revoke/", {"reason": "测试撤销"})
    grant.refresh_from_db()
    assert grant.revoked_at is not None


def test_a_consumer_cannot_decide_on_the_queue(market_clerk: User, market_grant: Grant) -> None:
    share_request = ShareRequest.objects.get()
    response = staff_client(market_clerk).post(f"{BASE}/queue/{share_request.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 403


def test_objections_screen(market_grant: Grant, market_clerk: User, police_officer: User) -> None:
    consumer = staff_client(market_clerk)
    response = consumer.post(
        f"{BASE}/objections/",
        {"grant": market_grant.pk, "record_key": CITIZEN_ID, "field": "zz", "evidence": "住址已变更"},
    )
    assert response.status_code == 302
    objection = Objection.objects.get()
    provider = staff_client(police_officer)
    assert provider.get(f"{BASE}/objections/").status_code == 200
    provider.post(f"{BASE}/objections/{objection.pk}/resolve/", {"decision": "rejected", "answer": "核实无误"})
    objection.refresh_from_db()
    assert objection.state == "rejected"


def test_statistics_with_chart(market_grant: Grant, police_officer: User) -> None:
    response = staff_client(police_officer).get(f"{BASE}/statistics/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "echarts.min.js" in body and "吉林省公安厅" in body


def test_citizens_are_kept_out_of_the_workbench(citizen: User) -> None:
    assert person_client(citizen).get(f"{BASE}/requests/").status_code == 403
