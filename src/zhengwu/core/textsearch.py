"""Chinese text cut into search terms with jieba — one tokenizer for every search on the platform.

`tokens` uses jieba's search mode (`lcut_for_search`), which also yields the shorter words inside
long ones (人口基础信息 → 人口, 基础, 信息, …). Single characters and punctuation are dropped; each
caller may add stop words of its own domain (信息/数据/资源 occur in nearly every catalog name).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable

import jieba

jieba.setLogLevel(logging.WARNING)

MAX_TERM = 64
MAX_QUERY = 200
_WORD = re.compile(r"\w", re.UNICODE)


def tokens(text: str, *, stopwords: Iterable[str] = ()) -> list[str]:
    """The search terms of `text`, in order, lower-cased, without single characters and punctuation."""
    stop = frozenset(stopwords)
    out = []
    for word in jieba.lcut_for_search(text or ""):
        term = word.strip().lower()[:MAX_TERM]
        if len(term) > 1 and _WORD.search(term) and term not in stop:
            out.append(term)
    return out


def query_terms(query: str, *, stopwords: Iterable[str] = ()) -> list[str]:
    """The distinct terms of a query (cut to its first 200 characters), sorted."""
    return sorted(set(tokens(query[:MAX_QUERY], stopwords=stopwords)))


def add_weights(weights: Counter[str], terms: Iterable[str], weight: int, *, cap: int = 1) -> None:
    """Add `weight` to each term of `terms` once or, with a `cap`, once per occurrence up to `cap` times:
    how a search index weighs the terms of one part of a record (its name, its body …)."""
    for term, count in Counter(terms).items():
        weights[term] += weight * min(count, cap)
