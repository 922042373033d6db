"""Chinese full-text search of the 办事指南 with jieba (same tokenizer as every search on the platform).

On publication an item's name, type, department, conditions and material names are cut into
terms with weights (`ItemSearchTerm`); a query is cut the same way and items are ranked by the
sum of the weights of the terms they contain.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from zhengwu.core import textsearch

NAME_WEIGHT = 10
TYPE_WEIGHT = 3
MATERIAL_WEIGHT = 2
DEPARTMENT_WEIGHT = 2
CONDITION_WEIGHT = 1
CONDITION_CAP = 3
STOPWORDS = frozenset(["办理", "申请", "事项", "服务", "以及", "有关", "相关"])


def tokens(text: str) -> list[str]:
    return textsearch.tokens(text, stopwords=STOPWORDS)


def index_terms(
    *, name: str, item_type: str, department: str, conditions: str, materials: Iterable[str]
) -> dict[str, int]:
    """term → weight for one item."""
    weights: Counter[str] = Counter()
    for term in set(tokens(name)):
        weights[term] += NAME_WEIGHT
    for term in set(tokens(item_type)):
        weights[term] += TYPE_WEIGHT
    for material in materials:
        for term in set(tokens(material)):
            weights[term] += MATERIAL_WEIGHT
    for term in set(tokens(department)):
        weights[term] += DEPARTMENT_WEIGHT
    for term, count in Counter(tokens(conditions)).items():
        weights[term] += CONDITION_WEIGHT * min(count, CONDITION_CAP)
    return dict(weights)


def query_terms(query: str) -> list[str]:
    return textsearch.query_terms(query, stopwords=STOPWORDS)
