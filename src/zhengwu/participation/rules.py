"""Default deadlines of the letter cycle (docs/rules.md §6) and the timer kinds that carry them.

docs/rules.md §6 gives: online receipt within 24 hours, handling within 5 working days with one extension
of at most 10, a misrouted letter sent back within 2 working days. Those three are *(unverified
local practice)*, e.g. Shandong; provinces differ, so each is a setting read from the environment
with a strict parser (settings.py, docs/design.md rule 8), like `ZHENGWU_SHARE_REQUEST_DAYS`:

- `ZHENGWU_LETTER_HANDLING_DAYS` (default 5): working days to handle and reply (`handling_days`);
- `ZHENGWU_LETTER_EXTENSION_DAYS` (default 10): the most one extension may add (`extension_max_days`);
- `ZHENGWU_LETTER_RETURN_DAYS` (default 2): working days after dispatch to sign for or send back
  a misrouted letter (`sign_days`).

The dispatch, completion, call-back and rating periods are not fixed by the rules: the defaults
below are *(unverified)* local practice, and can be changed by the Django setting
`PARTICIPATION_DEADLINES` (a dict with any of those keys).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

# Photos of a letter (a picture of the problem): at most 3, each at most 5 MB, JPEG/PNG/WebP by
# content (docs/rules.md §6 “来信照片”; the numbers are our own choice, unverified).
PHOTO_MAX_COUNT = 3
PHOTO_MAX_BYTES = 5 * 1024 * 1024

DEFAULTS: dict[str, int] = {
    "receipt_minutes": 24 * 60,  # 受理回执：网上来信 24 小时内
    "dispatch_days": 1,  # 派单 (unverified)
    "sign_days": 2,  # 承办单位签收或退回（错派退回）2 个工作日内 — ZHENGWU_LETTER_RETURN_DAYS
    "handling_days": 5,  # 办理答复 5 个工作日 — ZHENGWU_LETTER_HANDLING_DAYS
    "extension_max_days": 10,  # 延期一次，不超过 10 个工作日 — ZHENGWU_LETTER_EXTENSION_DAYS
    "completion_days": 2,  # 答复审核办结 (unverified)
    "callback_days": 3,  # 回访 (unverified)
    "rating_days": 5,  # 来信人评价期 (unverified)
}

# Timer kinds (supervision) and their Chinese labels.
RECEIPT = "participation.receipt"
DISPATCH = "participation.dispatch"
SIGN = "participation.sign"
HANDLING = "participation.handling"
COMPLETION = "participation.completion"
CALLBACK = "participation.callback"
RATING = "participation.rating"

LABELS = {
    RECEIPT: "来信受理（24小时）",
    DISPATCH: "来信派单",
    SIGN: "来信签收或退回",
    HANDLING: "来信办理答复",
    COMPLETION: "来信答复审核办结",
    CALLBACK: "来信回访",
    RATING: "来信评价",
}

ALL_KINDS = tuple(LABELS)


# The deadlines of docs/rules.md §6 and the environment settings that carry them (settings.py).
SETTINGS: dict[str, str] = {
    "handling_days": "ZHENGWU_LETTER_HANDLING_DAYS",
    "extension_max_days": "ZHENGWU_LETTER_EXTENSION_DAYS",
    "sign_days": "ZHENGWU_LETTER_RETURN_DAYS",
}


def deadline(name: str) -> int:
    """The period `name` (a key of `DEFAULTS`) as configured: minutes for `receipt_minutes`,
    working days otherwise."""
    if name in SETTINGS:
        return int(getattr(settings, SETTINGS[name]))
    overrides: dict[str, Any] = getattr(settings, "PARTICIPATION_DEADLINES", {}) or {}
    value = overrides.get(name, DEFAULTS[name])
    return int(value)
