"""The refusal matrix: who may use each URL and each API operation (docs/design.md rule 9, issue 15).

`test_refusal_matrix.py` walks the URL resolver and the OpenAPI document and fails when a URL or an
operation has no entry here, or an entry names one that no longer exists. Every entry that is not
`Public` is then requested by each of its `refused` people, who must be turned away without anything
being written.

Entries are keyed by the URL's route as the resolver spells it (the prefixes of the includes joined
to the pattern; the paths do not change when a module or a namespace is renamed), and API operations
by `"METHOD /api/v1/path"` as in the OpenAPI document.

The people (`PERSONAS`) are the one cast of `zhengwu/conftest.py` plus a few the matrix needs
(`market_plain` and `police_plain`: staff of a department holding no role; `police_leader`) and
API clients with and without a scope. The objects the URLs name belong to 市场监管厅 (`market`)
unless said otherwise: staff of 公安厅 are "another department".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zhengwu.accounts.models import Role

# person → (department, roles); department None for the public.
STAFF: dict[str, tuple[str, frozenset[str]]] = {
    "market_clerk": ("market", frozenset({Role.CLERK})),
    "market_leader": ("market", frozenset({Role.DEPT_LEADER})),
    "market_officer": ("market", frozenset({Role.DATA_OFFICER})),
    "market_plain": ("market", frozenset()),
    "sys_admin": ("market", frozenset({Role.SYS_ADMIN})),
    "sec_admin": ("market", frozenset({Role.SEC_ADMIN})),
    "audit_admin": ("market", frozenset({Role.AUDIT_ADMIN})),
    "police_clerk": ("police", frozenset({Role.CLERK})),
    "police_leader": ("police", frozenset({Role.DEPT_LEADER})),
    "police_officer": ("police", frozenset({Role.DATA_OFFICER})),
    "police_plain": ("police", frozenset()),
    "egov": ("office", frozenset({Role.EGOV_OFFICE})),
    "supervisor": ("office", frozenset({Role.SUPERVISOR})),
    "office_plain": ("office", frozenset()),
    "market_systems": ("market", frozenset({Role.SYSTEMS_OFFICER})),
    "police_systems": ("police", frozenset({Role.SYSTEMS_OFFICER})),
    # 应急管理厅 (the province's duty room) and 长春市应急管理局 (a city's: another city's duty officer
    # for the incidents of 吉林市 the matrix uses)
    "duty_officer": ("emergency", frozenset({Role.DUTY_OFFICER})),
    "commander": ("emergency", frozenset({Role.COMMANDER})),
    "cc_duty": ("cc_emergency", frozenset({Role.DUTY_OFFICER})),
}
PUBLIC_PEOPLE = ("citizen", "outsider", "company")
# API clients (bearer tokens): department and scopes.
CLIENTS = {
    "client_no_scope": ("police", ()),
    "client_directory": ("police", ("directory:read",)),
    "client_query": ("office", ("exchange:query",)),  # holds the scope, no grant for the resource asked
    "client_granted": ("police", ("exchange:query",)),  # holds the scope and 公安厅's grant
    "client_write": ("police", ("exchange:write",)),  # holds the scope, writes to 市场监管厅's resource
    "client_provider": ("market", ("exchange:write",)),  # 市场监管厅's own system (it loads the one record)
    "client_submit": ("police", ("participation:submit",)),
    "client_documents": ("market", ("documents:exchange",)),  # 市场监管厅's OA system
    "client_inventory": ("market", ("governance:inventory",)),  # 市场监管厅's inventory sync
    "client_inventory_police": ("police", ("governance:inventory",)),  # 公安厅's, another department
    "client_emergency": ("police", ("emergency:report",)),  # 公安厅's system, reporter of the matrix's incident
    "client_emergency_other": ("market", ("emergency:report",)),  # holds the scope, another department
    "client_tasks": ("police", ("emergency:tasks",)),  # 公安厅's system: the matrix's dispatch task is 公安厅's
    "client_tasks_other": ("market", ("emergency:tasks",)),  # holds the scope, another department
    "client_witness": ("market", ("audit:witness",)),  # holds the scope, not registered as a witness peer
}
# market_new: staff of 市场监管厅 who has not enrolled a second factor yet (logged in, no device).
PERSONAS = ("anonymous", *PUBLIC_PEOPLE, *STAFF, "market_new", *CLIENTS)
# Roles bound to a department: staff of another department holding them must still be refused.
DEPARTMENT_ROLES = frozenset({Role.CLERK, Role.DEPT_LEADER, Role.DATA_OFFICER, Role.SYSTEMS_OFFICER})


@dataclass(frozen=True)
class Public:
    """Anyone may use it (the portal, login, public reads)."""

    why: str


@dataclass(frozen=True)
class Guarded:
    """Only `who` may use it; each of `refused` must be turned away and write nothing.

    `allowed` is someone who may use it: a GET by them must answer 200, which proves the URL's
    objects exist (so a refusal is not just a missing object); `ok` says what else it may answer.
    `args` names the `World` builder of the URL's arguments; `verbs` gives one request per value
    of the URL argument `verb_arg`. `body` is what a POST sends (a dict, or the name of a `World`
    builder), `headers` what every request sends besides the credentials.

    A list that everyone of a role may open (their own department's rows) names in `hidden` an
    object it shows to `allowed` and must not show to `hidden_from` (staff of another department,
    another citizen): they get the page without it.
    """

    who: str
    refused: tuple[str, ...]
    allowed: str = ""
    args: str = ""
    get: bool = True
    post: bool = False
    verbs: tuple[str, ...] = ()
    verb_arg: str = "verb"
    body: dict[str, Any] | str = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    query: str = ""
    ok: tuple[int, ...] = (200,)
    hidden: str = ""
    hidden_from: tuple[str, ...] = ()


Entry = Public | Guarded


def _department_staff(department: str) -> list[str]:
    return [name for name, (dept, _) in STAFF.items() if dept == department]


def staff(
    *roles: str,
    of: str = "market",
    scoped: bool = True,
    allowed: str = "",
    refused_also: tuple[str, ...] = (),
    **kwargs: Any,
) -> Guarded:
    """Staff holding one of `roles` (any staff when none); `scoped`: only of the object's department `of`.

    Refused: the anonymous visitor, a citizen (an enterprise agent meets the same check: not
    staff), staff of department `of` without the role (one holding no role, one holding another),
    and when `scoped` staff of another department holding the role.
    """
    wanted = frozenset(roles)
    holders = [name for name in _department_staff(of) if not wanted or STAFF[name][1] & wanted]
    refused: list[str] = ["anonymous", "citizen"]
    if wanted:
        lacking = [name for name in _department_staff(of) if not STAFF[name][1] & wanted]
        refused += lacking[:2] if lacking[0].endswith("_plain") else [f"{of}_plain", lacking[0]]
    if scoped:
        other = "police" if of != "police" else "market"
        bound = wanted & DEPARTMENT_ROLES if wanted else frozenset(DEPARTMENT_ROLES)
        others = [name for name in _department_staff(other) if STAFF[name][1] & bound]
        refused += others[:1]
    refused += list(refused_also)
    text = "、".join(str(Role(r).label) for r in roles) if roles else "任何工作人员"
    who = f"{text}（{'本部门' if scoped else '不限部门'}）"
    return Guarded(who=who, refused=tuple(dict.fromkeys(refused)), allowed=allowed or holders[0], **kwargs)


def owner(args: str, *, allowed: str = "citizen", staff: str = "market_clerk", **kwargs: Any) -> Guarded:
    """Only the person the object belongs to (`allowed`): refused are the anonymous visitor,
    another citizen and `staff` (by default a clerk of the department that handles it)."""
    refused = ("anonymous", "outsider", staff)
    return Guarded(who="本人", refused=refused, allowed=allowed, args=args, **kwargs)


def person(*, allowed: str = "citizen", **kwargs: Any) -> Guarded:
    """Any logged-in person (their own things only): refused is the anonymous visitor."""
    return Guarded(who="任何已登录的人（只涉及本人）", refused=("anonymous",), allowed=allowed, **kwargs)


def citizen_only(**kwargs: Any) -> Guarded:
    """A citizen or enterprise agent (not staff, not anonymous)."""
    return Guarded(who="公众（自然人、法人）", refused=("anonymous", "market_clerk"), allowed="citizen", **kwargs)


def duty_room(who: str, *, refused_also: tuple[str, ...] = (), allowed: str = "duty_officer", **kw: Any) -> Guarded:
    """Emergency: the duty room covering the matrix's incident in 吉林市 (应急管理厅's `duty_officer`);
    refused are the anonymous visitor, a citizen, another city's duty officer and another department."""
    refused = ("anonymous", "citizen", "cc_duty", "market_clerk", *refused_also)
    return Guarded(who=who, refused=refused, allowed=allowed, **kw)


P = Public
HANDLERS = (Role.CLERK, Role.DEPT_LEADER)
SYSTEMS = (Role.SYSTEMS_OFFICER, Role.DEPT_LEADER)  # a department's 信息化管理员 and its leader
INVENTORY = (*SYSTEMS, Role.EGOV_OFFICE)
# who must not see 市场监管厅's rows (or the citizen's) in a list they may open
CLERK = ("police_clerk",)
OFFICER = ("police_officer",)
OUTSIDER = ("outsider",)
PROJECT_STAFF = (Role.SYSTEMS_OFFICER, Role.CLERK, Role.DEPT_LEADER)
PROJECT_ROLES = (*PROJECT_STAFF, Role.EGOV_OFFICE)

# the response half of emergency: the command staff (值班员、指挥长), the departments with a task
COMMAND = "值班员、指挥长"
NOT_COMMAND = ("anonymous", "citizen", "market_clerk", "police_leader")
COMMAND_HERE = "事发地辖区的值班员、指挥长"
NOT_COMMAND_HERE = ("anonymous", "citizen", "cc_duty", "market_clerk")
TASK_HOLDER = "任务承担部门的文书、负责人（或其系统）"
NOT_TASK_HOLDER = ("anonymous", "citizen", "market_clerk", "police_plain", "cc_duty")

URLS: dict[str, Entry] = {
    "healthz": P("health check for the load balancer"),
    "api/v1/openapi.json": P("the API's public description"),
    "api/v1/docs": P("the API's public description"),
    "api/v1/": P("the API's root"),
    # accounts
    "accounts/login/": P("login"),
    "accounts/logout/": P("logging out ends one's own session only"),
    # the second factor of one's own account: a staff member's step after the password
    "accounts/otp/": person(post=True, allowed="market_clerk"),
    "accounts/otp/enrol/": Guarded(
        who="a logged-in staff member without a second factor yet",
        refused=("anonymous", "citizen"),
        allowed="market_new",
        post=True,
    ),
    "accounts/register/": P("registration"),
    "accounts/register/enterprise/": P("registration"),
    "accounts/phone-code/": P("registration: a text message code, rate-limited"),
    "accounts/password/": person(post=True),
    # django-simple-captcha (the login CAPTCHA after repeated failures, accounts/lockout.py)
    "captcha/image/(?P<key>\\w+)/$": P("the login CAPTCHA's image, by its one-time key"),
    "captcha/image/(?P<key>\\w+)@2/$": P("the login CAPTCHA's image at twice the size"),
    "captcha/audio/(?P<key>\\w+).wav$": P(
        "the login CAPTCHA read aloud in Mandarin (accounts/captcha.py), by its one-time key"
    ),
    "captcha/refresh/$": P("a new login CAPTCHA"),
    # audit
    "workbench/audit/": staff(Role.AUDIT_ADMIN, scoped=False),
    "workbench/audit/export/": staff(Role.AUDIT_ADMIN, scoped=False),
    "workbench/audit/<int:seq>/": staff(Role.AUDIT_ADMIN, scoped=False, args="audit_event"),
    # exchange: data store
    "workbench/exchange/data/": staff(Role.DATA_OFFICER, scoped=False, hidden="store_resource", hidden_from=OFFICER),
    "workbench/exchange/data/upload/<int:resource_id>/": staff(Role.DATA_OFFICER, args="store_resource", post=True),
    "workbench/exchange/data/jobs/<int:job_id>/": staff(Role.DATA_OFFICER, args="load_job"),
    "workbench/exchange/data/jobs/<int:job_id>/errors.<str:fmt>": staff(Role.DATA_OFFICER, args="load_job_report"),
    # catalog
    r"^catalog/resource/(?P<code>\d{1,12}/\d{3,6})/$": P("the public catalog"),
    "catalog/": P("the public catalog"),
    r"catalog/^resource/(?P<code>\d{1,12}/\d{3,6})/$": P("the public catalog"),
    "catalog/dcat.jsonld": P("the public catalog"),
    r"catalog/^export\.(?P<fmt>xlsx|json)$": P("the public catalog"),
    "workbench/catalog/": staff(scoped=False, allowed="market_officer", hidden="catalog_draft", hidden_from=OFFICER),
    "workbench/catalog/new/": staff(Role.DATA_OFFICER, scoped=False, post=True),
    "workbench/catalog/review/": staff(Role.EGOV_OFFICE, of="office", scoped=False),
    "workbench/catalog/import/": staff(Role.DATA_OFFICER, scoped=False, post=True),
    "workbench/catalog/template.xlsx": staff(scoped=False),
    r"workbench/catalog/^export\.(?P<fmt>xlsx|json)$": staff(scoped=False, args="xlsx"),
    "workbench/catalog/<int:pk>/": staff(args="catalog_draft", allowed="market_officer"),
    "workbench/catalog/<int:pk>/edit/": staff(Role.DATA_OFFICER, args="catalog_draft", post=True),
    "workbench/catalog/<int:pk>/versions/<int:number>/": staff(args="catalog_version", allowed="market_officer"),
    "workbench/catalog/<int:pk>/submit/": staff(Role.DATA_OFFICER, args="catalog_draft", get=False, post=True),
    "workbench/catalog/<int:pk>/approve/": staff(
        Role.EGOV_OFFICE, of="office", scoped=False, args="catalog_submitted", get=False, post=True
    ),
    "workbench/catalog/<int:pk>/reject/": staff(
        Role.EGOV_OFFICE, of="office", scoped=False, args="catalog_submitted", get=False, post=True
    ),
    "workbench/catalog/<int:pk>/publish/": staff(
        Role.EGOV_OFFICE, Role.DATA_OFFICER, args="catalog_approved", get=False, post=True
    ),
    "workbench/catalog/<int:pk>/revise/": staff(Role.DATA_OFFICER, args="catalog_published", get=False, post=True),
    "workbench/catalog/<int:pk>/withdraw/": staff(
        Role.EGOV_OFFICE, Role.DATA_OFFICER, args="catalog_published", get=False, post=True
    ),
    "workbench/catalog/<int:pk>/delete/": staff(Role.DATA_OFFICER, args="catalog_draft", get=False, post=True),
    # exchange: sharing. The share request, grant and objection are 公安厅's (the consumer) on a
    # resource of 市场监管厅 (the provider).
    "workbench/exchange/sharing/requests/": staff(
        Role.CLERK, Role.DATA_OFFICER, Role.DEPT_LEADER, Role.EGOV_OFFICE, scoped=False, post=True
    ),
    "workbench/exchange/sharing/requests/<int:pk>/withdraw/": staff(
        Role.CLERK,
        Role.DATA_OFFICER,
        Role.DEPT_LEADER,
        Role.EGOV_OFFICE,
        of="police",
        args="share_request",
        get=False,
        post=True,
    ),
    "workbench/exchange/sharing/queue/": staff(
        Role.DATA_OFFICER,
        Role.DEPT_LEADER,
        Role.EGOV_OFFICE,
        scoped=False,
        allowed="market_officer",
        hidden="share_request",
        hidden_from=("police_leader",),
    ),
    "workbench/exchange/sharing/queue/<int:pk>/decide/": staff(
        Role.DATA_OFFICER, Role.DEPT_LEADER, args="share_request", get=False, post=True
    ),
    "workbench/exchange/sharing/queue/<int:pk>/coordinate/": staff(
        Role.EGOV_OFFICE,
        of="office",
        scoped=False,
        args="share_request",
        get=False,
        post=True,
        refused_also=("market_officer",),
    ),
    "workbench/exchange/sharing/grants/": staff(
        Role.CLERK, Role.DATA_OFFICER, Role.DEPT_LEADER, Role.EGOV_OFFICE, scoped=False
    ),
    "workbench/exchange/sharing/grants/<int:pk>/revoke/": staff(
        Role.DATA_OFFICER, Role.DEPT_LEADER, args="grant", get=False, post=True
    ),
    "workbench/exchange/sharing/objections/": staff(
        Role.CLERK, Role.DATA_OFFICER, Role.DEPT_LEADER, Role.EGOV_OFFICE, scoped=False, post=True
    ),
    "workbench/exchange/sharing/objections/<int:pk>/resolve/": staff(
        Role.DATA_OFFICER, Role.DEPT_LEADER, args="objection", get=False, post=True
    ),
    "workbench/exchange/sharing/access-log/": staff(
        Role.DATA_OFFICER, Role.DEPT_LEADER, Role.EGOV_OFFICE, Role.AUDIT_ADMIN, scoped=False
    ),
    "workbench/exchange/sharing/access-log/export.xlsx": staff(
        Role.DATA_OFFICER, Role.DEPT_LEADER, Role.EGOV_OFFICE, Role.AUDIT_ADMIN, scoped=False
    ),
    "workbench/exchange/sharing/statistics/": staff(
        Role.CLERK, Role.DATA_OFFICER, Role.DEPT_LEADER, Role.EGOV_OFFICE, Role.SUPERVISOR, scoped=False
    ),
    "my/data-use/": person(),
    # 我的数据 (portal/mydata_views.py): a citizen's or agent's own data only
    "my/data/": citizen_only(),
    "^my/data/export\\.(?P<fmt>json|xlsx)$": citizen_only(args="xlsx"),
    "my/data/correction/": citizen_only(get=False, post=True),
    "my/data/close/": citizen_only(get=False, post=True),
    # eservices: staff
    "workbench/eservices/window/": staff(
        *HANDLERS, scoped=False, query="?state=processing", hidden="application", hidden_from=CLERK
    ),
    "workbench/eservices/window/export/": staff(*HANDLERS, scoped=False),
    "workbench/eservices/cases/<int:pk>/": staff(*HANDLERS, Role.SUPERVISOR, args="application"),
    "workbench/eservices/cases/<int:pk>/<str:verb>/": staff(
        *HANDLERS,
        args="application",
        get=False,
        post=True,
        verbs=("accept", "refuse", "correction", "approve", "deny"),
    ),
    "workbench/eservices/materials/<int:pk>/": staff(*HANDLERS, Role.SUPERVISOR, args="application_material"),
    "workbench/eservices/tasks/": staff(*HANDLERS, scoped=False, hidden="application", hidden_from=CLERK),
    "workbench/eservices/tasks/<int:pk>/": staff(*HANDLERS, args="case_task"),
    "workbench/eservices/tasks/<int:pk>/<str:verb>/": staff(
        *HANDLERS,
        args="case_task",
        get=False,
        post=True,
        verbs=("claim", "approve", "reject", "special", "special_end"),
    ),
    "workbench/eservices/items/": staff(
        *HANDLERS, Role.EGOV_OFFICE, scoped=False, hidden="item_draft", hidden_from=CLERK
    ),
    "workbench/eservices/items/import/": staff(*HANDLERS, scoped=False, post=True),
    "workbench/eservices/items/template/": staff(*HANDLERS, scoped=False),
    "workbench/eservices/items/<int:pk>/": staff(*HANDLERS, Role.EGOV_OFFICE, args="item"),
    "workbench/eservices/items/<int:pk>/edit/": staff(*HANDLERS, args="item_draft", post=True),
    "workbench/eservices/items/<int:pk>/materials/<int:material_pk>/files/": staff(
        *HANDLERS, args="item_material", get=False, post=True
    ),
    "workbench/eservices/material-files/<int:pk>/": staff(*HANDLERS, Role.EGOV_OFFICE, args="material_file"),
    "workbench/eservices/items/<int:pk>/guide/": staff(*HANDLERS, Role.EGOV_OFFICE, args="item", post=True),
    "workbench/eservices/items/<int:pk>/results/<int:result_pk>/sample/": staff(
        *HANDLERS, Role.EGOV_OFFICE, args="item_result", get=False, post=True
    ),
    "workbench/eservices/items/<int:pk>/<str:verb>/": staff(
        *HANDLERS, Role.EGOV_OFFICE, args="item_draft", get=False, post=True, verbs=("publish", "withdraw")
    ),
    # 一件事 are defined by the e-gov office only
    "workbench/eservices/bundles/": staff(Role.EGOV_OFFICE, of="office", scoped=False),
    "workbench/eservices/bundles/new/": staff(Role.EGOV_OFFICE, of="office", scoped=False, post=True),
    "workbench/eservices/bundles/<int:pk>/": staff(
        Role.EGOV_OFFICE, of="office", scoped=False, args="bundle", post=True
    ),
    "workbench/eservices/ratings/": staff(
        *HANDLERS, Role.SUPERVISOR, scoped=False, hidden="application", hidden_from=CLERK
    ),
    "workbench/eservices/ratings/<int:pk>/": staff(*HANDLERS, Role.SUPERVISOR, args="rectification"),
    "workbench/eservices/ratings/<int:pk>/<str:verb>/": staff(
        *HANDLERS,
        Role.SUPERVISOR,
        args="rectification",
        get=False,
        post=True,
        verbs=("complete", "appeal", "uphold", "reject"),
    ),
    # documents (电子公文): the sender's and the recipient's 文书 and leaders
    "workbench/documents/": staff(*HANDLERS, scoped=False),
    "workbench/documents/new/": staff(Role.CLERK, scoped=False, post=True),
    "workbench/documents/<int:pk>/": staff(*HANDLERS, args="document"),
    "workbench/documents/<int:pk>/edit/": staff(Role.CLERK, args="document", post=True),
    r"workbench/documents/^(?P<pk>\d+)/(?P<verb>submit|approve|send_back|to_signer|countersign|sign|check|register|print|issue|attach)/$": staff(  # noqa: E501
        *HANDLERS,
        args="document",
        get=False,
        post=True,
        verbs=("submit", "approve", "send_back", "to_signer", "sign", "check", "register", "print", "issue", "attach"),
    ),
    # not printed yet in the world: who may gets 404 "尚未印制"; the others are refused before that
    r"workbench/documents/^(?P<pk>\d+)/file/(?P<which>pdf|seal)/$": staff(*HANDLERS, args="document_file", ok=(404,)),
    "workbench/documents/inbox/": staff(*HANDLERS, scoped=False),
    # governance: 考核评估 (the e-gov office; published results are public) and e-gov projects
    "evaluations/": P("published evaluation results"),
    "evaluations/compare/": P("published evaluation results"),
    "evaluations/<int:run_id>/": P("published evaluation results"),
    "evaluations/<int:run_id>/ranking.xlsx": P("published evaluation results (a draft run's: 404)"),
    "evaluations/<int:run_id>/departments/<int:department_id>/": P("published evaluation results"),
    "evaluations/<int:run_id>/departments/<int:department_id>/report.pdf": P("published evaluation results"),
    "evaluations/<int:run_id>/departments/<int:department_id>/report.xlsx": P("published evaluation results"),
    "workbench/governance/evaluations/": staff(Role.EGOV_OFFICE, of="office", scoped=False),
    "workbench/governance/evaluations/sets/new/": staff(
        Role.EGOV_OFFICE, of="office", scoped=False, get=False, post=True
    ),
    "workbench/governance/evaluations/sets/<int:pk>/": staff(
        Role.EGOV_OFFICE, of="office", scoped=False, args="indicator_set", post=True
    ),
    "workbench/governance/evaluations/indicators/<int:pk>/": staff(
        Role.EGOV_OFFICE, of="office", scoped=False, args="indicator", post=True
    ),
    "workbench/governance/evaluations/runs/new/": staff(
        Role.EGOV_OFFICE, of="office", scoped=False, get=False, post=True
    ),
    "workbench/governance/evaluations/runs/<int:pk>/": staff(Role.EGOV_OFFICE, of="office", scoped=False, args="run"),
    "workbench/governance/evaluations/runs/<int:pk>/ranking.xlsx": staff(
        Role.EGOV_OFFICE, of="office", scoped=False, args="run"
    ),
    r"workbench/governance/^evaluations/runs/(?P<pk>\d+)/(?P<verb>publish|recompute)/$": staff(
        Role.EGOV_OFFICE, of="office", scoped=False, args="run", get=False, post=True, verbs=("publish", "recompute")
    ),
    "workbench/governance/evaluations/scores/<int:pk>/": staff(
        Role.EGOV_OFFICE, of="office", scoped=False, args="score", post=True
    ),
    "workbench/governance/projects/": staff(*PROJECT_ROLES, scoped=False, hidden="project", hidden_from=CLERK),
    "workbench/governance/projects/new/": staff(*PROJECT_STAFF, scoped=False, post=True),
    "workbench/governance/projects/<int:pk>/": staff(*PROJECT_ROLES, args="project"),
    "workbench/governance/projects/<int:pk>/edit/": staff(*PROJECT_STAFF, args="project", post=True),
    # no file stored in the world: who may gets 404; the others are refused before that
    "workbench/governance/projects/<int:pk>/documents/<int:document_id>/": staff(
        *PROJECT_ROLES, args="project_document", ok=(404,)
    ),
    r"workbench/governance/^projects/(?P<pk>\d+)/(?P<verb>submit|review|reject|send_back|approve|confirm_filing|establish|start_building|milestone|report|request_acceptance|accept|evaluate|link_data|link_system|attach)/$": staff(  # noqa: E501
        *PROJECT_ROLES,
        args="project",
        get=False,
        post=True,
        verbs=(
            "submit",
            "review",
            "reject",
            "send_back",
            "approve",
            "confirm_filing",
            "establish",
            "start_building",
            "milestone",
            "report",
            "request_acceptance",
            "accept",
            "evaluate",
            "link_data",
            "link_system",
            "attach",
        ),
    ),
    "workbench/documents/inbox/<int:pk>/": staff(*HANDLERS, args="delivery"),
    r"workbench/documents/^inbox/(?P<pk>\d+)/(?P<verb>sign|return|register|review|instruct|assign|read|urge|handler_done|finish|archive)/$": staff(  # noqa: E501
        *HANDLERS,
        args="delivery",
        get=False,
        post=True,
        verbs=(
            "sign",
            "return",
            "register",
            "review",
            "instruct",
            "assign",
            "read",
            "urge",
            "handler_done",
            "finish",
            "archive",
        ),
    ),
    # governance: the systems inventory (信息系统清单) and the zombie reviews (僵尸系统核查)
    "workbench/governance/systems/": staff(
        *INVENTORY, scoped=False, allowed="market_systems", hidden="system", hidden_from=("police_systems",)
    ),
    "workbench/governance/systems/new/": staff(*SYSTEMS, scoped=False, allowed="market_systems", post=True),
    "workbench/governance/systems/<int:pk>/": staff(
        *INVENTORY, args="system", allowed="market_systems", refused_also=("police_systems",)
    ),
    "workbench/governance/systems/<int:pk>/edit/": staff(
        *SYSTEMS, args="system", allowed="market_systems", post=True, refused_also=("police_systems", "egov")
    ),
    r"workbench/governance/^systems/(?P<pk>\d+)/(?P<verb>link|unlink|start|stop|resume)/$": staff(
        *SYSTEMS,
        args="system",
        get=False,
        post=True,
        verbs=("link", "unlink", "start", "stop", "resume"),
        refused_also=("police_systems", "egov"),
    ),
    "workbench/governance/systems/import/": staff(*SYSTEMS, scoped=False, allowed="market_systems", post=True),
    "workbench/governance/systems/import/template/": staff(*SYSTEMS, scoped=False, allowed="market_systems"),
    "workbench/governance/systems/export/": staff(*INVENTORY, scoped=False, allowed="market_systems"),
    "workbench/governance/systems/overview/": staff(Role.EGOV_OFFICE, of="office", scoped=False),
    "workbench/governance/zombies/": staff(
        *INVENTORY, scoped=False, allowed="market_systems", hidden="system", hidden_from=("police_systems",)
    ),
    "workbench/governance/zombies/<int:pk>/": staff(
        *INVENTORY, args="zombie", allowed="market_systems", refused_also=("police_systems",)
    ),
    r"workbench/governance/^zombies/(?P<pk>\d+)/(?P<verb>confirm|dismiss|self_check|send_back|decide)/$": staff(
        *INVENTORY,
        args="zombie",
        get=False,
        post=True,
        verbs=("confirm", "dismiss", "self_check", "send_back", "decide"),
        refused_also=("police_systems",),
    ),
    "workbench/documents/search/": staff(*HANDLERS, scoped=False),
    "workbench/documents/statistics/": staff(*HANDLERS, scoped=False),
    "documents/verify/": P("anyone holding a document checks its seal"),
    # disclosure: staff
    "workbench/disclosure/publications/": staff(*HANDLERS, scoped=False, hidden="publication", hidden_from=CLERK),
    "workbench/disclosure/publications/new/": staff(*HANDLERS, scoped=False, post=True),
    "workbench/disclosure/publications/<int:pk>/": staff(*HANDLERS, args="publication"),
    "workbench/disclosure/publications/<int:pk>/edit/": staff(*HANDLERS, args="publication", post=True),
    r"workbench/disclosure/^publications/(?P<pk>\d+)/(?P<verb>publish|withdraw|validity|delete|attach)/$": staff(
        *HANDLERS,
        args="publication",
        get=False,
        post=True,
        verbs=("publish", "withdraw", "validity", "delete", "attach"),
    ),
    "workbench/disclosure/attachments/<int:pk>/delete/": staff(*HANDLERS, args="attachment", get=False, post=True),
    "workbench/disclosure/requests/": staff(*HANDLERS, scoped=False, hidden="disclosure_request", hidden_from=CLERK),
    "workbench/disclosure/requests/register/": staff(*HANDLERS, scoped=False, post=True),
    "workbench/disclosure/requests/<int:pk>/": staff(*HANDLERS, args="disclosure_request"),
    r"workbench/disclosure/^requests/(?P<pk>\d+)/(?P<verb>confirm|correction|corrected|extend|consult_start|consult_end|answer|close)/$": staff(  # noqa: E501
        *HANDLERS,
        args="disclosure_request",
        get=False,
        post=True,
        verbs=("confirm", "correction", "corrected", "extend", "consult_start", "consult_end", "answer", "close"),
    ),
    "workbench/disclosure/reports/": staff(Role.DEPT_LEADER, Role.EGOV_OFFICE, scoped=False),
    "workbench/disclosure/reports/<int:department_id>/<int:year>/": staff(
        Role.DEPT_LEADER, Role.EGOV_OFFICE, args="annual_report", post=True
    ),
    "workbench/disclosure/reports/<int:department_id>/<int:year>.xlsx": staff(
        Role.DEPT_LEADER, Role.EGOV_OFFICE, args="annual_report"
    ),
    # participation: staff. The letter came in through the e-gov office (12345) and was
    # dispatched to 市场监管厅.
    "workbench/participation/letters/": staff(
        *HANDLERS, Role.EGOV_OFFICE, Role.SUPERVISOR, scoped=False, hidden="letter", hidden_from=CLERK
    ),
    "workbench/participation/letters/<int:pk>/": staff(*HANDLERS, Role.EGOV_OFFICE, Role.SUPERVISOR, args="letter"),
    "workbench/participation/letters/<int:pk>/photos/<int:photo_pk>/": staff(
        *HANDLERS, Role.EGOV_OFFICE, Role.SUPERVISOR, args="letter_photo"
    ),
    "workbench/participation/letters/<int:pk>/<slug:action>/": staff(
        *HANDLERS,
        Role.EGOV_OFFICE,
        args="letter",
        get=False,
        post=True,
        verb_arg="action",
        verbs=(
            "accept",
            "refuse",
            "dispatch",
            "sign",
            "return",
            "extension_request",
            "extension_approve",
            "extension_refuse",
            "reply",
            "reopen",
            "complete",
            "publish",
            "callback",
        ),
    ),
    "workbench/participation/consultations/": staff(
        *HANDLERS, Role.EGOV_OFFICE, scoped=False, post=True, hidden="consultation", hidden_from=CLERK
    ),
    "workbench/participation/consultations/<int:pk>/": staff(*HANDLERS, Role.EGOV_OFFICE, args="consultation"),
    "workbench/participation/consultations/<int:pk>/<slug:action>/": staff(
        *HANDLERS,
        Role.EGOV_OFFICE,
        args="consultation",
        get=False,
        post=True,
        verb_arg="action",
        verbs=("publish", "close", "summary"),
    ),
    "workbench/participation/comments/<int:pk>/decide/": staff(
        *HANDLERS, Role.EGOV_OFFICE, args="comment", get=False, post=True
    ),
    "workbench/participation/surveys/": staff(
        *HANDLERS, Role.EGOV_OFFICE, scoped=False, post=True, hidden="survey", hidden_from=CLERK
    ),
    "workbench/participation/surveys/<int:pk>/": staff(*HANDLERS, Role.EGOV_OFFICE, args="survey"),
    "workbench/participation/surveys/<int:pk>/<slug:action>/": staff(
        *HANDLERS, Role.EGOV_OFFICE, args="survey", get=False, post=True, verb_arg="action", verbs=("open", "close")
    ),
    "workbench/participation/moderation/": staff(Role.EGOV_OFFICE, of="office", scoped=False),
    "workbench/participation/moderation/words/": staff(
        Role.EGOV_OFFICE, of="office", scoped=False, post=True, refused_also=("market_clerk",)
    ),
    "workbench/participation/moderation/words/<int:pk>/remove/": staff(
        Role.EGOV_OFFICE,
        of="office",
        scoped=False,
        args="sensitive_word",
        get=False,
        post=True,
        refused_also=("market_clerk",),
    ),
    "workbench/participation/moderation/<slug:kind>/<int:pk>/<slug:action>/": staff(
        Role.EGOV_OFFICE,
        of="office",
        scoped=False,
        args="moderation",
        get=False,
        post=True,
        refused_also=("market_clerk",),
    ),
    # supervision: staff
    "workbench/supervision/": staff(Role.SUPERVISOR, Role.EGOV_OFFICE, Role.DEPT_LEADER, scoped=False),
    "workbench/supervision/departments/<int:pk>/": staff(
        Role.SUPERVISOR, Role.EGOV_OFFICE, Role.DEPT_LEADER, args="department"
    ),
    "workbench/supervision/timers/<int:pk>/": staff(Role.SUPERVISOR, Role.EGOV_OFFICE, Role.DEPT_LEADER, args="timer"),
    "workbench/supervision/timers/<int:pk>/urge/": staff(
        Role.SUPERVISOR,
        of="office",
        scoped=False,
        args="timer",
        get=False,
        post=True,
        refused_also=("market_leader",),
    ),
    "workbench/supervision/urgings/": staff(
        Role.SUPERVISOR,
        Role.EGOV_OFFICE,
        Role.DEPT_LEADER,
        Role.CLERK,
        scoped=False,
        allowed="market_clerk",
        hidden="timer",
        hidden_from=CLERK,
    ),
    "workbench/supervision/urgings/<int:pk>/": staff(
        Role.SUPERVISOR, Role.EGOV_OFFICE, Role.DEPT_LEADER, Role.CLERK, args="urging"
    ),
    "workbench/supervision/urgings/<int:pk>/answer/": staff(*HANDLERS, args="urging", get=False, post=True),
    "workbench/supervision/complaints/": staff(
        Role.SUPERVISOR, Role.DEPT_LEADER, Role.CLERK, scoped=False, hidden="complaint", hidden_from=CLERK
    ),
    "workbench/supervision/complaints/<int:pk>/": staff(
        Role.SUPERVISOR, Role.DEPT_LEADER, Role.CLERK, args="complaint"
    ),
    "workbench/supervision/complaints/<int:pk>/forward/": staff(
        Role.SUPERVISOR,
        of="office",
        scoped=False,
        args="complaint",
        get=False,
        post=True,
        refused_also=("market_leader",),
    ),
    "workbench/supervision/complaints/<int:pk>/answer/": staff(*HANDLERS, args="complaint", get=False, post=True),
    "workbench/supervision/complaints/<int:pk>/conclude/": staff(
        Role.SUPERVISOR,
        of="office",
        scoped=False,
        args="complaint",
        get=False,
        post=True,
        refused_also=("market_leader",),
    ),
    "workbench/supervision/exposure/": staff(Role.SUPERVISOR, Role.EGOV_OFFICE, of="office", scoped=False),
    "workbench/supervision/exposure/publish/": staff(
        Role.SUPERVISOR, of="office", scoped=False, get=False, post=True, refused_also=("market_leader",)
    ),
    "workbench/supervision/exposure/export.xlsx": staff(Role.SUPERVISOR, Role.EGOV_OFFICE, of="office", scoped=False),
    "workbench/supervision/scorecards/": staff(Role.SUPERVISOR, Role.EGOV_OFFICE, Role.DEPT_LEADER, scoped=False),
    "workbench/supervision/scorecards/export.xlsx": staff(
        Role.SUPERVISOR, Role.EGOV_OFFICE, Role.DEPT_LEADER, scoped=False
    ),
    # workbench: home and the administrators' pages (the three administrators sit in 市场监管厅
    # in the cast; their pages are not about a department).
    "workbench/": staff(scoped=False, hidden="timer", hidden_from=CLERK),
    "workbench/ops/": staff(Role.SYS_ADMIN, scoped=False),
    # certificates: the issuing department's register
    "workbench/certificates/": staff(Role.CLERK, Role.DEPT_LEADER, scoped=False),
    "workbench/certificates/issue/": staff(Role.CLERK, Role.DEPT_LEADER, scoped=False, post=True),
    "workbench/certificates/export.xlsx": staff(Role.CLERK, Role.DEPT_LEADER, scoped=False),
    "workbench/certificates/keys/rotate": staff(Role.DEPT_LEADER, scoped=False, get=False, post=True),
    "workbench/certificates/<int:pk>/": staff(Role.CLERK, Role.DEPT_LEADER, args="certificate_pk"),
    "workbench/certificates/<int:pk>/pdf": staff(Role.CLERK, Role.DEPT_LEADER, args="certificate_pk"),
    "workbench/certificates/<int:pk>/revoke": staff(
        Role.CLERK, Role.DEPT_LEADER, args="certificate_pk", get=False, post=True
    ),
    "workbench/users/": staff(Role.SYS_ADMIN, scoped=False),
    "workbench/users/<int:user_id>/toggle-active/": staff(
        Role.SYS_ADMIN, scoped=False, args="target_user", get=False, post=True
    ),
    "workbench/roles/": staff(Role.SEC_ADMIN, scoped=False),
    "workbench/roles/<int:user_id>/": staff(Role.SEC_ADMIN, scoped=False, args="target_user", post=True),
    "workbench/roles/<int:user_id>/totp-reset/": staff(
        Role.SEC_ADMIN, scoped=False, args="target_user", get=False, post=True
    ),
    "workbench/roles/<int:user_id>/unlock/": staff(
        Role.SEC_ADMIN, scoped=False, args="target_user", get=False, post=True
    ),
    "workbench/api-clients/": staff(Role.SYS_ADMIN, scoped=False, post=True),
    "workbench/api-clients/<int:client_id>/revoke/": staff(
        Role.SYS_ADMIN, scoped=False, args="api_client", get=False, post=True
    ),
    "workbench/workdays/": staff(Role.SYS_ADMIN, scoped=False, post=True),
    "workbench/workdays/<str:day>/delete/": staff(Role.SYS_ADMIN, scoped=False, args="workday", get=False, post=True),
    # eservices: the portal
    "services/": P("办事指南"),
    "services/items/<int:pk>/": P("办事指南"),
    "services/items/<int:pk>/apply/": citizen_only(args="item", post=True),
    "services/results/<int:pk>/sample/": P("结果样本 of a published item"),
    "services/bundles/": P("一件事一次办"),
    "services/bundles/<int:pk>/": P("一件事一次办"),
    "services/bundles/<int:pk>/apply/": citizen_only(args="bundle", post=True),
    "services/bundle-cases/<str:number>/": owner("bundle_case_number"),
    "services/bundle-cases/<str:number>/rate/": owner("bundle_case_number", get=False, post=True),
    "services/mine/": person(hidden="application", hidden_from=OUTSIDER),
    "services/mine/<str:number>/": owner("application_number"),
    "services/mine/<str:number>/withdraw/": owner("application_number", get=False, post=True),
    "services/mine/<str:number>/rate/": owner("application_number", get=False, post=True),
    "services/materials/<int:pk>/": owner("application_material"),
    "services/material-files/<int:pk>/": P("blank forms and samples of a published item"),
    "services/lookup/": P("progress by case number and verification code"),
    "services/messages/": person(),
    "services/ratings/": P("published rating statistics"),
    # certificates
    "verify/": P("public verification of certificates"),
    "verify/keys/": P("public verification of certificates"),
    "verify/<str:identifier>": P("public verification of certificates"),
    "certificates/": person(hidden="certificate", hidden_from=OUTSIDER),
    # the holder; also the issuing department's clerks and leaders (who issued it)
    "certificates/<str:identifier>/": owner("certificate", staff="police_clerk"),
    "certificates/<str:identifier>/pdf": owner("certificate", staff="police_clerk"),
    # disclosure: the portal
    r"^disclosure/(?P<key>[0-9A-Z]{18}/\d{4}-\d{5}|\d{1,11})/$": P("published information"),
    "disclosure/": P("published information"),
    "disclosure/attachments/<int:pk>/": P("attachments of published information"),
    "disclosure/reports/": P("published annual reports"),
    "disclosure/reports/<int:department_id>/<int:year>/": P("published annual reports"),
    "disclosure/reports/<int:department_id>/<int:year>.xlsx": P("published annual reports"),
    "disclosure/requests/": person(hidden="disclosure_request", hidden_from=OUTSIDER),
    "disclosure/requests/new/": citizen_only(post=True),
    "disclosure/requests/<int:pk>/": owner("disclosure_request"),
    "disclosure/requests/<int:pk>/correct/": owner("disclosure_request", get=False, post=True),
    "disclosure/requests/<int:pk>/withdraw/": owner("disclosure_request", get=False, post=True),
    r"disclosure/^(?P<key>[0-9A-Z]{18}/\d{4}-\d{5}|\d{1,11})/$": P("published information"),
    # participation: the portal
    "participation/": P("public participation"),
    "participation/letters/write/": person(post=True),
    # shown once after writing a letter; otherwise it sends one to one's letters
    "participation/letters/receipt/": person(ok=(302,)),
    "participation/letters/track/": P("progress by letter number and query code"),
    "participation/letters/mine/": person(hidden="letter_number", hidden_from=OUTSIDER),
    "participation/letters/mine/<str:number>/": owner("letter_number"),
    "participation/letters/mine/<str:number>/photos/<int:pk>/": owner("letter_photo_number"),
    "participation/letters/": P("published letters"),
    "participation/letters/<str:number>/": P("published letters"),
    "participation/letters/<str:number>/flag/": person(get=False, post=True, args="letter_number"),
    "participation/consultations/": P("open consultations"),
    "participation/consultations/<int:pk>/": P("open consultations"),
    "participation/consultations/<int:pk>/articles/<int:article_pk>/comment/": person(
        get=False, post=True, args="article"
    ),
    "participation/comments/<int:pk>/flag/": person(get=False, post=True, args="comment"),
    "participation/surveys/": P("open surveys"),
    "participation/surveys/<int:pk>/": P("open surveys (anonymous answers allowed where the survey says so)"),
    "participation/surveys/<int:pk>/results/": P("published survey results"),
    # Open311 GeoReport v2: reads are public; a POST to requests needs an API key of scope
    # participation:submit (or a logged-in person), checked in the test of the API below.
    r"open311/v2/^services\.(?P<fmt>[a-z]+)$": P("Open311 service list"),
    r"open311/v2/^services/(?P<code>[\w-]+)\.(?P<fmt>[a-z]+)$": P("Open311 service definition"),
    r"open311/v2/^requests\.(?P<fmt>[a-z]+)$": Guarded(
        who="GET: anyone (published letters); POST: an API client with participation:submit",
        refused=("anonymous", "client_no_scope"),
        args="open311_json",
        get=False,
        post=True,
    ),
    r"open311/v2/^requests/(?P<request_id>[\w-]+)\.(?P<fmt>[a-z]+)$": P("Open311 published letter"),
    r"open311/v2/^tokens/(?P<token>[\w-]+)\.(?P<fmt>[a-z]+)$": P("Open311 token lookup"),
    # supervision: the portal
    "supervision/exposure/": P("the published exposure list"),
    "supervision/exposure/<str:month>/": P("the published exposure list"),
    "supervision/complaints/": person(hidden="complaint", hidden_from=OUTSIDER),
    "supervision/complaints/new/": citizen_only(post=True),
    "supervision/complaints/<str:number>/": owner("complaint_number"),
    # portal
    "": P("home"),
    "search/": P("search"),
    "departments/": P("departments"),
    "departments/<str:key>/": P("departments"),
    "regions/<str:code>/": P("a region's page: its live warnings, departments and services"),
    "opendata/": P("open data"),
    r"^opendata/(?P<code>\d{1,12}/\d{3,9})/$": P("open data"),
    r"^opendata/(?P<code>\d{1,12}/\d{3,9})/data\.(?P<fmt>csv|xlsx|json)$": P("open data"),
    # emergency (应急联动): the incident is in 吉林市, answered for by 应急管理厅 (`duty_officer`); 长春市's
    # duty officer (`cc_duty`) covers another city; 市场监管厅's clerk is staff of another department.
    "workbench/emergency/incidents/": Guarded(
        who="任何工作人员（值班室见辖区内事件，部门见本部门报告的事件）",
        refused=("anonymous", "citizen"),
        allowed="duty_officer",
        hidden="incident",
        hidden_from=("cc_duty", "market_clerk"),
    ),
    "workbench/emergency/incidents/export/": Guarded(
        who="任何工作人员（只导出可见的事件）", refused=("anonymous", "citizen"), allowed="duty_officer"
    ),
    "workbench/emergency/incidents/new/": Guarded(
        who="任何工作人员（值班室接报，部门报告）", refused=("anonymous", "citizen"), allowed="market_clerk", post=True
    ),
    "workbench/emergency/incidents/from-letter/<str:number>/": Guarded(
        who="值班员、指挥长（事发地辖区）",
        refused=("anonymous", "citizen", "market_clerk"),
        allowed="duty_officer",
        args="letter_number",
        post=True,
    ),
    "workbench/emergency/incidents/<int:pk>/": duty_room("事发地辖区的值班室、报告单位", args="incident"),
    r"workbench/emergency/^incidents/(?P<pk>\d+)/(?P<verb>verify|grade|level|respond|handle|terminate|evaluate)/$": duty_room(  # noqa: E501
        "事发地辖区的值班员、指挥长",
        args="incident",
        get=False,
        post=True,
        verbs=("verify", "grade", "level", "respond", "handle", "terminate", "evaluate"),
    ),
    "workbench/emergency/incidents/<int:pk>/reports/new/": duty_room(
        "事发地辖区的值班员、指挥长", args="incident", get=False, post=True
    ),
    "workbench/emergency/reports/": Guarded(
        who="任何工作人员（本部门收到的报送）", refused=("anonymous", "citizen"), allowed="duty_officer"
    ),
    "workbench/emergency/reports/<int:pk>/": duty_room(
        "事发地辖区的值班室、报告单位、接收单位", args="incident_report"
    ),
    "workbench/emergency/reports/<int:pk>/sign/": duty_room(
        "事发地辖区的指挥长或应急管理部门负责人",
        refused_also=("duty_officer",),
        allowed="commander",
        args="incident_report",
        get=False,
        post=True,
    ),
    "workbench/emergency/reports/<int:pk>/edit/": duty_room(
        "事发地辖区的值班员、指挥长（签发前）",
        refused_also=("police_clerk",),  # staff of the reporting department: they see the report, not edit it
        args="incident_report",
        post=True,
    ),
    # a report 长春市应急管理局 sent up to 应急管理厅: only the receiving duty room signs for it
    "workbench/emergency/reports/<int:pk>/receive/": Guarded(
        who="接收单位（上级应急管理部门）的值班员、指挥长",
        refused=("anonymous", "citizen", "cc_duty", "market_clerk", "police_leader"),
        allowed="duty_officer",
        args="sent_report",
        get=False,
        post=True,
    ),
    "workbench/emergency/warnings/": Guarded(
        who="预警发布人（值班员、指挥长、预警发布单位负责人）",
        refused=("anonymous", "citizen", "market_clerk", "market_leader"),
        allowed="duty_officer",
    ),
    "workbench/emergency/warnings/new/": Guarded(
        who="预警发布人（值班员、指挥长、预警发布单位负责人）",
        refused=("anonymous", "citizen", "market_clerk", "market_leader"),
        allowed="duty_officer",
        post=True,
    ),
    "workbench/emergency/warnings/<int:pk>/adjust/": Guarded(
        who="发布该预警的单位",
        refused=("anonymous", "citizen", "market_clerk", "cc_duty"),
        allowed="duty_officer",
        args="warning",
        post=True,
    ),
    "workbench/emergency/warnings/<int:pk>/lift/": Guarded(
        who="发布该预警的单位",
        refused=("anonymous", "citizen", "market_clerk", "cc_duty"),
        allowed="duty_officer",
        args="warning",
        get=False,
        post=True,
    ),
    "emergency/warnings/": P("the public list of live warnings"),
    "emergency/warnings/<int:pk>/": P("a public warning"),
    "emergency/subscriptions/": person(post=True, body={"region_code": "220000"}),
    "emergency/subscriptions/<int:pk>/remove/": owner("subscription", get=False, post=True),
    # the response (预案、联动任务、资源、值班、指挥大屏、评估): plans and resources are the province's
    # command staff's; the matrix's task is 公安厅's, on the incident in 吉林市.
    "workbench/emergency/plans/": Guarded(who=COMMAND, refused=NOT_COMMAND, allowed="duty_officer"),
    "workbench/emergency/plans/new/": Guarded(who=COMMAND, refused=NOT_COMMAND, allowed="commander", post=True),
    "workbench/emergency/plans/<int:pk>/": Guarded(
        who=COMMAND, refused=NOT_COMMAND, allowed="duty_officer", args="em_plan"
    ),
    "workbench/emergency/plans/<int:pk>/revise/": Guarded(
        who=COMMAND, refused=NOT_COMMAND, allowed="commander", args="em_plan", post=True
    ),
    "workbench/emergency/incidents/<int:pk>/response/": Guarded(
        who=COMMAND_HERE, refused=NOT_COMMAND_HERE, allowed="duty_officer", args="incident"
    ),
    r"workbench/emergency/^incidents/(?P<pk>\d+)/response/(?P<verb>activate|add_task|commit|population)/$": Guarded(
        who=COMMAND_HERE,
        refused=NOT_COMMAND_HERE,
        allowed="commander",
        args="incident",
        get=False,
        post=True,
        verbs=("activate", "add_task", "commit", "population"),
    ),
    "workbench/emergency/incidents/<int:pk>/evaluation/": Guarded(
        who=COMMAND_HERE, refused=NOT_COMMAND_HERE, allowed="duty_officer", args="incident", post=True
    ),
    r"workbench/emergency/^incidents/(?P<pk>\d+)/evaluation/export\.(?P<fmt>xlsx|pdf)$": Guarded(
        who=COMMAND_HERE, refused=NOT_COMMAND_HERE, allowed="duty_officer", args="em_evaluation_export"
    ),
    "workbench/emergency/tasks/": Guarded(
        who="各部门文书、负责人（本部门任务），值班员、指挥长（辖区内事件的任务）",
        refused=("anonymous", "citizen", "police_plain"),
        allowed="police_clerk",
        hidden="em_task",
        hidden_from=("market_clerk",),
    ),
    "workbench/emergency/tasks/<int:pk>/": Guarded(
        who=TASK_HOLDER, refused=NOT_TASK_HOLDER, allowed="police_clerk", args="em_task"
    ),
    r"workbench/emergency/^tasks/(?P<pk>\d+)/(?P<verb>sign|arrive|progress|support|finish|cancel)/$": Guarded(
        who=TASK_HOLDER,
        refused=NOT_TASK_HOLDER,
        allowed="police_clerk",
        args="em_task",
        get=False,
        post=True,
        verbs=("sign", "arrive", "progress", "support", "finish", "cancel"),
    ),
    "workbench/emergency/resources/": Guarded(who=COMMAND, refused=NOT_COMMAND, allowed="duty_officer"),
    "workbench/emergency/resources/new/": Guarded(who=COMMAND, refused=NOT_COMMAND, allowed="duty_officer", post=True),
    "workbench/emergency/resources/<int:pk>/release/": Guarded(
        who=COMMAND, refused=NOT_COMMAND, allowed="duty_officer", args="em_resource", get=False, post=True
    ),
    "workbench/emergency/duty/": Guarded(
        who="各部门文书、负责人（本部门值班），值班员、指挥长（各部门值班）",
        refused=("anonymous", "citizen", "police_plain"),
        allowed="police_clerk",
        post=True,
        hidden="em_duty",
        hidden_from=("market_clerk",),
    ),
    "workbench/emergency/duty/report/": Guarded(who=COMMAND, refused=NOT_COMMAND, allowed="duty_officer"),
    r"workbench/emergency/^duty/report\.(?P<fmt>xlsx|pdf)$": Guarded(
        who=COMMAND, refused=NOT_COMMAND, allowed="duty_officer", args="xlsx"
    ),
    "workbench/emergency/board/": Guarded(who=COMMAND, refused=NOT_COMMAND, allowed="duty_officer"),
    "workbench/emergency/board/data.json": Guarded(who=COMMAND, refused=NOT_COMMAND, allowed="duty_officer"),
    "workbench/emergency/board/panel/": Guarded(who=COMMAND, refused=NOT_COMMAND, allowed="duty_officer"),
    "^accessibility/(?P<mode>elder|contrast)/$": P("a display preference kept in a cookie"),
    "accessibility/": P("public page: 无障碍与长者模式"),
    "sitemap/": P("public page: 网站地图"),
    "contact/": P("public page: 联系我们"),
    "privacy/": P("public page: 隐私政策"),
    "favicon.ico": P("the site's icon"),
}


def _api(who: str, refused: tuple[str, ...], allowed: str, **kwargs: Any) -> Guarded:
    return Guarded(who=who, refused=refused, allowed=allowed, **kwargs)


DIRECTORY = "API client with directory:read, or a logged-in person"
DOCUMENTS = "a department's OA system (API client with documents:exchange), for its own department"
QUERY = "API client with exchange:query and a grant for the resource"
INVENTORY_API = "a department's system (API client with governance:inventory), for its own department"
INVENTORY_REFUSED = ("anonymous", "citizen", "market_systems", "client_no_scope")
PURPOSE = {"X-Purpose": "%E7%9F%A9%E9%98%B5%E6%A0%B8%E6%9F%A5"}  # 矩阵核查, percent-encoded

TASKS = "a department's system (API client with emergency:tasks), for its own department's dispatch tasks"
EMERGENCY = "a department's system (API client with emergency:report), for what its department reported"

WITNESS = "another zhengwu instance (API client with audit:witness registered as a witness peer with its key)"
WITNESS_REFUSED = ("anonymous", "citizen", "market_systems", "client_no_scope", "client_witness")

OPERATIONS: dict[str, Entry] = {
    "POST /api/v1/audit/witness/anchors": _api(WITNESS, WITNESS_REFUSED, "", get=False, post=True, body={"line": "{}"}),
    "GET /api/v1/audit/witness/anchors/latest": _api(WITNESS, WITNESS_REFUSED, ""),
    "POST /api/v1/emergency/incidents": _api(
        "an API client with emergency:report (reports as its department)",
        ("anonymous", "citizen", "duty_officer", "client_no_scope"),
        "",
        get=False,
        post=True,
        body="incident_body",
    ),
    "GET /api/v1/emergency/incidents/{incident_id}": _api(
        EMERGENCY,
        ("anonymous", "citizen", "duty_officer", "client_no_scope", "client_emergency_other"),
        "client_emergency",
        args="incident_id",
    ),
    "POST /api/v1/emergency/incidents/{incident_id}/reports": _api(
        EMERGENCY,
        ("anonymous", "citizen", "duty_officer", "client_no_scope", "client_emergency_other"),
        "",
        args="incident_id",
        get=False,
        post=True,
        body={"content": "矩阵续报"},
    ),
    "GET /api/v1/emergency/tasks": _api(
        TASKS,
        ("anonymous", "citizen", "police_clerk", "client_no_scope", "client_emergency"),
        "client_tasks",
    ),
    "POST /api/v1/emergency/tasks/{task_id}/sign": _api(
        TASKS,
        ("anonymous", "citizen", "police_clerk", "client_no_scope", "client_emergency", "client_tasks_other"),
        "client_tasks",
        args="em_task_id",
        get=False,
        post=True,
    ),
    "POST /api/v1/emergency/tasks/{task_id}/progress": _api(
        TASKS,
        ("anonymous", "citizen", "police_clerk", "client_no_scope", "client_emergency", "client_tasks_other"),
        "client_tasks",
        args="em_task_id",
        get=False,
        post=True,
        body={"text": "矩阵进展"},
    ),
    "GET /api/v1/accounts/regions": _api(DIRECTORY, ("anonymous", "client_no_scope"), "citizen"),
    "GET /api/v1/accounts/departments": _api(DIRECTORY, ("anonymous", "client_no_scope"), "citizen"),
    "GET /api/v1/accounts/whoami": _api("any API client or logged-in person", ("anonymous",), "citizen"),
    "GET /api/v1/exchange/{resource_code}/records/{key}": _api(
        QUERY,
        ("anonymous", "citizen", "market_officer", "client_no_scope", "client_query"),
        "client_granted",
        args="record_key",
        headers=PURPOSE,
    ),
    "GET /api/v1/exchange/{resource_code}/records": _api(
        QUERY,
        ("anonymous", "citizen", "market_officer", "client_no_scope", "client_query"),
        "client_granted",
        args="store_code",
        headers=PURPOSE,
        query="?certificate_number=X1",
    ),
    "GET /api/v1/exchange/{resource_code}/changes": _api(
        QUERY,
        ("anonymous", "citizen", "market_officer", "client_no_scope", "client_query"),
        "client_granted",
        args="store_code",
        headers=PURPOSE,
    ),
    "GET /api/v1/catalog/resources": P("the catalog: the public sees what is published"),
    "GET /api/v1/catalog/resources/{code}": P("the catalog: the public sees what is published"),
    "POST /api/v1/exchange/{resource_code}/records:upsert": _api(
        "API client of the provider with exchange:write",
        ("anonymous", "citizen", "market_officer", "client_no_scope", "client_write"),
        "client_provider",
        args="store_code",
        get=False,
        post=True,
        body={"records": [{"certificate_number": "X1", "user_name": "某公司"}]},
    ),
    "GET /api/v1/eservices/items": P("办事指南"),
    "GET /api/v1/eservices/items/{item_id}": P("办事指南"),
    "POST /api/v1/eservices/lookup": P("progress by case number and verification code"),
    "GET /api/v1/eservices/bundles": P("一件事一次办"),
    "GET /api/v1/eservices/bundle-cases/{number}": _api(
        "the applicant",
        ("anonymous", "outsider", "market_clerk", "client_no_scope"),
        "citizen",
        args="bundle_case_number",
    ),
    "GET /api/v1/eservices/applications": _api(
        "a logged-in person (own cases)", ("anonymous",), "citizen", hidden="application", hidden_from=OUTSIDER
    ),
    "POST /api/v1/eservices/applications/{number}/withdraw": _api(
        "the applicant",
        ("anonymous", "outsider", "market_clerk", "client_no_scope"),
        "",
        args="application_number",
        get=False,
        post=True,
        body={"reason": "不再需要"},
    ),
    "GET /api/v1/disclosure/publications": P("published information"),
    "GET /api/v1/disclosure/publications/{publication_id}": P("published information"),
    "POST /api/v1/disclosure/requests": _api(
        "a logged-in citizen or enterprise agent",
        ("anonymous", "market_clerk", "client_no_scope"),
        "",
        get=False,
        post=True,
        body="disclosure_request_body",
    ),
    "GET /api/v1/disclosure/requests": _api(
        "a logged-in person (own requests)",
        ("anonymous",),
        "citizen",
        hidden="disclosure_request",
        hidden_from=OUTSIDER,
    ),
    "GET /api/v1/disclosure/requests/{request_id}": _api(
        "the applicant", ("anonymous", "outsider", "market_clerk"), "citizen", args="disclosure_request_id"
    ),
    "GET /api/v1/participation/letters/published": P("published letters"),
    "POST /api/v1/participation/letters": _api(
        "a logged-in person",
        ("anonymous", "client_no_scope"),
        "",
        get=False,
        post=True,
        body={"kind": "suggest", "title": "建议", "content": "建议增加夜间办事窗口。"},
    ),
    "GET /api/v1/participation/letters/mine": _api(
        "a logged-in person (own letters)", ("anonymous",), "citizen", hidden="letter_number", hidden_from=OUTSIDER
    ),
    "GET /api/v1/participation/consultations": P("open consultations"),
    "GET /api/v1/participation/surveys/{survey_id}/results": P("published survey results"),
    "GET /api/v1/governance/systems": _api(INVENTORY_API, INVENTORY_REFUSED, "client_inventory"),
    "GET /api/v1/governance/systems/{system_id}": _api(
        INVENTORY_API, (*INVENTORY_REFUSED, "client_inventory_police"), "client_inventory", args="system_id"
    ),
    "POST /api/v1/governance/systems": _api(
        INVENTORY_API, INVENTORY_REFUSED, "", get=False, post=True, body="system_body"
    ),
    "POST /api/v1/governance/systems/{system_id}": _api(
        INVENTORY_API,
        (*INVENTORY_REFUSED, "client_inventory_police"),
        "",
        args="system_id",
        get=False,
        post=True,
        body="system_body",
    ),
    "POST /api/v1/documents/send": _api(
        DOCUMENTS,
        ("anonymous", "citizen", "market_clerk", "client_no_scope"),
        "",
        get=False,
        post=True,
        body="documents_send_body",
    ),
    "GET /api/v1/governance/projects/{project_id}": _api(
        "the project's department (its staff or its API client) and the e-gov office",
        ("anonymous", "citizen", "market_plain", "police_clerk", "client_no_scope"),
        "market_clerk",
        args="project_id",
    ),
    "GET /api/v1/governance/evaluations": P("published evaluation results"),
    "GET /api/v1/governance/evaluations/{run_id}": P("published evaluation results"),
    "GET /api/v1/governance/evaluations/{run_id}/departments/{department_id}": P("published evaluation results"),
    "GET /api/v1/documents/sent/{document_id}": _api(
        DOCUMENTS, ("anonymous", "citizen", "market_clerk", "client_no_scope"), "client_documents", args="document_id"
    ),
    "GET /api/v1/documents/received": _api(
        DOCUMENTS, ("anonymous", "citizen", "market_clerk", "client_no_scope"), "client_documents"
    ),
    "POST /api/v1/documents/received/{delivery_id}/sign": _api(
        DOCUMENTS,
        ("anonymous", "citizen", "market_clerk", "client_no_scope"),
        "",
        args="delivery_id",
        get=False,
        post=True,
    ),
    "POST /api/v1/documents/received/{delivery_id}/return": _api(
        DOCUMENTS,
        ("anonymous", "citizen", "market_clerk", "client_no_scope"),
        "",
        args="delivery_id",
        get=False,
        post=True,
        body={"reason": "not_ours"},
    ),
    # not printed yet in the world: who may gets 404; the others are refused before that
    "GET /api/v1/documents/{document_id}/file": _api(
        DOCUMENTS,
        ("anonymous", "citizen", "market_clerk", "client_no_scope"),
        "client_documents",
        args="document_id",
        ok=(404,),
    ),
    "GET /api/v1/supervision/dashboard": _api(
        "supervisor, e-gov office, a department leader (own department), or an API client with supervision:read",
        ("anonymous", "citizen", "market_plain", "client_no_scope"),
        "supervisor",
    ),
    "GET /api/v1/supervision/red-list": _api(
        "supervisor, e-gov office, a department leader (own department), or an API client with supervision:read",
        ("anonymous", "citizen", "market_plain", "client_no_scope"),
        "supervisor",
    ),
    "GET /api/v1/certificates/mine": _api(
        "a logged-in person (own certificates)", ("anonymous",), "citizen", hidden="certificate", hidden_from=OUTSIDER
    ),
    "GET /api/v1/certificates/{identifier}/verify": P("public verification of certificates"),
}
