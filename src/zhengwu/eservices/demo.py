"""Demo data of the eservices app, loaded by `zhengwu demo` after accounts, catalog and base records.

Three published items with real-looking guides — 食品经营许可 (省市场监督管理厅), 个体工商户设立登记
(长春市市场监督管理局) and 建设工程规划许可 (省自然资源厅, with 自然资源厅, 住房和城乡建设厅 and 应急管理厅
reviewing in parallel in one stage) — and applications of the demo citizens and companies in
every state, so the window, the tasks, the supervision dashboards and the rating statistics have
data. Everything goes through the services (audited, timed). Idempotent: items are looked up by
实施编码 and the applications are only created when none of the demo items has any yet.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from django.db import transaction

from zhengwu.accounts.models import Department, Region, User
from zhengwu.catalog.models import DataType
from zhengwu.certificates.demo import TYPE_CODES, ensure_types
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.eservices import services
from zhengwu.eservices.blank_forms import form_pdf
from zhengwu.eservices.models import (
    Application,
    Audience,
    Bundle,
    BundleCase,
    HandlingForm,
    ItemType,
    MaterialFile,
    ServiceItem,
)
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


CATERING, BIRTH, HUKOU, INSURANCE = (
    "11220000MB0135023X4XK00102",
    "11220000MB0135045K4GG00101",
    "11220100MB0135061C4QR00101",
    "11220000MB0135078E4GG00101",
)
BABY_FIELDS = [
    FieldSpec("baby_name", "新生儿姓名", required=True, max_length=20),
    FieldSpec("baby_sex", "新生儿性别", DataType.ENUM, required=True, enum_values=["男", "女"]),
    FieldSpec("birth_date", "出生日期", DataType.DATE, required=True),
    FieldSpec("guardian", "监护人（申请人）", required=True, prefill="person:name"),
]


def _catering(d: dict[str, Department]) -> dict[str, Any]:
    market = d["吉林省市场监督管理厅"]
    return {
        "department": market,
        "data": ItemData(
            name="食品经营许可（餐饮服务）",
            basic_code="000135001000",
            impl_code=CATERING,
            item_type=ItemType.LICENSE,
            case_prefix="SCCY",
            basis="《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）",
            audience=Audience.PERSON,
            conditions="个体工商户从事餐饮服务：有与经营的食品品种、数量相适应的加工经营场所和设备；有食品安全管理人员。",
            level=ServiceItem.Level.PROVINCE,
            process="网上申请 → 审查（必要时现场核查）→ 决定 → 电子证照送达",
            handling_forms=[HandlingForm.ONLINE, HandlingForm.WINDOW],
            legal_limit=10,
            promised_limit=5,
            place_time="吉林省政务服务中心市场监管窗口（长春市南关区人民大街 3000 号），工作日 9:00–17:00；全程网办",
            consult="0431-12345",
            complaint="0431-12315",
        ),
        "materials": [
            MaterialSpec(name="经营者身份证明", source="base", base_resource_code=services.PERSON_BASE),
            MaterialSpec(name="经营场所使用证明", notes="房产证明或租赁合同"),
            MaterialSpec(name="食品安全管理制度文本"),
        ],
        "fields": [
            FieldSpec("operator", "经营者", required=True, prefill="person:name"),
            FieldSpec("premises", "经营场所", required=True, max_length=200),
            FieldSpec("business_items", "经营项目", required=True, max_length=500),
        ],
        "stages": [StageSpec("审查", [TaskSpec(market, "食品经营许可审查", 4)])],
        "files": {"食品安全管理制度文本": [MaterialFile.Kind.BLANK, MaterialFile.Kind.SAMPLE]},
        "results": [ResultSpec("食品经营许可证", "certificate", TYPE_CODES["食品经营许可证"])],
    }


def _birth(d: dict[str, Department]) -> dict[str, Any]:
    health = d["吉林省卫生健康委员会"]
    return {
        "department": health,
        "data": ItemData(
            name="出生医学证明首次签发",
            basic_code="000145001000",
            impl_code=BIRTH,
            item_type=ItemType.PUBLIC,
            case_prefix="WJCS",
            basis="《中华人民共和国母婴保健法》第二十三条；《中华人民共和国母婴保健法实施办法》第二十四条",
            audience=Audience.PERSON,
            conditions="在本省依法取得助产技术服务资质的医疗保健机构内出生的新生儿。",
            process="网上申请 → 助产机构核对分娩记录 → 签发 → 领取或邮寄",
            handling_forms=[HandlingForm.ONLINE, HandlingForm.WINDOW],
            legal_limit=5,
            promised_limit=2,
            place_time="新生儿出生的助产机构出生医学证明签发窗口，工作日 8:30–16:30；可网上申请",
            consult="0431-12345；0431-12320（卫生健康热线）",
            complaint="0431-12345",
        ),
        "materials": [
            MaterialSpec(name="父母身份证明", source="base", base_resource_code=services.PERSON_BASE),
            MaterialSpec(name="住院分娩记录", notes="助产机构出具的分娩记录或出院小结"),
        ],
        "fields": [*BABY_FIELDS, FieldSpec("birth_place", "出生地点（医疗机构）", required=True, max_length=100)],
        "stages": [StageSpec("签发", [TaskSpec(health, "出生医学证明签发", 2)])],
        "files": {"住院分娩记录": [MaterialFile.Kind.SAMPLE]},
        "results": [ResultSpec("出生医学证明", "approval")],
    }


def _hukou(d: dict[str, Department]) -> dict[str, Any]:
    police = d["长春市公安局"]
    return {
        "department": police,
        "data": ItemData(
            name="出生户口登记",
            basic_code="000104001000",
            impl_code=HUKOU,
            item_type=ItemType.CONFIRMATION,
            case_prefix="CCHK",
            basis="《中华人民共和国户口登记条例》第七条",
            audience=Audience.PERSON,
            conditions="婴儿出生后一个月以内，由户主、亲属、抚养人或者邻居向婴儿常住地户口登记机关申报出生登记。",
            level=ServiceItem.Level.COUNTY,
            process="网上申请 → 派出所审核 → 登记 → 户口簿邮寄或领取",
            handling_forms=[HandlingForm.ONLINE, HandlingForm.WINDOW, HandlingForm.MAIL],
            legal_limit=5,
            promised_limit=3,
            place_time="长春市朝阳区常住地派出所户籍窗口，工作日 8:30–17:00；可网上申请",
            consult="0431-110（非紧急）；0431-12345",
            complaint="0431-12389",
        ),
        "materials": [
            MaterialSpec(name="父母身份证明", source="base", base_resource_code=services.PERSON_BASE),
            MaterialSpec(name="住院分娩记录", notes="与出生医学证明共用，只传一次"),
            MaterialSpec(name="父母结婚证", required=False),
        ],
        "fields": [*BABY_FIELDS, FieldSpec("hukou_address", "户口登记地址", required=True, max_length=200)],
        "stages": [StageSpec("审核登记", [TaskSpec(police, "出生登记审核", 3)])],
        "results": [ResultSpec("居民户口簿（出生登记页）", "approval")],
    }


def _insurance(d: dict[str, Department]) -> dict[str, Any]:
    medical = d["吉林省医疗保障局"]
    return {
        "department": medical,
        "data": ItemData(
            name="城乡居民基本医疗保险参保登记（新生儿）",
            basic_code="000153001000",
            impl_code=INSURANCE,
            item_type=ItemType.PUBLIC,
            case_prefix="YBCB",
            basis="《中华人民共和国社会保险法》第二十五条；《国务院关于整合城乡居民基本医疗保险制度的意见》（国发〔2016〕3号）",
            audience=Audience.PERSON,
            conditions="本省户籍或居住的新生儿，出生后可随时参保，出生当年参保的自出生之日起享受待遇。",
            process="网上申请 → 医保经办机构登记 → 参保成功，电子医保凭证可用",
            handling_forms=[HandlingForm.ONLINE, HandlingForm.WINDOW],
            legal_limit=5,
            promised_limit=1,
            place_time="各级医疗保障经办机构服务窗口，工作日 8:30–16:30；全程网办",
            consult="0431-12393（医保服务热线）",
            complaint="0431-12345",
            charged=True,
            fee_table="新生儿出生当年的城乡居民医保个人缴费按当年标准缴纳（2026 年度 400 元/人）。",
        ),
        "materials": [MaterialSpec(name="父母身份证明", source="base", base_resource_code=services.PERSON_BASE)],
        "fields": [*BABY_FIELDS, FieldSpec("insured_place", "参保地", required=True, max_length=100)],
        "stages": [StageSpec("参保登记", [TaskSpec(medical, "参保登记", 1)])],
        "results": [ResultSpec("参保登记凭证", "approval")],
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


# 主题, 所属区划, 收费依据, 常见问题 and 救济途径 of the demo's items, by 实施编码.
GUIDES: dict[str, dict[str, Any]] = {
    FOOD: {
        "themes": ["准营准办"],
        "region": "220000",
        "fee_basis": "依据《食品经营许可和备案管理办法》，核发食品经营许可证不收取任何费用。",
        "faq": [
            (
                "已经有营业执照，还要办食品经营许可吗？",
                "从事食品销售和餐饮服务的，除仅销售预包装食品备案外，都须取得食品经营许可。",
            ),
            ("许可证有效期多长？", "5 年；有效期届满需继续经营的，应在届满前 90 个工作日至 15 个工作日期间申请延续。"),
        ],
    },
    CATERING: {
        "themes": ["准营准办", "就业创业"],
        "region": "220000",
        "fee_basis": "依据《食品经营许可和备案管理办法》，不收费。",
        "faq": [
            (
                "小餐饮和餐饮服务许可有什么区别？",
                "按《吉林省食品小作坊小餐饮和食品摊贩管理条例》，小餐饮实行登记管理；其余餐饮服务须取得食品经营许可。",
            )
        ],
    },
    SHOP: {
        "themes": ["设立变更", "就业创业", "准营准办"],
        "region": "220100",
        "fee_basis": "依据《促进个体工商户发展条例》，登记不收费。",
        "faq": [
            ("个体工商户可以起字号吗？", "可以，也可以不起字号；起字号的应符合名称登记管理的规定。"),
            ("经营范围怎么写？", "按《经营范围登记规范表述目录》选择规范条目，不必自行撰写。"),
        ],
    },
    PLANNING: {
        "themes": ["国土和规划建设", "投资审批"],
        "region": "220000",
        "fee_basis": "依据《城乡规划法》，核发规划许可不收费。",
        "faq": [("设计方案需要批前公示吗？", "需要；公示期不计入办理时限（特别程序）。")],
    },
    BIRTH: {
        "themes": ["生育收养", "医疗卫生"],
        "region": "220000",
        "fee_basis": "出生医学证明首次签发不收费（《关于进一步加强出生医学证明管理的通知》）。",
        "faq": [
            ("出生医学证明丢了能补吗？", "可以向原签发机构申请补发，需提供户口簿等材料。"),
            ("新生儿还没起名字可以先办吗？", "不可以；出生医学证明须填写新生儿姓名，一经签发不得随意更改。"),
        ],
    },
    HUKOU: {
        "themes": ["户籍办理", "生育收养"],
        "region": "220104",
        "fee_basis": "户口登记不收费。",
        "faq": [("出生超过一个月还能登记吗？", "可以，但应说明原因；超过 1 年的须补充相关证明。")],
        "review_body": "长春市人民政府（对长春市公安局作出的行政行为不服）",
        "litigation_court": "长春市朝阳区人民法院",
    },
    INSURANCE: {
        "themes": ["社会保障", "医疗卫生", "生育收养"],
        "region": "220000",
        "fee_basis": "《中华人民共和国社会保险法》第二十五条；省医保局当年度城乡居民医保个人缴费标准的通知。",
        "faq": [("新生儿什么时候参保最好？", "出生当年参保、缴费的，自出生之日起享受医保待遇，请尽早办理。")],
    },
}


def _ensure_guide(item: ServiceItem) -> None:
    """主题, 区划, 收费依据, 常见问题, 救济途径 and the 结果样本 (once: kept when already set)."""
    spec = GUIDES.get(item.impl_code)
    if spec is None or item.themes.exists():
        return
    extras = services.GuideExtras(
        themes=spec["themes"],
        region=Region.objects.filter(code=spec["region"]).first(),
        fee_basis=spec["fee_basis"],
        faq=spec["faq"],
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
    needed = [
        "吉林省市场监督管理厅",
        "长春市市场监督管理局",
        "吉林省自然资源厅",
        "吉林省住房和城乡建设厅",
        "吉林省应急管理厅",
        "吉林省卫生健康委员会",
        "长春市公安局",
        "吉林省医疗保障局",
    ]
    if any(name not in departments for name in needed):
        return "网上办事：缺少演示部门，未加载。"
    ensure_types()
    with transaction.atomic():
        food = _ensure_item(_food(departments))
        shop = _ensure_item(_shop(departments))
        planning = _ensure_item(_planning(departments))
        for make in (_catering, _birth, _hukou, _insurance):
            _ensure_item(make(departments))
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
