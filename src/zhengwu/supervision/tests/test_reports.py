"""Monthly exposure list (month boundaries in Beijing time, publishing, portal, Excel) and scorecards."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from openpyxl import load_workbook

from zhengwu.accounts.models import Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.conftest import person_client, staff_client
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.supervision import oversight, reports, scorecards, services
from zhengwu.supervision.models import ExposureList
from zhengwu.supervision.tests.conftest import start

BJ = ZoneInfo("Asia/Shanghai")
OCT, NOV = date(2025, 10, 1), date(2025, 11, 1)


@pytest.fixture
def autumn(market_dept: Department, police_dept: Department) -> None:
    """Timers around the 31 October / 1 November boundary (Beijing time)."""
    a = start(market_dept, 5, date(2025, 10, 24), title="A")  # due Fri 31 Oct, finished late on 3 Nov
    assert a.deadline == date(2025, 10, 31)
    services.timer_finish(actor=Actor.platform(), timer=a, when=date(2025, 11, 3))
    c = start(market_dept, 5, date(2025, 10, 24), title="C")  # due 31 Oct, finished 23:30 that evening
    services.timer_finish(actor=Actor.platform(), timer=c, when=datetime(2025, 10, 31, 23, 30, tzinfo=BJ))
    d = start(market_dept, 10, date(2025, 10, 27), title="D")  # finished 00:10 on 1 Nov (Beijing) = 31 Oct UTC
    services.timer_finish(actor=Actor.platform(), timer=d, when=datetime(2025, 11, 1, 0, 10, tzinfo=BJ))
    e = start(police_dept, 50, datetime(2025, 10, 31, 23, 0, tzinfo=BJ), unit="minute", title="E")  # due 23:50
    services.timer_finish(actor=Actor.platform(), timer=e, when=datetime(2025, 11, 1, 0, 20, tzinfo=BJ))
    b = start(police_dept, 5, date(2025, 10, 27), title="B")  # due Mon 3 Nov, still open
    assert b.deadline == date(2025, 11, 3)
    start(police_dept, 5, date(2025, 10, 24), title="X")
    services.timer_cancel(
        actor=Actor.platform(), timer=start(police_dept, 5, date(2025, 10, 20)), reason="撤回"
    )  # never counts


@pytest.mark.django_db
def test_exposure_month_boundaries(autumn: None, market_dept: Department, police_dept: Department) -> None:
    october = {row.department_id: row for row in reports.exposure_rows(OCT)}
    # police: E (minute timer due 23:50 on 31 Oct, missed) and X (due 31 Oct, still open)
    assert october[police_dept.pk].overdue == 2 and october[police_dept.pk].finished == 0
    assert october[police_dept.pk].on_time_rate is None
    # market: A is due in October and missed; C finished on 31 Oct 23:30 Beijing counts in October
    assert october[market_dept.pk].overdue == 1 and october[market_dept.pk].due == 2
    assert october[market_dept.pk].finished == 1 and october[market_dept.pk].on_time_rate == 1.0
    assert october[market_dept.pk].avg_delay == 1.0  # 31 Oct → 3 Nov: one working day
    assert [row.department_id for row in reports.exposure_rows(OCT)] == [police_dept.pk, market_dept.pk]
    november = {row.department_id: row for row in reports.exposure_rows(NOV)}
    assert set(november) == {police_dept.pk}  # B is due 3 Nov and open; market missed nothing due in November
    assert november[police_dept.pk].overdue == 1 and november[police_dept.pk].finished == 1  # E finished 1 Nov
    assert november[police_dept.pk].on_time_rate == 0.0
    counts = reports.month_counts(NOV)
    assert counts[market_dept.pk].finished == 2 and counts[market_dept.pk].on_time == 1  # A late, D on time


@pytest.mark.django_db
def test_publish_exposure_then_public(
    autumn: None, supervisor: User, egov: User, market_clerk: User, police_dept: Department
) -> None:
    for actor in (Actor.person(egov), Actor.person(market_clerk), Actor.anonymous()):
        with pytest.raises(ApplicationError) as error:
            oversight.exposure_publish(actor=actor, month=OCT)
        assert error.value.code == "core.permission_denied"
    with pytest.raises(ApplicationError) as error:
        oversight.exposure_publish(actor=Actor.person(supervisor), month=workdays.today())
    assert error.value.code == "supervision.exposure_month_open"
    with pytest.raises(ApplicationError) as error:
        oversight.exposure_publish(actor=Actor.person(supervisor), month=date(2025, 8, 1))
    assert error.value.code == "supervision.exposure_empty"
    assert not ExposureList.objects.exists()
    assert Client().get("/supervision/exposure/2025-10/").status_code == 404

    published = oversight.exposure_publish(
        actor=Actor.person(supervisor), month=date(2025, 10, 15), note="请相关单位限期整改。"
    )
    assert published.month == OCT and published.rows[0]["department_id"] == police_dept.pk
    assert AuditEvent.objects.filter(action="supervision.exposure.publish", target_id=str(published.pk)).exists()
    with pytest.raises(ApplicationError) as error:
        oversight.exposure_publish(actor=Actor.person(supervisor), month=OCT)
    assert error.value.code == "supervision.exposure_published"
    public = Client().get("/supervision/exposure/")
    assert public.status_code == 200 and police_dept.name in public.content.decode()
    assert "请相关单位限期整改。" in Client().get("/supervision/exposure/2025-10/").content.decode()
    assert Client().get("/supervision/exposure/2025-13/").status_code == 404


@pytest.mark.django_db
def test_exposure_pages_and_excel(autumn: None, supervisor: User, egov: User, market_leader: User) -> None:
    boss = staff_client(supervisor)
    page = boss.get("/workbench/supervision/exposure/?month=2025-10")
    assert page.status_code == 200 and "发布2025年10月警示曝光名单" in page.content.decode()
    assert boss.get("/workbench/supervision/exposure/?month=garbage").status_code == 200
    assert staff_client(egov).post("/workbench/supervision/exposure/publish/", {"month": "2025-10"}).status_code == 403
    assert staff_client(market_leader).get("/workbench/supervision/exposure/").status_code == 403
    assert boss.post("/workbench/supervision/exposure/publish/", {"month": "2025-10", "note": ""}).status_code == 302
    assert ExposureList.objects.filter(month=OCT).exists()
    export = staff_client(egov).get("/workbench/supervision/exposure/export.xlsx?month=2025-10")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("排名", "单位", "超期件数")
    assert rows[1][0] == 1 and rows[1][2] == 2 and len(rows) == 3


@pytest.mark.django_db
def test_scorecards_with_and_without_a_provider(
    autumn: None, supervisor: User, market_leader: User, market_dept: Department, police_dept: Department, citizen: User
) -> None:
    rows = {row.department_id: row for row in reports.scorecard_rows(OCT)}
    assert rows[market_dept.pk].satisfaction is None
    seen: list[tuple[date, date]] = []

    def provider(first: date, last: date) -> dict[int, dict[str, float | None]]:
        seen.append((first, last))
        return {market_dept.pk: {"satisfaction": 0.95, "online_share": 0.6, "visits_avg": None}}

    scorecards.register_figures("test-eservices", provider)
    try:
        rows = {row.department_id: row for row in reports.scorecard_rows(OCT)}
        assert seen == [(date(2025, 10, 1), date(2025, 10, 31))]
        assert rows[market_dept.pk].satisfaction == 0.95 and rows[market_dept.pk].visits_avg is None
        assert rows[police_dept.pk].online_share is None
        # October at the market: C finished on time, 5 working days used of 5 promised
        assert rows[market_dept.pk].finished == 1 and rows[market_dept.pk].on_time_rate == 1.0
        assert rows[market_dept.pk].avg_used_days == 5.0 and rows[market_dept.pk].avg_promised_days == 5.0
        page = staff_client(supervisor).get("/workbench/supervision/scorecards/?month=2025-10")
        text = page.content.decode()
        assert page.status_code == 200 and "95.0%" in text and "—" in text and police_dept.name in text
        own = staff_client(market_leader).get("/workbench/supervision/scorecards/?month=2025-10").content.decode()
        assert market_dept.name in own and police_dept.name not in own
        export = staff_client(supervisor).get("/workbench/supervision/scorecards/export.xlsx?month=2025-10")
        sheet = load_workbook(io.BytesIO(export.content)).active
        table = list(sheet.iter_rows(values_only=True))
        # one row a department: 市场监管厅, 公安厅 and the supervisor's own e-gov office
        assert table[0][0] == "单位" and len(table) == 4
        market_row = next(r for r in table if r[0] == market_dept.name)
        assert market_row[8] == 0.95 and market_row[10] == "—"
    finally:
        scorecards.unregister_figures("test-eservices")
    assert person_client(citizen).get("/workbench/supervision/scorecards/").status_code == 403


@pytest.mark.django_db
def test_a_broken_provider_does_not_break_the_scorecard(autumn: None, market_dept: Department) -> None:
    def broken(first: date, last: date) -> dict[int, dict[str, float | None]]:
        raise RuntimeError("eservices down")

    scorecards.register_figures("broken", broken)
    try:
        rows = reports.scorecard_rows(OCT)
        assert all(row.satisfaction is None for row in rows)
    finally:
        scorecards.unregister_figures("broken")


def test_months() -> None:
    assert reports.month_bounds(date(2024, 2, 10)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert reports.parse_month("2025-12") == date(2025, 12, 1)
    assert reports.previous_month(date(2026, 1, 15)) == date(2025, 12, 1)
    for bad in ("2025-13", "abc", "1800-01"):
        with pytest.raises(ApplicationError):
            reports.parse_month(bad)
