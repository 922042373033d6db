"""Small template helpers of the participation pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """`mapping[key]`, or "" when absent (errors by field name)."""
    return mapping.get(key, "") if hasattr(mapping, "get") else ""


@register.filter
def scale_values(question: Any) -> list[int]:
    return list(range(question.scale_min, question.scale_max + 1))
