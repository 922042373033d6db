"""People, resources and files the store and ingest tests use (imported by test_store*/test_ingest*)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from zhengwu.accounts.models import Department, Role, User
from zhengwu.catalog.models import DataItem, DataType, Resource
from zhengwu.conftest import make_staff
from zhengwu.core.idnumbers import random_credit_code

ENTERPRISE_ITEMS: list[dict[str, Any]] = [
    {"code": "credit_code", "name": "统一社会信用代码", "data_type": DataType.CREDIT_CODE, "required": True},
    {"code": "name", "name": "单位名称", "data_type": DataType.STRING, "required": True, "max_length": 50},
    {"code": "legal_rep", "name": "法定代表人", "data_type": DataType.STRING, "is_personal": True},
    {"code": "rep_id", "name": "法定代表人身份号码", "data_type": DataType.RESIDENT_ID, "is_personal": True},
    {"code": "capital", "name": "注册资本", "data_type": DataType.DECIMAL},
    {"code": "founded", "name": "成立日期", "data_type": DataType.DATE},
    {"code": "region", "name": "住所行政区划", "data_type": DataType.REGION_CODE},
    {
        "code": "kind",
        "name": "企业类型",
        "data_type": DataType.ENUM,
        "enum_values": ["有限责任公司", "股份有限公司", "个人独资企业"],
    },
    {"code": "active", "name": "存续", "data_type": DataType.BOOLEAN},
    {"code": "staff", "name": "从业人数", "data_type": DataType.INTEGER},
    {"code": "checked_at", "name": "核查时间", "data_type": DataType.DATETIME},
]
HEADER_NAMES = [item["name"] for item in ENTERPRISE_ITEMS]
HEADER_CODES = [item["code"] for item in ENTERPRISE_ITEMS]
GOOD_ROW = [
    "91110000600037341L",
    "北京某某科技有限公司",
    "张三",
    "11010519491231002X",
    "100.50",
    "2001-02-03",
    "110105",
    "有限责任公司",
    "是",
    "12",
    "2024-05-06 07:08:09",
]


def make_resource(
    provider: Department,
    *,
    code: str = "102001/001",
    items: list[dict[str, Any]] | None = None,
    key_item: str = "credit_code",
    **fields: Any,
) -> Resource:
    defaults: dict[str, Any] = {
        "catalog_class": "base",
        "category": "1",
        "item": "02",
        "subitem": "001",
        "sequence": 1,
        "code": code,
        "name": "法人单位基本信息",
        "provider": provider,
        "provider_code": provider.credit_code,
        "summary": "法人单位登记信息",
        "format_class": "database",
        "share_type": "unconditional",
        "update_cycle": "daily",
        "key_item": key_item,
        "state": Resource.State.PUBLISHED,
        "version": 1,
    }
    defaults.update(fields)
    resource = Resource.objects.create(**defaults)
    for position, spec in enumerate(items or ENTERPRISE_ITEMS, start=1):
        DataItem.objects.create(resource=resource, position=position, **spec)
    return resource


@pytest.fixture(name="market_officer")
def market_officer_fixture(market_dept: Department) -> User:
    return make_staff("market_officer", market_dept, Role.DATA_OFFICER, name="市场监管厅数据管理员")


@pytest.fixture(name="police_officer")
def police_officer_fixture(police_dept: Department) -> User:
    return make_staff("police_officer", police_dept, Role.DATA_OFFICER, name="公安厅数据管理员")


@pytest.fixture(name="enterprises")
def enterprises_fixture(market_dept: Department) -> Resource:
    return make_resource(market_dept)


def credit_codes(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(random_credit_code(rng, prefix2="91", region_code="220102"))
    return sorted(codes)


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, encoding: str = "utf-8") -> Path:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def row_for(code: str, name: str = "某某有限公司", **changes: str) -> list[str]:
    row = dict(zip(HEADER_CODES, GOOD_ROW, strict=True))
    row.update(credit_code=code, name=name)
    row.update(changes)
    return [row[code_] for code_ in HEADER_CODES]
