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

from zhengwu.accounts.models import ApiClient, Department, User
from zhengwu.accounts.services import apiclient_create
from zhengwu.catalog.models import Resource
from zhengwu.core.actors import Actor
from zhengwu.exchange.demo import CLIENT_NAME as POLICE_CLIENT
from zhengwu.exchange.sharing import access_log
from zhengwu.governance import selectors
from zhengwu.governance.models import InformationSystem, SystemApiClient, ZombieCase
from zhengwu.governance.services import SystemData, system_link_client, system_register, zombie_scan

REGISTERED_DAYS_AGO = 400
UNLINKED_CLIENT = "吉林省市场监管厅数据报送接口（演示）"
LEGAL_ENTITIES, POPULATION = "法人单位基本信息", "人口基础信息"
NOT_CONNECTED = "内部办公系统，不对外提供也不使用共享数据。"

# How the platform sees each system in use: an API client with calls, its users' logins, or one of
# the three zombie patterns.
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


SYSTEMS = (
    DemoSystem(
        "bgt",
        "省政府协同办公系统",
        "协同办公",
        "公文流转、会议管理、督查督办",
        "全省政府系统",
        "intranet",
        80,
        3,
        LOGIN,
    ),
    DemoSystem(
        "bgt", "政务值班信息系统", "值班系统", "值班排班、信息报送", "省政府办公厅及各厅局", "intranet", 15, 2, LOGIN
    ),
    DemoSystem(
        "fgw",
        "投资项目在线审批监管平台",
        "投资平台",
        "项目赋码、审批、监管",
        "全省投资项目单位",
        "internet",
        120,
        3,
        API,
    ),
    DemoSystem("fgw", "价格监测系统", "价格监测", "重要商品价格采集分析", "全省价格监测点", "extranet", 18, 2, LOGIN),
    DemoSystem("kjt", "科技项目管理系统", "科技项目", "项目申报、评审、验收", "全省科研单位", "internet", 30, 2, LOGIN),
    DemoSystem(
        "gxt", "工业企业运行监测系统", "企业监测", "规上工业企业运行监测", "全省规上工业企业", "extranet", 24, 2, LOGIN
    ),
    DemoSystem("jyt", "教育管理信息系统", "教育管理", "学籍、学校、教师管理", "全省各级学校", "extranet", 95, 3, API),
    DemoSystem("jyt", "招生考试信息平台", "招考平台", "报名、考务、成绩发布", "全省考生", "internet", 60, 3, LOGIN),
    DemoSystem(
        "gat", "人口信息管理系统", "人口系统", "户籍与人口信息管理、案件协查", "全省公安机关", "intranet", 200, 3, API
    ),
    DemoSystem(
        "gat", "出入境证件办理系统", "出入境", "因私出入境证件受理审批", "全省出入境窗口", "extranet", 70, 3, API
    ),
    DemoSystem("mzt", "社会救助信息系统", "救助系统", "低保、特困人员认定", "全省民政系统", "extranet", 45, 3, API),
    DemoSystem(
        "mzt", "婚姻登记信息系统", "婚姻登记", "结婚、离婚登记", "全省婚姻登记机关", "extranet", 25, 3, LOGIN_CONNECT
    ),
    DemoSystem(
        "sft", "法律援助管理系统", "法援系统", "法律援助申请、指派", "全省法律援助机构", "extranet", 20, 2, LOGIN
    ),
    DemoSystem(
        "czt", "预算管理一体化系统", "预算一体化", "预算编制、执行、决算", "全省预算单位", "extranet", 300, 3, API
    ),
    DemoSystem(
        "rst", "社会保险信息系统", "社保系统", "参保登记、缴费、待遇发放", "全省人社系统", "extranet", 260, 3, API
    ),
    DemoSystem(
        "rst", "就业创业服务平台", "就业平台", "求职招聘、就业补贴", "全省劳动者和用人单位", "internet", 40, 2, LOGIN
    ),
    DemoSystem(
        "zrzyt", "不动产登记信息平台", "不动产", "不动产登记、查询", "全省不动产登记机构", "extranet", 150, 3, API
    ),
    DemoSystem("sthjt", "排污许可管理系统", "排污许可", "排污许可申请与核发", "全省排污单位", "internet", 35, 2, LOGIN),
    DemoSystem(
        "zjt", "工程建设项目审批管理系统", "工改系统", "施工许可、竣工验收", "全省建设单位", "internet", 85, 3, API
    ),
    DemoSystem(
        "jtt",
        "道路运输管理系统",
        "运管系统",
        "道路运输许可、从业资格",
        "全省运管机构",
        "extranet",
        55,
        3,
        LOGIN_CONNECT,
    ),
    DemoSystem("slt", "水资源监控系统", "水资源", "取水在线监测", "全省取水户", "extranet", 30, 2, LOGIN),
    DemoSystem("nynct", "农业综合执法系统", "农业执法", "农业执法办案", "全省农业执法机构", "extranet", 22, 2, LOGIN),
    DemoSystem("swt", "商务运行监测系统", "商务监测", "商贸流通统计监测", "全省商贸企业", "internet", 28, 2, LOGIN),
    DemoSystem("whlyt", "文旅公共服务平台", "文旅平台", "景区、场馆信息发布", "公众", "internet", 33, 2, LOGIN),
    DemoSystem(
        "wjw", "全民健康信息平台", "健康平台", "电子健康档案、医疗信息共享", "全省医疗机构", "extranet", 180, 3, API
    ),
    DemoSystem(
        "wjw", "出生医学证明管理系统", "出生证明", "出生医学证明签发", "全省助产机构", "extranet", 15, 3, LOGIN_CONNECT
    ),
    DemoSystem(
        "tyjrt",
        "退役军人信息管理系统",
        "退役军人",
        "退役军人信息采集",
        "全省退役军人事务机构",
        "extranet",
        26,
        2,
        LOGIN_CONNECT,
    ),
    DemoSystem(
        "yjt", "应急指挥信息系统", "应急指挥", "突发事件接报、指挥调度", "全省应急管理系统", "intranet", 150, 3, LOGIN
    ),
    DemoSystem("sjt", "审计管理系统", "审计系统", "审计项目管理", "全省审计机关", "intranet", 40, 3, LOGIN),
    DemoSystem(
        "scjgt",
        "市场主体登记系统",
        "登记系统",
        "企业设立、变更、注销登记",
        "全省市场监管登记窗口",
        "extranet",
        110,
        3,
        API,
    ),
    DemoSystem(
        "scjgt", "食品安全抽检监测系统", "抽检系统", "抽检计划与结果管理", "全省市场监管系统", "extranet", 38, 2, LOGIN
    ),
    DemoSystem("gdj", "广播电视监测系统", "广电监测", "广播电视节目监测", "全省广电机构", "intranet", 45, 2, LOGIN),
    DemoSystem("tyj", "全民健身信息服务平台", "健身平台", "场馆预约、赛事报名", "公众", "internet", 20, 2, API),
    DemoSystem(
        "tyj",
        "体育场馆预约系统（旧版）",
        "旧预约",
        "场馆预约（功能已由全民健身信息服务平台提供）",
        "公众",
        "internet",
        8,
        2,
        IDLE,
    ),
    DemoSystem("tjj", "统计联网直报平台", "联网直报", "企业统计数据报送", "全省调查单位", "internet", 75, 3, API),
    DemoSystem("tjj", "统计数据采集旧平台", "旧采集", "历史统计数据采集", "统计局内部", "extranet", 12, 2, FEW_USERS),
    DemoSystem("lcj", "林业有害生物测报系统", "测报系统", "病虫害监测预报", "全省林业站", "extranet", 0, 2, NO_OM),
    DemoSystem("lcj", "森林防火监测系统", "防火系统", "林区火情监测", "全省林业部门", "extranet", 60, 3, LOGIN),
    DemoSystem(
        "ybj", "医疗保障信息平台", "医保平台", "医保结算、基金监管", "全省定点医药机构", "extranet", 220, 3, API
    ),
    DemoSystem("nyj", "能源运行监测系统", "能源监测", "能源生产消费监测", "全省重点用能单位", "extranet", 18, 2, LOGIN),
    DemoSystem("zsj", "一体化政务服务平台", "一网通办", "政务服务事项网上办理", "公众和企业", "internet", 400, 3, API),
    DemoSystem(
        "zsj", "政务数据共享交换平台", "共享平台", "数据目录、共享交换", "全省政务部门", "extranet", 350, 3, LOGIN
    ),
)


def _officer(prefix: str) -> User | None:
    for suffix in ("systems", "leader"):
        user = User.objects.filter(username=f"{prefix}.{suffix}").select_related("department").first()
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
    sysadmin = User.objects.get(username="sysadmin")
    client, _token = apiclient_create(  # the token is not kept: the calls below are the demo's history
        actor=Actor.person(sysadmin),
        name=name,
        department=department,
        scopes=[ApiClient.Scope.EXCHANGE_QUERY],
        expires_at=timezone.now() + timedelta(days=365),
    )
    return client


def _history(client: ApiClient, serial: int, now: datetime) -> int:
    """A year of calls, a few each month, dated month by month (the last in the past week)."""
    resource = _resource(POPULATION) if client.department.name == "吉林省公安厅" else _resource(LEGAL_ENTITIES)
    written = 0
    for back in range(12):
        for call in range(2 + (serial + back) % 5):
            at = now - timedelta(days=30 * back + 1 + call, hours=serial % 9)
            access_log.append(operation="record", outcome="ok", api_client=client, resource=resource, at=at)
            written += 1
    return written


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
    calls = 0
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
                calls += _history(client, serial, now)
            elif spec.kind in (LOGIN, LOGIN_CONNECT, FEW_USERS, NO_OM):
                _logins(system, spec.prefix, spec, now)
        market = _officer("scjgt")
        if market is not None and market.department is not None:
            _client(UNLINKED_CLIENT, market.department)
    found = zombie_scan(actor=Actor.platform())
    open_cases = ZombieCase.objects.filter(state__in=ZombieCase.OPEN_STATES).count()
    total = InformationSystem.objects.count()
    return (
        f"信息系统清单：{total} 个系统（本次登记 {made} 个，写入调用记录 {calls} 条）；"
        f"月度筛查发现僵尸系统候选 {open_cases} 个（本次 {len(found)} 个）。"
    )
