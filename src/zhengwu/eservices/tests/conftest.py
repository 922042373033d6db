"""What the eservices tests add to the one cast (src/zhengwu/conftest.py): base data and items.

- 市场监督管理厅 (`market_dept`) runs the items; its window clerks are the cast's `market_clerk`
  and, here, a second one `market_clerk2` (钱科员).
- 自然资源厅 and 住房和城乡建设厅 (`nature_dept`, `housing_dept`) review in parallel in the second
  stage; their clerks `nature_clerk` and `housing_clerk` are this app's own.
- 公安厅 (`police_clerk`) has nothing to do with the items: the "other department".
- The base catalog (人口 101001/001 by 公安厅, 法人 102001/001 by 市场监管厅) holds the citizen 张三
  and the enterprise of `company` (长春市春城食品有限公司), so their forms are pre-filled and
  materials fetched.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from zhengwu.accounts.models import Department, Role, User
from zhengwu.catalog.demo import GOV_SERVICES, MARKET, POLICE, load_base_catalog
from zhengwu.catalog.models import DataType, Resource
from zhengwu.conftest import COMPANY_CODE, make_staff
from zhengwu.core.actors import Actor
from zhengwu.eservices import services
from zhengwu.eservices.models import Audience, ItemType, MaterialSource, ServiceItem
from zhengwu.exchange.store import tables as store

CITIZEN_ID = "11010519491231002X"
COMPANY_NAME = "长春市春城食品有限公司"  # the enterprise of the cast's `company` (王五)
PDF = b"%PDF-1.4\n% test material\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _load(resource: Resource, rows: list[dict[str, Any]]) -> None:
    spec = store.table_spec(resource)
    columns = list(rows[0])
    with transaction.atomic():
        writer = store.TableWriter(resource, mode="upsert", columns=columns)
        for row in rows:
            writer.add(tuple(spec.db_converter(c)(str(row[c])) for c in columns))
        writer.finish()


@pytest.fixture
def market_clerk2(market_dept: Department) -> User:
    return make_staff("market_clerk2", market_dept, Role.CLERK, name="市场监管厅钱科员")


@pytest.fixture
def nature_clerk(nature_dept: Department) -> User:
    return make_staff("nature_clerk", nature_dept, Role.CLERK, name="自然资源厅孙科员")


@pytest.fixture
def housing_clerk(housing_dept: Department) -> User:
    return make_staff("housing_clerk", housing_dept, Role.CLERK, name="住建厅周科员")


@pytest.fixture
def bases(market_dept: Department, police_dept: Department, office_dept: Department) -> dict[str, Resource]:
    published = load_base_catalog(providers={MARKET: market_dept, POLICE: police_dept, GOV_SERVICES: office_dept})
    by_code = {r.code: r for r in published}
    person, legal = by_code[services.PERSON_BASE], by_code[services.LEGAL_BASE]
    _load(
        person,
        [
            {
                "id_number": CITIZEN_ID,
                "name": "张三",
                "gender": "女",
                "birth_date": "1949-12-31",
                "ethnicity": "汉族",
                "household_address": "北京市西城区某街道1号",
            }
        ],
    )
    _load(
        legal,
        [
            {
                "credit_code": COMPANY_CODE,
                "org_name": COMPANY_NAME,
                "legal_representative": "王五",
                "registered_capital": "100",
                "established_on": "2010-05-01",
                "status": "存续",
                "address": "长春市南关区某路2号",
                "region_code": "220102",
            }
        ],
    )
    return {"person": person, "legal": legal}


def item_data(**changes: Any) -> services.ItemData:
    values: dict[str, Any] = {
        "name": "建设工程规划许可证核发",
        "basic_code": "000117003000",
        "impl_code": "11220000013544357T4XK00201",
        "item_type": ItemType.LICENSE,
        "case_prefix": "SCJG",
        "basis": "《中华人民共和国城乡规划法》第四十条",
        "audience": Audience.BOTH,
        "conditions": "建设项目符合控制性详细规划和规划条件。",
        "legal_limit": 20,
        "promised_limit": 10,
        "visits": 0,
    }
    values.update(changes)
    return services.ItemData(**values)


def make_item(
    market_dept: Department, nature_dept: Department, housing_dept: Department, *, publish: bool = True, **changes: Any
) -> ServiceItem:
    """Two stages: 市场监管厅 first (5 days), then 自然资源厅 and 住建厅 in parallel (3 days each)."""
    item = services.item_create(
        actor=Actor.platform(),
        department=market_dept,
        data=item_data(**changes),
        materials=[
            services.MaterialSpec(
                name="申请人身份证明", source=MaterialSource.BASE, base_resource_code=services.PERSON_BASE
            ),
            services.MaterialSpec(name="建设工程设计方案", source=MaterialSource.APPLICANT),
            services.MaterialSpec(name="授权委托书", source=MaterialSource.APPLICANT, required=False),
        ],
        fields=[
            services.FieldSpec(code="applicant_name", label="申请人姓名", required=True, prefill="person:name"),
            services.FieldSpec(code="project", label="项目名称", required=True, max_length=100),
            services.FieldSpec(code="area", label="建筑面积（平方米）", data_type=DataType.DECIMAL, required=True),
            services.FieldSpec(code="use", label="用途", data_type=DataType.ENUM, enum_values=["住宅", "商业"]),
        ],
        stages=[
            services.StageSpec(name="受理审查", tasks=[services.TaskSpec(market_dept, "规划条件核对", 5)]),
            services.StageSpec(
                name="并联审查",
                tasks=[
                    services.TaskSpec(nature_dept, "用地审查", 3),
                    services.TaskSpec(housing_dept, "设计方案审查", 3),
                ],
            ),
        ],
        results=[services.ResultSpec(name="建设工程规划许可证", kind="approval")],
    )
    if publish:
        item = services.item_publish(actor=Actor.platform(), item=item)
    return item


@pytest.fixture
def item(market_dept: Department, nature_dept: Department, housing_dept: Department, bases: Any) -> ServiceItem:
    return make_item(market_dept, nature_dept, housing_dept)


GOOD_FORM = {"project": "长春市某小区 3 号楼", "area": "1200.5", "use": "住宅"}


def upload(name: str = "方案.pdf", content: bytes = PDF) -> services.Upload:
    return services.Upload(name=name, content=content)
