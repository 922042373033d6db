"""Writes of letters (来信): the 12345 cycle and its supervision timers.

Every service acts for an `Actor` through `audited_write` (docs/design.md rules 1 and 5): it locks
the letter, decides who may act on the locked row, moves the letter along `states.LETTER` (and its
extension request along `states.EXTENSION`), so of two staff acting on the same letter at once
exactly one succeeds; a refusal is recorded in the audit log and changes nothing else.

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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date

from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from zhengwu.accounts.models import ApiClient, Department, Role, User
from zhengwu.audit.write import Write, audited_write, record_refusal
from zhengwu.core import uploads as files
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.crypto import blind_index, blind_indexes, constant_time_equal, sm3_hex
from zhengwu.core.errors import ApplicationError, clean, permission_denied, required_text
from zhengwu.core.idnumbers import validate_resident_id
from zhengwu.core.uploads import Upload
from zhengwu.participation import rules
from zhengwu.participation.audit_actions import ParticipationAction as Action
from zhengwu.participation.errors import ParticipationError
from zhengwu.participation.models import Channel, Letter, LetterEvent, LetterKind, LetterPhoto, Rating
from zhengwu.participation.services.common import is_handler, is_office, reason_text
from zhengwu.participation.services.screening import hold, screen
from zhengwu.participation.states import EXTENSION, LETTER
from zhengwu.participation.text import letter_terms, mask_personal
from zhengwu.supervision import selectors as supervision_selectors
from zhengwu.supervision import services as timers
from zhengwu.supervision.models import Timer

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
SUBMIT_SCOPE = ApiClient.Scope.PARTICIPATION_SUBMIT
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
# Steps taken by the department the letter is dispatched to; the office takes the others.
_DEPARTMENT_STEPS = ("sign", "return", "reply", "extension_request")


# --- helpers ------------------------------------------------------------------------------


def code_hash(number: str, code: str) -> str:
    return blind_index(code, purpose=f"letter-code:{number}")


def code_matches(letter: Letter, code: str) -> bool:
    code = (code or "").strip().upper()
    # The code is not kept, so its hash stays under the data key it was made with: try each key.
    candidates = blind_indexes(code, purpose=f"letter-code:{letter.number}") if code else []
    return any(constant_time_equal(letter.code_hash, candidate) for candidate in candidates)


def office_department() -> Department | None:
    """The office that receives letters: the department of the first active e-gov office account."""
    user = (
        User.objects.filter(is_active=True, kind=User.Kind.STAFF, role_assignments__role=Role.EGOV_OFFICE)
        .exclude(department__isnull=True)
        .order_by("id")
        .first()
    )
    return user.department if user is not None else None


def _event(
    letter: Letter, action: str, label: str, actor: Actor, note: str = "", department: Department | None = None
) -> None:
    LetterEvent.objects.create(
        letter=letter,
        action=action,
        label=label,
        actor=actor.user,
        department=department or (letter.department if action in _DEPARTMENT_STEPS else letter.office),
        note=note[:1000],
    )


def _start(actor: Actor, letter: Letter, kind: str, department: Department, limit: int, unit: str = "") -> Timer:
    return timers.timer_start(
        actor=actor,
        kind=kind,
        kind_label=rules.LABELS[kind],
        target=letter,
        title=f"{letter.number} {letter.title}"[:200],
        department=department,
        limit=limit,
        unit=unit or Timer.Unit.WORKDAY,
        url=reverse("participation_wb:letter", args=[letter.pk]),
    )


@contextmanager
def _letter_write(
    actor: Actor, action: Action, letter: Letter, may: Callable[[Actor, Letter], bool], refusal: str
) -> Iterator[tuple[Write, Letter]]:
    """The audited write of one step on `letter`: locked, `may(actor, locked)` required; the event
    names the letter's number and new state and the department in charge of it now. The caller's
    `letter` is refreshed once the step is done."""
    with audited_write(actor, action, letter, department=letter.department or letter.office) as write:
        locked = write.lock(letter)
        write.require(may(actor, locked), refusal)
        yield write, locked
        write.department = locked.department or locked.office
        write.note(number=locked.number, state=locked.state)
    letter.refresh_from_db()


def _letter_text(value: str, field: str, what: str, max_length: int) -> str:
    return required_text(value, field=field, what=what, code=ParticipationError.INVALID_LETTER, max_length=max_length)


def _save(locked: Letter) -> None:
    clean(locked)
    locked.save()


# --- submission ---------------------------------------------------------------------------


def _may_submit(actor: Actor) -> bool:
    """A citizen or enterprise in person, or a department system holding the submit scope."""
    if actor.api_client is not None:
        return SUBMIT_SCOPE in actor.api_client.scopes
    return actor.is_person and not actor.is_staff


def require_submit_scope(actor: Actor) -> None:
    """Open311 asks first whether its client may submit at all: a refusal is audited and raises a
    permission error before the request is read."""
    if actor.api_client is not None and SUBMIT_SCOPE in actor.api_client.scopes:
        return
    error = permission_denied("该凭证未获得提交来信（participation:submit）的授权范围。")
    record_refusal(actor, Action.LETTER_SUBMIT, error)
    raise error


def letter_submit(
    *,
    actor: Actor,
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
    office: Department | None = None,
    photos: Sequence[Upload] = (),
) -> tuple[Letter, str]:
    """Register a letter and start its 24-hour receipt clock. Returns `(letter, verification code)`:
    the code is shown once to the writer (or the submitting system) and only its hash is kept.

    A person must be logged in (citizen or enterprise); a department system (Open311,
    `Actor.api`) holding the `participation:submit` scope submits for a writer who gives at least
    a name, a phone number or an e-mail address. Anonymous visitors and staff are refused.
    """
    verification = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
    for _attempt in range(8):
        number = f"XJ{workdays.today():%Y%m%d}{secrets.randbelow(10**6):06d}"
        try:
            with audited_write(actor, Action.LETTER_SUBMIT, department=office) as write:
                letter = _submit(
                    write, number, verification, channel, kind, title, content, consent_publish, writer_name,
                    writer_phone, writer_id_number, writer_address, writer_email, location, lat, long, office,
                )  # fmt: skip
                _attach_photos(letter, photos)
        except IntegrityError:
            if Letter.objects.filter(number=number).exists():
                continue  # the random number was taken: draw another
            raise
        return letter, verification
    raise ApplicationError(ParticipationError.INVALID_LETTER, "生成信件编号失败，请重试。")


PHOTO_TYPES = (files.JPEG, files.PNG, files.WEBP)


def _attach_photos(letter: Letter, photos: Sequence[Upload]) -> None:
    """Store the letter's photos, each checked by its content like service uploads (docs/rules.md §6)."""
    if len(photos) > rules.PHOTO_MAX_COUNT:
        raise ApplicationError(
            ParticipationError.INVALID_PHOTO,
            f"照片最多 {rules.PHOTO_MAX_COUNT} 张，您选择了 {len(photos)} 张。",
            {"photos": f"最多 {rules.PHOTO_MAX_COUNT} 张"},
        )
    for position, photo in enumerate(photos, start=1):
        name = files.safe_name(photo.name) or f"photo-{position}"
        checked = files.check_file(name, photo.content, PHOTO_TYPES, rules.PHOTO_MAX_BYTES, by_extension=False)
        if isinstance(checked, files.FileProblem):
            files.raise_problem(checked, ParticipationError.INVALID_PHOTO, f"照片 {position}（{name}）", "photos")
        LetterPhoto.objects.create(
            letter=letter,
            position=position,
            file_name=name,
            content_type=checked.content_type,
            size=len(photo.content),
            sm3=sm3_hex(photo.content),
            content=photo.content,
        )


def _submit(
    write: Write,
    number: str,
    verification: str,
    channel: str,
    kind: str,
    title: str,
    content: str,
    consent_publish: bool,
    writer_name: str,
    writer_phone: str,
    writer_id_number: str,
    writer_address: str,
    writer_email: str,
    location: str,
    lat: float | None,
    long: float | None,
    office: Department | None,
) -> Letter:
    actor = write.actor
    if actor.api_client is None:
        write.require(_may_submit(actor), "请以个人或法人账号登录后写信。")
    else:
        write.require(_may_submit(actor), "该凭证未获得提交来信（participation:submit）的授权范围。")
    code = ParticipationError.INVALID_LETTER
    if channel not in Channel.values:
        raise ApplicationError(code, "请选择来信渠道。", {"channel": "无效"})
    if kind not in LetterKind.values:
        raise ApplicationError(code, "请选择来信类别。", {"kind": "无效"})
    title = _letter_text(title, "title", "标题", 100)
    content = _letter_text(content, "content", "内容", 5000)
    writer_phone = (writer_phone or "").strip().replace(" ", "")
    writer_id_number = (writer_id_number or "").strip().upper()
    writer = actor.user if actor.api_client is None else None
    if writer is not None:
        writer_name = writer_name.strip() or writer.real_name
        writer_phone = writer_phone or writer.phone
        writer_id_number = writer_id_number or writer.id_number
    if writer_phone and not _PHONE.match(writer_phone):
        raise ApplicationError(code, "联系电话格式不正确。", {"writer_phone": "格式不正确"})
    if writer_id_number:
        try:
            validate_resident_id(writer_id_number)
        except ApplicationError as error:
            raise ApplicationError(code, error.message, {"writer_id_number": error.message}) from None
    if actor.api_client is not None and not (writer_name.strip() or writer_phone or writer_email.strip()):
        raise ApplicationError(code, "请提供来信人姓名、电话或电子邮箱之一。", {"writer_name": "必填"})
    if (lat is not None and not -90 <= lat <= 90) or (long is not None and not -180 <= long <= 180):
        raise ApplicationError(code, "经纬度超出范围。", {"lat": "超出范围"})
    office = office or office_department()
    if office is None:
        raise ApplicationError(ParticipationError.NO_OFFICE, "尚未设置受理单位（电子政务主管账号），暂不能受理来信。")
    letter = Letter(
        number=number,
        code_hash=code_hash(number, verification),
        channel=channel,
        kind=kind,
        title=title,
        content=content,
        terms=letter_terms(title, content),
        writer=writer,
        writer_name=writer_name.strip()[:64],
        writer_phone=writer_phone,
        writer_id_number=writer_id_number,
        writer_address=(writer_address or "").strip()[:200],
        writer_email=(writer_email or "").strip()[:200],
        consent_publish=bool(consent_publish),
        location=(location or "").strip()[:200],
        lat=lat,
        long=long,
        api_client=actor.api_client,
        open311_token=secrets.token_hex(16) if actor.api_client is not None else "",
        office=office,
    )
    _save(letter)
    write.set_target(letter)
    write.department = office
    write.note(number=number, channel=channel, kind=kind)
    _event(letter, "submit", "来信", actor, Channel(channel).label)
    _start(actor, letter, rules.RECEIPT, office, rules.deadline("receipt_minutes"), Timer.Unit.MINUTE)
    return letter


# --- the office (受理、派单、办结、回访) -----------------------------------------------------


def letter_accept(*, actor: Actor, letter: Letter) -> Letter:
    """受理: the office confirms receipt (finishes the 24-hour clock) and starts the dispatch clock."""
    with _letter_write(actor, Action.LETTER_ACCEPT, letter, is_office, "只有受理单位可以受理来信。") as (_, locked):
        _accept(actor, locked)
    return locked


def _accept(actor: Actor, locked: Letter) -> None:
    LETTER.move(locked, "accept")
    locked.accepted_at = timezone.now()
    _save(locked)
    timers.live_timer_finish(actor=actor, target=locked, kind=rules.RECEIPT)
    _start(actor, locked, rules.DISPATCH, locked.office, rules.deadline("dispatch_days"))
    _event(locked, "accept", "受理", actor)


def letter_refuse(*, actor: Actor, letter: Letter, reason: str) -> Letter:
    """不予受理 (no actual matter, abuse, already handled by a legal procedure …), with a reason."""
    with _letter_write(actor, Action.LETTER_REFUSE, letter, is_office, "只有受理单位可以处理。") as (write, locked):
        reason = reason_text(reason, "不予受理理由")
        LETTER.move(locked, "refuse")
        locked.refusal_reason = reason
        locked.accepted_at = locked.accepted_at or timezone.now()
        _save(locked)
        timers.live_timer_finish(actor=actor, target=locked, kind=rules.RECEIPT)
        timers.live_timer_cancel(actor=actor, target=locked, kind=rules.DISPATCH, reason="不予受理")
        _event(locked, "refuse", "不予受理", actor, reason)
        write.note(reason=reason)
    return locked


def letter_dispatch(*, actor: Actor, letter: Letter, department: Department, note: str = "") -> Letter:
    """派单: send the letter to the department that handles it (accepting it first if needed)."""
    with _letter_write(actor, Action.LETTER_DISPATCH, letter, is_office, "只有受理单位可以派单。") as (write, locked):
        if department is None or not department.is_active:
            raise ApplicationError(ParticipationError.INVALID_LETTER, "请选择承办单位。", {"department": "必填"})
        LETTER.check(locked, "dispatch")
        if LETTER.can(locked, "accept"):
            _accept(actor, locked)
        LETTER.move(locked, "dispatch")
        locked.department = department
        locked.dispatched_at = timezone.now()
        locked.dispatch_note = (note or "").strip()[:500]
        locked.signed_at = None
        if EXTENSION.can(locked, "clear"):
            EXTENSION.move(locked, "clear")
        locked.extension_days = 0
        locked.extension_reason = ""
        _save(locked)
        timers.live_timer_finish(actor=actor, target=locked, kind=rules.DISPATCH)
        _start(actor, locked, rules.SIGN, department, rules.deadline("sign_days"))
        _start(actor, locked, rules.HANDLING, department, rules.deadline("handling_days"))
        _event(locked, "dispatch", "派单", actor, f"派至{department.name}。{locked.dispatch_note}")
        write.note(department=department.name)
    return locked


def letter_complete(*, actor: Actor, letter: Letter, publish: bool = False) -> Letter:
    """办结: the office accepts the department's reply; the call-back and rating clocks start.
    With `publish` (and the writer's consent) the masked letter and reply are published."""
    with _letter_write(actor, Action.LETTER_COMPLETE, letter, is_office, "只有受理单位可以办结。") as (write, locked):
        LETTER.move(locked, "complete")
        if publish and not locked.consent_publish:
            raise ApplicationError(
                ParticipationError.NO_CONSENT, "来信人未同意公开，不能公开此信。", {"publish": "未同意"}
            )
        locked.completed_at = timezone.now()
        _save(locked)
        timers.live_timer_finish(actor=actor, target=locked, kind=rules.COMPLETION)
        assert locked.department is not None
        _start(actor, locked, rules.CALLBACK, locked.office, rules.deadline("callback_days"))
        _start(actor, locked, rules.RATING, locked.department, rules.deadline("rating_days"))
        _event(locked, "complete", "办结", actor)
        write.note(publish=publish)
        if publish:
            letter_publish(actor=actor, letter=locked)
    return locked


def _publish(write: Write, actor: Actor, locked: Letter) -> None:
    names = [locked.writer_name]
    if locked.writer is not None:
        names.append(locked.writer.real_name)
    addresses = [locked.writer_address]
    locked.public_title = mask_personal(locked.title, names=names, addresses=addresses)[:100]
    locked.public_content = mask_personal(locked.content, names=names, addresses=addresses)
    locked.public_reply = mask_personal(locked.reply, names=names, addresses=addresses)
    locked.published_at = timezone.now()
    hits = screen(locked.public_title, locked.public_content, locked.public_reply)
    if hits:  # held for moderation instead of shown (docs/rules.md §17)
        hold(write, locked, hits)
    _save(locked)
    _event(locked, "publish", "公开" if not hits else "公开（命中敏感词，待审核）", actor)


def letter_publish(*, actor: Actor, letter: Letter) -> Letter:
    """Publish a completed letter with its reply, personal data masked; only with the writer's consent."""
    with _letter_write(actor, Action.LETTER_PUBLISH, letter, is_office, "只有受理单位可以公开来信。") as (
        write,
        locked,
    ):
        LETTER.check(locked, "publish")
        if not locked.consent_publish:
            raise ApplicationError(ParticipationError.NO_CONSENT, "来信人未同意公开，不能公开此信。")
        if locked.published_at is not None:
            raise ApplicationError(ParticipationError.WRONG_STATE, "该来信已公开。")
        _publish(write, actor, locked)
    return locked


def letter_reopen(*, actor: Actor, letter: Letter, reason: str) -> Letter:
    """退回重办: the office finds the reply insufficient; the department gets a new handling period."""
    with _letter_write(actor, Action.LETTER_REOPEN, letter, is_office, "只有受理单位可以退回重办。") as (write, locked):
        reason = reason_text(reason, "退回重办理由")
        LETTER.move(locked, "reopen")
        assert locked.department is not None
        locked.reopen_count += 1
        if EXTENSION.can(locked, "clear"):
            EXTENSION.move(locked, "clear")
        _save(locked)
        timers.live_timer_cancel(actor=actor, target=locked, kind=rules.COMPLETION, reason="退回重办")
        _start(actor, locked, rules.HANDLING, locked.department, rules.deadline("handling_days"))
        _event(locked, "reopen", "退回重办", actor, reason)
        write.note(reason=reason)
    return locked


def letter_callback(*, actor: Actor, letter: Letter, note: str) -> Letter:
    """回访: the office records what the writer said when called back."""
    with _letter_write(actor, Action.LETTER_CALLBACK, letter, is_office, "只有受理单位可以回访。") as (_, locked):
        note = _letter_text(note, "note", "回访情况", 1000)
        LETTER.move(locked, "callback")
        locked.callback_at = timezone.now()
        locked.callback_note = note
        _save(locked)
        timers.live_timer_finish(actor=actor, target=locked, kind=rules.CALLBACK)
        _event(locked, "callback", "回访", actor, note)
    return locked


def letter_extension_decide(*, actor: Actor, letter: Letter, approve: bool, reason: str = "") -> Letter:
    """The office approves (the handling clock is extended once) or refuses a requested extension."""
    action = Action.LETTER_EXTENSION_DECIDE
    with _letter_write(actor, action, letter, is_office, "只有受理单位可以审批延期。") as (write, locked):
        LETTER.check(locked, "extension")
        if not EXTENSION.can(locked, "approve"):
            raise ApplicationError(ParticipationError.WRONG_STATE, "没有待审批的延期申请。")
        if approve:
            timer = timers.live_timer(locked, rules.HANDLING)
            if timer is None:
                raise ApplicationError(ParticipationError.WRONG_STATE, "办理计时已结束，不能延期。")
            timers.timer_extend(actor=actor, timer=timer, days=locked.extension_days, reason=locked.extension_reason)
            EXTENSION.move(locked, "approve")
        else:
            reason = reason_text(reason, "不批准理由")
            EXTENSION.move(locked, "refuse")
        _save(locked)
        _event(locked, "extension_decide", "批准延期" if approve else "不批准延期", actor, reason)
        write.note(approve=approve, days=locked.extension_days)
    return locked


# --- the department (签收、退回、延期、答复) ------------------------------------------------


def letter_sign(*, actor: Actor, letter: Letter) -> Letter:
    """签收: the department takes the letter on (it can no longer send it back as misrouted)."""
    with _letter_write(actor, Action.LETTER_SIGN, letter, is_handler, "只有承办单位可以签收。") as (_, locked):
        LETTER.move(locked, "sign")
        locked.signed_at = timezone.now()
        _save(locked)
        timers.live_timer_finish(actor=actor, target=locked, kind=rules.SIGN)
        _event(locked, "sign", "签收", actor)
    return locked


def letter_return(*, actor: Actor, letter: Letter, reason: str) -> Letter:
    """退回 (错派): within 2 working days of dispatch (`ZHENGWU_LETTER_RETURN_DAYS`), before
    signing, the department sends the letter back to the office for re-dispatch, with a reason."""
    with _letter_write(actor, Action.LETTER_RETURN, letter, is_handler, "只有承办单位可以退回。") as (write, locked):
        reason = reason_text(reason, "退回理由")
        LETTER.check(locked, "return")
        sign = timers.live_timer(locked, rules.SIGN)
        if sign is None or sign.is_overdue():
            raise ApplicationError(
                ParticipationError.RETURN_TOO_LATE,
                f"错派来信应在派单后 {rules.deadline('sign_days')} 个工作日内退回，已超过期限，请办理。",
            )
        department = locked.department
        timers.timer_finish(actor=actor, timer=sign)
        timers.live_timer_cancel(actor=actor, target=locked, kind=rules.HANDLING, reason="错派退回")
        LETTER.move(locked, "return")
        locked.department = None
        locked.return_count += 1
        locked.return_reason = reason
        _save(locked)
        _start(actor, locked, rules.DISPATCH, locked.office, rules.deadline("dispatch_days"))
        _event(locked, "return", "退回", actor, reason, department=department)
        write.note(reason=reason, department=department.name if department else "")
    return locked


def letter_extension_request(*, actor: Actor, letter: Letter, days: int, reason: str) -> Letter:
    """申请延期: once per letter, at most 10 working days (docs/rules.md §6; `ZHENGWU_LETTER_EXTENSION_DAYS`),
    approved by the office."""
    action = Action.LETTER_EXTENSION_REQUEST
    with _letter_write(actor, action, letter, is_handler, "只有承办单位可以申请延期。") as (write, locked):
        reason = reason_text(reason, "延期理由")
        maximum = rules.deadline("extension_max_days")
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= maximum:
            raise ApplicationError(
                ParticipationError.INVALID_EXTENSION, f"延期天数应为 1 至 {maximum} 个工作日。", {"days": "超出范围"}
            )
        LETTER.check(locked, "extension")
        timer = timers.live_timer(locked, rules.HANDLING)
        if not EXTENSION.can(locked, "request") or (timer is not None and timer.extension_count):
            raise ApplicationError(ParticipationError.ALREADY_EXTENDED, "每件来信只能延期一次。", {"days": "已申请"})
        if timer is None or timer.is_overdue():
            raise ApplicationError(ParticipationError.INVALID_EXTENSION, "办理已超期，不能申请延期。")
        EXTENSION.move(locked, "request")
        locked.extension_days = days
        locked.extension_reason = reason
        _save(locked)
        _event(locked, "extension_request", "申请延期", actor, f"{days} 个工作日：{reason}")
        write.note(days=days)
    return locked


def letter_reply(*, actor: Actor, letter: Letter, reply: str) -> Letter:
    """答复: the department answers the writer; the office then reviews and completes."""
    with _letter_write(actor, Action.LETTER_REPLY, letter, is_handler, "只有承办单位可以答复。") as (_, locked):
        reply = _letter_text(reply, "reply", "答复意见", 10000)
        LETTER.move(locked, "reply")
        locked.reply = reply
        locked.replied_at = timezone.now()
        locked.replied_by = actor.user
        locked.signed_at = locked.signed_at or locked.replied_at
        if EXTENSION.can(locked, "withdraw"):
            EXTENSION.move(locked, "withdraw")
        _save(locked)
        timers.live_timer_finish(actor=actor, target=locked, kind=rules.SIGN)
        timers.live_timer_finish(actor=actor, target=locked, kind=rules.HANDLING)
        _start(actor, locked, rules.COMPLETION, locked.office, rules.deadline("completion_days"))
        _event(locked, "reply", "答复", actor)
    return locked


# --- the writer ---------------------------------------------------------------------------


def letter_rate(*, actor: Actor, letter: Letter, rating: str, comment: str = "", code: str = "") -> Letter:
    """评价: the writer (by account, or anyone holding the letter's verification code) rates once."""

    def writer(actor: Actor, locked: Letter) -> bool:
        return actor.is_user(locked.writer_id) or code_matches(locked, code)

    with _letter_write(actor, Action.LETTER_RATE, letter, writer, "只有来信人可以评价。") as (write, locked):
        if rating not in Rating.values:
            raise ApplicationError(ParticipationError.INVALID_RATING, "请选择评价等级。", {"rating": "必选"})
        comment = (comment or "").strip()
        if len(comment) > 500:
            raise ApplicationError(
                ParticipationError.INVALID_RATING, "评价意见不能超过 500 字。", {"comment": "不能超过 500 字"}
            )
        if locked.rated_at is not None:
            raise ApplicationError(ParticipationError.ALREADY_RATED, "该来信已评价（一事一评）。")
        LETTER.check(locked, "rate")
        window = supervision_selectors.timer_for(locked, rules.RATING)
        if window is not None and window.state == Timer.State.CANCELLED:
            raise ApplicationError(ParticipationError.WRONG_STATE, "评价期已结束，不能再评价。")
        locked.rating = rating
        locked.rating_comment = comment
        locked.rated_at = timezone.now()
        _save(locked)
        timers.live_timer_finish(actor=actor, target=locked, kind=rules.RATING)
        _event(locked, "rate", "评价", actor, Rating(rating).label)
        if locked.is_bad_rating and LETTER.can(locked, "bad_rating_callback"):
            # Every bad review gets a call-back (国办发〔2019〕51号): back to the office's call-back step.
            LETTER.move(locked, "bad_rating_callback")
            locked.save(update_fields=["state", "updated_at"])
            _start(actor, locked, rules.CALLBACK, locked.office, rules.deadline("callback_days"))
            _event(locked, "bad_rating_callback", "差评回访", actor)
        write.note(rating=rating)
    return locked


# --- the platform -------------------------------------------------------------------------


def letter_ratings_lapse(*, actor: Actor, today: date | None = None) -> int:
    """Close the rating period of letters whose writer did not rate in time (评价期满未评价).

    The rating clock is the writer's window, not the department's duty: when it runs out it is
    cancelled (not left red on the department's dashboard) and the letter keeps no rating. Run
    daily by `tasks.letters_rating_lapse_daily` as the platform. Returns the number of letters closed.
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
        letter = Letter.objects.filter(pk=int(timer.target_id), rated_at__isnull=True).first()
        if letter is None:
            continue
        try:
            _lapse(actor, letter, timer)
        except ApplicationError:
            continue  # rated (or the clock closed) meanwhile: the refusal is on record
        closed += 1
    return closed


def _platform(actor: Actor, letter: Letter) -> bool:
    return actor.is_platform


def _lapse(actor: Actor, letter: Letter, timer: Timer) -> None:
    action = Action.LETTER_RATING_LAPSE
    with _letter_write(actor, action, letter, _platform, "评价期满只能由平台关闭。") as (_, locked):
        if locked.rated_at is not None:
            raise ApplicationError(ParticipationError.ALREADY_RATED, "该来信已评价（一事一评）。")
        timers.timer_cancel(actor=actor, timer=timer, reason="评价期满，来信人未评价")
        _event(locked, "rating_lapse", "评价期满", actor, "来信人未在评价期内评价")
