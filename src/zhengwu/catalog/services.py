"""Writes of the catalog (政务信息资源目录): drafting, review, publication, revision, withdrawal.

Lifecycle: draft → submitted → approved (电子政务办) → published → withdrawn. A published
resource is revised through a separate draft row (`revision_of`) that goes through the same
review and, on publication, is copied onto the published row (same code, version + 1); each
published version is kept as a `ResourceVersion` snapshot.

Resource code (docs/rules.md §2): classification code (类 1 digit + 项 2 + 目 3 + 细目 0–6 digits)
+ "/" + the sequence number within that classification, zero-padded to at least 3 digits:
"101001/001", "101001/002", …, "101001/999", "101001/1000". Assigned once, at first publication.

Each service takes an `Actor` and runs as one `audited_write` (docs/design.md rules 1 and 5): the
resource is locked, who may act is decided on the locked row, the state moves through
`catalog.states.RESOURCE`, and a refusal changes nothing but is recorded in the audit log. The
platform itself (`Actor.platform()`, the demo loader) may do everything.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from zhengwu.accounts.models import Department, Role
from zhengwu.audit.write import Write, audited_write
from zhengwu.catalog.audit_actions import CatalogAction
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
from zhengwu.catalog.states import RESOURCE
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, clean, required_text

ITEM_CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
# The 类 digit of each catalog class (GB/T 21063.4 style): 1 基础, 2 主题, 3 部门.
CATEGORY_OF_CLASS = {CatalogClass.BASE: "1", CatalogClass.THEME: "2", CatalogClass.DEPARTMENT: "3"}
# Formats whose records the exchange stores in a table: they need a key item.
STRUCTURED_FORMATS = {FormatClass.DATABASE, FormatClass.SPREADSHEET, FormatClass.SERVICE}


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
    query_combinations: list[list[str]] = field(default_factory=list)

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
    queryable: bool = False
    enum_values: list[str] = field(default_factory=list)
    max_length: int | None = None
    description: str = ""

    @classmethod
    def of(cls, item: DataItem) -> ItemSpec:
        return cls(**{name: getattr(item, name) for name in cls.__dataclass_fields__})


# --- checks --------------------------------------------------------------------------------


def _invalid(code: CatalogError, message: str, field_name: str) -> ApplicationError:
    return ApplicationError(code, message, {field_name: message})


def _is_provider_officer(actor: Actor, provider_id: int) -> bool:
    return actor.is_platform or actor.works_in(provider_id, Role.DATA_OFFICER)


def _require_provider_officer(write: Write, provider_id: int) -> None:
    write.require(_is_provider_officer(write.actor, provider_id), "只有提供方部门的数据管理员可以编辑本部门的目录。")


def _may_publish(actor: Actor, resource: Resource) -> bool:
    return actor.has_role(Role.EGOV_OFFICE) or _is_provider_officer(actor, resource.provider_id)


def _require_egov(write: Write) -> None:
    write.require(
        write.actor.is_platform or write.actor.has_role(Role.EGOV_OFFICE), "只有电子政务主管部门可以审核目录。"
    )


@contextmanager
def _resource_write(actor: Actor, action: CatalogAction, resource: Resource) -> Iterator[tuple[Write, Resource]]:
    """One audited write of `action` on `resource`, re-read under a row lock (with its provider)."""
    with audited_write(actor, action, resource, department=resource.provider) as write:
        yield write, write.lock(resource, "provider")


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
    clean(resource, exclude=["created_by"])


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


MAX_COMBINATION = 4  # items in one combination of queryable items (docs/rules.md, 可查询数据项)


def _check_combinations(combinations: Sequence[Sequence[str]], items: Sequence[ItemSpec]) -> None:
    """Each declared combination: 2 to `MAX_COMBINATION` different items of the resource, each
    declared queryable, and no combination twice."""
    by_code = {spec.code: spec for spec in items}
    seen: set[tuple[str, ...]] = set()
    for number, combination in enumerate(combinations, start=1):
        where = f"第 {number} 个组合查询"
        codes = [str(code) for code in combination] if isinstance(combination, list | tuple) else []
        if not 2 <= len(codes) <= MAX_COMBINATION or len(set(codes)) != len(codes):
            message = f"{where}：应由 2 至 {MAX_COMBINATION} 个不同的信息项组成。"
            raise _invalid(CatalogError.INVALID_ITEMS, message, "query_combinations")
        for code in codes:
            spec = by_code.get(code)
            if spec is None:
                message = f"{where}：“{code}”不是本资源的信息项。"
                raise _invalid(CatalogError.INVALID_ITEMS, message, "query_combinations")
            if not spec.queryable:
                message = f"{where}：信息项“{spec.name}”须先声明为可查询。"
                raise _invalid(CatalogError.INVALID_ITEMS, message, "query_combinations")
        if tuple(codes) in seen:
            raise _invalid(CatalogError.INVALID_ITEMS, f"{where}：与前面的组合重复。", "query_combinations")
        seen.add(tuple(codes))


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
            queryable=spec.queryable,
            description=spec.description.strip(),
        )
        clean(item, exclude=["resource"])
        item.save()


def _reason(reason: str, what: str) -> str:
    return required_text(reason, field="reason", what=what, code=CatalogError.REASON_REQUIRED)


# --- drafting ----------------------------------------------------------------------------


def resource_create(
    *, actor: Actor, provider: Department, data: ResourceData, items: Sequence[ItemSpec] = ()
) -> Resource:
    """A new draft resource of `provider`, by a data officer of that department."""
    with audited_write(actor, CatalogAction.RESOURCE_CREATE, department=provider) as write:
        _require_provider_officer(write, provider.pk)
        resource = Resource(
            provider=provider, provider_code=provider.credit_code, created_by=actor.user, **asdict(data)
        )
        resource.name = resource.name.strip()
        _check_metadata(resource)
        _check_items(items)
        _check_key(resource.key_item, items)
        _check_combinations(resource.query_combinations, items)
        resource.save()
        _write_items(resource, items)
        write.set_target(resource)
        write.note(name=resource.name, items=len(items))
    return resource


def resource_update(
    *, actor: Actor, resource: Resource, data: ResourceData, items: Sequence[ItemSpec] | None = None
) -> Resource:
    """Change a draft's metadata (and, when given, replace its data items in the same step)."""
    with _resource_write(actor, CatalogAction.RESOURCE_UPDATE, resource) as (write, locked):
        _require_provider_officer(write, locked.provider_id)
        RESOURCE.check(locked, "edit")
        for name, value in asdict(data).items():
            setattr(locked, name, value)
        locked.name = locked.name.strip()
        _check_metadata(locked)
        new_items = list(items) if items is not None else _item_specs(locked)
        _check_items(new_items)
        _check_key(locked.key_item, new_items)
        _check_combinations(locked.query_combinations, new_items)
        locked.save()
        if items is not None:
            _write_items(locked, new_items)
        write.note(name=locked.name, items_replaced=items is not None)
    return locked


def dataitems_set(*, actor: Actor, resource: Resource, items: Sequence[ItemSpec]) -> list[DataItem]:
    """Replace the whole item list of a draft: codes `^[a-z][a-z0-9_]{0,62}$` and unique, names
    unique, enums with values, the key item one of the items and required."""
    with _resource_write(actor, CatalogAction.DATAITEMS_SET, resource) as (write, locked):
        _require_provider_officer(write, locked.provider_id)
        RESOURCE.check(locked, "edit")
        _check_items(items)
        _check_key(locked.key_item, items)
        _check_combinations(locked.query_combinations, items)
        _write_items(locked, items)
        write.note(codes=[spec.code for spec in items])
    return list(locked.items.order_by("position"))


def resource_delete_draft(*, actor: Actor, resource: Resource) -> None:
    """Discard a draft that was never published (or an unpublished revision)."""
    with _resource_write(actor, CatalogAction.RESOURCE_DELETE_DRAFT, resource) as (write, locked):
        _require_provider_officer(write, locked.provider_id)
        RESOURCE.check(locked, "delete")
        if locked.version:
            raise ApplicationError(CatalogError.WRONG_STATE, "已发布过的资源不能删除，只能撤销。")
        write.note(name=locked.name)
        locked.delete()


# --- review ------------------------------------------------------------------------------


def resource_submit(*, actor: Actor, resource: Resource) -> Resource:
    """Send a draft to the e-government office for review."""
    with _resource_write(actor, CatalogAction.RESOURCE_SUBMIT, resource) as (write, locked):
        _require_provider_officer(write, locked.provider_id)
        RESOURCE.check(locked, "submit")
        items = list(locked.items.order_by("position"))
        if not items:
            raise _invalid(CatalogError.INVALID_ITEMS, "请至少登记一个信息项后再提交。", "items")
        if locked.format_class in STRUCTURED_FORMATS and not locked.key_item:
            raise _invalid(CatalogError.INVALID_ITEMS, "结构化资源须指定主键信息项（唯一标识一条记录）。", "key_item")
        _check_metadata(locked)
        _check_authority(locked.revision_of_id or locked.pk, items)
        RESOURCE.move(locked, "submit")
        locked.review_comment = ""
        locked.save(update_fields=["state", "review_comment", "updated_at"])
    return locked


def resource_approve(*, actor: Actor, resource: Resource, comment: str = "") -> Resource:
    """The e-government office (共享主管部门) approves a submitted resource."""
    with _resource_write(actor, CatalogAction.RESOURCE_APPROVE, resource) as (write, locked):
        _require_egov(write)
        RESOURCE.check(locked, "approve")
        _check_authority(locked.revision_of_id or locked.pk, list(locked.items.all()))
        RESOURCE.move(locked, "approve")
        locked.review_comment = comment.strip()
        locked.save(update_fields=["state", "review_comment", "updated_at"])
        write.note(comment=locked.review_comment)
    return locked


def resource_reject(*, actor: Actor, resource: Resource, reason: str) -> Resource:
    """The e-government office sends a submitted or approved resource back to draft, with reasons."""
    with _resource_write(actor, CatalogAction.RESOURCE_REJECT, resource) as (write, locked):
        _require_egov(write)
        reason = _reason(reason, "退回理由")
        RESOURCE.move(locked, "reject")
        locked.review_comment = reason
        locked.save(update_fields=["state", "review_comment", "updated_at"])
        write.note(reason=reason)
    return locked


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
        clean(item, exclude=["resource"])
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


def resource_publish(*, actor: Actor, resource: Resource) -> Resource:
    """Publish an approved resource (the e-government office or the provider's data officer).

    A first publication assigns the sequence and code; a revision is copied onto the published
    resource it revises, which keeps its code and gets version + 1. Either way the publish date
    is today, authoritative items claim their names (一数一源), the search index is rebuilt and a
    `ResourceVersion` snapshot is stored. Returns the published resource (for a revision: the
    original row; the revision row is deleted).
    """
    with _resource_write(actor, CatalogAction.RESOURCE_PUBLISH, resource) as (write, locked):
        write.require(_may_publish(actor, locked), "只有电子政务主管部门或提供方数据管理员可以发布目录。")
        RESOURCE.check(locked, "publish")
        if locked.revision_of_id is not None:
            target = write.lock(Resource(pk=locked.revision_of_id), "provider")
            RESOURCE.check(target, "republish")
            for name in RESOURCE_FIELDS:
                setattr(target, name, getattr(locked, name))
            specs = _item_specs(locked)
            locked.delete()
            _sync_items(target, specs)
        else:
            target = locked
            RESOURCE.move(target, "publish")
            target.sequence = _next_sequence(target)
            target.code = f"{target.classification_code}/{target.sequence:03d}"
        target.publish_date = timezone.localdate()
        target.version += 1
        target.review_comment = ""
        _check_metadata(target)
        target.save()
        _claim_authority(target)
        _reindex(target)
        ResourceVersion.objects.create(
            resource=target, version=target.version, snapshot=snapshot_of(target), published_by=actor.user
        )
        write.set_target(target)
        write.note(code=target.code, version=target.version)
    return target


def resource_revise(*, actor: Actor, resource: Resource) -> Resource:
    """Open a new draft version of a published resource; the published one stays in service."""
    with _resource_write(actor, CatalogAction.RESOURCE_REVISE, resource) as (write, locked):
        _require_provider_officer(write, locked.provider_id)
        RESOURCE.check(locked, "revise")
        if locked.revisions.exists():
            raise ApplicationError(CatalogError.REVISION_EXISTS, f"《{locked.name}》已有一个正在修订的版本。")
        draft = Resource(
            provider=locked.provider,
            provider_code=locked.provider_code,
            created_by=actor.user,
            revision_of=locked,
            **asdict(ResourceData.of(locked)),
        )
        _check_metadata(draft)
        draft.save()
        _write_items(draft, _item_specs(locked))
        write.set_target(draft)
        write.note(code=locked.code, from_version=locked.version)
    return draft


def resource_withdraw(*, actor: Actor, resource: Resource, reason: str) -> Resource:
    """Take a published resource out of the catalog (its versions stay viewable); releases its
    authoritative claims and discards an open revision."""
    with _resource_write(actor, CatalogAction.RESOURCE_WITHDRAW, resource) as (write, locked):
        write.require(_may_publish(actor, locked), "只有电子政务主管部门或提供方数据管理员可以撤销目录。")
        reason = _reason(reason, "撤销理由")
        RESOURCE.move(locked, "withdraw")
        locked.revisions.all().delete()
        AuthoritativeSource.objects.filter(data_item__resource=locked).delete()
        ResourceSearchTerm.objects.filter(resource=locked).delete()
        locked.review_comment = reason
        locked.save(update_fields=["state", "review_comment", "updated_at"])
        write.note(code=locked.code, reason=reason)
    return locked


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
