"""Chinese full-text search of published items with jieba (the catalog's method, `catalog/search.py`).

On publication the title, subject words (主题词), document number (发文字号) and body are cut
into terms by `core.textsearch.tokens` and stored with weights in `PublicationSearchTerm`:
a term in the title counts 10, in the subject words 6, in the document number 4 and in the body
1 per occurrence (at most 3). A query is cut the same way; the best matches contain all of its
words (`required_terms`, jieba's precise cut), ranked by weight; when no item has them all, any
term may match (`query_terms`). Ties go to the newer publication. See `search_index`.
"""

from __future__ import annotations

import re
from collections import Counter

import jieba

from zhengwu.core import textsearch

TITLE_WEIGHT = 10
SUBJECT_WEIGHT = 6
NUMBER_WEIGHT = 4
BODY_WEIGHT = 1
BODY_CAP = 3
# Words in nearly every government document: they would rank nothing.
STOPWORDS = frozenset(["关于", "有关", "相关", "以及", "及其", "进一步", "通知", "我们", "各级", "工作"])
_WORD = re.compile(r"\w", re.UNICODE)
_NUMBER_PARTS = re.compile(r"[〔〕\[\]（）()号第]+")


def tokens(text: str) -> list[str]:
    return textsearch.tokens(text, stopwords=STOPWORDS)


def number_tokens(document_number: str) -> list[str]:
    """吉政办发〔2026〕12号 → the prefix words, the year and the bare sequence ("2026", "12") too."""
    plain = _NUMBER_PARTS.sub(" ", document_number or "")
    parts = set(tokens(plain))
    parts.update(p for p in plain.split() if len(p) > 1)
    return sorted(parts)


def index_terms(*, title: str, subject_words: str, document_number: str, body: str) -> dict[str, int]:
    """term → weight for one publication."""
    weights: Counter[str] = Counter()
    textsearch.add_weights(weights, tokens(title), TITLE_WEIGHT)
    textsearch.add_weights(weights, tokens(subject_words), SUBJECT_WEIGHT)
    for term in number_tokens(document_number):
        weights[term[: textsearch.MAX_TERM].lower()] += NUMBER_WEIGHT
    textsearch.add_weights(weights, tokens(body), BODY_WEIGHT, cap=BODY_CAP)
    return dict(weights)


_LOOKS_LIKE_NUMBER = re.compile(r"[〔\[]\d{4}[〕\]]|\d+号")


def query_terms(query: str) -> list[str]:
    """Every search term of a query (jieba search mode, as the index): any of them may match."""
    query = query[: textsearch.MAX_QUERY]
    terms = set(textsearch.query_terms(query, stopwords=STOPWORDS))
    if _LOOKS_LIKE_NUMBER.search(query):
        terms.update(t.lower() for t in number_tokens(query))
    return sorted(terms)


def required_terms(query: str) -> list[str]:
    """The words a best match contains all of: jieba's precise cut of the query (消防安全检查 →
    消防安全, 检查), each of which the index holds (search mode includes every precise word)."""
    query = query[: textsearch.MAX_QUERY]
    if _LOOKS_LIKE_NUMBER.search(query):
        return sorted({t.lower() for t in number_tokens(query)})
    out = set()
    for word in jieba.lcut(query):
        term = word.strip().lower()[: textsearch.MAX_TERM]
        if len(term) > 1 and _WORD.search(term) and term not in STOPWORDS:
            out.add(term)
    return sorted(out)
