"""Demo data of the eservices app, loaded by `zhengwu demo` after accounts, catalog and base records.

Three published items with real-looking guides — 食品经营许可 (省市场监督管理厅), 个体工商户设立登记
(长春市市场监督管理局) and 建设工程规划许可 (省自然资源厅, with 自然资源厅, 住房和城乡建设厅 and 应急管理厅
reviewing in parallel in one stage) — and applications of the demo citizens and companies in
every state, so the window, the tasks, the supervision dashboards and the rating statistics have
data. Everything goes through the services (audited, timed). Idempotent: items are looked up by
实施编码 and the applications are only created when none of the demo items has any yet.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from django.db import transaction

from zhengwu.accounts.models import Department, User
from zhengwu.catalog.models import DataType
from zhengwu.certificates.demo import TYPE_CODES, ensure_types
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.eservices import services
from zhengwu.eservices.blank_forms import form_pdf
from zhengwu.eservices.models import Application, Audience, HandlingForm, ItemType, MaterialFile, ServiceItem
from zhengwu.eservices.services import FieldSpec, ItemData, MaterialSpec, ResultSpec, StageSpec, TaskSpec

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% zhengwu demo material\n%%EOF\n"
FOOD, SHOP, PLANNING = "11220000MB0135023X4XK00101", "11220100MB0135032R4QR00101", "11220000MB0135011A4XK00301"


def _departments() -> dict[str, Department]:
    return {d.name: d for d in Department.objects.filter(is_active=True)}


def _food(d: dict[str, Department]) -> dict[str, Any]:
    market = d["吉林省市场监督管理厅"]
    return {
        "department": market,
        "data": ItemData(
            name="食品经营许可",
            basic_code="000135001000",
            impl_code=FOOD,
            item_type=ItemType.LICENSE,
            case_prefix="SCJG",
            basis="《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）",
            audience=Audience.LEGAL,
            conditions="具有与经营的食品品种、数量相适应的经营场所；有食品安全管理人员和保证食品安全的规章制度；"
            "有合理的设备布局和工艺流程。",
            level=ServiceItem.Level.PROVINCE,
            process="网上申请 → 窗口受理（材料不全的一次性告知补正）→ 审查（必要时现场核查）→ 决定 → 电子证照送达",
            handling_forms=[HandlingForm.ONLINE, HandlingForm.WINDOW],
            online=True,
            online_depth=ServiceItem.Depth.FOUR,
            legal_limit=10,
            promised_limit=5,
            visits=0,
            place_time="吉林省政务服务中心市场监管窗口，工作日 9:00–17:00；全程网办",
            consult="0431-12345（政务服务热线）",
            complaint="0431-12315；吉林省政务服务网“好差评”",
            special_procedure="现场核查",
        ),
        "materials": [
            MaterialSpec(name="营业执照", source="base", base_resource_code=services.LEGAL_BASE),
            MaterialSpec(name="与食品经营相适应的经营场所使用证明", notes="房产证明或租赁合同"),
            MaterialSpec(name="食品安全管理制度文本"),
            MaterialSpec(name="委托代理人身份证明及授权委托书", required=False),
        ],
        "fields": [
            FieldSpec(
                "legal_representative", "法定代表人（负责人）", required=True, prefill="legal:legal_representative"
            ),
            FieldSpec("residence", "住所", required=True, prefill="legal:address"),
            FieldSpec("premises", "经营场所", required=True, max_length=200),
            FieldSpec(
                "business_type",
                "主体业态",
                DataType.ENUM,
                required=True,
                enum_values=["食品销售经营者", "餐饮服务经营者", "单位食堂"],
            ),
            FieldSpec("business_items", "经营项目", required=True, max_length=500),
        ],
        "stages": [StageSpec("审查", [TaskSpec(market, "食品经营许可审查", 4)])],
        "files": {"食品安全管理制度文本": [MaterialFile.Kind.BLANK, MaterialFile.Kind.SAMPLE]},
        "results": [ResultSpec("食品经营许可证", "certificate", TYPE_CODES["食品经营许可证"])],
    }


def _shop(d: dict[str, Department]) -> dict[str, Any]:
    market = d["长春市市场监督管理局"]
    return {
        "department": market,
        "data": ItemData(
            name="个体工商户设立登记",
            basic_code="000135002000",
            impl_code=SHOP,
            item_type=ItemType.CONFIRMATION,
            case_prefix="CCSJ",
            basis="《促进个体工商户发展条例》；《中华人民共和国市场主体登记管理条例》第三条",
            audience=Audience.PERSON,
            conditions="有经营能力的自然人；经营场所符合规定；经营范围不属于禁止或限制个体经营的项目。",
            level=ServiceItem.Level.CITY,
            process="网上申请 → 登记审查 → 核发营业执照（可邮寄送达）",
            handling_forms=[HandlingForm.ONLINE, HandlingForm.WINDOW, HandlingForm.MAIL],
            online=True,
            online_depth=ServiceItem.Depth.FOUR,
            legal_limit=3,
            promised_limit=1,
            visits=0,
            place_time="长春市政务服务中心市场主体登记窗口；全程网办",
            consult="0431-12345",
            complaint="0431-12315",
        ),
        "materials": [
            MaterialSpec(name="经营者身份证明", source="base", base_resource_code=services.PERSON_BASE),
            MaterialSpec(name="经营场所使用证明"),
        ],
        "fields": [
            FieldSpec("operator", "经营者", required=True, prefill="person:name"),
            FieldSpec("shop_name", "个体工商户名称", required=True, max_length=100),
            FieldSpec(
                "organisation_form", "组成形式", DataType.ENUM, required=True, enum_values=["个人经营", "家庭经营"]
            ),
            FieldSpec("premises", "经营场所", required=True, max_length=200),
            FieldSpec("business_scope", "经营范围", required=True, max_length=500),
        ],
        "stages": [StageSpec("登记审查", [TaskSpec(market, "登记审查", 1)])],
        "files": {"经营场所使用证明": [MaterialFile.Kind.SAMPLE]},
        "results": [ResultSpec("个体工商户营业执照", "approval")],
    }


def _planning(d: dict[str, Department]) -> dict[str, Any]:
    nature, housing, emergency = d["吉林省自然资源厅"], d["吉林省住房和城乡建设厅"], d["吉林省应急管理厅"]
    return {
        "department": nature,
        "data": ItemData(
            name="建设工程规划许可证核发",
            basic_code="000117003000",
            impl_code=PLANNING,
            item_type=ItemType.LICENSE,
            case_prefix="ZRZY",
            basis="《中华人民共和国城乡规划法》第四十条",
            audience=Audience.LEGAL,
            conditions="建设项目已取得用地批准文件；建设工程设计方案符合控制性详细规划和规划条件。",
            level=ServiceItem.Level.PROVINCE,
            process="网上申请 → 受理 → 自然资源、住房城乡建设、消防审查并联办理 → 决定 → 电子证照",
            handling_forms=[HandlingForm.ONLINE, HandlingForm.WINDOW],
            online=True,
            online_depth=ServiceItem.Depth.FOUR,
            legal_limit=20,
            promised_limit=12,
            visits=0,
            consult="0431-12345",
            complaint="吉林省政务服务网“好差评”",
            special_procedure="批前公示、专家论证",
        ),
        "materials": [
            MaterialSpec(name="营业执照", source="base", base_resource_code=services.LEGAL_BASE),
            MaterialSpec(name="建设工程设计方案（总平面图、建筑单体方案）"),
            MaterialSpec(name="使用土地的有关证明文件"),
        ],
        "fields": [
            FieldSpec("project_name", "建设项目名称", required=True, max_length=100),
            FieldSpec("location", "建设位置", required=True, max_length=200),
            FieldSpec("scale", "建设规模", required=True, max_length=200),
        ],
        "stages": [
            StageSpec("受理审查", [TaskSpec(nature, "规划条件核对", 2)]),
            StageSpec(
                "并联审查",
                [
                    TaskSpec(nature, "设计方案规划审查", 6),
                    TaskSpec(housing, "建筑设计方案审查", 6),
                    TaskSpec(emergency, "消防安全审查", 6),
                ],
            ),
        ],
        "results": [ResultSpec("建设工程规划许可证", "certificate", TYPE_CODES["建设工程规划许可证"])],
        "files": {"建设工程设计方案（总平面图、建筑单体方案）": [MaterialFile.Kind.BLANK]},
    }


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


def load_demo(*, say: Callable[[str], object]) -> str:
    """Load (idempotently) and return a one-line summary for the demo command's report."""
    departments = _departments()
    needed = [
        "吉林省市场监督管理厅",
        "长春市市场监督管理局",
        "吉林省自然资源厅",
        "吉林省住房和城乡建设厅",
        "吉林省应急管理厅",
    ]
    if any(name not in departments for name in needed):
        return "网上办事：缺少演示部门，未加载。"
    ensure_types()
    with transaction.atomic():
        food = _ensure_item(_food(departments))
        shop = _ensure_item(_shop(departments))
        planning = _ensure_item(_planning(departments))
    count = Application.objects.filter(item__in=[food, shop, planning]).count()
    if count == 0:
        try:
            with transaction.atomic():
                count = _applications(food, shop, planning)
        except ApplicationError as error:  # e.g. base records not loaded: report, don't crash the demo
            say(f"网上办事演示办件未加载：{error.message}")
            count = 0
    return f"网上办事：事项 {ServiceItem.objects.filter(state='published').count()} 个，办件 {count} 件。"
