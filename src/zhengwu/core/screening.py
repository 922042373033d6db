"""Multi-word matching for content screening (有害信息过滤, docs/rules.md §17): an Aho–Corasick
automaton (pyahocorasick) over a word list finds every listed word in a text in one pass, however
long the list. Matching ignores case and full-width/half-width differences (NFKC) and the spaces,
punctuation or zero-width characters a writer may put between the characters of a word.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

import ahocorasick

# Characters dropped before matching, so "代 开·发票" still matches 代开发票.
_SKIP_CATEGORIES = ("Z", "P", "C", "S")


def normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(ch for ch in folded if not unicodedata.category(ch).startswith(_SKIP_CATEGORIES))


class WordMatcher:
    """The listed words found in a text (each once, in the list's spelling, in order of appearance)."""

    def __init__(self, words: Iterable[str]) -> None:
        self._automaton = ahocorasick.Automaton()
        self.size = 0
        for word in words:
            key = normalise(word)
            if key and key not in self._automaton:
                self._automaton.add_word(key, word.strip())
                self.size += 1
        if self.size:
            self._automaton.make_automaton()

    def find(self, *texts: str) -> list[str]:
        if not self.size:
            return []
        found: list[str] = []
        for text in texts:
            for _end, word in self._automaton.iter(normalise(text)):
                if word not in found:
                    found.append(word)
        return found
