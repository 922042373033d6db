"""Browser journeys (Playwright with Debian's chromium): read and search a policy; the list on a
phone; file a disclosure request and follow it through correction and answer."""

from __future__ import annotations

from django.utils import timezone

from zhengwu.accounts.models import Department, User
from zhengwu.browser import BROWSER_TEST, browser_page, sign_in, wrapped
from zhengwu.conftest import person_client, staff_client
from zhengwu.disclosure.models import DisclosureRequest
from zhengwu.disclosure.tests.conftest import published

pytestmark = BROWSER_TEST


def test_read_and_search_a_policy(live_server: object, market_clerk: User, market_dept: Department) -> None:
    policy = published(
        market_clerk,
        market_dept,
        title="吉林省市场监督管理厅关于进一步优化营商环境的若干措施",
        subject_words="营商环境",
        body="第一条 为持续优化营商环境，制定本措施。\n\n第二条 本措施自印发之日起施行。",
    )
    published(
        market_clerk, market_dept, title="吉林省市场监督管理厅2026年部门预算", category="budget", body="预算说明。"
    )
    base = live_server.url  # type: ignore[attr-defined]
    with browser_page() as page:
        page.goto(f"{base}/disclosure/")
        page.get_by_label("检索").fill("优化营商环境")
        page.get_by_role("button", name="查询").click()
        page.wait_for_url("**/disclosure/?q=*")
        assert "按相关度排序" in page.content()
        page.get_by_role("link", name=policy.title).click()
        page.wait_for_url(f"**/disclosure/{policy.index_number}/")
        text = page.content()
        assert policy.index_number in text and "吉市监发〔2026〕12号" in text and "第二条" in text
        # The catalogue tree lists by category.
        page.get_by_role("link", name="政策文件").first.click()
        assert policy.title in page.content() and "2026年部门预算" not in page.content()


def test_on_a_phone_the_results_come_first_whole_and_the_catalogue_is_folded(
    live_server: object, market_clerk: User, market_dept: Department
) -> None:
    """The walk-through's /disclosure/ on a 390 px phone: 448 px wide, a 20-item category list
    before the results, 文号 and dates broken mid-value ("2026-02-/24")."""
    for n in range(3):
        item = published(market_clerk, market_dept, title=f"吉林省市场监督管理厅关于食品安全抽检的通告（第{n + 1}期）")
    assert item.published_at is not None
    published_on = timezone.localtime(item.published_at).strftime("%Y年%m月%d日")
    base = live_server.url  # type: ignore[attr-defined]
    with browser_page() as page:
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{base}/disclosure/")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"/disclosure/ scrolls sideways by {overflow} px"
        results = page.locator(".disclosure-results table.data").bounding_box()
        tree = page.locator("details.disclosure-tree").bounding_box()
        assert results is not None and tree is not None and results["y"] < tree["y"]
        assert page.locator("details.disclosure-tree").get_attribute("open") is None  # folded
        assert not page.get_by_role("link", name="行政许可").is_visible()
        assert page.locator(".disclosure-results td.nowrap").count() == 6  # 文号 and 成文日期 of three
        assert wrapped(page, ".disclosure-results td.nowrap, .disclosure-results span.nowrap") == []
        page.locator("details.disclosure-tree > summary").click()  # unfolds on demand
        assert page.get_by_role("link", name="行政许可").is_visible()
        # An item's own page: its properties stack in two columns, the dates whole, nothing wider.
        page.locator(".disclosure-results table a").first.click()
        page.wait_for_url("**/disclosure/1122**")
        dates = ".disclosure-meta tr:nth-child(2) td:last-child, .disclosure-meta tr:nth-child(3) td:last-child"
        assert page.locator(dates).all_inner_texts() == ["2026年03月02日", published_on]  # 成文日期, 发布日期
        assert wrapped(page, f"{dates}, .disclosure-meta th") == []
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{page.url} scrolls sideways by {overflow} px"


def test_file_a_request_through_correction_and_answer(
    live_server: object, citizen: User, market_clerk: User, market_dept: Department
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    citizen_session, clerk_session = person_client(citizen), staff_client(market_clerk)
    with browser_page() as page:
        sign_in(page, base, citizen_session)
        page.goto(f"{base}/disclosure/requests/new/")
        page.get_by_label("受理机关").select_option(label=market_dept.name)
        page.get_by_label("所需信息的名称、文号或内容描述").fill("2025年食品安全抽检结果")
        page.get_by_role("button", name="提交申请").click()
        page.wait_for_url("**/disclosure/requests/*/")
        assert "待确认收到" in page.content()
        req = DisclosureRequest.objects.get()

        sign_in(page, base, clerk_session)
        page.goto(f"{base}/workbench/disclosure/requests/{req.pk}/")
        page.get_by_role("button", name="确认收到").click()
        page.get_by_label("需要补正的全部事项").fill("请写明抽检批次和食品类别")
        page.get_by_role("button", name="发出补正告知").click()
        assert "已告知补正" in page.content()

        sign_in(page, base, citizen_session)
        page.goto(f"{base}/disclosure/requests/{req.pk}/")
        assert "请写明抽检批次和食品类别" in page.content()
        page.get_by_label("补正内容").fill("2025年第三批乳制品食品安全抽检结果")
        page.get_by_role("button", name="提交补正").click()
        assert "补正已提交" in page.content()

        sign_in(page, base, clerk_session)
        page.goto(f"{base}/workbench/disclosure/requests/{req.pk}/")
        page.get_by_label("答复类型").select_option(label="予以公开")
        page.get_by_role("button", name="答复").click()  # without 提供方式: refused beside the form
        assert "提供方式" in page.locator(".form-errors").first.inner_text()
        page.get_by_label("提供方式").fill("电子邮件发送至申请人邮箱")
        page.get_by_role("button", name="答复").click()
        assert "已作出答复" in page.content()

        sign_in(page, base, citizen_session)
        page.goto(f"{base}/disclosure/requests/{req.pk}/")
        text = page.content()
        assert "答复：予以公开" in text and "电子邮件发送至申请人邮箱" in text and "收到补正" in text
