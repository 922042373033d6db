"""Chinese full-text search of the catalog with jieba.

On publication a resource's name, item names, provider and summary are cut into terms
(`jieba.lcut_for_search`, which also yields the shorter words inside long ones: 人口基础信息 →
人口, 基础, 信息, …) and stored with weights in `ResourceSearchTerm`. A query is cut the same way
and resources are ranked by the sum of the weights of the terms they contain.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from zhengwu.core import textsearch

NAME_WEIGHT = 10
ITEM_WEIGHT = 4
PROVIDER_WEIGHT = 2
SUMMARY_WEIGHT = 1
SUMMARY_CAP = 3  # a word repeated in a long summary counts at most this often
STOPWORDS = frozenset(["及其", "以及", "有关", "相关", "信息", "数据", "资源"])


def tokens(text: str) -> list[str]:
    """The catalog's search terms of `text`: 信息/数据/资源 occur in nearly every name and would rank nothing."""
    return textsearch.tokens(text, stopwords=STOPWORDS)


def index_terms(*, name: str, summary: str, item_names: Iterable[str], provider: str) -> dict[str, int]:
    """term → weight for one resource."""
    weights: Counter[str] = Counter()
    textsearch.add_weights(weights, tokens(name), NAME_WEIGHT)
    for item_name in item_names:
        textsearch.add_weights(weights, tokens(item_name), ITEM_WEIGHT)
    textsearch.add_weights(weights, tokens(provider), PROVIDER_WEIGHT)
    textsearch.add_weights(weights, tokens(summary), SUMMARY_WEIGHT, cap=SUMMARY_CAP)
    return dict(weights)


def query_terms(query: str) -> list[str]:
    return textsearch.query_terms(query, stopwords=STOPWORDS)
