"""Consultations (征求意见): draft split into articles, comments in the open period by real-name
users, close, adoption per comment, published summary."""

from __future__ import annotations

from datetime import timedelta

import pytest

from zhengwu.accounts.models import User
from zhengwu.audit.models import AuditEvent
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.participation import selectors, services
from zhengwu.participation.models import Comment, Consultation
from zhengwu.participation.tests.conftest import acting
from zhengwu.participation.text import split_articles

pytestmark = pytest.mark.django_db

DRAFT = """为规范市场主体登记，制定本办法。
第一条 为了规范个体工商户登记管理，制定本办法。
第二条 个体工商户可以通过网上办理登记。
第三条 本办法自发布之日起施行。"""


@pytest.fixture
def consultation(market_clerk: User) -> Consultation:
    today = workdays.today()
    item = services.consultation_create(
        actor=Actor.person(market_clerk),
        title="个体工商户登记管理办法（征求意见稿）",
        intro="起草说明",
        draft=DRAFT,
        opens_on=today,
        closes_on=today + timedelta(days=30),
    )
    return services.consultation_publish(actor=Actor.person(market_clerk), consultation=item)


def test_draft_is_split_into_articles() -> None:
    assert [h for h, _ in split_articles(DRAFT)] == ["说明", "第一条", "第二条", "第三条"]
    assert split_articles("第一段\n\n第二段") == [("第1段", "第一段"), ("第2段", "第二段")]
    assert split_articles("  ") == []


def test_real_name_comment_in_open_period(consultation: Consultation, citizen: User) -> None:
    article = consultation.articles.get(heading="第二条")
    comment = services.comment_create(
        actor=Actor.person(citizen), article=article, content="建议明确网上办理的具体时限。"
    )
    assert comment.author_display == "张*"
    assert list(selectors.visible_comments(consultation)) == [comment]


def test_comment_refused_for_outsider_without_real_name_staff_and_outside_period(
    consultation: Consultation, outsider: User, market_clerk: User, citizen: User
) -> None:
    article = consultation.articles.first()
    assert article is not None
    for person in (outsider, market_clerk, None):  # outsider has no ID number: not real-name
        with pytest.raises(ApplicationError) as error:
            services.comment_create(actor=acting(person), article=article, content="意见")
        assert error.value.code == "core.permission_denied"
    assert AuditEvent.objects.filter(action="participation.comment.create", outcome="denied").count() == 3
    consultation.closes_on = workdays.today() - timedelta(days=1)
    consultation.opens_on = consultation.closes_on - timedelta(days=10)
    consultation.save()
    with pytest.raises(ApplicationError) as closed:
        services.comment_create(actor=Actor.person(citizen), article=article, content="意见")
    assert closed.value.code == "participation.not_open"
    assert Comment.objects.count() == 0


def test_draft_is_not_open_and_other_departments_cannot_manage(
    market_clerk: User, police_clerk: User, citizen: User
) -> None:
    today = workdays.today()
    item = services.consultation_create(
        actor=Actor.person(market_clerk), title="草稿", intro="", draft=DRAFT, opens_on=today, closes_on=today
    )
    article = item.articles.first()
    assert article is not None
    with pytest.raises(ApplicationError):
        services.comment_create(actor=Actor.person(citizen), article=article, content="意见")
    with pytest.raises(ApplicationError) as error:
        services.consultation_publish(actor=Actor.person(police_clerk), consultation=item)
    assert error.value.code == "core.permission_denied"
    item.refresh_from_db()
    assert item.state == Consultation.State.DRAFT
    with pytest.raises(ApplicationError):
        services.consultation_create(
            actor=Actor.person(citizen), title="x", intro="", draft=DRAFT, opens_on=today, closes_on=today
        )
    with pytest.raises(ApplicationError) as order:
        services.consultation_create(
            actor=Actor.person(market_clerk),
            title="x",
            intro="",
            draft=DRAFT,
            opens_on=today,
            closes_on=today - timedelta(days=1),
        )
    assert order.value.code == "participation.invalid_consultation"


def test_close_decide_and_publish_summary(
    consultation: Consultation, citizen: User, market_clerk: User, police_clerk: User
) -> None:
    article = consultation.articles.get(heading="第二条")
    comment = services.comment_create(actor=Actor.person(citizen), article=article, content="建议明确办理时限。")
    with pytest.raises(ApplicationError):  # still open
        services.consultation_publish_summary(
            actor=Actor.person(market_clerk), consultation=consultation, summary="采纳情况"
        )
    services.consultation_close(actor=Actor.person(market_clerk), consultation=consultation)
    with pytest.raises(ApplicationError) as pending:
        services.consultation_publish_summary(
            actor=Actor.person(market_clerk), consultation=consultation, summary="采纳情况"
        )
    assert "未处理" in pending.value.message
    with pytest.raises(ApplicationError) as no_reason:
        services.comment_decide(actor=Actor.person(market_clerk), comment=comment, adoption="not_adopted", reason="")
    assert no_reason.value.code == "participation.reason_required"
    with pytest.raises(ApplicationError):
        services.comment_decide(actor=Actor.person(police_clerk), comment=comment, adoption="adopted", reason="")
    services.comment_decide(
        actor=Actor.person(market_clerk), comment=comment, adoption="adopted", reason="已在第二条增加时限"
    )
    services.consultation_publish_summary(
        actor=Actor.person(market_clerk), consultation=consultation, summary="共收到意见 1 条，采纳 1 条。"
    )
    consultation.refresh_from_db()
    assert consultation.summary_published_at is not None and consultation.state == Consultation.State.CLOSED
    with pytest.raises(ApplicationError):  # decisions are final once published
        services.comment_decide(
            actor=Actor.person(market_clerk), comment=comment, adoption="not_adopted", reason="改变主意"
        )


def test_public_search_finds_published_consultations_only(consultation: Consultation, market_clerk: User) -> None:
    today = workdays.today()
    services.consultation_create(
        actor=Actor.person(market_clerk),
        title="未发布的工商草稿",
        intro="",
        draft=DRAFT,
        opens_on=today,
        closes_on=today,
    )
    hits = selectors.public_search("个体工商户")
    assert [h.title for h in hits] == [consultation.title]
