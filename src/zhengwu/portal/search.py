"""One search box over everything public (全站检索).

Each domain app answers `selectors.public_search(query, *, limit)` with its own public items, best
first (`core.contracts.SearchHit`); the portal only merges them. Scores of different apps are not
comparable, so the merged list interleaves by rank: every kind's best hit, then every kind's second
best, and so on (kinds in the fixed order of `SOURCES`). A tab (`kind`) shows one kind only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from zhengwu.catalog import selectors as catalog_selectors
from zhengwu.core.contracts import SearchHit
from zhengwu.disclosure import selectors as disclosure_selectors
from zhengwu.eservices import selectors as eservices_selectors
from zhengwu.participation import selectors as participation_selectors

PER_KIND = 100  # at most this many hits of each kind are merged and paged
MAX_QUERY = 100  # characters of the query that are used


@dataclass(frozen=True)
class Source:
    kind: str
    label: str
    search: Callable[..., list[SearchHit]]


SOURCES: tuple[Source, ...] = (
    Source("disclosure", "政府信息公开", disclosure_selectors.public_search),
    Source("eservices", "办事服务", eservices_selectors.public_search),
    Source("catalog", "数据资源", catalog_selectors.public_search),
    Source("participation", "公众参与", participation_selectors.public_search),
)
KINDS = {source.kind: source.label for source in SOURCES}


@dataclass
class Results:
    query: str
    kind: str  # "" = all kinds
    hits: list[SearchHit] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # kind → hits found (at most PER_KIND)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def tabs(self) -> list[dict[str, object]]:
        """All kinds with their counts, for the tab bar; the first tab is 全部."""
        tabs: list[dict[str, object]] = [{"kind": "", "label": "全部", "count": self.total, "current": not self.kind}]
        for source in SOURCES:
            count = self.counts.get(source.kind, 0)
            tabs.append(
                {"kind": source.kind, "label": source.label, "count": count, "current": self.kind == source.kind}
            )
        return tabs


def clean_query(raw: str) -> str:
    return " ".join(raw.split())[:MAX_QUERY]


def interleave(lists: list[list[SearchHit]]) -> list[SearchHit]:
    """Rank 1 of each list, then rank 2 of each, …; lists keep their own order."""
    merged: list[SearchHit] = []
    depth = max((len(hits) for hits in lists), default=0)
    for rank in range(depth):
        for hits in lists:
            if rank < len(hits):
                merged.append(hits[rank])
    return merged


def search(query: str, *, kind: str = "", per_kind: int = PER_KIND) -> Results:
    """Every kind's public hits for `query`, merged by rank (or only `kind`'s when given)."""
    query = clean_query(query)
    kind = kind if kind in KINDS else ""
    results = Results(query=query, kind=kind)
    if not query:
        return results
    found: dict[str, list[SearchHit]] = {}
    for source in SOURCES:
        hits = source.search(query, limit=per_kind)[:per_kind]
        found[source.kind] = hits
        results.counts[source.kind] = len(hits)
    results.hits = found[kind] if kind else interleave([found[source.kind] for source in SOURCES])
    return results
