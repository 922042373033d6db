"""政策解读 linked to the policy it explains (docs/rules.md §4): the interpretation names a published
policy by its 索引号; the two public pages (and the API) link each other; anything else is refused
and writes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from zhengwu.accounts.models import Department, User
from zhengwu.conftest import staff_client
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.disclosure import services
from zhengwu.disclosure.models import Category, Publication
from zhengwu.disclosure.tests.conftest import draft, published

pytestmark = pytest.mark.django_db

READING = "《关于进一步优化营商环境的若干措施》政策解读"


def test_an_interpretation_and_its_policy_link_each_other(market_clerk: User, market_dept: Department) -> None:
    policy = published(market_clerk, market_dept)
    reading = published(
        market_clerk,
        market_dept,
        title=READING,
        category=Category.INTERPRETATION,
        document_number="",
        date_written=date(2026, 3, 3),
        interprets=policy.index_number,
    )
    assert reading.interprets == policy
    page = Client().get(f"/disclosure/{reading.index_number}/").content.decode()
    assert f'解读的政策：<a href="/disclosure/{policy.index_number}/">{policy.title}</a>' in page
    page = Client().get(f"/disclosure/{policy.index_number}/").content.decode()
    assert "<h2>政策解读</h2>" in page and f'<a href="/disclosure/{reading.index_number}/">{READING}</a>' in page
    detail = Client().get(f"/api/v1/disclosure/publications/{policy.pk}").json()
    assert detail["interprets"] is None and detail["interpretations"] == [reading.index_number]
    detail = Client().get(f"/api/v1/disclosure/publications/{reading.pk}").json()
    assert detail["interprets"] == policy.index_number and detail["interpretations"] == []


def test_a_withdrawn_interpretation_is_not_listed_on_the_policy(market_clerk: User, market_dept: Department) -> None:
    policy = published(market_clerk, market_dept)
    reading = published(
        market_clerk, market_dept, title=READING, category=Category.INTERPRETATION, interprets=policy.index_number
    )
    services.publication_withdraw(actor=Actor.person(market_clerk), publication=reading, reason="内容有误")
    assert "<h2>政策解读</h2>" not in Client().get(f"/disclosure/{policy.index_number}/").content.decode()


@pytest.mark.parametrize(
    ("category", "interprets", "message"),
    [
        (Category.INTERPRETATION, "", "政策解读须填写所解读政策的索引号"),
        (Category.INTERPRETATION, "11220000013544357T/2026-09999", "不是已发布的政策文件"),
        (Category.INTERPRETATION, "reading", "不是已发布的政策文件"),
        (Category.NEWS, "policy", "只有“政策解读”类信息填写所解读政策的索引号"),
    ],
)
def test_a_wrong_link_is_refused_and_writes_nothing(
    market_clerk: User, market_dept: Department, category: str, interprets: str, message: str
) -> None:
    policy = published(market_clerk, market_dept)
    reading = published(
        market_clerk, market_dept, title="另一篇解读", category=Category.INTERPRETATION, interprets=policy.index_number
    )
    value = {
        "policy": policy.index_number,
        "reading": reading.index_number,  # an interpretation does not explain an interpretation
    }.get(interprets, interprets)
    before = Publication.objects.count()
    with pytest.raises(ApplicationError) as caught:
        draft(market_clerk, market_dept, title=READING, category=category, interprets=value)
    assert message in caught.value.message and "interprets" in caught.value.fields
    assert Publication.objects.count() == before


def test_publishing_an_interpretation_whose_policy_was_withdrawn_is_refused(
    market_clerk: User, market_dept: Department
) -> None:
    policy = published(market_clerk, market_dept)
    reading = draft(
        market_clerk, market_dept, title=READING, category=Category.INTERPRETATION, interprets=policy.index_number
    )
    services.publication_withdraw(actor=Actor.person(market_clerk), publication=policy, reason="已废止重发")
    with pytest.raises(ApplicationError, match="不是已发布的政策文件"):
        services.publication_publish(actor=Actor.person(market_clerk), publication=reading)
    reading.refresh_from_db()
    assert reading.state == Publication.State.DRAFT and reading.index_number is None


def test_the_workbench_form_links_an_interpretation(market_clerk: User, market_dept: Department) -> None:
    policy = published(market_clerk, market_dept)
    clerk = staff_client(market_clerk)
    form = {
        "title": READING,
        "category": "interpretation",
        "date_written": "2026-03-03",
        "validity": "valid",
        "body": "一、出台背景。",
    }
    page = clerk.post("/workbench/disclosure/publications/new/", form).content.decode()
    assert "政策解读须填写所解读政策的索引号" in page and Publication.objects.count() == 1
    response = clerk.post("/workbench/disclosure/publications/new/", {**form, "interprets": policy.index_number})
    assert response.status_code == 302
    reading = Publication.objects.get(title=READING)
    assert reading.interprets == policy
    page = clerk.get(f"/workbench/disclosure/publications/{reading.pk}/edit/").content.decode()
    assert f'value="{policy.index_number}"' in page  # the edit form keeps the link
