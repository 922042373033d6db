"""Content screening (有害信息过滤, docs/rules.md §17): public letters with their replies and
consultation comments are checked against the e-gov office's word list before they are shown; a
hit is held in the moderation queue with the matched words."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from zhengwu.accounts.models import Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.conftest import staff_client
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.participation import selectors, services
from zhengwu.participation.models import Article, Letter, SensitiveWord

pytestmark = pytest.mark.django_db


@pytest.fixture
def words(egov: User) -> list[SensitiveWord]:
    return [
        services.sensitive_word_add(actor=Actor.person(egov), word=w, category="违法广告")
        for w in ("代开发票", "办证刻章")
    ]


@pytest.fixture
def article(market_clerk: User) -> Article:
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
    return item.articles.get()


def test_a_comment_with_a_listed_word_is_held_with_the_words_shown(
    words: list[SensitiveWord], article: Article, citizen: User, egov: User
) -> None:
    held = services.comment_create(actor=Actor.person(citizen), article=article, content="本人可代 开发票，价格优惠")
    clean = services.comment_create(actor=Actor.person(citizen), article=article, content="建议增加网上办理渠道")
    assert held.hidden_at is not None and held.screening_hits == ["代开发票"]
    assert clean.hidden_at is None and clean.screening_hits == []
    page = Client().get(f"/participation/consultations/{article.consultation_id}/").content.decode()
    assert "网上办理渠道" in page and "价格优惠" not in page
    event = AuditEvent.objects.filter(action="participation.comment.create").order_by("seq").first()
    assert event is not None and event.details["screening_hits"] == ["代开发票"]
    # The moderation queue shows it with the matched word; the office releases it.
    queue = staff_client(egov).get("/workbench/participation/moderation/").content.decode()
    assert "敏感词筛查待审核（1）" in queue and "代开发票" in queue and "价格优惠" in queue
    services.content_unhide(actor=Actor.person(egov), comment=held, reason="经核实为正常意见")
    assert "价格优惠" in Client().get(f"/participation/consultations/{article.consultation_id}/").content.decode()
    assert list(selectors.held_by_screening()[0]) == []


def test_a_public_letter_whose_reply_has_a_listed_word_is_held(
    words: list[SensitiveWord], letter: Letter, egov: User, market_clerk: User, market_dept: Department
) -> None:
    services.letter_dispatch(actor=Actor.person(egov), letter=letter, department=market_dept)
    services.letter_reply(actor=Actor.person(market_clerk), letter=letter, reply="已查处，另查获办证刻章广告。")
    services.letter_complete(actor=Actor.person(egov), letter=letter, publish=True)
    letter.refresh_from_db()
    assert letter.published_at is not None and letter.hidden_at is not None
    assert letter.screening_hits == ["办证刻章"]
    assert Client().get(f"/participation/letters/{letter.number}/").status_code == 404
    assert list(selectors.published_letters()) == []
    assert [held.pk for held in selectors.held_by_screening()[1]] == [letter.pk]
    assert letter.pk not in [hidden.pk for hidden in selectors.hidden_content()[1]]


def test_without_a_hit_a_letter_is_published(
    letter: Letter, egov: User, market_clerk: User, market_dept: Department, words: list[SensitiveWord]
) -> None:
    services.letter_dispatch(actor=Actor.person(egov), letter=letter, department=market_dept)
    services.letter_reply(actor=Actor.person(market_clerk), letter=letter, reply="已责令安装油烟净化设备。")
    services.letter_complete(actor=Actor.person(egov), letter=letter, publish=True)
    assert Client().get(f"/participation/letters/{letter.number}/").status_code == 200


def test_the_word_list_is_kept_by_the_egov_office_on_the_workbench(egov: User, market_clerk: User) -> None:
    client = staff_client(egov)
    response = client.post("/workbench/participation/moderation/words/", {"word": "刷单返利", "category": "诈骗"})
    assert response.status_code == 302
    word = SensitiveWord.objects.get(word="刷单返利")
    assert services.screen("兼职刷 单返利日结") == ["刷单返利"]
    again = client.post("/workbench/participation/moderation/words/", {"word": "刷单返利"})
    assert "已在词库中" in again.content.decode()
    refused_write(
        lambda: services.sensitive_word_remove(actor=Actor.person(market_clerk), word=word),
        models=[SensitiveWord],
        code="core.permission_denied",
    )
    assert client.post(f"/workbench/participation/moderation/words/{word.pk}/remove/").status_code == 302
    assert not SensitiveWord.objects.exists() and services.screen("刷单返利") == []
    assert AuditEvent.objects.filter(action="participation.sensitive_word.remove", outcome="success").exists()
