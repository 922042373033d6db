"""Demo data of the eservices app, loaded by `zhengwu demo` after accounts, catalog and base records.

Three published items with real-looking guides — 食品经营许可 (省市场监督管理厅), 个体工商户设立登记
(长春市市场监督管理局) and 建设工程规划许可 (省自然资源厅, with 自然资源厅, 住房和城乡建设厅 and 应急管理厅
reviewing in parallel in one stage) — and applications of the demo citizens and companies in
every state, so the window, the tasks, the supervision dashboards and the rating statistics have
data. Everything goes through the services (audited, timed). Idempotent: items are looked up by
实施编码 and the applications are only created when none of the demo items has any yet. The items
and their guides are data, in `data/demo_items.json`; this module holds only how they are loaded.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from django.db import transaction

from zhengwu.accounts.models import Department, Region, User
from zhengwu.certificates.demo import TYPE_CODES, ensure_types
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.datafiles import read_json
from zhengwu.core.errors import ApplicationError
from zhengwu.eservices import services
from zhengwu.eservices.blank_forms import form_pdf
from zhengwu.eservices.models import (
    Application,
    Audience,
    Bundle,
    BundleCase,
    MaterialFile,
    ServiceItem,
)
from zhengwu.eservices.services import FieldSpec, ItemData, MaterialSpec, ResultSpec, StageSpec, TaskSpec

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% zhengwu demo material\n%%EOF\n"
# 实施编码 of the demo items the code refers to (applications, 一件事 bundles).
FOOD, SHOP, PLANNING = "11220000MB0135023X4XK00101", "11220100MB0135032R4QR00101", "11220000MB0135011A4XK00301"
CATERING, BIRTH, HUKOU, INSURANCE = (
    "11220000MB0135023X4XK00102",
    "11220000MB0135045K4GG00101",
    "11220100MB0135061C4QR00101",
    "11220000MB0135078E4GG00101",
)


def _departments() -> dict[str, Department]:
    return {d.name: d for d in Department.objects.filter(is_active=True)}


def _item_spec(entry: dict[str, Any], d: dict[str, Department]) -> dict[str, Any]:
    """One item of `data/demo_items.json` as `services.item_create`'s keywords (plus its guide's
    `files`): departments by name, certificate results by their type's name."""
    return {
        "department": d[entry["department"]],
        "data": ItemData(**entry["item"]),
        "materials": [MaterialSpec(**material) for material in entry["materials"]],
        "fields": [FieldSpec(**spec) for spec in entry["fields"]],
        "stages": [
            StageSpec(stage["name"], [TaskSpec(d[name], task, limit) for name, task, limit in stage["tasks"]])
            for stage in entry["stages"]
        ],
        "results": [
            ResultSpec(
                result["name"],
                result.get("kind", ResultSpec.kind),
                TYPE_CODES[result["certificate_type"]] if "certificate_type" in result else "",
            )
            for result in entry["results"]
        ],
        "files": entry.get("files", {}),
    }


def _sample_pdf(title: str, lines: list[str]) -> bytes:
    """A small real one-page PDF (reportlab, built-in CJK font) marked 样本."""
    from reportlab.lib.pagesizes import A5
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A5)
    width, height = A5
    pdf.setTitle(title)
    pdf.setFont(font, 18)
    pdf.drawCentredString(width / 2, height - 60, title)
    pdf.setFont(font, 11)
    for number, line in enumerate(lines):
        pdf.drawString(50, height - 110 - number * 22, line)
    pdf.setFont(font, 48)
    pdf.setFillColorRGB(0.85, 0.2, 0.2)
    pdf.drawCentredString(width / 2, height / 2 - 80, "样 本")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


# The demo's items (one entry an item: the fields of `ItemData`, `MaterialSpec`, `FieldSpec` and
# `ResultSpec` that differ from their defaults, stages as [department, task, limit]) and their
# guides' 主题, 所属区划, 收费依据, 常见问题 and 救济途径 by 实施编码: data, not code.
DEMO = read_json("zhengwu.eservices", "demo_items.json")
GUIDES: dict[str, dict[str, Any]] = DEMO["guides"]


def _ensure_guide(item: ServiceItem) -> None:
    """主题, 区划, 收费依据, 常见问题, 救济途径 and the 结果样本 (once: kept when already set)."""
    spec = GUIDES.get(item.impl_code)
    if spec is None or item.themes.exists():
        return
    extras = services.GuideExtras(
        themes=spec["themes"],
        region=Region.objects.filter(code=spec["region"]).first(),
        fee_basis=spec["fee_basis"],
        faq=[(question, answer) for question, answer in spec["faq"]],
        review_body=spec.get("review_body", ""),
        litigation_court=spec.get("litigation_court", ""),
    )
    services.item_guide_set(actor=Actor.platform(), item=item, extras=extras)
    for result in item.results.all():
        lines = [f"事项：{item.name}", f"签发机关：{item.department.name}", "编号：XXXXXXXXXXXX", "持有人：XXX"]
        upload = services.Upload(name=f"{result.name}-样本.pdf", content=_sample_pdf(result.name, lines))
        services.result_sample_upload(actor=Actor.platform(), result=result, upload=upload)


BUNDLES = [
    ("KBCYD", "开办餐饮店", "个体工商户开一家饭店：营业执照和食品经营许可一次申请。", [SHOP, CATERING]),
    ("XSECS", "新生儿出生", "孩子出生后：出生医学证明、出生户口登记、医保参保一次申请。", [BIRTH, HUKOU, INSURANCE]),
]


def _ensure_bundles() -> int:
    for code, name, description, codes in BUNDLES:
        if Bundle.objects.filter(code=code).exists():
            continue
        items = [ServiceItem.objects.get(impl_code=c) for c in codes]
        services.bundle_create(
            actor=Actor.platform(), code=code, name=name, audience=Audience.PERSON, items=items, description=description
        )
    return Bundle.objects.count()


def _ensure_item(spec: dict[str, Any]) -> ServiceItem:
    existing = ServiceItem.objects.filter(impl_code=spec["data"].impl_code).first()
    if existing is not None:
        return existing
    files = spec.pop("files", {})
    item = services.item_create(actor=Actor.platform(), **spec)
    # 空白表格 / 示例样表 of the guide: PDFs drawn from the item's own form fields.
    for material in item.materials.filter(name__in=files).select_related("item__department"):
        for kind in files[material.name]:
            content = form_pdf(material, sample=kind == MaterialFile.Kind.SAMPLE)
            upload = services.Upload(name=f"{material.name}-{MaterialFile.Kind(kind).label}.pdf", content=content)
            services.material_file_upload(actor=Actor.platform(), material=material, kind=kind, upload=upload)
    return services.item_publish(actor=Actor.platform(), item=item)


def _days_ago(n: int) -> datetime:
    day = workdays.add_workdays(workdays.today(), -n)
    return datetime.combine(day, time(9, 30), tzinfo=workdays.CHINA_TZ)


def _submit(user: User, item: ServiceItem, data: dict[str, str], when: datetime) -> Application:
    files = {m.pk: services.Upload(name=f"{m.name}.pdf", content=PDF) for m in item.materials.all() if not m.fetchable}
    return services.application_submit(actor=Actor.person(user), item=item, data=data, files=files, when=when)


def _clerk(department: Department) -> Actor:
    """The department's demo clerk, or the platform itself when the demo has none."""
    user = User.objects.filter(department=department, username__endswith=".clerk").first()
    return Actor.platform() if user is None else Actor.person(user)


def _applications(food: ServiceItem, shop: ServiceItem, planning: ServiceItem) -> int:
    companies = list(
        User.objects.filter(kind=User.Kind.ENTERPRISE, username__startswith="company").order_by("username")
    )
    citizens = list(User.objects.filter(kind=User.Kind.CITIZEN, username__startswith="citizen").order_by("username"))
    if len(companies) < 6 or len(citizens) < 4:
        return 0
    food_clerk, shop_clerk, nature_clerk = _clerk(food.department), _clerk(shop.department), _clerk(planning.department)
    dept = _departments()
    housing_clerk, emergency_clerk = _clerk(dept["吉林省住房和城乡建设厅"]), _clerk(dept["吉林省应急管理厅"])
    food_form = {
        "premises": "长春市朝阳区人民大街 1000 号一层",
        "business_type": "食品销售经营者",
        "business_items": "预包装食品（含冷藏冷冻食品）销售；散装食品销售",
    }

    def plan_form(company: User) -> dict[str, str]:
        return {
            "project_name": f"{company.enterprise_name}研发楼",
            "location": "长春市净月高新技术产业开发区福祉大路 2000 号",
            "scale": "地上 8 层、地下 1 层，总建筑面积 12000 平方米",
        }

    # 待受理 at the window.
    _submit(companies[0], food, food_form, _days_ago(1))
    # 待补正: the window asked for two things at once.
    waiting = _submit(companies[1], food, food_form, _days_ago(3))
    services.application_request_correction(
        actor=food_clerk,
        application=waiting,
        items=["经营场所使用证明未加盖出租方印章", "食品安全管理制度缺少进货查验记录制度"],
        when=_days_ago(2),
    )
    # 审批中: the parallel stage is running, 自然资源厅 has agreed, 住建厅 and 应急管理厅 are reviewing.
    running = _submit(companies[2], planning, plan_form(companies[2]), _days_ago(6))
    services.application_accept(actor=nature_clerk, application=running, when=_days_ago(5))
    services.task_complete(
        actor=nature_clerk, task=running.tasks.get(), approve=True, opinion="规划条件相符", when=_days_ago(4)
    )
    running.refresh_from_db()
    parallel = running.tasks.filter(stage_position=2)
    services.task_complete(
        actor=nature_clerk,
        task=parallel.get(department=planning.department),
        approve=True,
        opinion="符合控规",
        when=_days_ago(2),
    )
    # 特别程序: 应急管理厅's review of another project is paused for an expert review.
    special = _submit(companies[5], planning, plan_form(companies[5]), _days_ago(8))
    services.application_accept(actor=nature_clerk, application=special, when=_days_ago(8))
    services.task_complete(actor=nature_clerk, task=special.tasks.get(), approve=True, opinion="", when=_days_ago(7))
    services.task_special_start(
        actor=emergency_clerk,
        task=special.tasks.get(stage_position=2, department=dept["吉林省应急管理厅"]),
        reason="消防设计专家论证",
        when=_days_ago(5),
    )
    # 准予 with the certificate, rated 非常满意.
    approved = _submit(companies[3], planning, plan_form(companies[3]), _days_ago(12))
    services.application_accept(actor=nature_clerk, application=approved, when=_days_ago(12))
    services.task_complete(actor=nature_clerk, task=approved.tasks.get(), approve=True, opinion="", when=_days_ago(11))
    for task, clerk in zip(
        approved.tasks.filter(stage_position=2).order_by("id"),
        (nature_clerk, housing_clerk, emergency_clerk),
        strict=True,
    ):
        services.task_complete(actor=clerk, task=task, approve=True, opinion="同意", when=_days_ago(8))
    services.application_decide(actor=nature_clerk, application=approved, approve=True, when=_days_ago(7))
    services.rating_create(
        actor=Actor.person(companies[3]),
        application=approved,
        data=services.RatingData(5, 5, 5, 5, 5, 4, comment="并联审批，一次都没跑，很快"),
    )
    # 个体工商户: one overdue at the window (red light), one approved but rated 不满意, one refused.
    _submit(
        citizens[0],
        shop,
        {
            "shop_name": "南关区小张早餐店",
            "organisation_form": "个人经营",
            "premises": "长春市南关区民康路 12 号",
            "business_scope": "餐饮服务（不含凉菜）",
        },
        _days_ago(4),
    )
    rated = _submit(
        citizens[1],
        shop,
        {
            "shop_name": "朝阳区李记修鞋铺",
            "organisation_form": "个人经营",
            "premises": "长春市朝阳区红旗街 8 号",
            "business_scope": "鞋类修理",
        },
        _days_ago(9),
    )
    services.application_accept(actor=shop_clerk, application=rated, when=_days_ago(8))
    services.task_complete(actor=shop_clerk, task=rated.tasks.get(), approve=True, opinion="", when=_days_ago(8))
    services.application_decide(actor=shop_clerk, application=rated, approve=True, when=_days_ago(7))
    services.rating_create(
        actor=Actor.person(citizens[1]),
        application=rated,
        data=services.RatingData(2, 2, 2, 3, 2, 3, comment="经营范围表述被要求改了两次，指南里没写清楚"),
    )
    refused = _submit(
        citizens[2],
        shop,
        {
            "shop_name": "绿园区烟花爆竹批发部",
            "organisation_form": "家庭经营",
            "premises": "长春市绿园区普阳街 3 号",
            "business_scope": "烟花爆竹批发",
        },
        _days_ago(5),
    )
    services.application_refuse(
        actor=shop_clerk,
        application=refused,
        reason="烟花爆竹批发须取得许可，不属于个体工商户登记直接办理范围",
        when=_days_ago(4),
    )
    return Application.objects.filter(item__in=[food, shop, planning]).count()


def _bundle_cases() -> None:
    """新生儿出生 applied for by a demo citizen, the 出生医学证明 part already issued, the other parts
    under way; and a finished 开办餐饮店 — so the hot list, the bundle page and the rating have data."""
    citizens = list(User.objects.filter(kind=User.Kind.CITIZEN, username__startswith="citizen").order_by("username"))
    if len(citizens) < 4:
        return
    birth = Bundle.objects.get(code="XSECS")
    files = {"住院分娩记录": services.Upload(name="住院分娩记录.pdf", content=PDF)}
    baby = {"baby_name": "王小雨", "baby_sex": "女", "birth_date": "2026-11-20", "birth_place": "吉林大学第一医院"}
    case = services.bundle_submit(
        actor=Actor.person(citizens[3]),
        bundle=birth,
        data={**baby, "hukou_address": "长春市朝阳区红旗街 100 号", "insured_place": "长春市"},
        files=files,
        when=_days_ago(2),
    )
    first = case.parts.get(item__impl_code=BIRTH)
    clerk = _clerk(first.department)
    services.application_accept(actor=clerk, application=first, when=_days_ago(1))
    services.task_complete(actor=clerk, task=first.tasks.get(), approve=True, opinion="核对无误", when=_days_ago(1))
    services.application_decide(actor=clerk, application=first, approve=True, when=_days_ago(1))


def load_demo(*, say: Callable[[str], object]) -> str:
    """Load (idempotently) and return a one-line summary for the demo command's report."""
    departments = _departments()
    needed = {entry["department"] for entry in DEMO["items"]} | {
        task[0] for entry in DEMO["items"] for stage in entry["stages"] for task in stage["tasks"]
    }
    if any(name not in departments for name in needed):
        return "网上办事：缺少演示部门，未加载。"
    ensure_types()
    with transaction.atomic():
        items = {item.impl_code: item for item in (_ensure_item(_item_spec(e, departments)) for e in DEMO["items"])}
        food, shop, planning = items[FOOD], items[SHOP], items[PLANNING]
        for item in ServiceItem.objects.filter(impl_code__in=list(GUIDES)):
            _ensure_guide(item)
        bundles = _ensure_bundles()
    count = Application.objects.filter(item__in=[food, shop, planning]).count()
    if count == 0:
        try:
            with transaction.atomic():
                count = _applications(food, shop, planning)
        except ApplicationError as error:  # e.g. base records not loaded: report, don't crash the demo
            say(f"网上办事演示办件未加载：{error.message}")
            count = 0
    if count and not BundleCase.objects.exists():
        try:
            with transaction.atomic():
                _bundle_cases()
        except ApplicationError as error:
            say(f"网上办事演示一件事办件未加载：{error.message}")
    published = ServiceItem.objects.filter(state="published").count()
    cases = BundleCase.objects.count()
    return f"网上办事：事项 {published} 个，一件事 {bundles} 个，办件 {count} 件，一件事办件 {cases} 件。"
