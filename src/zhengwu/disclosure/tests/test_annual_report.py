"""The annual report in the standard format (国办公开办函〔2021〕30号): computed cells of tables 二 and
三, the manual parts (who may edit them) and the Excel workbook."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from zhengwu.accounts.models import Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.conftest import staff_client
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.disclosure import reports, selectors, services
from zhengwu.disclosure.models import AnnualReport, DisclosureRequest, ResultDetail
from zhengwu.disclosure.services import AnswerData, ApplicantData
from zhengwu.disclosure.services import requests as rs
from zhengwu.disclosure.tests.conftest import published

pytestmark = pytest.mark.django_db

YEAR = 2025
#            自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计
EMPTY = [0, 0, 0, 0, 0, 0, 0]


def received(clerk: User, department: Department, on: date, kind: str, name: str = "申请人") -> DisclosureRequest:
    return rs.request_register(
        actor=Actor.person(clerk),
        department=department,
        channel="post",
        applicant=ApplicantData(name=name, kind=kind),
        description=f"{name}申请的政府信息",
        received_on=on,
    )


def answer(clerk: User, req: DisclosureRequest, on: date, kind: str, **fields: Any) -> DisclosureRequest:
    return rs.request_answer(
        actor=Actor.person(clerk), disclosure_request=req, answer=AnswerData(kind=kind, **fields), on=on
    )


@pytest.fixture
def year_of_requests(market_clerk: User, police_clerk: User, market_dept: Department, police_dept: Department) -> None:
    """Requests of 市场监管厅 across 2024–2026 (see the expected table in the test below)."""
    c, d = market_clerk, market_dept
    # Received in 2024: A answered in 2025, B answered in 2024, C still open.
    answer(
        c, received(c, d, date(2024, 12, 20), "citizen", "A"), date(2025, 1, 10), "disclosed", provision_method="邮寄"
    )
    answer(c, received(c, d, date(2024, 12, 23), "business", "B"), date(2024, 12, 30), "repeat", reference="X1")
    received(c, d, date(2024, 11, 4), "research", "C")
    # Received in 2025.
    answer(
        c,
        received(c, d, date(2025, 3, 3), "nonprofit", "D"),
        date(2025, 3, 20),
        "refused",
        reasons="涉及商业秘密",
        result_detail=ResultDetail.THIRD_PARTY,
    )
    answer(
        c,
        received(c, d, date(2025, 5, 6), "legal_service", "E"),
        date(2025, 5, 20),
        "not_exist",
        reasons="需要汇总加工",
        result_detail=ResultDetail.NEEDS_MAKING,
    )
    answer(
        c,
        received(c, d, date(2025, 6, 2), "legal_person", "F"),
        date(2025, 6, 16),
        "disclosed",
        provision_method="电子邮件",
        result_detail=ResultDetail.PARTIAL,
        fee_basis="pages",
        pages=40,
    )
    answer(
        c,
        received(c, d, date(2025, 7, 1), "citizen", "G"),
        date(2025, 7, 2),
        "already_public",
        public_location="门户网站",
    )
    answer(
        c, received(c, d, date(2025, 12, 22), "citizen", "H"), date(2026, 1, 8), "disclosed", provision_method="邮寄"
    )
    uncorrected = received(c, d, date(2025, 9, 1), "business", "I")
    rs.request_ask_correction(
        actor=Actor.person(c), disclosure_request=uncorrected, items="请写明文件名称", on=date(2025, 9, 2)
    )
    rs.request_close_uncorrected(
        actor=Actor.person(c), disclosure_request=uncorrected, reason="逾期未补正", on=date(2025, 10, 9)
    )
    answer(c, received(c, d, date(2025, 8, 4), "citizen", "J"), date(2025, 8, 5), "repeat", reference="A")
    answer(
        c,
        received(c, d, date(2025, 10, 13), "business", "K"),
        date(2025, 10, 20),
        "special",
        reasons="请通过信访渠道反映",
        result_detail=ResultDetail.PETITION,
    )
    # Received in 2026, and another agency's request: not in 市场监管厅's 2025 report.
    received(c, d, date(2026, 1, 5), "citizen", "L")
    received(police_clerk, police_dept, date(2025, 4, 1), "citizen", "M")


@pytest.mark.usefixtures("year_of_requests")
def test_request_table_gives_exactly_the_expected_cells(market_dept: Department) -> None:
    t = selectors.annual_report_figures(market_dept, YEAR).requests
    assert t.received == [3, 2, 0, 1, 1, 1, 8]  # G H J | I K | D | E | F
    assert t.carried_over == [1, 0, 1, 0, 0, 0, 2]  # A, C (B was answered in 2024)
    assert t.result(selectors.DISCLOSED_ROW) == [2, 0, 0, 0, 0, 0, 2]  # A, G (已主动公开 counts here)
    assert t.result(ResultDetail.PARTIAL) == [0, 0, 0, 0, 0, 1, 1]  # F
    assert t.result(ResultDetail.THIRD_PARTY) == [0, 0, 0, 1, 0, 0, 1]  # D
    assert t.result(ResultDetail.NEEDS_MAKING) == [0, 0, 0, 0, 1, 0, 1]  # E
    assert t.result(ResultDetail.REPEAT) == [1, 0, 0, 0, 0, 0, 1]  # J
    assert t.result(ResultDetail.PETITION) == [0, 1, 0, 0, 0, 0, 1]  # K
    assert t.result(ResultDetail.UNCORRECTED) == [0, 1, 0, 0, 0, 0, 1]  # I
    for key in (ResultDetail.STATE_SECRET, ResultDetail.NOT_HELD, ResultDetail.OTHER, ResultDetail.UNPAID):
        assert t.result(key) == EMPTY
    assert t.results_total == [3, 2, 0, 1, 1, 1, 8]
    assert t.carried_forward == [1, 0, 1, 0, 0, 0, 2]  # H (answered 2026), C
    for i in range(7):  # the standard's check: 一 + 二 = 三(七) + 四
        assert t.received[i] + t.carried_over[i] == t.results_total[i] + t.carried_forward[i]
    # The year before and after.
    before = selectors.annual_report_figures(market_dept, 2024).requests
    assert before.received[-1] == 3 and before.results_total[-1] == 1 and before.carried_forward[-1] == 2
    after = selectors.annual_report_figures(market_dept, 2026).requests
    assert after.carried_over == [1, 0, 1, 0, 0, 0, 2] and after.received[-1] == 1
    # The fees (part 六) come from the answers of the year.
    figures = selectors.annual_report_figures(market_dept, YEAR)
    assert figures.fees_count == 1 and figures.fees_total == rs.fees.pages_fee(earlier_pages=0, pages=40)


@pytest.mark.usefixtures("year_of_requests")
def test_page_and_workbook_show_the_same_six_parts(market_leader: User, egov: User, market_dept: Department) -> None:
    url = f"/workbench/disclosure/reports/{market_dept.pk}/{YEAR}/"
    page = staff_client(market_leader).get(url).content.decode()
    for heading in reports.SECTION_HEADINGS:
        assert heading in page
    assert "（五）不予处理：1．信访举报投诉类申请" in page and "法人或其他组织" in page
    assert "新收政府信息公开申请8件，上年结转2件" in page  # the generated overview
    for client, xlsx in (
        (staff_client(egov), url.rstrip("/") + ".xlsx"),
        (Client(), f"/disclosure/reports/{market_dept.pk}/{YEAR}.xlsx"),
    ):
        response = client.get(xlsx)
        assert response.status_code == 200
        rows = [row for row in load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True)]
        first = [row[0] for row in rows if row and row[0]]
        assert [h for h in reports.SECTION_HEADINGS if h in first] == list(reports.SECTION_HEADINGS)
        cells = {row[0]: list(row[1:8]) for row in rows if row and row[0]}
        assert cells["一、本年新收政府信息公开申请数量"] == [3, 2, 0, 1, 1, 1, 8]
        assert cells["二、上年结转政府信息公开申请数量"] == [1, 0, 1, 0, 0, 0, 2]
        assert cells["（三）不予公开：4．保护第三方合法权益"] == [0, 0, 0, 1, 0, 0, 1]
        assert cells["（七）总计"] == [3, 2, 0, 1, 1, 1, 8]
        assert cells["四、结转下年度继续办理"] == [1, 0, 1, 0, 0, 0, 2]
        assert cells["规章"][:3] == [0, 0, 0]
        assert any("信息处理费" in str(row[0]) for row in rows if row and row[0])


MANUAL = {
    "overview": "本年度本机关认真贯彻落实条例。",
    "licensing_decisions": 120,
    "penalty_decisions": 35,
    "coercion_decisions": 4,
    "fees_amount": "12.5",
    "review_upheld": 2,
    "review_corrected": 1,
    "review_other": 0,
    "review_pending": 1,
    "litigation_upheld": 1,
    "litigation_corrected": 0,
    "litigation_other": 0,
    "litigation_pending": 0,
    "reviewed_litigation_upheld": 0,
    "reviewed_litigation_corrected": 0,
    "reviewed_litigation_other": 1,
    "reviewed_litigation_pending": 1,
    "problems": "答复文书规范性有待提高",
    "other_matters": "无其他需要报告的事项",
}


def test_manual_parts_save_and_show_only_the_agencys_leader_edits(
    market_leader: User,
    market_clerk: User,
    police_leader: User,
    egov: User,
    citizen: User,
    market_dept: Department,
) -> None:
    url = f"/workbench/disclosure/reports/{market_dept.pk}/{YEAR}/"
    for refused in (police_leader, market_clerk, egov):
        response = staff_client(refused).post(url, MANUAL)
        assert response.status_code == 403
    assert Client().post(url, MANUAL).status_code in (302, 403)
    assert not AnnualReport.objects.exists()
    with pytest.raises(ApplicationError):
        reports.annual_report_save(
            actor=Actor.person(police_leader), department=market_dept, year=YEAR, values={"problems": "x"}
        )
    assert not AnnualReport.objects.exists()
    refused = AuditEvent.objects.get(action="disclosure.annual_report_save")
    assert (refused.outcome, refused.actor, refused.department) == (
        AuditEvent.Outcome.DENIED,
        police_leader,
        market_dept,
    )
    response = staff_client(market_leader).post(url, MANUAL)
    assert response.status_code == 302
    report = AnnualReport.objects.get(department=market_dept, year=YEAR)
    assert report.licensing_decisions == 120 and str(report.fees_amount.normalize()) == "12.5"
    page = staff_client(egov).get(url).content.decode()
    assert "本年度本机关认真贯彻落实条例。" in page and "答复文书规范性有待提高" in page
    assert "本机关填报部分" not in page  # the office sees the report but no form
    assert "本机关填报部分" in staff_client(market_leader).get(url).content.decode()
    public = Client().get(f"/disclosure/reports/{market_dept.pk}/{YEAR}/").content.decode()
    assert "行政许可（本机关填报）" in public and "本年度未收取政府信息公开信息处理费" in public
    sheet = load_workbook(BytesIO(Client().get(f"/disclosure/reports/{market_dept.pk}/{YEAR}.xlsx").content)).active
    cells = {row[0]: list(row[1:]) for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert cells["行政许可（本机关填报）"][0] == 120 and cells["行政处罚（本机关填报）"][0] == 35
    assert cells["行政事业性收费（本机关填报）"][0] == 12.5
    assert cells["行政复议"][:5] == [2, 1, 0, 1, 4]
    assert cells["行政诉讼：未经复议直接起诉"][:5] == [1, 0, 0, 0, 1]
    assert cells["行政诉讼：复议后起诉"][:5] == [0, 0, 1, 1, 2]
    assert "本年度本机关认真贯彻落实条例。" in cells and "答复文书规范性有待提高" in cells
    assert any(str(k).startswith("无其他需要报告的事项") for k in cells)
    # Bad numbers are refused and change nothing.
    bad = staff_client(market_leader).post(url, {**MANUAL, "licensing_decisions": -1, "fees_amount": "abc"})
    assert bad.status_code == 200
    report.refresh_from_db()
    assert report.licensing_decisions == 120


def test_regulations_and_normative_documents_are_counted(market_clerk: User, market_dept: Department) -> None:
    today = workdays.today()
    year = today.year
    published(market_clerk, market_dept, category="regulation", title="规章一", date_written=today)
    published(market_clerk, market_dept, category="normative", title="规范性文件一", date_written=today)
    old = published(
        market_clerk, market_dept, category="normative", title="旧规范性文件", date_written=date(year - 1, 6, 1)
    )
    published(market_clerk, market_dept, category="policy", title="其他政策文件", date_written=today)
    services.publication_set_validity(actor=Actor.person(market_clerk), publication=old, validity="repealed")
    old.refresh_from_db()
    assert old.validity_changed_on == today
    documents = selectors.annual_report_figures(market_dept, year).documents
    assert documents == {"regulation": (1, 0, 1), "normative": (1, 1, 1)}


def test_answer_records_the_report_detail(market_clerk: User, market_dept: Department) -> None:
    req = received(market_clerk, market_dept, date(2025, 3, 3), "business")
    with pytest.raises(ApplicationError) as caught:  # a refusal must say which of the eight reasons
        answer(market_clerk, req, date(2025, 3, 4), "refused", reasons="涉密")
    assert "result_detail" in caught.value.fields
    with pytest.raises(ApplicationError):  # a detail of another kind
        answer(market_clerk, req, date(2025, 3, 4), "refused", reasons="涉密", result_detail="partial")
    url = f"/workbench/disclosure/requests/{req.pk}/"
    assert "具体情形" in staff_client(market_clerk).get(url).content.decode()
    staff_client(market_clerk).post(
        url + "answer/", {"kind": "not_exist", "reasons": "经检索不存在", "fee_basis": "none", "result_detail": ""}
    )
    req.refresh_from_db()
    assert req.state == "answered" and req.result_detail == ResultDetail.NOT_HELD  # the kind's default
