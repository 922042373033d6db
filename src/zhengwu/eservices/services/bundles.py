"""一件事一次办 (bundles, docs/rules.md §5 “一件事”): the e-gov office defines a bundle of items of
several departments; a citizen applies with one form and one set of materials; the application is
split into one case per item through `application_submit` — in one transaction, all or nothing —
tied to one `BundleCase` with its own number; one rating of the whole becomes each part's rating.

A bundle case has no state of its own: it is “办理中” while any part is open and “已办结” when none is
(`selectors.bundle_case_state`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone

from zhengwu.accounts.models import Role, User
from zhengwu.audit.write import Write, audited_write
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, clean
from zhengwu.eservices.audit_actions import EservicesAction
from zhengwu.eservices.bundling import conflicts, union_form, union_of
from zhengwu.eservices.errors import EservicesError
from zhengwu.eservices.models import (
    Application,
    Audience,
    Bundle,
    BundleCase,
    BundleItem,
    Rating,
    ServiceItem,
)
from zhengwu.eservices.services.applications import application_submit, check_audience, next_number
from zhengwu.eservices.services.ratings import RatingData, rating_create
from zhengwu.eservices.services.uploads import Upload

MAX_ITEMS = 10


def _invalid(message: str, name: str) -> ApplicationError:
    return ApplicationError(EservicesError.INVALID_BUNDLE, message, {name: message})


def _require_office(write: Write) -> None:
    actor = write.actor
    write.require(actor.is_platform or actor.has_role(Role.EGOV_OFFICE), "只有电子政务主管部门可以定义一件事。")


def _check(name: str, audience: str, items: Sequence[ServiceItem]) -> None:
    if not name.strip() or len(name.strip()) > 100:
        raise _invalid("一件事名称须填写，不超过 100 字。", "name")
    if audience not in Audience.values:
        raise _invalid("服务对象应为自然人、法人或两者。", "audience")
    if not 2 <= len(items) <= MAX_ITEMS:
        raise _invalid(f"一件事应包含 2–{MAX_ITEMS} 个事项。", "items")
    if len({i.pk for i in items}) != len(items):
        raise _invalid("同一事项不能重复列入。", "items")
    for item in items:
        if item.state != ServiceItem.State.PUBLISHED:
            raise _invalid(f"《{item.name}》未发布，不能列入一件事。", "items")
        if item.audience not in (audience, Audience.BOTH):
            raise _invalid(f"《{item.name}》的服务对象（{item.get_audience_display()}）与一件事不符。", "items")
    problems = conflicts(union_of(list(items)))
    if problems:
        raise _invalid("这些事项不能合用一张申请表：" + "；".join(problems), "items")


def _set_items(bundle: Bundle, items: Sequence[ServiceItem]) -> None:
    BundleItem.objects.filter(bundle=bundle).delete()
    BundleItem.objects.bulk_create(
        BundleItem(bundle=bundle, item=item, position=position) for position, item in enumerate(items, start=1)
    )


def bundle_create(
    *, actor: Actor, code: str, name: str, audience: str, items: Sequence[ServiceItem], description: str = ""
) -> Bundle:
    """A new 一件事 of published items (the e-gov office, or the platform for the demo)."""
    with audited_write(actor, EservicesAction.BUNDLE_CREATE) as write:
        _require_office(write)
        code = (code or "").strip().upper()
        if not re.fullmatch(r"[A-Z]{2,6}", code):
            raise _invalid("一件事编码应为 2–6 位大写字母。", "code")
        if Bundle.objects.filter(code=code).exists():
            raise _invalid(f"一件事编码 {code} 已存在。", "code")
        _check(name, audience, items)
        bundle = Bundle(
            code=code, name=name.strip(), audience=audience, description=description.strip(), created_by=actor.user
        )
        clean(bundle, exclude=["created_by"])
        bundle.save()
        write.set_target(bundle)
        _set_items(bundle, items)
        write.note(code=code, items=[i.impl_code for i in items])
    return bundle


def bundle_update(
    *, actor: Actor, bundle: Bundle, name: str, items: Sequence[ServiceItem], active: bool, description: str = ""
) -> Bundle:
    """Change a bundle's name, items or whether it takes applications (cases already made keep their parts)."""
    with audited_write(actor, EservicesAction.BUNDLE_UPDATE, bundle) as write:
        locked = write.lock(bundle)
        _require_office(write)
        _check(name, locked.audience, items)
        locked.name = name.strip()
        locked.description = description.strip()
        locked.active = bool(active)
        clean(locked, exclude=["created_by"])
        locked.save()
        _set_items(locked, items)
        write.note(items=[i.impl_code for i in items], active=locked.active)
    return locked


def _part_error(error: ApplicationError, item: ServiceItem, form_materials: dict[int, int]) -> ApplicationError:
    """A part's refusal as the bundle form shows it: the item named, materials keyed by the union's index."""
    fields: dict[str, str] = {}
    for key, text in error.fields.items():
        if key.startswith("materials."):
            index = form_materials.get(int(key.removeprefix("materials.")))
            key = f"files.{index}" if index is not None else key
        fields[key] = text
    return ApplicationError(error.code, f"《{item.name}》：{error.message}", fields, status=error.status)


def bundle_submit(
    *,
    actor: Actor,
    bundle: Bundle,
    data: Mapping[str, Any],
    files: Mapping[str, Upload] | None = None,
    when: datetime | None = None,
) -> BundleCase:
    """Apply for a bundle with one form (`data` by field code) and one set of files (by material
    name): one case per item is submitted through `application_submit`, all in this transaction."""
    files = dict(files or {})
    with audited_write(actor, EservicesAction.BUNDLE_SUBMIT, bundle) as write:
        bundle = Bundle.objects.get(pk=bundle.pk)
        if not bundle.active:
            raise ApplicationError(EservicesError.ITEM_NOT_PUBLISHED, f"“{bundle.name}”已停办，不能申请。")
        form = union_form(bundle)
        if not form.items:
            raise ApplicationError(EservicesError.ITEM_NOT_PUBLISHED, f"“{bundle.name}”没有可申请的事项。")
        applicant: User = check_audience(actor, form.items[0])
        unknown = [name for name in files if form.material_named(name) is None]
        if unknown:
            raise ApplicationError(EservicesError.INVALID_INPUT, "上传的材料不属于本一件事。", {"materials": "无效"})
        now = when or timezone.now()
        case = BundleCase(
            number="pending",
            bundle=bundle,
            applicant=applicant,
            applicant_name=(
                applicant.enterprise_name if applicant.kind == User.Kind.ENTERPRISE else applicant.real_name
            )
            or applicant.username,
            data={u.code: data.get(u.code, "") for u in form.fields if not u.platform_filled},
            submitted_at=now,
        )
        case.number = next_number(f"YJ{bundle.code}", now)
        clean(case)
        case.save()
        write.set_target(case)
        numbers = []
        for item in form.items:
            index_of = {m.pk: u.index for m in item.materials.all() if (u := form.material_of(m.pk)) is not None}
            item_files = {m.pk: files[m.name] for m in item.materials.all() if m.name in files}
            item_data = {f.code: data.get(f.code, "") for f in item.fields.all()}
            try:
                part = application_submit(actor=actor, item=item, data=item_data, files=item_files, when=now)
            except ApplicationError as error:
                raise _part_error(error, item, index_of) from None
            Application.objects.filter(pk=part.pk).update(bundle_case=case)
            numbers.append(part.number)
        write.note(number=case.number, parts=numbers)
    return case


def bundle_rate(*, actor: Actor, case: BundleCase, data: RatingData) -> BundleCase:
    """One rating of the whole, once every part has ended: it becomes the rating of each part that
    ended with a decision (so each department's 好差评 counts it), a part rated on its own excepted."""
    with audited_write(actor, EservicesAction.BUNDLE_RATE, case) as write:
        locked = write.lock(case)
        write.require(actor.is_user(locked.applicant_id), "只有申请人本人可以评价。")
        if locked.rated_at is not None:
            raise ApplicationError(EservicesError.ALREADY_RATED, "该一件事已评价过。", status=409)
        parts = list(locked.parts.select_related("item"))
        if any(p.is_open for p in parts):
            raise ApplicationError(EservicesError.WRONG_STATE, "一件事的各事项全部办结后才能评价。", status=409)
        rated = set(Rating.objects.filter(application__in=parts).values_list("application_id", flat=True))
        done = [p for p in parts if p.state in Application.DONE_STATES and p.pk not in rated]
        if not done:
            raise ApplicationError(EservicesError.WRONG_STATE, "没有可评价的事项（均已撤回或已单独评价）。", status=409)
        for part in done:
            rating_create(actor=actor, application=part, data=data)
        locked.rated_at = timezone.now()
        locked.save(update_fields=["rated_at"])
        write.note(number=locked.number, level=data.level, parts=[p.number for p in done])
    return locked
