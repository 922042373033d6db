"""The base catalog of the demo (基础库): the base classes with their authoritative providers,
plus a few theme and department resources, created and published through the services."""

from __future__ import annotations

from typing import Any

from zhengwu.accounts.models import Department
from zhengwu.catalog import services
from zhengwu.catalog.models import (
    CatalogClass,
    DataType,
    FormatClass,
    Resource,
    ShareMethod,
    ShareType,
    UpdateCycle,
    Zone,
)
from zhengwu.catalog.services import ItemSpec, ResourceData
from zhengwu.core.actors import Actor

# Provider keys the caller maps to departments (`providers`).
POLICE = "公安厅"
MARKET = "市场监督管理厅"
NATURAL_RESOURCES = "自然资源厅"
STATISTICS = "统计局"
DEVELOPMENT = "发展改革委"
GOV_SERVICES = "政务服务和数字化建设管理局"
HEALTH = "卫生健康委"
HR = "人力资源和社会保障厅"
PROVIDER_KEYS = (POLICE, MARKET, NATURAL_RESOURCES, STATISTICS, DEVELOPMENT, GOV_SERVICES, HEALTH, HR)

S, INT, D, DT, DTT, E = (
    DataType.STRING,
    DataType.INTEGER,
    DataType.DECIMAL,
    DataType.DATE,
    DataType.DATETIME,
    DataType.ENUM,
)


def _item(name: str, code: str, data_type: str = S, **flags: Any) -> ItemSpec:
    return ItemSpec(name=name, code=code, data_type=data_type, **flags)


def _specs() -> list[tuple[str, ResourceData, list[ItemSpec]]]:
    base, theme, dept = CatalogClass.BASE, CatalogClass.THEME, CatalogClass.DEPARTMENT
    return [
        (
            POLICE,
            ResourceData(
                catalog_class=base,
                category="1",
                item="01",
                subitem="001",
                name="人口基础信息",
                summary="全省户籍人口的公民身份号码、姓名、性别、出生日期、民族和户籍地址，由公安机关户籍管理登记产生。",
                format_class=FormatClass.DATABASE,
                share_type=ShareType.CONDITIONAL,
                share_condition="用于政务服务办理、社会保障和公共管理，须说明用途和法律依据，按最小必要原则申请信息项。",
                update_cycle=UpdateCycle.DAILY,
                key_item="id_number",
            ),
            [
                _item(
                    "公民身份号码",
                    "id_number",
                    DataType.RESIDENT_ID,
                    required=True,
                    is_personal=True,
                    is_authoritative=True,
                ),
                _item("姓名", "name", required=True, is_personal=True, is_authoritative=True, max_length=50),
                _item("性别", "gender", E, required=True, enum_values=["男", "女"]),
                _item("出生日期", "birth_date", DT, required=True),
                _item("民族", "ethnicity", max_length=20),
                _item("户籍地址", "household_address", is_personal=True, is_authoritative=True, max_length=200),
            ],
        ),
        (
            MARKET,
            ResourceData(
                catalog_class=base,
                category="1",
                item="02",
                subitem="001",
                name="法人单位基本信息",
                summary="在市场监督管理部门登记的企业、个体工商户和农民专业合作社的统一社会信用代码、名称、法定代表人、注册资本、成立日期、登记状态和住所。",
                format_class=FormatClass.DATABASE,
                share_type=ShareType.UNCONDITIONAL,
                open_to_public=True,
                open_condition="依《企业信息公示暂行条例》公示的登记信息向社会开放。",
                zone=Zone.EXTERNAL,
                update_cycle=UpdateCycle.DAILY,
                key_item="credit_code",
            ),
            [
                _item("统一社会信用代码", "credit_code", DataType.CREDIT_CODE, required=True, is_authoritative=True),
                _item("单位名称", "org_name", required=True, is_authoritative=True, max_length=200),
                _item("法定代表人", "legal_representative", required=True, is_authoritative=True, max_length=50),
                _item("注册资本（万元）", "registered_capital", D),
                _item("成立日期", "established_on", DT, required=True),
                _item("登记状态", "status", E, required=True, enum_values=["存续", "在业", "吊销", "注销"]),
                _item("住所", "address", max_length=200),
                _item("所属行政区划", "region_code", DataType.REGION_CODE, required=True),
            ],
        ),
        (
            NATURAL_RESOURCES,
            ResourceData(
                catalog_class=base,
                category="1",
                item="03",
                subitem="001",
                name="不动产登记信息",
                summary="不动产单元号、坐落、权利人、权利类型、面积和登记时间，是自然资源和空间地理基础信息的组成部分。",
                format_class=FormatClass.DATABASE,
                share_type=ShareType.CONDITIONAL,
                share_condition="限于不动产相关政务服务和司法、税务等法定职责使用。",
                update_cycle=UpdateCycle.DAILY,
                key_item="unit_number",
            ),
            [
                _item("不动产单元号", "unit_number", required=True, is_authoritative=True, max_length=28),
                _item("坐落", "location", required=True, max_length=200),
                _item("权利人", "owner_name", required=True, is_personal=True, max_length=100),
                _item(
                    "权利类型",
                    "right_type",
                    E,
                    required=True,
                    enum_values=["国有建设用地使用权", "房屋所有权", "宅基地使用权", "土地承包经营权"],
                ),
                _item("面积（平方米）", "area", D, required=True),
                _item("登记时间", "registered_at", DTT, required=True),
                _item("所在行政区划", "region_code", DataType.REGION_CODE, required=True),
            ],
        ),
        (
            STATISTICS,
            ResourceData(
                catalog_class=base,
                category="1",
                item="04",
                subitem="001",
                name="宏观经济主要指标",
                summary="全省及各市州地区生产总值、规模以上工业增加值、固定资产投资、社会消费品零售总额、居民人均可支配收入等季度指标。",
                format_class=FormatClass.SPREADSHEET,
                share_type=ShareType.UNCONDITIONAL,
                open_to_public=True,
                zone=Zone.EXTERNAL,
                update_cycle=UpdateCycle.QUARTERLY,
                key_item="record_id",
            ),
            [
                _item("记录编号", "record_id", required=True, max_length=32),
                _item("统计期", "period", required=True, max_length=7, description="如 2026Q1"),
                _item("行政区划", "region_code", DataType.REGION_CODE, required=True),
                _item(
                    "指标名称",
                    "indicator",
                    E,
                    required=True,
                    enum_values=[
                        "地区生产总值",
                        "规模以上工业增加值",
                        "固定资产投资",
                        "社会消费品零售总额",
                        "居民人均可支配收入",
                    ],
                ),
                _item("指标值", "value", D, required=True),
                _item("计量单位", "unit", max_length=20),
                _item("同比增长（%）", "growth", D),
            ],
        ),
        (
            DEVELOPMENT,
            ResourceData(
                catalog_class=base,
                category="1",
                item="05",
                subitem="001",
                name="公共信用信息",
                summary="法人和其他组织的行政许可、行政处罚、守信激励和失信惩戒名单信息，归集自各部门。",
                format_class=FormatClass.DATABASE,
                share_type=ShareType.UNCONDITIONAL,
                open_to_public=True,
                open_condition="行政许可、行政处罚信息按“双公示”要求向社会公开。",
                zone=Zone.EXTERNAL,
                update_cycle=UpdateCycle.DAILY,
                key_item="record_id",
            ),
            [
                _item("信用记录编号", "record_id", required=True, max_length=40),
                _item("主体统一社会信用代码", "subject_credit_code", DataType.CREDIT_CODE, required=True),
                _item("主体名称", "subject_name", required=True, max_length=200),
                _item(
                    "信用信息类别",
                    "category",
                    E,
                    required=True,
                    enum_values=["行政许可", "行政处罚", "守信激励", "失信惩戒"],
                ),
                _item("决定文书号", "decision_number", max_length=100),
                _item("决定日期", "decided_on", DT, required=True),
                _item("决定机关", "authority", required=True, max_length=200),
                _item("公示截止期", "disclosed_until", DT),
            ],
        ),
        (
            GOV_SERVICES,
            ResourceData(
                catalog_class=base,
                category="1",
                item="06",
                subitem="001",
                name="电子证照目录信息",
                summary="各部门签发的电子证照的证照编号、证照类型、持证主体、签发机关、有效期和状态，支撑“免证办”。",
                format_class=FormatClass.SERVICE,
                share_type=ShareType.CONDITIONAL,
                share_condition="经持证人授权或依法办理政务服务时调用。",
                update_cycle=UpdateCycle.REALTIME,
                key_item="license_number",
            ),
            [
                _item("证照编号", "license_number", required=True, is_authoritative=True, max_length=100),
                _item("证照类型", "license_type", required=True, max_length=100),
                _item("持证主体名称", "holder_name", required=True, is_personal=True, max_length=200),
                _item(
                    "持证主体代码",
                    "holder_code",
                    required=True,
                    is_personal=True,
                    max_length=18,
                    description="公民身份号码或统一社会信用代码",
                ),
                _item("签发机关", "issuer", required=True, max_length=200),
                _item("签发日期", "issued_on", DT, required=True),
                _item("有效期至", "valid_until", DT),
                _item("证照状态", "status", E, required=True, enum_values=["有效", "注销", "过期"]),
            ],
        ),
        (
            HEALTH,
            ResourceData(
                catalog_class=theme,
                category="2",
                item="02",
                subitem="001",
                name="出生医学证明信息",
                summary="新生儿姓名、性别、出生时间、出生地点、父母身份信息和出生医学证明编号，服务“出生一件事”。",
                format_class=FormatClass.DATABASE,
                share_type=ShareType.CONDITIONAL,
                share_condition="用于户口登记、医保参保、社保卡申领等“出生一件事”联办。",
                update_cycle=UpdateCycle.DAILY,
                key_item="certificate_number",
            ),
            [
                _item("出生医学证明编号", "certificate_number", required=True, is_authoritative=True, max_length=20),
                _item("新生儿姓名", "baby_name", required=True, is_personal=True, max_length=50),
                _item("新生儿性别", "baby_gender", E, required=True, enum_values=["男", "女"]),
                _item("出生时间", "born_at", DTT, required=True),
                _item("母亲身份证件号码", "mother_id_number", DataType.RESIDENT_ID, is_personal=True),
                _item("父亲身份证件号码", "father_id_number", DataType.RESIDENT_ID, is_personal=True),
                _item("签发机构", "issuer", required=True, max_length=200),
            ],
        ),
        (
            HR,
            ResourceData(
                catalog_class=theme,
                category="2",
                item="03",
                subitem="001",
                name="社会保险参保信息",
                summary="职工和城乡居民基本养老、失业、工伤保险的参保状态、参保单位和缴费起止时间。",
                format_class=FormatClass.DATABASE,
                share_type=ShareType.CONDITIONAL,
                share_condition="用于社会救助、人才引进、购房资格审核等，须本人授权或法定依据。",
                update_cycle=UpdateCycle.MONTHLY,
                key_item="record_id",
            ),
            [
                _item("参保记录编号", "record_id", required=True, max_length=32),
                _item("参保人公民身份号码", "person_id_number", DataType.RESIDENT_ID, required=True, is_personal=True),
                _item(
                    "险种",
                    "insurance_type",
                    E,
                    required=True,
                    enum_values=["企业职工基本养老保险", "城乡居民基本养老保险", "失业保险", "工伤保险"],
                ),
                _item("参保单位统一社会信用代码", "employer_credit_code", DataType.CREDIT_CODE),
                _item("参保状态", "status", E, required=True, enum_values=["正常参保", "暂停缴费", "终止参保"]),
                _item("缴费起始年月", "paid_from", DT),
                _item("缴费截止年月", "paid_until", DT),
            ],
        ),
        (
            MARKET,
            ResourceData(
                catalog_class=dept,
                category="3",
                item="01",
                subitem="001",
                name="食品经营许可信息",
                summary="食品经营许可证编号、经营者名称、经营场所、经营项目和有效期。",
                format_class=FormatClass.DATABASE,
                share_type=ShareType.UNCONDITIONAL,
                open_to_public=True,
                zone=Zone.EXTERNAL,
                update_cycle=UpdateCycle.WEEKLY,
                key_item="license_number",
                share_method=ShareMethod.API,
            ),
            [
                _item("许可证编号", "license_number", required=True, max_length=20),
                _item("经营者统一社会信用代码", "credit_code", DataType.CREDIT_CODE, required=True),
                _item("经营者名称", "operator_name", required=True, max_length=200),
                _item("经营场所", "premises", max_length=200),
                _item("经营项目", "business_scope", max_length=500),
                _item("发证日期", "issued_on", DT, required=True),
                _item("有效期至", "valid_until", DT, required=True),
            ],
        ),
        (
            POLICE,
            ResourceData(
                catalog_class=dept,
                category="3",
                item="02",
                subitem="001",
                name="机动车驾驶证信息",
                summary="驾驶证档案编号、准驾车型、初次领证日期、有效期和记分状态。",
                format_class=FormatClass.DATABASE,
                share_type=ShareType.NONE,
                no_share_basis="《中华人民共和国道路交通安全法》及公安部驾驶证管理规定，由公安交通管理部门专用。",
                update_cycle=UpdateCycle.DAILY,
                key_item="file_number",
            ),
            [
                _item("档案编号", "file_number", required=True, max_length=12),
                _item("驾驶人公民身份号码", "id_number", DataType.RESIDENT_ID, required=True, is_personal=True),
                _item("准驾车型", "vehicle_class", required=True, max_length=10),
                _item("初次领证日期", "first_issued_on", DT, required=True),
                _item("有效期至", "valid_until", DT, required=True),
                _item("累积记分", "points", INT),
            ],
        ),
    ]


def load_base_catalog(*, providers: dict[str, Department]) -> list[Resource]:
    """Create and publish the demo catalog as the platform (`Actor.platform()`). `providers` maps the keys
    in `PROVIDER_KEYS` (公安厅, 市场监督管理厅, …) to departments; resources whose provider is not
    given are skipped, and a resource already in the catalog under the same name and provider is
    kept as it is (so loading twice changes nothing)."""
    published: list[Resource] = []
    for key, data, items in _specs():
        provider = providers.get(key)
        if provider is None:
            continue
        existing = Resource.objects.filter(provider=provider, name=data.name, revision_of__isnull=True).first()
        if existing is not None:
            published.append(existing)
            continue
        resource = services.resource_create(actor=Actor.platform(), provider=provider, data=data, items=items)
        services.resource_submit(actor=Actor.platform(), resource=resource)
        services.resource_approve(actor=Actor.platform(), resource=resource, comment="基础库初始化")
        published.append(services.resource_publish(actor=Actor.platform(), resource=resource))
    return published
