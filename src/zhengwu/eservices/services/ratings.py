"""好差评: one rating per finished case (一事一评); a bad rating opens a rectification (差评整改).

Deadline `eservices.rectification` (差评整改时限): 15 working days by default
(`settings.ZHENGWU_RECTIFICATION_DAYS`), paused while an appeal is open.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from zhengwu.accounts.models import Role
from zhengwu.audit.write import Write, audited_write
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, clean
from zhengwu.eservices import notify
from zhengwu.eservices.audit_actions import EservicesAction
from zhengwu.eservices.errors import EservicesError
from zhengwu.eservices.models import Application, Rating, RatingLevel, Rectification
from zhengwu.eservices.services.common import (
    TIMER_RECTIFICATION,
    event,
    lock_application,
    reason_text,
    rectification_days,
    require_applicant,
    require_handler,
    start_clock,
)
from zhengwu.eservices.states import APPLICATION_STATES, RECTIFICATION_STATES
from zhengwu.supervision import services as timers

BAD_LEVELS = (RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED)
SCORES = ("level", "overall", "efficiency", "guide_accuracy", "convenience", "usability")


@dataclass
class RatingData:
    level: int
    overall: int
    efficiency: int
    guide_accuracy: int
    convenience: int
    usability: int
    comment: str = ""


def rating_create(*, actor: Actor, application: Application, data: RatingData) -> Rating:
    """一事一评 by the applicant after the case ended; a bad rating opens a rectification with its clock."""
    with audited_write(actor, EservicesAction.RATING_CREATE, application) as write:
        locked = lock_application(write, application)
        applicant = require_applicant(write, locked)
        APPLICATION_STATES.check(locked, "rate")
        if Rating.objects.filter(application=locked).exists():
            raise ApplicationError(EservicesError.ALREADY_RATED, "该办件已评价过，一事一评。", status=409)
        for name in SCORES:
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
            comment=comment,
            **{name: getattr(data, name) for name in SCORES},
        )
        clean(rating)
        rating.save()
        write.set_target(rating)
        event(locked, applicant, "rate", f"申请人评价：{rating.get_level_display()}")
        rectification = None
        if rating.is_bad:
            rectification = Rectification.objects.create(rating=rating, department=locked.department)
            url = reverse("eservices_wb:rating", args=[rectification.pk])
            title = f"{locked.number} 差评整改"
            days = rectification_days()
            start_clock(write, TIMER_RECTIFICATION, rectification, title, locked.department, days, url=url)
            notify.staff(
                locked.department,
                locked,
                f"办件 {locked.number} 收到差评，请在 {days} 个工作日内回访整改。",
            )
        write.note(application=locked.number, level=rating.level, rectification=rectification is not None)
    return rating


def _lock(write: Write, rectification: Rectification) -> Rectification:
    return write.lock(rectification, "rating__application", "department")


def rectification_complete(*, actor: Actor, rectification: Rectification, response: str) -> Rectification:
    """The department reports its call-back and rectification; the clock stops."""
    with audited_write(actor, EservicesAction.RECTIFICATION_COMPLETE, rectification) as write:
        response = reason_text(response, "回访与整改情况", "response")
        locked = _lock(write, rectification)
        require_handler(write, locked.department)
        RECTIFICATION_STATES.move(locked, "complete")
        locked.response = response
        locked.handled_by = actor.user
        locked.closed_at = timezone.now()
        locked.save(update_fields=["state", "response", "handled_by", "closed_at"])
        timers.live_timer_finish(actor=actor, target=locked, kind=TIMER_RECTIFICATION)
        application = locked.rating.application
        notify.send(
            application.applicant,
            application,
            f"您对办件 {application.number} 的评价已回访整改：{response[:200]}",
        )
    rectification.refresh_from_db()
    return locked


def rectification_appeal(*, actor: Actor, rectification: Rectification, reason: str) -> Rectification:
    """The department appeals a rating it thinks wrong (恶意差评、与本部门无关 …); the clock pauses."""
    with audited_write(actor, EservicesAction.RECTIFICATION_APPEAL, rectification) as write:
        reason = reason_text(reason, "申诉理由")
        locked = _lock(write, rectification)
        require_handler(write, locked.department)
        RECTIFICATION_STATES.move(locked, "appeal")
        locked.appeal_reason = reason
        locked.handled_by = actor.user
        locked.save(update_fields=["state", "appeal_reason", "handled_by"])
        timers.live_timer_pause(actor=actor, target=locked, kind=TIMER_RECTIFICATION, reason="差评申诉审核")
        write.note(reason=reason)
    return locked


def rectification_decide_appeal(
    *, actor: Actor, rectification: Rectification, upheld: bool, comment: str
) -> Rectification:
    """A supervisor decides an appeal: upheld → the rating leaves the statistics and the case closes;
    rejected → back to rectification, the clock runs again."""
    with audited_write(actor, EservicesAction.RECTIFICATION_DECIDE_APPEAL, rectification) as write:
        write.require(actor.is_platform or actor.has_role(Role.SUPERVISOR), "只有电子监察人员可以审核差评申诉。")
        comment = reason_text(comment, "审核意见", "comment")
        locked = _lock(write, rectification)
        RECTIFICATION_STATES.move(locked, "uphold" if upheld else "reject_appeal")
        locked.appeal_decision = comment
        if upheld:
            locked.closed_at = timezone.now()
            Rating.objects.filter(pk=locked.rating_id).update(excluded=True)
            timers.live_timer_cancel(actor=actor, target=locked, kind=TIMER_RECTIFICATION, reason="申诉成立")
        else:
            timers.live_timer_resume(actor=actor, target=locked, kind=TIMER_RECTIFICATION)
        locked.save(update_fields=["state", "appeal_decision", "closed_at"])
        write.note(upheld=upheld, comment=comment)
    return locked
