"""Information reporting (信息报送): 初报, numbered 续报, 终报, each signed off by a leader and sent up.

The clocks (docs/rules.md §14), all supervision timers in minutes on the incident:

- `emergency.first_report` (初报) runs from receipt (接报); its limit depends on the class and, once
  graded, the level (`first_report_minutes`); a grading that changes the limit before the 初报 is
  sent restarts it from the receipt with the new limit;
- `emergency.follow_up_report` (定时续报) runs while the response lasts, from the response's start
  (then from the previous clock's deadline) to the next fixed Beijing time of
  `ZHENGWU_EMERGENCY_FOLLOW_UP_TIMES` at least `MIN_FOLLOW_UP_MINUTES` later; the periodic job
  (`tasks.emergency_clocks`) starts the next one when a deadline has passed;
- `emergency.final_report` (终报) runs from 终止 for `ZHENGWU_EMERGENCY_FINAL_REPORT_MINUTES`.

A report is drafted by the incident's duty room (or a department system through the API) and sent
only when a leader (指挥长 of a covering duty room, or 部门负责人 of the incident's 应急 department)
signs it off (签发). It goes to the 应急 department of the next level up; 较大 and graver incidents
may go straight to the province (越级上报). Sending finishes the clock of its kind: a late report
finishes it late (red in the supervision centre and on the board).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from zhengwu.accounts.models import Department, User
from zhengwu.audit.write import audited_write
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, required_text
from zhengwu.emergency import access
from zhengwu.emergency.audit_actions import EmergencyAction
from zhengwu.emergency.errors import EmergencyError
from zhengwu.emergency.models import Category, Incident, IncidentEvent, IncidentReport
from zhengwu.emergency.states import INCIDENT, REPORT
from zhengwu.eservices import services as eservices_services
from zhengwu.supervision import selectors as supervision_selectors
from zhengwu.supervision import services as supervision_services
from zhengwu.supervision.models import Timer

FIRST_CLOCK = "emergency.first_report"
FOLLOW_UP_CLOCK = "emergency.follow_up_report"
FINAL_CLOCK = "emergency.final_report"
CLOCK_LABELS = {
    FIRST_CLOCK: "突发事件初报时限",
    FOLLOW_UP_CLOCK: "突发事件定时续报时限",
    FINAL_CLOCK: "突发事件终报时限",
}
KIND_CLOCK: dict[str, str] = {
    IncidentReport.Kind.INITIAL: FIRST_CLOCK,
    IncidentReport.Kind.FOLLOW_UP: FOLLOW_UP_CLOCK,
    IncidentReport.Kind.FINAL: FINAL_CLOCK,
}
# A fixed-time 续报 is due no sooner than this after its clock starts (a response started at 07:55
# reports at 16:00, not at 08:00).
MIN_FOLLOW_UP_MINUTES = 60
FIGURES = ("dead", "injured", "missing", "trapped")
RESPONSE_STATES = (Incident.State.RESPONDING, Incident.State.HANDLING)


# --- the limits -----------------------------------------------------------------------------


def first_report_minutes(category: str, level: int | None) -> int:
    """The 初报 limit of an incident of `category` at `level` (None: not yet graded)."""
    by_class: int = settings.ZHENGWU_EMERGENCY_FIRST_REPORT_MINUTES
    if category == Category.ACCIDENT:
        by_class = settings.ZHENGWU_EMERGENCY_FIRST_REPORT_ACCIDENT_MINUTES
    elif category == Category.HEALTH:
        by_class = settings.ZHENGWU_EMERGENCY_FIRST_REPORT_HEALTH_MINUTES
    if level is not None and level <= 2:
        return min(int(by_class), int(settings.ZHENGWU_EMERGENCY_FIRST_REPORT_GRAVE_MINUTES))
    return int(by_class)


def fixed_times() -> list[time]:
    return sorted(time(int(t[:-3]), int(t[-2:])) for t in settings.ZHENGWU_EMERGENCY_FOLLOW_UP_TIMES)


def next_fixed_time(start: datetime) -> datetime:
    """The first fixed 续报 time (Beijing) at least MIN_FOLLOW_UP_MINUTES after `start`."""
    earliest = (start + timedelta(minutes=MIN_FOLLOW_UP_MINUTES)).astimezone(workdays.CHINA_TZ)
    day = earliest.date()
    for offset in range(3):
        for at in fixed_times():
            moment = datetime.combine(day + timedelta(days=offset), at, tzinfo=workdays.CHINA_TZ)
            if moment >= earliest:
                return moment
    raise AssertionError("no fixed time within three days")  # pragma: no cover - fixed_times is never empty


def _minutes(start: datetime, end: datetime) -> int:
    return max(1, math.ceil((end - start).total_seconds() / 60))


def _start(actor: Actor, incident: Incident, kind: str, what: str, limit: int, start: datetime | None) -> Timer:
    """Start one of the incident's minute clocks (`emergency.<clock>`), linked to its workbench page."""
    return supervision_services.timer_start(
        actor=actor,
        kind=kind,
        target=incident,
        title=f"{incident.number} {incident.title}（{what}）"[:200],
        department=incident.department,
        limit=limit,
        unit=Timer.Unit.MINUTE,
        start=start,
        kind_label=CLOCK_LABELS[kind],
        url=reverse("emergency_wb:incident_detail", args=[incident.pk]),
    )


# --- the clocks -----------------------------------------------------------------------------


def clock_start_first(*, actor: Actor, incident: Incident) -> Timer:
    limit = first_report_minutes(incident.category, incident.level)
    return _start(actor, incident, FIRST_CLOCK, "初报", limit, incident.received_at)


def clock_regrade_first(*, actor: Actor, incident: Incident) -> None:
    """After a (re)grading, before the 初报 is sent: restart the 初报 clock when its limit changed."""
    timer = supervision_services.live_timer(incident, FIRST_CLOCK)
    if timer is None or timer.limit == first_report_minutes(incident.category, incident.level):
        return
    supervision_services.timer_cancel(actor=actor, timer=timer, reason="事件级别调整，按新级别重新计算初报时限")
    clock_start_first(actor=actor, incident=incident)


def clock_start_follow_up(*, actor: Actor, incident: Incident, now: datetime | None = None) -> Timer | None:
    """Start the next fixed-time 续报 clock of a responding incident, when one is due (else None)."""
    now = now or timezone.now()
    if incident.state not in RESPONSE_STATES or supervision_services.live_timer(incident, FOLLOW_UP_CLOCK):
        return None
    last = supervision_selectors.timer_for(incident, FOLLOW_UP_CLOCK)
    start = last.deadline_at if last is not None and last.deadline_at else incident.response_started_at
    if start is None or start > now:
        return None
    start = max(start, incident.response_started_at or start).replace(second=0, microsecond=0)
    deadline = next_fixed_time(start)
    return _start(
        actor, incident, FOLLOW_UP_CLOCK, f"{deadline:%m月%d日%H:%M}定时续报", _minutes(start, deadline), start
    )


def clock_start_final(*, actor: Actor, incident: Incident) -> Timer:
    limit = int(settings.ZHENGWU_EMERGENCY_FINAL_REPORT_MINUTES)
    return _start(actor, incident, FINAL_CLOCK, "终报", limit, incident.terminated_at)


def clocks_tick(*, actor: Actor, now: datetime | None = None) -> int:
    """The periodic job: start the next 续报 clock of every responding incident whose last one is due."""
    started = 0
    for incident in Incident.objects.filter(state__in=RESPONSE_STATES).select_related("department"):
        if clock_start_follow_up(actor=actor, incident=incident, now=now) is not None:
            started += 1
    return started


# --- the reports ----------------------------------------------------------------------------


@dataclass
class ReportData:
    content: str
    dead: int | None = None
    injured: int | None = None
    missing: int | None = None
    trapped: int | None = None
    skip_level: bool = False


def may_draft(actor: Actor, incident: Incident) -> bool:
    """The incident's duty room, or a system of the incident's department or of the reporting one."""
    if actor.api_client is not None:
        return actor.department_id in (incident.department_id, incident.reporting_department_id)
    return access.is_duty_for(actor, incident.region)


def may_sign(actor: Actor, incident: Incident) -> bool:
    return access.is_commander_for(actor, incident.region) or actor.works_in(
        incident.department_id, *access.LEADER_ROLES
    )


def recipient_for(incident: Incident, *, skip_level: bool) -> Department | None:
    """Where a report of `incident` goes: the next level's 应急 department, or the province's (越级)."""
    region = incident.department.region
    if skip_level:
        chain = access.region_chain(region)
        top = chain[-1]
        return access.emergency_department_for(top) if top.pk != region.pk else None
    return access.emergency_department_for(region.parent) if region.parent_id else None


def _figures(incident: Incident, data: ReportData) -> dict[str, int]:
    figures: dict[str, int] = {}
    for name in FIGURES:
        value = getattr(data, name)
        if value is None:
            value = getattr(incident, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 1_000_000:
            label = {"dead": "死亡", "injured": "受伤", "missing": "失踪", "trapped": "被困"}[name]
            raise ApplicationError(
                EmergencyError.INVALID_INPUT, f"{label}人数应为 0 至 1000000 之间的整数。", {name: "超出范围"}
            )
        figures[name] = value
    return figures


def report_draft(*, actor: Actor, incident: Incident, kind: str, data: ReportData) -> IncidentReport:
    """Draft the next report of `kind` (初报 once, 续报 numbered, 终报 once after 终止)."""
    with audited_write(actor, EmergencyAction.REPORT_DRAFT, incident) as write:
        locked = write.lock(incident, "department", "department__region", "region")
        write.require(may_draft(actor, locked), "只有事发地应急管理部门的值班人员或报告单位的系统可以起草报送。")
        INCIDENT.check(locked, "report")
        if kind not in IncidentReport.Kind.values:
            raise ApplicationError(
                EmergencyError.INVALID_INPUT, "请选择报告类型（初报、续报或终报）。", {"kind": "不支持"}
            )
        reports = IncidentReport.objects.filter(incident=locked)
        if reports.filter(state=IncidentReport.State.DRAFT).exists():
            raise ApplicationError(
                EmergencyError.REPORT_PENDING, "该事件有一份报告尚待签发，请先签发后再起草新的报告。", {"kind": kind}
            )
        sent_initial = reports.filter(kind=IncidentReport.Kind.INITIAL).exists()
        if kind == IncidentReport.Kind.INITIAL and sent_initial:
            raise ApplicationError(EmergencyError.INVALID_INPUT, "该事件已有初报，请起草续报。", {"kind": "重复"})
        if kind != IncidentReport.Kind.INITIAL and not sent_initial:
            raise ApplicationError(EmergencyError.INVALID_INPUT, "请先报送初报。", {"kind": "尚无初报"})
        if kind == IncidentReport.Kind.FINAL and locked.state != Incident.State.TERMINATED:
            raise ApplicationError(
                EmergencyError.WRONG_STATE, "事件终止后才能报送终报。", {"kind": "事件未终止"}, status=409
            )
        if kind != IncidentReport.Kind.FINAL and locked.state == Incident.State.TERMINATED:
            raise ApplicationError(EmergencyError.INVALID_INPUT, "事件已终止，只能报送终报。", {"kind": "应为终报"})
        skip, recipient = _where(locked, data)
        sequence = 0
        if kind != IncidentReport.Kind.INITIAL:
            sequence = (reports.aggregate(n=Max("sequence"))["n"] or 0) + 1
        report = IncidentReport.objects.create(
            incident=locked,
            kind=kind,
            sequence=sequence,
            content=_content(data),
            figures=_figures(locked, data),
            sender=locked.department,
            recipient=recipient,
            skip_level=skip,
            drafted_by=actor.user,
            api_client=actor.api_client,
        )
        write.set_target(report)
        write.note(incident=locked.number, kind=kind, sequence=sequence)
    return report


def _content(data: ReportData) -> str:
    return required_text(
        data.content, field="content", what="报告内容", code=EmergencyError.INVALID_INPUT, max_length=20000
    )


def _where(incident: Incident, data: ReportData) -> tuple[bool, Department | None]:
    """(越级上报?, the recipient) of a report of `incident` as `data` asks (越级 only for 较大 and graver)."""
    skip = bool(data.skip_level)
    if skip and (incident.level is None or incident.level > 3):
        raise ApplicationError(
            EmergencyError.SKIP_LEVEL_REFUSED, "只有较大（Ⅲ级）及以上事件可以越级上报。", {"skip_level": "级别不够"}
        )
    recipient = recipient_for(incident, skip_level=skip)
    if skip and recipient is None:
        raise ApplicationError(
            EmergencyError.NO_RECIPIENT, "本部门已是省级应急管理部门，无需越级上报。", {"skip_level": "无上级"}
        )
    return skip, recipient


def report_edit(*, actor: Actor, report: IncidentReport, data: ReportData) -> IncidentReport:
    """Change a draft before it is signed off: its content, casualty figures and 越级上报 (which
    changes the recipient). A report once signed off and sent is never changed: a correction is the
    next 续报 (docs/rules.md §14)."""
    with audited_write(actor, EmergencyAction.REPORT_EDIT, report) as write:
        locked = write.lock(report)
        incident = write.lock(locked.incident, "department", "department__region", "region")
        write.require(may_draft(actor, incident), "只有事发地应急管理部门的值班人员可以修改报告。")
        if locked.state != IncidentReport.State.DRAFT:
            raise ApplicationError(
                EmergencyError.WRONG_STATE,
                f"{locked.title}已于 {timezone.localtime(locked.sent_at):%Y-%m-%d %H:%M} 签发报送，不能再修改；"
                "如需更正，请起草续报。",
                {"state": str(locked.state)},
                status=409,
            )
        REPORT.check(locked, "edit")
        before = {"content": locked.content, "figures": dict(locked.figures), "skip_level": locked.skip_level}
        locked.content = _content(data)
        locked.figures = _figures(incident, data)
        locked.skip_level, locked.recipient = _where(incident, data)
        locked.save(update_fields=["content", "figures", "skip_level", "recipient"])
        changed = [name for name, value in before.items() if getattr(locked, name) != value]
        write.note(incident=incident.number, report=locked.title, changed=changed)
    return locked


def report_sign(*, actor: Actor, report: IncidentReport) -> IncidentReport:
    """签发: a leader signs the report off; it is sent upward and finishes its clock."""
    with audited_write(actor, EmergencyAction.REPORT_SIGN, report) as write:
        locked = write.lock(report)
        incident = write.lock(locked.incident, "department", "region")
        write.set_target(locked)
        write.require(may_sign(actor, incident), "只有应急指挥长或应急管理部门负责人可以签发报告。")
        REPORT.move(locked, "sign")
        now = timezone.now()
        locked.sent_at = now
        locked.signed_by = actor.user
        locked.signer_name = actor.user.real_name if actor.user is not None else ""
        timer = supervision_services.live_timer(incident, KIND_CLOCK[locked.kind])
        if timer is not None:
            timer = supervision_services.timer_finish(actor=actor, timer=timer, when=now)
            locked.on_time = timer.finished_on_time
        locked.save()
        for name in FIGURES:
            setattr(incident, name, int(locked.figures.get(name, getattr(incident, name))))
        incident.updated_at = now
        incident.save(update_fields=[*FIGURES, "updated_at"])
        where = locked.recipient.name if locked.recipient is not None else "国家应急管理部（平台外报送）"
        IncidentEvent.objects.create(
            incident=incident,
            move="report",
            label=f"{locked.title}签发报送",
            state=incident.state,
            note=f"报送{where}{'（越级上报）' if locked.skip_level else ''}"
            + ("" if locked.on_time is not False else "，已超过报送时限"),
            actor=actor.user,
            actor_name=str(actor),
            at=now,
        )
        _tell_recipient(locked, incident)
        write.note(incident=incident.number, recipient=where, on_time=locked.on_time)
    if locked.kind == IncidentReport.Kind.FOLLOW_UP:
        clock_start_follow_up(actor=actor, incident=incident)
    return locked


def _tell_recipient(report: IncidentReport, incident: Incident) -> None:
    """A site message to the receiving duty room (值班员、指挥长) that a report has arrived."""
    if report.recipient_id is None:
        return
    text = f"【信息报送】{report.sender.name}报送{incident.title}（{incident.level_short}）{report.title}，请及时查阅。"
    for person in User.objects.filter(
        department_id=report.recipient_id,
        is_active=True,
        kind=User.Kind.STAFF,
        role_assignments__role__in=access.DUTY_ROLES,
    ).distinct():
        eservices_services.site_message(person, None, text)


# --- receipt (签收) ---------------------------------------------------------------------------


def may_receive(actor: Actor, report: IncidentReport) -> bool:
    """The receiving department's duty room (值班员, 指挥长): the report was sent to it."""
    return report.recipient_id is not None and actor.works_in(report.recipient_id, *access.DUTY_ROLES)


def report_receive(*, actor: Actor, report: IncidentReport) -> IncidentReport:
    """签收: the receiving duty room confirms it has the report (when and who, on the report and on
    the incident's timeline); the sender sees 已签收. No clock runs for it (docs/rules.md §14)."""
    with audited_write(actor, EmergencyAction.REPORT_RECEIVE, report) as write:
        locked = write.lock(report, "recipient")
        write.require(may_receive(actor, locked), "只有接收单位的值班员或指挥长可以签收该报告。")
        REPORT.move(locked, "receive")
        locked.received_at = timezone.now()
        locked.received_by = actor.user
        locked.receiver_name = actor.user.real_name if actor.user is not None else ""
        locked.save(update_fields=["state", "received_at", "received_by", "receiver_name"])
        incident = locked.incident
        IncidentEvent.objects.create(
            incident=incident,
            move="report_receive",
            label=f"{locked.title}已签收",
            state=incident.state,
            note=f"{locked.recipient.name if locked.recipient else ''} {locked.receiver_name} 签收",
            actor=actor.user,
            actor_name=str(actor),
            at=locked.received_at,
        )
        write.note(incident=incident.number, report=locked.title, received_at=locked.received_at.isoformat())
    return locked
