"""Writes of 公众参与: letters (the 12345 cycle), consultations, surveys and moderation.

Every service is keyword-only, atomic, validated and audited (docs/design.md rule 1). Who may act is
checked before anything is written; a refusal is recorded in the audit log (outside the atomic
block, so it stays) and raised as `ApplicationError`, changing nothing else. Services that change
a letter lock its row (`select_for_update`) and check the state on the fresh row, so of two staff
acting on the same letter at once exactly one succeeds.

Letter cycle (docs/rules.md §6) and its supervision timers (kinds in `rules.py`):
  submit  → 受理 timer (24 h, minutes) on the receiving office
  accept  → finishes 受理; starts 派单 (office)
  dispatch→ finishes 派单; starts 签收或退回 (2 working days) and 办理答复 (5 working days) on the department
  sign    → finishes 签收或退回            return → (within 2 working days) back to the office for re-dispatch
  extension request (department) → approve (office): the 办理 timer extended once, ≤ 10 working days
  reply   → finishes 办理 (and 签收); starts 答复审核办结 (office)
  reopen  → 退回重办: a new 办理 timer      complete → finishes 审核; starts 回访 (office) and 评价 (department)
  callback→ finishes 回访                  rate (writer) → finishes 评价
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from zhengwu.accounts.models import ApiClient, Department, Role, User
from zhengwu.audit.services import record
from zhengwu.core import workdays
from zhengwu.core.actors import legacy_actor
from zhengwu.core.crypto import blind_index, constant_time_equal
from zhengwu.core.errors import ApplicationError, from_validation_error, permission_denied
from zhengwu.core.idnumbers import validate_resident_id
from zhengwu.participation import rules
from zhengwu.participation.errors import ParticipationError
from zhengwu.participation.models import (
    Answer,
    Article,
    Channel,
    Comment,
    Consultation,
    Flag,
    Letter,
    LetterEvent,
    LetterKind,
    Question,
    Rating,
    Response,
    Survey,
)
from zhengwu.participation.text import letter_terms, mask_personal, split_articles
from zhengwu.supervision import selectors as supervision_selectors
from zhengwu.supervision import services as timers
from zhengwu.supervision.models import Timer

DEPT_ROLES = (Role.CLERK, Role.DEPT_LEADER)
OFFICE_ROLES = (Role.EGOV_OFFICE,)
CONTENT_STAFF = (Role.CLERK, Role.DEPT_LEADER, Role.EGOV_OFFICE)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ANONYMOUS_PER_IP_PER_DAY = 3
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


# --- helpers ------------------------------------------------------------------------------


def _clean(instance: models.Model) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        raise from_validation_error(error) from None


def _text(value: str | None, field: str, what: str, *, code: StrEnum, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(code, f"请填写{what}。", {field: "必填"})
    if len(value) > max_length:
        raise ApplicationError(code, f"{what}不能超过 {max_length} 个字。", {field: "过长"})
    return value


def _reason(value: str | None, what: str = "理由", field: str = "reason") -> str:
    return _text(value, field, what, code=ParticipationError.REASON_REQUIRED, max_length=500)


def _deny(
    actor: User | None, action: str, target: models.Model | None, request: HttpRequest | None, message: str
) -> ApplicationError:
    """Record a refusal (it must stay on record) and return the error to raise."""
    record(actor=actor, action=action, target=target, outcome="denied", request=request, details={"reason": message})
    return permission_denied(message)


def is_office(actor: User | None, letter: Letter) -> bool:
    """The receiving office's e-gov staff (12345 热线/电子政务办)."""
    return bool(actor and actor.has_role(*OFFICE_ROLES) and actor.department_id == letter.office_id)


def is_handler(actor: User | None, letter: Letter) -> bool:
    """A clerk or leader of the department the letter is dispatched to."""
    return bool(
        actor and actor.has_role(*DEPT_ROLES) and letter.department_id and actor.department_id == letter.department_id
    )


def _require(
    allowed: bool, actor: User | None, action: str, letter: Letter, request: HttpRequest | None, message: str
) -> None:
    if not allowed:
        raise _deny(actor, action, letter, request, message)


def _lock(letter: Letter) -> Letter:
    return Letter.objects.select_for_update().get(pk=letter.pk)


def _expect(letter: Letter, *states: str) -> None:
    if letter.state not in states:
        raise ApplicationError(
            ParticipationError.WRONG_STATE,
            f"该来信当前为“{letter.get_state_display()}”，不能进行此操作。",
            {"state": letter.state},
        )


def _event(letter: Letter, action: str, label: str, actor: User | None, note: str = "") -> None:
    LetterEvent.objects.create(
        letter=letter,
        action=action,
        label=label,
        actor=actor if actor is not None and actor.pk else None,
        department=letter.department if action in ("sign", "return", "reply", "extension_request") else letter.office,
        note=note[:1000],
    )


def _start(actor: User | None, letter: Letter, kind: str, department: Department, limit: int, unit: str = "") -> Timer:
    return timers.timer_start(
        actor=legacy_actor(actor),
        kind=kind,
        kind_label=rules.LABELS[kind],
        target=letter,
        title=f"{letter.number} {letter.title}"[:200],
        department=department,
        limit=limit,
        unit=unit or Timer.Unit.WORKDAY,
        url=reverse("participation_wb:letter", args=[letter.pk]),
    )


def _live(letter: Letter, kind: str) -> Timer | None:
    timer = supervision_selectors.timer_for(letter, kind)
    return timer if timer is not None and timer.is_live else None


def _finish(actor: User | None, letter: Letter, kind: str) -> None:
    timer = _live(letter, kind)
    if timer is not None:
        timers.timer_finish(actor=legacy_actor(actor), timer=timer)


def _cancel(actor: User | None, letter: Letter, kind: str, reason: str) -> None:
    timer = _live(letter, kind)
    if timer is not None:
        timers.timer_cancel(actor=legacy_actor(actor), timer=timer, reason=reason)


def _audit(actor: User | None, verb: str, letter: Letter, request: HttpRequest | None, **details: Any) -> None:
    record(
        actor=actor,
        action=f"participation.letter.{verb}",
        target=letter,
        request=request,
        department=letter.department or letter.office,
        details={"number": letter.number, "state": letter.state, **details},
    )


def code_hash(number: str, code: str) -> str:
    return blind_index(code, purpose=f"letter-code:{number}")


def code_matches(letter: Letter, code: str) -> bool:
    code = (code or "").strip().upper()
    return bool(code) and constant_time_equal(letter.code_hash, code_hash(letter.number, code))


def office_department() -> Department | None:
    """The office that receives letters: the department of the first active e-gov office account."""
    user = (
        User.objects.filter(is_active=True, kind=User.Kind.STAFF, role_assignments__role=Role.EGOV_OFFICE)
        .exclude(department__isnull=True)
        .order_by("id")
        .first()
    )
    return user.department if user is not None else None


# --- letters: submission ------------------------------------------------------------------

SUBMIT_SCOPE = ApiClient.Scope.PARTICIPATION_SUBMIT


def require_submit_scope(api_client: ApiClient, request: HttpRequest | None = None) -> None:
    """A department system may submit letters (Open311) only with the `participation:submit` scope;
    a refusal is audited and raises a permission error before anything is written."""
    if SUBMIT_SCOPE in api_client.scopes:
        return
    message = "该凭证未获得提交来信（participation:submit）的授权范围。"
    record(
        actor=None,
        api_client=api_client,
        action="participation.letter.submit",
        outcome="denied",
        request=request,
        details={"reason": message, "scope": str(SUBMIT_SCOPE)},
    )
    raise permission_denied(message)


def letter_submit(
    *,
    actor: User | None,
    channel: str,
    kind: str,
    title: str,
    content: str,
    consent_publish: bool = False,
    writer_name: str = "",
    writer_phone: str = "",
    writer_id_number: str = "",
    writer_address: str = "",
    writer_email: str = "",
    location: str = "",
    lat: float | None = None,
    long: float | None = None,
    api_client: ApiClient | None = None,
    office: Department | None = None,
    request: HttpRequest | None = None,
) -> tuple[Letter, str]:
    """Register a letter and start its 24-hour receipt clock. Returns `(letter, verification code)`:
    the code is shown once to the writer (or the submitting system) and only its hash is kept.

    A person must be logged in (citizen or enterprise); a department system (Open311) holding the
    `participation:submit` scope submits for a writer who gives at least a name or a phone number.
    """
    code = ParticipationError.INVALID_LETTER
    if api_client is None and (actor is None or actor.kind == User.Kind.STAFF):
        raise permission_denied("请以个人或法人账号登录后写信。")
    if api_client is not None:
        require_submit_scope(api_client, request)
    if channel not in Channel.values:
        raise ApplicationError(code, "请选择来信渠道。", {"channel": "无效"})
    if kind not in LetterKind.values:
        raise ApplicationError(code, "请选择来信类别。", {"kind": "无效"})
    title = _text(title, "title", "标题", code=code, max_length=100)
    content = _text(content, "content", "内容", code=code, max_length=5000)
    writer_phone = (writer_phone or "").strip().replace(" ", "")
    writer_id_number = (writer_id_number or "").strip().upper()
    if actor is not None and api_client is None:
        writer_name = writer_name.strip() or actor.real_name
        writer_phone = writer_phone or actor.phone
        writer_id_number = writer_id_number or actor.id_number
    if writer_phone and not _PHONE.match(writer_phone):
        raise ApplicationError(code, "联系电话格式不正确。", {"writer_phone": "格式不正确"})
    if writer_id_number:
        try:
            validate_resident_id(writer_id_number)
        except ApplicationError as error:
            raise ApplicationError(code, error.message, {"writer_id_number": error.message}) from None
    if api_client is not None and not (writer_name.strip() or writer_phone or writer_email.strip()):
        raise ApplicationError(code, "请提供来信人姓名、电话或电子邮箱之一。", {"writer_name": "必填"})
    if (lat is not None and not -90 <= lat <= 90) or (long is not None and not -180 <= long <= 180):
        raise ApplicationError(code, "经纬度超出范围。", {"lat": "超出范围"})
    office = office or office_department()
    if office is None:
        raise ApplicationError(ParticipationError.NO_OFFICE, "尚未设置受理单位（电子政务主管账号），暂不能受理来信。")
    verification = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
    for _attempt in range(8):
        number = f"XJ{workdays.today():%Y%m%d}{secrets.randbelow(10**6):06d}"
        letter = Letter(
            number=number,
            code_hash=code_hash(number, verification),
            channel=channel,
            kind=kind,
            title=title,
            content=content,
            terms=letter_terms(title, content),
            writer=actor if api_client is None else None,
            writer_name=writer_name.strip()[:64],
            writer_phone=writer_phone,
            writer_id_number=writer_id_number,
            writer_address=(writer_address or "").strip()[:200],
            writer_email=(writer_email or "").strip()[:200],
            consent_publish=bool(consent_publish),
            location=(location or "").strip()[:200],
            lat=lat,
            long=long,
            api_client=api_client,
            open311_token=secrets.token_hex(16) if api_client is not None else "",
            office=office,
        )
        _clean(letter)
        try:
            with transaction.atomic():
                letter.save()
                _event(letter, "submit", "来信", actor, Channel(channel).label)
                _start(actor, letter, rules.RECEIPT, office, rules.deadline("receipt_minutes"), Timer.Unit.MINUTE)
                record(
                    actor=actor,
                    api_client=api_client,
                    action="participation.letter.submit",
                    target=letter,
                    request=request,
                    department=office,
                    details={"number": number, "channel": channel, "kind": kind},
                )
        except IntegrityError:
            if Letter.objects.filter(number=number).exists():
                continue  # the random number was taken: draw another
            raise
        return letter, verification
    raise ApplicationError(ParticipationError.INVALID_LETTER, "生成信件编号失败，请重试。")


# --- letters: the office (受理、派单、办结、回访) ---------------------------------------------


def letter_accept(*, actor: User | None, letter: Letter, request: HttpRequest | None = None) -> Letter:
    """受理: the office confirms receipt (finishes the 24-hour clock) and starts the dispatch clock."""
    _require(
        is_office(actor, letter), actor, "participation.letter.accept", letter, request, "只有受理单位可以受理来信。"
    )
    with transaction.atomic():
        locked = _lock(letter)
        _expect(locked, Letter.State.SUBMITTED)
        _accept(actor, locked)
        _audit(actor, "accept", locked, request)
    letter.refresh_from_db()
    return locked


def _accept(actor: User | None, locked: Letter) -> None:
    locked.state = Letter.State.ACCEPTED
    locked.accepted_at = timezone.now()
    _clean(locked)
    locked.save()
    _finish(actor, locked, rules.RECEIPT)
    _start(actor, locked, rules.DISPATCH, locked.office, rules.deadline("dispatch_days"))
    _event(locked, "accept", "受理", actor)


def letter_refuse(*, actor: User | None, letter: Letter, reason: str, request: HttpRequest | None = None) -> Letter:
    """不予受理 (no actual matter, abuse, already handled by a legal procedure …), with a reason."""
    _require(is_office(actor, letter), actor, "participation.letter.refuse", letter, request, "只有受理单位可以处理。")
    reason = _reason(reason, "不予受理理由")
    with transaction.atomic():
        locked = _lock(letter)
        _expect(locked, Letter.State.SUBMITTED, Letter.State.ACCEPTED)
        locked.state = Letter.State.REFUSED
        locked.refusal_reason = reason
        locked.accepted_at = locked.accepted_at or timezone.now()
        _clean(locked)
        locked.save()
        _finish(actor, locked, rules.RECEIPT)
        _cancel(actor, locked, rules.DISPATCH, "不予受理")
        _event(locked, "refuse", "不予受理", actor, reason)
        _audit(actor, "refuse", locked, request, reason=reason)
    letter.refresh_from_db()
    return locked


def letter_dispatch(
    *, actor: User | None, letter: Letter, department: Department, note: str = "", request: HttpRequest | None = None
) -> Letter:
    """派单: send the letter to the department that handles it (accepting it first if needed)."""
    _require(
        is_office(actor, letter), actor, "participation.letter.dispatch", letter, request, "只有受理单位可以派单。"
    )
    if department is None or not department.is_active:
        raise ApplicationError(ParticipationError.INVALID_LETTER, "请选择承办单位。", {"department": "必填"})
    with transaction.atomic():
        locked = _lock(letter)
        _expect(locked, Letter.State.SUBMITTED, Letter.State.ACCEPTED)
        if locked.state == Letter.State.SUBMITTED:
            _accept(actor, locked)
        locked.state = Letter.State.DISPATCHED
        locked.department = department
        locked.dispatched_at = timezone.now()
        locked.dispatch_note = (note or "").strip()[:500]
        locked.signed_at = None
        locked.extension_state = ""
        locked.extension_days = 0
        locked.extension_reason = ""
        _clean(locked)
        locked.save()
        _finish(actor, locked, rules.DISPATCH)
        _start(actor, locked, rules.SIGN, department, rules.deadline("sign_days"))
        _start(actor, locked, rules.HANDLING, department, rules.deadline("handling_days"))
        _event(locked, "dispatch", "派单", actor, f"派至{department.name}。{locked.dispatch_note}")
        _audit(actor, "dispatch", locked, request, department=department.name)
    letter.refresh_from_db()
    return locked


def letter_complete(
    *, actor: User | None, letter: Letter, publish: bool = False, request: HttpRequest | None = None
) -> Letter:
    """办结: the office accepts the department's reply; the call-back and rating clocks start.
    With `publish` (and the writer's consent) the masked letter and reply are published."""
    _require(
        is_office(actor, letter), actor, "participation.letter.complete", letter, request, "只有受理单位可以办结。"
    )
    with transaction.atomic():
        locked = _lock(letter)
        _expect(locked, Letter.State.REPLIED)
        if publish and not locked.consent_publish:
            raise ApplicationError(
                ParticipationError.NO_CONSENT, "来信人未同意公开，不能公开此信。", {"publish": "未同意"}
            )
        locked.state = Letter.State.COMPLETED
        locked.completed_at = timezone.now()
        _clean(locked)
        locked.save()
        _finish(actor, locked, rules.COMPLETION)
        assert locked.department is not None
        _start(actor, locked, rules.CALLBACK, locked.office, rules.deadline("callback_days"))
        _start(actor, locked, rules.RATING, locked.department, rules.deadline("rating_days"))
        _event(locked, "complete", "办结", actor)
        _audit(actor, "complete", locked, request, publish=publish)
        if publish:
            _publish(actor, locked, request)
    letter.refresh_from_db()
    return locked


def _publish(actor: User | None, locked: Letter, request: HttpRequest | None) -> None:
    names = [locked.writer_name]
    if locked.writer is not None:
        names.append(locked.writer.real_name)
    addresses = [locked.writer_address]
    locked.public_title = mask_personal(locked.title, names=names, addresses=addresses)[:100]
    locked.public_content = mask_personal(locked.content, names=names, addresses=addresses)
    locked.public_reply = mask_personal(locked.reply, names=names, addresses=addresses)
    locked.published_at = timezone.now()
    _clean(locked)
    locked.save()
    _event(locked, "publish", "公开", actor)
    _audit(actor, "publish", locked, request)


def letter_publish(*, actor: User | None, letter: Letter, request: HttpRequest | None = None) -> Letter:
    """Publish a completed letter with its reply, personal data masked; only with the writer's consent."""
    _require(
        is_office(actor, letter), actor, "participation.letter.publish", letter, request, "只有受理单位可以公开来信。"
    )
    with transaction.atomic():
        locked = _lock(letter)
        _expect(locked, Letter.State.COMPLETED, Letter.State.VISITED)
        if not locked.consent_publish:
            raise ApplicationError(ParticipationError.NO_CONSENT, "来信人未同意公开，不能公开此信。")
        if locked.published_at is not None:
            raise ApplicationError(ParticipationError.WRONG_STATE, "该来信已公开。")
        _publish(actor, locked, request)
    letter.refresh_from_db()
    return locked


def letter_reopen(*, actor: User | None, letter: Letter, reason: str, request: HttpRequest | None = None) -> Letter:
    """退回重办: the office finds the reply insufficient; the department gets a new handling period."""
    _require(
        is_office(actor, letter), actor, "participation.letter.reopen", letter, request, "只有受理单位可以退回重办。"
    )
    reason = _reason(reason, "退回重办理由")
    with transaction.atomic():
        locked = _lock(letter)
        _expect(locked, Letter.State.REPLIED)
        assert locked.department is not None
        locked.state = Letter.State.HANDLING
        locked.reopen_count += 1
        locked.extension_state = ""
        _clean(locked)
        locked.save()
        _cancel(actor, locked, rules.COMPLETION, "退回重办")
        _start(actor, locked, rules.HANDLING, locked.department, rules.deadline("handling_days"))
        _event(locked, "reopen", "退回重办", actor, reason)
        _audit(actor, "reopen", locked, request, reason=reason)
    letter.refresh_from_db()
    return locked


def letter_callback(*, actor: User | None, letter: Letter, note: str, request: HttpRequest | None = None) -> Letter:
    """回访: the office records what the writer said when called back."""
    _require(
        is_office(actor, letter), actor, "participation.letter.callback", letter, request, "只有受理单位可以回访。"
    )
    note = _text(note, "note", "回访情况", code=ParticipationError.INVALID_LETTER, max_length=1000)
    with transaction.atomic():
        locked = _lock(letter)
        _expect(locked, Letter.State.COMPLETED)
        locked.state = Letter.State.VISITED
        locked.callback_at = timezone.now()
        locked.callback_note = note
        _clean(locked)
        locked.save()
        _finish(actor, locked, rules.CALLBACK)
        _event(locked, "callback", "回访", actor, note)
        _audit(actor, "callback", locked, request)
    letter.refresh_from_db()
    return locked


def letter_extension_decide(
    *, actor: User | None, letter: Letter, approve: bool, reason: str = "", request: HttpRequest | None = None
) -> Letter:
    """The office approves (the handling clock is extended once) or refuses a requested extension."""
    _require(
        is_office(actor, letter), actor, "participation.letter.extension", letter, request, "只有受理单位可以审批延期。"
    )
    with transaction.atomic():
        locked = _lock(letter)
        _expect(locked, Letter.State.DISPATCHED, Letter.State.HANDLING)
        if locked.extension_state != "requested":
            raise ApplicationError(ParticipationError.WRONG_STATE, "没有待审批的延期申请。")
        if approve:
            timer = _live(locked, rules.HANDLING)
            if timer is None:
                raise ApplicationError(ParticipationError.WRONG_STATE, "办理计时已结束，不能延期。")
            timers.timer_extend(
                actor=legacy_actor(actor), timer=timer, days=locked.extension_days, reason=locked.extension_reason
            )
            locked.extension_state = "approved"
        else:
            reason = _reason(reason, "不批准理由")
            locked.extension_state = "refused"
        _clean(locked)
        locked.save()
        label = "批准延期" if approve else "不批准延期"
        _event(locked, "extension_decide", label, actor, reason)
        _audit(actor, "extension_decide", locked, request, approve=approve, days=locked.extension_days)
    letter.refresh_from_db()
    return locked


# --- letters: the department (签收、退回、延期、答复) -----------------------------------------


def letter_sign(*, actor: User | None, letter: Letter, request: HttpRequest | None = None) -> Letter:
    """签收: the department takes the letter on (it can no longer send it back as misrouted)."""
    _require(is_handler(actor, letter), actor, "participation.letter.sign", letter, request, "只有承办单位可以签收。")
    with transaction.atomic():
        locked = _lock(letter)
        _expect(locked, Letter.State.DISPATCHED)
        locked.state = Letter.State.HANDLING
        locked.signed_at = timezone.now()
        _clean(locked)
        locked.save()
        _finish(actor, locked, rules.SIGN)
        _event(locked, "sign", "签收", actor)
        _audit(actor, "sign", locked, request)
    letter.refresh_from_db()
    return locked


def letter_return(*, actor: User | None, letter: Letter, reason: str, request: HttpRequest | None = None) -> Letter:
    """退回 (错派): within 2 working days of dispatch (`ZHENGWU_LETTER_RETURN_DAYS`), before
    signing, the department sends the letter back to the office for re-dispatch, with a reason."""
    _require(is_handler(actor, letter), actor, "participation.letter.return", letter, request, "只有承办单位可以退回。")
    reason = _reason(reason, "退回理由")
    with transaction.atomic():
        locked = _lock(letter)
        _expect(locked, Letter.State.DISPATCHED)
        sign = _live(locked, rules.SIGN)
        if sign is None or sign.is_overdue():
            raise ApplicationError(
                ParticipationError.RETURN_TOO_LATE,
                f"错派来信应在派单后 {rules.deadline('sign_days')} 个工作日内退回，已超过期限，请办理。",
            )
        department = locked.department
        timers.timer_finish(actor=legacy_actor(actor), timer=sign)
        _cancel(actor, locked, rules.HANDLING, "错派退回")
        locked.state = Letter.State.ACCEPTED
        locked.department = None
        locked.return_count += 1
        locked.return_reason = reason
        _clean(locked)
        locked.save()
        _start(actor, locked, rules.DISPATCH, locked.office, rules.deadline("dispatch_days"))
        LetterEvent.objects.create(
            letter=locked, action="return", label="退回", actor=actor, department=department, note=reason
        )
        _audit(actor, "return", locked, request, reason=reason, department=department.name if department else "")
    letter.refresh_from_db()
    return locked


def letter_extension_request(
    *, actor: User | None, letter: Letter, days: int, reason: str, request: HttpRequest | None = None
) -> Letter:
    """申请延期: once per letter, at most 10 working days (docs/rules.md §6; `ZHENGWU_LETTER_EXTENSION_DAYS`),
    approved by the office."""
    _require(
        is_handler(actor, letter),
        actor,
        "participation.letter.extension",
        letter,
        request,
        "只有承办单位可以申请延期。",
    )
    reason = _reason(reason, "延期理由")
    maximum = rules.deadline("extension_max_days")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= maximum:
        raise ApplicationError(
            ParticipationError.INVALID_EXTENSION, f"延期天数应为 1 至 {maximum} 个工作日。", {"days": "超出范围"}
        )
    with transaction.atomic():
        locked = _lock(letter)
        _expect(locked, Letter.State.DISPATCHED, Letter.State.HANDLING)
        timer = _live(locked, rules.HANDLING)
        if locked.extension_state in ("requested", "approved") or (timer is not None and timer.extension_count):
            raise ApplicationError(ParticipationError.ALREADY_EXTENDED, "每件来信只能延期一次。", {"days": "已申请"})
        if timer is None or timer.is_overdue():
            raise ApplicationError(ParticipationError.INVALID_EXTENSION, "办理已超期，不能申请延期。")
        locked.extension_state = "requested"
        locked.extension_days = days
        locked.extension_reason = reason
        _clean(locked)
        locked.save()
        _event(locked, "extension_request", "申请延期", actor, f"{days} 个工作日：{reason}")
        _audit(actor, "extension_request", locked, request, days=days)
    letter.refresh_from_db()
    return locked


def letter_reply(*, actor: User | None, letter: Letter, reply: str, request: HttpRequest | None = None) -> Letter:
    """答复: the department answers the writer; the office then reviews and completes."""
    _require(is_handler(actor, letter), actor, "participation.letter.reply", letter, request, "只有承办单位可以答复。")
    reply = _text(reply, "reply", "答复意见", code=ParticipationError.INVALID_LETTER, max_length=10000)
    with transaction.atomic():
        locked = _lock(letter)
        _expect(locked, Letter.State.DISPATCHED, Letter.State.HANDLING)
        locked.state = Letter.State.REPLIED
        locked.reply = reply
        locked.replied_at = timezone.now()
        locked.replied_by = actor
        locked.signed_at = locked.signed_at or locked.replied_at
        if locked.extension_state == "requested":
            locked.extension_state = ""
        _clean(locked)
        locked.save()
        _finish(actor, locked, rules.SIGN)
        _finish(actor, locked, rules.HANDLING)
        _start(actor, locked, rules.COMPLETION, locked.office, rules.deadline("completion_days"))
        _event(locked, "reply", "答复", actor)
        _audit(actor, "reply", locked, request)
    letter.refresh_from_db()
    return locked


# --- letters: the writer ------------------------------------------------------------------


def letter_rate(
    *,
    actor: User | None,
    letter: Letter,
    rating: str,
    comment: str = "",
    code: str = "",
    request: HttpRequest | None = None,
) -> Letter:
    """评价: the writer (by account, or anyone holding the letter's verification code) rates once."""
    allowed = (actor is not None and letter.writer_id is not None and actor.pk == letter.writer_id) or code_matches(
        letter, code
    )
    _require(allowed, actor, "participation.letter.rate", letter, request, "只有来信人可以评价。")
    if rating not in Rating.values:
        raise ApplicationError(ParticipationError.INVALID_RATING, "请选择评价等级。", {"rating": "必选"})
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ApplicationError(ParticipationError.INVALID_RATING, "评价意见不能超过 500 字。", {"comment": "过长"})
    with transaction.atomic():
        locked = _lock(letter)
        if locked.rated_at is not None:
            raise ApplicationError(ParticipationError.ALREADY_RATED, "该来信已评价（一事一评）。")
        _expect(locked, Letter.State.COMPLETED, Letter.State.VISITED)
        window = supervision_selectors.timer_for(locked, rules.RATING)
        if window is not None and window.state == Timer.State.CANCELLED:
            raise ApplicationError(ParticipationError.WRONG_STATE, "评价期已结束，不能再评价。")
        locked.rating = rating
        locked.rating_comment = comment
        locked.rated_at = timezone.now()
        _clean(locked)
        locked.save()
        _finish(actor, locked, rules.RATING)
        _event(locked, "rate", "评价", actor, Rating(rating).label)
        if locked.is_bad_rating and locked.state == Letter.State.VISITED:
            # Every bad review gets a call-back (国办发〔2019〕51号): back to the office's call-back step.
            locked.state = Letter.State.COMPLETED
            locked.save(update_fields=["state", "updated_at"])
            _start(actor, locked, rules.CALLBACK, locked.office, rules.deadline("callback_days"))
            _event(locked, "bad_rating_callback", "差评回访", actor)
        _audit(actor, "rate", locked, request, rating=rating)
    letter.refresh_from_db()
    return locked


# --- consultations -----------------------------------------------------------------------


def _consultation_staff(actor: User | None, department_id: int | None) -> bool:
    if actor is None:
        return False
    if actor.has_role(Role.EGOV_OFFICE):
        return True
    return actor.has_role(*DEPT_ROLES) and department_id is not None and actor.department_id == department_id


def _period(opens_on: date, closes_on: date, code: StrEnum) -> None:
    if not isinstance(opens_on, date) or not isinstance(closes_on, date):
        raise ApplicationError(code, "请填写起止日期。", {"opens_on": "必填"})
    if closes_on < opens_on:
        raise ApplicationError(code, "截止日期不能早于开始日期。", {"closes_on": "早于开始日期"})


def consultation_create(
    *,
    actor: User | None,
    title: str,
    intro: str,
    draft: str,
    opens_on: date,
    closes_on: date,
    request: HttpRequest | None = None,
) -> Consultation:
    """A draft for comment, split into its articles (第N条; paragraphs when it has none)."""
    department = actor.department if actor is not None else None
    if not _consultation_staff(actor, getattr(department, "pk", None)) or department is None:
        raise _deny(actor, "participation.consultation.create", None, request, "只有部门工作人员可以发起意见征集。")
    code = ParticipationError.INVALID_CONSULTATION
    title = _text(title, "title", "标题", code=code, max_length=200)
    articles = split_articles(draft)
    if not articles:
        raise ApplicationError(code, "请填写征求意见稿正文。", {"draft": "必填"})
    if len(articles) > 500:
        raise ApplicationError(code, "征求意见稿条文过多（最多 500 条）。", {"draft": "过长"})
    _period(opens_on, closes_on, code)
    with transaction.atomic():
        assert actor is not None
        consultation = Consultation(
            title=title,
            intro=(intro or "").strip(),
            department=department,
            opens_on=opens_on,
            closes_on=closes_on,
            created_by=actor,
        )
        _clean(consultation)
        consultation.save()
        for position, (heading, text) in enumerate(articles, start=1):
            article = Article(consultation=consultation, position=position, heading=heading, text=text)
            _clean(article)
            article.save()
        record(
            actor=actor,
            action="participation.consultation.create",
            target=consultation,
            request=request,
            details={"articles": len(articles)},
        )
    return consultation


def _consultation_transition(
    actor: User | None,
    consultation: Consultation,
    verb: str,
    request: HttpRequest | None,
    change: Callable[[Consultation], None],
) -> Consultation:
    if not _consultation_staff(actor, consultation.department_id):
        raise _deny(actor, f"participation.consultation.{verb}", consultation, request, "您无权管理此意见征集。")
    with transaction.atomic():
        locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
        change(locked)
        _clean(locked)
        locked.save()
        record(
            actor=actor,
            action=f"participation.consultation.{verb}",
            target=locked,
            request=request,
            department=locked.department,
            details={"state": locked.state},
        )
    consultation.refresh_from_db()
    return locked


def _wrong_state(what: str) -> ApplicationError:
    return ApplicationError(ParticipationError.WRONG_STATE, what)


def consultation_publish(
    *, actor: User | None, consultation: Consultation, request: HttpRequest | None = None
) -> Consultation:
    def change(c: Consultation) -> None:
        if c.state != Consultation.State.DRAFT:
            raise _wrong_state("只有草稿可以发布。")
        if c.closes_on < workdays.today():
            raise ApplicationError(ParticipationError.INVALID_CONSULTATION, "截止日期已过，请修改后再发布。")
        c.state = Consultation.State.PUBLISHED
        c.published_at = timezone.now()

    return _consultation_transition(actor, consultation, "publish", request, change)


def consultation_close(
    *, actor: User | None, consultation: Consultation, request: HttpRequest | None = None
) -> Consultation:
    """End the comment period now (it also ends by itself after `closes_on`)."""

    def change(c: Consultation) -> None:
        if c.state != Consultation.State.PUBLISHED:
            raise _wrong_state("只有已发布的意见征集可以结束。")
        c.state = Consultation.State.CLOSED
        c.closed_at = timezone.now()
        c.closes_on = min(c.closes_on, max(c.opens_on, workdays.today()))

    return _consultation_transition(actor, consultation, "close", request, change)


def comment_decide(
    *,
    actor: User | None,
    comment: Comment,
    adoption: str,
    reason: str,
    request: HttpRequest | None = None,
) -> Comment:
    """Record whether a comment was adopted, and why (采纳情况, per comment)."""
    consultation = comment.article.consultation
    if not _consultation_staff(actor, consultation.department_id):
        raise _deny(actor, "participation.comment.decide", comment, request, "您无权处理此意见。")
    if adoption not in (Comment.Adoption.ADOPTED, Comment.Adoption.PARTLY, Comment.Adoption.NOT_ADOPTED):
        raise ApplicationError(ParticipationError.INVALID_COMMENT, "请选择采纳情况。", {"adoption": "必选"})
    reason = (reason or "").strip()
    if adoption != Comment.Adoption.ADOPTED and not reason:
        raise ApplicationError(ParticipationError.REASON_REQUIRED, "未采纳或部分采纳须说明理由。", {"reason": "必填"})
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        if consultation.summary_published_at is not None:
            raise _wrong_state("采纳情况已公布，不能再修改。")
        locked.adoption = adoption
        locked.adoption_reason = reason[:1000]
        _clean(locked)
        locked.save()
        record(
            actor=actor,
            action="participation.comment.decide",
            target=locked,
            request=request,
            department=consultation.department,
            details={"adoption": adoption},
        )
    comment.refresh_from_db()
    return locked


def consultation_publish_summary(
    *, actor: User | None, consultation: Consultation, summary: str, request: HttpRequest | None = None
) -> Consultation:
    """Publish 采纳情况: the overall account, beside each comment's decision. Only after closing,
    and only when every visible comment has a decision."""
    text = _text(summary, "summary", "采纳情况说明", code=ParticipationError.INVALID_CONSULTATION, max_length=20000)

    def change(c: Consultation) -> None:
        if c.state != Consultation.State.CLOSED and not (
            c.state == Consultation.State.PUBLISHED and c.closes_on < workdays.today()
        ):
            raise _wrong_state("征求意见结束后才能公布采纳情况。")
        if c.summary_published_at is not None:
            raise _wrong_state("采纳情况已公布。")
        pending = Comment.objects.filter(article__consultation=c, hidden_at__isnull=True, adoption="").count()
        if pending:
            raise ApplicationError(
                ParticipationError.INVALID_CONSULTATION, f"还有 {pending} 条意见未处理，请先逐条填写采纳情况。"
            )
        c.state = Consultation.State.CLOSED
        c.closed_at = c.closed_at or timezone.now()
        c.summary = text
        c.summary_published_at = timezone.now()

    return _consultation_transition(actor, consultation, "publish_summary", request, change)


def is_real_name(user: User | None) -> bool:
    """A citizen with a verified ID number, or an enterprise account with a credit code."""
    if user is None or not user.is_active:
        return False
    if user.kind == User.Kind.CITIZEN:
        return bool(user.real_name and user.id_number)
    if user.kind == User.Kind.ENTERPRISE:
        return bool(user.real_name and user.enterprise_credit_code)
    return False


def comment_create(
    *, actor: User | None, article: Article, content: str, request: HttpRequest | None = None
) -> Comment:
    """A real-name user's comment on one article, only while the consultation is open."""
    if not is_real_name(actor):
        raise _deny(
            actor, "participation.comment.create", article.consultation, request, "请以实名认证的账号登录后发表意见。"
        )
    assert actor is not None
    content = _text(content, "content", "意见", code=ParticipationError.INVALID_COMMENT, max_length=3000)
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update().get(pk=article.consultation_id)
        if not consultation.is_open_on(workdays.today()):
            raise ApplicationError(ParticipationError.NOT_OPEN, "该意见征集不在征求意见期内。")
        recent = Comment.objects.filter(author=actor, created_at__gte=timezone.now() - timedelta(minutes=1)).count()
        if recent >= 10:
            raise ApplicationError(ParticipationError.INVALID_COMMENT, "提交过于频繁，请稍后再试。")
        comment = Comment(article=article, author=actor, content=content)
        _clean(comment)
        comment.save()
        record(
            actor=actor,
            action="participation.comment.create",
            target=comment,
            request=request,
            department=consultation.department,
            details={"consultation": consultation.pk, "article": article.heading},
        )
    return comment


# --- surveys -------------------------------------------------------------------------------

QUESTION_KINDS = {
    "单选": Question.Kind.SINGLE,
    "多选": Question.Kind.MULTIPLE,
    "文本": Question.Kind.TEXT,
    "量表": Question.Kind.SCALE,
}


def parse_questions(text: str) -> list[dict[str, Any]]:
    """Questions written one per line: `单选：题目 | 选项 | 选项`, `多选：…`, `文本：题目`,
    `量表：题目 | 1 | 5`; a trailing `（选答）` makes a question optional."""
    out: list[dict[str, Any]] = []
    problems: dict[str, str] = {}
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        head, _, rest = line.replace(":", "：", 1).partition("：")
        kind = QUESTION_KINDS.get(head.strip())
        parts = [p.strip() for p in rest.split("|")]
        if kind is None or not parts or not parts[0]:
            problems[f"第{number}行"] = "应以 单选/多选/文本/量表 加冒号开头，后接题目"
            continue
        question_text = parts[0]
        required = True
        if question_text.endswith("（选答）"):
            required = False
            question_text = question_text[: -len("（选答）")].strip()
        item: dict[str, Any] = {"kind": kind, "text": question_text[:500], "options": [], "required": required}
        if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            options = [p for p in parts[1:] if p]
            if len(options) < 2 or len(options) > 20 or len(set(options)) != len(options):
                problems[f"第{number}行"] = "选择题需要 2 至 20 个互不相同的选项，用 | 分隔"
                continue
            item["options"] = options
        elif kind == Question.Kind.SCALE:
            low, high = (parts[1], parts[2]) if len(parts) >= 3 else ("1", "5")
            if not (low.lstrip("-").isdigit() and high.lstrip("-").isdigit()) or not 0 <= int(low) < int(high) <= 10:
                problems[f"第{number}行"] = "量表范围应为 0 至 10 之间的两个整数，如 | 1 | 5"
                continue
            item["scale_min"], item["scale_max"] = int(low), int(high)
        out.append(item)
    if problems:
        raise ApplicationError(
            ParticipationError.INVALID_SURVEY,
            "题目格式有误：" + "；".join(f"{k}：{v}" for k, v in problems.items()),
            {"questions": "格式有误"},
        )
    if not out:
        raise ApplicationError(ParticipationError.INVALID_SURVEY, "请至少填写一道题目。", {"questions": "必填"})
    return out


def survey_create(
    *,
    actor: User | None,
    title: str,
    intro: str,
    questions: str,
    opens_on: date,
    closes_on: date,
    allow_anonymous: bool = False,
    results_public: bool = True,
    request: HttpRequest | None = None,
) -> Survey:
    department = actor.department if actor is not None else None
    if department is None or not _consultation_staff(actor, department.pk):
        raise _deny(actor, "participation.survey.create", None, request, "只有部门工作人员可以发起问卷调查。")
    assert actor is not None
    code = ParticipationError.INVALID_SURVEY
    title = _text(title, "title", "标题", code=code, max_length=200)
    parsed = parse_questions(questions)
    _period(opens_on, closes_on, code)
    with transaction.atomic():
        survey = Survey(
            title=title,
            intro=(intro or "").strip(),
            department=department,
            opens_on=opens_on,
            closes_on=closes_on,
            allow_anonymous=bool(allow_anonymous),
            results_public=bool(results_public),
            created_by=actor,
        )
        _clean(survey)
        survey.save()
        for position, item in enumerate(parsed, start=1):
            question = Question(survey=survey, position=position, **item)
            _clean(question)
            question.save()
        record(
            actor=actor,
            action="participation.survey.create",
            target=survey,
            request=request,
            details={"questions": len(parsed)},
        )
    return survey


def _survey_transition(
    actor: User | None, survey: Survey, verb: str, request: HttpRequest | None, to: str, frm: str
) -> Survey:
    if not _consultation_staff(actor, survey.department_id):
        raise _deny(actor, f"participation.survey.{verb}", survey, request, "您无权管理此问卷。")
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if locked.state != frm:
            raise _wrong_state(f"问卷当前为“{locked.get_state_display()}”，不能进行此操作。")
        locked.state = to
        if to == Survey.State.CLOSED:
            locked.closes_on = min(locked.closes_on, max(locked.opens_on, workdays.today()))
        _clean(locked)
        locked.save()
        record(
            actor=actor,
            action=f"participation.survey.{verb}",
            target=locked,
            request=request,
            department=locked.department,
        )
    survey.refresh_from_db()
    return locked


def survey_open(*, actor: User | None, survey: Survey, request: HttpRequest | None = None) -> Survey:
    return _survey_transition(actor, survey, "open", request, Survey.State.OPEN, Survey.State.DRAFT)


def survey_close(*, actor: User | None, survey: Survey, request: HttpRequest | None = None) -> Survey:
    return _survey_transition(actor, survey, "close", request, Survey.State.CLOSED, Survey.State.OPEN)


def _answer_for(question: Question, raw: Any) -> Answer | None:
    """Validate one raw answer (list of option indexes, text, or scale value); None when skipped."""
    code = ParticipationError.INVALID_ANSWER
    field = f"q{question.pk}"
    values = raw if isinstance(raw, list) else ([] if raw in (None, "") else [raw])
    values = [v for v in values if str(v).strip() != ""]
    if not values:
        if question.required:
            raise ApplicationError(code, f"第{question.position}题为必答题。", {field: "必答"})
        return None
    if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        try:
            indexes = sorted({int(v) for v in values})
        except (TypeError, ValueError):
            raise ApplicationError(code, f"第{question.position}题的选项无效。", {field: "无效"}) from None
        if any(not 0 <= i < len(question.options) for i in indexes) or (
            question.kind == Question.Kind.SINGLE and len(indexes) != 1
        ):
            raise ApplicationError(code, f"第{question.position}题的选项无效。", {field: "无效"})
        return Answer(question=question, choices=indexes)
    if question.kind == Question.Kind.SCALE:
        try:
            value = int(values[0])
        except (TypeError, ValueError):
            raise ApplicationError(code, f"第{question.position}题的分值无效。", {field: "无效"}) from None
        if not question.scale_min <= value <= question.scale_max:
            raise ApplicationError(code, f"第{question.position}题的分值超出范围。", {field: "超出范围"})
        return Answer(question=question, scale=value)
    text = str(values[0]).strip()
    if len(text) > 2000:
        raise ApplicationError(code, f"第{question.position}题的回答不能超过 2000 字。", {field: "过长"})
    return Answer(question=question, text=text)


def survey_answer(
    *,
    actor: User | None,
    survey: Survey,
    answers: dict[int, Any],
    session_key: str = "",
    ip: str = "",
    request: HttpRequest | None = None,
) -> Response:
    """Submit one questionnaire. A real-name user answers once. Where the survey allows anonymous
    answers, a visitor answers once per browser session and at most 3 times a day per IP address
    (only hashes of the session key and IP are stored)."""
    anonymous = actor is None or not actor.is_authenticated
    if anonymous and not survey.allow_anonymous:
        raise _deny(None, "participation.survey.answer", survey, request, "请以实名认证的账号登录后作答。")
    if not anonymous and not is_real_name(actor):
        raise _deny(actor, "participation.survey.answer", survey, request, "请以实名认证的账号登录后作答。")
    if anonymous and not session_key:
        raise ApplicationError(ParticipationError.INVALID_ANSWER, "浏览器未启用会话，无法匿名作答。")
    session_hash = blind_index(session_key, purpose=f"survey-session:{survey.pk}") if anonymous else ""
    ip_hash = blind_index(ip, purpose=f"survey-ip:{survey.pk}") if anonymous and ip else ""
    questions = list(survey.questions.all())
    built = [a for a in (_answer_for(q, answers.get(q.pk)) for q in questions) if a is not None]
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if not locked.is_open_on(workdays.today()):
            raise ApplicationError(ParticipationError.NOT_OPEN, "该问卷不在作答期内。")
        taken = (
            Response.objects.filter(survey=locked, session_hash=session_hash)
            if anonymous
            else Response.objects.filter(survey=locked, user=actor)
        )
        if taken.exists():
            raise ApplicationError(ParticipationError.ALREADY_ANSWERED, "您已提交过此问卷，每人限答一次。")
        if ip_hash:
            since = timezone.now() - timedelta(days=1)
            if (
                Response.objects.filter(survey=locked, ip_hash=ip_hash, created_at__gte=since).count()
                >= ANONYMOUS_PER_IP_PER_DAY
            ):
                raise ApplicationError(ParticipationError.ANONYMOUS_LIMIT, "该网络地址今日匿名作答次数已达上限。")
        response = Response(
            survey=locked, user=None if anonymous else actor, session_hash=session_hash, ip_hash=ip_hash
        )
        try:
            with transaction.atomic():
                response.save()
        except IntegrityError:
            raise ApplicationError(ParticipationError.ALREADY_ANSWERED, "您已提交过此问卷，每人限答一次。") from None
        for answer in built:
            answer.response = response
            answer.save()
        record(
            actor=None if anonymous else actor,
            action="participation.survey.answer",
            target=locked,
            request=request,
            department=locked.department,
            details={"response": response.pk, "anonymous": anonymous},
        )
    return response


# --- moderation ----------------------------------------------------------------------------


def flag_create(
    *,
    actor: User | None,
    reason: str,
    comment: Comment | None = None,
    letter: Letter | None = None,
    request: HttpRequest | None = None,
) -> Flag:
    """A logged-in user reports a public comment or published letter (once per user and item)."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise permission_denied("请登录后举报。")
    if (comment is None) == (letter is None):
        raise ApplicationError(ParticipationError.INVALID_FLAG, "请指明举报的内容。")
    if (comment is not None and comment.hidden_at is not None) or (letter is not None and not letter.is_public):
        raise ApplicationError(ParticipationError.INVALID_FLAG, "该内容未公开或已被屏蔽。")
    reason = _reason(reason, "举报理由")
    kind = Flag.Target.COMMENT if comment is not None else Flag.Target.LETTER
    flag = Flag(target_kind=kind, comment=comment, letter=letter, reporter=actor, reason=reason)
    _clean_flag(flag)
    try:
        with transaction.atomic():
            flag.save()
            record(
                actor=actor, action="participation.flag.create", target=flag, request=request, details={"kind": kind}
            )
    except IntegrityError:
        raise ApplicationError(ParticipationError.ALREADY_FLAGGED, "您已举报过该内容，请等待审核。") from None
    return flag


def _clean_flag(flag: Flag) -> None:
    try:
        flag.full_clean(validate_constraints=False)
    except ValidationError as error:
        raise from_validation_error(error) from None


def _hide(target: Comment | Letter, reason: str) -> None:
    target.hidden_at = timezone.now()
    target.hidden_reason = reason
    target.save(update_fields=["hidden_at", "hidden_reason"])


def content_hide(
    *,
    actor: User | None,
    reason: str,
    comment: Comment | None = None,
    letter: Letter | None = None,
    request: HttpRequest | None = None,
) -> None:
    """The e-gov office hides a comment or a published letter, with a reason; open reports on it
    are closed as upheld. Hidden content disappears from every public page."""
    target: Comment | Letter | None = comment if comment is not None else letter
    if actor is None or not actor.has_role(Role.EGOV_OFFICE):
        raise _deny(actor, "participation.content.hide", target, request, "只有电子政务主管可以屏蔽内容。")
    if target is None or (comment is not None and letter is not None):
        raise ApplicationError(ParticipationError.INVALID_FLAG, "请指明要屏蔽的内容。")
    reason = _reason(reason, "屏蔽理由")
    with transaction.atomic():
        locked: Comment | Letter = type(target).objects.select_for_update().get(pk=target.pk)
        if locked.hidden_at is not None:
            raise _wrong_state("该内容已屏蔽。")
        _hide(locked, reason)
        flags = Flag.objects.filter(state=Flag.State.OPEN, **{"comment" if comment is not None else "letter": locked})
        flags.update(state=Flag.State.HIDDEN, decided_by=actor, decided_at=timezone.now(), decision_reason=reason)
        record(
            actor=actor, action="participation.content.hide", target=locked, request=request, details={"reason": reason}
        )
    target.refresh_from_db()


def content_unhide(
    *,
    actor: User | None,
    reason: str,
    comment: Comment | None = None,
    letter: Letter | None = None,
    request: HttpRequest | None = None,
) -> None:
    target: Comment | Letter | None = comment if comment is not None else letter
    if actor is None or not actor.has_role(Role.EGOV_OFFICE):
        raise _deny(actor, "participation.content.unhide", target, request, "只有电子政务主管可以恢复内容。")
    if target is None:
        raise ApplicationError(ParticipationError.INVALID_FLAG, "请指明要恢复的内容。")
    reason = _reason(reason, "恢复理由")
    with transaction.atomic():
        locked: Comment | Letter = type(target).objects.select_for_update().get(pk=target.pk)
        if locked.hidden_at is None:
            raise _wrong_state("该内容未被屏蔽。")
        locked.hidden_at = None
        locked.hidden_reason = ""
        locked.save(update_fields=["hidden_at", "hidden_reason"])
        record(
            actor=actor,
            action="participation.content.unhide",
            target=locked,
            request=request,
            details={"reason": reason},
        )
    target.refresh_from_db()


def flag_dismiss(*, actor: User | None, flag: Flag, reason: str, request: HttpRequest | None = None) -> Flag:
    if actor is None or not actor.has_role(Role.EGOV_OFFICE):
        raise _deny(actor, "participation.flag.dismiss", flag, request, "只有电子政务主管可以处理举报。")
    reason = _reason(reason, "驳回理由")
    with transaction.atomic():
        locked = Flag.objects.select_for_update().get(pk=flag.pk)
        if locked.state != Flag.State.OPEN:
            raise _wrong_state("该举报已处理。")
        locked.state = Flag.State.DISMISSED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_reason = reason
        locked.save()
        record(
            actor=actor, action="participation.flag.dismiss", target=locked, request=request, details={"reason": reason}
        )
    flag.refresh_from_db()
    return locked


def letter_ratings_lapse(*, actor: User | None = None, today: date | None = None) -> int:
    """Close the rating period of letters whose writer did not rate in time (评价期满未评价).

    The rating clock is the writer's window, not the department's duty: when it runs out it is
    cancelled (not left red on the department's dashboard) and the letter keeps no rating. Run
    daily by `tasks.letters_rating_lapse_daily`. Returns the number of letters closed.
    """
    today = today or workdays.today()
    overdue = Timer.objects.filter(
        kind=rules.RATING,
        target_type=Letter._meta.label_lower,
        state__in=Timer.LIVE_STATES,
        deadline__lt=today,
    ).order_by("id")
    closed = 0
    for timer in overdue.iterator(chunk_size=200):
        with transaction.atomic():
            letter = Letter.objects.select_for_update().filter(pk=int(timer.target_id)).first()
            if letter is None or letter.rated_at is not None:
                continue
            timers.timer_cancel(actor=legacy_actor(actor), timer=timer, reason="评价期满，来信人未评价")
            _event(letter, "rating_lapse", "评价期满", actor, "来信人未在评价期内评价")
            _audit(actor, "rating_lapse", letter, None)
            closed += 1
    return closed
