"""The parts of an item's 办事指南 the portal's finding and the guide page need beyond the core
guide (docs/rules.md §5 “办事指南”): 主题, 所属区划, 收费依据, 常见问题, 救济途径 (行政复议机关,
行政诉讼法院) and the 结果样本 of each result. Kept by the item's department or the e-gov office,
in any state of the item (they do not change what a case is decided under)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from zhengwu.accounts.models import Region
from zhengwu.audit.write import audited_write
from zhengwu.core import uploads as files
from zhengwu.core.actors import Actor
from zhengwu.core.crypto import sm3_hex
from zhengwu.core.errors import ApplicationError, clean
from zhengwu.eservices.audit_actions import EservicesAction
from zhengwu.eservices.errors import EservicesError
from zhengwu.eservices.models import LEGAL_THEMES, PERSON_THEMES, Audience, ItemResult, ItemTheme, ServiceItem
from zhengwu.eservices.services.items import require_manager
from zhengwu.eservices.services.uploads import MAX_FILE_BYTES, UPLOAD_TYPES, Upload

FAQ_MAX = 30


@dataclass
class GuideExtras:
    themes: list[str] = field(default_factory=list)
    region: Region | None = None
    fee_basis: str = ""
    faq: list[tuple[str, str]] = field(default_factory=list)
    review_body: str = ""
    litigation_court: str = ""


def themes_for(audience: str) -> tuple[str, ...]:
    """The 主题 an item of `audience` may be listed under (both lists for an item of both)."""
    if audience == Audience.PERSON:
        return PERSON_THEMES
    if audience == Audience.LEGAL:
        return LEGAL_THEMES
    return tuple(dict.fromkeys(PERSON_THEMES + LEGAL_THEMES))


def _invalid(message: str, name: str) -> ApplicationError:
    return ApplicationError(EservicesError.INVALID_ITEM, message, {name: message})


def _check(item: ServiceItem, extras: GuideExtras) -> list[dict[str, str]]:
    allowed = themes_for(item.audience)
    for theme in extras.themes:
        if theme not in allowed:
            raise _invalid(f"主题“{theme}”不在{item.get_audience_display()}的主题分类中。", "themes")
    if len(set(extras.themes)) != len(extras.themes):
        raise _invalid("主题不应重复。", "themes")
    if len(extras.faq) > FAQ_MAX:
        raise _invalid(f"常见问题最多 {FAQ_MAX} 条。", "faq")
    faq = []
    for number, (question, answer) in enumerate(extras.faq, start=1):
        question, answer = question.strip(), answer.strip()
        if not question or not answer or len(question) > 200 or len(answer) > 2000:
            raise _invalid(f"第 {number} 条常见问题：问题（不超过 200 字）和解答（不超过 2000 字）都须填写。", "faq")
        faq.append({"q": question, "a": answer})
    if item.charged and not extras.fee_basis.strip():
        raise _invalid("收费事项须写明收费依据。", "fee_basis")
    return faq


def item_guide_set(*, actor: Actor, item: ServiceItem, extras: GuideExtras) -> ServiceItem:
    """Replace the item's 主题, 区划, 收费依据, 常见问题 and 救济途径."""
    with audited_write(actor, EservicesAction.ITEM_GUIDE_SET, item) as write:
        locked = write.lock(item, "department")
        require_manager(write, locked, "修改")
        faq = _check(locked, extras)
        locked.region = extras.region
        locked.fee_basis = extras.fee_basis.strip()
        locked.faq = faq
        locked.review_body = extras.review_body.strip()
        locked.litigation_court = extras.litigation_court.strip()
        clean(locked, exclude=["created_by"])
        locked.save()
        ItemTheme.objects.filter(item=locked).delete()
        ItemTheme.objects.bulk_create(ItemTheme(item=locked, theme=t) for t in extras.themes)
        write.note(themes=extras.themes, region=extras.region.code if extras.region else "", faq=len(faq))
    return locked


def result_sample_upload(*, actor: Actor, result: ItemResult, upload: Upload) -> ItemResult:
    """The 结果样本 of a result (a specimen licence or approval), checked like every upload."""
    with audited_write(actor, EservicesAction.RESULT_SAMPLE_UPLOAD, result.item) as write:
        item = write.lock(result.item, "department")
        require_manager(write, item, "修改")
        row = ItemResult.objects.get(pk=result.pk)
        name = files.safe_name(upload.name)
        checked = files.check_file(name, upload.content, UPLOAD_TYPES, MAX_FILE_BYTES)
        if isinstance(checked, files.FileProblem):
            files.raise_problem(checked, EservicesError.INVALID_FILE, f"{row.name}（结果样本）", "sample")
        row.sample_name = name
        row.sample_content_type = checked.content_type
        row.sample_sm3 = sm3_hex(upload.content)
        row.sample = upload.content
        row.save(update_fields=["sample_name", "sample_content_type", "sample_sm3", "sample"])
        item.updated_at = timezone.now()
        item.save(update_fields=["updated_at"])
        write.note(result=row.name, sm3=row.sample_sm3, size=len(upload.content))
    return row
