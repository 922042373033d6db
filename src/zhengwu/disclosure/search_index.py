"""Where the search terms of published items live, and how a query is ranked (two backends).

- **SQLite: FTS5** (`disclosure_publication_fts`, created by migration 0002). Each published item
  is one row (rowid = publication id) with four columns of *pre-segmented* text: the jieba terms
  of the title, subject words, document number and body joined by spaces (FTS5's `unicode61`
  tokenizer then only splits on those spaces: it never cuts Chinese itself). Ranking is FTS5's
  BM25 with column weights title 10, subject words 6, document number 4, body 1 — the same order
  of importance as the term weights below.
- **PostgreSQL (and any other database): the term table** `PublicationSearchTerm` (term, weight),
  the catalog's method: summed weights of the matching terms, one GROUP BY over a covering index.

Why two: measured with `bench/disclosure_search_bench.py`, the term table needs a GROUP BY over
every posting of every query term; at 5,000 items its median was already ~30 ms on the shared
2-core machine, growing linearly, so 100,000 items would miss the 50 ms p95 target. FTS5 walks
compressed doclists and computes BM25 in C (see docs in the notes for the numbers).

Query semantics (both backends): all terms must match (AND); when nothing matches all of them,
any term may match (OR) — so a long query still finds the closest items.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Sum

from zhengwu.disclosure import search
from zhengwu.disclosure.models import Publication, PublicationSearchTerm

FTS_TABLE = "disclosure_publication_fts"
FTS_WEIGHTS = (search.TITLE_WEIGHT, search.SUBJECT_WEIGHT, search.NUMBER_WEIGHT, search.BODY_WEIGHT)
_BM25 = f"bm25({FTS_TABLE}, {', '.join(f'{w:.1f}' for w in FTS_WEIGHTS)})"
COUNT_CAP = 1000  # like the big search engines: more results are not paged; refine the query
FILTER_COLUMNS = {
    "department_id": "department_id",
    "category": "category",
    "index_year": "index_year",
    "validity": "validity",
}


def uses_fts() -> bool:
    return connection.vendor == "sqlite"


CREATE_FTS = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "title, subject, number, body, tokenize = 'unicode61 remove_diacritics 0')"
)


def segmented(*, title: str, subject_words: str, document_number: str, body: str) -> tuple[str, str, str, str]:
    """The four columns of an item as space-separated jieba terms."""
    return (
        " ".join(search.tokens(title)),
        " ".join(search.tokens(subject_words)),
        " ".join(t.lower() for t in search.number_tokens(document_number)),
        " ".join(search.tokens(body)),
    )


CACHE_SECONDS = 60
VERSION_KEY = "disclosure:index_version"


def index_changed() -> None:
    """The set of published items changed: lists cached by `cached` expire (in this process at
    once; in other worker processes within CACHE_SECONDS, unless the cache is shared, e.g. Redis)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, None)


def cached(name: str, compute: Callable[[], Any]) -> Any:
    key = f"disclosure:{name}:{cache.get(VERSION_KEY, 0)}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, CACHE_SECONDS)
    return found


def index(publication: Publication) -> None:
    """(Re)index a published item."""
    index_changed()
    if uses_fts():
        columns = segmented(
            title=publication.title,
            subject_words=publication.subject_words,
            document_number=publication.document_number,
            body=publication.body,
        )
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [publication.pk])  # noqa: S608
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} (rowid, title, subject, number, body) VALUES (%s, %s, %s, %s, %s)",  # noqa: S608
                [publication.pk, *columns],
            )
        return
    PublicationSearchTerm.objects.filter(publication=publication).delete()
    terms = search.index_terms(
        title=publication.title,
        subject_words=publication.subject_words,
        document_number=publication.document_number,
        body=publication.body,
    )
    PublicationSearchTerm.objects.bulk_create(
        PublicationSearchTerm(publication=publication, term=term, weight=weight) for term, weight in terms.items()
    )


def unindex(publication: Publication) -> None:
    index_changed()
    if uses_fts():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [publication.pk])  # noqa: S608
    PublicationSearchTerm.objects.filter(publication=publication).delete()


def is_indexed(publication: Publication) -> bool:
    if uses_fts():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {FTS_TABLE} WHERE rowid = %s", [publication.pk])  # noqa: S608
            return cursor.fetchone() is not None
    return PublicationSearchTerm.objects.filter(publication=publication).exists()


def _match(terms: Iterable[str], operator: str) -> str:
    return f" {operator} ".join('"' + term.replace('"', '""') + '"' for term in terms)


class Ranking:
    """Ranked ids and the number of matches of `terms` under `filters` ({column: value})."""

    def __init__(self, required: list[str], terms: list[str], filters: dict[str, Any]) -> None:
        self.filters = {FILTER_COLUMNS[k]: v for k, v in filters.items() if v not in (None, "")}
        self.terms = required or terms
        self.operator = "AND"
        self._total: int | None = self._count("AND")
        if self._total == 0 and len(set(terms) | set(required)) > 1:
            self.terms = sorted(set(terms) | set(required))
            self.operator = "OR"
            self._total = None

    # --- SQLite FTS5 ---
    def _fts_from(self, operator: str) -> tuple[str, list[Any]]:
        params: list[Any] = [_match(self.terms, operator)]
        if not self.filters:
            return f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", params
        where = [f"{FTS_TABLE} MATCH %s"]
        for column, value in self.filters.items():
            where.append(f"p.{column} = %s")
            params.append(value)
        sql = f"FROM {FTS_TABLE} JOIN disclosure_publication p ON p.id = {FTS_TABLE}.rowid WHERE {' AND '.join(where)}"
        return sql, params

    # --- term table ---
    def _terms_rows(self, operator: str) -> Any:
        matching = PublicationSearchTerm.objects.filter(term__in=self.terms)
        if self.filters:
            matching = matching.filter(**{f"publication__{k}": v for k, v in self.filters.items()})
        rows: Any = matching.values("publication_id").annotate(score=Sum("weight"))
        if operator == "AND":
            rows = rows.annotate(n=Count("term")).filter(n=len(set(self.terms)))
        return rows

    def _count(self, operator: str) -> int:
        """The number of matches, counted up to COUNT_CAP (+1 to tell "more")."""
        if uses_fts():
            sql, params = self._fts_from(operator)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM (SELECT 1 {sql} LIMIT %s)", [*params, COUNT_CAP + 1])  # noqa: S608
                return int(cursor.fetchone()[0])
        return int(self._terms_rows(operator)[: COUNT_CAP + 1].count())

    @property
    def capped(self) -> bool:
        """True when there are more than COUNT_CAP matches (only the first COUNT_CAP are paged)."""
        return self.count() > COUNT_CAP

    def count(self) -> int:
        if self._total is None:
            self._total = self._count(self.operator)
        return self._total

    def pageable(self) -> int:
        return min(self.count(), COUNT_CAP)

    def page(self, offset: int, limit: int) -> list[tuple[int, float]]:
        """(publication id, score) best first; higher score = more relevant."""
        if limit <= 0:
            return []
        if uses_fts():
            sql, params = self._fts_from(self.operator)
            rowid = f"{FTS_TABLE}.rowid"
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {rowid}, -{_BM25} {sql} ORDER BY {_BM25}, {rowid} DESC LIMIT %s OFFSET %s",
                    [*params, limit, offset],
                )
                return [(int(pk), float(score)) for pk, score in cursor.fetchall()]
        rows = self._terms_rows(self.operator).order_by("-score", "-publication_id")[offset : offset + limit]
        return [(row["publication_id"], float(row["score"])) for row in rows]
