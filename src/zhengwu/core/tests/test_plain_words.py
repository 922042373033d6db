"""The one vocabulary of 长者模式's plainer words (core/plain_words.py) and its template tag."""

from __future__ import annotations

import re
from pathlib import Path

from django.template import Context, Template

from zhengwu.core.plain_words import PLAIN_WORDS, plain

SRC = Path(__file__).resolve().parents[2]
LITERAL = re.compile(r'\{% plain "([^"]+)" %\}')


def test_longest_term_first_and_no_second_pass() -> None:
    assert plain("待受理") == "等待收下"  # not 待 + 收下
    assert plain("不予受理理由") == "没有收下理由"
    assert plain("我的办件") == "我办的事" and plain("办件编号") == "办事编号"
    assert plain("请假") == "请假"  # nothing listed: unchanged


def test_the_tag_follows_elder_mode_and_escapes() -> None:
    template = Template('{% load plain %}{% plain "受理条件" %}|{% plain value %}')
    assert template.render(Context({"value": "待受理"})) == "受理条件|待受理"
    assert template.render(Context({"elder_mode": True, "value": "待受理<b>"})) == "谁可以办|等待收下&lt;b&gt;"


def test_every_literal_in_the_templates_has_a_listed_term() -> None:
    """A `{% plain "…" %}` whose text holds no listed term would never change: a typo or a missing entry."""
    literals = {
        text for path in SRC.rglob("templates/**/*.html") for text in LITERAL.findall(path.read_text(encoding="utf-8"))
    }
    assert len(literals) > 30
    assert [text for text in sorted(literals) if plain(text) == text] == []
    assert all(value and plain(value) == value for value in PLAIN_WORDS.values())  # plain words are final


def test_the_glossary_lists_the_vocabulary() -> None:
    glossary = (SRC.parents[1] / "docs" / "glossary.md").read_text(encoding="utf-8")
    assert [f"{k} → {v}" for k, v in PLAIN_WORDS.items() if f"{k} → {v}" not in glossary] == []
