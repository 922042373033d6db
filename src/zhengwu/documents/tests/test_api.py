"""The API for departments' OA systems: send, list received, sign, return, fetch the file."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from zhengwu.accounts.models import ApiClient, Department, User
from zhengwu.accounts.services import apiclient_create
from zhengwu.audit.models import AuditEvent
from zhengwu.core.actors import Actor
from zhengwu.core.crypto import sm3_hex
from zhengwu.documents import seal
from zhengwu.documents.models import Delivery, Document

pytestmark = pytest.mark.django_db


def system(sys_admin: User, department: Department, name: str) -> Client:
    _client, token = apiclient_create(
        actor=Actor.person(sys_admin),
        name=name,
        department=department,
        scopes=[ApiClient.Scope.DOCUMENTS_EXCHANGE],
        expires_at=timezone.now() + timedelta(days=30),
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def payload(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "kind": "letter",
        "prefix": "吉市监函",
        "title": "关于商请提供企业登记信息的函",
        "body": "因工作需要，请贵厅提供有关企业登记信息。",
        "signer_name": "刘处长",
        "main_to": ["11220000013544234R"],
        "written_on": "2026-03-02",
    }
    values.update(overrides)
    return values


def test_send_list_sign_and_fetch(sys_admin: User, market_dept: Department, police_dept: Department) -> None:
    sender = system(sys_admin, market_dept, "市场监管 OA")
    receiver = system(sys_admin, police_dept, "公安 OA")
    response = sender.post("/api/v1/documents/send", payload(), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == "吉市监函〔2026〕1号" and body["recipients"][0]["state"] == "delivered"
    listing = receiver.get("/api/v1/documents/received").json()
    assert [i["number"] for i in listing["items"]] == ["吉市监函〔2026〕1号"]
    delivery_id = listing["items"][0]["delivery_id"]
    assert sender.get("/api/v1/documents/received").json()["items"] == []
    signed = receiver.post(f"/api/v1/documents/received/{delivery_id}/sign")
    assert signed.status_code == 200 and signed.json()["state"] == "signed"
    again = receiver.post(f"/api/v1/documents/received/{delivery_id}/sign")
    assert again.status_code == 409
    status = sender.get(f"/api/v1/documents/sent/{body['id']}").json()
    assert status["recipients"][0]["signed_at"] is not None
    pdf = receiver.get(f"/api/v1/documents/{body['id']}/file")
    seal_file = receiver.get(f"/api/v1/documents/{body['id']}/file?which=seal")
    assert pdf.status_code == 200 and sm3_hex(pdf.content) == body["file_sm3"]
    assert seal.verify(pdf.content, seal_file.content).valid
    assert Client().get(f"/api/v1/documents/{body['id']}/file").status_code == 401


def test_return_and_secret_refused(sys_admin: User, market_dept: Department, police_dept: Department) -> None:
    sender = system(sys_admin, market_dept, "市场监管 OA")
    receiver = system(sys_admin, police_dept, "公安 OA")
    before = AuditEvent.objects.count()
    secret = sender.post("/api/v1/documents/send", payload(secrecy="secret"), content_type="application/json")
    assert secret.status_code == 422 and secret.json()["code"] == "documents.secret_refused"
    assert "非涉密" in secret.json()["message"]
    refusal = AuditEvent.objects.order_by("seq")[before:].get()
    assert refusal.action == "documents.document.send" and refusal.outcome == "failure"
    assert not Document.objects.exists()
    sender.post("/api/v1/documents/send", payload(), content_type="application/json")
    delivery = Delivery.objects.get()
    returned = receiver.post(
        f"/api/v1/documents/received/{delivery.pk}/return",
        {"reason": "non_compliant", "comment": "未标注附件。"},
        content_type="application/json",
    )
    assert returned.status_code == 200 and returned.json()["state"] == "returned"
    assert sender.post(f"/api/v1/documents/received/{delivery.pk}/sign").status_code == 404
