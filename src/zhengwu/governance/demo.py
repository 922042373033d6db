"""Demo data of the governance app's systems inventory, loaded by `zhengwu demo` after accounts,
the catalog, the base records and the exchange demo.

About forty systems of the provincial departments, registered through the services by each
department's 信息化管理员 (`<prefix>.systems`, else its leader) as part of last year's inventory
drive (their registration is dated 400 days back), with the platform's measured evidence of use:

- systems connected to the sharing platform have an exchange API client (the exchange demo's
  公安厅案件协查系统 where it exists, a demo client for the others) and a year of calls in the
  access log, dated month by month;
- systems used through unified identity have the department's staff as users, who logged in
  during the last weeks;
- 市场监管厅 keeps one demo client unlinked, for the README's walk-through (link it to a system).

Three systems are zombie candidates, found by the rules (the demo runs the monthly scan; nothing is
marked by hand): 体育局's old booking system (no call, no login: 无调用且无登录), 统计局's old
collection platform (one of its three users logged in: 使用人数过少) and 林草局's pest-report system
(no O&M money: 运维已停止). Idempotent: a system already registered is kept (its history is not
written twice).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from zhengwu.accounts.demo import demo_exchange_client, demo_user
from zhengwu.accounts.models import ApiClient, Department, User
from zhengwu.catalog.models import Resource
from zhengwu.core.actors import Actor
from zhengwu.core.datafiles import read_json
from zhengwu.exchange.demo import CLIENT_NAME as POLICE_CLIENT
from zhengwu.governance import selectors
from zhengwu.governance.demo_history import Call, load_history
from zhengwu.governance.models import InformationSystem, SystemApiClient, ZombieCase
from zhengwu.governance.services import SystemData, system_link_client, system_register, zombie_scan

REGISTERED_DAYS_AGO = 400
UNLINKED_CLIENT = "吉林省市场监管厅数据报送接口（演示）"
LEGAL_ENTITIES, POPULATION = "法人单位基本信息", "人口基础信息"
NOT_CONNECTED = "内部办公系统，不对外提供也不使用共享数据。"

# How the platform sees each system in use (its `kind`): an API client with calls, its users' logins,
# or one of the three zombie patterns.
API, LOGIN, LOGIN_CONNECT, IDLE, FEW_USERS, NO_OM = "api", "login", "login_connect", "idle", "few", "no_om"


@dataclass(frozen=True)
class DemoSystem:
    prefix: str
    name: str
    short: str
    functions: str
    scope: str
    zone: str
    om: int
    mlps: int
    kind: str


# The inventory's records are data (docs/architecture.md, "Inside an app"), in the order they were
# registered: the serial numbers of phones, filings and call histories follow it.
SYSTEMS = tuple(DemoSystem(**row) for row in read_json("zhengwu.governance", "demo_systems.json"))


def _officer(prefix: str) -> User | None:
    for suffix in ("systems", "leader"):
        user = demo_user(f"{prefix}.{suffix}")
        if user is not None and user.department is not None:
            return user
    return None


def _resource(name: str, department: Department | None = None) -> Resource | None:
    rows = Resource.objects.filter(name=name, state=Resource.State.PUBLISHED)
    if department is not None:
        rows = rows.filter(provider=department)
    return rows.first()


def _data(spec: DemoSystem, serial: int, department: Department, today: date) -> SystemData:
    connect = spec.kind in (API, LOGIN_CONNECT, IDLE)
    provided, used = [], []
    legal = _resource(LEGAL_ENTITIES)
    if spec.kind == API and legal is not None and legal.code:
        if legal.provider_id == department.pk:
            if not selectors.is_stale(legal.update_cycle, legal.last_loaded_at, timezone.now()):
                provided.append(legal.code)
        else:
            used.append(legal.code)
    return SystemData(
        name=spec.name,
        short_name=spec.short,
        functions=spec.functions,
        users_scope=spec.scope,
        contact_name=f"{department.short_name or department.name}信息中心",
        contact_phone=f"0431-8890{serial:04d}",
        network_zone=spec.zone,
        funding_source="fiscal" if spec.om else "self",
        approved_by="吉林省发展和改革委员会" if spec.om >= 50 else department.name,
        approved_on=date(2015 + serial % 9, 1 + serial % 12, 1 + serial % 28),
        funding_ends_on=date(today.year - 1, 12, 31) if spec.kind == NO_OM else None,
        om_cost_yearly=Decimal(spec.om),
        mlps_level=spec.mlps,
        mlps_filing_number=f"22000099{serial:03d}-{serial:05d}" if spec.mlps >= 2 else "",
        mlps_assessed_on=date(today.year - 1, 1 + serial % 12, 10) if spec.mlps >= 3 else None,
        mlps_result="pass" if spec.mlps >= 3 else "",
        should_connect=connect,
        no_connect_reason="" if connect else NOT_CONNECTED,
        resources_provided=provided,
        resources_used=used,
    )


def _client(name: str, department: Department) -> ApiClient:
    existing = ApiClient.objects.filter(name=name, department=department, revoked_at__isnull=True).first()
    if existing is not None:
        return existing
    client, _token = demo_exchange_client(name, department)  # not kept: the calls below are the demo's history
    return client


def _history(client: ApiClient, serial: int, now: datetime) -> list[Call]:
    """A year of calls, a few each month, dated month by month (the last in the past week); written
    with last year's evidence in one time order (demo_history.load_history)."""
    resource = _resource(POPULATION) if client.department.name == "吉林省公安厅" else _resource(LEGAL_ENTITIES)
    return [
        (now - timedelta(days=30 * back + 1 + call, hours=serial % 9), client, resource)
        for back in range(12)
        for call in range(2 + (serial + back) % 5)
    ]


def _logins(system: InformationSystem, prefix: str, spec: DemoSystem, now: datetime) -> None:
    """The department's staff use the system through unified identity and logged in lately; of
    统计局's old platform's three users only the leader still logs in."""
    users = list(User.objects.filter(username__in=[f"{prefix}.clerk", f"{prefix}.data", f"{prefix}.leader"]))
    system.users.add(*users)
    recent = [u.pk for u in users if spec.kind != FEW_USERS or u.username.endswith(".leader")]
    User.objects.filter(pk__in=recent).update(last_login=now - timedelta(days=3))


def load_demo(*, say: Callable[[str], object]) -> str:
    if not User.objects.filter(username="sysadmin").exists():
        return "信息系统清单：缺少系统管理员，未加载。"
    now = timezone.now()
    today = timezone.localdate()
    made = 0
    recent: list[Call] = []
    with transaction.atomic():
        for serial, spec in enumerate(SYSTEMS, start=1):
            officer = _officer(spec.prefix)
            if officer is None or officer.department is None:
                continue
            department = officer.department
            if InformationSystem.objects.filter(department=department, name=spec.name).exists():
                continue
            system = system_register(
                actor=Actor.person(officer), department=department, data=_data(spec, serial, department, today)
            )
            InformationSystem.objects.filter(pk=system.pk).update(
                created_at=now - timedelta(days=REGISTERED_DAYS_AGO)
            )  # registered in last year's inventory drive
            made += 1
            if spec.kind == API:
                name = POLICE_CLIENT if spec.prefix == "gat" and serial == 9 else f"{spec.short}接口（演示）"
                client = ApiClient.objects.filter(name=name, revoked_at__isnull=True).first() or _client(
                    name, department
                )
                if not SystemApiClient.objects.filter(api_client=client).exists():
                    system_link_client(actor=Actor.person(officer), system=system, api_client=client)
                recent += _history(client, serial, now)
            elif spec.kind in (LOGIN, LOGIN_CONNECT, FEW_USERS, NO_OM):
                _logins(system, spec.prefix, spec, now)
        market = _officer("scjgt")
        if market is not None and market.department is not None:
            _client(UNLINKED_CLIENT, market.department)
        # Last year's evidence of the published evaluation with this year's calls, oldest first.
        history = load_history(today.year - 1, recent_calls=recent)
    found = zombie_scan(actor=Actor.platform())
    open_cases = ZombieCase.objects.filter(state__in=ZombieCase.OPEN_STATES).count()
    total = InformationSystem.objects.count()
    return (
        f"信息系统清单：{total} 个系统（本次登记 {made} 个，写入调用记录 {len(recent)} 条）；"
        f"月度筛查发现僵尸系统候选 {open_cases} 个（本次 {len(found)} 个）。" + (f"{history}。" if history else "")
    )
