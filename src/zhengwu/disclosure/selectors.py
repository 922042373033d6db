"""Reads of the disclosure app: published items and their search, requests, to-do list, figures.

Search (`search_publications`): the query is cut by jieba (`search.query_terms`) and ranked by
`search_index.Ranking` (SQLite FTS5 BM25 with column weights, or the term table elsewhere);
filters join the publication row. Only published items are indexed (withdrawal removes them).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.urls import reverse

from zhengwu.accounts.models import Department, Role
from zhengwu.core.contracts import DataSection, SearchHit, TodoItem, moment_text
from zhengwu.core.errors import not_found
from zhengwu.disclosure import search_index
from zhengwu.disclosure.models import (
    AnnualReport,
    AnswerKind,
    ApplicantKind,
    Category,
    DisclosureRequest,
    Publication,
    ResultDetail,
    Validity,
)
from zhengwu.disclosure.search import query_terms, required_terms
from zhengwu.disclosure.services.publications import PUBLICATION_TIMER
from zhengwu.disclosure.services.requests import DETAIL_REQUIRED, REQUEST_TIMER, RESULT_DETAILS
from zhengwu.supervision import selectors as supervision_selectors
from zhengwu.supervision.models import Timer

if TYPE_CHECKING:
    from zhengwu.accounts.models import User

PUBLISHED = Publication.State.PUBLISHED
INDEX_NUMBER_RE = re.compile(r"^[0-9A-Z]{18}/\d{4}-\d{5}$")
TODO_LIMIT = 200


# --- publications ---------------------------------------------------------------------------


def published() -> QuerySet[Publication]:
    return Publication.objects.filter(state=PUBLISHED).select_related("department")


def publication_get_public(key: str) -> Publication:
    """A published item by its index number or id (404 otherwise)."""
    rows = published()
    if INDEX_NUMBER_RE.match(key):
        found = rows.filter(index_number=key).first()
    elif key.isdigit() and len(key) < 12:
        found = rows.filter(pk=int(key)).first()
    else:
        found = None
    if found is None:
        raise not_found("公开信息")
    return found


def related_policies(publication: Publication) -> tuple[Publication | None, list[Publication]]:
    """A published item's links of 政策解读 (docs/rules.md §4): the published policy it explains, if it
    is an interpretation, and the published interpretations of it."""
    explained = published().filter(pk=publication.interprets_id).first() if publication.interprets_id else None
    interpretations = list(published().filter(interprets=publication).order_by("-published_at", "-id"))
    return explained, interpretations


@dataclass(frozen=True)
class Filters:
    department_id: int | None = None
    category: str = ""
    year: int | None = None
    validity: str = ""

    def columns(self) -> dict[str, Any]:
        return {
            "department_id": self.department_id,
            "category": self.category,
            "index_year": self.year,
            "validity": self.validity,
        }

    def q(self, prefix: str = "") -> Q:
        q = Q()
        if self.department_id is not None:
            q &= Q(**{f"{prefix}department_id": self.department_id})
        if self.category:
            q &= Q(**{f"{prefix}category": self.category})
        if self.year is not None:
            q &= Q(**{f"{prefix}index_year": self.year})
        if self.validity:
            q &= Q(**{f"{prefix}validity": self.validity})
        return q


def parse_filters(params: Any) -> Filters:
    """Filters from a query dict; anything invalid is simply ignored."""
    department = str(params.get("agency", "") or "")
    category = str(params.get("category", "") or "")
    year = str(params.get("year", "") or "")
    validity = str(params.get("validity", "") or "")
    return Filters(
        department_id=int(department) if department.isdigit() and len(department) < 10 else None,
        category=category if category in Category.values else "",
        year=int(year) if year.isdigit() and len(year) == 4 else None,
        validity=validity if validity in Validity.values else "",
    )


class RankedResults(Sequence[Publication]):
    """A lazily evaluated, relevance-ordered result list that Django's Paginator can page through
    (`count()` and slices); the ranking itself is `search_index.Ranking` (FTS5 or the term table)."""

    def __init__(self, required: list[str], terms: list[str], filters: Filters) -> None:
        self._ranking = search_index.Ranking(required, terms, filters.columns())
        self.more = self._ranking.capped  # more than COUNT_CAP matches: only the first are paged

    def count(self, value: object = None) -> int:
        return self._ranking.pageable()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: Any) -> Any:
        if not isinstance(index, slice):
            found = self[index : index + 1]
            if not found:
                raise IndexError(index)
            return found[0]
        start = index.start or 0
        stop = self.count() if index.stop is None else index.stop
        ranked = self._ranking.page(start, stop - start)
        by_id = published().in_bulk([pk for pk, _ in ranked])
        out = []
        for pk, score in ranked:
            publication = by_id.get(pk)
            if publication is not None:
                publication.score = score  # type: ignore[attr-defined]
                out.append(publication)
        return out


def search_publications(query: str, filters: Filters = Filters()) -> Sequence[Publication] | QuerySet[Publication]:
    """Published items matching `query` (best first) and `filters`; without a query, newest first."""
    query = (query or "").strip()[:100]
    if query and INDEX_NUMBER_RE.match(query):
        return list(published().filter(index_number=query))
    terms = query_terms(query) if query else []
    if query and not terms:
        return []
    if terms:
        return RankedResults(required_terms(query), terms, filters)
    return published().filter(filters.q()).order_by("-published_at", "-id")


def public_search(query: str, *, limit: int = 10) -> list[SearchHit]:
    """What the portal's one search box finds among published items, best first."""
    query = (query or "").strip()
    if not query:
        return []
    results = search_publications(query)
    hits = []
    for publication in list(results[:limit]):
        hits.append(
            SearchHit(
                kind="disclosure",
                kind_label="政府信息公开",
                title=publication.title,
                url=reverse("disclosure:detail", args=[publication.url_key]),
                summary=" · ".join(
                    part
                    for part in (publication.department.name, publication.document_number, publication.index_number)
                    if part
                ),
                day=publication.date_written,
                score=float(getattr(publication, "score", 0)),
            )
        )
    return hits


def agencies_with_publications() -> list[Department]:
    """Departments with at least one published item (cached for a minute; see `index_changed`)."""
    ids = search_index.cached(
        "agencies",
        lambda: list(Publication.objects.filter(state=PUBLISHED).values_list("department_id", flat=True).distinct()),
    )
    return list(Department.objects.filter(pk__in=ids).order_by("name"))


def category_counts(department_id: int | None = None) -> list[tuple[str, str, int]]:
    """(category, label, number of published items) for the catalogue tree (cached for a minute)."""

    def compute() -> dict[str, int]:
        rows = Publication.objects.filter(state=PUBLISHED)
        if department_id is not None:
            rows = rows.filter(department_id=department_id)
        return dict(rows.values_list("category").annotate(n=Count("id")).values_list("category", "n"))

    counts = search_index.cached(f"categories:{department_id or 'all'}", compute)
    return [(value, label, counts.get(value, 0)) for value, label in Category.choices]


def department_publications(user: User) -> QuerySet[Publication]:
    """Every publication (all states) of the staff user's department."""
    if user.department_id is None:
        return Publication.objects.none()
    return Publication.objects.filter(department_id=user.department_id).select_related("department")


def publication_timer(publication: Publication) -> Any:
    return supervision_selectors.timer_for(publication, PUBLICATION_TIMER)


# --- requests -------------------------------------------------------------------------------


def requests_of_applicant(user: User) -> QuerySet[DisclosureRequest]:
    return DisclosureRequest.objects.filter(applicant=user).select_related("department").order_by("-id")


def request_of_applicant(user: User, pk: int) -> DisclosureRequest:
    found = requests_of_applicant(user).filter(pk=pk).first()
    if found is None:
        raise not_found("公开申请")
    return found


def requests_for_staff(user: User) -> QuerySet[DisclosureRequest]:
    """The requests made to the staff user's agency (clerks and leaders only)."""
    if user.department_id is None or not user.has_role(Role.CLERK, Role.DEPT_LEADER):
        return DisclosureRequest.objects.none()
    return DisclosureRequest.objects.filter(department_id=user.department_id).select_related("department")


def request_for_staff(user: User, pk: int) -> DisclosureRequest:
    found = requests_for_staff(user).filter(pk=pk).first()
    if found is None:
        raise not_found("公开申请")
    return found


def request_timer(disclosure_request: DisclosureRequest) -> Any:
    return supervision_selectors.timer_for(disclosure_request, REQUEST_TIMER)


def todo_items(user: User) -> list[TodoItem]:
    """Open requests of the user's agency (with the answer deadline and light) and drafts whose
    publication deadline runs."""
    if user.department_id is None or not user.has_role(Role.CLERK, Role.DEPT_LEADER):
        return []
    items: list[TodoItem] = []
    open_requests = list(
        requests_for_staff(user).filter(state__in=DisclosureRequest.OPEN_STATES).order_by("id")[:TODO_LIMIT]
    )
    drafts = list(department_publications(user).filter(state=Publication.State.DRAFT).order_by("id")[:TODO_LIMIT])
    timers = {
        (t.target_type, t.target_id): t
        for t in supervision_selectors.with_light().filter(
            kind__in=[REQUEST_TIMER, PUBLICATION_TIMER],
            department_id=user.department_id,
            state__in=["running", "paused"],
        )
    }
    for req in open_requests:
        timer = timers.get(("disclosure.disclosurerequest", str(req.pk)))
        what = {
            "submitted": "待确认收到",
            "correction": "待申请人补正",
            "consulting": "征求第三方意见中",
        }.get(str(req.state), "待答复")
        items.append(
            TodoItem.timed(
                "依申请公开",
                f"{req.number} {req.applicant_name}：{req.description[:30]}（{what}）",
                reverse("disclosure_wb:request", args=[req.pk]),
                timer,
                claimed_by=req.handled_by.real_name if req.handled_by_id and req.handled_by else "",
            )
        )
    for publication in drafts:
        timer = timers.get(("disclosure.publication", str(publication.pk)))
        items.append(
            TodoItem.timed(
                "主动公开",
                f"待发布：{publication.title}",
                reverse("disclosure_wb:publication", args=[publication.pk]),
                timer,
            )
        )
    return items


# --- annual report --------------------------------------------------------------------------


# Table 三's applicant columns (国办公开办函〔2021〕30号): 自然人, then the five kinds of 法人或其他组织.
APPLICANT_COLUMNS: tuple[str, ...] = (
    ApplicantKind.CITIZEN,
    ApplicantKind.BUSINESS,
    ApplicantKind.RESEARCH,
    ApplicantKind.NONPROFIT,
    ApplicantKind.LEGAL_SERVICE,
    ApplicantKind.LEGAL_PERSON,
)
# Table 三's result rows by key: 予以公开 (incl. 已主动公开), 部分公开, then the `ResultDetail` values.
DISCLOSED_ROW = "disclosed"
UNCLASSIFIED_ROW = "unclassified"  # a refusal answered before the reason was recorded
REPORT_PUBLICATION_CATEGORIES = (Category.REGULATION, Category.NORMATIVE)


def result_row(state: str, answer_kind: str, result_detail: str) -> str:
    """The row of table 三 (本年度办理结果) a finished request counts in."""
    if state == DisclosureRequest.State.CLOSED:
        return result_detail or ResultDetail.OTHER
    if answer_kind in (AnswerKind.ALREADY_PUBLIC, AnswerKind.DISCLOSED):
        return ResultDetail.PARTIAL if result_detail == ResultDetail.PARTIAL else DISCLOSED_ROW
    if result_detail:
        return result_detail
    if answer_kind in DETAIL_REQUIRED or answer_kind not in RESULT_DETAILS:
        return UNCLASSIFIED_ROW
    return RESULT_DETAILS[answer_kind][0]


@dataclass
class RequestTable:
    """Table 三: every list has one number per `APPLICANT_COLUMNS` entry and the total last."""

    received: list[int]
    carried_over: list[int]
    results: dict[str, list[int]]
    results_total: list[int]
    carried_forward: list[int]

    def result(self, key: str) -> list[int]:
        return self.results.get(key, [0] * (len(APPLICANT_COLUMNS) + 1))


@dataclass
class ReportFigures:
    """The platform's figures for an agency's annual report (parts of 一, 二, 三 and 六)."""

    year: int
    published_total: int
    # category → (本年制发件数, 本年废止件数, 现行有效件数) for 规章 and 行政规范性文件
    documents: dict[str, tuple[int, int, int]]
    requests: RequestTable
    fees_total: Decimal
    fees_count: int
    on_time: int
    late: int


def _by_applicant(rows: QuerySet[DisclosureRequest]) -> list[int]:
    counts = dict(rows.values_list("applicant_kind").annotate(n=Count("id")).values_list("applicant_kind", "n"))
    cells = [counts.get(kind, 0) for kind in APPLICANT_COLUMNS]
    return [*cells, sum(cells)]


def _finished_before(day: date) -> Q:
    """Requests answered or closed before `day` (a closed one without a date counts as finished)."""
    return (
        Q(state=DisclosureRequest.State.ANSWERED, answered_on__lt=day)
        | Q(state=DisclosureRequest.State.CLOSED, closed_on__lt=day)
        | Q(state=DisclosureRequest.State.CLOSED, closed_on__isnull=True)
    )


def request_table(department: Department, year: int) -> RequestTable:
    """Received in `year`, carried over from before it, finished in it (by result row) and still open
    at its end, by applicant column. received + carried_over == results_total + carried_forward."""
    start, next_start = date(year, 1, 1), date(year + 1, 1, 1)
    rows = DisclosureRequest.objects.filter(department=department, received_on__isnull=False)
    finished = rows.filter(
        Q(state=DisclosureRequest.State.ANSWERED, answered_on__gte=start, answered_on__lt=next_start)
        | Q(state=DisclosureRequest.State.CLOSED, closed_on__gte=start, closed_on__lt=next_start)
    )
    columns = {kind: index for index, kind in enumerate(APPLICANT_COLUMNS)}
    results: dict[str, list[int]] = {}
    grouped = (
        finished.values_list("state", "answer_kind", "result_detail", "applicant_kind")
        .annotate(n=Count("id"))
        .values_list("state", "answer_kind", "result_detail", "applicant_kind", "n")
    )
    for state, kind, detail, applicant_kind, n in grouped:
        cells = results.setdefault(result_row(state, kind, detail), [0] * (len(APPLICANT_COLUMNS) + 1))
        cells[columns.get(applicant_kind, columns[ApplicantKind.LEGAL_PERSON])] += n
        cells[-1] += n
    total = [sum(cells[i] for cells in results.values()) for i in range(len(APPLICANT_COLUMNS) + 1)]
    return RequestTable(
        received=_by_applicant(rows.filter(received_on__gte=start, received_on__lt=next_start)),
        carried_over=_by_applicant(rows.filter(received_on__lt=start).exclude(_finished_before(start))),
        results=results,
        results_total=total,
        carried_forward=_by_applicant(rows.filter(received_on__lt=next_start).exclude(_finished_before(next_start))),
    )


def document_counts(department: Department, year: int) -> dict[str, tuple[int, int, int]]:
    """规章 and 行政规范性文件 (table 二): made in the year, no longer valid since a day of the year,
    and valid at its end — among the agency's published items."""
    year_end = date(year, 12, 31)
    out = {}
    for category in REPORT_PUBLICATION_CATEGORIES:
        rows = Publication.objects.filter(department=department, category=category, state=PUBLISHED)
        out[str(category)] = (
            rows.filter(date_written__year=year).count(),
            rows.exclude(validity=Validity.VALID).filter(validity_changed_on__year=year).count(),
            rows.filter(date_written__lte=year_end, published_at__year__lte=year)
            .filter(Q(validity=Validity.VALID) | Q(validity_changed_on__gt=year_end))
            .count(),
        )
    return out


def annual_report_figures(department: Department, year: int) -> ReportFigures:
    """Computed from the platform's records for `department` in calendar `year`."""
    published_total = (
        Publication.objects.filter(department=department, published_at__year=year)
        .exclude(state=Publication.State.DRAFT)
        .count()
    )
    charged = DisclosureRequest.objects.filter(
        department=department, state=DisclosureRequest.State.ANSWERED, answered_on__year=year, fee__gt=0
    )
    finished = Timer.objects.filter(
        kind=REQUEST_TIMER, department=department, state=Timer.State.FINISHED, finished_at__year=year
    )
    return ReportFigures(
        year=year,
        published_total=published_total,
        documents=document_counts(department, year),
        requests=request_table(department, year),
        fees_total=charged.aggregate(total=Sum("fee"))["total"] or Decimal("0.00"),
        fees_count=charged.count(),
        on_time=finished.filter(finished_on_time=True).count(),
        late=finished.filter(finished_on_time=False).count(),
    )


# --- evaluations (governance reads these through here, docs/rules.md §13) ---------------------------------

# A section (栏目) of a department's site is one disclosure category it has published in. The
# dynamic ones (工作动态, 通知公告) must be updated every two weeks, the others every six months
# (the 2019 government-website checklist's single-veto items, as the platform can see them).
DYNAMIC_SECTIONS = (Category.NEWS, Category.NOTICE)
DYNAMIC_SECTION_DAYS = 14
OTHER_SECTION_DAYS = 183


def section_ages(as_of: datetime) -> dict[int, list[tuple[str, datetime]]]:
    """Per department, each section's (category, latest publication time) as of `as_of`; one GROUP BY."""
    rows = (
        Publication.objects.filter(state=Publication.State.PUBLISHED, published_at__lte=as_of)
        .order_by()
        .values("department_id", "category")
        .annotate(latest=Max("published_at"))
    )
    out: dict[int, list[tuple[str, datetime]]] = {}
    for r in rows:
        out.setdefault(r["department_id"], []).append((r["category"], r["latest"]))
    return out


def section_limit_days(category: str) -> int:
    return DYNAMIC_SECTION_DAYS if category in DYNAMIC_SECTIONS else OTHER_SECTION_DAYS


def annual_reports_saved(year: int, by: datetime) -> dict[int, bool]:
    """Per department that published anything up to `by`: whether the manual part of its annual
    report for `year` was last saved by `by` (the report itself is generated and always public)."""
    departments = (
        Publication.objects.filter(state=Publication.State.PUBLISHED, published_at__lte=by)
        .order_by()
        .values_list("department_id", flat=True)
        .distinct()
    )
    saved = set(AnnualReport.objects.filter(year=year, updated_at__lte=by).values_list("department_id", flat=True))
    return {pk: pk in saved for pk in departments}


def personal_data(user: User) -> list[DataSection]:
    """What disclosure holds about `user` (我的数据): their requests with the details they gave."""
    rows = tuple(
        (
            r.number,
            r.department.name,
            r.get_state_display(),
            moment_text(r.submitted_at),
            r.applicant_name,
            r.phone,
            r.address,
            r.email,
            r.description,
            r.correction_text,
            r.purpose,
        )
        for r in requests_of_applicant(user)
    )
    columns = (
        "申请编号",
        "受理机关",
        "状态",
        "提交时间",
        "申请人",
        "联系电话",
        "通信地址",
        "电子邮箱",
        "所需信息",
        "补正内容",
        "用途",
    )
    return [DataSection("disclosure_requests", "政府信息公开申请", columns, rows)]
