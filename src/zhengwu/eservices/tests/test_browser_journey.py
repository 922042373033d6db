"""The whole 网上办事 journey in a real browser (Debian's chromium):

an enterprise applies for 建设工程规划许可 with its business licence fetched from the 法人 base (not
uploaded) → the window asks for a correction → the applicant answers → 自然资源厅 and 住建厅 approve
in parallel → the window approves and the 电子证照 is issued (the public verify page confirms it) →
the applicant rates the service.
"""

from __future__ import annotations

from typing import Any

from zhengwu.accounts.models import Department, User
from zhengwu.browser import BROWSER_TEST, browser_page, sign_in
from zhengwu.certificates.demo import TYPE_CODES, ensure_types
from zhengwu.conftest import person_client, staff_client
from zhengwu.core.actors import Actor
from zhengwu.eservices import services
from zhengwu.eservices.models import Application, Rating
from zhengwu.eservices.tests.conftest import PDF, item_data

pytestmark = BROWSER_TEST


def test_apply_correct_parallel_approval_certificate_and_rating(
    live_server: Any,
    tmp_path: Any,
    company: User,
    market_clerk: User,
    nature_clerk: User,
    housing_clerk: User,
    market_dept: Department,
    nature_dept: Department,
    housing_dept: Department,
    bases: Any,
) -> None:
    ensure_types()
    item = services.item_create(
        actor=Actor.platform(),
        department=market_dept,
        data=item_data(audience="legal"),
        materials=[
            services.MaterialSpec(name="营业执照", source="base", base_resource_code=services.LEGAL_BASE),
            services.MaterialSpec(name="建设工程设计方案"),
        ],
        fields=[
            services.FieldSpec(code="org_name", label="建设单位", required=True, prefill="legal:org_name"),
            services.FieldSpec(code="project_name", label="建设项目名称", required=True),
            services.FieldSpec(code="location", label="建设位置", required=True),
            services.FieldSpec(code="scale", label="建设规模", required=True),
        ],
        stages=[
            services.StageSpec(
                name="并联审查",
                tasks=[services.TaskSpec(nature_dept, "用地审查", 5), services.TaskSpec(housing_dept, "方案审查", 5)],
            )
        ],
        results=[
            services.ResultSpec(
                name="建设工程规划许可证", kind="certificate", certificate_type_code=TYPE_CODES["建设工程规划许可证"]
            )
        ],
    )
    services.item_publish(actor=Actor.platform(), item=item)
    first = tmp_path / "方案.pdf"
    first.write_bytes(PDF)
    second = tmp_path / "方案-补正.pdf"
    second.write_bytes(PDF + b"% with the site plan\n")
    base = live_server.url
    with browser_page() as page:
        # The enterprise finds the guide and applies; the licence is fetched, the name pre-filled.
        sign_in(page, base, person_client(company))
        page.goto(f"{base}/services/?q=规划许可")
        page.get_by_role("link", name="建设工程规划许可证核发").click()
        page.get_by_role("link", name="在线申请").click()
        assert "无需提交的材料" in page.content() and "营业执照" in page.content()
        assert page.get_by_label("建设单位").input_value() == "长春市春城食品有限公司"
        assert page.get_by_label("建设单位").is_disabled()
        page.get_by_label("建设项目名称").fill("某某科技研发楼")
        page.get_by_label("建设位置").fill("长春市南关区某路2号")
        page.get_by_label("建设规模").fill("地上 6 层，8000 平方米")
        page.get_by_label("建设工程设计方案").set_input_files(str(first))
        page.get_by_role("button", name="提交申请").click()
        page.wait_for_url("**/services/mine/*/")
        application = Application.objects.get()
        assert application.number in page.content() and application.verify_code in page.content()

        # The window asks for a correction, listing everything at once.
        sign_in(page, base, staff_client(market_clerk))
        page.goto(f"{base}/workbench/eservices/window/")
        page.get_by_role("link", name=application.number).click()
        page.get_by_label("需补正的内容（每行一项，一次性列明）").fill("设计方案缺少总平面图\n建设规模未注明层高")
        page.get_by_role("button", name="要求补正（暂停计时）").click()
        assert "已一次性告知补正" in page.content()

        # The applicant sees both points and uploads the corrected plan.
        sign_in(page, base, person_client(company))
        page.goto(f"{base}/services/mine/{application.number}/")
        assert "设计方案缺少总平面图" in page.content() and "建设规模未注明层高" in page.content()
        page.get_by_label("建设工程设计方案").set_input_files(str(second))
        page.get_by_role("button", name="提交补正").click()
        assert "补正材料已提交" in page.content()

        # The window accepts; two departments review in parallel.
        sign_in(page, base, staff_client(market_clerk))
        page.goto(f"{base}/workbench/eservices/cases/{application.pk}/")
        page.get_by_role("button", name="受理", exact=True).click()
        assert "并联审批任务已派发" in page.content()
        for clerk in (nature_clerk, housing_clerk):
            sign_in(page, base, staff_client(clerk))
            page.goto(f"{base}/workbench/eservices/tasks/")
            page.get_by_role("link", name=application.number).click()
            page.get_by_label("审查意见").fill("同意")
            page.get_by_role("button", name="同意", exact=True).click()
            assert "已提交审查意见" in page.content()

        # The window approves: the certificate is issued.
        sign_in(page, base, staff_client(market_clerk))
        page.goto(f"{base}/workbench/eservices/cases/{application.pk}/")
        page.get_by_role("button", name="准予许可").click()
        assert "已作出准予决定" in page.content()

        # The applicant sees the certificate, checks it on the public verify page, and rates.
        sign_in(page, base, person_client(company))
        page.goto(f"{base}/services/mine/{application.number}/")
        identifier = page.locator("#certificate-identifier").inner_text()
        assert identifier.startswith("1.2.156.3005.2.")
        page.get_by_role("link", name="验证证照").click()
        # The verdict panel itself, not any "有效" on the page (the fields always say "有效期至").
        verdict = page.locator("section.cert-verdict[role=status]")
        assert "cert-valid" in (verdict.get_attribute("class") or "").split()
        assert "签名验证通过" in verdict.inner_text()
        page.goto(f"{base}/services/mine/{application.number}/")
        page.get_by_label("总体评价").select_option(label="非常满意")
        page.get_by_label("整体满意度（5 分最高）").select_option("5")
        page.get_by_label("办事效率").select_option("5")
        page.get_by_label("办事指南精确度").select_option("4")
        page.get_by_label("办事便捷度").select_option("5")
        page.get_by_label("平台操作性").select_option("5")
        page.get_by_role("button", name="提交评价").click()
        assert "感谢您的评价" in page.content()
        assert page.locator("#my-rating").inner_text().startswith("非常满意")
    application.refresh_from_db()
    assert application.state == Application.State.APPROVED and application.certificate_identifier == identifier
    assert Rating.objects.get(application=application).level == 5
