"""Pure text functions of 公众参与: masking personal data, similarity of letters, splitting drafts.

- `mask_personal(text, names=…, addresses=…)`: what a published letter shows instead of personal
  data — resident ID numbers, mobile and landline numbers and e-mail addresses anywhere in the
  text, and the writer's own name and address wherever they occur.
- `similarity(a_terms, b_terms, idf)`: TF-IDF cosine over jieba terms (`core.textsearch.tokens`),
  used to suggest earlier letters about the same matter (duplicate detection).
- `split_articles(text)`: a draft cut into its articles (第一条 …) for article-wise comments.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping

from zhengwu.core.textsearch import tokens

# Words that occur in nearly every letter and say nothing about its matter.
LETTER_STOPWORDS = frozenset(
    {
        "您好",
        "你好",
        "请问",
        "谢谢",
        "希望",
        "相关",
        "部门",
        "领导",
        "问题",
        "反映",
        "情况",
        "我们",
        "你们",
        "他们",
        "这个",
        "没有",
        "一个",
        "现在",
        "已经",
        "可以",
        "就是",
    }
)

_ID18 = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}[- ]?\d{7,8}(?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def _mask_digits(value: str, keep_start: int, keep_end: int) -> str:
    chars = list(value)
    positions = [i for i, c in enumerate(chars) if c.isalnum()]
    for i in positions[keep_start : len(positions) - keep_end]:
        chars[i] = "*"
    return "".join(chars)


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳小明 → 欧***."""
    name = name.strip()
    return name[0] + "*" * max(1, len(name) - 1) if name else ""


def mask_personal(text: str, *, names: Iterable[str] = (), addresses: Iterable[str] = ()) -> str:
    """`text` with ID numbers, phone numbers, e-mail addresses and the given names/addresses masked."""
    out = text or ""
    for address in sorted({a.strip() for a in addresses if a and len(a.strip()) >= 4}, key=len, reverse=True):
        out = out.replace(address, "［地址已隐去］")
    out = _EMAIL.sub(lambda m: "***@" + m.group(0).split("@", 1)[1], out)
    out = _ID18.sub(lambda m: _mask_digits(m.group(0), 1, 1), out)
    out = _ID15.sub(lambda m: _mask_digits(m.group(0), 1, 1), out)
    out = _MOBILE.sub(lambda m: _mask_digits(m.group(0), 3, 4), out)
    out = _LANDLINE.sub(lambda m: _mask_digits(m.group(0), 3, 2), out)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        out = out.replace(name, mask_name(name))
    return out


# Words people use for the same thing, read as one term (餐馆 and 饭店 are the same complaint).
LETTER_SYNONYMS = {
    "餐馆": "饭店",
    "饭馆": "饭店",
    "餐厅": "饭店",
    "酒店": "饭店",
    "烧烤店": "饭店",
    "噪音": "噪声",
    "吵闹": "噪声",
    "油烟机": "油烟",
}


def letter_terms(title: str, content: str) -> list[str]:
    """The distinct search terms of a letter (title counted twice), at most 300, for similarity;
    synonyms (`LETTER_SYNONYMS`) as one term."""
    words = tokens(f"{title} {title} {content}", stopwords=LETTER_STOPWORDS)
    counted = Counter(LETTER_SYNONYMS.get(word, word) for word in words)
    return [term for term, _ in counted.most_common(300)]


def idf_table(documents: Iterable[Iterable[str]]) -> dict[str, float]:
    """Smoothed inverse document frequency of every term over `documents` (each a set of terms)."""
    frequency: Counter[str] = Counter()
    total = 0
    for document in documents:
        total += 1
        frequency.update(set(document))
    return {term: math.log((1 + total) / (1 + count)) + 1.0 for term, count in frequency.items()}


def similarity(a: Iterable[str], b: Iterable[str], idf: Mapping[str, float]) -> float:
    """Cosine of the TF-IDF vectors of two term lists (0 … 1)."""
    va = {t: idf.get(t, 1.0) for t in set(a)}
    vb = {t: idf.get(t, 1.0) for t in set(b)}
    if not va or not vb:
        return 0.0
    dot = sum(w * vb[t] for t, w in va.items() if t in vb)
    norm = math.sqrt(sum(w * w for w in va.values())) * math.sqrt(sum(w * w for w in vb.values()))
    return dot / norm if norm else 0.0


_ARTICLE = re.compile(r"^\s*(第[一二三四五六七八九十百零〇\d]+条)\s*", re.MULTILINE)


def split_articles(text: str) -> list[tuple[str, str]]:
    """`[(heading, text), …]`: the draft cut at each line starting 第N条; a draft without
    numbered articles is cut into paragraphs (第1段, 第2段 …)."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        return []
    marks = list(_ARTICLE.finditer(text))
    if not marks:
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
        return [(f"第{i}段", p) for i, p in enumerate(paragraphs, start=1)]
    articles = []
    preamble = text[: marks[0].start()].strip()
    if preamble:
        articles.append(("说明", preamble))
    for index, mark in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(text)
        body = text[mark.end() : end].strip()
        articles.append((mark.group(1), body))
    return articles
