"""The API's field errors in Chinese, naming the field and the limit (docs/design.md rule
"messages"): pydantic says "Input should be less than or equal to 500"; a department's developer
reading our answer gets "limit 不能大于 500。". Rewritten by pydantic's error type, with the
limit from its context; a type without a template gets a plain "格式有误" naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# pydantic's error type → the message; `{field}` is the field's name, the rest its context.
TEMPLATES: dict[str, str] = {
    "missing": "缺少 {field}。",
    "int_parsing": "{field} 须是整数。",
    "int_type": "{field} 须是整数。",
    "int_from_float": "{field} 须是整数。",
    "float_parsing": "{field} 须是数字。",
    "float_type": "{field} 须是数字。",
    "decimal_parsing": "{field} 须是数字。",
    "bool_parsing": "{field} 须是 true 或 false。",
    "bool_type": "{field} 须是 true 或 false。",
    "date_parsing": "{field} 须是日期（YYYY-MM-DD）。",
    "date_from_datetime_parsing": "{field} 须是日期（YYYY-MM-DD）。",
    "date_type": "{field} 须是日期（YYYY-MM-DD）。",
    "datetime_parsing": "{field} 须是时间（ISO 8601，如 2026-01-31T09:00:00+08:00）。",
    "datetime_from_date_parsing": "{field} 须是时间（ISO 8601，如 2026-01-31T09:00:00+08:00）。",
    "datetime_type": "{field} 须是时间（ISO 8601，如 2026-01-31T09:00:00+08:00）。",
    "string_type": "{field} 须是文字。",
    "string_too_long": "{field} 不能超过 {max_length} 个字。",
    "string_too_short": "{field} 至少要 {min_length} 个字。",
    "string_pattern_mismatch": "{field} 的格式不对。",
    "less_than_equal": "{field} 不能大于 {le}。",
    "less_than": "{field} 须小于 {lt}。",
    "greater_than_equal": "{field} 不能小于 {ge}。",
    "greater_than": "{field} 须大于 {gt}。",
    "too_long": "{field} 最多 {max_length} 项。",
    "too_short": "{field} 至少 {min_length} 项。",
    "list_type": "{field} 须是列表。",
    "dict_type": "{field} 须是对象。",
    "model_attributes_type": "{field} 须是对象。",
    "enum": "{field} 须是以下之一：{expected}。",
    "literal_error": "{field} 须是以下之一：{expected}。",
    "extra_forbidden": "不接受 {field}。",
    "json_invalid": "请求内容不是有效的 JSON。",
}
FALLBACK = "{field} 格式有误。"


def field_message(error: Mapping[str, Any], field: str) -> str:
    """One pydantic error (an item of `ValidationError.errors()`) as a Chinese message for `field`."""
    template = TEMPLATES.get(str(error.get("type", "")), FALLBACK)
    context = {key: str(value) for key, value in (error.get("ctx") or {}).items()}
    try:
        return template.format(field=field, **context)
    except (KeyError, IndexError):  # a context without the limit the template names
        return FALLBACK.format(field=field)
