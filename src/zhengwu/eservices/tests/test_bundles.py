"""一件事一次办: one form and one set of materials, split into the departments' cases in one
transaction, tracked and rated as one; defined by the e-gov office only."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhengwu.accounts.models import Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.conftest import person_client, staff_client
from zhengwu.core.actors import Actor
from zhengwu.eservices import selectors, services
from zhengwu.eservices.bundling import union_form
from zhengwu.eservices.models import (
    Application,
    ApplicationMaterial,
    Audience,
    Bundle,
    BundleCase,
    ItemType,
    MaterialSource,
    Rating,
    ServiceItem,
)
from zhengwu.eservices.tests.conftest import GOOD_FORM, PDF, PNG, item_data, upload

pytestmark = pytest.mark.django_db

FORM = {**GOOD_FORM, "phone": "13900000000"}


def police_item(police_dept: Department, **changes: Any) -> ServiceItem:
    """公安厅's item: shares the field `project` and the material 建设工程设计方案 with `item`."""
    values: dict[str, Any] = {
        "name": "施工现场治安备案",
        "impl_code": "11220000013544234R4QT00101",
        "item_type": ItemType.OTHER,
        "case_prefix": "GABA",
        "audience": Audience.PERSON,
        "legal_limit": 5,
        "promised_limit": 3,
    }
    values.update(changes)
    created = services.item_create(
        actor=Actor.platform(),
        department=police_dept,
        data=item_data(**values),
        materials=[
            services.MaterialSpec(name="建设工程设计方案", source=MaterialSource.APPLICANT),
            services.MaterialSpec(name="现场照片", source=MaterialSource.APPLICANT),
        ],
        fields=[
            services.FieldSpec(code="project", label="项目名称", required=True, max_length=100),
            services.FieldSpec(code="phone", label="联系电话", required=True, max_length=20),
        ],
        stages=[services.StageSpec(name="备案", tasks=[services.TaskSpec(police_dept, "备案审核", 3)])],
    )
    return services.item_publish(actor=Actor.platform(), item=created)


@pytest.fixture
def bundle(item: ServiceItem, police_dept: Department) -> Bundle:
    return services.bundle_create(
        actor=Actor.platform(),
        code="KGBA",
        name="开工备案",
        audience=Audience.PERSON,
        items=[item, police_item(police_dept)],
        description="规划许可和治安备案一次办",
    )


def files_for(**names: bytes) -> dict[str, services.Upload]:
    return {
        name: upload(f"{name}.png" if content == PNG else f"{name}.pdf", content) for name, content in names.items()
    }


def submit(citizen: User, bundle: Bundle) -> BundleCase:
    return services.bundle_submit(
        actor=Actor.person(citizen),
        bundle=bundle,
        data=FORM,
        files=files_for(建设工程设计方案=PDF, 现场照片=PNG),
    )


def test_one_form_asks_a_shared_field_and_a_shared_material_once(bundle: Bundle) -> None:
    union = union_form(bundle)
    codes = [u.code for u in union.fields]
    assert codes.count("project") == 1 and set(codes) == {"applicant_name", "project", "area", "use", "phone"}
    shared = union.material_named("建设工程设计方案")
    assert shared is not None and len(shared.items) == 2 and shared.required
    assert next(u for u in union.fields if u.code == "applicant_name").platform_filled  # 预填 in every item
    fetched = union.material_named("申请人身份证明")
    assert fetched is not None and fetched.fetched


def test_a_bundle_is_split_into_each_departments_case_in_one_go(
    citizen: User, bundle: Bundle, market_dept: Department, police_dept: Department
) -> None:
    case = submit(citizen, bundle)
    assert case.number.startswith(f"{case.submitted_at.year}-YJKGBA-") or case.number.endswith("000001")
    parts = list(case.parts.order_by("id"))
    assert [p.department for p in parts] == [market_dept, police_dept]
    assert all(p.state == Application.State.SUBMITTED and p.applicant == citizen for p in parts)
    assert parts[0].data["project"] == parts[1].data["project"] == GOOD_FORM["project"]
    design = ApplicationMaterial.objects.filter(application__in=parts, material__name="建设工程设计方案")
    assert design.count() == 2 and len({m.sm3 for m in design}) == 1  # uploaded once, stored in both cases
    assert AuditEvent.objects.filter(action="eservices.bundle.submit", outcome="success").count() == 1
    assert selectors.bundle_case_state(case) == selectors.BUNDLE_OPEN


def test_a_bundle_is_all_or_nothing(citizen: User, bundle: Bundle) -> None:
    union = union_form(bundle)
    photo = union.material_named("现场照片")
    assert photo is not None
    error, _ = refused_write(
        lambda: services.bundle_submit(
            actor=Actor.person(citizen), bundle=bundle, data=FORM, files=files_for(建设工程设计方案=PDF)
        ),
        models=[Application, BundleCase, ApplicationMaterial],
        code="eservices.material_missing",
    )
    assert "《施工现场治安备案》" in error.message and f"files.{photo.index}" in error.fields


def test_a_wrong_file_in_a_bundle_names_the_shared_material(citizen: User, bundle: Bundle) -> None:
    error, _ = refused_write(
        lambda: services.bundle_submit(
            actor=Actor.person(citizen),
            bundle=bundle,
            data=FORM,
            files={"建设工程设计方案": upload("方案.pdf", PNG), "现场照片": upload("现场.png", PNG)},
        ),
        models=[Application, BundleCase],
        code="eservices.invalid_file",
    )
    assert "与扩展名 .pdf 不符" in error.message


def test_only_the_egov_office_defines_a_bundle(
    item: ServiceItem, police_dept: Department, citizen: User, market_clerk: User, egov: User
) -> None:
    other = police_item(police_dept)
    for who in (citizen, market_clerk):
        refused_write(
            lambda who=who: services.bundle_create(
                actor=Actor.person(who), code="ABC", name="某事", audience=Audience.PERSON, items=[item, other]
            ),
            models=[Bundle],
            code="core.permission_denied",
        )
    made = services.bundle_create(
        actor=Actor.person(egov), code="ABC", name="某事", audience=Audience.PERSON, items=[item, other]
    )
    assert [e.item for e in made.entries.all()] == [item, other]
    refused_write(
        lambda: services.bundle_create(
            actor=Actor.person(egov), code="ABD", name="某事", audience=Audience.LEGAL, items=[item, other]
        ),
        models=[Bundle],
        code="eservices.invalid_bundle",
    )


def test_items_that_disagree_on_a_shared_field_cannot_share_one_form(
    item: ServiceItem, police_dept: Department, egov: User
) -> None:
    clash = services.item_create(
        actor=Actor.platform(),
        department=police_dept,
        data=item_data(impl_code="11220000013544234R4QT00199", case_prefix="GAXX", audience=Audience.PERSON),
        fields=[services.FieldSpec(code="area", label="面积", data_type="integer", required=True)],
        stages=[services.StageSpec(name="审查", tasks=[services.TaskSpec(police_dept, "审查", 3)])],
    )
    clash = services.item_publish(actor=Actor.platform(), item=clash)
    error, _ = refused_write(
        lambda: services.bundle_create(
            actor=Actor.person(egov), code="XX", name="冲突", audience=Audience.PERSON, items=[item, clash]
        ),
        models=[Bundle],
        code="eservices.invalid_bundle",
    )
    assert "面积" in error.message or "area" in error.message


def _finish(application: Application) -> None:
    platform = Actor.platform()
    services.application_accept(actor=platform, application=application)
    while True:
        application.refresh_from_db()
        live = list(application.tasks.filter(state="open"))
        if not live:
            break
        for task in live:
            services.task_complete(actor=platform, task=task, approve=True, opinion="同意")
    services.application_decide(actor=platform, application=application, approve=True)


def test_one_rating_of_the_whole_becomes_each_parts_rating(citizen: User, outsider: User, bundle: Bundle) -> None:
    case = submit(citizen, bundle)
    good = services.RatingData(5, 5, 5, 5, 5, 5, comment="一次办好")
    refused_write(
        lambda: services.bundle_rate(actor=Actor.person(citizen), case=case, data=good),
        models=[Rating],
        code="eservices.wrong_state",
    )
    for part in case.parts.all():
        _finish(part)
    refused_write(
        lambda: services.bundle_rate(actor=Actor.person(outsider), case=case, data=good),
        models=[Rating],
        code="core.permission_denied",
    )
    services.bundle_rate(actor=Actor.person(citizen), case=case, data=good)
    ratings = Rating.objects.filter(application__bundle_case=case)
    assert ratings.count() == 2 and {r.department_id for r in ratings} == {p.department_id for p in case.parts.all()}
    assert selectors.bundle_case_state(case) == selectors.BUNDLE_DONE
    refused_write(
        lambda: services.bundle_rate(actor=Actor.person(citizen), case=case, data=good),
        models=[Rating],
        code="eservices.already_rated",
    )


def test_the_bundle_pages_one_form_and_one_page_to_follow(
    client: Any, citizen: User, outsider: User, bundle: Bundle
) -> None:
    assert "开工备案" in client.get("/services/bundles/").content.decode()
    guide = client.get(f"/services/bundles/{bundle.pk}/").content.decode()
    assert "施工现场治安备案" in guide and "2 个事项共用，只传一次" in guide
    web = person_client(citizen)
    union = union_form(bundle)
    design, photo = union.material_named("建设工程设计方案"), union.material_named("现场照片")
    assert design is not None and photo is not None
    form = web.get(f"/services/bundles/{bundle.pk}/apply/").content.decode()
    assert form.count('name="data_project"') == 1 and 'name="data_applicant_name"' not in form
    response = web.post(
        f"/services/bundles/{bundle.pk}/apply/",
        {
            **{f"data_{k}": v for k, v in FORM.items()},
            f"file_{design.index}": SimpleUploadedFile("方案.pdf", PDF),
            f"file_{photo.index}": SimpleUploadedFile("现场.png", PNG),
        },
    )
    case = BundleCase.objects.get(applicant=citizen)
    assert response.status_code == 302 and response["Location"] == f"/services/bundle-cases/{case.number}/"
    page = web.get(response["Location"]).content.decode()
    assert "办理中" in page and page.count("待受理") == 2
    assert case.number in web.get("/services/mine/").content.decode()
    assert person_client(outsider).get(f"/services/bundle-cases/{case.number}/").status_code == 404
    api = web.get(f"/api/v1/eservices/bundle-cases/{case.number}").json()
    assert api["state"] == "办理中" and [p["state"] for p in api["parts"]] == ["submitted", "submitted"]
    listed = client.get("/api/v1/eservices/bundles").json()
    assert listed[0]["code"] == "KGBA" and len(listed[0]["items"]) == 2


def test_the_office_defines_a_bundle_on_the_workbench(
    item: ServiceItem, police_dept: Department, egov: User, market_clerk: User
) -> None:
    other = police_item(police_dept)
    web = staff_client(egov)
    assert web.get("/workbench/eservices/bundles/new/").status_code == 200
    response = web.post(
        "/workbench/eservices/bundles/new/",
        {"code": "ZZ", "name": "工作台一件事", "audience": "person", "items": [item.pk, other.pk], "active": "on"},
    )
    assert response.status_code == 302 and Bundle.objects.filter(code="ZZ").exists()
    bad = web.post(
        "/workbench/eservices/bundles/new/",
        {"code": "ZY", "name": "只有一个事项", "audience": "person", "items": [item.pk]},
    )
    assert bad.status_code == 200 and "2–10 个事项" in bad.content.decode()
    assert staff_client(market_clerk).get("/workbench/eservices/bundles/").status_code in (302, 403)


def test_the_bundle_form_keeps_the_chosen_files_after_a_form_error(citizen: User, bundle: Bundle) -> None:
    """The one form of a 一件事 keeps its files like an item's form (eservices/pending_uploads.py)."""
    web = person_client(citizen)
    url = f"/services/bundles/{bundle.pk}/apply/"
    union = union_form(bundle)
    design, photo = union.material_named("建设工程设计方案"), union.material_named("现场照片")
    assert design is not None and photo is not None
    bad = web.post(
        url,
        {
            **{f"data_{k}": v for k, v in FORM.items()},
            "data_area": "多少",  # not a number: the form comes back
            f"file_{design.index}": SimpleUploadedFile("方案.pdf", PDF),
            f"file_{photo.index}": SimpleUploadedFile("现场.png", PNG),
        },
    )
    page = bad.content.decode()
    assert bad.status_code == 200 and not BundleCase.objects.exists()
    assert "已上传的材料" in page and "已上传：方案.pdf" in page and "已上传：现场.png" in page
    # Corrected and sent again without choosing the files again: both cases get both files.
    response = web.post(url, {f"data_{k}": v for k, v in FORM.items()})
    case = BundleCase.objects.get(applicant=citizen)
    assert response.status_code == 302 and response["Location"] == f"/services/bundle-cases/{case.number}/"
    stored = ApplicationMaterial.objects.filter(application__bundle_case=case)
    assert sorted((m.file_name, bytes(m.content)) for m in stored.filter(material__name="建设工程设计方案")) == [
        ("方案.pdf", PDF),
        ("方案.pdf", PDF),
    ]
    assert [bytes(m.content) for m in stored.filter(material__name="现场照片")] == [PNG]
    # Nothing is kept once submitted, and an item's own form never sees the bundle's files.
    assert "已上传：" not in web.get(url).content.decode()
    assert "已上传：" not in web.get(f"/services/items/{union.items[0].pk}/apply/").content.decode()
