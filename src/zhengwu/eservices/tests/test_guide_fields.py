"""The guide fields of docs/rules.md §5 added to service items: 办理形式, 行使层级, 是否网办 and 网上办理深度
(model, service, Excel import, guide page), the 空白表格 / 示例样表 of materials (uploaded by the
item's department, downloaded from the guide) and the trust level A–D of application materials."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from zhengwu.accounts.models import Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.conftest import person_client, staff_client
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.eservices import importing, services
from zhengwu.eservices.models import HandlingForm, MaterialFile, ServiceItem, validate_handling_forms
from zhengwu.eservices.tests.conftest import GOOD_FORM, PDF, PNG, item_data, make_item, upload

pytestmark = pytest.mark.django_db


def _stages(department: Department) -> list[services.StageSpec]:
    return [services.StageSpec(name="审查", tasks=[services.TaskSpec(department, "审查", 5)])]


# --- 办理形式, 行使层级, 是否网办, 网上办理深度 ------------------------------------------------------


def test_handling_forms_are_a_validated_list_of_choice_codes() -> None:
    validate_handling_forms(["window", "online", "mail"])
    for bad in ([], ["fax"], ["online", "online"], "online", None):
        with pytest.raises(ValidationError):
            validate_handling_forms(bad)
    item = ServiceItem(handling_forms=["online", "传真"])
    with pytest.raises(ValidationError) as error:
        item.full_clean(exclude=["department"])
    assert "handling_forms" in error.value.message_dict
    assert ServiceItem.Level.TOWNSHIP.label == "乡级"


def test_item_create_checks_the_guide_fields(market_dept: Department, market_clerk: User) -> None:
    bad = [
        (item_data(handling_forms=["online", "fax"]), "handling_forms"),
        (item_data(handling_forms=[]), "handling_forms"),
        (item_data(level="village"), "level"),
        (item_data(online_depth="5"), "online_depth"),
        # 是否网办 must agree with 办理形式 (网上办理 in it ⇔ 网办).
        (item_data(handling_forms=["window"]), "online"),
        (item_data(online=False, handling_forms=["online"]), "online"),
        (item_data(online=False, handling_forms=["window"], visits=1), "online_depth"),
        # 0 visits means 全程网办: depth four.
        (item_data(online_depth="3"), "online_depth"),
    ]
    for data, field in bad:
        with pytest.raises(ApplicationError) as error:
            services.item_create(
                actor=Actor.person(market_clerk), department=market_dept, data=data, stages=_stages(market_dept)
            )
        assert field in error.value.fields, (data, error.value.fields)
    assert not ServiceItem.objects.exists()
    created = services.item_create(
        actor=Actor.person(market_clerk),
        department=market_dept,
        data=item_data(level="township", handling_forms=["window", "mail"], online=False, online_depth="2", visits=1),
        stages=_stages(market_dept),
    )
    created.refresh_from_db()
    assert created.handling_forms == ["window", "mail"] and created.level == "township"
    assert created.handling_form_labels == ["窗口办理", "快递申请"]


def _book(**cells: str) -> Any:
    """The template workbook with some cells of the 「事项」 example row changed, by header."""
    book = load_workbook(io.BytesIO(importing.template_workbook()))
    sheet = book[importing.ITEM_SHEET]
    headers = [c.value for c in sheet[1]]
    for header, value in cells.items():
        sheet.cell(row=2, column=headers.index(header) + 1, value=value)
    return book


def _bytes(book: Any) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_excel_import_carries_level_process_forms_and_online_depth(market_clerk: User) -> None:
    headers = [c.value for c in load_workbook(io.BytesIO(importing.template_workbook()))["事项"][1]]
    for header in ("行使层级", "办理流程", "办理形式", "是否网办", "网上办理深度"):
        assert header in headers
    book = _book(行使层级="县级", 办理形式="窗口办理、网上办理、快递申请", 网上办理深度="四级（全程网办）")
    [item] = importing.items_import_excel(actor=Actor.person(market_clerk), content=_bytes(book))
    item.refresh_from_db()
    assert item.level == "county" and item.online and item.online_depth == "4"
    assert item.handling_forms == ["window", "online", "mail"]
    assert item.process.startswith("网上申请")


def test_excel_import_names_the_row_of_bad_guide_columns(market_clerk: User) -> None:
    cases = {
        "行使层级": ("村级", "省级、市级、县级、乡级"),
        "办理形式": ("网上办理、传真办理", "传真办理"),
        "是否网办": ("也许", "是/否"),
        "网上办理深度": ("五级", "一级、二级、三级、四级"),
    }
    for header, (value, hint) in cases.items():
        with pytest.raises(ApplicationError) as error:
            importing.items_import_excel(actor=Actor.person(market_clerk), content=_bytes(_book(**{header: value})))
        lines = list(error.value.fields.values())
        assert any("「事项」第 2 行" in line and header in line and hint in line for line in lines), lines
    # Each column is valid alone, but together they contradict: the row is named with the reason.
    with pytest.raises(ApplicationError) as error:
        importing.items_import_excel(
            actor=Actor.person(market_clerk),
            content=_bytes(_book(是否网办="否", 办理形式="网上办理", 到办事现场次数=1)),
        )
    assert any("「事项」第 2 行" in line and "是否网办" in line for line in error.value.fields.values())
    assert not ServiceItem.objects.exists()


def test_the_guide_shows_level_forms_online_and_depth(
    client: Any, market_dept: Department, nature_dept: Department, housing_dept: Department, bases: Any
) -> None:
    item = make_item(
        market_dept,
        nature_dept,
        housing_dept,
        level="township",
        handling_forms=[HandlingForm.ONLINE, HandlingForm.MAIL],
        process="网上申请 → 审查 → 决定",
    )
    page = client.get(f"/services/items/{item.pk}/").content.decode()
    for text in ("乡级", "办理形式", "网上办理、快递申请", "是否网办", "四级（全程网办）", "网上申请 → 审查 → 决定"):
        assert text in page, text


# --- 空白表格 and 示例样表 ------------------------------------------------------------------------


def test_department_staff_upload_a_blank_form_and_anyone_downloads_it_from_the_guide(
    client: Any, item: ServiceItem, market_clerk: User, police_clerk: User, egov: User
) -> None:
    design = item.materials.get(name="建设工程设计方案")
    url = f"/workbench/eservices/items/{item.pk}/materials/{design.pk}/files/"
    page = staff_client(market_clerk).get(f"/workbench/eservices/items/{item.pk}/").content.decode()
    assert url in page  # the upload form is on the item page
    response = staff_client(market_clerk).post(url, {"kind": "blank", "file": SimpleUploadedFile("表格.pdf", PDF)})
    assert response.status_code == 302
    blank = MaterialFile.objects.get(material=design, kind="blank")
    from zhengwu.core.crypto import sm3_hex

    assert blank.sm3 == sm3_hex(PDF) and bytes(blank.content) == PDF and blank.uploaded_by == market_clerk
    assert AuditEvent.objects.filter(action="eservices.material_file_upload").exists()

    guide = client.get(f"/services/items/{item.pk}/").content.decode()
    link = f"/services/material-files/{blank.pk}/"
    assert link in guide and "空白表格" in guide
    download = client.get(link)
    assert download.status_code == 200 and download.content == PDF
    assert download["Content-Type"] == "application/pdf" and download["X-Content-Type-Options"] == "nosniff"

    # A second upload of the same kind replaces the first; a sample is a second file.
    staff_client(market_clerk).post(url, {"kind": "blank", "file": SimpleUploadedFile("新表格.png", PNG)})
    staff_client(market_clerk).post(url, {"kind": "sample", "file": SimpleUploadedFile("样表.pdf", PDF)})
    assert sorted(design.files.values_list("kind", "file_name")) == [("blank", "新表格.png"), ("sample", "样表.pdf")]

    # Another department's clerk: not their item (404), and the service refuses them too.
    refused = staff_client(police_clerk).post(url, {"kind": "blank", "file": SimpleUploadedFile("x.pdf", PDF)})
    assert refused.status_code == 404
    with pytest.raises(ApplicationError) as error:
        services.material_file_upload(actor=Actor.person(police_clerk), material=design, kind="blank", upload=upload())
    assert error.value.code == "core.permission_denied"
    # The e-government office sees every item but does not upload a department's forms.
    assert staff_client(egov).post(url, {"kind": "blank"}).status_code == 403
    with pytest.raises(ApplicationError):
        services.material_file_upload(actor=Actor.person(egov), material=design, kind="blank", upload=upload())
    assert design.files.get(kind="blank").file_name == "新表格.png"


def test_blank_form_files_are_checked_like_applicant_uploads(
    client: Any, market_dept: Department, nature_dept: Department, housing_dept: Department, market_clerk: User
) -> None:
    draft = make_item(market_dept, nature_dept, housing_dept, publish=False)
    design = draft.materials.get(name="建设工程设计方案")
    for name, content in (("表格.docx", b"PK\x03\x04"), ("表格.pdf", b"not a pdf"), ("表格.pdf", b"")):
        with pytest.raises(ApplicationError) as error:
            services.material_file_upload(
                actor=Actor.person(market_clerk), material=design, kind="blank", upload=upload(name, content)
            )
        assert error.value.code == "eservices.invalid_file"
    big = upload("表格.pdf", PDF + b"0" * services.MAX_FILE_BYTES)
    with pytest.raises(ApplicationError):
        services.material_file_upload(actor=Actor.person(market_clerk), material=design, kind="blank", upload=big)
    with pytest.raises(ApplicationError):
        services.material_file_upload(actor=Actor.person(market_clerk), material=design, kind="other", upload=upload())
    page = staff_client(market_clerk).post(
        f"/workbench/eservices/items/{draft.pk}/materials/{design.pk}/files/",
        {"kind": "blank", "file": SimpleUploadedFile("表格.txt", b"hello")},
        follow=True,
    )
    assert "仅接受 PDF、OFD、JPG、PNG 文件" in page.content.decode()
    assert not MaterialFile.objects.exists()
    # A draft's file is not public; its department sees it on the workbench.
    row = services.material_file_upload(
        actor=Actor.person(market_clerk), material=design, kind="sample", upload=upload()
    )
    assert client.get(f"/services/material-files/{row.pk}/").status_code == 404
    assert staff_client(market_clerk).get(f"/workbench/eservices/material-files/{row.pk}/").content == PDF


# --- trust levels ------------------------------------------------------------------------------


def test_fetched_materials_are_trust_level_a_and_uploads_c(
    citizen: User, item: ServiceItem, market_clerk: User
) -> None:
    design = item.materials.get(name="建设工程设计方案")
    application = services.application_submit(
        actor=Actor.person(citizen), item=item, data=GOOD_FORM, files={design.pk: upload()}
    )
    levels = {m.material.name: (m.fetched, m.trust_level) for m in application.materials.select_related("material")}
    assert levels == {"申请人身份证明": (True, "A"), "建设工程设计方案": (False, "C")}
    page = staff_client(market_clerk).get(f"/workbench/eservices/cases/{application.pk}/").content.decode()
    assert "可信等级" in page and "A级（政府部门签章）" in page and "C级（申请人上传）" in page
    # A corrected file is the applicant's too.
    services.application_request_correction(
        actor=Actor.person(market_clerk), application=application, items=["方案不清晰"]
    )
    services.application_correct(
        actor=Actor.person(citizen), application=application, files={design.pk: upload("新方案.png", PNG)}
    )
    assert application.materials.get(current=True, material=design).trust_level == "C"
    # The department task page shows the levels as well.
    services.application_accept(actor=Actor.person(market_clerk), application=application)
    task = application.tasks.get()
    task_page = staff_client(market_clerk).get(f"/workbench/eservices/tasks/{task.pk}/").content.decode()
    assert "A级（政府部门签章）" in task_page
    # The applicant's page is unchanged by this (levels are for staff).
    assert person_client(citizen).get(f"/services/mine/{application.number}/").status_code == 200


def test_without_a_base_record_the_uploaded_identity_is_c(outsider: User, item: ServiceItem) -> None:
    files = {m.pk: upload() for m in item.materials.filter(required=True)}
    application = services.application_submit(
        actor=Actor.person(outsider), item=item, data={**GOOD_FORM, "applicant_name": "赵六"}, files=files
    )
    assert set(application.materials.values_list("fetched", "trust_level")) == {(False, "C")}
