"""Audit action names of supervision (events already in the chain keep their names)."""

from __future__ import annotations

from zhengwu.audit.write import AuditAction


class SupervisionAction(AuditAction):
    TIMER_START = "supervision.timer_start"
    TIMER_PAUSE = "supervision.timer_pause"
    TIMER_RESUME = "supervision.timer_resume"
    TIMER_EXTEND = "supervision.timer_extend"
    TIMER_FINISH = "supervision.timer_finish"
    TIMER_CANCEL = "supervision.timer_cancel"
    WORKDAY_OVERRIDE_SET = "supervision.workday_override_set"
    WORKDAY_OVERRIDE_DELETE = "supervision.workday_override_delete"
    WORKDAY_OVERRIDES_LOAD = "supervision.workday_overrides_load"
    URGING_CREATE = "supervision.urging.create"
    URGING_ANSWER = "supervision.urging.answer"
    COMPLAINT_CREATE = "supervision.complaint.create"
    COMPLAINT_FORWARD = "supervision.complaint.forward"
    COMPLAINT_ANSWER = "supervision.complaint.answer"
    COMPLAINT_CONCLUDE = "supervision.complaint.conclude"
    EXPOSURE_PUBLISH = "supervision.exposure.publish"
    EXPOSURE_EXPORT = "supervision.exposure.export"
    SCORECARDS_EXPORT = "supervision.scorecards.export"
