"""Demo data of the response half (`zhengwu demo`, after the incident half made its incidents):

- the 防汛 plan (吉林省防汛抗旱应急预案, two versions; the second gives the Ⅲ级 departments 4 hours to
  到达/反馈) and a road-accident plan (吉林省道路交通事故应急预案);
- on the live 较大 flood incident: the plan's Ⅲ级 response started 40 minutes ago with five
  departments' tasks — four signed and arrived in time (省水利厅 asks for support), and 省交通运输厅's
  unsigned past its 15 minutes: late and red on the board and in the e-supervision centre (and the
  only red one however long after loading the demo is looked at: the others' clocks have stopped);
- on the 一般 road accident: the accident plan's Ⅳ级 response with four departments' tasks, signed,
  arrived and finished in time; then the incident is terminated, its 终报 sent and its evaluation
  written with the response's figures (minutes to the first report, to dispatch, to each arrival);
- resources around the incident (teams, supplies, experts, shelters), two of them committed;
- 省应急管理厅's grant on the 人口 base's 户籍地区划代码, so the population count works;
- today's duty roster of 省应急管理厅 and 省水利厅;
- the finished 一般 incident's evaluation, with its figures.
Everything goes through the services (timers, audit records and the access log are real).
Idempotent: an incident that already has tasks, or an evaluation, is left alone.
"""

from __future__ import annotations

import contextlib
import math
import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from zhengwu.accounts.demo import demo_department, demo_user
from zhengwu.accounts.models import Department
from zhengwu.catalog.models import Resource as CatalogResource
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.emergency import services
from zhengwu.emergency.models import Evaluation, Plan, Resource, ResourceKind, Task
from zhengwu.emergency.services import incident_link
from zhengwu.emergency.services.population import POPULATION, REGION_ITEM
from zhengwu.exchange.sharing import services as sharing
from zhengwu.exchange.sharing.models import ShareRequest

LEAD, WATER, POLICE, TRANSPORT, HEALTH = "yjt", "slt", "gat", "jtt", "wjw"
LATE = TRANSPORT
FLOOD_PLAN = "吉林省防汛抗旱应急预案"
ACCIDENT_PLAN = "吉林省道路交通事故应急预案"
# minutes to 到达/反馈 the flood plan's second version gives the Ⅲ级 departments (the lead keeps the default)
FLOOD_ARRIVE_MINUTES = 240
ACCIDENT_DUTIES = {
    LEAD: "派员赶赴现场指导处置，协调各方力量",
    POLICE: "现场警戒、交通管制和疏导，事故现场勘查",
    TRANSPORT: "清障拖移事故车辆，抢通道路",
    HEALTH: "伤员现场急救和转运救治",
}
# (minutes from dispatch to 签收, to 到达) of each department on the road accident
ACCIDENT_TIMES = {LEAD: (3, 20), POLICE: (2, 9), TRANSPORT: (6, 25), HEALTH: (4, 12)}
DUTIES = {
    LEAD: "牵头组织协调，派出工作组赶赴现场，调度救援队伍和物资",
    WATER: "水情监测预报，堤防巡查，提出水工程调度方案",
    POLICE: "现场警戒、交通管制，协助转移受威胁群众",
    TRANSPORT: "抢修受损道路，保障救援通道和转移车辆",
    HEALTH: "医疗救治、卫生防疫，派出医疗队",
}
RESOURCES: list[tuple[str, str, dict[str, Any]]] = [
    (ResourceKind.TEAM, "省消防救援总队水域救援支队", {"size": 60, "specialty": "水域救援"}),
    (ResourceKind.TEAM, "长春市防汛抢险突击队", {"size": 120, "specialty": "抗洪抢险"}),
    (ResourceKind.TEAM, "省矿山救护队长春中队", {"size": 35, "specialty": "综合救援"}),
    (ResourceKind.SUPPLY, "冲锋舟", {"quantity": 24, "unit": "艘", "stock_point": "省防汛物资长春储备库"}),
    (ResourceKind.SUPPLY, "救生衣", {"quantity": 3000, "unit": "件", "stock_point": "省防汛物资长春储备库"}),
    (ResourceKind.SUPPLY, "编织袋", {"quantity": 50000, "unit": "条", "stock_point": "南关区防汛仓库"}),
    (ResourceKind.SUPPLY, "帐篷", {"quantity": 400, "unit": "顶", "stock_point": "省救灾物资储备库"}),
    (ResourceKind.EXPERT, "王教授（水利工程）", {"specialty": "堤防与水库安全"}),
    (ResourceKind.EXPERT, "李研究员（气象）", {"specialty": "暴雨预报"}),
    (ResourceKind.SHELTER, "南湖公园应急避难场所", {"capacity": 20000}),
    (ResourceKind.SHELTER, "长春市体育馆应急避难场所", {"capacity": 5000}),
    (ResourceKind.SHELTER, "净月潭应急避难场所", {"capacity": 8000}),
]


def _plans(commander: Actor, departments: dict[str, Department]) -> Plan:
    plan = Plan.objects.filter(name=FLOOD_PLAN).first()
    if plan is not None:
        return plan
    lead = departments[LEAD]
    first = services.PlanData(
        FLOOD_PLAN,
        incident_link.FLOOD_CLASS,
        lead,
        "Ⅰ、Ⅱ级响应由省防汛抗旱指挥部总指挥决定；Ⅲ、Ⅳ级由省应急管理厅启动。",
        [services.DutyData("3", departments[p], DUTIES[p]) for p in (LEAD, WATER, POLICE, TRANSPORT)],
    )
    plan = services.plan_create(actor=commander, data=first)
    revised = services.PlanData(
        first.name,
        first.incident_class,
        lead,
        first.summary,
        [
            services.DutyData("3", lead, DUTIES[LEAD]),
            *(
                services.DutyData("3", departments[p], DUTIES[p], arrive_minutes=FLOOD_ARRIVE_MINUTES)
                for p in (WATER, POLICE, TRANSPORT, HEALTH)
            ),
            services.DutyData("4", lead, "派出工作组指导处置", sign_minutes=30, arrive_minutes=120),
            services.DutyData("4", departments[WATER], "水情监测，指导堤防巡查", sign_minutes=30, arrive_minutes=120),
        ],
    )
    services.plan_revise(
        actor=commander, plan=plan, data=revised, note="增加省卫生健康委职责和Ⅳ级响应；Ⅲ级到达/反馈时限 4 小时"
    )
    return plan


def _accident_plan(commander: Actor, departments: dict[str, Department]) -> Plan:
    plan = Plan.objects.filter(name=ACCIDENT_PLAN).first()
    if plan is not None:
        return plan
    data = services.PlanData(
        ACCIDENT_PLAN,
        incident_link.ACCIDENT_CLASS,
        departments[LEAD],
        "较大及以上道路交通事故由省应急管理厅会同省公安厅启动；一般事故由事发地启动Ⅳ级响应。",
        [services.DutyData("4", departments[p], ACCIDENT_DUTIES[p]) for p in ACCIDENT_DUTIES],
    )
    return services.plan_create(actor=commander, data=data)


def _around(rng: random.Random, lat: float, lng: float, km: float) -> tuple[float, float]:
    angle, distance = rng.uniform(0, 2 * math.pi), rng.uniform(0.5, km)
    return lat + distance / 111.0 * math.sin(angle), lng + distance / (111.0 * math.cos(math.radians(lat))) * math.cos(
        angle
    )


def _resources(officer: Actor, incident: Any, departments: dict[str, Department]) -> list[Resource]:
    if Resource.objects.exists():
        return list(Resource.objects.order_by("id"))
    rng = random.Random(18)
    lat, lng = incident_link.point_of(incident) or (43.8612, 125.3534)
    made = []
    for kind, name, extra in RESOURCES:
        at = _around(rng, lat, lng, 25)
        owner = departments[WATER] if kind == ResourceKind.EXPERT else departments[LEAD]
        made.append(
            services.resource_create(
                actor=officer,
                data=services.ResourceData(
                    kind=kind,
                    name=name,
                    department=owner,
                    lat=round(at[0], 6),
                    lng=round(at[1], 6),
                    region_code=incident_link.region_code_of(incident),
                    contact="值班室",
                    phone="0431-12350",
                    **extra,
                ),
            )
        )
    return made


def _grant(departments: dict[str, Department]) -> None:
    resource = CatalogResource.objects.filter(name=POPULATION, state=CatalogResource.State.PUBLISHED).first()
    clerk, officer = demo_user(f"{LEAD}.leader"), demo_user(f"{POLICE}.data")
    if resource is None or clerk is None or officer is None:
        return
    if ShareRequest.objects.filter(consumer=departments[LEAD], resource=resource).exists():
        return
    today = workdays.today()
    request = sharing.share_request_create(
        actor=Actor.person(clerk),
        resource=resource,
        item_codes=[REGION_ITEM],
        purpose="突发事件应急处置：统计受影响区域户籍人口数",
        legal_basis="《中华人民共和国突发事件应对法》第五十六条",
        period_start=today,
        period_end=today + timedelta(days=365),
    )
    sharing.share_request_approve(actor=Actor.person(officer), share_request=request)


def _live(commander: Actor, plan: Plan, incident: Any, departments: dict[str, Department]) -> int:
    if Task.objects.filter(incident=incident).exists():
        return Task.objects.filter(incident=incident).count()
    dispatched = timezone.now() - timedelta(minutes=40)
    tasks = services.plan_activate(actor=commander, plan=plan, incident=incident, level="3", when=dispatched)
    by_department = {t.department_id: t for t in tasks}
    arrivals = {
        LEAD: "工作组已到达现场",
        WATER: "巡堤查险组已上堤",
        POLICE: "警力已到达并实施交通管制",
        HEALTH: "医疗队已到达南湖公园安置点",
    }
    for prefix, minutes in ((LEAD, 4), (WATER, 9), (POLICE, 12), (HEALTH, 14)):
        clerk = demo_user(f"{prefix}.clerk")
        task = by_department.get(departments[prefix].pk)
        if clerk is not None and task is not None:
            task = services.task_sign(
                actor=Actor.person(clerk), task=task, when=dispatched + timedelta(minutes=minutes)
            )
            task = services.task_arrive(
                actor=Actor.person(clerk), task=task, text=arrivals[prefix], when=dispatched + timedelta(minutes=35)
            )
            if prefix == LEAD:
                services.task_progress(
                    actor=Actor.person(clerk), task=task, text="已转移群众 1,200 人，开放南湖公园避难场所"
                )
            if prefix == WATER:
                services.task_support(
                    actor=Actor.person(clerk), task=task, text="请求调派冲锋舟 6 艘支援伊通河堤防巡查"
                )
    # 省交通运输厅 has not signed: 40 minutes past dispatch, its 15-minute clock is red.
    return len(tasks)


def _accident_response(
    commander: Actor, officer: Actor, plan: Plan, incident: Any, departments: dict[str, Department]
) -> None:
    """The road accident's Ⅳ级 response, dispatched 8 minutes after receipt, every task signed, arrived
    and finished in time; then its end (the incident half's `finish_accident`)."""
    from zhengwu.emergency.demo import finish_accident

    received = incident_link.received_at(incident)
    if received is None or not incident_link.is_responding(incident) or Task.objects.filter(incident=incident).exists():
        return
    dispatched = received + timedelta(minutes=8)
    tasks = services.plan_activate(actor=commander, plan=plan, incident=incident, level="4", when=dispatched)
    by_department = {t.department_id: t for t in tasks}
    for prefix, (sign, arrive) in ACCIDENT_TIMES.items():
        clerk, task = demo_user(f"{prefix}.clerk"), by_department.get(departments[prefix].pk)
        if clerk is None or task is None:
            continue
        actor = Actor.person(clerk)
        task = services.task_sign(actor=actor, task=task, when=dispatched + timedelta(minutes=sign))
        task = services.task_arrive(actor=actor, task=task, when=dispatched + timedelta(minutes=arrive))
        services.task_finish(actor=actor, task=task, result=f"{ACCIDENT_DUTIES[prefix]}：已完成")
    finish_accident(officer, commander, incident)


def _evaluation(commander: Actor, incident: Any) -> bool:
    if Evaluation.objects.filter(incident=incident).exists():
        return False
    if incident.state not in incident_link.CLOSED_STATES:
        return False
    services.evaluation_create(
        actor=commander,
        incident=incident,
        findings="接报后按时初报，8 分钟内启动Ⅳ级响应，四个部门均按时签收、到达，现场处置有序，未发生次生灾害。",
        lessons="进一步加强夜间值班力量；完善基层预警信息“最后一公里”发布。",
    )
    return True


def load_response_demo(*, live: Any, finished: Any, say: Callable[[str], object]) -> str:
    """Load (idempotently) the response demo on the incident half's live flood and finished incident."""
    commander_user, officer_user = demo_user(f"{LEAD}.commander"), demo_user(f"{LEAD}.duty")
    departments = {p: demo_department(p, "clerk") for p in (LEAD, WATER, POLICE, TRANSPORT, HEALTH)}
    if commander_user is None or officer_user is None or any(d is None for d in departments.values()):
        return "应急联动：缺少演示部门或人员，未加载。"
    found = {k: d for k, d in departments.items() if d is not None}
    commander, officer = Actor.person(commander_user), Actor.person(officer_user)
    plan = _plans(commander, found)
    tasks = _live(commander, plan, live, found)
    resources = _resources(officer, live, found)
    for resource in resources[:2]:
        if resource.committed_to_id is None:
            with contextlib.suppress(ApplicationError):  # the live incident may not be responding
                services.resource_commit(actor=officer, resource=resource, incident=live, note="演示：调往现场")
    _grant(found)
    today = workdays.today()
    for prefix, leader, duty_officer, phone in (
        (LEAD, "赵厅长", "周值班员", "0431-88906110"),
        (WATER, "钱处长", "孙工程师", "0431-85671234"),
    ):
        services.duty_set(
            actor=officer, department=found[prefix], day=today, leader=leader, officer=duty_officer, phone=phone
        )
    _accident_response(commander, officer, _accident_plan(commander, found), finished, found)
    finished.refresh_from_db()
    evaluated = _evaluation(commander, finished)
    say(f"  应急联动：{live} 已启动《{plan.name}》Ⅲ级响应，{tasks} 个部门任务（省交通运输厅签收超时）")
    return (
        f"应急联动：预案 {Plan.objects.count()} 个，联动任务 {Task.objects.count()} 项，"
        f"应急资源 {Resource.objects.count()} 个"
        + ("，一般事件已完成事后评估。" if evaluated or Evaluation.objects.exists() else "。")
    )


def load_demo(*, say: Callable[[str], object]) -> str:
    """`zhengwu demo`'s entry (after the incident half's): the response on its two incidents."""
    from zhengwu.emergency.demo import demo_incidents

    found = demo_incidents()
    live, finished = found.get("flood"), found.get("finished")
    if live is None or finished is None:
        return "应急联动：缺少演示事件，未加载。"
    return load_response_demo(live=live, finished=finished, say=say)
