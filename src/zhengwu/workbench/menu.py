"""The workbench menu: one entry per page, shown only to the roles that may open it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from zhengwu.accounts.models import Role
from zhengwu.accounts.session import acting_user

MENU: list[tuple[str, str, tuple[str, ...]]] = [
    ("窗口受理", "eservices_wb:window", (Role.CLERK, Role.DEPT_LEADER)),
    ("审批任务", "eservices_wb:tasks", (Role.CLERK, Role.DEPT_LEADER)),
    ("事项管理", "eservices_wb:items", (Role.CLERK, Role.DEPT_LEADER, Role.EGOV_OFFICE)),
    ("一件事", "eservices_wb:bundles", (Role.EGOV_OFFICE,)),
    ("电子证照", "certificates_wb:list", (Role.CLERK, Role.DEPT_LEADER)),
    ("好差评整改", "eservices_wb:ratings", (Role.CLERK, Role.DEPT_LEADER, Role.SUPERVISOR)),
    ("信息发布", "disclosure_wb:publications", (Role.CLERK, Role.DEPT_LEADER)),
    ("依申请公开", "disclosure_wb:requests", (Role.CLERK, Role.DEPT_LEADER)),
    ("年度报告", "disclosure_wb:annual_reports", (Role.DEPT_LEADER, Role.EGOV_OFFICE)),
    ("公文发文", "documents_wb:documents", (Role.CLERK, Role.DEPT_LEADER)),
    ("公文收文", "documents_wb:inbox", (Role.CLERK, Role.DEPT_LEADER)),
    ("来信办理", "participation_wb:letters", (Role.CLERK, Role.DEPT_LEADER, Role.EGOV_OFFICE)),
    ("意见征集", "participation_wb:consultations", (Role.CLERK, Role.DEPT_LEADER, Role.EGOV_OFFICE)),
    ("问卷调查", "participation_wb:surveys", (Role.CLERK, Role.DEPT_LEADER, Role.EGOV_OFFICE)),
    ("内容审核", "participation_wb:moderation", (Role.EGOV_OFFICE,)),
    ("电子监察", "supervision_wb:dashboard", (Role.SUPERVISOR, Role.EGOV_OFFICE, Role.DEPT_LEADER)),
    ("督办", "supervision_wb:urgings", (Role.SUPERVISOR, Role.DEPT_LEADER, Role.CLERK)),
    ("投诉处理", "supervision_wb:complaints", (Role.SUPERVISOR,)),
    ("警示曝光", "supervision_wb:exposure", (Role.SUPERVISOR, Role.EGOV_OFFICE)),
    ("绩效评分", "supervision_wb:scorecards", (Role.SUPERVISOR, Role.EGOV_OFFICE, Role.DEPT_LEADER)),
    ("信息系统清单", "governance_wb:systems", (Role.SYSTEMS_OFFICER, Role.DEPT_LEADER, Role.EGOV_OFFICE)),
    ("僵尸系统", "governance_wb:zombies", (Role.EGOV_OFFICE,)),
    (
        "项目管理",
        "governance_wb:projects",
        (Role.EGOV_OFFICE, Role.SYSTEMS_OFFICER, Role.CLERK, Role.DEPT_LEADER),
    ),
    ("考核评估", "governance_wb:evaluations", (Role.EGOV_OFFICE,)),
    ("指挥大屏", "emergency_wb:board", (Role.COMMANDER, Role.DUTY_OFFICER)),
    ("联动任务", "emergency_wb:tasks", (Role.CLERK, Role.DEPT_LEADER, Role.COMMANDER, Role.DUTY_OFFICER)),
    ("应急预案", "emergency_wb:plans", (Role.COMMANDER, Role.DUTY_OFFICER)),
    ("应急资源", "emergency_wb:resources", (Role.COMMANDER, Role.DUTY_OFFICER)),
    ("值班表", "emergency_wb:duty", (Role.CLERK, Role.DEPT_LEADER, Role.COMMANDER, Role.DUTY_OFFICER)),
    ("应急值守", "emergency_wb:incidents", (Role.DUTY_OFFICER, Role.COMMANDER)),
    ("预警发布", "emergency_wb:warnings", (Role.DUTY_OFFICER, Role.COMMANDER)),
    ("突发事件报告", "emergency_wb:incident_new", (Role.CLERK, Role.DEPT_LEADER)),
    ("用户管理", "workbench:users", (Role.SYS_ADMIN,)),
    ("角色授权", "workbench:roles", (Role.SEC_ADMIN,)),
    ("接口凭证", "workbench:api_clients", (Role.SYS_ADMIN,)),
    ("工作日历", "workbench:workdays", (Role.SYS_ADMIN,)),
    ("运行监测", "ops_wb:watch", (Role.SYS_ADMIN,)),
    ("审计日志", "audit_wb:log", (Role.AUDIT_ADMIN,)),
    ("数据加载", "store_wb:resources", (Role.DATA_OFFICER,)),
    (
        "资源目录",
        "catalog_wb:index",
        (Role.CLERK, Role.DEPT_LEADER, Role.DATA_OFFICER, Role.EGOV_OFFICE, Role.SUPERVISOR),
    ),
    ("目录审核", "catalog_wb:review", (Role.EGOV_OFFICE,)),
    ("共享申请", "sharing_wb:requests", (Role.CLERK, Role.DATA_OFFICER, Role.DEPT_LEADER, Role.EGOV_OFFICE)),
    ("共享答复", "sharing_wb:queue", (Role.DATA_OFFICER, Role.DEPT_LEADER, Role.EGOV_OFFICE)),
    (
        "共享访问日志",
        "sharing_wb:access_log",
        (Role.DATA_OFFICER, Role.DEPT_LEADER, Role.EGOV_OFFICE, Role.AUDIT_ADMIN),
    ),
    (
        "共享统计",
        "sharing_wb:statistics",
        (Role.CLERK, Role.DATA_OFFICER, Role.DEPT_LEADER, Role.EGOV_OFFICE, Role.SUPERVISOR),
    ),
]


def workbench_menu(request: HttpRequest) -> dict[str, Any]:
    if not request.path.startswith("/workbench/") or not request.user.is_authenticated:
        return {}
    user = acting_user(request)
    if user.kind != user.Kind.STAFF:
        return {}
    items = []
    for label, name, roles in MENU:
        if user.has_role(*roles):
            try:
                url = reverse(name)
            except NoReverseMatch:  # a page of an app not installed here is simply not shown
                continue
            items.append({"label": label, "url": url, "active": request.path.startswith(url)})
    return {"workbench_menu": items}
