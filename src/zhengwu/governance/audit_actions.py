"""Audit action names of governance (`app.entity.verb`)."""

from __future__ import annotations

from zhengwu.audit.write import AuditAction


class GovernanceAction(AuditAction):
    SYSTEM_REGISTER = "governance.system.register"
    SYSTEM_UPDATE = "governance.system.update"
    SYSTEM_LINK_CLIENT = "governance.system.link_client"
    SYSTEM_UNLINK_CLIENT = "governance.system.unlink_client"
    SYSTEM_CHANGE_STATE = "governance.system.change_state"
    SYSTEM_IMPORT = "governance.system.import"
    ZOMBIE_FIND = "governance.zombie.find"
    ZOMBIE_CONFIRM = "governance.zombie.confirm"
    ZOMBIE_DISMISS = "governance.zombie.dismiss"
    ZOMBIE_SELF_CHECK = "governance.zombie.self_check"
    ZOMBIE_SEND_BACK = "governance.zombie.send_back"
    ZOMBIE_DECIDE = "governance.zombie.decide"
    INDICATOR_SET_CREATE = "governance.indicator_set.create"
    INDICATOR_SAVE = "governance.indicator.save"
    INDICATOR_DELETE = "governance.indicator.delete"
    RUN_START = "governance.run.start"
    RUN_COMPUTE = "governance.run.compute"
    RUN_FAIL = "governance.run.fail"
    RUN_PUBLISH = "governance.run.publish"
    SCORE_ADJUST = "governance.score.adjust"
