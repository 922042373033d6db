"""Portal and workbench pages of 网上办事, and who is refused on each."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from zhengwu.accounts.models import Department, User
from zhengwu.conftest import person_client, staff_client
from zhengwu.core.actors import Actor
from zhengwu.eservices import importing, services
from zhengwu.eservices.models import Application, CaseTask, Rating, ServiceItem
from zhengwu.eservices.tests.conftest import GOOD_FORM, PDF, upload

pytestmark = pytest.mark.django_db


def submit(citizen: User, item: ServiceItem) -> Application:
    design = item.materials.get(name="建设工程设计方案")
    return services.application_submit(
        actor=Actor.person(citizen), item=item, data=GOOD_FORM, files={design.pk: upload()}
    )


def test_guides_and_search_are_public(client: Any, item: ServiceItem) -> None:
    page = client.get("/services/", {"q": "规划许可"})
    assert page.status_code == 200 and "建设工程规划许可证核发" in page.content.decode()
    guide = client.get(f"/services/items/{item.pk}/").content.decode()
    for text in ("承诺办结时限", "10 个工作日", "申请人身份证明", "平台已有的无需提交", "自然资源厅：用地审查"):
        assert text in guide


def test_a_citizen_applies_through_the_page_with_the_fetched_material_not_asked(
    citizen: User, item: ServiceItem
) -> None:
    web = person_client(citizen)
    form = web.get(f"/services/items/{item.pk}/apply/").content.decode()
    assert "已从基础库获取" in form and "张三" in form
    design = item.materials.get(name="建设工程设计方案")
    fetched = item.materials.get(name="申请人身份证明")
    assert f'name="file_{design.pk}"' in form and f'name="file_{fetched.pk}"' not in form
    bad = web.post(
        f"/services/items/{item.pk}/apply/",
        {"data_project": "x", "data_area": "多少", f"file_{design.pk}": SimpleUploadedFile("a.pdf", PDF)},
    )
    assert bad.status_code == 200 and "申请表有误" in bad.content.decode()
    # (The file sent with the bad form is kept for the next try: test_citizen_defects.py.)
    no_file = person_client(citizen).post(f"/services/items/{item.pk}/apply/", {"data_project": "x", "data_area": "1"})
    assert no_file.status_code == 200 and 'class="error"' in no_file.content.decode()
    assert not Application.objects.exists()
    response = web.post(
        f"/services/items/{item.pk}/apply/",
        {
            "data_project": "长春某项目",
            "data_area": "88",
            "data_use": "商业",
            f"file_{design.pk}": SimpleUploadedFile("设计方案.pdf", PDF, content_type="application/pdf"),
        },
    )
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/services/mine/{application.number}/")
    page = web.get(response["Location"]).content.decode()
    assert application.verify_code in page and "提交申请" in page and "共享获取" in page


def test_staff_cannot_apply_and_anonymous_goes_to_login(client: Any, item: ServiceItem, market_clerk: User) -> None:
    assert client.get(f"/services/items/{item.pk}/apply/").status_code == 302
    assert staff_client(market_clerk).get(f"/services/items/{item.pk}/apply/").status_code == 403


def test_a_case_page_is_the_applicants_only(
    citizen: User, outsider: User, item: ServiceItem, market_clerk: User
) -> None:
    application = submit(citizen, item)
    material = application.materials.get(fetched=False)
    assert person_client(citizen).get(f"/services/mine/{application.number}/").status_code == 200
    assert person_client(citizen).get(f"/services/materials/{material.pk}/").content == PDF
    for who in (person_client(outsider), staff_client(market_clerk)):
        assert who.get(f"/services/mine/{application.number}/").status_code == 404
        assert who.post(f"/services/mine/{application.number}/withdraw/", {"reason": "x"}).status_code == 404
        assert who.get(f"/services/materials/{material.pk}/").status_code == 404
    application.refresh_from_db()
    assert application.state == Application.State.SUBMITTED


def test_lookup_page(client: Any, citizen: User, item: ServiceItem) -> None:
    from django.core.cache import cache

    cache.clear()
    application = submit(citizen, item)
    ok = client.post("/services/lookup/", {"number": application.number, "code": application.verify_code})
    assert "待受理" in ok.content.decode()
    wrong = client.post("/services/lookup/", {"number": application.number, "code": "AAAAAA"})
    assert wrong.status_code == 200 and "办件编号或查询码不正确" in wrong.content.decode()
    cache.clear()


def test_window_clerk_accepts_and_other_staff_are_refused(
    citizen: User,
    item: ServiceItem,
    market_clerk: User,
    police_clerk: User,
    nature_clerk: User,
    outsider: User,
    client: Any,
) -> None:
    application = submit(citizen, item)
    window = staff_client(market_clerk).get("/workbench/eservices/window/").content.decode()
    assert application.number in window and "绿灯" in window
    assert application.number in staff_client(market_clerk).get("/workbench/").content.decode()  # the to-do list
    assert "建设工程规划许可证核发" in client.get("/search/", {"q": "规划许可"}).content.decode()  # portal search
    assert application.number not in staff_client(police_clerk).get("/workbench/eservices/window/").content.decode()
    exported = staff_client(market_clerk).get("/workbench/eservices/window/export/")
    sheet = load_workbook(io.BytesIO(exported.content)).active
    assert sheet is not None and sheet["A2"].value == application.number and sheet["G2"].value == "绿灯"
    url = f"/workbench/eservices/cases/{application.pk}/"
    assert staff_client(police_clerk).get(url).status_code == 404
    assert staff_client(police_clerk).post(url + "accept/").status_code == 404
    assert person_client(outsider).post(url + "accept/").status_code == 403
    assert person_client(citizen).get(url).status_code == 403
    assert client.post(url + "accept/").status_code == 302  # to the login page
    assert Application.objects.get().state == Application.State.SUBMITTED
    page = staff_client(market_clerk).get(url).content.decode()
    assert "一次性告知补正" in page
    response = staff_client(market_clerk).post(url + "correction/", {"items": "缺总平面图\n面积不符", "note": ""})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == Application.State.CORRECTION and application.corrections == ["缺总平面图", "面积不符"]
    # The second clerk's click on a stale page: a clear message, nothing changed.
    again = staff_client(market_clerk).post(url + "accept/", follow=True).content.decode()
    assert "当前为“待补正”，不能受理" in again


def test_the_applicant_answers_a_correction_on_the_case_page(
    citizen: User, item: ServiceItem, market_clerk: User
) -> None:
    application = submit(citizen, item)
    services.application_request_correction(
        actor=Actor.person(market_clerk), application=application, items=["方案不清晰"]
    )
    web = person_client(citizen)
    page = web.get(f"/services/mine/{application.number}/").content.decode()
    assert "方案不清晰" in page and "提交补正" in page
    design = item.materials.get(name="建设工程设计方案")
    response = web.post(
        f"/services/mine/{application.number}/",
        {
            "data_project": "长春某项目（修订）",
            "data_area": "90",
            "data_use": "住宅",
            f"file_{design.pk}": SimpleUploadedFile("清晰方案.pdf", PDF),
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == Application.State.SUBMITTED and application.data["project"] == "长春某项目（修订）"


def test_department_tasks_pages(
    citizen: User,
    item: ServiceItem,
    market_clerk: User,
    nature_clerk: User,
    housing_clerk: User,
    police_clerk: User,
    market_dept: Department,
    nature_dept: Department,
) -> None:
    application = submit(citizen, item)
    services.application_accept(actor=Actor.person(market_clerk), application=application)
    first = application.tasks.get()
    services.task_complete(actor=Actor.person(market_clerk), task=first, approve=True, opinion="")
    task = application.tasks.get(department=nature_dept)
    assert application.number in staff_client(nature_clerk).get("/workbench/eservices/tasks/").content.decode()
    url = f"/workbench/eservices/tasks/{task.pk}/"
    for other in (police_clerk, housing_clerk, market_clerk):
        assert staff_client(other).get(url).status_code == 404
        assert staff_client(other).post(url + "approve/", {"opinion": ""}).status_code == 404
    assert person_client(citizen).post(url + "approve/").status_code == 403
    assert CaseTask.objects.get(pk=task.pk).state == CaseTask.State.OPEN
    page = staff_client(nature_clerk).get(url).content.decode()
    assert "住房和城乡建设厅" in page  # the parallel sibling is shown
    response = staff_client(nature_clerk).post(url + "approve/", {"opinion": "用地符合"})
    assert response.status_code == 302
    assert CaseTask.objects.get(pk=task.pk).state == CaseTask.State.APPROVED
    twice = staff_client(nature_clerk).post(url + "reject/", {"opinion": "改主意"}, follow=True).content.decode()
    assert "不能办理" in twice


def test_item_management_and_excel_import(market_clerk: User, police_clerk: User, item: ServiceItem) -> None:
    assert item.name in staff_client(market_clerk).get("/workbench/eservices/items/").content.decode()
    assert item.name not in staff_client(police_clerk).get("/workbench/eservices/items/").content.decode()
    assert staff_client(police_clerk).get(f"/workbench/eservices/items/{item.pk}/").status_code == 404
    template = staff_client(market_clerk).get("/workbench/eservices/items/template/").content
    book = load_workbook(io.BytesIO(template))
    assert book.sheetnames == ["事项", "申请材料", "表单字段", "办理环节", "审批结果"]
    out = io.BytesIO()
    book.save(out)
    created = importing.items_import_excel(actor=Actor.person(market_clerk), content=out.getvalue())
    assert [i.name for i in created] == ["食品经营许可"] and created[0].stages.get().tasks.count() == 1
    assert created[0].materials.get().source == "base"
    # The same file again: the 实施编码 exists; nothing more is created; the row is named.
    before = ServiceItem.objects.count()
    response = staff_client(market_clerk).post(
        "/workbench/eservices/items/import/", {"file": SimpleUploadedFile("items.xlsx", out.getvalue())}
    )
    assert "「事项」第 2 行" in response.content.decode() and ServiceItem.objects.count() == before
    page = staff_client(market_clerk).post(f"/workbench/eservices/items/{created[0].pk}/publish/", follow=True)
    assert "已发布" in page.content.decode()


def test_excel_import_reports_bad_rows(market_clerk: User, market_dept: Department) -> None:
    book = load_workbook(io.BytesIO(importing.template_workbook()))
    book["事项"]["D2"] = "行政审批"
    book["办理环节"]["D2"] = "不存在的部门"
    book["申请材料"]["A2"] = "NO-SUCH-CODE"
    out = io.BytesIO()
    book.save(out)
    from zhengwu.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as error:
        importing.items_import_excel(actor=Actor.person(market_clerk), content=out.getvalue())
    lines = list(error.value.fields.values())
    assert any("「事项」第 2 行" in line and "事项类型" in line for line in lines)
    assert any("「申请材料」第 2 行" in line for line in lines)
    assert not ServiceItem.objects.exists()
    with pytest.raises(ApplicationError):
        importing.items_import_excel(actor=Actor.person(market_clerk), content=b"not a workbook")


def test_rating_page_and_rectification_pages(
    citizen: User, item: ServiceItem, market_clerk: User, police_clerk: User, supervisor: User
) -> None:
    application = submit(citizen, item)
    services.application_refuse(actor=Actor.person(market_clerk), application=application, reason="材料不全")
    web = person_client(citizen)
    response = web.post(
        f"/services/mine/{application.number}/rate/",
        {
            "level": "1",
            "overall": "1",
            "efficiency": "1",
            "guide_accuracy": "2",
            "convenience": "1",
            "usability": "3",
            "comment": "等太久",
        },
    )
    assert response.status_code == 302
    rating = Rating.objects.get()
    rect = rating.rectification
    assert application.number in staff_client(market_clerk).get("/workbench/eservices/ratings/").content.decode()
    url = f"/workbench/eservices/ratings/{rect.pk}/"
    assert staff_client(police_clerk).get(url).status_code == 404
    assert staff_client(police_clerk).post(url + "complete/", {"reason": "x"}).status_code == 404
    staff_client(market_clerk).post(url + "appeal/", {"reason": "评价与事实不符"})
    rect.refresh_from_db()
    assert rect.state == "appealed"
    assert staff_client(market_clerk).post(url + "uphold/", {"reason": "自己批准"}).status_code == 302
    rect.refresh_from_db()
    assert rect.state == "appealed"  # a clerk cannot decide the appeal
    staff_client(supervisor).post(url + "reject/", {"reason": "证据不足"})
    rect.refresh_from_db()
    assert rect.state == "open"
    stats = web.get("/services/ratings/").content.decode()
    assert "吉林省市场监督管理厅" in stats and "0.0%" in stats


def test_menu_pages_need_the_roles(item: ServiceItem, market_officer: User, citizen: User) -> None:
    for path in ("window/", "tasks/", "items/", "ratings/"):
        assert staff_client(market_officer).get(f"/workbench/eservices/{path}").status_code == 403
        assert person_client(citizen).get(f"/workbench/eservices/{path}").status_code == 403


def test_editing_a_guide_needs_a_withdrawn_item_of_ones_own_department(
    item: ServiceItem, market_clerk: User, police_clerk: User
) -> None:
    from zhengwu.eservices.forms import ItemForm

    url = f"/workbench/eservices/items/{item.pk}/edit/"
    data = {k: v for k, v in ItemForm.initial_of(item).items() if v is not None and v is not False}
    data["conditions"] = "建设项目已取得用地批准文件。"
    published = staff_client(market_clerk).post(url, data).content.decode()
    assert "请先停用再修改" in published
    services.item_withdraw(actor=Actor.person(market_clerk), item=item, reason="修订指南")
    assert staff_client(police_clerk).post(url, data).status_code == 404
    bad = staff_client(market_clerk).post(url, {**data, "promised_limit": 99}).content.decode()
    assert "承诺办结时限不得超过法定办结时限" in bad
    assert staff_client(market_clerk).post(url, data).status_code == 302
    item.refresh_from_db()
    assert item.conditions == "建设项目已取得用地批准文件。" and item.promised_limit == 10


def test_claiming_a_task_from_the_todo_list(
    citizen: User, item: ServiceItem, market_clerk: User, market_clerk2: User, police_clerk: User
) -> None:
    import re

    from django.test import Client

    application = submit(citizen, item)
    services.application_accept(actor=Actor.person(market_clerk), application=application)
    task = application.tasks.get()
    claim = f"/workbench/eservices/tasks/{task.pk}/claim/"

    home = staff_client(market_clerk2).get("/workbench/").content.decode()
    form = re.search(rf'<form method="post" action="{claim}">(.*?)</form>', home, re.S)
    assert form is not None and "csrfmiddlewaretoken" in form.group(1) and ">认领</button>" in form.group(1)
    assert staff_client(market_clerk2).get(claim).status_code == 405  # POST only
    assert staff_client(police_clerk).post(claim).status_code == 404  # another department's task
    assert person_client(citizen).post(claim).status_code == 403
    assert CaseTask.objects.get(pk=task.pk).claimed_by is None

    # CSRF is enforced: a forged POST without the token changes nothing.
    forged = Client(enforce_csrf_checks=True)
    forged.cookies = staff_client(market_clerk2).cookies
    assert forged.post(claim).status_code == 403
    assert CaseTask.objects.get(pk=task.pk).claimed_by is None

    done = staff_client(market_clerk2).post(claim)
    assert done.status_code == 302 and done["Location"] == f"/workbench/eservices/tasks/{task.pk}/"
    assert CaseTask.objects.get(pk=task.pk).claimed_by == market_clerk2
    home = staff_client(market_clerk).get("/workbench/").content.decode()
    assert "市场监管厅钱科员" in home and claim not in home
    # 王科员 sees who holds it and no buttons to act; acting anyway is refused with the reason.
    page = staff_client(market_clerk).get(f"/workbench/eservices/tasks/{task.pk}/").content.decode()
    assert "市场监管厅钱科员" in page and "仅认领人可以办理" in page and ">同意</button>" not in page
    refused = staff_client(market_clerk).post(
        f"/workbench/eservices/tasks/{task.pk}/approve/", {"opinion": "同意"}, follow=True
    )
    assert "已由市场监管厅钱科员认领，只有认领人可以办理" in refused.content.decode()
    again = staff_client(market_clerk).post(claim, follow=True).content.decode()
    assert "不能重复认领" in again
    assert CaseTask.objects.get(pk=task.pk).state == CaseTask.State.OPEN
    mine = staff_client(market_clerk2).get(f"/workbench/eservices/tasks/{task.pk}/").content.decode()
    assert ">同意</button>" in mine


def test_a_complaint_about_a_case_names_one_of_the_applicants_own_cases(
    citizen: User, outsider: User, item: ServiceItem, market_dept: Department
) -> None:
    import html

    from zhengwu.audit.models import AuditEvent
    from zhengwu.supervision.models import Complaint, Timer

    application = submit(citizen, item)
    web = person_client(citizen)
    case_page = web.get(f"/services/mine/{application.number}/").content.decode()
    link = html.unescape(case_page.split('id="case-complaint"')[1].split('href="')[1].split('"')[0])
    assert link.startswith("/supervision/complaints/new/?") and f"case_number={application.number}" in link
    form = web.get(link).content.decode()
    assert f'value="{application.number}"' in form  # pre-filled
    assert f'<option value="{market_dept.pk}" selected>' in form and 'value="建设工程规划许可证核发"' in form

    def post(client: Any, number: str) -> Any:
        return client.post(
            "/supervision/complaints/new/",
            {"department": market_dept.pk, "case_number": number, "item": "", "content": "超期未办结"},
        )

    successes = AuditEvent.objects.filter(outcome=AuditEvent.Outcome.SUCCESS)  # a refusal is audited as refused
    before = (Timer.objects.count(), successes.count())
    unknown = post(web, "2020-SCJG-999999")
    assert unknown.status_code == 200
    assert "办件编号“2020-SCJG-999999”不存在或不是您本人申请的办件" in unknown.content.decode()
    someone_elses = post(person_client(outsider), application.number)
    assert someone_elses.status_code == 200 and "不是您本人申请的办件" in someone_elses.content.decode()
    assert not Complaint.objects.exists() and (Timer.objects.count(), successes.count()) == before

    done = post(web, application.number.lower())
    assert done.status_code == 302
    assert Complaint.objects.get().case_number == application.number  # as the case is numbered
