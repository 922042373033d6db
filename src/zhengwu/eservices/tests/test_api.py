"""/api/v1/eservices: public guides and 一号查询, the applicant's own cases, and who is refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from zhengwu.accounts.models import User
from zhengwu.conftest import person_client, staff_client
from zhengwu.core.actors import Actor
from zhengwu.eservices import services
from zhengwu.eservices.models import Application, ServiceItem
from zhengwu.eservices.tests.conftest import GOOD_FORM, upload

pytestmark = pytest.mark.django_db


def submit(citizen: User, item: ServiceItem) -> Application:
    design = item.materials.get(name="建设工程设计方案")
    return services.application_submit(
        actor=Actor.person(citizen), item=item, data=GOOD_FORM, files={design.pk: upload()}
    )


def test_public_guides(client: Any, item: ServiceItem) -> None:
    page = client.get("/api/v1/eservices/items", {"limit": 10}).json()
    assert [i["name"] for i in page["items"]] == ["建设工程规划许可证核发"] and page["next_after"] is None
    detail = client.get(f"/api/v1/eservices/items/{item.pk}").json()
    assert detail["promised_limit"] == 10 and len(detail["stages"][1]["tasks"]) == 2
    assert client.get("/api/v1/eservices/items/999999").status_code == 404
    assert client.get("/api/v1/eservices/items", {"limit": 0}).status_code == 400


def test_lookup(client: Any, citizen: User, item: ServiceItem) -> None:
    cache.clear()
    application = submit(citizen, item)
    ok = client.post(
        "/api/v1/eservices/lookup",
        {"number": application.number, "code": application.verify_code},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["state"] == "待受理"
    wrong = client.post(
        "/api/v1/eservices/lookup", {"number": application.number, "code": "AAAAAA"}, content_type="application/json"
    )
    assert wrong.status_code == 404 and wrong.json()["code"] == "eservices.lookup_failed"
    assert client.post("/api/v1/eservices/lookup", {"number": 1}, content_type="application/json").status_code == 400
    cache.clear()


def test_my_applications_and_withdrawal(
    client: Any, citizen: User, outsider: User, item: ServiceItem, market_clerk: User
) -> None:
    application = submit(citizen, item)
    assert client.get("/api/v1/eservices/applications").status_code == 401
    mine = person_client(citizen).get("/api/v1/eservices/applications").json()
    assert [a["number"] for a in mine["items"]] == [application.number]
    assert person_client(outsider).get("/api/v1/eservices/applications").json()["items"] == []
    url = f"/api/v1/eservices/applications/{application.number}/withdraw"
    assert client.post(url, {}, content_type="application/json").status_code == 401
    assert person_client(outsider).post(url, {}, content_type="application/json").status_code == 404
    assert staff_client(market_clerk).post(url, {}, content_type="application/json").status_code == 404
    assert Application.objects.get().state == Application.State.SUBMITTED
    done = person_client(citizen).post(url, {"reason": "不办了"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["state"] == "withdrawn"
    again = person_client(citizen).post(url, {}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "eservices.wrong_state"
