"""`{% plain text %}`: the text in 长者模式's plainer words when elder mode is on (core/plain_words.py)."""

from __future__ import annotations

from typing import Any

from django import template

from zhengwu.core import plain_words

register = template.Library()


@register.simple_tag(takes_context=True)
def plain(context: template.Context, text: Any) -> str:
    value = str(text)
    return plain_words.plain(value) if context.get("elder_mode") else value
