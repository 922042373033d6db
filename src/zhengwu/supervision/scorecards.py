"""Registry of department figures that live above supervision (eservices, participation …).

The department scorecard (部门绩效考评) combines figures computed here from timers (on-time
rate, average handling time) with figures only higher apps know: satisfaction (满意度), the
share of online applications (网办率) and the average number of visits (平均跑动次数). An app
above supervision cannot be imported from here (layers), so it registers a provider from its
`AppConfig.ready()`:

    from zhengwu.supervision.scorecards import register_figures

    class EservicesConfig(AppConfig):
        def ready(self) -> None:
            register_figures("eservices", eservices_figures)

`provider(first_day, last_day)` gets the month's first and last day (inclusive, Beijing dates)
and returns `{department_id: {"satisfaction": 0.0–1.0 | None, "online_share": 0.0–1.0 | None,
"visits_avg": float | None}}`. Missing keys / departments mean "no figure" (shown as "—").
When several providers give the same key for a department, the first registered non-None
value wins. A provider that raises is logged and skipped (the scorecard must still render).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import date

from zhengwu.supervision.registry import Registry

logger = logging.getLogger(__name__)

FIGURE_KEYS: tuple[str, ...] = ("satisfaction", "online_share", "visits_avg")
FIGURE_LABELS: dict[str, str] = {
    "satisfaction": "满意度",
    "online_share": "网上办理率",
    "visits_avg": "平均跑动次数",
}

Figures = Mapping[int, Mapping[str, float | None]]
Provider = Callable[[date, date], Figures]

_providers: Registry[Provider] = Registry("register_figures", "provider")
register_figures = _providers.register
unregister_figures = _providers.unregister
registered_providers = _providers.registered


def collect_figures(first_day: date, last_day: date) -> dict[int, dict[str, float | None]]:
    """All registered figures of the period, merged per department id (keys of `FIGURE_KEYS`)."""
    merged: dict[int, dict[str, float | None]] = {}
    for name, provider in list(_providers.items()):
        try:
            figures = provider(first_day, last_day)
        except Exception:  # a broken provider must not break the scorecard page
            logger.exception("scorecard figures provider %s failed", name)
            continue
        for department_id, values in (figures or {}).items():
            row = merged.setdefault(int(department_id), {})
            for key in FIGURE_KEYS:
                value = values.get(key)
                if value is not None and row.get(key) is None:
                    row[key] = float(value)
    return merged
