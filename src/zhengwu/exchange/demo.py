"""Demo data of the exchange, loaded by `zhengwu demo` after the catalog and the base records.

Through the services, as people would do it: 省公安厅 (gat.clerk) asks for 法人单位基本信息 of
省市场监管厅 for 案件协查 (无条件共享: granted at once) and sysadmin registers its system as an API
client with scope exchange:query, so a department's system can call the query API straight
away; 省人力资源社会保障厅 (rst.clerk) asks for 人口基础信息 of 省公安厅 (有条件共享: it waits for
the provider's decision, with its 10-working-day timer). The client's token is shown only once
by the service, so the demo keeps it in DATA_DIR/demo_api_token (readable by the owner only)
and prints it on every run. Loaded once: a second run finds the requests and the client.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import transaction

from zhengwu.accounts.demo import demo_exchange_client
from zhengwu.accounts.models import ApiClient, Department, User
from zhengwu.accounts.services import apiclient_revoke
from zhengwu.catalog.models import Resource
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.env import write_private
from zhengwu.exchange.sharing import services as sharing
from zhengwu.exchange.sharing.models import ShareRequest
from zhengwu.exchange.store.tables import find_records

CLIENT_NAME = "吉林省公安厅案件协查系统（演示）"
QUERY_PURPOSE = "案件协查"


@dataclass(frozen=True)
class DemoRequest:
    clerk: str
    resource: str
    provider: str
    purpose: str
    legal_basis: str


POLICE_LAW = "《中华人民共和国人民警察法》第六条"
SOCIAL_INSURANCE_LAW = "《中华人民共和国社会保险法》第五十七条"
REQUESTS = (
    DemoRequest("gat.clerk", "法人单位基本信息", "吉林省市场监督管理厅", QUERY_PURPOSE, POLICE_LAW),
    DemoRequest("rst.clerk", "人口基础信息", "吉林省公安厅", "社会保险参保登记身份核验", SOCIAL_INSURANCE_LAW),
)


def token_path() -> Path:
    return Path(settings.DATA_DIR) / "demo_api_token"


def _resource(request: DemoRequest) -> Resource | None:
    return Resource.objects.filter(
        name=request.resource, provider__name=request.provider, state=Resource.State.PUBLISHED
    ).first()


def _ensure_request(request: DemoRequest, resource: Resource) -> ShareRequest:
    clerk = User.objects.get(username=request.clerk)
    existing = ShareRequest.objects.filter(
        consumer=clerk.department, resource=resource, purpose=request.purpose
    ).first()
    if existing is not None:
        return existing
    today = workdays.today()
    return sharing.share_request_create(
        actor=Actor.person(clerk),
        resource=resource,
        item_codes=list(resource.items.values_list("code", flat=True)),
        purpose=request.purpose,
        legal_basis=request.legal_basis,
        period_start=today,
        period_end=today + timedelta(days=365),
    )


def _ensure_client(department: Department) -> str:
    """The demo client's token: the one kept from an earlier run, or a new client's."""
    path = token_path()
    clients = ApiClient.objects.filter(name=CLIENT_NAME, revoked_at__isnull=True)
    kept = path.read_text().strip() if path.exists() else ""
    prefix = kept.split("_")[1] if kept.startswith("zw_") and kept.count("_") >= 2 else ""
    if prefix and clients.filter(token_prefix=prefix).exists():
        return kept
    sysadmin = User.objects.get(username="sysadmin")
    for client in clients:  # its token is lost: replaced, not left usable by whoever has it
        apiclient_revoke(actor=Actor.person(sysadmin), client=client)
    _client, token = demo_exchange_client(CLIENT_NAME, department)
    write_private(path, token + "\n", replace=True)
    return token


def load_demo(*, say: Callable[[str], object]) -> str:
    """Load (idempotently) and return the summary for the demo command's report (with a call to try)."""
    found = [_resource(request) for request in REQUESTS]
    resources = [resource for resource in found if resource is not None]
    clerks = User.objects.filter(username__in=[request.clerk for request in REQUESTS]).count()
    if len(resources) != len(REQUESTS) or clerks != len(REQUESTS):
        return "数据共享：缺少演示资源或部门，未加载。"
    with transaction.atomic():
        made = [_ensure_request(request, resource) for request, resource in zip(REQUESTS, resources, strict=True)]
        token = _ensure_client(made[0].consumer)
    legal = resources[0]
    records, _ = find_records(legal, {}, after=None, limit=1)
    key = records[0][legal.key_item] if records else "<统一社会信用代码>"
    states = "，".join(
        f"{share.consumer.name}申请“{share.resource.name}”（{share.get_state_display()}）" for share in made
    )
    region = records[0].get("region_code") if records else None
    base = f"http://127.0.0.1:8000{settings.MACHINE_API_PREFIX}{legal.code}/records"
    headers = f"-H 'Authorization: Bearer {token}' -H 'X-Purpose: {quote(QUERY_PURPOSE)}'"
    search = f"\n    curl {headers} \\\n      '{base}?region_code={region}'（按可查询数据项过滤）" if region else ""
    return (
        f"数据共享：{states}；接口客户端“{CLIENT_NAME}”（令牌另存于 {token_path()}），调用示例：\n"
        f"    curl {headers} \\\n      {base}/{key}{search}"
    )
