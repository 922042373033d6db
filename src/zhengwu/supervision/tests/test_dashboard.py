"""The dashboard: SQL aggregates equal a Python recount; drill-down; who may see what."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from zhengwu.accounts.models import Department, User
from zhengwu.conftest import person_client, staff_client
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.supervision import selectors, services
from zhengwu.supervision.models import Timer
from zhengwu.supervision.tests.conftest import start

BJ = ZoneInfo("Asia/Shanghai")
TODAY = date(2025, 3, 20)  # a Thursday
NOW = datetime(2025, 3, 20, 10, 0, tzinfo=BJ)


def mixed_set(market: Department, police: Department) -> list[Timer]:
    """Every light and state, two departments, three kinds, workday and minute timers."""
    timers = [
        start(market, 10, date(2025, 3, 3)),  # deadline 03-17: red
        start(market, 10, date(2025, 3, 10)),  # deadline 03-24, 2 days left: yellow
        start(market, 10, date(2025, 3, 19)),  # green
        start(police, 10, date(2025, 3, 19), kind="exchange.share_request", label="共享申请答复"),  # green
        start(police, 5, date(2025, 3, 3), kind="exchange.share_request", label="共享申请答复"),  # red
        start(police, 30, datetime(2025, 3, 20, 9, 0, tzinfo=BJ), unit="minute", kind="participation.receipt"),
        start(police, 60, datetime(2025, 3, 20, 9, 50, tzinfo=BJ), unit="minute", kind="participation.receipt"),
        start(market, 12, datetime(2025, 3, 20, 9, 50, tzinfo=BJ), unit="minute", kind="participation.receipt"),
    ]
    paused_ok = start(market, 10, date(2025, 3, 3))
    services.timer_pause(actor=Actor.platform(), timer=paused_ok, reason="补正材料", when=date(2025, 3, 10))  # paused
    paused_late = start(police, 5, date(2025, 3, 3))
    services.timer_pause(actor=Actor.platform(), timer=paused_late, reason="专家评审", when=date(2025, 3, 12))  # red
    finished = start(market, 10, date(2025, 3, 3))
    services.timer_finish(actor=Actor.platform(), timer=finished, when=date(2025, 3, 5))
    cancelled = start(police, 10, date(2025, 3, 3))
    services.timer_cancel(actor=Actor.platform(), timer=cancelled, reason="申请人撤回")
    return [*timers, paused_ok, paused_late, finished, cancelled]


@pytest.mark.django_db
def test_aggregates_equal_a_python_recount(market_dept: Department, police_dept: Department) -> None:
    mixed_set(market_dept, police_dept)
    board = selectors.dashboard(today=TODAY, now=NOW)

    recount: Counter[tuple[int, str, str]] = Counter()
    for timer in Timer.objects.all():
        light = timer.light(TODAY, now=NOW)
        if light != "done":
            recount[(timer.department_id, timer.kind, light)] += 1
    assert board.cells == dict(recount)
    # the panels are the same numbers summed
    lights = Counter()
    for (_dept, _kind, light), number in recount.items():
        lights[light] += number
    assert (board.totals.red, board.totals.yellow, board.totals.green, board.totals.paused) == (
        lights["red"],
        lights["yellow"],
        lights["green"],
        lights["paused"],
    )
    assert board.totals.red == 4 and board.totals.yellow == 2 and board.totals.green == 3 and board.totals.paused == 1
    by_dept = {row.key: row for row in board.by_department}
    assert by_dept[market_dept.pk].label == market_dept.name
    assert by_dept[market_dept.pk].total == sum(n for (d, _k, _l), n in recount.items() if d == market_dept.pk)
    by_kind = {row.key: row for row in board.by_kind}
    assert by_kind["exchange.share_request"].label == "共享申请答复"
    assert by_kind["participation.receipt"].red == 1
    # the red list is the same set as the red lights
    red_ids = set(selectors.red_list(today=TODAY, now=NOW).values_list("pk", flat=True))
    assert red_ids == {t.pk for t in Timer.objects.all() if t.light(TODAY, now=NOW) == "red"}
    # one department only
    mine = selectors.dashboard(police_dept, today=TODAY, now=NOW)
    assert [row.key for row in mine.by_department] == [police_dept.pk]
    assert mine.totals.total == by_dept[police_dept.pk].total


@pytest.mark.django_db
def test_dashboard_is_one_aggregate_query(
    market_dept: Department, police_dept: Department, django_assert_max_num_queries: object
) -> None:
    mixed_set(market_dept, police_dept)
    with django_assert_max_num_queries(2):  # type: ignore[operator]
        selectors.dashboard(today=TODAY, now=NOW)  # the GROUP BY + the department names


def live_today(department: Department, limit: int = 10) -> Timer:
    return start(department, limit, workdays.today(), url="/workbench/eservices/applications/1/")


@pytest.mark.django_db
def test_supervisor_sees_every_department_and_drills_down(
    supervisor: User, market_dept: Department, police_dept: Department
) -> None:
    market_timer = live_today(market_dept)
    start(police_dept, 1, date(2024, 1, 2), title="户籍迁移申请")  # long overdue
    client = staff_client(supervisor)
    page = client.get("/workbench/supervision/")
    assert page.status_code == 200
    text = page.content.decode()
    assert market_dept.name in text and police_dept.name in text
    assert "户籍迁移申请" in text  # on the red list
    assert "超期 " in text and "工作日" in text  # how long overdue, in text (not colour only)
    assert "echarts.min.js" in text
    listing = client.get(f"/workbench/supervision/departments/{market_dept.pk}/?light=green")
    assert listing.status_code == 200 and "食品经营许可申请" in listing.content.decode()
    assert (
        "食品经营许可申请"
        not in client.get(f"/workbench/supervision/departments/{market_dept.pk}/?light=red").content.decode()
    )
    detail = client.get(f"/workbench/supervision/timers/{market_timer.pk}/")
    assert detail.status_code == 200
    body = detail.content.decode()
    assert 'href="/workbench/eservices/applications/1/"' in body
    assert "开始计时" in body and "发出督办" in body


@pytest.mark.django_db
def test_a_foreign_target_url_is_never_linked(supervisor: User, market_dept: Department) -> None:
    timer = start(market_dept, 10, workdays.today(), url="javascript:alert(1)")
    other = start(market_dept, 10, workdays.today(), url="//evil.example/x")
    client = staff_client(supervisor)
    assert "javascript:" not in client.get(f"/workbench/supervision/timers/{timer.pk}/").content.decode()
    assert "evil.example" not in client.get(f"/workbench/supervision/timers/{other.pk}/").content.decode()


@pytest.mark.django_db
def test_department_leader_sees_only_own_department(
    market_leader: User, market_dept: Department, police_dept: Department
) -> None:
    mine = live_today(market_dept)
    theirs = start(police_dept, 10, workdays.today(), title="户籍迁移申请")
    client = staff_client(market_leader)
    text = client.get("/workbench/supervision/").content.decode()
    assert market_dept.name in text and police_dept.name not in text and "户籍迁移申请" not in text
    assert client.get(f"/workbench/supervision/departments/{market_dept.pk}/").status_code == 200
    assert client.get(f"/workbench/supervision/departments/{police_dept.pk}/").status_code == 403
    assert client.get(f"/workbench/supervision/timers/{mine.pk}/").status_code == 200
    assert client.get(f"/workbench/supervision/timers/{theirs.pk}/").status_code == 404
    assert "发出督办" not in client.get(f"/workbench/supervision/timers/{mine.pk}/").content.decode()


@pytest.mark.django_db
def test_egov_office_sees_everything(egov: User, market_dept: Department, police_dept: Department) -> None:
    live_today(market_dept)
    start(police_dept, 10, workdays.today())
    text = staff_client(egov).get("/workbench/supervision/").content.decode()
    assert market_dept.name in text and police_dept.name in text


@pytest.mark.django_db
def test_refusal_matrix(
    market_clerk: User, police_clerk: User, citizen: User, outsider: User, market_dept: Department
) -> None:
    timer = live_today(market_dept)
    urls = [
        "/workbench/supervision/",
        f"/workbench/supervision/departments/{market_dept.pk}/",
        f"/workbench/supervision/timers/{timer.pk}/",
        "/workbench/supervision/exposure/",
    ]
    for url in urls:
        for person in (market_clerk, police_clerk):
            assert staff_client(person).get(url).status_code == 403, (person, url)
        for person in (citizen, outsider):
            assert person_client(person).get(url).status_code == 403, (person, url)
        from django.test import Client

        assert Client().get(url).status_code == 302  # to the login page


@pytest.mark.django_db
def test_pages_and_bad_filters_never_500(supervisor: User, market_dept: Department) -> None:
    for _ in range(35):
        live_today(market_dept)
    client = staff_client(supervisor)
    base = f"/workbench/supervision/departments/{market_dept.pk}/"
    assert "第 1 / 2 页" in client.get(base).content.decode()
    for query in ("?page=999", "?page=abc", "?light=purple", "?light=done"):
        assert client.get(base + query).status_code == 200, query
    assert client.get(base + "?kind=%00").status_code == 400  # NUL: core.NulRefusalMiddleware
    assert client.get("/workbench/supervision/departments/999999/").status_code == 404
    assert client.get("/workbench/supervision/timers/999999/").status_code == 404
