"""Applications (办件): submit, accept, refuse, correction, decide, withdraw.

The lifecycle is declared in `eservices/states.py` (`APPLICATION_STATES`). Deadlines (supervision
timers, working days, docs/rules.md §1): `eservices.application` (承诺办结时限) starts on submission
(day 0) with the item's promised limit; paused while the applicant corrects (补正) and while any task
is in a special procedure (特别程序); finished by the decision or the refusal; cancelled by a withdrawal.

Case number: `{year}-{item.case_prefix}-{6-digit sequence per year and prefix}`, e.g.
`2026-SCJG-000123`; the verification code (查询码) is 6 characters from an alphabet without
look-alikes (no 0/O, 1/I/L).

Concurrency: every service that changes an application locks its row first and checks the state on
the fresh row: of two clerks acting at once exactly one succeeds, the other gets `eservices.wrong_state`.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from zhengwu.accounts.models import User
from zhengwu.audit.write import audited_write
from zhengwu.certificates import selectors as certificate_selectors
from zhengwu.certificates import services as certificate_services
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, clause, clean, permission_denied
from zhengwu.eservices import notify
from zhengwu.eservices.audit_actions import EservicesAction
from zhengwu.eservices.errors import EservicesError
from zhengwu.eservices.models import Application, Audience, CaseCounter, CaseTask, ItemResult, ServiceItem
from zhengwu.eservices.services.common import (
    TIMER_APPLICATION,
    TIMER_TASK,
    event,
    json_value,
    lock_application,
    reason_text,
    require_applicant,
    require_handler,
    staff_url,
    start_clock,
)
from zhengwu.eservices.services.prefill import prefill_for
from zhengwu.eservices.services.tasks import open_stage
from zhengwu.eservices.services.uploads import (
    Upload,
    check_files,
    check_upload,
    missing_materials,
    refuse_missing,
    store_fetched,
    store_upload,
)
from zhengwu.eservices.states import APPLICATION_STATES, ITEM_STATES, TASK_STATES
from zhengwu.exchange.store.validation import ColumnSpec, Invalid, cell_text, compile_converter
from zhengwu.supervision import services as timers

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def check_audience(actor: Actor, item: ServiceItem) -> User:
    """The applicant acting: a logged-in citizen or enterprise the item is meant for."""
    applicant = actor.user
    if applicant is None:
        raise permission_denied("请先登录再申请。")
    if applicant.kind == User.Kind.STAFF:
        raise permission_denied("工作人员账号不能以申请人身份申请，请使用个人或法人账号。")
    if item.audience == Audience.PERSON and applicant.kind != User.Kind.CITIZEN:
        raise ApplicationError(EservicesError.WRONG_AUDIENCE, "本事项仅面向自然人，请使用个人账号申请。")
    if item.audience == Audience.LEGAL and applicant.kind != User.Kind.ENTERPRISE:
        raise ApplicationError(EservicesError.WRONG_AUDIENCE, "本事项仅面向法人，请使用法人账号申请。")
    if not applicant.identity_verified:
        # Applying for a service needs real-name identity (docs/rules.md §5): an account the
        # population base could not confirm may write letters, ask for disclosure, answer surveys.
        raise ApplicationError(
            EservicesError.IDENTITY_UNVERIFIED,
            "您的账号尚未通过实名核验（姓名与公民身份号码未能与人口基础信息核对一致），暂不能申请政务服务事项。"
            "您仍可写信、申请政府信息公开和参与调查；请携带身份证到政务服务大厅窗口核验，或在“我的数据”中申请更正基础信息。",
            {"identity": "未通过实名核验"},
            status=403,
        )
    return applicant


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
            values[form_field.code] = json_value(value)
    if errors:
        raise ApplicationError(
            EservicesError.INVALID_FORM,
            "申请表有误：" + "；".join(errors.values()),
            {f"data.{k}": v for k, v in errors.items()},
        )
    return values


def next_number(prefix: str, when: datetime) -> str:
    """`{year}-{prefix}-{6-digit sequence of that year and prefix}`, the counter row locked."""
    year = workdays.today(when).year
    counter, _ = CaseCounter.objects.select_for_update().get_or_create(year=year, prefix=prefix)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year}-{prefix}-{counter.last:06d}"


def _verify_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


def application_submit(
    *,
    actor: Actor,
    item: ServiceItem,
    data: Mapping[str, Any],
    files: Mapping[int, Upload] | None = None,
    when: datetime | None = None,
) -> Application:
    """A citizen or enterprise applies: form checked, materials stored (uploads SM3-hashed; what
    the platform holds is fetched, not asked for), case number and 查询码 given, the 承诺时限
    clock started. All or nothing."""
    with audited_write(actor, EservicesAction.APPLICATION_SUBMIT, item) as write:
        files = dict(files or {})
        item = ServiceItem.objects.select_related("department").prefetch_related("fields", "materials").get(pk=item.pk)
        if not ITEM_STATES.can(item, "apply"):
            raise ApplicationError(EservicesError.ITEM_NOT_PUBLISHED, f"《{item.name}》未发布或已停用，不能申请。")
        applicant = check_audience(actor, item)
        check_files(item, files)
        prefill = prefill_for(actor=actor, item=item)
        values = _validate_form(item, data, prefill.values)
        now = when or timezone.now()
        application = Application(
            number="pending",
            verify_code=_verify_code(),
            item=item,
            department=item.department,
            applicant=applicant,
            applicant_name=(
                applicant.enterprise_name if applicant.kind == User.Kind.ENTERPRISE else applicant.real_name
            )
            or applicant.username,
            data=values,
            submitted_at=now,
            # 到办事现场次数 of the guide this case is handled under (0 = 全程网办): the scorecard's
            # online share and average visits are computed from it.
            visits=item.visits,
        )
        application.number = next_number(item.case_prefix, now)
        clean(application)
        application.save()
        write.set_target(application)
        for material in item.materials.all():
            if material.pk in files:
                store_upload(application, material, files[material.pk])
            elif material.fetchable:
                store_fetched(application, material, prefill)
        refuse_missing(missing_materials(application))
        title = f"{application.number} {item.name}"
        url = staff_url(application)
        limit = item.promised_limit
        start_clock(write, TIMER_APPLICATION, application, title, item.department, limit, start=now, url=url)
        fetched = application.materials.filter(fetched=True).count()
        text = f"提交申请（共享获取材料 {fetched} 项，无需重复提交）" if fetched else "提交申请"
        event(application, applicant, "submit", text, at=now)
        write.note(number=application.number, item=item.impl_code, fetched=fetched)
        notify.send(
            applicant,
            application,
            f"您的《{item.name}》申请已提交，办件编号 {application.number}，查询码 {application.verify_code}。",
        )
    return application


def application_accept(*, actor: Actor, application: Application, when: datetime | None = None) -> Application:
    """The window accepts (受理): the first stage's department tasks open, each with its clock."""
    with audited_write(actor, EservicesAction.APPLICATION_ACCEPT, application) as write:
        locked = lock_application(write, application)
        require_handler(write, locked.department)
        APPLICATION_STATES.move(locked, "accept")
        now = when or timezone.now()
        locked.accepted_at = now
        locked.save(update_fields=["state", "accepted_at", "updated_at"])
        event(locked, actor.user, "accept", f"{locked.department.name}受理", at=now)
        open_stage(write, locked, 1, now)
        notify.send(locked.applicant, locked, f"您的办件 {locked.number}（{locked.item.name}）已受理。")
    application.refresh_from_db()
    return locked


def application_refuse(
    *, actor: Actor, application: Application, reason: str, when: datetime | None = None
) -> Application:
    """不予受理, with reasons; ends the case."""
    with audited_write(actor, EservicesAction.APPLICATION_REFUSE, application) as write:
        reason = reason_text(reason, "不予受理理由")
        locked = lock_application(write, application)
        require_handler(write, locked.department)
        APPLICATION_STATES.move(locked, "refuse")
        now = when or timezone.now()
        locked.decision_reason = reason
        locked.decided_at = now
        locked.save(update_fields=["state", "decision_reason", "decided_at", "updated_at"])
        timers.live_timer_finish(actor=actor, target=locked, kind=TIMER_APPLICATION, when=now)
        event(locked, actor.user, "refuse", f"不予受理：{reason}", at=now)
        write.note(reason=reason)
        notify.send(locked.applicant, locked, f"您的办件 {locked.number} 不予受理：{reason}")
    application.refresh_from_db()
    return locked


def application_request_correction(
    *,
    actor: Actor,
    application: Application,
    items: Sequence[str],
    note: str = "",
    when: datetime | None = None,
) -> Application:
    """一次性告知补正: list everything missing at once; the clock pauses until the applicant answers."""
    with audited_write(actor, EservicesAction.APPLICATION_REQUEST_CORRECTION, application) as write:
        wanted = [str(i).strip()[:300] for i in items if str(i).strip()]
        if not wanted:
            raise ApplicationError(EservicesError.REASON_REQUIRED, "请逐项列明需要补正的内容。", {"items": "必填"})
        locked = lock_application(write, application)
        require_handler(write, locked.department)
        APPLICATION_STATES.move(locked, "request_correction")
        now = when or timezone.now()
        locked.corrections = wanted
        locked.correction_note = (note or "").strip()[:2000]
        locked.save(update_fields=["state", "corrections", "correction_note", "updated_at"])
        timers.live_timer_pause(actor=actor, target=locked, kind=TIMER_APPLICATION, reason="补正材料", when=now)
        event(locked, actor.user, "correction", "一次性告知补正：" + "；".join(wanted), at=now)
        write.note(items=wanted)
        notify.send(locked.applicant, locked, f"您的办件 {locked.number} 需要补正：" + "；".join(wanted))
    application.refresh_from_db()
    return locked


def application_correct(
    *,
    actor: Actor,
    application: Application,
    data: Mapping[str, Any] | None = None,
    files: Mapping[int, Upload] | None = None,
    when: datetime | None = None,
) -> Application:
    """The applicant answers a correction notice: replaced files and form values; the clock resumes."""
    with audited_write(actor, EservicesAction.APPLICATION_CORRECT, application) as write:
        files = dict(files or {})
        locked = lock_application(write, application)
        applicant = require_applicant(write, locked)
        APPLICATION_STATES.check(locked, "correct")
        check_files(locked.item, files)
        if data is not None:
            fixed = {
                f.code: locked.data[f.code] for f in locked.item.fields.exclude(prefill="") if f.code in locked.data
            }
            merged = {**locked.data, **dict(data.items())}
            locked.data = _validate_form(locked.item, merged, fixed)
        if not files and data is None:
            raise ApplicationError(
                EservicesError.INVALID_INPUT, "请上传补正材料或修改申请表后再提交。", {"materials": "必填"}
            )
        materials = {material_id: locked.item.materials.get(pk=material_id) for material_id in files}
        for material_id, upload in files.items():
            check_upload(materials[material_id], upload)
        for material_id, upload in files.items():
            locked.materials.filter(material=materials[material_id], current=True).update(current=False)
            store_upload(locked, materials[material_id], upload)
        refuse_missing(missing_materials(locked))
        now = when or timezone.now()
        APPLICATION_STATES.move(locked, "correct")
        locked.save(update_fields=["state", "data", "updated_at"])
        timers.live_timer_resume(actor=actor, target=locked, kind=TIMER_APPLICATION, when=now)
        event(locked, applicant, "corrected", f"申请人提交补正（{len(files)} 份材料）", at=now)
        write.note(files=len(files), data=data is not None)
        notify.staff(locked.department, locked, f"办件 {locked.number} 申请人已补正，请继续受理。")
    application.refresh_from_db()
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


def _issue_certificate(actor: Actor, application: Application) -> str:
    """Issue the item's certificate result through the 电子证照 app; "" when the item has none."""
    result = application.item.results.filter(kind=ItemResult.Kind.CERTIFICATE).first()
    if result is None:
        return ""
    applicant = application.applicant
    enterprise = applicant.kind == User.Kind.ENTERPRISE
    certificate = certificate_services.certificate_issue(
        actor=actor,
        department=application.department,
        certificate_type=result.certificate_type_code,
        holder_name=application.applicant_name,
        data=_certificate_data(application, result.certificate_type_code),
        source_label=f"办件 {application.number}（{application.item.name}）",
        holder_credit_code=applicant.enterprise_credit_code if enterprise else "",
        holder_id_number="" if enterprise else applicant.id_number,
    )
    return str(certificate.identifier)


def application_decide(
    *,
    actor: Actor,
    application: Application,
    approve: bool,
    reason: str = "",
    when: datetime | None = None,
) -> Application:
    """准予 or 不予 (with reasons) after the review; ends the clock, issues the certificate result."""
    with audited_write(actor, EservicesAction.APPLICATION_DECIDE, application) as write:
        reason = (reason or "").strip()[:2000]
        if not approve:
            reason = reason_text(reason, "不予许可的理由")
        locked = lock_application(write, application)
        require_handler(write, locked.department)
        APPLICATION_STATES.check(locked, "approve" if approve else "deny")
        if approve and locked.tasks.filter(state=CaseTask.State.REJECTED).exists():
            raise ApplicationError(
                EservicesError.WRONG_STATE, "有部门审查不同意，不能作出准予决定。", {"approve": "不可准予"}, status=409
            )
        now = when or timezone.now()
        APPLICATION_STATES.move(locked, "approve" if approve else "deny")
        locked.decision_reason = reason
        locked.decided_at = now
        if approve:
            locked.certificate_identifier = _issue_certificate(actor, locked)
        locked.save(update_fields=["state", "decision_reason", "decided_at", "certificate_identifier", "updated_at"])
        timers.live_timer_finish(actor=actor, target=locked, kind=TIMER_APPLICATION, when=now)
        text = "准予许可" if approve else f"不予许可：{clause(reason)}"
        if locked.certificate_identifier:
            text += f"，已签发电子证照 {locked.certificate_identifier}"
        event(locked, actor.user, "decide", text, at=now)
        write.note(approve=approve, reason=reason, certificate=locked.certificate_identifier)
        notify.send(locked.applicant, locked, f"您的办件 {locked.number} 已办结：{text}。欢迎对本次服务作出评价。")
    application.refresh_from_db()
    return locked


def application_withdraw(*, actor: Actor, application: Application, reason: str = "") -> Application:
    """The applicant withdraws before the decision; open tasks and clocks are cancelled."""
    with audited_write(actor, EservicesAction.APPLICATION_WITHDRAW, application) as write:
        locked = lock_application(write, application)
        applicant = require_applicant(write, locked)
        APPLICATION_STATES.check(locked, "withdraw")
        reason = (reason or "").strip()[:500] or "申请人撤回"
        for task in locked.tasks.filter(state__in=CaseTask.LIVE_STATES):
            TASK_STATES.move(task, "cancel")
            task.save(update_fields=["state"])
            timers.live_timer_cancel(actor=actor, target=task, kind=TIMER_TASK, reason="申请人撤回")
        timers.live_timer_cancel(actor=actor, target=locked, kind=TIMER_APPLICATION, reason="申请人撤回")
        APPLICATION_STATES.move(locked, "withdraw")
        locked.decided_at = timezone.now()
        locked.decision_reason = reason
        locked.save(update_fields=["state", "decided_at", "decision_reason", "updated_at"])
        event(locked, applicant, "withdraw", f"申请人撤回申请：{reason}")
        write.note(reason=reason)
    application.refresh_from_db()
    return locked
