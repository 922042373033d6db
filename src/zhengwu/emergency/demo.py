"""Demo data of the emergency app, loaded by `zhengwu demo` after accounts (the duty rooms of
省应急管理厅 `yjt.duty`/`yjt.commander` and 长春市应急管理局 `cc_yjj.duty`/`cc_yjj.commander`).

- a live 较大 (Ⅲ) flood in 长春市南关区 (`FLOOD_TITLE`): received, verified, graded Ⅲ, response
  started; 初报 and 第1次续报 signed off and sent up to 省应急管理厅 (the 初报 signed for by its duty
  room, the 续报 waiting in its to-do list), its fixed-time 续报 clock running;
- a 暴雨黄色预警 for 长春市 (`WARNING_HAZARD`/`WARNING_COLOR`), live until a week after loading;
- a 一般 (Ⅳ) road accident in 吉林市 (`FINISHED_TITLE`): received, graded Ⅳ, 初报 sent, response
  started; the response half (demo_response) dispatches its tasks, which the departments finish, then
  terminates it, sends the 终报 and writes the evaluation, so the evaluation has the response's figures.

Stable identifiers for apps that build on these (plans, dispatch, the board): `demo_incidents()`
returns `{"flood": Incident, "finished": Incident}` (found by their titles, None when not loaded)
and `demo_warning()` the live warning. All made through the services (numbers, clocks and audit
records are real). Idempotent: an incident whose title is there is skipped; the warning is issued
again only when no live one is left.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from zhengwu.accounts.demo import demo_actor
from zhengwu.accounts.models import Region
from zhengwu.core.actors import Actor
from zhengwu.emergency import services
from zhengwu.emergency.models import Category, EarlyWarning, Hazard, Incident, Source, WarningColor
from zhengwu.emergency.services import IncidentData, ReportData, WarningData

FLOOD_TITLE = "长春市南关区伊通河流域强降雨洪涝灾害"
FINISHED_TITLE = "吉林市丰满区吉丰东路两车相撞道路交通事故"
WARNING_HAZARD = Hazard.RAINSTORM
WARNING_COLOR = WarningColor.YELLOW


def _region(*codes: str) -> str:
    for code in codes:
        if Region.objects.filter(code=code).exists():
            return code
    return codes[-1]


def demo_incidents() -> dict[str, Incident | None]:
    """The demo's incidents by role: "flood" (live, Ⅲ) and "finished" (evaluated, Ⅳ)."""
    return {
        "flood": Incident.objects.filter(title=FLOOD_TITLE).order_by("id").first(),
        "finished": Incident.objects.filter(title=FINISHED_TITLE).order_by("id").first(),
    }


def demo_warning() -> EarlyWarning | None:
    return (
        EarlyWarning.objects.filter(hazard=WARNING_HAZARD, color=WARNING_COLOR, state=EarlyWarning.State.LIVE)
        .order_by("-id")
        .first()
    )


def _flood(duty: Actor, commander: Actor, receiver: Actor) -> bool:
    if Incident.objects.filter(title=FLOOD_TITLE).exists():
        return False
    now = timezone.now()
    data = IncidentData(
        title=FLOOD_TITLE,
        category=Category.NATURAL,
        subcategory="洪涝灾害",
        region_code=_region("220102", "220100"),
        place="长春市南关区伊通河东岸永吉街道低洼居民区",
        lat="43.861200",
        lng="125.353400",
        description="受持续强降雨影响，伊通河南关段水位超警戒 0.6 米，沿岸低洼居民区进水，约 230 户居民受困，"
        "2 人被洪水冲倒受伤送医。",
        occurred_at=now - timedelta(minutes=55),
        source=Source.DUTY_PHONE,
        level=3,
        injured=2,
        trapped=36,
        losses="约 230 户居民房屋进水，南关区 3 条道路中断，直接经济损失初步估计 800 万元。",
        trend="气象部门预报未来 12 小时仍有强降雨，伊通河水位可能继续上涨。",
        measures="南关区已启动防汛Ⅳ级响应，消防救援站出动 4 车 26 人转移群众，设置临时安置点 2 处。",
        help_requested="请求市级调派冲锋舟 6 艘、排涝泵车 4 台、救灾帐篷 200 顶。",
        site_commander="南关区副区长 陈立新",
        site_commander_phone="0431-88761234",
        reporter_name="永吉街道办事处 刘强",
        reporter_phone="0431-88765432",
    )
    incident = services.incident_report(actor=duty, data=data, received_at=now - timedelta(minutes=40))
    services.incident_verify(actor=duty, incident=incident, note="已回拨街道办事处并经南关区应急管理局现场核实。")
    services.incident_grade(
        actor=duty, incident=incident, level=3, reason="被困群众 36 人，需跨区调动救援力量，符合较大突发事件标准。"
    )
    initial = services.report_draft(
        actor=duty,
        incident=incident,
        kind="initial",
        data=ReportData(
            content="今日伊通河南关段因强降雨水位超警，沿岸低洼居民区进水，被困 36 人，受伤 2 人，已组织转移。"
        ),
    )
    services.report_sign(actor=commander, report=initial)
    services.report_receive(actor=receiver, report=initial)  # 省应急管理厅's duty room signs for it
    services.incident_start_response(actor=commander, incident=incident, note="市防汛抗旱指挥部启动Ⅲ级应急响应。")
    follow_up = services.report_draft(
        actor=duty,
        incident=incident,
        kind="follow_up",
        data=ReportData(content="已转移群众 112 人，被困人数降至 20 人；冲锋舟 4 艘已到达现场。", trapped=20),
    )
    services.report_sign(actor=commander, report=follow_up)
    return True


def _finished(duty: Actor, commander: Actor) -> bool:
    if Incident.objects.filter(title=FINISHED_TITLE).exists():
        return False
    now = timezone.now()
    data = IncidentData(
        title=FINISHED_TITLE,
        category=Category.ACCIDENT,
        subcategory="道路交通事故",
        region_code=_region("220211", "220200"),
        place="吉林市丰满区吉丰东路与江南大街交汇处",
        lat="43.822100",
        lng="126.569800",
        description="一辆小型客车与一辆轻型货车相撞，3 人受伤，无人员死亡，道路一度中断。",
        occurred_at=now - timedelta(minutes=50),
        source=Source.DEPARTMENT,
        level=4,
        injured=3,
        losses="两车受损，直接经济损失约 6 万元。",
        measures="交警、急救到场处置，伤员已送医，道路已恢复通行。",
        reporter_name="丰满区交警大队 王伟",
    )
    incident = services.incident_report(actor=duty, data=data, received_at=now - timedelta(minutes=45))
    services.incident_verify(actor=duty, incident=incident, note="经交警部门核实。")
    services.incident_grade(actor=duty, incident=incident, level=4, reason="受伤 3 人，无死亡，属一般事故。")
    initial = services.report_draft(
        actor=duty, incident=incident, kind="initial", data=ReportData(content="吉丰东路两车相撞，3 人受伤已送医。")
    )
    services.report_sign(actor=commander, report=initial)
    services.incident_start_response(actor=duty, incident=incident, note="启动道路交通事故处置程序。")
    return True


def finish_accident(duty: Actor, commander: Actor, incident: Incident) -> None:
    """The road accident's end, once the departments finished their tasks (demo_response calls it):
    处置, 终止, the 终报 signed off and sent."""
    services.incident_handle(actor=duty, incident=incident, note="清理现场，疏导交通。")
    services.incident_terminate(actor=duty, incident=incident, reason="伤员均已送医，道路恢复通行，现场处置结束。")
    final = services.report_draft(
        actor=duty,
        incident=incident,
        kind="final",
        data=ReportData(content="事故处置完毕：受伤 3 人均无生命危险，道路已恢复通行，事故原因由交警部门调查。"),
    )
    services.report_sign(actor=commander, report=final)


def _warning(issuer: Actor) -> bool:
    if demo_warning() is not None:
        return False
    now = timezone.now()
    services.warning_issue(
        actor=issuer,
        data=WarningData(
            hazard=WARNING_HAZARD,
            color=WARNING_COLOR,
            region_code="220100",
            area="长春市南关区、朝阳区、二道区、宽城区及双阳区",
            starts_at=now,
            ends_at=now + timedelta(days=7),
            content="预计未来 24 小时长春市区将出现暴雨，累计雨量 50—80 毫米，局地超过 100 毫米，"
            "伴有短时强降水和雷电。",
            measures="各地各部门做好防暴雨准备；交通、公安部门做好积水路段交通疏导；切断低洼地带有危险的室外电源。",
            advice="减少外出，远离河道、低洼地带和山洪易发区；驾车注意避开积水路段。",
        ),
    )
    return True


def load_demo(*, say: Callable[[str], object]) -> str:
    """Load (idempotently) and return a one-line summary for the demo command's report."""
    duty, commander = demo_actor("cc_yjj.duty"), demo_actor("cc_yjj.commander")
    province_duty, province_commander = demo_actor("yjt.duty"), demo_actor("yjt.commander")
    if duty is None or commander is None or province_duty is None or province_commander is None:
        return "应急联动：未找到值班员账号，跳过。"
    with transaction.atomic():
        flood = _flood(duty, commander, province_duty)
        finished = _finished(province_duty, province_commander)
        warning = _warning(province_duty)
    return (
        f"应急联动：突发事件 {'新增 ' + str(int(flood) + int(finished)) + ' 起' if flood or finished else '已存在'}"
        f"（共 {Incident.objects.count()} 起），暴雨黄色预警{'已发布' if warning else '仍在生效'}。"
    )
