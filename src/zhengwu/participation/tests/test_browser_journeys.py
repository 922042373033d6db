"""Two journeys in a real browser (Debian's chromium): (1) a citizen writes a letter, the 12345
office dispatches it, the department replies, the office completes it, and the writer sees the
reply and rates it; (2) a citizen answers a survey and sees the results chart."""

from __future__ import annotations

from datetime import timedelta

from zhengwu.accounts.models import Department, User
from zhengwu.browser import BROWSER_TEST, browser_page, sign_in
from zhengwu.conftest import person_client, staff_client
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.participation import services
from zhengwu.participation.models import Letter, Response

pytestmark = BROWSER_TEST


def test_letter_written_dispatched_replied_then_rated_by_the_writer(
    live_server: object, citizen: User, egov: User, market_clerk: User, market_dept: Department
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    with browser_page() as page:
        sign_in(page, base, person_client(citizen))
        page.goto(f"{base}/participation/letters/write/")
        page.get_by_label("来信类别").select_option(label="投诉")
        page.get_by_label("标题").fill("农贸市场缺斤短两")
        page.get_by_label("来信内容").fill("长春市某农贸市场多个摊位电子秤缺斤短两，请市场监管部门检查。")
        page.get_by_label("同意在隐去个人信息后公开来信和答复").check()
        page.get_by_role("button", name="提交来信").click()
        page.wait_for_url("**/participation/letters/receipt/")
        number = page.locator("#letter-number").inner_text()
        assert page.locator("#letter-code").inner_text()

        sign_in(page, base, staff_client(egov))
        page.goto(f"{base}/workbench/participation/letters/")
        page.get_by_role("link", name=number).click()
        page.get_by_label("承办单位").select_option(label=market_dept.name)
        page.get_by_label("派单意见").fill("请核查处理")
        page.get_by_role("button", name="派单").click()
        page.wait_for_selector("text=已派单。")

        sign_in(page, base, staff_client(market_clerk))
        page.goto(f"{base}/workbench/participation/letters/")
        page.get_by_role("link", name=number).click()
        page.get_by_role("button", name="签收").click()
        page.wait_for_selector("text=已签收。")
        page.get_by_label("答复意见").fill("经现场检查，已查处 3 个摊位并校准电子秤。")
        page.get_by_role("button", name="提交答复").click()
        page.wait_for_selector("text=答复已提交。")

        sign_in(page, base, staff_client(egov))
        page.goto(f"{base}/workbench/participation/letters/")
        page.get_by_role("link", name=number).click()
        page.get_by_label("隐去个人信息后公开来信和答复").check()
        page.get_by_role("button", name="审核通过并办结").click()
        page.wait_for_selector("text=已办结。")

        sign_in(page, base, person_client(citizen))
        page.goto(f"{base}/participation/letters/mine/")
        page.get_by_role("link", name=number).click()
        assert "已查处 3 个摊位" in page.locator("#reply").inner_text()
        page.get_by_role("radio", name="非常满意").check()
        page.get_by_label("评价意见").fill("处理很快")
        page.get_by_role("button", name="提交评价").click()
        page.wait_for_selector("text=感谢您的评价。")
        assert "您的评价：非常满意" in page.locator("main").inner_text()
    letter = Letter.objects.get(number=number)
    assert letter.rating == "5" and letter.is_public and letter.state == Letter.State.COMPLETED


def test_citizen_answers_a_survey_and_sees_the_results_chart(
    live_server: object, citizen: User, market_clerk: User
) -> None:
    today = workdays.today()
    survey = services.survey_create(
        actor=Actor.person(market_clerk),
        title="窗口服务满意度调查",
        intro="",
        questions=(
            "单选：您去过办事大厅吗？ | 去过 | 没去过\n多选：希望改进 | 排队时间 | 材料 | 态度\n"
            "量表：满意度 | 1 | 5\n文本：其他意见（选答）"
        ),
        opens_on=today,
        closes_on=today + timedelta(days=3),
    )
    services.survey_open(actor=Actor.person(market_clerk), survey=survey)
    base = live_server.url  # type: ignore[attr-defined]
    with browser_page() as page:
        sign_in(page, base, person_client(citizen))
        page.goto(f"{base}/participation/surveys/")
        page.get_by_role("link", name="窗口服务满意度调查").first.click()
        page.get_by_role("radio", name="去过", exact=True).check()
        page.get_by_role("checkbox", name="排队时间").check()
        page.get_by_role("checkbox", name="态度").check()
        page.get_by_role("radio", name="4", exact=True).check()
        page.get_by_label("其他意见").fill("希望周末开放")
        page.get_by_role("button", name="提交问卷").click()
        page.wait_for_url("**/results/")
        assert page.locator("#total").inner_text() == "1"
        page.wait_for_selector(".chart canvas")  # ECharts drew the bars
        assert page.locator(".chart canvas").count() == 3
    response = Response.objects.get(survey=survey)
    assert response.user == citizen and response.answers.count() == 4
