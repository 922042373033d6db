"""Pages and API: the public verify page, the holder's page with PDF, the issuer's register."""

from __future__ import annotations

import json
from typing import Any

import pytest
import segno
from django.test import Client

from zhengwu.accounts.models import User
from zhengwu.audit.models import AuditEvent
from zhengwu.certificates import identifiers, selectors
from zhengwu.certificates.models import Certificate
from zhengwu.certificates.pdf import QR_ERROR, render_pdf
from zhengwu.certificates.tests.conftest import FOOD
from zhengwu.conftest import COMPANY_CODE, person_client, staff_client
from zhengwu.core.actors import Actor

pytestmark = pytest.mark.django_db


def verify_path(certificate: Certificate) -> str:
    return f"/verify/{certificate.identifier}"


# --- public verify page ---------------------------------------------------------------------------


def test_the_verify_page_shows_a_valid_certificate_with_the_holder_masked(food_licence: Certificate) -> None:
    response = Client().get(verify_path(food_licence))
    assert response.status_code == 200
    page = response.content.decode()
    assert "核验结果：<strong>有效</strong>" in page
    assert "长春" in page and "长春市春城食品有限公司" not in page
    assert COMPANY_CODE not in page
    assert food_licence.issuer_key.public_key in page
    assert FOOD in page


def test_the_verify_page_masks_a_persons_name(household_book: Certificate) -> None:
    page = Client().get(verify_path(household_book)).content.decode()
    assert "张*" in page and "张三" not in page
    assert household_book.holder_code not in page


def test_the_verify_page_shows_a_revoked_certificate(food_licence: Certificate, market_clerk: User) -> None:
    from zhengwu.certificates.services import certificate_revoke

    certificate_revoke(actor=Actor.person(market_clerk), certificate=food_licence, reason="经营者申请注销")
    response = Client().get(verify_path(food_licence))
    assert response.status_code == 200
    assert "核验结果：<strong>已注销</strong>" in response.content.decode()


def test_the_verify_page_shows_a_bad_signature(food_licence: Certificate) -> None:
    Certificate.objects.filter(pk=food_licence.pk).update(holder_name="别的公司")
    page = Client().get(verify_path(food_licence)).content.decode()
    assert "核验结果：<strong>签名无效</strong>" in page


def test_an_unknown_identifier_gives_a_chinese_404_page(food_licence: Certificate) -> None:
    unknown = str(identifiers.build(type_code=food_licence.certificate_type.code, issuer_code=COMPANY_CODE, serial=5))
    response = Client().get(f"/verify/{unknown}")
    assert response.status_code == 404
    assert "未找到该电子证照" in response.content.decode()
    assert "没有签发记录" in response.content.decode()
    response = Client().get("/verify/1.2.156.3005.2.garbage")
    assert response.status_code == 404
    assert "校验位不符" in response.content.decode()


def test_the_verify_index_redirects_to_the_page(food_licence: Certificate) -> None:
    client = Client()
    assert client.get("/verify/").status_code == 200
    response = client.get("/verify/", {"identifier": food_licence.identifier})
    assert response.status_code == 302
    assert response["Location"] == verify_path(food_licence)
    for nonsense in ("a/b", "1.2.156.3005.2.x", "<script>"):
        response = client.get("/verify/", {"identifier": nonsense})
        assert response.status_code == 404
        assert "未找到该电子证照" in response.content.decode()


# --- API --------------------------------------------------------------------------------------------


def test_the_verify_api_answers_without_credentials(food_licence: Certificate) -> None:
    response = Client().get(f"/api/v1/certificates/{food_licence.identifier}/verify")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "valid"
    assert body["status_label"] == "有效"
    assert body["signature_valid"] is True
    assert body["type_name"] == FOOD
    assert body["holder_name_masked"] != "长春市春城食品有限公司"
    assert body["public_key"] == food_licence.issuer_key.public_key


def test_the_verify_api_refuses_a_malformed_identifier_and_does_not_know_an_unknown_one(
    food_licence: Certificate,
) -> None:
    bad = food_licence.identifier[:-1] + ("0" if food_licence.identifier[-1] != "0" else "1")
    response = Client().get(f"/api/v1/certificates/{bad}/verify")
    assert response.status_code == 400
    assert json.loads(response.content)["code"] == "certificates.invalid_identifier"
    unknown = str(identifiers.build(type_code=food_licence.certificate_type.code, issuer_code=COMPANY_CODE, serial=5))
    response = Client().get(f"/api/v1/certificates/{unknown}/verify")
    assert response.status_code == 404
    assert json.loads(response.content)["code"] == "core.not_found"


# --- holder's page and PDF ----------------------------------------------------------------------------


def test_a_citizen_sees_their_own_certificates_only(
    household_book: Certificate, food_licence: Certificate, citizen: User
) -> None:
    page = person_client(citizen).get("/certificates/").content.decode()
    assert household_book.identifier in page
    assert food_licence.identifier not in page


def test_an_enterprise_agent_sees_the_companys_certificates(
    household_book: Certificate, food_licence: Certificate, company: User
) -> None:
    page = person_client(company).get("/certificates/").content.decode()
    assert food_licence.identifier in page
    # The agent's own household book is not the company's (and here not even the agent's).
    assert household_book.identifier not in page


def test_an_outsider_sees_nothing_of_others(
    household_book: Certificate, food_licence: Certificate, outsider: User, police_clerk: User
) -> None:
    page = person_client(outsider).get("/certificates/").content.decode()
    assert household_book.identifier not in page and food_licence.identifier not in page
    assert "暂无电子证照" in page
    for certificate in (household_book, food_licence):
        assert person_client(outsider).get(f"/certificates/{certificate.identifier}/pdf").status_code == 404
    page = staff_client(police_clerk).get("/certificates/").content.decode()
    assert "工作人员账号不持有电子证照" in page
    assert household_book.identifier not in page


def test_anonymous_visitors_must_log_in(household_book: Certificate) -> None:
    client = Client()
    assert client.get("/certificates/").status_code == 302
    response = client.get(f"/certificates/{household_book.identifier}/pdf")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_holder_downloads_the_pdf(household_book: Certificate, citizen: User) -> None:
    response = person_client(citizen).get(f"/certificates/{household_book.identifier}/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="certificates.certificate.download", actor=citizen).exists()


def test_the_pdf_carries_a_qr_code_of_the_verify_url(household_book: Certificate) -> None:
    url = f"https://zwfw.jl.gov.cn/verify/{household_book.identifier}"
    rendered = render_pdf(household_book, verify_url=url)
    assert rendered.content.startswith(b"%PDF")
    # "Decode" the embedded QR code: it is exactly the symbol of the verify URL, module by module.
    expected = segno.make(url, error=QR_ERROR, micro=False)
    assert rendered.qr.matrix == expected.matrix
    assert rendered.qr.matrix != segno.make(url + "x", error=QR_ERROR, micro=False).matrix
    # The QR area is also a link annotation to the same URL (annotations are not compressed).
    assert url.encode() in rendered.content
    assert rendered.stamp == ""


def test_a_revoked_certificates_pdf_is_stamped(food_licence: Certificate, market_clerk: User) -> None:
    from zhengwu.certificates.services import certificate_revoke

    revoked = certificate_revoke(actor=Actor.person(market_clerk), certificate=food_licence, reason="经营者申请注销")
    rendered = render_pdf(revoked, verify_url="https://zwfw.jl.gov.cn/verify/x")
    assert rendered.content.startswith(b"%PDF")
    assert rendered.stamp == "已注销"


def test_staff_of_the_issuer_may_download_but_other_staff_may_not(
    food_licence: Certificate, market_clerk: User, police_clerk: User
) -> None:
    assert staff_client(market_clerk).get(f"/certificates/{food_licence.identifier}/pdf").status_code == 200
    assert staff_client(police_clerk).get(f"/certificates/{food_licence.identifier}/pdf").status_code == 404


# --- issuer's register ----------------------------------------------------------------------------------


def test_the_register_lists_the_departments_certificates(
    food_licence: Certificate, household_book: Certificate, market_clerk: User
) -> None:
    client = staff_client(market_clerk)
    page = client.get("/workbench/certificates/").content.decode()
    assert food_licence.identifier in page
    assert household_book.identifier not in page
    assert food_licence.identifier in client.get("/workbench/certificates/", {"q": COMPANY_CODE}).content.decode()
    assert food_licence.identifier not in client.get("/workbench/certificates/", {"status": "revoked"}).content.decode()
    detail = client.get(f"/workbench/certificates/{food_licence.pk}/")
    assert detail.status_code == 200
    assert "注销原因" in detail.content.decode()
    export = client.get("/workbench/certificates/export.xlsx")
    assert export.status_code == 200
    assert export.content.startswith(b"PK")


def test_register_refusal_matrix(
    food_licence: Certificate,
    market_officer: User,
    police_clerk: User,
    citizen: User,
    company: User,
) -> None:
    assert Client().get("/workbench/certificates/").status_code == 302
    assert person_client(citizen).get("/workbench/certificates/").status_code == 403
    assert person_client(company).get("/workbench/certificates/").status_code == 403
    assert staff_client(market_officer).get("/workbench/certificates/").status_code == 403
    page = staff_client(police_clerk).get("/workbench/certificates/").content.decode()
    assert food_licence.identifier not in page
    for path in (f"/workbench/certificates/{food_licence.pk}/", f"/workbench/certificates/{food_licence.pk}/pdf"):
        assert staff_client(police_clerk).get(path).status_code == 404


def test_a_clerk_revokes_from_the_detail_page(food_licence: Certificate, market_clerk: User) -> None:
    client = staff_client(market_clerk)
    path = f"/workbench/certificates/{food_licence.pk}/revoke"
    assert client.get(path).status_code == 405
    response = client.post(path, {"reason": ""})
    assert response.status_code == 400
    food_licence.refresh_from_db()
    assert food_licence.status == Certificate.Status.VALID
    response = client.post(path, {"reason": "经营者申请注销"})
    assert response.status_code == 302
    food_licence.refresh_from_db()
    assert food_licence.status == Certificate.Status.REVOKED
    response = client.post(path, {"reason": "再次注销"})
    assert response.status_code == 400
    assert "不能重复注销" in response.content.decode()


def test_revoke_page_refusals_change_nothing(
    food_licence: Certificate, police_clerk: User, market_officer: User, citizen: User
) -> None:
    path = f"/workbench/certificates/{food_licence.pk}/revoke"
    assert staff_client(police_clerk).post(path, {"reason": "越权"}).status_code == 404
    assert staff_client(market_officer).post(path, {"reason": "越权"}).status_code == 403
    assert person_client(citizen).post(path, {"reason": "越权"}).status_code == 403
    assert Client().post(path, {"reason": "越权"}).status_code == 302
    food_licence.refresh_from_db()
    assert food_licence.status == Certificate.Status.VALID
    assert selectors.verify(food_licence.identifier).status == "valid"


def test_mask_helpers(food_licence: Certificate, household_book: Certificate, **_: Any) -> None:
    assert selectors.mask_holder_name(household_book) == "张*"
    assert selectors.mask_holder_name(food_licence) == "长春" + "*" * 7 + "公司"
    assert selectors.mask_holder_code(household_book) == "1101**********002X"


def test_the_holder_sees_the_full_certificate_and_others_do_not(
    household_book: Certificate, citizen: User, outsider: User, company: User, police_clerk: User, market_clerk: User
) -> None:
    path = f"/certificates/{household_book.identifier}/"
    page = person_client(citizen).get(path).content.decode()
    assert household_book.holder_code in page and "张三" in page
    assert "民康路 11 号" in page
    for refused in (outsider, company, market_clerk):
        client = staff_client(refused) if refused.is_staff_user else person_client(refused)
        response = client.get(path)
        assert response.status_code == 404
        assert household_book.holder_code not in response.content.decode()
    # Staff of the issuing department (公安厅) may see it.
    assert staff_client(police_clerk).get(path).status_code == 200
    assert Client().get(path).status_code == 302


def test_keys_are_public_and_only_the_leader_sees_the_rotate_button(
    food_licence: Certificate, market_clerk: User, market_leader: User
) -> None:
    page = Client().get("/verify/keys/").content.decode()
    assert food_licence.issuer_key.public_key in page
    assert "更换签发密钥" not in staff_client(market_clerk).get("/workbench/certificates/").content.decode()
    assert staff_client(market_clerk).post("/workbench/certificates/keys/rotate").status_code == 403
    leader = staff_client(market_leader)
    assert "更换签发密钥" in leader.get("/workbench/certificates/").content.decode()
    response = leader.post("/workbench/certificates/keys/rotate")
    assert response.status_code == 302
    food_licence.issuer_key.refresh_from_db()
    assert food_licence.issuer_key.retired_at is not None


def test_the_mine_api_lists_the_persons_own_certificates_in_pages(
    household_book: Certificate, food_licence: Certificate, citizen: User, company: User, outsider: User
) -> None:
    body = json.loads(person_client(citizen).get("/api/v1/certificates/mine").content)
    assert [c["identifier"] for c in body["items"]] == [household_book.identifier]
    assert body["items"][0]["holder_code"] == citizen.id_number
    assert body["items"][0]["data"]["address"] == "吉林省长春市南关区民康路 11 号"
    assert body["items"][0]["item_names"]["address"] == "住址"
    assert body["next_after"] is None
    body = json.loads(person_client(company).get("/api/v1/certificates/mine", {"limit": 1}).content)
    assert [c["identifier"] for c in body["items"]] == [food_licence.identifier]
    assert json.loads(person_client(outsider).get("/api/v1/certificates/mine").content)["items"] == []
    assert Client().get("/api/v1/certificates/mine").status_code == 401
    response = person_client(citizen).get("/api/v1/certificates/mine", {"limit": 0})
    assert response.status_code == 400


def test_a_clerk_issues_by_hand_from_the_workbench(
    types: Any, market_clerk: User, market_officer: User, citizen: User
) -> None:
    client = staff_client(market_clerk)
    page = client.get("/workbench/certificates/issue/").content.decode()
    assert "食品经营许可证" in page and "居民户口簿" in page
    code = types[FOOD].code
    form = client.get("/workbench/certificates/issue/", {"type": code}).content.decode()
    assert "许可证编号" in form and "统一社会信用代码" in form
    post: dict[str, str] = {
        "type": code,
        "holder_name": "长春市春城食品有限公司",
        "holder_code": COMPANY_CODE,
        "valid_until": "",
        "source_label": "原纸质证照 JY12201020000001",
        "item_license_no": "JY12201020000001",
        "item_legal_representative": "赵六",
        "item_residence": "长春市朝阳区",
        "item_premises": "长春市朝阳区",
        "item_business_type": "食品销售经营者（商场超市）",
        "item_business_items": "预包装食品销售",
    }
    bad = client.post("/workbench/certificates/issue/", {**post, "holder_code": "91220101MA0000015X"})
    assert bad.status_code == 400
    assert not Certificate.objects.exists()
    assert 'id="id_holder_code_error"' in bad.content.decode()
    response = client.post("/workbench/certificates/issue/", post)
    assert response.status_code == 302
    certificate = Certificate.objects.get()
    assert certificate.issuer == market_clerk.department
    assert certificate.data["license_no"] == "JY12201020000001"
    assert certificate.source_label == "原纸质证照 JY12201020000001"
    assert selectors.verify(certificate.identifier).status == "valid"
    # Refused: the data officer (no issuing role), a citizen; nothing more is written.
    assert staff_client(market_officer).post("/workbench/certificates/issue/", post).status_code == 403
    assert person_client(citizen).post("/workbench/certificates/issue/", post).status_code == 403
    assert Certificate.objects.count() == 1
