"""What the catalog tests add to the one cast (zhengwu/conftest.py: `market_officer`, `police_officer`,
`egov` …): the base catalog loaded through the services, and a sample resource."""

from __future__ import annotations

from typing import Any

import pytest

from zhengwu.accounts.models import Department
from zhengwu.catalog.demo import GOV_SERVICES, MARKET, POLICE, load_base_catalog
from zhengwu.catalog.models import CatalogClass, DataType, FormatClass, Resource, ShareType, UpdateCycle, Zone
from zhengwu.catalog.services import ItemSpec, ResourceData


@pytest.fixture
def base_catalog(market_dept: Department, police_dept: Department, office_dept: Department) -> list[Resource]:
    return load_base_catalog(providers={MARKET: market_dept, POLICE: police_dept, GOV_SERVICES: office_dept})


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
