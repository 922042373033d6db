"""The platform's measures (考核口径): what an indicator can be computed from (docs/rules.md §13).

Governance measures from the evidence the platform already holds; departments type nothing.
Each measure is an aggregate over a period for every department at once: `counts(period)` returns
`{department_id: (numerator, denominator)}` from one GROUP BY (the timer measures share one GROUP BY
over the supervision `Timer` table by department and kind). A rate's value is numerator /
denominator (None when there was nothing to judge); a count's value is the numerator
(denominator None). `evidence(period, department_id)` lists the items behind a figure where they
are rows (the late timers, the unanswered letters, the stale sections), each with its own link.

Lower apps are reached through their selectors only (the layer contract).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from zhengwu.catalog import selectors as catalog_selectors
from zhengwu.core import workdays
from zhengwu.disclosure import selectors as disclosure_selectors
from zhengwu.eservices import selectors as eservices_selectors
from zhengwu.exchange.sharing import selectors as sharing_selectors
from zhengwu.participation import selectors as participation_selectors
from zhengwu.supervision import selectors as supervision_selectors

Counts = dict[int, tuple[float, float | None]]


class Category:
    SHARING = "共享"
    DISCLOSURE = "公开"
    SERVICES = "服务"
    LETTERS = "来信"
    WEBSITE = "网站"
    SATISFACTION = "满意度"


@dataclass
class Period:
    """An evaluation period [first, last] (Beijing dates) as of `now`, with a cache for shared reads."""

    first: date
    last: date
    now: datetime = field(default_factory=timezone.now)
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=workdays.CHINA_TZ)

    @property
    def end(self) -> datetime:
        """The first moment after the period (exclusive)."""
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=workdays.CHINA_TZ)

    @property
    def as_of(self) -> datetime:
        """The period's end, or now while it lasts."""
        return min(self.end, self.now)

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]


@dataclass(frozen=True)
class EvidenceRow:
    title: str
    when: str
    note: str
    url: str = ""


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    category: str
    kind: str  # "rate" (0–1) or "count"
    description: str
    counts: Callable[[Period], Counts]
    evidence: Callable[[Period, int], list[EvidenceRow]] | None = None
    default_target: float = 1.0

    @property
    def is_rate(self) -> bool:
        return self.kind == "rate"


# --- timers (one GROUP BY for every timer measure of a run) -------------------------------------------------

TIMER_KINDS: dict[str, str] = {
    "sharing.requests_on_time": "exchange.share_request",
    "sharing.objections_on_time": "exchange.objection",
    "disclosure.publications_on_time": "disclosure.publication",
    "disclosure.requests_on_time": "disclosure.request",
    "services.applications_on_time": "eservices.application",
    "services.rectifications_on_time": "eservices.rectification",
    "letters.on_time": "participation.handling",
}


def _timer_table(period: Period) -> dict[tuple[int, str], tuple[int, int]]:
    return period.memo(
        "timers",
        lambda: supervision_selectors.on_time_counts(
            period.first, period.last, kinds=tuple(TIMER_KINDS.values()), now=period.now
        ),
    )


def _timer_counts(kind: str) -> Callable[[Period], Counts]:
    def counts(period: Period) -> Counts:
        return {dept: (float(ok), float(due)) for (dept, k), (ok, due) in _timer_table(period).items() if k == kind}

    return counts


def _timer_evidence(kind: str) -> Callable[[Period, int], list[EvidenceRow]]:
    def evidence(period: Period, department_id: int) -> list[EvidenceRow]:
        late = supervision_selectors.late_in_period(
            department_id, period.first, period.last, kinds=(kind,), now=period.now
        )
        return [
            EvidenceRow(
                title=t.title,
                when=f"{t.deadline:%Y-%m-%d}",
                note="逾期办结" if t.finished_at else "逾期未办结",
                url=reverse("supervision_wb:timer", args=[t.pk]),
            )
            for t in late[:500]
        ]

    return evidence


# --- the other measures ---------------------------------------------------------------------------------


def _catalog(period: Period) -> dict[int, dict[str, int]]:
    return period.memo("catalog", lambda: catalog_selectors.catalog_counts(period.as_of))


def _calls(period: Period) -> dict[int, dict[str, int]]:
    return period.memo("calls", lambda: sharing_selectors.calls_by_department(period.start, period.end))


def _catalog_published(period: Period) -> Counts:
    return {d: (float(c["published"]), float(c["registered"])) for d, c in _catalog(period).items()}


def _catalog_fresh(period: Period) -> Counts:
    return {d: (float(c["fresh"]), float(c["published"])) for d, c in _catalog(period).items() if c["published"]}


def _calls_served(period: Period) -> Counts:
    return {d: (float(c.get("served", 0)), None) for d, c in _calls(period).items() if "asked" in c}


def _calls_used(period: Period) -> Counts:
    return {d: (float(c.get("used", 0)), None) for d, c in _calls(period).items() if "used" in c}


def _sections(period: Period) -> dict[int, list[tuple[str, datetime]]]:
    return period.memo("sections", lambda: disclosure_selectors.section_ages(period.as_of))


def _section_stale(period: Period, category: str, latest: datetime) -> bool:
    return period.as_of - latest > timedelta(days=disclosure_selectors.section_limit_days(category))


def _sections_fresh(period: Period) -> Counts:
    return {
        d: (float(sum(not _section_stale(period, c, at) for c, at in rows)), float(len(rows)))
        for d, rows in _sections(period).items()
    }


def _sections_evidence(period: Period, department_id: int) -> list[EvidenceRow]:
    labels = dict(disclosure_selectors.Category.choices)
    return [
        EvidenceRow(
            title=f"栏目“{labels.get(category, category)}”",
            when=f"{workdays.today(latest):%Y-%m-%d}",
            note=f"超过 {disclosure_selectors.section_limit_days(category)} 天未更新",
        )
        for category, latest in sorted(_sections(period).get(department_id, []))
        if _section_stale(period, category, latest)
    ]


def _annual_report(period: Period) -> Counts:
    """The report on the year before the period's end year, due by 31 January of that year."""
    year = period.last.year
    due = datetime.combine(date(year, 2, 1), time.min, tzinfo=workdays.CHINA_TZ)
    saved = disclosure_selectors.annual_reports_saved(year - 1, min(due, period.as_of))
    return {d: (1.0 if ok else 0.0, 1.0) for d, ok in saved.items()}


def _online(period: Period) -> Counts:
    return {
        d: (float(a), float(b)) for d, (a, b) in eservices_selectors.online_counts(period.first, period.last).items()
    }


def _ratings(period: Period) -> dict[int, tuple[int, int]]:
    return period.memo(
        "ratings",
        lambda: {
            s.department_id: (s.good, s.total) for s in eservices_selectors.rating_stats(period.first, period.last)
        },
    )


def _service_ratings(period: Period) -> Counts:
    return {d: (float(good), float(total)) for d, (good, total) in _ratings(period).items()}


def _letter_ratings(period: Period) -> Counts:
    rows = participation_selectors.letter_ratings(period.start, period.end)
    return {d: (float(good), float(rated)) for d, (good, rated) in rows.items()}


def _unanswered(period: Period) -> Counts:
    return {d: (float(n), None) for d, n in participation_selectors.unanswered_counts(period.start, period.end).items()}


def _unanswered_evidence(period: Period, department_id: int) -> list[EvidenceRow]:
    letters = participation_selectors.unanswered_letters(period.start, period.end).filter(department_id=department_id)
    return [
        EvidenceRow(
            title=f"{letter.number} {letter.title}",
            when=f"{workdays.today(letter.submitted_at):%Y-%m-%d}",
            note="超过三个月才答复" if letter.replied_at else "超过三个月未答复",
            url=reverse("participation_wb:letter", args=[letter.pk]),
        )
        for letter in letters.order_by("submitted_at")[:500]
    ]


def _public_satisfaction(period: Period) -> Counts:
    """Survey scale answers (each scaled 0–1) and service ratings (满意 or better = 1) pooled."""
    surveys = participation_selectors.survey_satisfaction(period.start, period.end)
    ratings = _ratings(period)
    out: Counts = {}
    for d in set(surveys) | set(ratings):
        s_sum, s_n = surveys.get(d, (0.0, 0))
        r_good, r_n = ratings.get(d, (0, 0))
        out[d] = (s_sum + r_good, float(s_n + r_n))
    return out


def _timer_measure(code: str, label: str, category: str, description: str) -> Measure:
    kind = TIMER_KINDS[code]
    return Measure(code, label, category, "rate", description, _timer_counts(kind), _timer_evidence(kind), 0.95)


MEASURES: dict[str, Measure] = {
    m.code: m
    for m in (
        Measure(
            "sharing.catalog_published",
            "目录资源发布率",
            Category.SHARING,
            "rate",
            "已编目资源（不含已撤销）中已发布的比例（期末）。",
            _catalog_published,
            default_target=0.9,
        ),
        Measure(
            "sharing.freshness",
            "数据按期更新率",
            Category.SHARING,
            "rate",
            "已发布资源中，数据在其更新周期内更新过的比例（期末，catalog.freshness）。",
            _catalog_fresh,
            default_target=0.9,
        ),
        _timer_measure(
            "sharing.requests_on_time",
            "共享申请按时答复率",
            Category.SHARING,
            "共享申请在 10 个工作日内答复的比例（督办计时）。",
        ),
        _timer_measure(
            "sharing.objections_on_time",
            "数据纠错按时核实率",
            Category.SHARING,
            "数据纠错在时限内核实的比例（督办计时）。",
        ),
        Measure(
            "sharing.calls_served",
            "共享调用服务次数",
            Category.SHARING,
            "count",
            "本部门资源在考核期内被成功调用的次数（共享访问日志）。",
            _calls_served,
            default_target=1000,
        ),
        Measure(
            "sharing.calls_used",
            "共享数据使用次数",
            Category.SHARING,
            "count",
            "本部门在考核期内成功调用共享数据的次数（共享访问日志）。",
            _calls_used,
            default_target=1000,
        ),
        _timer_measure(
            "disclosure.publications_on_time",
            "主动公开按时率",
            Category.DISCLOSURE,
            "主动公开信息在 20 个工作日内公开的比例（督办计时）。",
        ),
        _timer_measure(
            "disclosure.requests_on_time",
            "依申请公开按时答复率",
            Category.DISCLOSURE,
            "依申请公开在法定期限内答复的比例（督办计时）。",
        ),
        Measure(
            "disclosure.annual_report",
            "年度报告按时发布",
            Category.DISCLOSURE,
            "rate",
            "上一年度政府信息公开工作年度报告在 1 月 31 日前完成（有公开信息的机关）。",
            _annual_report,
        ),
        _timer_measure(
            "services.applications_on_time",
            "办件按时办结率",
            Category.SERVICES,
            "办件在承诺时限内办结的比例（督办计时）。",
        ),
        Measure(
            "services.online_share",
            "全程网办率",
            Category.SERVICES,
            "rate",
            "考核期内办结的办件中无需到现场的比例。",
            _online,
            default_target=0.8,
        ),
        Measure(
            "services.ratings",
            "好差评满意率",
            Category.SERVICES,
            "rate",
            "考核期内的好差评中“满意”及以上的比例（申诉成立的不计）。",
            _service_ratings,
            default_target=0.95,
        ),
        _timer_measure(
            "services.rectifications_on_time",
            "差评按时整改率",
            Category.SERVICES,
            "差评在整改时限内整改的比例（督办计时）。",
        ),
        _timer_measure(
            "letters.on_time", "来信按时答复率", Category.LETTERS, "来信在办理时限内答复的比例（督办计时）。"
        ),
        Measure(
            "letters.satisfaction",
            "来信满意率",
            Category.LETTERS,
            "rate",
            "考核期内评价的来信中“满意”及以上的比例。",
            _letter_ratings,
            default_target=0.9,
        ),
        Measure(
            "website.sections_fresh",
            "栏目按期更新率",
            Category.WEBSITE,
            "rate",
            "公开栏目（本部门发布过信息的公开类别）中按期更新的比例：动态类栏目两周、其他栏目六个月（期末）。",
            _sections_fresh,
            _sections_evidence,
        ),
        Measure(
            "website.unanswered",
            "超三个月未答复留言",
            Category.WEBSITE,
            "count",
            "考核期内的来信中超过三个月未答复的件数（单项否决项，宜用零容忍规则）。",
            _unanswered,
            _unanswered_evidence,
            default_target=0,
        ),
        Measure(
            "satisfaction.public",
            "公众满意度",
            Category.SATISFACTION,
            "rate",
            "问卷量表题（折算为 0–1）与好差评（满意及以上计 1）的合并平均。",
            _public_satisfaction,
            default_target=0.9,
        ),
    )
}


def measure_choices() -> list[tuple[str, str]]:
    return [(m.code, f"{m.category} · {m.label}") for m in MEASURES.values()]
