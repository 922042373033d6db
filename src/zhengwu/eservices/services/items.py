"""Service items (政务服务事项): the guide, its materials, form and flow; publishing and withdrawing;
the 空白表格 / 示例样表 of a material, uploaded by the item's department and checked like
applicant uploads."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone

from zhengwu.accounts.models import Department, Role
from zhengwu.audit.write import Write, audited_write
from zhengwu.catalog.models import DataType
from zhengwu.core.actors import Actor
from zhengwu.core.crypto import sm3_hex
from zhengwu.core.errors import ApplicationError, clean
from zhengwu.eservices.audit_actions import EservicesAction
from zhengwu.eservices.errors import EservicesError
from zhengwu.eservices.models import (
    FormField,
    HandlingForm,
    ItemMaterial,
    ItemResult,
    ItemSearchTerm,
    MaterialFile,
    MaterialSource,
    ServiceItem,
    Stage,
    StageTask,
    validate_handling_forms,
)
from zhengwu.eservices.search import index_terms
from zhengwu.eservices.services.common import is_handler, reason_text, require_handler
from zhengwu.eservices.services.prefill import LEGAL_BASE, PERSON_BASE, PREFILL_SOURCES
from zhengwu.eservices.services.uploads import Upload, check_upload
from zhengwu.eservices.states import ITEM_STATES


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


def _check_guide(data: ItemData) -> None:
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


def _check_materials(materials: Sequence[MaterialSpec]) -> None:
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


def _check_fields(fields: Sequence[FieldSpec]) -> None:
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


def _check_stages(data: ItemData, stages: Sequence[StageSpec]) -> None:
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


def _check_results(results: Sequence[ResultSpec]) -> None:
    for rspec in results:
        if rspec.kind not in ItemResult.Kind.values:
            raise _invalid(f"审批结果“{rspec.name}”的类型无效。", "results")
        if (rspec.kind == ItemResult.Kind.CERTIFICATE) != bool(rspec.certificate_type_code.strip()):
            raise _invalid(f"审批结果“{rspec.name}”：证照类结果须且只有它须注明证照类型代码。", "results")


def _refuse_taken_code(impl_code: str) -> None:
    if ServiceItem.objects.filter(impl_code=impl_code).exists():
        raise _invalid(f"实施编码 {impl_code} 已存在。", "impl_code")


def item_create(
    *,
    actor: Actor,
    department: Department,
    data: ItemData,
    materials: Sequence[MaterialSpec] = (),
    fields: Sequence[FieldSpec] = (),
    stages: Sequence[StageSpec] = (),
    results: Sequence[ResultSpec] = (),
) -> ServiceItem:
    """A new draft item of `department` (its clerks or leader), with materials, form and flow."""
    with audited_write(actor, EservicesAction.ITEM_CREATE, department=department) as write:
        require_handler(write, department)
        _check_guide(data)
        _check_materials(materials)
        _check_fields(fields)
        _check_stages(data, stages)
        _check_results(results)
        _refuse_taken_code(data.impl_code)
        item = ServiceItem(department=department, created_by=actor.user, **data.__dict__)
        item.name = item.name.strip()
        clean(item, exclude=["created_by"])
        item.save()
        write.set_target(item)
        for position, m in enumerate(materials, start=1):
            material = ItemMaterial(item=item, position=position, **m.__dict__)
            clean(material, exclude=["item"])
            material.save()
        for position, f in enumerate(fields, start=1):
            form_field = FormField(item=item, position=position, **f.__dict__)
            clean(form_field, exclude=["item"])
            form_field.save()
        for position, s in enumerate(stages, start=1):
            stage = Stage.objects.create(item=item, position=position, name=s.name.strip())
            for t in s.tasks:
                task = StageTask(stage=stage, department=t.department, name=t.name.strip(), limit=t.limit)
                clean(task, exclude=["stage"])
                task.save()
        for r in results:
            result = ItemResult(item=item, **r.__dict__)
            clean(result, exclude=["item"])
            result.save()
        write.note(impl_code=item.impl_code, stages=len(stages), materials=len(materials))
    return item


def require_manager(write: Write, item: ServiceItem, what: str) -> None:
    """The item's department, or the e-gov office (电子政务主管部门), or the platform itself."""
    actor = write.actor
    write.require(
        actor.is_platform or is_handler(actor, item.department_id) or actor.has_role(Role.EGOV_OFFICE),
        f"只有实施部门的工作人员或电子政务主管部门可以{what}事项。",
    )


def item_update(*, actor: Actor, item: ServiceItem, data: ItemData) -> ServiceItem:
    """Change the guide of a draft or withdrawn item (materials, form and flow are replaced by a new
    import). A published item is withdrawn first, edited, and published again; open cases keep the
    limits their clocks started with."""
    with audited_write(actor, EservicesAction.ITEM_UPDATE, item) as write:
        locked = write.lock(item, "department")
        require_handler(write, locked.department, "只有实施部门的工作人员可以修改事项。")
        if not ITEM_STATES.can(locked, "edit"):
            raise ApplicationError(
                EservicesError.WRONG_STATE,
                f"《{locked.name}》已发布，请先停用再修改。",
                {"state": locked.state},
                status=409,
            )
        stages = [
            StageSpec(name=s.name, tasks=[TaskSpec(t.department, t.name, t.limit) for t in s.tasks.all()])
            for s in locked.stages.prefetch_related("tasks__department")
        ]
        _check_guide(data)
        _check_stages(data, stages)
        if data.impl_code != locked.impl_code:
            _refuse_taken_code(data.impl_code)
        changed = {name: value for name, value in data.__dict__.items() if getattr(locked, name) != value}
        for name, value in data.__dict__.items():
            setattr(locked, name, value)
        locked.name = locked.name.strip()
        clean(locked, exclude=["created_by"])
        locked.save()
        write.note(changed=sorted(changed))
    return locked


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


def item_publish(*, actor: Actor, item: ServiceItem) -> ServiceItem:
    """Publish a draft (or re-publish a withdrawn) item: its guide goes on the portal and it takes applications."""
    with audited_write(actor, EservicesAction.ITEM_PUBLISH, item) as write:
        locked = write.lock(item, "department")
        require_manager(write, locked, "发布")
        if not ITEM_STATES.can(locked, "publish"):
            raise ApplicationError(EservicesError.WRONG_STATE, f"《{locked.name}》已发布。", status=409)
        if not locked.stages.exists():
            raise _invalid("事项没有办理环节，不能发布。", "stages")
        ITEM_STATES.move(locked, "publish")
        locked.published_at = timezone.now()
        locked.save(update_fields=["state", "published_at", "updated_at"])
        _reindex(locked)
    return locked


def item_withdraw(*, actor: Actor, item: ServiceItem, reason: str) -> ServiceItem:
    """Stop taking applications for a published item (cases already open run on)."""
    with audited_write(actor, EservicesAction.ITEM_WITHDRAW, item) as write:
        reason = reason_text(reason, "停用理由")
        locked = write.lock(item, "department")
        require_manager(write, locked, "停用")
        if not ITEM_STATES.can(locked, "withdraw"):
            raise ApplicationError(EservicesError.WRONG_STATE, f"《{locked.name}》未发布。", status=409)
        ITEM_STATES.move(locked, "withdraw")
        locked.save(update_fields=["state", "updated_at"])
        ItemSearchTerm.objects.filter(item=locked).delete()
        write.note(reason=reason)
    return locked


def material_file_upload(*, actor: Actor, material: ItemMaterial, kind: str, upload: Upload) -> MaterialFile:
    """Attach the 空白表格 or 示例样表 of a material (replacing the previous one of that kind).

    Only clerks and leaders of the item's department upload; the file is checked like an
    applicant's upload (PDF/OFD/JPG/PNG, content matching the extension, at most 10 MB)."""
    with audited_write(actor, EservicesAction.MATERIAL_FILE_UPLOAD, material.item) as write:
        item = write.lock(material.item, "department")
        material = ItemMaterial.objects.get(pk=material.pk)
        require_handler(
            write, item.department, f"只有{item.department.name}的工作人员可以上传本事项的空白表格和示例样表。"
        )
        if kind not in MaterialFile.Kind.values:
            raise ApplicationError(EservicesError.INVALID_INPUT, "类别应为空白表格或示例样表。", {"kind": "无效"})
        name, content_type = check_upload(material, upload)
        row = MaterialFile.objects.filter(material=material, kind=kind).first() or MaterialFile(
            material=material, kind=kind
        )
        row.file_name = name
        row.content_type = content_type
        row.size = len(upload.content)
        row.sm3 = sm3_hex(upload.content)
        row.content = upload.content
        row.uploaded_by = actor.user
        row.uploaded_at = timezone.now()
        clean(row, exclude=["material", "uploaded_by"])
        row.save()
        write.note(material=material.name, kind=kind, sm3=row.sm3, size=row.size)
    return row
