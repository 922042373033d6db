"""Resources of the portal tests, made through the catalog's own services (so the search index is
filled as on a real publication) and loaded through the exchange's ingest (so rows are in the store).

- 特种设备使用登记信息 of 市场监管厅: published, 向社会开放 without condition (无条件开放), 政务外网;
  one personal item (使用单位联系人) that open data must leave out; three rows.
- 特种设备检验机构信息: published, open under a condition (有条件开放).
- 特种设备内部核查信息: published and marked open, but on the 政务内网 — never open data.
- 特种设备草稿台账: a draft — never found.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from zhengwu.accounts.models import Department
from zhengwu.catalog import services as catalog_services
from zhengwu.catalog.models import CatalogClass, DataType, FormatClass, Resource, ShareType, UpdateCycle, Zone
from zhengwu.catalog.services import ItemSpec, ResourceData
from zhengwu.core.actors import Actor
from zhengwu.exchange.store.ingest import ingest_file

ITEMS = [
    ItemSpec(name="使用登记证编号", code="certificate_number", data_type=DataType.STRING, required=True),
    ItemSpec(name="使用单位名称", code="user_name", data_type=DataType.STRING, required=True),
    ItemSpec(name="使用单位联系人", code="contact_person", data_type=DataType.STRING, is_personal=True),
    ItemSpec(name="设备类别", code="category", data_type=DataType.ENUM, enum_values=["电梯", "锅炉", "压力容器"]),
    ItemSpec(name="登记日期", code="registered_on", data_type=DataType.DATE),
    ItemSpec(name="额定载荷", code="load_kg", data_type=DataType.INTEGER),
]
HEADER = [item.name for item in ITEMS]
ROWS = [
    ["TS-0001", "长春市第一百货有限公司", "王小明", "电梯", "2024-01-05", "1000"],
    ["TS-0002", "吉林化纤集团有限责任公司", "李大力", "锅炉", "2023-07-19", ""],
    ["TS-0003", "四平市中心医院", "赵晓丽", "压力容器", "2025-03-01", "250"],
]


def publish(provider: Department, *, subitem: str, name: str, draft: bool = False, **changes: Any) -> Resource:
    values: dict[str, Any] = {
        "catalog_class": CatalogClass.DEPARTMENT,
        "category": "3",
        "item": "01",
        "subitem": subitem,
        "name": name,
        "summary": f"{name}：电梯、锅炉、压力容器等特种设备的使用登记。",
        "format_class": FormatClass.DATABASE,
        "share_type": ShareType.UNCONDITIONAL,
        "update_cycle": UpdateCycle.WEEKLY,
        "zone": Zone.EXTERNAL,
        "open_to_public": True,
        "key_item": "certificate_number",
    }
    values.update(changes)
    resource = catalog_services.resource_create(
        actor=Actor.platform(), provider=provider, data=ResourceData(**values), items=ITEMS
    )
    if draft:
        return resource
    catalog_services.resource_submit(actor=Actor.platform(), resource=resource)
    catalog_services.resource_approve(actor=Actor.platform(), resource=resource, comment="测试")
    return catalog_services.resource_publish(actor=Actor.platform(), resource=resource)


def load_rows(resource: Resource, tmp_path: Path, rows: list[list[str]] = ROWS) -> None:
    path = tmp_path / f"rows-{resource.pk}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    result = ingest_file(actor=Actor.platform(), resource=resource, path=path)
    assert result.ok, (result.message, result.errors[:3])


@pytest.fixture
def open_resource(market_dept: Department, tmp_path: Path) -> Resource:
    resource = publish(market_dept, subitem="002", name="特种设备使用登记信息")
    load_rows(resource, tmp_path)
    return resource


@pytest.fixture
def conditional_resource(market_dept: Department, tmp_path: Path) -> Resource:
    resource = publish(
        market_dept, subitem="003", name="特种设备检验机构信息", open_condition="仅用于科研和公益用途，须注明数据来源。"
    )
    load_rows(resource, tmp_path)
    return resource


@pytest.fixture
def internal_resource(market_dept: Department, tmp_path: Path) -> Resource:
    resource = publish(market_dept, subitem="004", name="特种设备内部核查信息", zone=Zone.INTERNAL)
    load_rows(resource, tmp_path)
    return resource


@pytest.fixture
def draft_resource(market_dept: Department) -> Resource:
    return publish(market_dept, subitem="005", name="特种设备草稿台账", draft=True)


@pytest.fixture(autouse=True)
def _fresh_page_cache() -> None:
    """Each test starts with an empty page cache (tests turn it on where they need it)."""
    from django.core.cache import cache

    cache.clear()


def _publication(department: Department, title: str, *, publish_it: bool = True, category: str = "policy") -> Any:
    from zhengwu.core.actors import Actor
    from zhengwu.disclosure import services

    data = services.PublicationData(
        title=title, category=category, date_written=date(2026, 3, 1), body=f"{title}。正文。"
    )
    publication = services.publication_create(actor=Actor.platform(), department=department, data=data)
    return services.publication_publish(actor=Actor.platform(), publication=publication) if publish_it else publication


def _service(department: Department, name: str, code: str, *, publish_it: bool = True) -> Any:
    from zhengwu.core.actors import Actor
    from zhengwu.eservices import services
    from zhengwu.eservices.models import Audience, ItemType

    data = services.ItemData(
        name=name,
        basic_code="000117003000",
        impl_code=code,
        item_type=ItemType.LICENSE,
        case_prefix="TEST",
        basis="《中华人民共和国行政许可法》",
        audience=Audience.BOTH,
        conditions="符合法定条件。",
        legal_limit=20,
        promised_limit=5,
        visits=0,
    )
    stages = [services.StageSpec(name="审查", tasks=[services.TaskSpec(department, "审查", 3)])]
    item = services.item_create(actor=Actor.platform(), department=department, data=data, stages=stages)
    return services.item_publish(actor=Actor.platform(), item=item) if publish_it else item


def _letter(department: Department, office: Department, number: str, title: str, reply: str, **extra: Any) -> Any:
    from django.utils import timezone

    from zhengwu.participation.models import Channel, Letter, LetterKind

    values: dict[str, Any] = {
        "number": number,
        "code_hash": "0" * 64,
        "channel": Channel.MAYOR,
        "kind": LetterKind.CONSULT,
        "title": title,
        "content": f"{title}？",
        "consent_publish": True,
        "state": Letter.State.COMPLETED,
        "office": office,
        "department": department,
        "reply": reply,
        "replied_at": timezone.now(),
        "completed_at": timezone.now(),
        "published_at": timezone.now(),
        "public_title": title,
        "public_content": f"{title}？",
        "public_reply": reply,
    }
    values.update(extra)
    return Letter.objects.create(**values)


@pytest.fixture
def apps_content(market_dept: Department, police_dept: Department, sys_admin: Any) -> dict[str, Any]:
    """What the domain apps publish, of two departments, stored as the apps store it:
    two publications, a draft and a withdrawn one; two published service items and a draft;
    an open consultation, a closed one and an open survey; two published letter replies and one
    letter whose writer did not consent."""
    from datetime import timedelta

    from zhengwu.core import workdays
    from zhengwu.core.actors import Actor
    from zhengwu.disclosure import services as disclosure_services
    from zhengwu.participation.models import Consultation, Survey

    today = workdays.today()
    _publication(market_dept, "关于开展特种设备安全大检查的通知")
    _publication(police_dept, "户籍业务调整公告")
    _publication(market_dept, "草稿：特种设备收费调整", publish_it=False)
    withdrawn = _publication(market_dept, "已撤回的特种设备旧通知")
    disclosure_services.publication_withdraw(actor=Actor.platform(), publication=withdrawn, reason="已过时")
    _service(market_dept, "企业开办一件事", "11220000TEST00001")
    _service(police_dept, "居民身份证换领", "11220000TEST00002")
    _service(market_dept, "草稿事项不应出现", "11220000TEST00003", publish_it=False)
    Consultation.objects.create(
        title="《吉林省数据条例（草案）》公开征求意见", department=market_dept, state=Consultation.State.PUBLISHED,
        opens_on=today - timedelta(days=3), closes_on=today + timedelta(days=20), created_by=sys_admin,
    )  # fmt: skip
    Consultation.objects.create(
        title="已结束的征求意见", department=market_dept, state=Consultation.State.PUBLISHED,
        opens_on=today - timedelta(days=40), closes_on=today - timedelta(days=10), created_by=sys_admin,
    )  # fmt: skip
    Survey.objects.create(
        title="政务服务满意度调查", department=police_dept, state=Survey.State.OPEN,
        opens_on=today - timedelta(days=1), closes_on=today + timedelta(days=5), created_by=sys_admin,
    )  # fmt: skip
    _letter(market_dept, market_dept, "XJ20260001", "关于电梯年检收费的咨询", "年检收费按省定标准执行。")
    _letter(police_dept, police_dept, "XJ20260002", "关于落户材料的咨询", "请携带户口簿和身份证原件。")
    _letter(market_dept, market_dept, "XJ20260003", "未同意公开的来信", "已答复。", consent_publish=False,
            published_at=None)  # fmt: skip
    return {"market": market_dept, "police": police_dept}
