"""Moderation: users flag, the e-gov office hides (with an audited reason); hidden content
disappears from public pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from zhengwu.accounts.models import Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.conftest import person_client, staff_client
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.participation import selectors, services
from zhengwu.participation.models import Comment, Flag, Letter

pytestmark = pytest.mark.django_db


@pytest.fixture
def comment(market_clerk: User, citizen: User) -> Comment:
    today = workdays.today()
    item = services.consultation_create(
        actor=Actor.person(market_clerk),
        title="办法征求意见",
        intro="",
        draft="第一条 总则。",
        opens_on=today,
        closes_on=today + timedelta(days=5),
    )
    services.consultation_publish(actor=Actor.person(market_clerk), consultation=item)
    article = item.articles.get()
    return services.comment_create(actor=Actor.person(citizen), article=article, content="这条意见含有不文明用语")


def test_flag_then_hide_removes_the_comment_from_the_public_page(
    comment: Comment, outsider: User, egov: User, market_clerk: User
) -> None:
    consultation_id = comment.article.consultation_id
    url = f"/participation/consultations/{consultation_id}/"
    assert "不文明用语" in Client().get(url).content.decode()
    flag = services.flag_create(actor=Actor.person(outsider), comment=comment, reason="不文明用语")
    with pytest.raises(ApplicationError) as again:
        services.flag_create(actor=Actor.person(outsider), comment=comment, reason="再举报")
    assert again.value.code == "participation.already_flagged"
    with pytest.raises(ApplicationError):  # a department clerk cannot hide
        services.content_hide(actor=Actor.person(market_clerk), comment=comment, reason="越权")
    comment.refresh_from_db()
    assert comment.hidden_at is None
    services.content_hide(actor=Actor.person(egov), comment=comment, reason="含不文明用语")
    flag.refresh_from_db()
    assert flag.state == Flag.State.HIDDEN and flag.decided_by == egov
    assert "不文明用语" not in Client().get(url).content.decode()
    event = AuditEvent.objects.get(action="participation.content.hide", outcome="success")
    assert event.details["reason"] == "含不文明用语"
    services.content_unhide(actor=Actor.person(egov), comment=comment, reason="误判")
    assert "不文明用语" in Client().get(url).content.decode()


def test_hidden_published_letter_disappears(
    letter: Letter, egov: User, market_clerk: User, market_dept: Department, outsider: User
) -> None:
    services.letter_dispatch(actor=Actor.person(egov), letter=letter, department=market_dept)
    services.letter_reply(actor=Actor.person(market_clerk), letter=letter, reply="已查处。")
    services.letter_complete(actor=Actor.person(egov), letter=letter, publish=True)
    assert Client().get(f"/participation/letters/{letter.number}/").status_code == 200
    services.flag_create(actor=Actor.person(outsider), letter=letter, reason="答复敷衍")
    services.content_hide(actor=Actor.person(egov), letter=letter, reason="经核实需更正后再公开")
    assert Client().get(f"/participation/letters/{letter.number}/").status_code == 404
    assert list(selectors.published_letters()) == []
    assert selectors.public_search("油烟") == []


def test_moderation_page_only_for_the_egov_office(
    comment: Comment, egov: User, market_clerk: User, citizen: User
) -> None:
    services.flag_create(actor=Actor.person(citizen), comment=comment, reason="广告")
    assert staff_client(egov).get("/workbench/participation/moderation/").status_code == 200
    assert staff_client(market_clerk).get("/workbench/participation/moderation/").status_code == 403
    assert person_client(citizen).get("/workbench/participation/moderation/").status_code == 403
    response = staff_client(market_clerk).post(
        f"/workbench/participation/moderation/comment/{comment.pk}/hide/", {"reason": "越权"}
    )
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.hidden_at is None
    flag = Flag.objects.get()
    staff_client(egov).post(f"/workbench/participation/moderation/flag/{flag.pk}/dismiss/", {"reason": "正常意见"})
    flag.refresh_from_db()
    assert flag.state == Flag.State.DISMISSED


def test_flag_via_page_needs_login(comment: Comment) -> None:
    response = Client().post(f"/participation/comments/{comment.pk}/flag/", {"reason": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Flag.objects.count() == 0
