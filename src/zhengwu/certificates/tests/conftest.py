"""Certificate types, issuers and the 电子证照 base resource the certificates tests use (the people
are the cast of zhengwu/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest

from zhengwu.accounts.models import Department, User
from zhengwu.catalog.models import DataItem, DataType, Resource
from zhengwu.certificates.demo import TYPE_CODES, ensure_types
from zhengwu.certificates.models import Certificate, CertificateType
from zhengwu.certificates.services import certificate_issue
from zhengwu.conftest import COMPANY_CODE
from zhengwu.core.actors import Actor

FOOD = "食品经营许可证"
HOUSEHOLD = "居民户口簿"

FOOD_DATA = {
    "license_no": "JY12201020000001",
    "legal_representative": "赵六",
    "residence": "吉林省长春市朝阳区人民大街 1017 号",
    "premises": "吉林省长春市朝阳区人民大街 1017 号一层",
    "business_type": "食品销售经营者（商场超市）",
    "business_items": "预包装食品销售",
}
HOUSEHOLD_DATA = {
    "household_no": "220102000001",
    "household_type": "家庭户",
    "head_name": "张三",
    "relation": "户主",
    "address": "吉林省长春市南关区民康路 11 号",
}

# The items of the catalog's 电子证照目录信息 (catalog/demo.py), with the certificate number long
# enough for a GB/T 36903 identifier (70 characters; the catalog demo allows 64).
BASE_ITEMS: list[dict[str, Any]] = [
    {"code": "license_number", "name": "证照编号", "data_type": DataType.STRING, "required": True, "max_length": 128},
    {"code": "license_type", "name": "证照类型", "data_type": DataType.STRING, "required": True, "max_length": 100},
    {
        "code": "holder_name",
        "name": "持证主体名称",
        "data_type": DataType.STRING,
        "required": True,
        "is_personal": True,
    },
    {
        "code": "holder_code",
        "name": "持证主体代码",
        "data_type": DataType.STRING,
        "required": True,
        "is_personal": True,
    },
    {"code": "issuer", "name": "签发机关", "data_type": DataType.STRING, "required": True},
    {"code": "issued_on", "name": "签发日期", "data_type": DataType.DATE, "required": True},
    {"code": "valid_until", "name": "有效期至", "data_type": DataType.DATE},
    {
        "code": "status",
        "name": "证照状态",
        "data_type": DataType.ENUM,
        "required": True,
        "enum_values": ["有效", "注销", "过期"],
    },
]


def make_base_resource(provider: Department, *, number_length: int = 128) -> Resource:
    resource = Resource.objects.create(
        catalog_class="base",
        category="1",
        item="06",
        subitem="001",
        sequence=1,
        code="101006/001",
        name="电子证照目录信息",
        provider=provider,
        provider_code=provider.credit_code,
        summary="各部门签发的电子证照",
        format_class="service",
        share_type="conditional",
        share_condition="经持证人授权或依法办理政务服务时调用。",
        update_cycle="realtime",
        key_item="license_number",
        state=Resource.State.PUBLISHED,
        version=1,
    )
    for position, spec in enumerate(BASE_ITEMS, start=1):
        values = dict(spec)
        if values["code"] == "license_number":
            values["max_length"] = number_length
        DataItem.objects.create(resource=resource, position=position, **values)
    return resource


@pytest.fixture(autouse=True)
def _workbench_mounted(settings: Any) -> None:
    """The certificates workbench as the lead mounts it (see tests/urls.py)."""
    settings.ROOT_URLCONF = "zhengwu.certificates.tests.urls"


@pytest.fixture
def types(db: Any) -> dict[str, CertificateType]:
    return {t.name: t for t in ensure_types()}


@pytest.fixture
def base_resource(office_dept: Department) -> Resource:
    return make_base_resource(office_dept)


@pytest.fixture
def food_licence(types: Any, market_dept: Department, market_clerk: User, company: User) -> Certificate:
    return certificate_issue(
        actor=Actor.person(market_clerk),
        department=market_dept,
        certificate_type=TYPE_CODES[FOOD],
        holder_name=company.enterprise_name,
        holder_credit_code=COMPANY_CODE,
        data=FOOD_DATA,
        valid_until=None,
        source_label="办件 XK-2026-000001",
    )


@pytest.fixture
def household_book(types: Any, police_dept: Department, citizen: User) -> Certificate:
    return certificate_issue(
        actor=Actor.platform(),
        department=police_dept,
        certificate_type=types[HOUSEHOLD],
        holder_name=citizen.real_name,
        holder_id_number=citizen.id_number,
        data=HOUSEHOLD_DATA,
        valid_until=None,
    )
