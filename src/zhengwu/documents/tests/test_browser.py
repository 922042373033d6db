"""Browser journey (Playwright with Debian's chromium): draft → review with a send-back → sign →
register (the number appears) → issue to three departments → one signs and handles, one returns
with a reason, the sender sees both; the seal verifies on the public page, a tampered file does not."""

from __future__ import annotations

from pathlib import Path

from zhengwu.accounts.models import Department, Role, User
from zhengwu.browser import BROWSER_TEST, browser_page, sign_in
from zhengwu.conftest import make_staff, staff_client
from zhengwu.core import workdays
from zhengwu.documents import storage
from zhengwu.documents.models import Delivery, Document

pytestmark = BROWSER_TEST


def test_document_journey(
    live_server: object,
    tmp_path: Path,
    market_clerk: User,
    market_leader: User,
    market_dept: Department,
    police_clerk: User,
    police_leader: User,
    police_dept: Department,
    office_dept: Department,
    nature_dept: Department,
) -> None:
    office_clerk = make_staff("office_clerk", office_dept, Role.CLERK, name="政数局赵科员")
    base = live_server.url  # type: ignore[attr-defined]
    clerk, leader = staff_client(market_clerk), staff_client(market_leader)
    with browser_page() as page:
        sign_in(page, base, clerk)
        page.goto(f"{base}/workbench/documents/new/?kind=notice")
        page.get_by_label("机关代字").fill("吉市监发")
        page.get_by_label("标题").fill("吉林省市场监督管理厅关于开展冬季食品安全检查的通知")
        page.get_by_label("正文").fill("各有关单位：为保障冬季食品安全，决定开展专项检查。请认真组织实施。")
        page.get_by_role("button", name="保存").click()
        page.wait_for_url("**/workbench/documents/*/")
        document = Document.objects.get()
        page.get_by_role("button", name="送核稿").click()
        sign_in(page, base, leader)
        page.goto(f"{base}/workbench/documents/{document.pk}/")
        page.get_by_label("退回修改意见").fill("请写明检查时间。")
        page.get_by_role("button", name="退回修改").click()
        assert "请写明检查时间" in page.content()
        sign_in(page, base, clerk)
        page.goto(f"{base}/workbench/documents/{document.pk}/edit/")
        page.get_by_label("正文").fill("各有关单位：为保障冬季食品安全，决定于12月开展专项检查。请认真组织实施。")
        page.get_by_role("button", name="保存").click()
        page.get_by_role("button", name="送核稿").click()
        sign_in(page, base, leader)
        page.goto(f"{base}/workbench/documents/{document.pk}/")
        page.get_by_role("button", name="核稿同意").click()
        sign_in(page, base, clerk)
        page.goto(f"{base}/workbench/documents/{document.pk}/")
        page.get_by_role("button", name="送签发").click()
        sign_in(page, base, leader)
        page.goto(f"{base}/workbench/documents/{document.pk}/")
        page.get_by_role("button", name="签发", exact=True).click()
        sign_in(page, base, clerk)
        page.goto(f"{base}/workbench/documents/{document.pk}/")
        page.get_by_role("button", name="复核无误").click()
        for department in (police_dept, office_dept):
            page.locator(f"input[name=main][value='{department.pk}']").check()
        page.locator(f"input[name=copy][value='{nature_dept.pk}']").check()
        page.get_by_role("button", name="登记（编发文字号）").click()
        assert "吉市监发〔2026〕1号" in page.content()
        page.get_by_role("button", name="印制（生成版式文件并加盖电子印章）").click()
        page.get_by_role("button", name="核发").click()
        assert page.content().count("待签收") == 3
        # 公安厅 signs and handles
        delivery = Delivery.objects.get(department=police_dept)
        sign_in(page, base, staff_client(police_clerk))
        page.goto(f"{base}/workbench/documents/inbox/")
        page.get_by_role("link", name="吉林省市场监督管理厅关于开展冬季食品安全检查的通知").click()
        page.get_by_role("button", name="签收").click()
        page.get_by_role("button", name="登记").click()
        page.get_by_label("拟办意见").fill("拟请处长阅示。")
        page.get_by_role("button", name="初审通过").click()
        sign_in(page, base, staff_client(police_leader))
        page.goto(f"{base}/workbench/documents/inbox/{delivery.pk}/")
        page.get_by_label("批办意见").fill("请治安总队办理。")
        page.get_by_role("button", name="批办").click()
        page.get_by_label("主办人").select_option(label="公安厅李科员")
        page.get_by_label("办理期限", exact=True).fill(workdays.add_workdays(workdays.today(), 10).isoformat())
        page.get_by_role("button", name="交办").click()
        assert "承办中" in page.content()
        # 政数局 returns it with a reason
        returned = Delivery.objects.get(department=office_dept)
        sign_in(page, base, staff_client(office_clerk))
        page.goto(f"{base}/workbench/documents/inbox/{returned.pk}/")
        page.get_by_label("退回原因").select_option("not_ours")
        page.get_by_label("说明").fill("本单位不承担食品安全检查职责。")
        page.get_by_role("button", name="退回").click()
        # the sender sees both
        sign_in(page, base, clerk)
        page.goto(f"{base}/workbench/documents/{document.pk}/")
        text = page.content()
        assert "承办中" in text and "非本单位" in text and "本单位不承担食品安全检查职责" in text
        # the seal verifies on the public page; a tampered file does not
        document.refresh_from_db()
        pdf, seal_file = storage.full_path(document.file_path), storage.full_path(document.seal_path)
        page.context.clear_cookies()
        page.goto(f"{base}/documents/verify/")
        page.get_by_label("公文版式文件（PDF）").set_input_files(str(pdf))
        page.get_by_label("电子印章文件").set_input_files(str(seal_file))
        page.get_by_role("button", name="验章").click()
        assert "印章有效" in page.content()
        tampered = tmp_path / "tampered.pdf"
        data = bytearray(pdf.read_bytes())
        data[len(data) // 2] ^= 0x20
        tampered.write_bytes(bytes(data))
        page.get_by_label("公文版式文件（PDF）").set_input_files(str(tampered))
        page.get_by_label("电子印章文件").set_input_files(str(seal_file))
        page.get_by_role("button", name="验章").click()
        assert "印章无效" in page.content()
