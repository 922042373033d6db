"""Public pages of 考核评估 (mounted at /evaluations/): the ranking of a published run with its
charts, a department's report (page, PDF, Excel) and the year-on-year comparison. Published runs only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhengwu.audit.services import record_action
from zhengwu.core.actors import Actor
from zhengwu.core.downloads import XLSX, attachment
from zhengwu.governance import evaluation_selectors as selectors
from zhengwu.governance import reports
from zhengwu.governance.audit_actions import GovernanceAction
from zhengwu.governance.models import EvaluationRun


def _chart(run: EvaluationRun, rows: list[selectors.RankRow]) -> dict[str, object]:
    return {"departments": [r.department for r in rows], "totals": [float(r.total) for r in rows], "title": run.title}


def _ranking_page(request: HttpRequest, run: EvaluationRun | None) -> HttpResponse:
    rows = selectors.ranking(run, with_scores=True) if run is not None else []
    indicators = selectors.indicators_of(run.indicator_set) if run is not None else []
    context = {
        "run": run,
        "rows": rows,
        "indicators": indicators,
        "runs": selectors.published_runs()[:20],
        "chart": _chart(run, rows) if run is not None else None,
    }
    return render(request, "governance/evaluation_ranking.html", context)


def index(request: HttpRequest) -> HttpResponse:
    return _ranking_page(request, selectors.latest_published())


def run_ranking(request: HttpRequest, run_id: int) -> HttpResponse:
    return _ranking_page(request, selectors.published_run(run_id))


def department_report(request: HttpRequest, run_id: int, department_id: int) -> HttpResponse:
    run = selectors.published_run(run_id)
    department = selectors.department_of_run(run, department_id)
    years, history = selectors.year_on_year(department_id)
    rank = next((r for r in selectors.ranking(run) if r.department_id == department_id), None)
    context = {
        "run": run,
        "department": department,
        "scores": selectors.department_scores(run, department_id),
        "rank": rank,
        "years": years,
        "history": history[0] if history else None,
    }
    return render(request, "governance/evaluation_department.html", context)


def department_file(request: HttpRequest, run_id: int, department_id: int, fmt: str) -> HttpResponse:
    run = selectors.published_run(run_id)
    department = selectors.department_of_run(run, department_id)
    scores = selectors.department_scores(run, department_id)
    if fmt == "pdf":
        content, content_type = reports.department_pdf(run, department, scores), "application/pdf"
    else:
        content, content_type = reports.department_xlsx(run, department, scores), XLSX
    return attachment(content, f"{run.year}年度考核-{department.name}.{fmt}", content_type)


def ranking_file(request: HttpRequest, run: EvaluationRun) -> HttpResponse:
    """The whole ranking of `run` as Excel (a read, on record as `governance.run.export`, like the
    platform's other exports); the callers decide who may have which run."""
    rows = selectors.ranking(run, with_scores=True)
    content = reports.ranking_xlsx(run, rows, selectors.indicators_of(run.indicator_set))
    record_action(
        Actor.from_request(request),
        GovernanceAction.RUN_EXPORT,
        target=run,
        details={"departments": len(rows), "state": run.state},
    )
    return attachment(content, f"{run.year}年度考核排名-{run.pk}.xlsx", XLSX)


def run_ranking_file(request: HttpRequest, run_id: int) -> HttpResponse:
    return ranking_file(request, selectors.published_run(run_id))


def _float(value: object) -> float | None:
    return None if value is None else float(str(value))


def compare(request: HttpRequest) -> HttpResponse:
    years, rows = selectors.year_on_year()
    chart = {
        "years": [str(r.year) for r in years],
        "series": [[row.department, [_float(row.totals[r.year]) for r in years]] for row in rows],
    }
    return render(request, "governance/evaluation_compare.html", {"years": years, "rows": rows, "chart": chart})
