"""Warnings (预警): issued, adjusted and lifted by an authorised department; the banner on the cached
portal home page appears at once and is gone the moment the warning is lifted; subscribers are told."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from zhengwu.accounts import sms
from zhengwu.accounts.models import Department, Region, User
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.conftest import person_client, staff_client
from zhengwu.core.actors import Actor
from zhengwu.core.errors import CoreError
from zhengwu.emergency import selectors, services
from zhengwu.emergency.errors import EmergencyError
from zhengwu.emergency.models import EarlyWarning, Hazard, WarningColor
from zhengwu.emergency.services import WarningData
from zhengwu.eservices.models import Notification
from zhengwu.portal import cache as page_cache


def rainstorm(**overrides: Any) -> WarningData:
    values: dict[str, Any] = {
        "hazard": Hazard.RAINSTORM,
        "color": WarningColor.YELLOW,
        "region_code": "220000",
        "content": "预计未来 24 小时全省中东部将出现暴雨，局地大暴雨。",
        "ends_at": timezone.now() + timedelta(days=1),
        "measures": "做好城市内涝、山洪和地质灾害防御。",
        "advice": "减少外出，远离河道和低洼地带。",
    }
    values.update(overrides)
    return WarningData(**values)


def issue(user: User, **overrides: Any) -> EarlyWarning:
    return services.warning_issue(actor=Actor.person(user), data=rainstorm(**overrides))


@pytest.fixture
def cache_on(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.ZHENGWU_PAGE_CACHE_SECONDS = 30
    monkeypatch.setattr(page_cache, "HEAD_CHECK_SECONDS", 0.0)  # read the audit head on every request


def test_a_warning_is_named_and_coloured_as_real_warnings_are(duty_officer: User) -> None:
    warning = issue(duty_officer)
    assert warning.headline == "暴雨黄色预警" and warning.grade == "三级" and warning.css == "yellow"
    assert warning.number.startswith("YJ") and warning.department.name == "吉林省应急管理厅"
    assert list(selectors.province_warnings()) == [warning]


def test_the_banner_on_the_cached_home_page_comes_and_goes_with_the_warning(cache_on: None, duty_officer: User) -> None:
    before = Client().get("/")
    assert before["X-Page-Cache"] == "miss" and "暴雨黄色预警" not in before.content.decode()
    warning = issue(duty_officer)
    shown = Client().get("/")
    page = shown.content.decode()
    assert shown["X-Page-Cache"] == "miss"  # the issue is an audited write: a new page at once
    assert "吉林省暴雨黄色预警" in page and "warning-yellow" in page
    cached = Client().get("/")
    assert cached["X-Page-Cache"] == "hit" and "暴雨黄色预警" in cached.content.decode()
    services.warning_lift(actor=Actor.person(duty_officer), warning=warning, reason="降雨过程结束")
    after = Client().get("/")
    assert "暴雨黄色预警" not in after.content.decode()
    assert "暴雨黄色预警" not in Client().get("/emergency/warnings/").content.decode()
    detail = Client().get(f"/emergency/warnings/{warning.pk}/").content.decode()
    assert "已解除" in detail and "降雨过程结束" in detail


def test_a_department_page_shows_the_warnings_of_its_area(
    cc_duty: User, cc_emergency: Department, jl_emergency: Department
) -> None:
    issue(cc_duty, region_code="220100")
    assert "长春市暴雨黄色预警" in Client().get(f"/departments/{cc_emergency.credit_code}/").content.decode()
    assert "暴雨黄色预警" not in Client().get(f"/departments/{jl_emergency.credit_code}/").content.decode()


def test_public_list_and_detail(duty_officer: User) -> None:
    warning = issue(duty_officer, color=WarningColor.RED, hazard=Hazard.BLIZZARD)
    listed = Client().get("/emergency/warnings/").content.decode()
    assert "吉林省暴雪红色预警" in listed and "warning-red" in listed
    detail = Client().get(f"/emergency/warnings/{warning.pk}/").content.decode()
    assert "一级" in detail and "减少外出" in detail and "生效中" in detail


def test_subscribers_get_a_site_message_and_an_sms(
    duty_officer: User, citizen: User, market_dept: Department, market_clerk: User, jilin: Region
) -> None:
    changchun = Region.objects.create(code="220100", name="长春市", level=Region.Level.CITY, parent=jilin)
    services.subscription_add(actor=Actor.person(citizen), region_code=changchun.code)
    services.subscription_add(actor=Actor.person(market_clerk), region_code="220000", for_department=True)
    sms.outbox.clear()
    with_commit = issue(duty_officer)
    assert Notification.objects.filter(user=citizen, text__contains="暴雨黄色预警").exists()
    assert Notification.objects.filter(user=market_clerk, text__contains="暴雨黄色预警").exists()
    assert with_commit.pk


@pytest.mark.django_db(transaction=True)
def test_the_sms_goes_after_the_commit(duty_officer: User, citizen: User) -> None:
    services.subscription_add(actor=Actor.person(citizen), region_code="220000")
    sms.outbox.clear()
    issue(duty_officer)
    assert any(phone == "13800138000" and "暴雨黄色预警" in text for phone, text in sms.outbox)


def test_who_may_issue(
    duty_officer: User, market_clerk: User, market_leader: User, settings: Any, jilin: Region
) -> None:
    for user in (market_clerk, market_leader):
        refused_write(lambda user=user: issue(user), apps=["emergency"], code=CoreError.PERMISSION_DENIED)
    settings.ZHENGWU_EMERGENCY_WARNING_ISSUERS = [market_leader.department.credit_code]
    assert issue(market_leader).department == market_leader.department


def test_a_city_duty_room_issues_for_its_city_only(cc_duty: User) -> None:
    refused_write(lambda: issue(cc_duty), apps=["emergency"], code=CoreError.PERMISSION_DENIED)
    assert issue(cc_duty, region_code="220100").region.code == "220100"


def test_adjusting_needs_a_reason_and_keeps_the_history(duty_officer: User, commander: User, cc_duty: User) -> None:
    warning = issue(duty_officer)
    refused_write(
        lambda: services.warning_adjust(
            actor=Actor.person(commander), warning=warning, data=rainstorm(color=WarningColor.ORANGE), reason=""
        ),
        apps=["emergency"],
        rows=[warning],
        code=EmergencyError.REASON_REQUIRED,
    )
    refused_write(
        lambda: services.warning_lift(actor=Actor.person(cc_duty), warning=warning, reason="x"),
        apps=["emergency"],
        rows=[warning],
        code=CoreError.PERMISSION_DENIED,
    )
    adjusted = services.warning_adjust(
        actor=Actor.person(commander), warning=warning, data=rainstorm(color=WarningColor.ORANGE), reason="雨势加强"
    )
    assert adjusted.headline == "暴雨橙色预警"
    assert adjusted.adjustments[0]["from"] == "暴雨黄色预警" and adjusted.adjustments[0]["reason"] == "雨势加强"
    lifted = services.warning_lift(actor=Actor.person(commander), warning=adjusted, reason="结束")
    refused_write(
        lambda: services.warning_lift(actor=Actor.person(commander), warning=lifted, reason="再次"),
        apps=["emergency"],
        code=EmergencyError.WRONG_STATE,
    )


def test_a_warning_needs_a_future_end(duty_officer: User) -> None:
    refused_write(
        lambda: issue(duty_officer, ends_at=timezone.now() - timedelta(minutes=1)),
        apps=["emergency"],
        code=EmergencyError.INVALID_INPUT,
    )


def test_warnings_whose_time_ended_are_lifted_by_the_job(duty_officer: User) -> None:
    warning = issue(duty_officer, ends_at=timezone.now() + timedelta(hours=1))
    assert services.warnings_expire(actor=Actor.platform(), now=timezone.now()) == 0
    assert services.warnings_expire(actor=Actor.platform(), now=timezone.now() + timedelta(hours=2)) == 1
    warning.refresh_from_db()
    assert warning.state == EarlyWarning.State.LIFTED and "有效期届满" in warning.lift_reason


def test_the_workbench_pages_issue_and_lift(duty_officer: User, market_clerk: User) -> None:
    client = staff_client(duty_officer)
    now = timezone.localtime()
    response = client.post(
        "/workbench/emergency/warnings/new/",
        {
            "hazard": "rainstorm",
            "color": "3",
            "region_code": "220000",
            "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "content": "暴雨",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    warning = EarlyWarning.objects.get()
    assert "吉林省暴雨黄色预警" in Client().get("/").content.decode()
    client.post(f"/workbench/emergency/warnings/{warning.pk}/lift/", {"reason": "天气过程结束"})
    assert "暴雨黄色预警" not in Client().get("/").content.decode()
    assert staff_client(market_clerk).get("/workbench/emergency/warnings/").status_code == 403


def test_subscription_pages(citizen: User, jilin: Region) -> None:
    client = person_client(citizen)
    client.post("/emergency/subscriptions/", {"region_code": "220000"})
    page = client.get("/emergency/subscriptions/").content.decode()
    assert "我的订阅" in page and "吉林省" in page


def test_region_pages_show_the_warnings_of_their_area_and_follow_them_on_the_cached_page(
    cache_on: None, cc_duty: User, duty_officer: User, changchun: Region, jilin_city: Region
) -> None:
    nanguan = Region.objects.create(code="220102", name="南关区", level=Region.Level.COUNTY, parent=changchun)
    chuanying = Region.objects.create(code="220204", name="船营区", level=Region.Level.COUNTY, parent=jilin_city)
    county, other = f"/regions/{nanguan.code}/", f"/regions/{chuanying.code}/"
    first = Client().get(county)
    assert first.status_code == 200 and "暴雨黄色预警" not in first.content.decode()
    assert Client().get(county)["X-Page-Cache"] == "hit"
    city_warning = issue(cc_duty, region_code="220100")  # a city's warning shows on its counties' pages
    shown = Client().get(county)
    assert shown["X-Page-Cache"] == "miss" and "长春市暴雨黄色预警" in shown.content.decode()
    assert Client().get(county)["X-Page-Cache"] == "hit"
    assert "暴雨黄色预警" not in Client().get(other).content.decode()  # another city's county
    assert "长春市暴雨黄色预警" in Client().get("/regions/220100/").content.decode()
    province = issue(duty_officer, hazard=Hazard.BLIZZARD, color=WarningColor.BLUE)  # the province's: everywhere
    assert "吉林省暴雪蓝色预警" in Client().get(county).content.decode()
    assert "吉林省暴雪蓝色预警" in Client().get(other).content.decode()
    services.warning_lift(actor=Actor.person(cc_duty), warning=city_warning, reason="降雨过程结束")
    after = Client().get(county).content.decode()
    assert "长春市暴雨黄色预警" not in after and "吉林省暴雪蓝色预警" in after
    services.warning_lift(actor=Actor.person(duty_officer), warning=province, reason="降雪过程结束")
    assert 'id="warning-banner"' not in Client().get(other).content.decode()
    assert Client().get("/regions/999999/").status_code == 404
    assert Client().get("/regions/abc/").status_code == 404
