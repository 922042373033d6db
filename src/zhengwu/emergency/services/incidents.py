"""Writes of incidents (突发事件): receive, verify, grade, change the level, respond, handle, end, evaluate.

Who (docs/rules.md §14): a 值班员 or 指挥长 of a duty room whose region covers the place
(`access.is_duty_for`) receives (接报) and moves the incident; any department's staff, or a
department's system through the API, reports one (报告单位 = their department) and sees its own
reports; the public never writes here (a citizen's call reaches the duty room through 12345, and a
letter turns into an incident with `incident_from_letter`). Grading and every later change of level
is a `LevelChange` with its reason. `incident_start_response` is also what a plan's activation calls.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from zhengwu.accounts.models import Region
from zhengwu.audit.write import Write, audited_write
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, clean, required_text
from zhengwu.emergency import access
from zhengwu.emergency.audit_actions import EmergencyAction
from zhengwu.emergency.errors import EmergencyError
from zhengwu.emergency.errors import invalid as _bad
from zhengwu.emergency.models import Category, Incident, IncidentEvent, Level, LevelChange, Source
from zhengwu.emergency.services import reports
from zhengwu.emergency.states import INCIDENT
from zhengwu.participation import selectors as participation_selectors
from zhengwu.participation.models import Letter
from zhengwu.supervision import services as supervision_services

DUTY_REFUSAL = "只有事发地应急管理部门的值班员或指挥长可以{what}。"


@dataclass
class IncidentData:
    """What the duty officer (or the reporting department) says about the incident."""

    title: str
    category: str
    region_code: str
    place: str
    description: str
    occurred_at: datetime | None = None
    source: str = Source.DUTY_PHONE
    subcategory: str = ""
    level: int | None = None
    lat: Decimal | float | str | None = None
    lng: Decimal | float | str | None = None
    dead: int = 0
    injured: int = 0
    missing: int = 0
    trapped: int = 0
    losses: str = ""
    trend: str = ""
    measures: str = ""
    help_requested: str = ""
    site_commander: str = ""
    site_commander_phone: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""


def _coordinate(value: object, field: str, what: str, bound: int) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise _bad(field, f"{what}应为十进制度数，如 43.817072。") from None
    if not -bound <= number <= bound:
        raise _bad(field, f"{what}应在 -{bound} 至 {bound} 度之间。", "超出范围")
    return number


def _count(value: object, field: str, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 1_000_000:
        raise _bad(field, f"{what}应为 0 至 1000000 之间的整数。", "超出范围")
    return value


def _level(value: object) -> int:
    if isinstance(value, bool) or value not in Level.values:
        raise _bad("level", "事件级别应为Ⅰ级（特别重大）至Ⅳ级（一般）之一。", "不支持")
    return int(value)  # type: ignore[call-overload]


def _region(code: str) -> Region:
    region = Region.objects.filter(code=(code or "").strip()).first()
    if region is None:
        raise _bad("region_code", "事发地行政区划代码不存在（应为 6 位 GB/T 2260 代码）。", "不存在")
    return region


def _apply(incident: Incident, data: IncidentData) -> None:
    if data.category not in Category.values:
        raise _bad("category", "请选择事件类别（自然灾害、事故灾难、公共卫生事件、社会安全事件）。", "不支持")
    if data.source not in Source.values:
        raise _bad("source", "信息来源不正确。", "不支持")
    incident.title = required_text(
        data.title, field="title", what="事件名称", code=EmergencyError.INVALID_INPUT, max_length=200
    )
    incident.category = data.category
    incident.subcategory = (data.subcategory or "").strip()[:40]
    incident.region = _region(data.region_code)
    incident.place = required_text(
        data.place, field="place", what="事发地点", code=EmergencyError.INVALID_INPUT, max_length=200
    )
    incident.description = required_text(
        data.description, field="description", what="事件经过", code=EmergencyError.INVALID_INPUT, max_length=20000
    )
    incident.lat = _coordinate(data.lat, "lat", "纬度", 90)
    incident.lng = _coordinate(data.lng, "lng", "经度", 180)
    for name, what in (("dead", "死亡人数"), ("injured", "受伤人数"), ("missing", "失踪人数"), ("trapped", "被困人数")):
        setattr(incident, name, _count(getattr(data, name), name, what))
    for name, limit in (("losses", 5000), ("trend", 5000), ("measures", 5000), ("help_requested", 5000)):
        setattr(incident, name, (getattr(data, name) or "").strip()[:limit])
    incident.site_commander = (data.site_commander or "").strip()[:64]
    incident.site_commander_phone = (data.site_commander_phone or "").strip()[:32]
    incident.reporter_name = (data.reporter_name or "").strip()[:64]
    incident.reporter_phone = (data.reporter_phone or "").strip()[:32]


def _event(incident: Incident, actor: Actor, move: str, label: str, note: str = "", at: datetime | None = None) -> None:
    IncidentEvent.objects.create(
        incident=incident,
        move=move,
        label=label,
        state=incident.state,
        note=note,
        actor=actor.user,
        actor_name=str(actor),
        at=at or timezone.now(),
    )


def _receive(
    write: Write, actor: Actor, data: IncidentData, received_at: datetime | None, letter: Letter | None
) -> Incident:
    now = timezone.now()
    incident = Incident(number=uuid.uuid4().hex[:24], received_at=received_at or now, created_at=now, updated_at=now)
    _apply(incident, data)
    duty = access.is_duty_for(actor, incident.region)
    if actor.api_client is not None:
        incident.source = Source.SYSTEM
        incident.api_client = actor.api_client
        incident.reporting_department = actor.api_client.department
    elif duty:
        incident.source = data.source
        incident.reporting_department = None
    else:
        write.require(
            actor.is_staff and actor.department is not None, "只有政府部门工作人员或部门系统可以报告突发事件。"
        )
        incident.source = Source.DEPARTMENT
        incident.reporting_department = actor.department
    if letter is not None:
        incident.source = Source.HOTLINE
        incident.letter = letter
    department = access.emergency_department_for(incident.region)
    if department is None:
        raise ApplicationError(
            EmergencyError.NO_EMERGENCY_DEPARTMENT,
            "事发地没有设立应急值守的应急管理部门，无法接报。",
            {"region_code": "无应急部门"},
        )
    incident.department = department
    incident.occurred_at = data.occurred_at or incident.received_at
    if incident.occurred_at > now:
        raise _bad("occurred_at", "发生时间不能晚于当前时间。", "晚于现在")
    if incident.occurred_at > incident.received_at:
        raise _bad("occurred_at", "发生时间不能晚于接报时间。", "晚于接报时间")
    incident.level = _level(data.level) if data.level is not None else None
    incident.reported_by = actor.user
    clean(incident, exclude=["number"])
    incident.save()
    incident.number = f"YJ{timezone.localtime(incident.received_at):%Y%m%d}{incident.pk:06d}"
    incident.save(update_fields=["number"])
    write.set_target(incident)
    source = Source(incident.source).label
    who = incident.reporting_department.name if incident.reporting_department else str(actor)
    _event(incident, actor, "receive", "接报", f"来源：{source}；报告：{who}", at=incident.received_at)
    reports.clock_start_first(actor=actor, incident=incident)
    return incident


def incident_report(*, actor: Actor, data: IncidentData, received_at: datetime | None = None) -> Incident:
    """接报: the duty room records an incident, or a department (its staff or its system) reports one.

    The 初报 clock (`emergency.first_report`) starts at `received_at` (default now)."""
    with audited_write(actor, EmergencyAction.INCIDENT_REPORT) as write:
        incident = _receive(write, actor, data, received_at, None)
        write.note(number=incident.number, category=incident.category, region=incident.region.code)
    return incident


def incident_from_letter(*, actor: Actor, letter: Letter, data: IncidentData) -> Incident:
    """Turn a 12345 letter into an incident in one step, keeping the link (one incident per letter)."""
    with audited_write(actor, EmergencyAction.INCIDENT_FROM_LETTER, letter) as write:
        locked = write.lock(letter)
        region = _region(data.region_code)
        write.require(access.is_duty_for(actor, region), DUTY_REFUSAL.format(what="将 12345 来信转为突发事件"))
        if Incident.objects.filter(letter=locked).exists():
            raise ApplicationError(
                EmergencyError.LETTER_TAKEN, f"来信 {locked.number} 已转为突发事件。", {"letter": "已转"}
            )
        if not data.description:
            data.description = locked.content
        incident = _receive(write, actor, data, None, locked)
        write.note(number=incident.number, letter=locked.number)
    return incident


def letter_prefill(letter: Letter) -> IncidentData:
    """What a letter already says about the incident (the duty officer completes the rest)."""
    return IncidentData(
        title=letter.title,
        category="",
        region_code="",
        place=letter.location or "",
        description=letter.content,
        source=Source.HOTLINE,
        lat=letter.lat,
        lng=letter.long,
    )


def letter_for_conversion(number: str) -> Letter | None:
    return participation_selectors.letter_by_number(number)


# --- moves ------------------------------------------------------------------------------------


def _lock_for(write: Write, actor: Actor, incident: Incident, move: str, what: str) -> Incident:
    locked = write.lock(incident, "region", "department")
    write.require(access.is_duty_for(actor, locked.region), DUTY_REFUSAL.format(what=what))
    INCIDENT.move(locked, move)
    locked.updated_at = timezone.now()
    return locked


def _simple_move(
    actor: Actor,
    incident: Incident,
    action: EmergencyAction,
    move: str,
    what: str,
    label: str,
    note: str,
    stamp: str = "",
) -> Incident:
    """A move that records only its note on the timeline (and its time in `stamp`, when named)."""
    with audited_write(actor, action, incident) as write:
        locked = _lock_for(write, actor, incident, move, what)
        if stamp:
            setattr(locked, stamp, locked.updated_at)
        locked.save()
        _event(locked, actor, move, label, (note or "").strip()[:2000])
    return locked


def incident_verify(*, actor: Actor, incident: Incident, note: str = "") -> Incident:
    """核实: the duty room has confirmed the facts (by call-back, on site, with the department)."""
    return _simple_move(
        actor, incident, EmergencyAction.INCIDENT_VERIFY, "verify", "核实事件", "核实", note, "verified_at"
    )


def _record_level(write: Write, actor: Actor, locked: Incident, level: object, reason: str) -> LevelChange:
    new = _level(level)
    if locked.level == new and locked.level_changes.exists():
        raise ApplicationError(
            EmergencyError.SAME_LEVEL, f"事件已是{Level(new).label}，无需调整。", {"level": "级别未变"}
        )
    reason = required_text(
        reason, field="reason", what="定级或调整级别的理由", code=EmergencyError.REASON_REQUIRED, max_length=500
    )
    change = LevelChange.objects.create(
        incident=locked,
        from_level=locked.level if locked.level_changes.exists() else None,
        to_level=new,
        reason=reason,
        actor=actor.user,
    )
    locked.level = new
    locked.save()
    _event(locked, actor, "level", f"{change.verb}为{Level(new).label}", reason)
    write.note(from_level=change.from_level, to_level=new, reason=reason)
    return change


def incident_grade(*, actor: Actor, incident: Incident, level: int, reason: str) -> Incident:
    """定级: the verified incident gets its level (Ⅰ–Ⅳ) with the reason (the criteria it meets)."""
    with audited_write(actor, EmergencyAction.INCIDENT_GRADE, incident) as write:
        locked = _lock_for(write, actor, incident, "grade", "为事件定级")
        locked.graded_at = locked.updated_at
        _record_level(write, actor, locked, level, reason)
    reports.clock_regrade_first(actor=actor, incident=locked)
    return locked


def incident_change_level(*, actor: Actor, incident: Incident, level: int, reason: str) -> Incident:
    """升级/降级 with a required reason; each change is a `LevelChange` and an audit event."""
    with audited_write(actor, EmergencyAction.INCIDENT_CHANGE_LEVEL, incident) as write:
        locked = _lock_for(write, actor, incident, "change_level", "调整事件级别")
        _record_level(write, actor, locked, level, reason)
    reports.clock_regrade_first(actor=actor, incident=locked)
    return locked


def incident_start_response(
    *, actor: Actor, incident: Incident, note: str = "", when: datetime | None = None
) -> Incident:
    """启动响应 (by hand, or when a plan is activated: `note` names the plan and its response level).

    Starts the first fixed-time 续报 clock (`emergency.follow_up_report`)."""
    with audited_write(actor, EmergencyAction.INCIDENT_RESPOND, incident) as write:
        locked = _lock_for(write, actor, incident, "respond", "启动应急响应")
        locked.response_started_at = when or locked.updated_at
        locked.save()
        _event(locked, actor, "respond", "启动响应", (note or "").strip()[:2000], at=locked.response_started_at)
    reports.clock_start_follow_up(actor=actor, incident=locked, now=max(timezone.now(), locked.response_started_at))
    return locked


def incident_handle(*, actor: Actor, incident: Incident, note: str = "") -> Incident:
    """转入处置: the response is under way on site (救援、处置)."""
    return _simple_move(actor, incident, EmergencyAction.INCIDENT_HANDLE, "handle", "转入处置", "转入处置", note)


def incident_terminate(*, actor: Actor, incident: Incident, reason: str, when: datetime | None = None) -> Incident:
    """终止 the response (reason required; `when`: the moment it was declared, default now): the
    fixed-time 续报 stops, the 终报 clock starts from then."""
    with audited_write(actor, EmergencyAction.INCIDENT_TERMINATE, incident) as write:
        locked = _lock_for(write, actor, incident, "terminate", "终止应急响应")
        reason = required_text(
            reason, field="reason", what="终止理由", code=EmergencyError.REASON_REQUIRED, max_length=2000
        )
        if when is not None and (when > locked.updated_at or (locked.response_started_at or when) > when):
            raise _bad("when", "终止时间应在启动响应之后、不晚于现在。", "超出范围")
        locked.terminated_at = when or locked.updated_at
        locked.save()
        _event(locked, actor, "terminate", "终止", reason, at=locked.terminated_at)
        # the response ends with it: open dispatch tasks are cancelled, committed resources released
        from zhengwu.emergency.services.dispatch import response_close

        response_close(actor=actor, incident=locked)
    supervision_services.live_timer_cancel(
        actor=actor, target=locked, kind=reports.FOLLOW_UP_CLOCK, reason="应急响应已终止，不再定时续报"
    )
    reports.clock_start_final(actor=actor, incident=locked)
    return locked


def incident_evaluate(*, actor: Actor, incident: Incident, note: str = "") -> Incident:
    """评估: the post-event evaluation is done (its content is the evaluation's own record)."""
    return _simple_move(
        actor, incident, EmergencyAction.INCIDENT_EVALUATE, "evaluate", "完成事后评估", "评估", note, "evaluated_at"
    )
