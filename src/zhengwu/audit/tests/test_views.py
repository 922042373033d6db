"""The audit administrator's viewer, and everyone else who must be refused."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from zhengwu.accounts.audit_actions import AccountsAction
from zhengwu.accounts.models import Department, User
from zhengwu.audit import services
from zhengwu.audit.exports import HEADER
from zhengwu.audit.models import AuditEvent
from zhengwu.audit.tests.helpers import make_events
from zhengwu.audit.write import AuditAction
from zhengwu.conftest import person_client, staff_client
from zhengwu.core.actors import Actor

pytestmark = [pytest.mark.django_db, pytest.mark.urls("zhengwu.audit.tests.urls")]

LOG = "/workbench/audit/"
EXPORT = "/workbench/audit/export/"

REFUSED_STAFF = ["sys_admin", "sec_admin", "market_clerk"]


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def admin(audit_admin: User) -> Client:
    return staff_client(audit_admin)


@pytest.fixture
def some_events(market_clerk: User, police_clerk: User, citizen: User) -> None:
    services.record_action(Actor.person(market_clerk), AccountsAction.LOGIN, target=market_clerk)
    services.record_action(Actor.person(police_clerk), AccountsAction.LOGIN, outcome="failure", target=police_clerk)
    services.record_action(
        Actor.person(citizen),
        SomeAppAction.APPLICATION_SUBMIT,
        target_type="eservices.application",
        target_id="A-1",
        target_label="个体工商户设立登记",
    )
    services.record_action(
        Actor.anonymous(),
        AccountsAction.LOGIN,
        outcome="failure",
        details={"username": '=HYPERLINK("http://evil")'},
        target_label="=1+2",
    )


class SomeAppAction(AuditAction):
    APPLICATION_SUBMIT = "eservices.application_submit"


def _seqs(page: str) -> list[int]:
    import re

    return [int(n) for n in re.findall(r'href="/workbench/audit/(\d+)/"', page)]


class TestList:
    def test_audit_admin_sees_the_log_and_the_viewing_is_recorded(self, admin: Client, some_events: None) -> None:
        response = admin.get(LOG)
        assert response.status_code == 200
        page = response.content.decode()
        assert "<caption>" in page and "市场监管局王科员(market_clerk)" in page
        assert _seqs(page) == [4, 3, 2, 1]
        view = AuditEvent.objects.get(action="audit.view")
        assert view.actor_label == "审计管理员(auditadmin)" and view.details["rows"] == 4

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ({"actor": "police_clerk"}, [2]),
            ({"action": "accounts."}, [4, 2, 1]),
            ({"action": "eservices.application_submit"}, [3]),
            ({"outcome": "failure"}, [4, 2]),
            ({"target": "eservices.application:A-1"}, [3]),
            ({"target": "工商户"}, [3]),
            ({"since": "2000-01-01", "until": "2000-01-02"}, []),
        ],
    )
    def test_filters(self, admin: Client, some_events: None, query: dict[str, str], expected: list[int]) -> None:
        response = admin.get(LOG, query)
        assert response.status_code == 200
        assert _seqs(response.content.decode()) == expected
        assert AuditEvent.objects.get(action="audit.view").details["filter"]

    def test_department_filter(self, admin: Client, some_events: None, police_dept: Department) -> None:
        assert _seqs(admin.get(LOG, {"department": police_dept.pk}).content.decode()) == [2]

    def test_bad_filter_shows_an_error_not_a_crash(self, admin: Client, some_events: None) -> None:
        response = admin.get(LOG, {"since": "2026-03-05", "until": "2026-03-01", "before": "x"})
        assert response.status_code == 200
        assert "截止日期不能早于起始日期" in response.content.decode()

    def test_keyset_pages_of_fifty(self, admin: Client) -> None:
        make_events(120)
        first = admin.get(LOG).content.decode()
        assert _seqs(first) == list(range(120, 70, -1))
        assert "before=71" in first and "after=" not in first
        second = admin.get(LOG, {"before": 71}).content.decode()
        assert _seqs(second) == list(range(70, 20, -1))
        third = admin.get(LOG, {"before": 21}).content.decode()
        assert _seqs(third) == list(range(20, 0, -1))
        assert "before=" not in third and "after=20" in third
        back = admin.get(LOG, {"after": 70}).content.decode()
        assert _seqs(back) == list(range(120, 70, -1))


class TestDetail:
    def test_detail_shows_the_hashes_and_is_recorded(self, admin: Client, some_events: None) -> None:
        event = AuditEvent.objects.get(seq=2)
        response = admin.get(f"{LOG}2/")
        assert response.status_code == 200
        page = response.content.decode()
        assert event.hash in page and event.prev_hash in page and "内容与其 SM3 哈希及校验码一致" in page
        view = AuditEvent.objects.get(action="audit.view")
        assert (view.target_type, view.target_id) == ("audit.auditevent", "2")

    def test_missing_event_is_404(self, admin: Client) -> None:
        assert admin.get(f"{LOG}999/").status_code == 404


class TestExport:
    def test_csv_of_the_current_filter(self, admin: Client, some_events: None) -> None:
        response = admin.get(EXPORT, {"format": "csv", "outcome": "failure"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        data = _body(response)
        assert data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows[0] == HEADER
        assert [r[0] for r in rows[1:]] == ["2", "4"]
        assert rows[1][3] == "公安厅李科员(police_clerk)" and rows[1][14] == "失败"
        # what a spreadsheet would run as a formula is neutralised
        assert rows[2][13] == "'=1+2"
        export = AuditEvent.objects.get(action="audit.export")
        assert export.details == {"filter": {"outcome": "failure"}, "format": "csv", "through_seq": 4}

    def test_xlsx_of_the_current_filter(self, admin: Client, some_events: None) -> None:
        response = admin.get(EXPORT, {"format": "xlsx", "action": "accounts."})
        assert response.status_code == 200
        assert "spreadsheetml" in response["Content-Type"]
        sheet = load_workbook(io.BytesIO(_body(response))).active
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == HEADER
        assert [r[0] for r in rows[1:]] == [1, 2, 4]
        label_cell = sheet.cell(row=4, column=14)
        assert (label_cell.value, label_cell.data_type) == ("=1+2", "s")  # text, not a formula
        assert AuditEvent.objects.get(action="audit.export").details["format"] == "xlsx"

    @pytest.mark.parametrize("query", [{"format": "pdf"}, {"format": "csv", "since": "not-a-date"}])
    def test_bad_export_request_is_refused_without_export(self, admin: Client, query: dict[str, str]) -> None:
        response = admin.get(EXPORT, query)
        assert response.status_code == 400
        assert not AuditEvent.objects.filter(action="audit.export").exists()


class TestEveryoneElseIsRefused:
    URLS = [LOG, f"{LOG}1/", f"{EXPORT}?format=csv", f"{EXPORT}?format=xlsx"]

    @pytest.mark.parametrize("who", REFUSED_STAFF)
    @pytest.mark.parametrize("url", URLS)
    def test_other_staff_get_403_and_only_a_denial_is_recorded(
        self, who: str, url: str, request: pytest.FixtureRequest, some_events: None
    ) -> None:
        user = request.getfixturevalue(who)
        before = AuditEvent.objects.count()
        response = staff_client(user).get(url)
        assert response.status_code == 403
        assert not response.get("Content-Disposition")
        assert "市场监管局王科员(market_clerk)" not in response.content.decode()
        new = list(AuditEvent.objects.filter(seq__gt=before))
        assert [(e.outcome, e.actor_id) for e in new] == [("denied", user.pk)]
        assert new[0].action in ("audit.view", "audit.export")

    @pytest.mark.parametrize("url", URLS)
    def test_citizens_get_403(self, url: str, citizen: User, some_events: None) -> None:
        before = AuditEvent.objects.count()
        response = person_client(citizen).get(url)
        assert response.status_code == 403
        assert list(AuditEvent.objects.filter(seq__gt=before).values_list("outcome", flat=True)) == ["denied"]

    @pytest.mark.parametrize("url", URLS)
    def test_anonymous_is_sent_to_login_and_nothing_is_recorded(
        self, client: Client, url: str, some_events: None
    ) -> None:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert AuditEvent.objects.count() == 4

    def test_audit_admin_without_second_factor_is_sent_to_verify(self, audit_admin: User, some_events: None) -> None:
        response = person_client(audit_admin).get(EXPORT + "?format=csv")
        assert response.status_code == 302 and "/accounts/otp/" in response["Location"]
        assert AuditEvent.objects.count() == 4

    def test_disabled_audit_admin_is_refused(self, audit_admin: User, some_events: None) -> None:
        client = staff_client(audit_admin)
        audit_admin.is_active = False
        audit_admin.save(update_fields=["is_active"])
        response = client.get(LOG)
        assert response.status_code in (302, 403)
        assert not AuditEvent.objects.filter(action="audit.view", outcome="success").exists()

    def test_external_zone_does_not_serve_the_viewer(self, settings: Any, admin: Client, some_events: None) -> None:
        settings.ZHENGWU_ZONE = "external"
        assert admin.get(LOG).status_code == 404
        assert admin.get(EXPORT + "?format=csv").status_code == 404
        assert AuditEvent.objects.count() == 4
