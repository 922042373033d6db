"""The workbench menu: one entry per page, shown only to the roles that may open it, in groups.

An entry is `(label, URL name, roles)`; its group, a key of `GROUPS`, is taken from the URL's
namespace (`NAMESPACE_GROUPS`), so every app's pages land in their group without naming it (the
groups are shown in that order; an entry's place inside its group is its place in `MENU`). A page
that belongs elsewhere names its group as a fourth item. On a desktop the groups are one line
of drop-down menus; on a phone they are a compact list inside the header's 菜单 (docs/design.md
"页面结构"). A group none of whose pages the user may open is not shown.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from zhengwu.accounts.models import Role
from zhengwu.accounts.session import acting_user

GROUPS: dict[str, str] = {
    "service": "政务服务",
    "open": "政务公开",
    "interaction": "互动交流",
    "documents": "公文",
    "emergency": "应急",
    "supervision": "监察",
    "data": "数据共享",
    "governance": "统筹",
    "system": "系统管理",
}
# The group of an entry that does not name one, by its URL's namespace.
NAMESPACE_GROUPS: dict[str, str] = {
    "eservices_wb": "service",
    "certificates_wb": "service",
    "disclosure_wb": "open",
    "participation_wb": "interaction",
    "documents_wb": "documents",
    "emergency_wb": "emergency",
    "supervision_wb": "supervision",
    "catalog_wb": "data",
    "sharing_wb": "data",
    "store_wb": "data",
    "governance_wb": "governance",
    "workbench": "system",
    "ops_wb": "system",
    "audit_wb": "system",
}
FALLBACK_GROUP = "system"

Entry = tuple[str, str, tuple[str, ...]] | tuple[str, str, tuple[str, ...], str]

MENU: list[Entry] = [
    ("窗口受理", "eservices_wb:window", (Role.CLERK, Role.DEPT_LEADER)),
    ("审批任务", "eservices_wb:tasks", (Role.CLERK, Role.DEPT_LEADER)),
    ("事项管理", "eservices_wb:items", (Role.CLERK, Role.DEPT_LEADER, Role.EGOV_OFFICE)),
    ("电子证照", "certificates_wb:list", (Role.CLERK, Role.DEPT_LEADER)),
    ("好差评整改", "eservices_wb:ratings", (Role.CLERK, Role.DEPT_LEADER, Role.SUPERVISOR)),
    ("信息发布", "disclosure_wb:publications", (Role.CLERK, Role.DEPT_LEADER)),
    ("依申请公开", "disclosure_wb:requests", (Role.CLERK, Role.DEPT_LEADER)),
    ("年度报告", "disclosure_wb:annual_reports", (Role.DEPT_LEADER, Role.EGOV_OFFICE)),
    ("来信办理", "participation_wb:letters", (Role.CLERK, Role.DEPT_LEADER, Role.EGOV_OFFICE)),
    ("意见征集", "participation_wb:consultations", (Role.CLERK, Role.DEPT_LEADER, Role.EGOV_OFFICE)),
    ("问卷调查", "participation_wb:surveys", (Role.CLERK, Role.DEPT_LEADER, Role.EGOV_OFFICE)),
    ("内容审核", "participation_wb:moderation", (Role.EGOV_OFFICE,)),
    ("公文发文", "documents_wb:documents", (Role.CLERK, Role.DEPT_LEADER)),
    ("公文收文", "documents_wb:inbox", (Role.CLERK, Role.DEPT_LEADER)),
    ("电子监察", "supervision_wb:dashboard", (Role.SUPERVISOR, Role.EGOV_OFFICE, Role.DEPT_LEADER)),
    ("督办", "supervision_wb:urgings", (Role.SUPERVISOR, Role.DEPT_LEADER, Role.CLERK)),
    ("投诉处理", "supervision_wb:complaints", (Role.SUPERVISOR,)),
    ("警示曝光", "supervision_wb:exposure", (Role.SUPERVISOR, Role.EGOV_OFFICE)),
    ("绩效评分", "supervision_wb:scorecards", (Role.SUPERVISOR, Role.EGOV_OFFICE, Role.DEPT_LEADER)),
    (
        "资源目录",
        "catalog_wb:index",
        (Role.CLERK, Role.DEPT_LEADER, Role.DATA_OFFICER, Role.EGOV_OFFICE, Role.SUPERVISOR),
    ),
    ("目录审核", "catalog_wb:review", (Role.EGOV_OFFICE,)),
    ("数据加载", "store_wb:resources", (Role.DATA_OFFICER,)),
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
    ("用户管理", "workbench:users", (Role.SYS_ADMIN,)),
    ("角色授权", "workbench:roles", (Role.SEC_ADMIN,)),
    ("接口凭证", "workbench:api_clients", (Role.SYS_ADMIN,)),
    ("工作日历", "workbench:workdays", (Role.SYS_ADMIN,)),
    ("运行监测", "ops_wb:watch", (Role.SYS_ADMIN,)),
    ("审计日志", "audit_wb:log", (Role.AUDIT_ADMIN,)),
    ("一件事", "eservices_wb:bundles", (Role.EGOV_OFFICE,)),
    ("信息系统清单", "governance_wb:systems", (Role.SYSTEMS_OFFICER, Role.DEPT_LEADER, Role.EGOV_OFFICE)),
    ("僵尸系统", "governance_wb:zombies", (Role.EGOV_OFFICE,)),
    ("项目管理", "governance_wb:projects", (Role.EGOV_OFFICE, Role.SYSTEMS_OFFICER, Role.CLERK, Role.DEPT_LEADER)),
    ("考核评估", "governance_wb:evaluations", (Role.EGOV_OFFICE,)),
    ("指挥大屏", "emergency_wb:board", (Role.COMMANDER, Role.DUTY_OFFICER)),
    ("联动任务", "emergency_wb:tasks", (Role.CLERK, Role.DEPT_LEADER, Role.COMMANDER, Role.DUTY_OFFICER)),
    ("应急预案", "emergency_wb:plans", (Role.COMMANDER, Role.DUTY_OFFICER)),
    ("应急资源", "emergency_wb:resources", (Role.COMMANDER, Role.DUTY_OFFICER)),
    ("值班表", "emergency_wb:duty", (Role.CLERK, Role.DEPT_LEADER, Role.COMMANDER, Role.DUTY_OFFICER)),
    ("应急值守", "emergency_wb:incidents", (Role.DUTY_OFFICER, Role.COMMANDER)),
    ("预警发布", "emergency_wb:warnings", (Role.DUTY_OFFICER, Role.COMMANDER)),
    ("突发事件报告", "emergency_wb:incident_new", (Role.CLERK, Role.DEPT_LEADER)),
]


def entry_group(entry: Entry) -> str:
    """The group key of a menu entry: the one it names, else its URL namespace's."""
    if len(entry) == 4:
        return entry[3]
    return NAMESPACE_GROUPS.get(entry[1].split(":", 1)[0], FALLBACK_GROUP)


def workbench_menu(request: HttpRequest) -> dict[str, Any]:
    if not request.path.startswith("/workbench/") or not request.user.is_authenticated:
        return {}
    user = acting_user(request)
    if user.kind != user.Kind.STAFF:
        return {}
    groups: dict[str, dict[str, Any]] = {
        key: {"key": key, "label": label, "items": []} for key, label in GROUPS.items()
    }
    for entry in MENU:
        label, name, roles = entry[0], entry[1], entry[2]
        if not user.has_role(*roles):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:  # a page of an app not installed here is simply not shown
            continue
        group = groups.get(entry_group(entry)) or groups[FALLBACK_GROUP]
        active = request.path.startswith(url)
        group["items"].append({"label": label, "url": url, "active": active})
        group["active"] = group.get("active", False) or active
    return {"workbench_menu": [group for group in groups.values() if group["items"]]}
