"""The home page gathers the newest of every department; each department has its own section
(网站群) with only its own publications, services, open data and letter replies."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from zhengwu.accounts.models import Department
from zhengwu.catalog.models import Resource
from zhengwu.portal import feeds
from zhengwu.portal.tests.conftest import publish

pytestmark = pytest.mark.django_db

MARKET = ["关于开展特种设备安全大检查的通知", "企业开办一件事", "关于电梯年检收费的咨询", "特种设备使用登记信息"]
POLICE = ["户籍业务调整公告", "居民身份证换领", "关于落户材料的咨询", "户籍业务办理网点信息"]
NEVER = ["草稿：特种设备收费调整", "已撤回的特种设备旧通知", "草稿事项不应出现", "已结束的征求意见", "未同意公开的来信"]


@pytest.fixture
def police_open_data(police_dept: Department) -> Resource:
    return publish(police_dept, subitem="009", name="户籍业务办理网点信息")


def test_home_shows_a_clear_empty_state_when_nothing_is_published(market_dept: Department) -> None:
    response = Client().get("/")
    body = response.content.decode()
    assert response.status_code == 200
    for empty in [
        "暂无通知公告。",
        "暂无政务动态。",
        "暂无公开的政府信息。",
        "暂无可在线办理的服务事项。",
        "当前没有正在进行的意见征集或调查。",
        "暂无开放数据。",
    ]:
        assert empty in body
    assert 'role="search"' in body and 'name="q"' in body


def test_home_gathers_the_newest_of_every_department(
    apps_content: dict[str, Any], open_resource: Resource, police_open_data: Resource
) -> None:
    body = Client().get("/").content.decode()
    for title in [
        *MARKET[:2],
        *POLICE[:2],
        MARKET[3],
        POLICE[3],
        "《吉林省数据条例（草案）》公开征求意见",
        "政务服务满意度调查",
    ]:
        assert title in body, title
    for title in NEVER:
        assert title not in body, title


def test_notices_and_news_have_their_own_columns(market_dept: Department) -> None:
    from zhengwu.portal.tests.conftest import _publication

    _publication(market_dept, "关于元旦放假安排的通知", category="notice")
    _publication(market_dept, "省市场监管厅召开食品安全工作会", category="news")
    _publication(market_dept, "关于优化营商环境的实施意见")
    body = Client().get("/").content.decode()

    def column(key: str) -> str:
        start = body.index(f'id="section-{key}"')
        return body[start : body.index("</section>", start)]

    assert "关于元旦放假安排的通知" in column("notices") and "食品安全工作会" not in column("notices")
    assert "省市场监管厅召开食品安全工作会" in column("news") and "元旦" not in column("news")
    publications = column("publications")
    assert "关于优化营商环境的实施意见" in publications and "元旦" not in publications and "工作会" not in publications


def test_home_links_lead_to_the_apps_pages(apps_content: dict[str, Any], open_resource: Resource) -> None:
    client = Client()
    for section in feeds.home_sections():
        for hit in section.hits:
            assert client.get(hit.url).status_code == 200, (section.key, hit.url)


def test_department_section_shows_only_its_own(
    apps_content: dict[str, Any], open_resource: Resource, police_open_data: Resource, market_dept: Department
) -> None:
    for key in [market_dept.credit_code, str(market_dept.pk), market_dept.credit_code.lower()]:
        response = Client().get(f"/departments/{key}/")
        body = response.content.decode()
        assert response.status_code == 200, key
        assert market_dept.name in body
        for mine in MARKET:
            assert mine in body, mine
        for theirs in POLICE + NEVER:
            assert theirs not in body, theirs


def test_department_site_hides_empty_blocks(police_dept: Department) -> None:
    """A department with nothing published shows one note with ways on, not four empty blocks."""
    body = Client().get(f"/departments/{police_dept.credit_code}/").content.decode()
    assert "本部门暂无" not in body
    assert "本部门尚未发布内容" in body


def test_department_site_shows_only_the_blocks_it_has(
    open_resource: Resource, police_open_data: Resource, police_dept: Department
) -> None:
    body = Client().get(f"/departments/{police_dept.credit_code}/").content.decode()
    assert "开放数据" in body and 'id="section-opendata"' in body
    assert 'id="section-publications"' not in body and "本部门暂无" not in body


@pytest.mark.parametrize("key", ["0", "999999", "91220000MA0000000X", "abc", "1" * 40, "-1"])
def test_unknown_department_is_404(key: str, market_dept: Department) -> None:
    assert Client().get(f"/departments/{key}/").status_code == 404


def test_inactive_department_has_no_section(market_dept: Department) -> None:
    Department.objects.filter(pk=market_dept.pk).update(is_active=False)
    assert Client().get(f"/departments/{market_dept.credit_code}/").status_code == 404


def test_department_directory_links_every_section(market_dept: Department, police_dept: Department) -> None:
    body = Client().get("/departments/").content.decode()
    assert f'href="/departments/{market_dept.credit_code}/"' in body
    assert f'href="/departments/{police_dept.credit_code}/"' in body


def test_services_are_ordered_by_use(apps_content: dict[str, Any]) -> None:
    names = [hit.title for hit in feeds.services(limit=5)]
    assert set(names) == {"企业开办一件事", "居民身份证换领"}
