"""The residents registered in an incident's region (a count, never names): read from the 人口
base through the exchange's sharing layer, under 应急管理厅's grant and logged in its access log
like any other use (docs/rules.md §15)."""

from __future__ import annotations

from zhengwu.audit.write import audited_write
from zhengwu.core import regions
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.emergency.audit_actions import EmergencyAction
from zhengwu.emergency.errors import EmergencyError
from zhengwu.emergency.services import incident_link
from zhengwu.exchange.sharing.counts import count_by_item

POPULATION = "人口基础信息"
REGION_ITEM = "region_code"
PURPOSE = "突发事件应急处置：统计受影响区域户籍人口数"


def region_codes(code: str) -> list[str]:
    """The code and every division under it (a city's counties; the province's cities and counties)."""
    return list(dict.fromkeys([code, *(d.code for d in regions.divisions_under(code))])) if code else []


def population_count(*, actor: Actor, incident: incident_link.Incident) -> int:
    """How many residents are registered (户籍) in the incident's region.

    The count runs outside the audited write's transaction, so that the access log keeps its entry
    (answered or refused) whatever happens here; it runs only for the command staff."""
    department = actor.department
    code = incident_link.region_code_of(incident)
    count: int | None = None
    refusal = ""
    if incident_link.is_duty_for(actor, incident) and department is not None and code:
        try:
            count = count_by_item(
                consumer=department,
                resource_name=POPULATION,
                item_code=REGION_ITEM,
                values=region_codes(code),
                purpose=PURPOSE,
                ip=actor.ip,
            )
        except ApplicationError as error:
            refusal = error.message
    with audited_write(actor, EmergencyAction.POPULATION_COUNT, incident) as write:
        write.require(
            incident_link.is_duty_for(actor, incident), "只有事发地应急管理部门的指挥长或值班员可以统计受影响人口。"
        )
        if not code:
            raise ApplicationError(
                EmergencyError.INVALID_INPUT, "事件未填写所在区划，无法统计人口。", {"region_code": "必填"}
            )
        if count is None:
            raise ApplicationError(
                EmergencyError.NO_GRANT, refusal or "无法统计。", {"population": "未获授权"}, status=403
            )
        write.note(region_code=code, count=count)
    return count
