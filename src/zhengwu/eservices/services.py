"""Writes of 网上办事: service items, applications (办件) and their parallel approval, ratings.

Application lifecycle (state machine on `Application.state`)::

    submitted (待受理) ──accept──▶ processing (审批中) ──all stages done / a task said no──▶
        deciding (待决定) ──decide──▶ approved (准予) | denied (不予)
    submitted ──refuse──▶ refused (不予受理)
    submitted ──request_correction──▶ correction (待补正) ──applicant corrects──▶ submitted
    any open state ──applicant withdraws──▶ withdrawn (已撤回)

Deadlines (supervision timers, working days, docs/rules.md §1):
- `eservices.application` (承诺办结时限): starts on submission (day 0) with the item's promised
  limit; paused while the applicant corrects (补正) and while any task is in a special procedure
  (特别程序); finished by the decision or the refusal; cancelled by a withdrawal.
- `eservices.task` (审批任务时限): one per department task, started when its stage opens, with
  the task's own limit; paused during that task's special procedure; finished when it is done.
- `eservices.rectification` (差评整改时限): 15 working days by default
  (`settings.ZHENGWU_RECTIFICATION_DAYS`), paused while an appeal is open.

Case number: `{year}-{item.case_prefix}-{6-digit sequence per year and prefix}`, e.g.
`2026-SCJG-000123`; the verification code (查询码) is 6 characters from an alphabet without
look-alikes (no 0/O, 1/I/L).

Concurrency: every service that changes an application locks its row first
(`select_for_update`), then the task row, and checks the state on the fresh rows: of two clerks
acting at once exactly one succeeds, the other gets `eservices.wrong_state`.

认领 (`task_claim`): a clerk of the task's department claims a live task; two claiming at once →
one succeeds, the other gets `eservices.task_claimed`. A claimed task is acted on (办理, 特别程序)
only by its claimer; others get `eservices.task_claimed` naming who holds it.

Materials carry a trust level (可信等级, `models.TrustLevel`), set here when they are stored: A for
what is fetched from a base through the exchange or from the 电子证照 base, C for the applicant's
uploads (B and D are not produced yet). 空白表格 / 示例样表 (`material_file_upload`) are uploaded
by the item's department and checked like applicant uploads.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from zhengwu.accounts.models import Department, Role, User
from zhengwu.audit.services import record
from zhengwu.catalog.models import DataType
from zhengwu.certificates import base_resource as certificate_base
from zhengwu.certificates import selectors as certificate_selectors
from zhengwu.certificates import services as certificate_services
from zhengwu.core import workdays
from zhengwu.core.actors import Actor, client_ip, legacy_actor
from zhengwu.core.crypto import sm3_hex
from zhengwu.core.errors import ApplicationError, from_validation_error, permission_denied
from zhengwu.eservices import notify
from zhengwu.eservices.errors import EservicesError
from zhengwu.eservices.models import (
    Application,
    ApplicationMaterial,
    Audience,
    CaseCounter,
    CaseEvent,
    CaseTask,
    FormField,
    HandlingForm,
    ItemMaterial,
    ItemResult,
    ItemSearchTerm,
    MaterialFile,
    MaterialSource,
    Rating,
    RatingLevel,
    Rectification,
    ServiceItem,
    Stage,
    StageTask,
    TrustLevel,
    validate_handling_forms,
)
from zhengwu.eservices.search import index_terms
from zhengwu.exchange import fetch
from zhengwu.exchange.validation import ColumnSpec, Invalid, cell_text, compile_converter
from zhengwu.supervision import services as timers
from zhengwu.supervision.models import Timer
from zhengwu.supervision.selectors import timer_for

TIMER_APPLICATION = "eservices.application"
TIMER_TASK = "eservices.task"
TIMER_RECTIFICATION = "eservices.rectification"

PERSON_BASE = "101001/001"  # 人口基础信息 (公安厅), keyed by 公民身份号码
LEGAL_BASE = "102001/001"  # 法人单位基本信息 (市场监管厅), keyed by 统一社会信用代码
PREFILL_SOURCES = {"person": PERSON_BASE, "legal": LEGAL_BASE}

MAX_FILE_BYTES = 10 * 1024 * 1024
# Allowed uploads: extension → (content type, magic prefixes).
FILE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "ofd": ("application/ofd", (b"PK\x03\x04",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
HANDLER_ROLES = (Role.CLERK, Role.DEPT_LEADER)
BAD_LEVELS = (RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED)


def rectification_days() -> int:
    return settings.ZHENGWU_RECTIFICATION_DAYS


# --- helpers -----------------------------------------------------------------------------


def _clean(instance: models.Model, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise from_validation_error(error) from None


def _reason(text: str, what: str, field_name: str = "reason") -> str:
    text = (text or "").strip()
    if not text:
        raise ApplicationError(EservicesError.REASON_REQUIRED, f"请填写{what}。", {field_name: "必填"})
    return text[:2000]


def is_handler(user: User | None, department_id: int | None) -> bool:
    """A clerk or leader of `department_id` (the window of an item, or a task's department)."""
    return (
        user is not None
        and department_id is not None
        and user.department_id == department_id
        and user.has_role(*HANDLER_ROLES)
    )


def _require_handler(actor: User | None, department_id: int, what: str) -> None:
    if actor is not None and not is_handler(actor, department_id):
        raise permission_denied(f"只有{what}的工作人员可以办理。")


def _require_applicant(actor: User | None, application: Application) -> User:
    if actor is None or actor.pk != application.applicant_id:
        raise permission_denied("只有申请人本人可以办理此操作。")
    return actor


def _wrong_state(application: Application, action: str) -> ApplicationError:
    return ApplicationError(
        EservicesError.WRONG_STATE,
        f"办件 {application.number} 当前为“{application.get_state_display()}”，"
        f"不能{action}（可能已被他人处理，请刷新）。",
        {"state": application.state},
        status=409,
    )


def _lock(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",)).select_related("item", "department").get(pk=application.pk)
    )


def _event(application: Application, actor: User | None, kind: str, text: str, at: datetime | None = None) -> None:
    CaseEvent.objects.create(application=application, actor=actor, kind=kind, text=text[:1000], at=at or timezone.now())


def _staff_url(application: Application) -> str:
    return reverse("eservices_wb:case", args=[application.pk])


def _live_timer(target: models.Model, kind: str) -> Timer | None:
    timer = timer_for(target, kind)
    return timer if timer is not None and timer.is_live else None


def _finish(actor: User | None, target: models.Model, kind: str, when: datetime | None) -> None:
    timer = _live_timer(target, kind)
    if timer is not None:
        timers.timer_finish(actor=legacy_actor(actor), timer=timer, when=when)


def _cancel(actor: User | None, target: models.Model, kind: str, reason: str) -> None:
    timer = _live_timer(target, kind)
    if timer is not None:
        timers.timer_cancel(actor=legacy_actor(actor), timer=timer, reason=reason)


def _pause(actor: User | None, target: models.Model, kind: str, reason: str, when: datetime | None) -> None:
    timer = _live_timer(target, kind)
    if timer is not None and timer.state == Timer.State.RUNNING:
        timers.timer_pause(actor=legacy_actor(actor), timer=timer, reason=reason[:200], when=when)


def _resume(actor: User | None, target: models.Model, kind: str, when: datetime | None) -> None:
    timer = _live_timer(target, kind)
    if timer is not None and timer.state == Timer.State.PAUSED:
        timers.timer_resume(actor=legacy_actor(actor), timer=timer, when=when)


def _json_value(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


# --- service items -----------------------------------------------------------------------


@dataclass
class MaterialSpec:
    name: str
    source: str = MaterialSource.APPLICANT
    required: bool = True
    form: str = ItemMaterial.Form.ELECTRONIC
    base_resource_code: str = ""
    certificate_type_code: str = ""
    copies: int = 1
    notes: str = ""


@dataclass
class FieldSpec:
    code: str
    label: str
    data_type: str = DataType.STRING
    required: bool = False
    enum_values: list[str] = field(default_factory=list)
    max_length: int | None = None
    prefill: str = ""


@dataclass
class TaskSpec:
    department: Department
    name: str
    limit: int


@dataclass
class StageSpec:
    name: str
    tasks: list[TaskSpec]


@dataclass
class ResultSpec:
    name: str
    kind: str = ItemResult.Kind.APPROVAL
    certificate_type_code: str = ""


@dataclass
class ItemData:
    name: str
    basic_code: str
    impl_code: str
    item_type: str
    case_prefix: str
    basis: str
    audience: str
    conditions: str
    legal_limit: int
    promised_limit: int
    visits: int = 0
    level: str = ServiceItem.Level.PROVINCE
    process: str = ""
    handling_forms: list[str] = field(default_factory=lambda: [HandlingForm.ONLINE.value])
    online: bool = True
    online_depth: str = ServiceItem.Depth.FOUR
    place_time: str = ""
    consult: str = ""
    complaint: str = ""
    special_procedure: str = ""
    charged: bool = False
    fee_table: str = ""


def _invalid(message: str, field_name: str) -> ApplicationError:
    return ApplicationError(EservicesError.INVALID_ITEM, message, {field_name: message})


def _check_item(
    data: ItemData,
    materials: Sequence[MaterialSpec],
    fields: Sequence[FieldSpec],
    stages: Sequence[StageSpec],
    results: Sequence[ResultSpec],
) -> None:
    import re

    if not re.fullmatch(r"[A-Z]{2,8}", data.case_prefix or ""):
        raise _invalid("办件编号代码应为 2–8 位大写字母。", "case_prefix")
    for name in ("legal_limit", "promised_limit", "visits"):
        value = getattr(data, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < (0 if name == "visits" else 1):
            raise _invalid("时限应为正整数（工作日），到现场次数应为非负整数。", name)
    if data.promised_limit > data.legal_limit:
        raise _invalid("承诺办结时限不得超过法定办结时限。", "promised_limit")
    try:
        validate_handling_forms(data.handling_forms)
    except ValidationError as error:
        raise _invalid(error.messages[0], "handling_forms") from None
    if data.level not in ServiceItem.Level.values:
        raise _invalid("行使层级应为省级、市级、县级或乡级。", "level")
    if data.online_depth not in ServiceItem.Depth.values:
        raise _invalid("网上办理深度应为一级至四级。", "online_depth")
    if data.online != (HandlingForm.ONLINE in data.handling_forms):
        raise _invalid("“是否网办”与办理形式不一致：网办事项的办理形式须含网上办理，反之亦然。", "online")
    if not data.online and data.online_depth in (ServiceItem.Depth.THREE, ServiceItem.Depth.FOUR):
        raise _invalid("不能网办的事项，网上办理深度最高为二级（在线预约、下载表格）。", "online_depth")
    if data.visits == 0 and data.online_depth != ServiceItem.Depth.FOUR:
        raise _invalid("到办事现场次数为 0 的事项须全程网办（网上办理深度四级）。", "online_depth")
    if data.charged and not data.fee_table.strip():
        raise _invalid("收费事项须列明收费标准。", "fee_table")
    if not data.charged and data.fee_table.strip():
        raise _invalid("不收费的事项不应填写收费标准。", "fee_table")
    names: set[str] = set()
    for number, spec in enumerate(materials, start=1):
        where = f"第 {number} 项材料“{spec.name}”"
        if not spec.name.strip() or spec.name in names:
            raise _invalid(f"第 {number} 项材料名称为空或重复。", f"materials.{number - 1}.name")
        names.add(spec.name)
        if spec.source not in MaterialSource.values:
            raise _invalid(f"{where}：来源渠道无效。", f"materials.{number - 1}.source")
        if spec.source == MaterialSource.BASE and spec.base_resource_code not in PREFILL_SOURCES.values():
            raise _invalid(
                f"{where}：共享获取的材料须注明基础库资源代码（{PERSON_BASE} 人口、{LEGAL_BASE} 法人）。",
                f"materials.{number - 1}.base_resource_code",
            )
        if spec.source == MaterialSource.CERTIFICATE and not spec.certificate_type_code.strip():
            raise _invalid(f"{where}：证照库获取的材料须注明证照类型代码。", f"materials.{number - 1}.source")
    codes: set[str] = set()
    for number, fspec in enumerate(fields, start=1):
        where = f"第 {number} 个表单字段“{fspec.label}”"
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,62}", fspec.code) or fspec.code in codes:
            raise _invalid(f"{where}：编码应以小写字母开头、由小写字母数字下划线组成且不重复。", f"fields.{number - 1}")
        codes.add(fspec.code)
        if fspec.data_type not in DataType.values:
            raise _invalid(f"{where}：数据类型无效。", f"fields.{number - 1}")
        if (fspec.data_type == DataType.ENUM) != bool(fspec.enum_values):
            raise _invalid(f"{where}：只有枚举类型须且必须列出取值。", f"fields.{number - 1}")
        if fspec.prefill:
            source, _, code = fspec.prefill.partition(":")
            if source not in PREFILL_SOURCES or not code:
                raise _invalid(
                    f"{where}：预填来源应为 person:<信息项编码> 或 legal:<信息项编码>。", f"fields.{number - 1}"
                )
    if not stages:
        raise _invalid("至少需要一个办理环节。", "stages")
    for number, stage in enumerate(stages, start=1):
        if not stage.name.strip() or not stage.tasks:
            raise _invalid(f"第 {number} 个办理环节须有名称和至少一个部门任务。", f"stages.{number - 1}")
        departments = [t.department.pk for t in stage.tasks]
        if len(set(departments)) != len(departments):
            raise _invalid(f"第 {number} 个办理环节中同一部门只能有一个任务。", f"stages.{number - 1}")
        for task in stage.tasks:
            if isinstance(task.limit, bool) or not isinstance(task.limit, int) or task.limit < 1:
                raise _invalid(f"环节“{stage.name}”任务“{task.name}”的时限应为正整数。", f"stages.{number - 1}")
            if task.limit > data.promised_limit:
                raise _invalid(
                    f"环节“{stage.name}”任务“{task.name}”的时限不得超过承诺办结时限。", f"stages.{number - 1}"
                )
    for rspec in results:
        if rspec.kind not in ItemResult.Kind.values:
            raise _invalid(f"审批结果“{rspec.name}”的类型无效。", "results")
        if (rspec.kind == ItemResult.Kind.CERTIFICATE) != bool(rspec.certificate_type_code.strip()):
            raise _invalid(f"审批结果“{rspec.name}”：证照类结果须且只有它须注明证照类型代码。", "results")


@transaction.atomic
def item_create(
    *,
    actor: User | None,
    department: Department,
    data: ItemData,
    materials: Sequence[MaterialSpec] = (),
    fields: Sequence[FieldSpec] = (),
    stages: Sequence[StageSpec] = (),
    results: Sequence[ResultSpec] = (),
    request: HttpRequest | None = None,
) -> ServiceItem:
    """A new draft item of `department` (its clerks or leader), with materials, form and flow."""
    _require_handler(actor, department.pk, department.name)
    _check_item(data, materials, fields, stages, results)
    if ServiceItem.objects.filter(impl_code=data.impl_code).exists():
        raise _invalid(f"实施编码 {data.impl_code} 已存在。", "impl_code")
    item = ServiceItem(department=department, created_by=actor, **data.__dict__)
    item.name = item.name.strip()
    _clean(item, exclude=["created_by"])
    item.save()
    for position, m in enumerate(materials, start=1):
        material = ItemMaterial(item=item, position=position, **m.__dict__)
        _clean(material, exclude=["item"])
        material.save()
    for position, f in enumerate(fields, start=1):
        form_field = FormField(item=item, position=position, **f.__dict__)
        _clean(form_field, exclude=["item"])
        form_field.save()
    for position, s in enumerate(stages, start=1):
        stage = Stage.objects.create(item=item, position=position, name=s.name.strip())
        for t in s.tasks:
            task = StageTask(stage=stage, department=t.department, name=t.name.strip(), limit=t.limit)
            _clean(task, exclude=["stage"])
            task.save()
    for r in results:
        result = ItemResult(item=item, **r.__dict__)
        _clean(result, exclude=["item"])
        result.save()
    record(
        actor=actor,
        action="eservices.item_create",
        target=item,
        request=request,
        department=department,
        details={"impl_code": item.impl_code, "stages": len(stages), "materials": len(materials)},
    )
    return item


def _may_manage(actor: User, item: ServiceItem) -> bool:
    return is_handler(actor, item.department_id) or actor.has_role(Role.EGOV_OFFICE)


EDITABLE_ITEM_STATES = (ServiceItem.State.DRAFT, ServiceItem.State.WITHDRAWN)


@transaction.atomic
def item_update(
    *, actor: User | None, item: ServiceItem, data: ItemData, request: HttpRequest | None = None
) -> ServiceItem:
    """Change the guide of a draft or withdrawn item (materials, form and flow are replaced by a new
    import). A published item is withdrawn first, edited, and published again; open cases keep the
    limits their clocks started with."""
    item = ServiceItem.objects.select_for_update(of=("self",)).select_related("department").get(pk=item.pk)
    if actor is not None and not is_handler(actor, item.department_id):
        raise permission_denied("只有实施部门的工作人员可以修改事项。")
    if item.state not in EDITABLE_ITEM_STATES:
        raise ApplicationError(
            EservicesError.WRONG_STATE, f"《{item.name}》已发布，请先停用再修改。", {"state": item.state}, status=409
        )
    stages = [
        StageSpec(name=s.name, tasks=[TaskSpec(t.department, t.name, t.limit) for t in s.tasks.all()])
        for s in item.stages.prefetch_related("tasks__department")
    ]
    _check_item(data, [], [], stages, [])
    if data.impl_code != item.impl_code and ServiceItem.objects.filter(impl_code=data.impl_code).exists():
        raise _invalid(f"实施编码 {data.impl_code} 已存在。", "impl_code")
    changed = {name: value for name, value in data.__dict__.items() if getattr(item, name) != value}
    for name, value in data.__dict__.items():
        setattr(item, name, value)
    item.name = item.name.strip()
    _clean(item, exclude=["created_by"])
    item.save()
    record(
        actor=actor,
        action="eservices.item_update",
        target=item,
        request=request,
        department=item.department,
        details={"changed": sorted(changed)},
    )
    return item


def _reindex(item: ServiceItem) -> None:
    ItemSearchTerm.objects.filter(item=item).delete()
    terms = index_terms(
        name=item.name,
        item_type=item.get_item_type_display(),
        department=item.department.name,
        conditions=item.conditions,
        materials=[m.name for m in item.materials.all()],
    )
    ItemSearchTerm.objects.bulk_create(ItemSearchTerm(item=item, term=t, weight=w) for t, w in terms.items())


@transaction.atomic
def item_publish(*, actor: User | None, item: ServiceItem, request: HttpRequest | None = None) -> ServiceItem:
    """Publish a draft (or re-publish a withdrawn) item: its guide goes on the portal and it takes applications."""
    item = ServiceItem.objects.select_for_update(of=("self",)).select_related("department").get(pk=item.pk)
    if actor is not None and not _may_manage(actor, item):
        raise permission_denied("只有实施部门的工作人员或电子政务主管部门可以发布事项。")
    if item.state == ServiceItem.State.PUBLISHED:
        raise ApplicationError(EservicesError.WRONG_STATE, f"《{item.name}》已发布。", status=409)
    if not item.stages.exists():
        raise _invalid("事项没有办理环节，不能发布。", "stages")
    item.state = ServiceItem.State.PUBLISHED
    item.published_at = timezone.now()
    item.save(update_fields=["state", "published_at", "updated_at"])
    _reindex(item)
    record(actor=actor, action="eservices.item_publish", target=item, request=request, department=item.department)
    return item


@transaction.atomic
def item_withdraw(
    *, actor: User | None, item: ServiceItem, reason: str, request: HttpRequest | None = None
) -> ServiceItem:
    """Stop taking applications for a published item (cases already open run on)."""
    reason = _reason(reason, "停用理由")
    item = ServiceItem.objects.select_for_update(of=("self",)).select_related("department").get(pk=item.pk)
    if actor is not None and not _may_manage(actor, item):
        raise permission_denied("只有实施部门的工作人员或电子政务主管部门可以停用事项。")
    if item.state != ServiceItem.State.PUBLISHED:
        raise ApplicationError(EservicesError.WRONG_STATE, f"《{item.name}》未发布。", status=409)
    item.state = ServiceItem.State.WITHDRAWN
    item.save(update_fields=["state", "updated_at"])
    ItemSearchTerm.objects.filter(item=item).delete()
    record(
        actor=actor,
        action="eservices.item_withdraw",
        target=item,
        request=request,
        department=item.department,
        details={"reason": reason},
    )
    return item


@transaction.atomic
def material_file_upload(
    *,
    actor: User | None,
    material: ItemMaterial,
    kind: str,
    upload: Upload,
    request: HttpRequest | None = None,
) -> MaterialFile:
    """Attach the 空白表格 or 示例样表 of a material (replacing the previous one of that kind).

    Only clerks and leaders of the item's department upload; the file is checked like an
    applicant's upload (PDF/OFD/JPG/PNG, content matching the extension, at most 10 MB)."""
    material = ItemMaterial.objects.select_related("item__department").get(pk=material.pk)
    item = material.item
    if actor is not None and not is_handler(actor, item.department_id):
        raise permission_denied(f"只有{item.department.name}的工作人员可以上传本事项的空白表格和示例样表。")
    if kind not in MaterialFile.Kind.values:
        raise ApplicationError(EservicesError.INVALID_INPUT, "类别应为空白表格或示例样表。", {"kind": "无效"})
    name, content_type = _check_upload(material, upload)
    row = MaterialFile.objects.filter(material=material, kind=kind).first() or MaterialFile(
        material=material, kind=kind
    )
    row.file_name = name
    row.content_type = content_type
    row.size = len(upload.content)
    row.sm3 = sm3_hex(upload.content)
    row.content = upload.content
    row.uploaded_by = actor
    row.uploaded_at = timezone.now()
    _clean(row, exclude=["material", "uploaded_by"])
    row.save()
    record(
        actor=actor,
        action="eservices.material_file_upload",
        target=item,
        request=request,
        department=item.department,
        details={"material": material.name, "kind": kind, "sm3": row.sm3, "size": row.size},
    )
    return row


# --- applying ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """A file as given by a form or the API (the bytes are read once)."""

    name: str
    content: bytes
    content_type: str = ""


def _applicant_key(applicant: User, resource_code: str) -> str:
    if resource_code == PERSON_BASE:
        return applicant.id_number if applicant.kind == User.Kind.CITIZEN else ""
    if resource_code == LEGAL_BASE:
        return applicant.enterprise_credit_code if applicant.kind == User.Kind.ENTERPRISE else ""
    return ""


def check_audience(applicant: User, item: ServiceItem) -> None:
    if applicant.kind == User.Kind.STAFF:
        raise permission_denied("工作人员账号不能以申请人身份申请，请使用个人或法人账号。")
    if item.audience == Audience.PERSON and applicant.kind != User.Kind.CITIZEN:
        raise ApplicationError(EservicesError.WRONG_AUDIENCE, "本事项仅面向自然人，请使用个人账号申请。")
    if item.audience == Audience.LEGAL and applicant.kind != User.Kind.ENTERPRISE:
        raise ApplicationError(EservicesError.WRONG_AUDIENCE, "本事项仅面向法人，请使用法人账号申请。")


@dataclass
class Prefill:
    """What the platform already holds for this applicant and item (once-only)."""

    values: dict[str, Any] = field(default_factory=dict)  # form field code → value from base data
    records: dict[str, fetch.Fetched] = field(default_factory=dict)  # resource code → record
    certificates: dict[int, Any] = field(default_factory=dict)  # ItemMaterial id → held certificate


def _certificates_held(applicant: User, type_code: str) -> Any | None:
    """The applicant's usable (valid, not expired) certificate of `type_code` in the 电子证照 base."""
    if applicant.kind == User.Kind.ENTERPRISE:
        held = certificate_selectors.certificates_held_by(
            credit_code=applicant.enterprise_credit_code, type_code=type_code
        )
    elif applicant.id_number:
        held = certificate_selectors.certificates_held_by(id_number=applicant.id_number, type_code=type_code)
    else:
        return None
    return next((c for c in held.filter(status="valid")[:20] if c.is_usable), None)


def _valid_in_base(*, item: ServiceItem, certificate: Any, purpose: str, ip: str | None) -> bool:
    """Whether the 电子证照 base shows `certificate` as valid, read through the exchange (so the
    read is in the access log the holder can see); only then is it reused instead of asked for."""
    base = certificate_base.base_resource()
    if base is None or not base.code:
        return False
    got = fetch.fetch_own_record(
        consumer=item.department, resource_code=base.code, key=certificate.identifier, purpose=purpose, ip=ip
    )
    return got is not None and got.record.get("status") == certificate_base.BASE_STATUS["valid"]


def prefill_for(*, applicant: User, item: ServiceItem, purpose_suffix: str = "", ip: str | None = None) -> Prefill:
    """Read the applicant's own base records that the item's form and materials name.

    Each read goes through `exchange.fetch` and is written to the exchange access log with the
    item's department as consumer and the purpose "办理《事项》…".
    """
    wanted: set[str] = set()
    for form_field in item.fields.all():
        source = form_field.prefill.partition(":")[0]
        if source in PREFILL_SOURCES:
            wanted.add(PREFILL_SOURCES[source])
    for material in item.materials.all():
        if material.source == MaterialSource.BASE:
            wanted.add(material.base_resource_code)
    result = Prefill()
    purpose = f"办理《{item.name}》{purpose_suffix}（申请人本人授权，一次提交共享获取）"
    for code in sorted(wanted):
        key = _applicant_key(applicant, code)
        if not key:
            continue
        got = fetch.fetch_own_record(consumer=item.department, resource_code=code, key=key, purpose=purpose, ip=ip)
        if got is not None:
            result.records[code] = got
    for form_field in item.fields.all():
        source, _, code = form_field.prefill.partition(":")
        got = result.records.get(PREFILL_SOURCES.get(source, ""))
        if got is not None and got.record.get(code) not in (None, ""):
            result.values[form_field.code] = _json_value(got.record[code])
    for material in item.materials.all():
        if material.source == MaterialSource.CERTIFICATE:
            certificate = _certificates_held(applicant, material.certificate_type_code)
            if certificate is not None and _valid_in_base(item=item, certificate=certificate, purpose=purpose, ip=ip):
                result.certificates[material.pk] = certificate
    return result


def _validate_form(item: ServiceItem, raw: Mapping[str, Any], locked: Mapping[str, Any]) -> dict[str, Any]:
    """Check every form field with the exchange's value converters; all errors at once."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    today = workdays.today()
    for form_field in item.fields.all():
        if form_field.code in locked:
            values[form_field.code] = locked[form_field.code]
            continue
        spec = ColumnSpec(
            code=form_field.code,
            name=form_field.label,
            data_type=form_field.data_type,
            required=form_field.required,
            max_length=form_field.max_length,
            enum_values=tuple(str(v) for v in form_field.enum_values),
        )
        text = cell_text(raw.get(form_field.code, ""))
        value = compile_converter(spec)(text)
        if isinstance(value, Invalid):
            errors[form_field.code] = f"{form_field.label}：{value.message}"
        elif isinstance(value, date) and not isinstance(value, datetime) and value.year > today.year + 100:
            errors[form_field.code] = f"{form_field.label}：日期超出范围"
        else:
            values[form_field.code] = _json_value(value)
    if errors:
        raise ApplicationError(
            EservicesError.INVALID_FORM,
            "申请表有误：" + "；".join(errors.values()),
            {f"data.{k}": v for k, v in errors.items()},
        )
    return values


def _check_upload(material: ItemMaterial, upload: Upload) -> tuple[str, str]:
    """(extension, content type) of an acceptable file, else an error naming the material."""
    name = (upload.name or "").strip().replace("\\", "/").rsplit("/", 1)[-1][:200]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    key = f"materials.{material.pk}"
    if extension not in FILE_TYPES:
        raise ApplicationError(
            EservicesError.INVALID_FILE,
            f"“{material.name}”：仅接受 PDF、OFD、JPG、PNG 文件。",
            {key: "文件类型不支持"},
        )
    if not upload.content:
        raise ApplicationError(EservicesError.INVALID_FILE, f"“{material.name}”：文件为空。", {key: "文件为空"})
    if len(upload.content) > MAX_FILE_BYTES:
        raise ApplicationError(EservicesError.INVALID_FILE, f"“{material.name}”：文件超过 10 MB。", {key: "文件过大"})
    content_type, magics = FILE_TYPES[extension]
    if not any(upload.content.startswith(m) for m in magics):
        raise ApplicationError(
            EservicesError.INVALID_FILE,
            f"“{material.name}”：文件内容与扩展名 .{extension} 不符。",
            {key: "文件内容与类型不符"},
        )
    return name, content_type


def _store_upload(application: Application, material: ItemMaterial, upload: Upload) -> ApplicationMaterial:
    name, content_type = _check_upload(material, upload)
    return ApplicationMaterial.objects.create(
        application=application,
        material=material,
        file_name=name,
        content_type=content_type,
        size=len(upload.content),
        sm3=sm3_hex(upload.content),
        content=upload.content,
        # The applicant's own file (a scan or photo): nothing vouches for it but the applicant.
        trust_level=TrustLevel.C,
    )


def _store_fetched(application: Application, material: ItemMaterial, prefill: Prefill) -> bool:
    if material.source == MaterialSource.BASE:
        got = prefill.records.get(material.base_resource_code)
        if got is None:
            return False
        ApplicationMaterial.objects.create(
            application=application,
            material=material,
            fetched=True,
            fetched_from=f"{got.provider}《{got.resource_name}》（{got.resource_code}）",
            fetched_data={k: _json_value(v) for k, v in got.record.items()},
            sm3=sm3_hex(repr(sorted(got.record.items()))),
            # Read from the providing agency's base through the exchange.
            trust_level=TrustLevel.A,
        )
        return True
    certificate = prefill.certificates.get(material.pk)
    if certificate is None:
        return False
    identifier = str(getattr(certificate, "identifier", certificate))
    ApplicationMaterial.objects.create(
        application=application,
        material=material,
        fetched=True,
        fetched_from=f"电子证照库：{getattr(certificate, 'type_name', '') or material.name}（{identifier}）",
        fetched_data={"identifier": identifier},
        sm3=sm3_hex(identifier),
        # A valid certificate of the 电子证照 base, signed by its issuing agency.
        trust_level=TrustLevel.A,
    )
    return True


def _next_number(item: ServiceItem, when: datetime) -> str:
    year = workdays.today(when).year
    counter, _ = CaseCounter.objects.select_for_update().get_or_create(year=year, prefix=item.case_prefix)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year}-{item.case_prefix}-{counter.last:06d}"


def _verify_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


def _check_files(item: ServiceItem, files: Mapping[int, Upload]) -> None:
    known = {m.pk for m in item.materials.all()}
    unknown = [k for k in files if k not in known]
    if unknown:
        raise ApplicationError(EservicesError.INVALID_INPUT, "上传的材料不属于本事项。", {"materials": "无效"})


def _missing_materials(application: Application, files: Mapping[int, Upload]) -> dict[str, str]:
    have = set(application.materials.filter(current=True).values_list("material_id", flat=True))
    missing: dict[str, str] = {}
    for material in application.item.materials.all():
        if material.required and material.pk not in have and material.pk not in files:
            missing[f"materials.{material.pk}"] = f"请提交“{material.name}”"
    return missing


@transaction.atomic
def application_submit(
    *,
    actor: User,
    item: ServiceItem,
    data: Mapping[str, Any],
    files: Mapping[int, Upload] | None = None,
    when: datetime | None = None,
    request: HttpRequest | None = None,
) -> Application:
    """A citizen or enterprise applies: form checked, materials stored (uploads SM3-hashed; what
    the platform holds is fetched, not asked for), case number and 查询码 given, the 承诺时限
    clock started. All or nothing."""
    files = dict(files or {})
    item = ServiceItem.objects.select_related("department").prefetch_related("fields", "materials").get(pk=item.pk)
    if item.state != ServiceItem.State.PUBLISHED:
        raise ApplicationError(EservicesError.ITEM_NOT_PUBLISHED, f"《{item.name}》未发布或已停用，不能申请。")
    if actor is None or not actor.is_authenticated:
        raise permission_denied("请先登录再申请。")
    check_audience(actor, item)
    _check_files(item, files)
    prefill = prefill_for(
        applicant=actor, item=item, ip=request.META.get("REMOTE_ADDR") if request is not None else None
    )
    values = _validate_form(item, data, prefill.values)
    now = when or timezone.now()
    application = Application(
        number="pending",
        verify_code=_verify_code(),
        item=item,
        department=item.department,
        applicant=actor,
        applicant_name=(actor.enterprise_name if actor.kind == User.Kind.ENTERPRISE else actor.real_name)
        or actor.username,
        data=values,
        submitted_at=now,
        # 到办事现场次数 of the guide this case is handled under (0 = 全程网办): the scorecard's
        # online share and average visits are computed from it.
        visits=item.visits,
    )
    application.number = _next_number(item, now)
    _clean(application)
    application.save()
    missing: dict[str, str] = {}
    for material in item.materials.all():
        if material.pk in files:
            _store_upload(application, material, files[material.pk])
        elif material.fetchable and _store_fetched(application, material, prefill):
            continue
        elif material.required:
            missing[f"materials.{material.pk}"] = f"请提交“{material.name}”"
    if missing:
        raise ApplicationError(EservicesError.MATERIAL_MISSING, "缺少必要材料：" + "；".join(missing.values()), missing)
    timers.timer_start(
        actor=legacy_actor(actor),
        kind=TIMER_APPLICATION,
        kind_label="承诺办结时限",
        target=application,
        title=f"{application.number} {item.name}",
        department=item.department,
        limit=item.promised_limit,
        start=now,
        url=_staff_url(application),
    )
    fetched = application.materials.filter(fetched=True).count()
    _event(
        application,
        actor,
        "submit",
        f"提交申请（共享获取材料 {fetched} 项，无需重复提交）" if fetched else "提交申请",
        at=now,
    )
    record(
        actor=actor,
        action="eservices.application_submit",
        target=application,
        request=request,
        department=item.department,
        details={"number": application.number, "item": item.impl_code, "fetched": fetched},
    )
    notify.send(
        application.applicant,
        application,
        f"您的《{item.name}》申请已提交，办件编号 {application.number}，查询码 {application.verify_code}。",
    )
    return application


@transaction.atomic
def application_accept(
    *, actor: User | None, application: Application, when: datetime | None = None, request: HttpRequest | None = None
) -> Application:
    """The window accepts (受理): the first stage's department tasks open, each with its clock."""
    locked = _lock(application)
    _require_handler(actor, locked.department_id, locked.department.name)
    if locked.state != Application.State.SUBMITTED:
        raise _wrong_state(locked, "受理")
    now = when or timezone.now()
    locked.state = Application.State.PROCESSING
    locked.accepted_at = now
    locked.save(update_fields=["state", "accepted_at", "updated_at"])
    _event(locked, actor, "accept", f"{locked.department.name}受理", at=now)
    _open_stage(locked, actor, 1, now)
    record(
        actor=actor, action="eservices.application_accept", target=locked, request=request, department=locked.department
    )
    notify.send(locked.applicant, locked, f"您的办件 {locked.number}（{locked.item.name}）已受理。")
    application.refresh_from_db()
    return locked


def _open_stage(application: Application, actor: User | None, position: int, when: datetime) -> None:
    stage = application.item.stages.filter(position=position).prefetch_related("tasks__department").first()
    if stage is None:
        application.state = Application.State.DECIDING
        application.current_stage = None
        application.save(update_fields=["state", "current_stage", "updated_at"])
        _event(application, actor, "deciding", "审查完毕，待作出决定", at=when)
        return
    application.current_stage = position
    application.save(update_fields=["current_stage", "updated_at"])
    names = []
    for spec in stage.tasks.all():
        task = CaseTask.objects.create(
            application=application,
            spec=spec,
            stage_position=position,
            department=spec.department,
            name=spec.name,
            opened_at=when,
        )
        names.append(spec.department.name)
        timers.timer_start(
            actor=legacy_actor(actor),
            kind=TIMER_TASK,
            kind_label="并联审批任务时限",
            target=task,
            title=f"{application.number} {spec.name}",
            department=spec.department,
            limit=spec.limit,
            start=when,
            url=reverse("eservices_wb:task", args=[task.pk]),
        )
    joined = "、".join(names)
    _event(
        application,
        actor,
        "stage",
        f"进入“{stage.name}”环节：{joined}" + ("并联审查" if len(names) > 1 else "审查"),
        at=when,
    )


@transaction.atomic
def application_refuse(
    *,
    actor: User | None,
    application: Application,
    reason: str,
    when: datetime | None = None,
    request: HttpRequest | None = None,
) -> Application:
    """不予受理, with reasons; ends the case."""
    reason = _reason(reason, "不予受理理由")
    locked = _lock(application)
    _require_handler(actor, locked.department_id, locked.department.name)
    if locked.state != Application.State.SUBMITTED:
        raise _wrong_state(locked, "作出不予受理决定")
    now = when or timezone.now()
    locked.state = Application.State.REFUSED
    locked.decision_reason = reason
    locked.decided_at = now
    locked.save(update_fields=["state", "decision_reason", "decided_at", "updated_at"])
    _finish(actor, locked, TIMER_APPLICATION, now)
    _event(locked, actor, "refuse", f"不予受理：{reason}", at=now)
    record(
        actor=actor,
        action="eservices.application_refuse",
        target=locked,
        request=request,
        department=locked.department,
        details={"reason": reason},
    )
    notify.send(locked.applicant, locked, f"您的办件 {locked.number} 不予受理：{reason}")
    application.refresh_from_db()
    return locked


@transaction.atomic
def application_request_correction(
    *,
    actor: User | None,
    application: Application,
    items: Sequence[str],
    note: str = "",
    when: datetime | None = None,
    request: HttpRequest | None = None,
) -> Application:
    """一次性告知补正: list everything missing at once; the clock pauses until the applicant answers."""
    wanted = [str(i).strip()[:300] for i in items if str(i).strip()]
    if not wanted:
        raise ApplicationError(EservicesError.REASON_REQUIRED, "请逐项列明需要补正的内容。", {"items": "必填"})
    locked = _lock(application)
    _require_handler(actor, locked.department_id, locked.department.name)
    if locked.state != Application.State.SUBMITTED:
        raise _wrong_state(locked, "要求补正")
    now = when or timezone.now()
    locked.state = Application.State.CORRECTION
    locked.corrections = wanted
    locked.correction_note = (note or "").strip()[:2000]
    locked.save(update_fields=["state", "corrections", "correction_note", "updated_at"])
    _pause(actor, locked, TIMER_APPLICATION, "补正材料", now)
    _event(locked, actor, "correction", "一次性告知补正：" + "；".join(wanted), at=now)
    record(
        actor=actor,
        action="eservices.application_request_correction",
        target=locked,
        request=request,
        department=locked.department,
        details={"items": wanted},
    )
    notify.send(locked.applicant, locked, f"您的办件 {locked.number} 需要补正：" + "；".join(wanted))
    application.refresh_from_db()
    return locked


@transaction.atomic
def application_correct(
    *,
    actor: User,
    application: Application,
    data: Mapping[str, Any] | None = None,
    files: Mapping[int, Upload] | None = None,
    when: datetime | None = None,
    request: HttpRequest | None = None,
) -> Application:
    """The applicant answers a correction notice: replaced files and form values; the clock resumes."""
    files = dict(files or {})
    locked = _lock(application)
    _require_applicant(actor, locked)
    if locked.state != Application.State.CORRECTION:
        raise _wrong_state(locked, "提交补正")
    _check_files(locked.item, files)
    if data is not None:
        fixed = {f.code: locked.data[f.code] for f in locked.item.fields.exclude(prefill="") if f.code in locked.data}
        merged = {**locked.data, **{k: v for k, v in data.items()}}
        locked.data = _validate_form(locked.item, merged, fixed)
    if not files and data is None:
        raise ApplicationError(
            EservicesError.INVALID_INPUT, "请上传补正材料或修改申请表后再提交。", {"materials": "必填"}
        )
    for material_id, upload in files.items():
        material = locked.item.materials.get(pk=material_id)
        _check_upload(material, upload)
    for material_id, upload in files.items():
        material = locked.item.materials.get(pk=material_id)
        locked.materials.filter(material=material, current=True).update(current=False)
        _store_upload(locked, material, upload)
    missing = _missing_materials(locked, {})
    if missing:
        raise ApplicationError(EservicesError.MATERIAL_MISSING, "缺少必要材料：" + "；".join(missing.values()), missing)
    now = when or timezone.now()
    locked.state = Application.State.SUBMITTED
    locked.save(update_fields=["state", "data", "updated_at"])
    _resume(actor, locked, TIMER_APPLICATION, now)
    _event(locked, actor, "corrected", f"申请人提交补正（{len(files)} 份材料）", at=now)
    record(
        actor=actor,
        action="eservices.application_correct",
        target=locked,
        request=request,
        department=locked.department,
        details={"files": len(files), "data": data is not None},
    )
    notify.staff(locked.department, locked, f"办件 {locked.number} 申请人已补正，请继续受理。")
    application.refresh_from_db()
    return locked


def _lock_task(task: CaseTask) -> tuple[Application, CaseTask]:
    application = _lock(task.application)
    locked = CaseTask.objects.select_for_update(of=("self",)).select_related("department", "claimed_by").get(pk=task.pk)
    return application, locked


def _task_wrong_state(task: CaseTask, action: str) -> ApplicationError:
    return ApplicationError(
        EservicesError.WRONG_STATE,
        f"任务“{task.name}”当前为“{task.get_state_display()}”，不能{action}（可能已被他人处理，请刷新）。",
        {"state": task.state},
        status=409,
    )


def _claimer_name(task: CaseTask) -> str:
    claimer = task.claimed_by
    return str(claimer) if claimer is not None else "其他工作人员"


def _require_claimer(actor: User | None, task: CaseTask, action: str) -> None:
    """A claimed task is acted on only by the clerk who claimed it (认领人)."""
    if actor is not None and task.claimed_by_id is not None and task.claimed_by_id != actor.pk:
        raise ApplicationError(
            EservicesError.TASK_CLAIMED,
            f"任务“{task.name}”已由{_claimer_name(task)}认领，只有认领人可以{action}。",
            {"claimed_by": _claimer_name(task)},
            status=409,
        )


@transaction.atomic
def task_claim(*, actor: User, task: CaseTask, request: HttpRequest | None = None) -> CaseTask:
    """认领: a clerk (or the leader) of the task's department takes a live task; from then on only
    they act on it. The task row is locked and checked fresh: of two clerks claiming at once exactly
    one succeeds, the other is told who holds it."""
    application, locked = _lock_task(task)
    if actor is None or not is_handler(actor, locked.department_id):
        raise permission_denied(f"只有{locked.department.name}的工作人员可以认领该任务。")
    if not locked.is_live or application.state != Application.State.PROCESSING:
        raise _task_wrong_state(locked, "认领")
    if locked.claimed_by_id is not None:
        who = "您" if locked.claimed_by_id == actor.pk else _claimer_name(locked)
        raise ApplicationError(
            EservicesError.TASK_CLAIMED,
            f"任务“{locked.name}”已由{who}认领，不能重复认领。",
            {"claimed_by": str(locked.claimed_by)},
            status=409,
        )
    locked.claimed_by = actor
    locked.claimed_at = timezone.now()
    locked.save(update_fields=["claimed_by", "claimed_at"])
    record(
        actor=actor,
        action="eservices.task_claim",
        target=locked,
        request=request,
        department=locked.department,
        details={"application": application.number, "task": locked.name},
    )
    task.refresh_from_db()
    return locked


@transaction.atomic
def task_complete(
    *,
    actor: User | None,
    task: CaseTask,
    approve: bool,
    opinion: str,
    when: datetime | None = None,
    request: HttpRequest | None = None,
) -> CaseTask:
    """A department approves (同意) or objects (不同意, with reasons) in its task. When every task
    of the stage has agreed the next stage opens; an objection ends the review (待决定)."""
    opinion = (opinion or "").strip()[:2000]
    if not approve:
        opinion = _reason(opinion, "不同意的理由", "opinion")
    application, locked = _lock_task(task)
    _require_handler(actor, locked.department_id, locked.department.name)
    _require_claimer(actor, locked, "办理")
    if locked.state != CaseTask.State.OPEN or application.state != Application.State.PROCESSING:
        raise _task_wrong_state(locked, "办理")
    now = when or timezone.now()
    locked.state = CaseTask.State.APPROVED if approve else CaseTask.State.REJECTED
    locked.opinion = opinion
    locked.handled_by = actor
    locked.handled_at = now
    locked.save(update_fields=["state", "opinion", "handled_by", "handled_at"])
    _finish(actor, locked, TIMER_TASK, now)
    verdict = "同意" if approve else "不同意"
    _event(
        application,
        actor,
        "task",
        f"{locked.department.name}：{verdict}" + (f"（{opinion}）" if opinion else ""),
        at=now,
    )
    record(
        actor=actor,
        action="eservices.task_complete",
        target=locked,
        request=request,
        department=locked.department,
        details={"application": application.number, "approve": approve},
    )
    stage_tasks = application.tasks.filter(stage_position=locked.stage_position)
    if not approve:
        for other in stage_tasks.filter(state__in=CaseTask.LIVE_STATES):
            other.state = CaseTask.State.CANCELLED
            other.save(update_fields=["state"])
            _cancel(actor, other, TIMER_TASK, f"{locked.department.name}不同意，审查终止")
        _resume_case_if_no_special(actor, application, now)
        application.state = Application.State.DECIDING
        application.save(update_fields=["state", "updated_at"])
        _event(application, None, "deciding", "审查终止，待作出决定", at=now)
    elif not stage_tasks.exclude(state=CaseTask.State.APPROVED).exists():
        _open_stage(application, actor, locked.stage_position + 1, now)
    if application.state == Application.State.DECIDING:
        notify.staff(application.department, application, f"办件 {application.number} 审查完毕，请作出决定。")
    task.refresh_from_db()
    return locked


def _resume_case_if_no_special(actor: User | None, application: Application, when: datetime) -> None:
    if not application.tasks.filter(state=CaseTask.State.SPECIAL).exists():
        _resume(actor, application, TIMER_APPLICATION, when)
        if application.special_reason:
            application.special_reason = ""
            application.save(update_fields=["special_reason", "updated_at"])


@transaction.atomic
def task_special_start(
    *,
    actor: User | None,
    task: CaseTask,
    reason: str,
    when: datetime | None = None,
    request: HttpRequest | None = None,
) -> CaseTask:
    """特别程序 (听证、专家评审、检验检测、公示 …): the task's and the case's clocks stop."""
    reason = _reason(reason, "特别程序事由")[:300]
    application, locked = _lock_task(task)
    _require_handler(actor, locked.department_id, locked.department.name)
    _require_claimer(actor, locked, "启动特别程序")
    if locked.state != CaseTask.State.OPEN or application.state != Application.State.PROCESSING:
        raise _task_wrong_state(locked, "启动特别程序")
    now = when or timezone.now()
    locked.state = CaseTask.State.SPECIAL
    locked.special_reason = reason
    locked.save(update_fields=["state", "special_reason"])
    _pause(actor, locked, TIMER_TASK, f"特别程序：{reason}", now)
    _pause(actor, application, TIMER_APPLICATION, f"特别程序：{reason}", now)
    application.special_reason = reason
    application.save(update_fields=["special_reason", "updated_at"])
    _event(application, actor, "special", f"{locked.department.name}启动特别程序：{reason}（不计入办理时限）", at=now)
    record(
        actor=actor,
        action="eservices.task_special_start",
        target=locked,
        request=request,
        department=locked.department,
        details={"reason": reason},
    )
    notify.send(application.applicant, application, f"您的办件 {application.number} 进入特别程序：{reason}")
    task.refresh_from_db()
    return locked


@transaction.atomic
def task_special_end(
    *, actor: User | None, task: CaseTask, when: datetime | None = None, request: HttpRequest | None = None
) -> CaseTask:
    """The special procedure is over: the clocks run again (the case's once no task is still in one)."""
    application, locked = _lock_task(task)
    _require_handler(actor, locked.department_id, locked.department.name)
    _require_claimer(actor, locked, "结束特别程序")
    if locked.state != CaseTask.State.SPECIAL:
        raise _task_wrong_state(locked, "结束特别程序")
    now = when or timezone.now()
    locked.state = CaseTask.State.OPEN
    locked.save(update_fields=["state"])
    _resume(actor, locked, TIMER_TASK, now)
    _resume_case_if_no_special(actor, application, now)
    _event(application, actor, "special_end", f"{locked.department.name}特别程序结束，恢复计时", at=now)
    record(
        actor=actor, action="eservices.task_special_end", target=locked, request=request, department=locked.department
    )
    task.refresh_from_db()
    return locked


def _certificate_data(application: Application, type_code: str) -> dict[str, str]:
    """The certificate's data items taken from the application form (same item codes); the
    licence number is the case number and a registration date the decision day when the form
    has none."""
    kind = certificate_selectors.certificate_type_by_code(type_code)
    if kind is None:
        raise ApplicationError(EservicesError.INVALID_ITEM, f"证照类型 {type_code} 不存在，无法签发电子证照。")
    today = workdays.today()
    data: dict[str, str] = {}
    for spec in kind.items:
        code = spec["code"]
        value = application.data.get(code)
        if value in (None, "") and code == "license_no":
            value = application.number.replace("-", "")
        elif value in (None, "") and code in ("registered_on", "issued_on"):
            value = today.isoformat()
        if value not in (None, ""):
            data[code] = str(value)
    return data


def _issue_certificate(actor: User | None, application: Application, request: HttpRequest | None) -> str:
    """Issue the item's certificate result through the 电子证照 app; "" when the item has none."""
    result = application.item.results.filter(kind=ItemResult.Kind.CERTIFICATE).first()
    if result is None:
        return ""
    applicant = application.applicant
    enterprise = applicant.kind == User.Kind.ENTERPRISE
    certificate = certificate_services.certificate_issue(
        actor=Actor.platform() if actor is None else Actor.person(actor, ip=client_ip(request)),
        department=application.department,
        certificate_type=result.certificate_type_code,
        holder_name=application.applicant_name,
        data=_certificate_data(application, result.certificate_type_code),
        source_label=f"办件 {application.number}（{application.item.name}）",
        holder_credit_code=applicant.enterprise_credit_code if enterprise else "",
        holder_id_number="" if enterprise else applicant.id_number,
    )
    return str(certificate.identifier)


@transaction.atomic
def application_decide(
    *,
    actor: User | None,
    application: Application,
    approve: bool,
    reason: str = "",
    when: datetime | None = None,
    request: HttpRequest | None = None,
) -> Application:
    """准予 or 不予 (with reasons) after the review; ends the clock, issues the certificate result."""
    reason = (reason or "").strip()[:2000]
    if not approve:
        reason = _reason(reason, "不予许可的理由")
    locked = _lock(application)
    _require_handler(actor, locked.department_id, locked.department.name)
    if locked.state != Application.State.DECIDING:
        raise _wrong_state(locked, "作出决定")
    if approve and locked.tasks.filter(state=CaseTask.State.REJECTED).exists():
        raise ApplicationError(
            EservicesError.WRONG_STATE, "有部门审查不同意，不能作出准予决定。", {"approve": "不可准予"}, status=409
        )
    now = when or timezone.now()
    locked.state = Application.State.APPROVED if approve else Application.State.DENIED
    locked.decision_reason = reason
    locked.decided_at = now
    if approve:
        locked.certificate_identifier = _issue_certificate(actor, locked, request)
    locked.save(update_fields=["state", "decision_reason", "decided_at", "certificate_identifier", "updated_at"])
    _finish(actor, locked, TIMER_APPLICATION, now)
    text = "准予许可" if approve else f"不予许可：{reason}"
    if locked.certificate_identifier:
        text += f"，已签发电子证照 {locked.certificate_identifier}"
    _event(locked, actor, "decide", text, at=now)
    record(
        actor=actor,
        action="eservices.application_decide",
        target=locked,
        request=request,
        department=locked.department,
        details={"approve": approve, "reason": reason, "certificate": locked.certificate_identifier},
    )
    notify.send(locked.applicant, locked, f"您的办件 {locked.number} 已办结：{text}。欢迎对本次服务作出评价。")
    application.refresh_from_db()
    return locked


@transaction.atomic
def application_withdraw(
    *, actor: User, application: Application, reason: str = "", request: HttpRequest | None = None
) -> Application:
    """The applicant withdraws before the decision; open tasks and clocks are cancelled."""
    locked = _lock(application)
    _require_applicant(actor, locked)
    if locked.state not in Application.OPEN_STATES:
        raise _wrong_state(locked, "撤回")
    reason = (reason or "").strip()[:500] or "申请人撤回"
    for task in locked.tasks.filter(state__in=CaseTask.LIVE_STATES):
        task.state = CaseTask.State.CANCELLED
        task.save(update_fields=["state"])
        _cancel(actor, task, TIMER_TASK, "申请人撤回")
    _cancel(actor, locked, TIMER_APPLICATION, "申请人撤回")
    locked.state = Application.State.WITHDRAWN
    locked.decided_at = timezone.now()
    locked.decision_reason = reason
    locked.save(update_fields=["state", "decided_at", "decision_reason", "updated_at"])
    _event(locked, actor, "withdraw", f"申请人撤回申请：{reason}")
    record(
        actor=actor,
        action="eservices.application_withdraw",
        target=locked,
        request=request,
        department=locked.department,
        details={"reason": reason},
    )
    application.refresh_from_db()
    return locked


# --- ratings (好差评) ---------------------------------------------------------------------


@dataclass
class RatingData:
    level: int
    overall: int
    efficiency: int
    guide_accuracy: int
    convenience: int
    usability: int
    comment: str = ""


@transaction.atomic
def rating_create(
    *, actor: User, application: Application, data: RatingData, request: HttpRequest | None = None
) -> Rating:
    """一事一评 by the applicant after the case ended; a bad rating opens a rectification with its clock."""
    locked = _lock(application)
    _require_applicant(actor, locked)
    if locked.state not in Application.DONE_STATES:
        raise _wrong_state(locked, "评价（办结后才能评价）")
    if Rating.objects.filter(application=locked).exists():
        raise ApplicationError(EservicesError.ALREADY_RATED, "该办件已评价过，一事一评。", status=409)
    for name in ("level", "overall", "efficiency", "guide_accuracy", "convenience", "usability"):
        value = getattr(data, name)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise ApplicationError(EservicesError.INVALID_INPUT, "评价等级应为 1–5。", {name: "超出范围"})
    comment = (data.comment or "").strip()[:500]
    if data.level in BAD_LEVELS and not comment:
        raise ApplicationError(
            EservicesError.REASON_REQUIRED, "差评请说明不满意的原因，便于整改。", {"comment": "必填"}
        )
    rating = Rating(
        application=locked,
        department=locked.department,
        level=data.level,
        overall=data.overall,
        efficiency=data.efficiency,
        guide_accuracy=data.guide_accuracy,
        convenience=data.convenience,
        usability=data.usability,
        comment=comment,
    )
    _clean(rating)
    rating.save()
    _event(locked, actor, "rate", f"申请人评价：{rating.get_level_display()}")
    rectification = None
    if rating.is_bad:
        rectification = Rectification.objects.create(rating=rating, department=locked.department)
        timers.timer_start(
            actor=legacy_actor(actor),
            kind=TIMER_RECTIFICATION,
            kind_label="差评整改时限",
            target=rectification,
            title=f"{locked.number} 差评整改",
            department=locked.department,
            limit=rectification_days(),
            url=reverse("eservices_wb:rating", args=[rectification.pk]),
        )
        notify.staff(
            locked.department,
            locked,
            f"办件 {locked.number} 收到差评，请在 {rectification_days()} 个工作日内回访整改。",
        )
    record(
        actor=actor,
        action="eservices.rating_create",
        target=rating,
        request=request,
        department=locked.department,
        details={"application": locked.number, "level": rating.level, "rectification": rectification is not None},
    )
    return rating


def _lock_rectification(rectification: Rectification) -> Rectification:
    return (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("rating__application", "department")
        .get(pk=rectification.pk)
    )


def _rect_wrong_state(rectification: Rectification, action: str) -> ApplicationError:
    return ApplicationError(
        EservicesError.WRONG_STATE,
        f"该整改当前为“{rectification.get_state_display()}”，不能{action}。",
        {"state": rectification.state},
        status=409,
    )


@transaction.atomic
def rectification_complete(
    *, actor: User | None, rectification: Rectification, response: str, request: HttpRequest | None = None
) -> Rectification:
    """The department reports its call-back and rectification; the clock stops."""
    response = _reason(response, "回访与整改情况", "response")
    locked = _lock_rectification(rectification)
    _require_handler(actor, locked.department_id, locked.department.name)
    if locked.state != Rectification.State.OPEN:
        raise _rect_wrong_state(locked, "提交整改")
    locked.state = Rectification.State.DONE
    locked.response = response
    locked.handled_by = actor
    locked.closed_at = timezone.now()
    locked.save(update_fields=["state", "response", "handled_by", "closed_at"])
    _finish(actor, locked, TIMER_RECTIFICATION, None)
    record(
        actor=actor,
        action="eservices.rectification_complete",
        target=locked,
        request=request,
        department=locked.department,
    )
    notify.send(
        locked.rating.application.applicant,
        locked.rating.application,
        f"您对办件 {locked.rating.application.number} 的评价已回访整改：{response[:200]}",
    )
    rectification.refresh_from_db()
    return locked


@transaction.atomic
def rectification_appeal(
    *, actor: User | None, rectification: Rectification, reason: str, request: HttpRequest | None = None
) -> Rectification:
    """The department appeals a rating it thinks wrong (恶意差评、与本部门无关 …); the clock pauses."""
    reason = _reason(reason, "申诉理由")
    locked = _lock_rectification(rectification)
    _require_handler(actor, locked.department_id, locked.department.name)
    if locked.state != Rectification.State.OPEN:
        raise _rect_wrong_state(locked, "申诉")
    locked.state = Rectification.State.APPEALED
    locked.appeal_reason = reason
    locked.handled_by = actor
    locked.save(update_fields=["state", "appeal_reason", "handled_by"])
    _pause(actor, locked, TIMER_RECTIFICATION, "差评申诉审核", None)
    record(
        actor=actor,
        action="eservices.rectification_appeal",
        target=locked,
        request=request,
        department=locked.department,
        details={"reason": reason},
    )
    return locked


@transaction.atomic
def rectification_decide_appeal(
    *,
    actor: User | None,
    rectification: Rectification,
    upheld: bool,
    comment: str,
    request: HttpRequest | None = None,
) -> Rectification:
    """A supervisor decides an appeal: upheld → the rating leaves the statistics and the case closes;
    rejected → back to rectification, the clock runs again."""
    if actor is not None and not actor.has_role(Role.SUPERVISOR):
        raise permission_denied("只有电子监察人员可以审核差评申诉。")
    comment = _reason(comment, "审核意见", "comment")
    locked = _lock_rectification(rectification)
    if locked.state != Rectification.State.APPEALED:
        raise _rect_wrong_state(locked, "审核申诉")
    locked.appeal_decision = comment
    if upheld:
        locked.state = Rectification.State.ANNULLED
        locked.closed_at = timezone.now()
        Rating.objects.filter(pk=locked.rating_id).update(excluded=True)
        _cancel(actor, locked, TIMER_RECTIFICATION, "申诉成立")
    else:
        locked.state = Rectification.State.OPEN
        _resume(actor, locked, TIMER_RECTIFICATION, None)
    locked.save(update_fields=["state", "appeal_decision", "closed_at"])
    record(
        actor=actor,
        action="eservices.rectification_decide_appeal",
        target=locked,
        request=request,
        department=locked.department,
        details={"upheld": upheld, "comment": comment},
    )
    return locked
