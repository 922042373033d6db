"""People of the catalog tests: the data officers of 市场监管厅 and 公安厅, the e-government
office (电子政务办) of the 政务服务和数字化建设管理局, and the base catalog loaded through the services."""

from __future__ import annotations

from typing import Any

import pytest

from zhengwu.accounts.models import Department, Region, Role, User
from zhengwu.catalog.demo import GOV_SERVICES, MARKET, POLICE, load_base_catalog
from zhengwu.catalog.models import CatalogClass, DataType, FormatClass, Resource, ShareType, UpdateCycle, Zone
from zhengwu.catalog.services import ItemSpec, ResourceData
from zhengwu.conftest import _department, make_staff


@pytest.fixture
def gov_services_dept(jilin: Region) -> Department:
    return _department(jilin, "吉林省政务服务和数字化建设管理局", "11220000013500303D")


@pytest.fixture
def market_officer(market_dept: Department) -> User:
    return make_staff("market_data", market_dept, Role.DATA_OFFICER, name="市场监管厅数据管理员赵")


@pytest.fixture
def police_officer(police_dept: Department) -> User:
    return make_staff("police_data", police_dept, Role.DATA_OFFICER, name="公安厅数据管理员钱")


@pytest.fixture
def egov(gov_services_dept: Department) -> User:
    return make_staff("zsj_egov", gov_services_dept, Role.EGOV_OFFICE, name="电子政务办孙主任")


@pytest.fixture
def base_catalog(market_dept: Department, police_dept: Department, gov_services_dept: Department) -> list[Resource]:
    return load_base_catalog(providers={MARKET: market_dept, POLICE: police_dept, GOV_SERVICES: gov_services_dept})


def license_data(**changes: Any) -> ResourceData:
    """A department resource of 市场监管厅: 特种设备使用登记信息."""
    values: dict[str, Any] = {
        "catalog_class": CatalogClass.DEPARTMENT,
        "category": "3",
        "item": "01",
        "subitem": "002",
        "name": "特种设备使用登记信息",
        "summary": "电梯、锅炉、压力容器等特种设备的使用登记证编号、使用单位和设备类别。",
        "format_class": FormatClass.DATABASE,
        "share_type": ShareType.UNCONDITIONAL,
        "update_cycle": UpdateCycle.WEEKLY,
        "zone": Zone.EXTERNAL,
        "open_to_public": True,
        "key_item": "certificate_number",
    }
    values.update(changes)
    return ResourceData(**values)


def license_items() -> list[ItemSpec]:
    return [
        ItemSpec(name="使用登记证编号", code="certificate_number", data_type=DataType.STRING, required=True),
        ItemSpec(name="使用单位名称", code="user_name", data_type=DataType.STRING, required=True),
        ItemSpec(name="设备类别", code="category", data_type=DataType.ENUM, enum_values=["电梯", "锅炉", "压力容器"]),
    ]
