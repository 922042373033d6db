"""Writes of the catalog (政务信息资源目录): drafting, review, publication, revision, withdrawal.

Lifecycle: draft → submitted → approved (电子政务办) → published → withdrawn. A published
resource is revised through a separate draft row (`revision_of`) that goes through the same
review and, on publication, is copied onto the published row (same code, version + 1); each
published version is kept as a `ResourceVersion` snapshot.

Resource code (docs/rules.md §2): classification code (类 1 digit + 项 2 + 目 3 + 细目 0–6 digits)
+ "/" + the sequence number within that classification, zero-padded to at least 3 digits:
"101001/001", "101001/002", …, "101001/999", "101001/1000". Assigned once, at first publication.

Each service is keyword-only, atomic, validated (`full_clean`) and audited (docs/design.md rule 1).
`actor=None` means the platform itself (the demo loader).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.http import HttpRequest
from django.utils import timezone

from zhengwu.accounts.models import Department, Role, User
from zhengwu.audit.services import record
from zhengwu.catalog.errors import CatalogError
from zhengwu.catalog.models import (
    AuthoritativeSource,
    CatalogClass,
    CodeSequence,
    DataItem,
    DataType,
    FormatClass,
    Resource,
    ResourceSearchTerm,
    ResourceVersion,
    ShareMethod,
    ShareType,
    Zone,
)
from zhengwu.catalog.search import index_terms
from zhengwu.core.errors import ApplicationError, from_validation_error, permission_denied

ITEM_CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
# The 类 digit of each catalog class (GB/T 21063.4 style): 1 基础, 2 主题, 3 部门.
CATEGORY_OF_CLASS = {CatalogClass.BASE: "1", CatalogClass.THEME: "2", CatalogClass.DEPARTMENT: "3"}
# Formats whose records the exchange stores in a table: they need a key item.
STRUCTURED_FORMATS = {FormatClass.DATABASE, FormatClass.SPREADSHEET, FormatClass.SERVICE}
EDITABLE_STATES = {Resource.State.DRAFT}


@dataclass
class ResourceData:
    """The editable metadata of a resource (everything but provider, code, state and version)."""

    catalog_class: str
    category: str
    item: str
    subitem: str
    name: str
    summary: str
    format_class: str
    share_type: str
    update_cycle: str
    detail: str = ""
    share_condition: str = ""
    share_method: str = ShareMethod.API
    no_share_basis: str = ""
    open_to_public: bool = False
    open_condition: str = ""
    zone: str = Zone.INTERNAL
    is_secret: bool = False
    key_item: str = ""
    related_codes: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, resource: Resource) -> ResourceData:
        return cls(**{name: getattr(resource, name) for name in cls.__dataclass_fields__})


RESOURCE_FIELDS = tuple(ResourceData.__dataclass_fields__)


@dataclass
class ItemSpec:
    """One data item as given to `dataitems_set`."""

    name: str
    code: str
    data_type: str
    required: bool = False
    is_personal: bool = False
    is_authoritative: bool = False
    enum_values: list[str] = field(default_factory=list)
    max_length: int | None = None
    description: str = ""

    @classmethod
    def of(cls, item: DataItem) -> ItemSpec:
        return cls(**{name: getattr(item, name) for name in cls.__dataclass_fields__})


# --- checks --------------------------------------------------------------------------------


def _invalid(code: CatalogError, message: str, field_name: str) -> ApplicationError:
    return ApplicationError(code, message, {field_name: message})


def _clean(instance: Any, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise from_validation_error(error) from None


def _is_provider_officer(actor: User, provider_id: int) -> bool:
    return actor.has_role(Role.DATA_OFFICER) and actor.department_id == provider_id


def _require_provider_officer(actor: User | None, provider_id: int) -> None:
    if actor is not None and not _is_provider_officer(actor, provider_id):
        raise permission_denied("只有提供方部门的数据管理员可以编辑本部门的目录。")


def _may_publish(actor: User, resource: Resource) -> bool:
    return actor.has_role(Role.EGOV_OFFICE) or _is_provider_officer(actor, resource.provider_id)


def _require_egov(actor: User | None) -> None:
    if actor is not None and not actor.has_role(Role.EGOV_OFFICE):
        raise permission_denied("只有电子政务主管部门可以审核目录。")


def _require_state(resource: Resource, *states: str) -> None:
    if resource.state not in states:
        wanted = "、".join(str(Resource.State(s).label) for s in states)
        raise ApplicationError(
            CatalogError.WRONG_STATE,
            f"《{resource.name}》当前为“{resource.get_state_display()}”，此操作仅适用于“{wanted}”状态。",
        )


def _check_metadata(resource: Resource) -> None:
    """The rules of docs/rules.md §2/§3 on one resource, as clean errors before the database's constraints."""
    if not re.fullmatch(r"\d", resource.category or ""):
        raise _invalid(CatalogError.INVALID_CLASSIFICATION, "“类”应为 1 位数字。", "category")
    if not re.fullmatch(r"\d{2}", resource.item or ""):
        raise _invalid(CatalogError.INVALID_CLASSIFICATION, "“项”应为 2 位数字。", "item")
    if not re.fullmatch(r"\d{3}", resource.subitem or ""):
        raise _invalid(CatalogError.INVALID_CLASSIFICATION, "“目”应为 3 位数字。", "subitem")
    if not re.fullmatch(r"\d{0,6}", resource.detail or ""):
        raise _invalid(CatalogError.INVALID_CLASSIFICATION, "“细目”应为不超过 6 位的数字，可不填。", "detail")
    if resource.catalog_class in CatalogClass.values:
        expected = CATEGORY_OF_CLASS[CatalogClass(resource.catalog_class)]
        if resource.category != expected:
            label = CatalogClass(resource.catalog_class).label
            message = f"{label}的“类”代码应为 {expected}（1 基础、2 主题、3 部门）。"
            raise _invalid(CatalogError.INVALID_CLASSIFICATION, message, "category")
    if resource.is_secret and resource.zone == Zone.EXTERNAL:
        raise _invalid(CatalogError.SECRET_NOT_EXTERNAL, "涉密信息资源不得部署在政务外网。", "zone")
    if resource.is_secret and resource.open_to_public:
        raise _invalid(CatalogError.SECRET_NOT_EXTERNAL, "涉密信息资源不得向社会开放。", "open_to_public")
    if resource.share_type == ShareType.NONE and not resource.no_share_basis.strip():
        raise _invalid(
            CatalogError.NO_SHARE_BASIS_REQUIRED,
            "不予共享的信息资源须注明法律、行政法规或党中央、国务院政策依据。",
            "no_share_basis",
        )
    if resource.share_type == ShareType.CONDITIONAL and not resource.share_condition.strip():
        raise _invalid(CatalogError.INVALID_INPUT, "有条件共享的信息资源须注明共享条件。", "share_condition")
    if resource.share_type == ShareType.NONE and resource.open_to_public:
        raise _invalid(CatalogError.INVALID_INPUT, "不予共享的信息资源不得向社会开放。", "open_to_public")
    if not isinstance(resource.related_codes, list) or not all(isinstance(c, str) for c in resource.related_codes):
        raise _invalid(CatalogError.INVALID_INPUT, "关联资源代码应为代码列表。", "related_codes")
    original = resource.revision_of
    if original is not None and original.classification_code != resource.classification_code:
        raise _invalid(
            CatalogError.INVALID_CLASSIFICATION,
            f"修订不得变更资源分类（资源代码 {original.code} 保持不变）。",
            "category",
        )
    _clean(resource, exclude=["created_by"])


def _check_items(items: Sequence[ItemSpec]) -> None:
    seen_codes: set[str] = set()
    seen_names: set[str] = set()
    for number, spec in enumerate(items, start=1):
        where = f"第 {number} 个信息项"
        key = f"items.{number - 1}"
        name = spec.name.strip()
        if not name or len(name) > 100:
            raise _invalid(CatalogError.INVALID_ITEMS, f"{where}：名称必填且不超过 100 字。", f"{key}.name")
        if not ITEM_CODE_RE.match(spec.code):
            raise _invalid(
                CatalogError.INVALID_ITEMS,
                f"{where}“{name}”：编码“{spec.code}”须以小写字母开头，由小写字母、数字和下划线组成，不超过 63 位。",
                f"{key}.code",
            )
        if spec.code in seen_codes:
            raise _invalid(CatalogError.INVALID_ITEMS, f"{where}“{name}”：编码“{spec.code}”重复。", f"{key}.code")
        if name in seen_names:
            raise _invalid(CatalogError.INVALID_ITEMS, f"{where}：名称“{name}”重复。", f"{key}.name")
        seen_codes.add(spec.code)
        seen_names.add(name)
        if spec.data_type not in DataType.values:
            raise _invalid(
                CatalogError.INVALID_ITEMS, f"{where}“{name}”：数据类型“{spec.data_type}”无效。", f"{key}.data_type"
            )
        values = [str(v).strip() for v in spec.enum_values]
        if spec.data_type == DataType.ENUM:
            if not values or any(not v for v in values):
                message = f"{where}“{name}”：枚举类型须列出取值。"
                raise _invalid(CatalogError.INVALID_ITEMS, message, f"{key}.enum_values")
            if len(set(values)) != len(values):
                raise _invalid(CatalogError.INVALID_ITEMS, f"{where}“{name}”：枚举取值重复。", f"{key}.enum_values")
        elif values:
            raise _invalid(
                CatalogError.INVALID_ITEMS, f"{where}“{name}”：只有枚举类型才能列出取值。", f"{key}.enum_values"
            )
        if spec.max_length is not None and spec.max_length < 1:
            raise _invalid(CatalogError.INVALID_ITEMS, f"{where}“{name}”：最大长度应为正整数。", f"{key}.max_length")


def _check_key(key_item: str, items: Sequence[ItemSpec]) -> None:
    if not key_item:
        return
    match = next((spec for spec in items if spec.code == key_item), None)
    if match is None:
        raise _invalid(CatalogError.INVALID_ITEMS, f"主键信息项“{key_item}”不是本资源的信息项。", "key_item")
    if not match.required:
        raise _invalid(CatalogError.INVALID_ITEMS, f"主键信息项“{match.name}”必须为必填项。", "key_item")


def _authority_holder(item_name: str, owner_id: int) -> AuthoritativeSource | None:
    """The claim on `item_name` by another resource than `owner_id`, if any."""
    return (
        AuthoritativeSource.objects.select_related("data_item__resource__provider")
        .filter(item_name=item_name)
        .exclude(data_item__resource_id=owner_id)
        .first()
    )


def _check_authority(owner_id: int, items: Sequence[ItemSpec] | Sequence[DataItem]) -> None:
    """一数一源: refuse an authoritative item another resource already holds, naming the holder."""
    for item in items:
        if not item.is_authoritative:
            continue
        holder = _authority_holder(item.name.strip(), owner_id)
        if holder is not None:
            resource = holder.data_item.resource
            message = (
                f"信息项“{item.name}”的权威来源已是 {resource.provider.name} 的《{resource.name}》"
                f"（{resource.code or '未编码'}），一数一源不得重复认定。"
            )
            raise ApplicationError(CatalogError.AUTHORITY_TAKEN, message, {"items": message}, status=409)


def _item_specs(resource: Resource) -> list[ItemSpec]:
    return [ItemSpec.of(item) for item in resource.items.order_by("position")]


def _write_items(resource: Resource, items: Sequence[ItemSpec]) -> None:
    resource.items.all().delete()
    for position, spec in enumerate(items, start=1):
        item = DataItem(
            resource=resource,
            position=position,
            name=spec.name.strip(),
            code=spec.code,
            data_type=spec.data_type,
            enum_values=[str(v).strip() for v in spec.enum_values],
            max_length=spec.max_length,
            required=spec.required,
            is_personal=spec.is_personal,
            is_authoritative=spec.is_authoritative,
            description=spec.description.strip(),
        )
        _clean(item, exclude=["resource"])
        item.save()


def _reason(reason: str, what: str) -> str:
    reason = reason.strip()
    if not reason:
        raise _invalid(CatalogError.REASON_REQUIRED, f"请填写{what}。", "reason")
    return reason


# --- drafting ----------------------------------------------------------------------------


@transaction.atomic
def resource_create(
    *,
    actor: User | None,
    provider: Department,
    data: ResourceData,
    items: Sequence[ItemSpec] = (),
    request: HttpRequest | None = None,
) -> Resource:
    """A new draft resource of `provider`, by a data officer of that department."""
    _require_provider_officer(actor, provider.pk)
    resource = Resource(provider=provider, provider_code=provider.credit_code, created_by=actor, **asdict(data))
    resource.name = resource.name.strip()
    _check_metadata(resource)
    _check_items(items)
    _check_key(resource.key_item, items)
    resource.save()
    _write_items(resource, items)
    record(
        actor=actor,
        action="catalog.resource_create",
        target=resource,
        request=request,
        department=provider,
        details={"name": resource.name, "items": len(items)},
    )
    return resource


@transaction.atomic
def resource_update(
    *,
    actor: User | None,
    resource: Resource,
    data: ResourceData,
    items: Sequence[ItemSpec] | None = None,
    request: HttpRequest | None = None,
) -> Resource:
    """Change a draft's metadata (and, when given, replace its data items in the same step)."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    _require_provider_officer(actor, resource.provider_id)
    _require_state(resource, *EDITABLE_STATES)
    for name, value in asdict(data).items():
        setattr(resource, name, value)
    resource.name = resource.name.strip()
    _check_metadata(resource)
    new_items = list(items) if items is not None else _item_specs(resource)
    _check_items(new_items)
    _check_key(resource.key_item, new_items)
    resource.save()
    if items is not None:
        _write_items(resource, new_items)
    record(
        actor=actor,
        action="catalog.resource_update",
        target=resource,
        request=request,
        department=resource.provider,
        details={"name": resource.name, "items_replaced": items is not None},
    )
    return resource


@transaction.atomic
def dataitems_set(
    *, actor: User | None, resource: Resource, items: Sequence[ItemSpec], request: HttpRequest | None = None
) -> list[DataItem]:
    """Replace the whole item list of a draft: codes `^[a-z][a-z0-9_]{0,62}$` and unique, names
    unique, enums with values, the key item one of the items and required."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    _require_provider_officer(actor, resource.provider_id)
    _require_state(resource, *EDITABLE_STATES)
    _check_items(items)
    _check_key(resource.key_item, items)
    _write_items(resource, items)
    record(
        actor=actor,
        action="catalog.dataitems_set",
        target=resource,
        request=request,
        department=resource.provider,
        details={"codes": [spec.code for spec in items]},
    )
    return list(resource.items.order_by("position"))


@transaction.atomic
def resource_delete_draft(*, actor: User | None, resource: Resource, request: HttpRequest | None = None) -> None:
    """Discard a draft that was never published (or an unpublished revision)."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    _require_provider_officer(actor, resource.provider_id)
    _require_state(resource, Resource.State.DRAFT)
    if resource.version:
        raise ApplicationError(CatalogError.WRONG_STATE, "已发布过的资源不能删除，只能撤销。")
    record(
        actor=actor,
        action="catalog.resource_delete_draft",
        target=resource,
        request=request,
        department=resource.provider,
        details={"name": resource.name},
    )
    resource.delete()


# --- review ------------------------------------------------------------------------------


@transaction.atomic
def resource_submit(*, actor: User | None, resource: Resource, request: HttpRequest | None = None) -> Resource:
    """Send a draft to the e-government office for review."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    _require_provider_officer(actor, resource.provider_id)
    _require_state(resource, Resource.State.DRAFT)
    items = list(resource.items.order_by("position"))
    if not items:
        raise _invalid(CatalogError.INVALID_ITEMS, "请至少登记一个信息项后再提交。", "items")
    if resource.format_class in STRUCTURED_FORMATS and not resource.key_item:
        raise _invalid(CatalogError.INVALID_ITEMS, "结构化资源须指定主键信息项（唯一标识一条记录）。", "key_item")
    _check_metadata(resource)
    _check_authority(resource.revision_of_id or resource.pk, items)
    resource.state = Resource.State.SUBMITTED
    resource.review_comment = ""
    resource.save(update_fields=["state", "review_comment", "updated_at"])
    record(
        actor=actor, action="catalog.resource_submit", target=resource, request=request, department=resource.provider
    )
    return resource


@transaction.atomic
def resource_approve(
    *, actor: User | None, resource: Resource, comment: str = "", request: HttpRequest | None = None
) -> Resource:
    """The e-government office (共享主管部门) approves a submitted resource."""
    _require_egov(actor)
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    _require_state(resource, Resource.State.SUBMITTED)
    _check_authority(resource.revision_of_id or resource.pk, list(resource.items.all()))
    resource.state = Resource.State.APPROVED
    resource.review_comment = comment.strip()
    resource.save(update_fields=["state", "review_comment", "updated_at"])
    record(
        actor=actor,
        action="catalog.resource_approve",
        target=resource,
        request=request,
        department=resource.provider,
        details={"comment": resource.review_comment},
    )
    return resource


@transaction.atomic
def resource_reject(
    *, actor: User | None, resource: Resource, reason: str, request: HttpRequest | None = None
) -> Resource:
    """The e-government office sends a submitted or approved resource back to draft, with reasons."""
    _require_egov(actor)
    reason = _reason(reason, "退回理由")
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    _require_state(resource, Resource.State.SUBMITTED, Resource.State.APPROVED)
    resource.state = Resource.State.DRAFT
    resource.review_comment = reason
    resource.save(update_fields=["state", "review_comment", "updated_at"])
    record(
        actor=actor,
        action="catalog.resource_reject",
        target=resource,
        request=request,
        department=resource.provider,
        details={"reason": reason},
    )
    return resource


# --- publication -------------------------------------------------------------------------


def _next_sequence(resource: Resource) -> int:
    """The next sequence number of the resource's classification, race-free: the classification's
    `CodeSequence` row is locked until the publishing transaction ends, so a second publication
    in the same classification waits and then takes the number after. (The first publication in
    a classification creates the row; two doing it at once collide on its unique key, and the
    loser, in a savepoint, then locks the winner's row.)"""
    key = resource.classification_code
    try:
        with transaction.atomic():
            CodeSequence.objects.get_or_create(classification=key)
    except IntegrityError:
        pass  # created by a concurrent publication; locked below
    counter = CodeSequence.objects.select_for_update().get(classification=key)
    taken = Resource.objects.filter(
        category=resource.category, item=resource.item, subitem=resource.subitem, detail=resource.detail
    ).aggregate(top=Max("sequence"))["top"]
    counter.last = max(counter.last, taken or 0) + 1
    counter.save(update_fields=["last"])
    return counter.last


def snapshot_of(resource: Resource) -> dict[str, Any]:
    """The metadata and items of a resource as stored in its `ResourceVersion`."""
    return {
        "code": resource.code,
        "version": resource.version,
        "provider": resource.provider.name,
        "provider_code": resource.provider_code,
        "publish_date": resource.publish_date.isoformat() if resource.publish_date else None,
        **{name: getattr(resource, name) for name in RESOURCE_FIELDS},
        "items": [asdict(ItemSpec.of(item)) for item in resource.items.order_by("position")],
    }


def _sync_items(target: Resource, specs: Sequence[ItemSpec]) -> None:
    """Make `target`'s items equal to `specs`, keeping the rows (and ids) of codes that remain."""
    wanted = {spec.code for spec in specs}
    target.items.exclude(code__in=wanted).delete()
    existing = {item.code: item for item in target.items.all()}
    target.items.update(position=F("position") + 10000)  # free the positions first
    for position, spec in enumerate(specs, start=1):
        item = existing.get(spec.code) or DataItem(resource=target, code=spec.code)
        item.position = position
        for name, value in asdict(spec).items():
            setattr(item, name, value)
        _clean(item, exclude=["resource"])
        item.save()


def _claim_authority(target: Resource) -> None:
    items = list(target.items.all())
    _check_authority(target.pk, items)
    keep: list[int] = []
    for item in items:
        if not item.is_authoritative:
            continue
        claim, _ = AuthoritativeSource.objects.update_or_create(item_name=item.name, defaults={"data_item": item})
        keep.append(claim.pk)
    AuthoritativeSource.objects.filter(data_item__resource=target).exclude(pk__in=keep).delete()


def _reindex(target: Resource) -> None:
    ResourceSearchTerm.objects.filter(resource=target).delete()
    terms = index_terms(
        name=target.name,
        summary=target.summary,
        item_names=[item.name for item in target.items.all()],
        provider=target.provider.name,
    )
    ResourceSearchTerm.objects.bulk_create(
        ResourceSearchTerm(resource=target, term=term, weight=weight) for term, weight in terms.items()
    )


@transaction.atomic
def resource_publish(*, actor: User | None, resource: Resource, request: HttpRequest | None = None) -> Resource:
    """Publish an approved resource (the e-government office or the provider's data officer).

    A first publication assigns the sequence and code; a revision is copied onto the published
    resource it revises, which keeps its code and gets version + 1. Either way the publish date
    is today, authoritative items claim their names (一数一源), the search index is rebuilt and a
    `ResourceVersion` snapshot is stored. Returns the published resource (for a revision: the
    original row; the revision row is deleted).
    """
    resource = Resource.objects.select_for_update(of=("self",)).select_related("provider").get(pk=resource.pk)
    if actor is not None and not _may_publish(actor, resource):
        raise permission_denied("只有电子政务主管部门或提供方数据管理员可以发布目录。")
    _require_state(resource, Resource.State.APPROVED)
    if resource.revision_of_id is not None:
        target = (
            Resource.objects.select_for_update(of=("self",)).select_related("provider").get(pk=resource.revision_of_id)
        )
        _require_state(target, Resource.State.PUBLISHED)
        for name in RESOURCE_FIELDS:
            setattr(target, name, getattr(resource, name))
        specs = _item_specs(resource)
        resource.delete()
        _sync_items(target, specs)
    else:
        target = resource
        target.sequence = _next_sequence(target)
        target.code = f"{target.classification_code}/{target.sequence:03d}"
    target.state = Resource.State.PUBLISHED
    target.publish_date = timezone.localdate()
    target.version += 1
    target.review_comment = ""
    _check_metadata(target)
    target.save()
    _claim_authority(target)
    _reindex(target)
    ResourceVersion.objects.create(
        resource=target, version=target.version, snapshot=snapshot_of(target), published_by=actor
    )
    record(
        actor=actor,
        action="catalog.resource_publish",
        target=target,
        request=request,
        department=target.provider,
        details={"code": target.code, "version": target.version},
    )
    return target


@transaction.atomic
def resource_revise(*, actor: User | None, resource: Resource, request: HttpRequest | None = None) -> Resource:
    """Open a new draft version of a published resource; the published one stays in service."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    _require_provider_officer(actor, resource.provider_id)
    _require_state(resource, Resource.State.PUBLISHED)
    if resource.revisions.exists():
        raise ApplicationError(CatalogError.REVISION_EXISTS, f"《{resource.name}》已有一个正在修订的版本。")
    draft = Resource(
        provider=resource.provider,
        provider_code=resource.provider_code,
        created_by=actor,
        revision_of=resource,
        **asdict(ResourceData.of(resource)),
    )
    _check_metadata(draft)
    draft.save()
    _write_items(draft, _item_specs(resource))
    record(
        actor=actor,
        action="catalog.resource_revise",
        target=draft,
        request=request,
        department=resource.provider,
        details={"code": resource.code, "from_version": resource.version},
    )
    return draft


@transaction.atomic
def resource_withdraw(
    *, actor: User | None, resource: Resource, reason: str, request: HttpRequest | None = None
) -> Resource:
    """Take a published resource out of the catalog (its versions stay viewable); releases its
    authoritative claims and discards an open revision."""
    reason = _reason(reason, "撤销理由")
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if actor is not None and not _may_publish(actor, resource):
        raise permission_denied("只有电子政务主管部门或提供方数据管理员可以撤销目录。")
    _require_state(resource, Resource.State.PUBLISHED)
    resource.revisions.all().delete()
    AuthoritativeSource.objects.filter(data_item__resource=resource).delete()
    ResourceSearchTerm.objects.filter(resource=resource).delete()
    resource.state = Resource.State.WITHDRAWN
    resource.review_comment = reason
    resource.save(update_fields=["state", "review_comment", "updated_at"])
    record(
        actor=actor,
        action="catalog.resource_withdraw",
        target=resource,
        request=request,
        department=resource.provider,
        details={"code": resource.code, "reason": reason},
    )
    return resource


def resource_mark_loaded(*, resource: Resource, at: datetime | None = None) -> None:
    """Record that the exchange loaded data into `resource` at `at` (default now).

    Called by the exchange inside its own audited load transaction; it is that load event that
    the audit log keeps, so this bookkeeping write is not audited twice. Never moves backwards.
    """
    at = at or timezone.now()
    rows = Resource.objects.filter(pk=resource.pk)
    rows.filter(last_loaded_at__isnull=True).update(last_loaded_at=at)
    rows.filter(last_loaded_at__lt=at).update(last_loaded_at=at)
    resource.last_loaded_at = Resource.objects.values_list("last_loaded_at", flat=True).get(pk=resource.pk)
