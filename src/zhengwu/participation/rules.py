"""Default deadlines of the letter cycle (RULES §6) and the timer kinds that carry them.

RULES §6 gives: online receipt within 24 hours, handling within 5 working days with one extension
of at most 10, a misrouted letter sent back within 2 working days (local practice, e.g. Shandong).
The dispatch, completion, call-back and rating periods are not fixed by the rules: the defaults
below are *(unverified)* local practice. Every value can be changed without a code change by the
setting `PARTICIPATION_DEADLINES` (a dict with any of these keys).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, int] = {
    "receipt_minutes": 24 * 60,  # 受理回执：网上来信 24 小时内
    "dispatch_days": 1,  # 派单 (unverified)
    "sign_days": 2,  # 承办单位签收或退回（错派退回）2 个工作日内
    "handling_days": 5,  # 办理答复 5 个工作日
    "extension_max_days": 10,  # 延期一次，不超过 10 个工作日
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


def deadline(name: str) -> int:
    overrides: dict[str, Any] = getattr(settings, "PARTICIPATION_DEADLINES", {}) or {}
    value = overrides.get(name, DEFAULTS[name])
    return int(value)
