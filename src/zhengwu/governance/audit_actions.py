"""Audit action names of governance (`app.entity.verb`)."""

from __future__ import annotations

from zhengwu.audit.write import AuditAction


class GovernanceAction(AuditAction):
    INDICATOR_SET_CREATE = "governance.indicator_set.create"
    INDICATOR_SAVE = "governance.indicator.save"
    INDICATOR_DELETE = "governance.indicator.delete"
    RUN_START = "governance.run.start"
    RUN_COMPUTE = "governance.run.compute"
    RUN_FAIL = "governance.run.fail"
    RUN_PUBLISH = "governance.run.publish"
    SCORE_ADJUST = "governance.score.adjust"
