"""Browser journey (Playwright with Debian's chromium), at 1366 and 390 px: a project is refused at
the sharing gate with its reasons, the department links its data and system, the office approves; an
evaluation run is computed, a score's evidence read and adjusted, the run published, and the ranking
appears on the portal at /evaluations/. Screenshots go to ZHENGWU_SCREENSHOTS (if set)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from zhengwu.accounts.models import Department, User
from zhengwu.browser import BROWSER_TEST, browser_page, sign_in
from zhengwu.catalog.models import Resource
from zhengwu.conftest import staff_client
from zhengwu.core.actors import Actor
from zhengwu.governance.models import EvaluationRun, Project
from zhengwu.governance.services import evaluations
from zhengwu.governance.services.systems import system_link_client
from zhengwu.governance.tests.conftest import make_client, register
from zhengwu.governance.tests.evaluation_helpers import YEAR, timer
from zhengwu.governance.tests.project_helpers import declare, make_resource, to_reviewed

pytestmark = BROWSER_TEST


def _shot(page: Any, folder: Path, name: str, width: int) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (name, width)


@pytest.mark.parametrize("width", [1366, 390])
def test_gate_and_evaluation_journey(
    live_server: Any,
    tmp_path: Path,
    settings: Any,
    width: int,
    systems_officer: User,
    egov: User,
    market_dept: Department,
    police_dept: Department,
) -> None:
    settings.ZHENGWU_EVALUATION_INLINE = True
    folder = Path(os.environ.get("ZHENGWU_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    project = declare(systems_officer)
    to_reviewed(project, systems_officer, egov)
    resource = make_resource(market_dept, "市场主体登记信息", state=Resource.State.PUBLISHED)
    system = register(systems_officer, name="市场监管一体化平台")
    system_link_client(actor=Actor.person(systems_officer), system=system, api_client=make_client(market_dept))
    timer(market_dept, "exchange.share_request", date(YEAR, 9, 10), finished=date(YEAR, 9, 20))
    evaluations.indicator_set_create(actor=Actor.person(egov), year=YEAR, name=f"{YEAR}年度信息化考核")
    officer, office = staff_client(systems_officer), staff_client(egov)
    with browser_page() as page:
        page.set_viewport_size({"width": width, "height": 900})
        # the office tries to approve: refused, every reason named
        sign_in(page, base, office)
        page.goto(f"{base}/workbench/governance/projects/{project.pk}/")
        page.get_by_label("批复文号").fill("吉政数审〔2025〕3号")
        page.get_by_role("button", name="批准", exact=True).click()
        text = page.content()
        assert "不予批准" in text and "尚未编入政务信息资源目录" in text and "尚未登记到信息系统清单" in text
        _shot(page, folder, "project-refused", width)
        # the department links the catalog resource and the registered, connected system
        sign_in(page, base, officer)
        page.goto(f"{base}/workbench/governance/projects/{project.pk}/")
        for button in page.get_by_role("button", name="关联").all():  # in view at 390 px too, no sideways scrolling
            box = button.bounding_box()
            assert box is not None and box["x"] + box["width"] <= width, box
        for label in page.locator("label[for^='rc-'], label[for^='sys-']").all():  # named for screen readers only
            box = label.bounding_box()
            assert box is not None and box["width"] <= 1, box
        page.get_by_placeholder("资源代码").fill(resource.code or "")
        page.get_by_role("button", name="关联").first.click()
        page.get_by_label("清单中的系统").select_option(str(system.pk))
        page.get_by_role("button", name="关联").last.click()
        assert "符合共建共享要求" in page.content()
        # approved
        sign_in(page, base, office)
        page.goto(f"{base}/workbench/governance/projects/{project.pk}/")
        page.get_by_label("批复文号").fill("吉政数审〔2025〕3号")
        page.get_by_role("button", name="批准", exact=True).click()
        assert page.locator("#project-state").inner_text() == "已批准"
        _shot(page, folder, "project-approved", width)
        project.refresh_from_db()
        assert project.state == Project.State.APPROVED
        # an evaluation run: computed, a score adjusted with its reason, published
        page.goto(f"{base}/workbench/governance/evaluations/")
        page.get_by_label("考核期起").fill(f"{YEAR}-01-01")
        page.get_by_label("考核期止").fill(f"{YEAR}-12-31")
        page.get_by_role("button", name="开始计算").click()
        page.wait_for_url("**/evaluations/runs/*/")
        assert page.locator("#run-state").inner_text() == "待审核"
        run = EvaluationRun.objects.get()
        score = run.scores.get(department=market_dept, indicator__measure="sharing.requests_on_time")
        page.goto(f"{base}/workbench/governance/evaluations/scores/{score.pk}/")
        assert "逾期办结" in page.content()
        _shot(page, folder, "evaluation-evidence", width)
        page.get_by_label("调整后得分").fill("7")
        page.get_by_label("调整理由").fill("平台故障期间的申请，经核实已按时答复")
        page.get_by_role("button", name="调整").click()
        page.get_by_role("button", name="审核通过并发布").click()
        assert page.locator("#run-state").inner_text() == "已发布"
        # on the portal, for anyone
        page.context.clear_cookies()
        page.goto(f"{base}/")
        page.get_by_role("link", name="部门考核评估结果").click()
        page.wait_for_url("**/evaluations/")
        assert page.locator("#ranking").is_visible() and market_dept.name in page.content()
        assert page.locator("canvas").count() >= 1  # the ECharts chart drew under the strict CSP
        _shot(page, folder, "evaluation-ranking", width)
        page.get_by_role("link", name=market_dept.name).first.click()
        assert "平台故障期间" in page.content()
        _shot(page, folder, "evaluation-department", width)
