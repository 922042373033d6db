"""Issue 3's three users in a real browser (Debian's chromium): a data officer loads data and reads
the row-level error report; a consumer department requests a conditional resource and the provider
approves it; a department system reads a record and the citizen sees who read their data."""

from __future__ import annotations

from pathlib import Path

from zhengwu.accounts.models import Department, User
from zhengwu.browser import BROWSER_TEST, browser_page, sign_in
from zhengwu.catalog.models import Resource
from zhengwu.conftest import machine_api_client, person_client, staff_client
from zhengwu.exchange.sharing.models import Grant, ShareRequest
from zhengwu.exchange.store import tables as store
from zhengwu.exchange.tests import test_sharing_helpers as helpers
from zhengwu.exchange.tests.test_sharing_helpers import CITIZEN_ID, OTHER_ID, PURPOSE

people = helpers.people

pytestmark = BROWSER_TEST


def test_data_officer_uploads_sees_the_error_report_then_loads_the_corrected_file(
    live_server: object, police_officer: User, people: Resource, tmp_path: Path
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    bad = tmp_path / "people-bad.csv"
    bad.write_text(
        f"sfzh,xm,sjhm,zz,xb\n{CITIZEN_ID},张三,13800138000,长春市,女\n220102199003071230,李四,13912341234,长春市,男\n",
        encoding="gbk",
    )
    good = tmp_path / "people.csv"
    good.write_text(
        f"sfzh,xm,sjhm,zz,xb\n{CITIZEN_ID},张三,13800138000,长春市,女\n{OTHER_ID},李四,13912341234,长春市,男\n",
        encoding="gbk",
    )
    with browser_page() as page:
        sign_in(page, base, staff_client(police_officer))
        page.goto(f"{base}/workbench/exchange/data/")
        page.get_by_role("link", name="上传数据").first.click()
        page.get_by_label("数据文件").set_input_files(str(bad))
        page.get_by_role("button", name="上传并加载").click()
        page.wait_for_selector("text=错误明细")
        report = page.locator("#job-status").inner_text()
        assert "失败" in report and "3" in report  # the wrong ID number is on line 3 of the file
        assert (store.get_record(people, CITIZEN_ID) or {})["zz"] == helpers.PEOPLE[0]["zz"]  # all or nothing

        page.get_by_role("link", name="← 返回上传页").click()
        page.get_by_label("数据文件").set_input_files(str(good))
        page.get_by_role("button", name="上传并加载").click()
        page.wait_for_selector("text=写入 2 条")
    assert store.count_records(people) == 2
    assert (store.get_record(people, CITIZEN_ID) or {})["zz"] == "长春市"


def test_consumer_requests_provider_approves_system_reads_citizen_sees_the_use(
    live_server: object,
    market_clerk: User,
    police_officer: User,
    people: Resource,
    sys_admin: User,
    market_dept: Department,
    citizen: User,
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    with browser_page() as page:
        # 市场监管厅 asks 公安厅 for 人口 (有条件共享).
        sign_in(page, base, staff_client(market_clerk))
        page.goto(f"{base}/workbench/exchange/sharing/requests/")
        page.get_by_label("信息资源").select_option(label=str(people))
        page.get_by_label("申请信息项编码").fill("sfzh xm sjhm")
        page.get_by_label("用途").fill(PURPOSE)
        page.get_by_label("依据").fill("《市场主体登记管理条例》第十五条")
        page.get_by_label("使用期限起").fill("2026-01-01")
        page.get_by_label("使用期限止").fill("2030-12-31")
        page.get_by_role("button", name="提交申请").click()
        page.wait_for_selector("text=待答复")
        assert ShareRequest.objects.get().state == ShareRequest.State.SUBMITTED

        # 公安厅's data officer approves it in the queue.
        sign_in(page, base, staff_client(police_officer))
        page.goto(f"{base}/workbench/exchange/sharing/queue/")
        page.get_by_role("button", name="同意").first.click()
        page.wait_for_load_state()
        grant = Grant.objects.get()
        assert grant.consumer == market_dept and set(grant.item_codes) == {"sfzh", "xm", "sjhm"}

        # 市场监管厅's system reads the citizen's record; personal items come back masked.
        _, token = helpers.api_token(sys_admin, market_dept)
        answer = machine_api_client().get(
            f"/api/v1/exchange/{people.code}/records/{CITIZEN_ID}",
            headers={"Authorization": f"Bearer {token}", "X-Purpose": PURPOSE},
        )
        assert answer.status_code == 200, answer.content
        assert answer.json()["record"]["sfzh"] != CITIZEN_ID

        # The citizen sees who read their data, when and why.
        sign_in(page, base, person_client(citizen))
        page.goto(f"{base}/my/data-use/")
        table = page.locator("table").inner_text()
        assert market_dept.name in table and PURPOSE in table
