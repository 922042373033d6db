"""Search ranking, filters, the portal's unified search and the public pages."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client

from zhengwu.accounts.models import Department, User
from zhengwu.core.actors import Actor
from zhengwu.disclosure import selectors, services
from zhengwu.disclosure.selectors import Filters, public_search, search_publications
from zhengwu.disclosure.tests.conftest import draft, published

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(market_clerk: User, police_clerk: User, market_dept: Department, police_dept: Department) -> dict:
    return {
        "title": published(
            market_clerk, market_dept, title="食品安全抽检工作方案", subject_words="抽检", body="开展例行监测。"
        ),
        "subject": published(
            market_clerk,
            market_dept,
            title="市场监管年度要点",
            subject_words="食品安全 监管",
            body="全面推进各项任务。",
        ),
        "number": published(
            market_clerk,
            market_dept,
            title="关于印发检查清单的通知",
            document_number="吉食安发〔2026〕7号",
            subject_words="清单",
            body="各市州局。",
        ),
        "body": published(
            market_clerk,
            market_dept,
            title="年度工作总结",
            subject_words="总结",
            body="今年加强了食品安全监督，食品安全形势稳定。",
            category="plan",
            date_written=date(2025, 6, 1),
        ),
        "police": published(
            police_clerk, police_dept, title="户籍办理指南", subject_words="户籍", body="居民身份证办理流程。"
        ),
        "draft": draft(market_clerk, market_dept, title="食品安全草稿不应出现"),
    }


def test_ranking_title_before_subject_before_body(corpus: dict) -> None:
    ranked = list(search_publications("食品安全")[:10])
    assert [p.pk for p in ranked][:2] == [corpus["title"].pk, corpus["subject"].pk]
    assert ranked[-1].pk == corpus["body"].pk
    assert corpus["draft"].pk not in {p.pk for p in ranked}
    assert corpus["police"].pk not in {p.pk for p in ranked}


def test_document_number_is_searchable(corpus: dict) -> None:
    ranked = list(search_publications("吉食安发〔2026〕7号")[:3])
    assert ranked[0].pk == corpus["number"].pk


def test_index_number_finds_the_item(corpus: dict) -> None:
    found = list(search_publications(corpus["police"].index_number))
    assert [p.pk for p in found] == [corpus["police"].pk]


def test_filters(corpus: dict, police_dept: Department) -> None:
    assert [p.pk for p in search_publications("食品安全", Filters(category="plan"))[:10]] == [corpus["body"].pk]
    assert [p.pk for p in search_publications("食品安全", Filters(year=2025))[:10]] == [corpus["body"].pk]
    assert list(search_publications("食品安全", Filters(department_id=police_dept.pk))[:10]) == []
    listing = search_publications("", Filters(department_id=police_dept.pk))
    assert [p.pk for p in listing] == [corpus["police"].pk]
    assert len(search_publications("食品安全")) == 3


def test_withdrawn_items_are_not_found(corpus: dict, market_clerk: User) -> None:
    services.publication_withdraw(actor=Actor.person(market_clerk), publication=corpus["title"], reason="已废止重发")
    assert corpus["title"].pk not in {p.pk for p in search_publications("食品安全")[:10]}
    assert not any(hit.title == "食品安全抽检工作方案" for hit in public_search("食品安全"))


def test_public_search_hits(corpus: dict) -> None:
    hits = public_search("食品安全", limit=2)
    assert [h.title for h in hits] == ["食品安全抽检工作方案", "市场监管年度要点"]
    assert hits[0].url == f"/disclosure/{corpus['title'].index_number}/"
    assert hits[0].kind == "disclosure" and hits[0].score > hits[1].score
    assert public_search("") == [] and public_search("的") == []


def test_portal_pages(corpus: dict) -> None:
    client = Client()
    page = client.get("/disclosure/", {"q": "食品安全"})
    assert page.status_code == 200 and "食品安全抽检工作方案" in page.content.decode()
    assert "食品安全草稿不应出现" not in page.content.decode()
    item = corpus["number"]
    detail = client.get(f"/disclosure/{item.index_number}/")
    text = detail.content.decode()
    assert detail.status_code == 200 and item.index_number in text and "吉食安发〔2026〕7号" in text
    assert client.get(f"/disclosure/{item.pk}/").status_code == 200
    assert client.get(f"/disclosure/{corpus['draft'].pk}/").status_code == 404
    assert client.get("/disclosure/11220000013544357T/2026-99999/").status_code == 404
    assert (
        client.get("/disclosure/", {"agency": "x", "year": "abcd", "category": "<script>", "page": "9"}).status_code
        == 200
    )
    by_agency = client.get("/disclosure/", {"agency": item.department_id, "category": "policy"})
    assert "关于印发检查清单的通知" in by_agency.content.decode()


def test_category_counts(corpus: dict) -> None:
    counts = {value: n for value, _, n in selectors.category_counts()}
    assert counts["policy"] == 4 and counts["plan"] == 1


def test_term_table_backend_ranks_alike(
    monkeypatch: pytest.MonkeyPatch, market_clerk: User, market_dept: Department
) -> None:
    """The PostgreSQL path (weighted term table), exercised here on SQLite."""
    from zhengwu.disclosure import search_index
    from zhengwu.disclosure.models import PublicationSearchTerm

    monkeypatch.setattr(search_index, "uses_fts", lambda: False)
    body = published(market_clerk, market_dept, title="年度总结", subject_words="总结", body="加强食品安全监督。")
    title = published(market_clerk, market_dept, title="食品安全抽检方案", subject_words="抽检", body="开展监测。")
    assert PublicationSearchTerm.objects.filter(publication=title, term="食品安全").get().weight == 10
    assert [p.pk for p in search_publications("食品安全")[:5]] == [title.pk, body.pk]
    # No item has both words: any word may match.
    assert {p.pk for p in search_publications("食品安全 户籍")[:5]} == {title.pk, body.pk}
    services.publication_withdraw(actor=Actor.person(market_clerk), publication=title, reason="重发")
    assert [p.pk for p in search_publications("食品安全")[:5]] == [body.pk]


def test_and_before_or(corpus: dict) -> None:
    # Every word of 食品安全抽检 is in the first item only; 食品安全 户籍 is in no item: any word matches.
    assert search_publications("食品安全抽检")[0].pk == corpus["title"].pk
    assert {p.pk for p in search_publications("食品安全 户籍")[:10]} >= {corpus["title"].pk, corpus["police"].pk}


@pytest.mark.parametrize(
    "fts",
    [
        pytest.param(
            True, id="fts5", marks=pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 is SQLite's")
        ),
        pytest.param(False, id="term-table"),
    ],
)
def test_validity_filter(corpus: dict, market_clerk: User, monkeypatch: pytest.MonkeyPatch, fts: bool) -> None:
    """有效 / 失效 / 废止: the filter keeps only items of that validity, with and without a query."""
    from zhengwu.disclosure import search_index

    monkeypatch.setattr(search_index, "uses_fts", lambda: fts)
    if not fts:  # the corpus was indexed for FTS5: index its published items in the term table too
        for name, item in corpus.items():
            if name != "draft":
                search_index.index(item)
    services.publication_set_validity(
        actor=Actor.person(market_clerk), publication=corpus["subject"], validity="repealed"
    )
    services.publication_set_validity(actor=Actor.person(market_clerk), publication=corpus["body"], validity="expired")

    def found(query: str, validity: str) -> set[int]:
        return {p.pk for p in search_publications(query, selectors.parse_filters({"validity": validity}))[:10]}

    assert found("食品安全", "") == {corpus["title"].pk, corpus["subject"].pk, corpus["body"].pk}
    assert found("食品安全", "valid") == {corpus["title"].pk}
    assert found("食品安全", "repealed") == {corpus["subject"].pk}
    assert found("食品安全", "expired") == {corpus["body"].pk}
    assert found("", "repealed") == {corpus["subject"].pk}
    assert found("", "valid") == {corpus["title"].pk, corpus["number"].pk, corpus["police"].pk}
    assert found("", "anything-else") == {p.pk for p in search_publications("")}  # ignored, not an error
    assert selectors.parse_filters({"validity": "expired"}) == Filters(validity="expired")
