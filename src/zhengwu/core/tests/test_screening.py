"""The Aho–Corasick word matcher of content screening (core.screening)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from zhengwu.core.screening import WordMatcher, normalise


def test_finds_every_listed_word_once_in_order() -> None:
    matcher = WordMatcher(["代开发票", "办证", "赌博"])
    assert matcher.find("本店代开发票，另可办证；代开发票优惠") == ["代开发票", "办证"]
    assert matcher.find("饭店油烟扰民，请处理。") == []


def test_ignores_case_width_spacing_and_punctuation() -> None:
    matcher = WordMatcher(["代开发票", "VPN"])
    assert matcher.find("代 开·发\u200b票", "翻墙ｖｐｎ") == ["代开发票", "VPN"]


def test_overlapping_words_are_all_found() -> None:
    assert WordMatcher(["她", "他们", "们的"]).find("他们的") == ["他们", "们的"]


def test_an_empty_list_finds_nothing() -> None:
    assert WordMatcher([]).find("任何内容") == []
    assert WordMatcher(["", "  "]).size == 0


@given(
    st.lists(st.text(alphabet="甲乙丙丁ab", min_size=1, max_size=4), max_size=8),
    st.text(alphabet="甲乙丙丁ab ，", max_size=40),
)
def test_agrees_with_a_plain_search(words: list[str], text: str) -> None:
    found = set(WordMatcher(words).find(text))
    expected = {w.strip() for w in words if normalise(w) and normalise(w) in normalise(text)}
    assert found == expected
