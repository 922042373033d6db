"""Writes of consultations (征求意见): drafts split into articles, comments by real-name users in
the open period, adoption per comment, the published summary.

A department's clerks and leaders (and the e-gov office) manage its consultations; every write
goes through `audited_write`, deciding on the locked row (docs/design.md rules 1 and 5).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.utils import timezone

from zhengwu.audit.write import audited_write
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, clean, required_text
from zhengwu.participation.audit_actions import ParticipationAction as Action
from zhengwu.participation.errors import ParticipationError
from zhengwu.participation.models import Article, Comment, Consultation
from zhengwu.participation.services.common import department_write, is_content_staff, is_real_name
from zhengwu.participation.services.screening import hold, screen
from zhengwu.participation.states import CONSULTATION
from zhengwu.participation.text import split_articles

COMMENTS_PER_MINUTE = 10


def consultation_create(
    *, actor: Actor, title: str, intro: str, draft: str, opens_on: date, closes_on: date
) -> Consultation:
    """A draft for comment, split into its articles (第N条; paragraphs when it has none)."""
    code = ParticipationError.INVALID_CONSULTATION
    with department_write(actor, Action.CONSULTATION_CREATE, "只有部门工作人员可以发起意见征集。", title, code) as new:
        articles = split_articles(draft)
        if not articles:
            raise ApplicationError(code, "请填写征求意见稿正文。", {"draft": "必填"})
        if len(articles) > 500:
            raise ApplicationError(code, "征求意见稿条文过多（最多 500 条）。", {"draft": "不能超过 500 条"})
        consultation = new.open_item(Consultation, intro=intro, opens_on=opens_on, closes_on=closes_on, code=code)
        clean(consultation)
        consultation.save()
        for position, (heading, text) in enumerate(articles, start=1):
            article = Article(consultation=consultation, position=position, heading=heading, text=text)
            clean(article)
            article.save()
        new.write.set_target(consultation)
        new.write.note(articles=len(articles))
    return consultation


def _consultation_move(
    actor: Actor, consultation: Consultation, action: Action, change: Callable[[Consultation], None]
) -> Consultation:
    with audited_write(actor, action, consultation) as write:
        locked = write.lock(consultation)
        write.require(is_content_staff(actor, locked.department_id), "您无权管理此意见征集。")
        change(locked)
        clean(locked)
        locked.save()
        write.note(state=locked.state)
    consultation.refresh_from_db()
    return locked


def consultation_publish(*, actor: Actor, consultation: Consultation) -> Consultation:
    def change(c: Consultation) -> None:
        CONSULTATION.move(c, "publish")
        if c.closes_on < workdays.today():
            raise ApplicationError(ParticipationError.INVALID_CONSULTATION, "截止日期已过，请修改后再发布。")
        c.published_at = timezone.now()

    return _consultation_move(actor, consultation, Action.CONSULTATION_PUBLISH, change)


def consultation_close(*, actor: Actor, consultation: Consultation) -> Consultation:
    """End the comment period now (it also ends by itself after `closes_on`)."""

    def change(c: Consultation) -> None:
        CONSULTATION.move(c, "close")
        c.closed_at = timezone.now()
        c.closes_on = min(c.closes_on, max(c.opens_on, workdays.today()))

    return _consultation_move(actor, consultation, Action.CONSULTATION_CLOSE, change)


def consultation_publish_summary(*, actor: Actor, consultation: Consultation, summary: str) -> Consultation:
    """Publish 采纳情况: the overall account, beside each comment's decision. Only after closing,
    and only when every visible comment has a decision."""

    def change(c: Consultation) -> None:
        text = required_text(
            summary,
            field="summary",
            what="采纳情况说明",
            code=ParticipationError.INVALID_CONSULTATION,
            max_length=20000,
        )
        if c.state == Consultation.State.PUBLISHED and c.closes_on >= workdays.today():
            raise ApplicationError(ParticipationError.WRONG_STATE, "征求意见结束后才能公布采纳情况。")
        CONSULTATION.check(c, "publish_summary")
        if c.summary_published_at is not None:
            raise ApplicationError(ParticipationError.WRONG_STATE, "采纳情况已公布。")
        pending = Comment.objects.filter(article__consultation=c, hidden_at__isnull=True, adoption="").count()
        if pending:
            raise ApplicationError(
                ParticipationError.INVALID_CONSULTATION, f"还有 {pending} 条意见未处理，请先逐条填写采纳情况。"
            )
        CONSULTATION.move(c, "publish_summary")
        c.closed_at = c.closed_at or timezone.now()
        c.summary = text
        c.summary_published_at = timezone.now()

    return _consultation_move(actor, consultation, Action.CONSULTATION_PUBLISH_SUMMARY, change)


def comment_decide(*, actor: Actor, comment: Comment, adoption: str, reason: str) -> Comment:
    """Record whether a comment was adopted, and why (采纳情况, per comment)."""
    with audited_write(actor, Action.COMMENT_DECIDE, comment) as write:
        locked = write.lock(comment)
        consultation = Consultation.objects.get(pk=locked.article.consultation_id)
        write.department = consultation.department
        write.require(is_content_staff(actor, consultation.department_id), "您无权处理此意见。")
        if adoption not in (Comment.Adoption.ADOPTED, Comment.Adoption.PARTLY, Comment.Adoption.NOT_ADOPTED):
            raise ApplicationError(ParticipationError.INVALID_COMMENT, "请选择采纳情况。", {"adoption": "必选"})
        reason = (reason or "").strip()
        if adoption != Comment.Adoption.ADOPTED and not reason:
            raise ApplicationError(
                ParticipationError.REASON_REQUIRED, "未采纳或部分采纳须说明理由。", {"reason": "必填"}
            )
        if consultation.summary_published_at is not None:
            raise ApplicationError(ParticipationError.WRONG_STATE, "采纳情况已公布，不能再修改。")
        locked.adoption = adoption
        locked.adoption_reason = reason[:1000]
        clean(locked)
        locked.save()
        write.note(adoption=adoption)
    comment.refresh_from_db()
    return locked


def comment_create(*, actor: Actor, article: Article, content: str) -> Comment:
    """A real-name user's comment on one article, only while the consultation is open."""
    with audited_write(actor, Action.COMMENT_CREATE, article.consultation) as write:
        consultation = write.lock(article.consultation)
        write.require(is_real_name(actor), "请以实名认证的账号登录后发表意见。")
        assert actor.user is not None
        content = required_text(
            content, field="content", what="意见", code=ParticipationError.INVALID_COMMENT, max_length=3000
        )
        if not consultation.is_open_on(workdays.today()):
            raise ApplicationError(ParticipationError.NOT_OPEN, "该意见征集不在征求意见期内。")
        since = timezone.now() - timedelta(minutes=1)
        if Comment.objects.filter(author=actor.user, created_at__gte=since).count() >= COMMENTS_PER_MINUTE:
            raise ApplicationError(ParticipationError.INVALID_COMMENT, "提交过于频繁，请稍后再试。")
        comment = Comment(article=article, author=actor.user, content=content)
        hits = screen(content)
        if hits:  # held for moderation instead of shown (docs/rules.md §17)
            hold(write, comment, hits)
        clean(comment)
        comment.save()
        write.set_target(comment)
        write.department = consultation.department
        write.note(consultation=consultation.pk, article=article.heading)
    return comment
