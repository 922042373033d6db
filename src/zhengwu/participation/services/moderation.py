"""Moderation (内容审核): users report public comments and published letters; the e-gov office
hides them with a reason (open reports on them are then upheld), restores them, or dismisses a
report. Every write goes through `audited_write` (docs/design.md rules 1 and 5).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhengwu.accounts.models import Role
from zhengwu.audit.write import audited_write
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, clean
from zhengwu.participation.audit_actions import ParticipationAction as Action
from zhengwu.participation.errors import ParticipationError
from zhengwu.participation.models import Comment, Flag, Letter
from zhengwu.participation.services.common import reason_text
from zhengwu.participation.states import FLAG


def _is_moderator(actor: Actor) -> bool:
    return actor.is_staff and actor.has_role(Role.EGOV_OFFICE)


def flag_create(*, actor: Actor, reason: str, comment: Comment | None = None, letter: Letter | None = None) -> Flag:
    """A logged-in user reports a public comment or published letter (once per user and item)."""
    target: Comment | Letter | None = comment if comment is not None else letter
    with audited_write(actor, Action.FLAG_CREATE, target) as write:
        write.require(actor.user is not None and actor.user.is_active, "请登录后举报。")
        assert actor.user is not None
        if (comment is None) == (letter is None):
            raise ApplicationError(ParticipationError.INVALID_FLAG, "请指明举报的内容。")
        if (comment is not None and comment.hidden_at is not None) or (letter is not None and not letter.is_public):
            raise ApplicationError(ParticipationError.INVALID_FLAG, "该内容未公开或已被屏蔽。")
        reason = reason_text(reason, "举报理由")
        kind = Flag.Target.COMMENT if comment is not None else Flag.Target.LETTER
        flag = Flag(target_kind=kind, comment=comment, letter=letter, reporter=actor.user, reason=reason)
        already = ParticipationError.ALREADY_FLAGGED, "您已举报过该内容，请等待审核。"
        if Flag.objects.filter(reporter=actor.user, comment=comment, letter=letter).exists():
            raise ApplicationError(*already)
        clean(flag)
        try:
            with transaction.atomic():
                flag.save()
        except IntegrityError:  # reported twice at once
            raise ApplicationError(*already) from None
        write.set_target(flag)
        write.note(kind=kind)
    return flag


@contextmanager
def _moderation_write(
    actor: Actor, action: Action, comment: Comment | None, letter: Letter | None, verb: str, reason: str
) -> Iterator[tuple[Comment | Letter, str]]:
    """Hide or restore one comment or published letter: the e-gov office, with a reason."""
    target = comment if comment is not None else letter
    with audited_write(actor, action, target) as write:
        write.require(_is_moderator(actor), f"只有电子政务主管可以{verb}内容。")
        if target is None or (comment is not None and letter is not None):
            raise ApplicationError(ParticipationError.INVALID_FLAG, f"请指明要{verb}的内容。")
        reason = reason_text(reason, f"{verb}理由")
        yield write.lock(target), reason
        write.note(reason=reason)
    target.refresh_from_db()


def content_hide(*, actor: Actor, reason: str, comment: Comment | None = None, letter: Letter | None = None) -> None:
    """The e-gov office hides a comment or a published letter, with a reason; open reports on it
    are closed as upheld. Hidden content disappears from every public page."""
    with _moderation_write(actor, Action.CONTENT_HIDE, comment, letter, "屏蔽", reason) as (locked, reason):
        if locked.hidden_at is not None:
            raise ApplicationError(ParticipationError.WRONG_STATE, "该内容已屏蔽。")
        locked.hidden_at = timezone.now()
        locked.hidden_reason = reason
        locked.save(update_fields=["hidden_at", "hidden_reason"])
        flags = Flag.objects.filter(
            state__in=FLAG.sources_of("hide"), **{"comment" if comment is not None else "letter": locked}
        )
        flags.update(state=Flag.State.HIDDEN, decided_by=actor.user, decided_at=timezone.now(), decision_reason=reason)


def content_unhide(*, actor: Actor, reason: str, comment: Comment | None = None, letter: Letter | None = None) -> None:
    with _moderation_write(actor, Action.CONTENT_UNHIDE, comment, letter, "恢复", reason) as (locked, _reason):
        if locked.hidden_at is None:
            raise ApplicationError(ParticipationError.WRONG_STATE, "该内容未被屏蔽。")
        locked.hidden_at = None
        locked.hidden_reason = ""
        locked.save(update_fields=["hidden_at", "hidden_reason"])


def flag_dismiss(*, actor: Actor, flag: Flag, reason: str) -> Flag:
    with audited_write(actor, Action.FLAG_DISMISS, flag) as write:
        locked = write.lock(flag)
        write.require(_is_moderator(actor), "只有电子政务主管可以处理举报。")
        reason = reason_text(reason, "驳回理由")
        FLAG.move(locked, "dismiss")
        locked.decided_by = actor.user
        locked.decided_at = timezone.now()
        locked.decision_reason = reason
        locked.save()
        write.note(reason=reason)
    flag.refresh_from_db()
    return locked
