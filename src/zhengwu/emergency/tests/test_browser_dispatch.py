"""Browser journey of the response (Playwright with Debian's chromium): the duty officer starts the
plan on a graded incident; two departments sign their tasks on the workbench; the board shows the
incident on the map of 吉林省, and a task's light changes (to red when its clock runs out, back when
it is signed) without the page being reloaded. Screenshots at 1366 and 390 px."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from zhengwu.accounts.models import Department, User
from zhengwu.browser import BROWSER_TEST, browser_page, sign_in
from zhengwu.conftest import staff_client
from zhengwu.core.actors import Actor
from zhengwu.emergency import services
from zhengwu.emergency.models import Task
from zhengwu.emergency.services.common import SIGN_TIMER
from zhengwu.emergency.tests.dispatch_helpers import make_incident, make_plan
from zhengwu.emergency.tests.test_warnings import issue
from zhengwu.supervision.models import Timer

pytestmark = BROWSER_TEST
SHOTS = Path(os.environ.get("ZHENGWU_SCREENSHOTS", "")) if os.environ.get("ZHENGWU_SCREENSHOTS") else None


def _run_out(task: Task) -> None:
    """The task's 签收 clock as if it had been started 20 minutes ago (its 15 minutes are over)."""
    shift = timedelta(minutes=20)
    for timer in Timer.objects.filter(target_type="emergency.task", target_id=str(task.pk), kind=SIGN_TIMER):
        Timer.objects.filter(pk=timer.pk).update(
            started_at=timer.started_at - shift,
            deadline_at=timer.deadline_at - shift,  # type: ignore[operator]
            yellow_at=timer.yellow_at - shift,  # type: ignore[operator]
        )


def _light(page: Any, task: Task) -> str:
    return str(page.locator(f'tr[data-task="{task.pk}"] [data-light]').get_attribute("data-light"))


def test_the_duty_officer_starts_the_plan_departments_sign_and_the_board_follows(
    live_server: Any,
    tmp_path: Path,
    commander: User,
    duty_officer: User,
    police_clerk: User,
    market_clerk: User,
    emergency_dept: Department,
    police_dept: Department,
    market_dept: Department,
) -> None:
    make_plan(commander, emergency_dept, police_dept, market_dept)
    incident = make_incident(duty_officer, title="长春市南关区伊通河沿岸内涝")
    issue(duty_officer, region_code="220100")  # 长春市暴雨黄色预警: its area filled on the map
    base = live_server.url
    shots = SHOTS or tmp_path
    with browser_page() as page:
        sign_in(page, base, staff_client(duty_officer))
        page.goto(f"{base}/workbench/emergency/incidents/{incident.pk}/response/")
        page.get_by_label("响应级别").select_option("3")
        page.get_by_role("button", name="启动响应").click()
        assert "已启动《吉林省防汛抗旱应急预案》，向 3 个部门下达任务" in page.content()
        tasks = {t.department_id: t for t in Task.objects.filter(incident=incident)}
        for clerk, department in ((police_clerk, police_dept), (market_clerk, market_dept)):
            sign_in(page, base, staff_client(clerk))
            page.goto(f"{base}/workbench/emergency/tasks/")
            page.get_by_role("link", name=tasks[department.pk].duty).click()
            page.get_by_role("button", name="签收").click()
            assert page.locator("#task-state").inner_text() == "已签收"
        lead = tasks[emergency_dept.pk]
        sign_in(page, base, staff_client(commander))
        page.goto(f"{base}/workbench/emergency/board/?incident={incident.pk}")
        page.wait_for_selector("#board-map[data-drawn='1'] canvas")
        assert page.locator("#board-incidents").get_by_text(incident.title).count() == 1
        assert _light(page, lead) == "green"
        assert page.get_attribute("#board-map", "data-warned") == "长春市"  # the warning's city is filled
        page.evaluate("window.zwNotReloaded = true")
        page.set_viewport_size({"width": 1366, "height": 900})
        page.screenshot(path=str(shots / "emergency-board-1366.png"), full_page=True)
        _run_out(lead)  # 15 minutes pass without 应急管理厅 signing
        page.wait_for_selector(f'tr[data-task="{lead.pk}"] [data-light="red"]', timeout=25_000)
        services.task_sign(actor=Actor.api(_system(emergency_dept)), task=lead)  # its system signs, late
        page.wait_for_selector(f'tr[data-task="{lead.pk}"] [data-light="green"]', timeout=25_000)
        assert page.evaluate("window.zwNotReloaded") is True  # the same page all along: no reload
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(500)
        page.screenshot(path=str(shots / "emergency-board-390.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390 + 1, f"the board scrolls sideways on a phone ({width} px)"
        page.goto(f"{base}/workbench/emergency/plans/new/")  # the duties' table scrolls inside its fieldset
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390 + 1, f"the plan form scrolls sideways on a phone ({width} px)"
    assert Task.objects.filter(incident=incident, state=Task.State.SIGNED).count() == 3
    assert timezone.now() > lead.issued_at


def _system(department: Department) -> Any:
    from zhengwu.accounts.models import ApiClient

    return ApiClient.objects.create(
        name=f"{department.name}应急系统", department=department, token_prefix="emtest01", token_hash="x",
        scopes=["emergency:tasks"], expires_at=timezone.now() + timedelta(days=1),
    )  # fmt: skip
