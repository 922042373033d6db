"""The post-event evaluation (评估): written by the command staff once the response has ended; its
figures are computed from the records and frozen with it (docs/rules.md §15)."""

from __future__ import annotations

from zhengwu.audit.write import audited_write
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, required_text
from zhengwu.emergency import response_selectors
from zhengwu.emergency.audit_actions import EmergencyAction
from zhengwu.emergency.errors import EmergencyError
from zhengwu.emergency.models import Evaluation
from zhengwu.emergency.services import incident_link


def evaluation_create(
    *, actor: Actor, incident: incident_link.Incident, findings: str, lessons: str = ""
) -> Evaluation:
    with audited_write(actor, EmergencyAction.EVALUATION_CREATE, incident) as write:
        locked = write.lock(incident, "region")
        write.require(
            incident_link.is_duty_for(actor, locked), "只有事发地应急管理部门的指挥长或值班员可以开展事后评估。"
        )
        if locked.state not in incident_link.CLOSED_STATES:
            raise ApplicationError(EmergencyError.WRONG_STATE, "应急响应终止后才能开展事后评估。")
        if Evaluation.objects.filter(incident=locked).exists():
            raise ApplicationError(EmergencyError.WRONG_STATE, "该事件已有事后评估。")
        code = EmergencyError.INVALID_INPUT
        evaluation = Evaluation.objects.create(
            incident=locked,
            figures=response_selectors.evaluation_figures(locked),
            findings=required_text(findings, field="findings", what="评估结论", code=code, max_length=5000),
            lessons=(lessons or "").strip()[:5000],
            created_by=actor.user,
        )
        incident_link.mark_evaluated(actor=actor, incident=locked)
        write.note(evaluation=evaluation.pk)
    return evaluation
