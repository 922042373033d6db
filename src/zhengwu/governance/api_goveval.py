"""HTTP API of e-gov projects and evaluations (mounted under /api/v1/governance by `api.router`).

    GET /api/v1/governance/projects/{project_id}                     a project's state and its gate
    GET /api/v1/governance/evaluations                               published runs
    GET /api/v1/governance/evaluations/{run_id}                      a published run's ranking
    GET /api/v1/governance/evaluations/{run_id}/departments/{department_id}  one department's scores

A project is read by its department (staff with a session, or the department's API client) and by
the e-government office; published evaluation results are public.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from zhengwu.accounts.api_auth import ApiClientAuth, PersonSessionAuth
from zhengwu.core.actors import Actor
from zhengwu.core.errors import not_found
from zhengwu.core.schemas import ErrorOut
from zhengwu.governance import evaluation_selectors as selectors
from zhengwu.governance.models import Project
from zhengwu.governance.services import projects as project_services

router = Router(tags=["信息化统筹"])


class ProjectStateOut(Schema):
    id: int
    number: str
    name: str
    department: str
    path: str
    state: str
    state_label: str
    budget: str
    om_cost_yearly: str
    submitted_at: datetime | None
    approved_at: datetime | None
    accepted_at: datetime | None
    gate_reasons: list[str]
    om_flags: list[str]


@router.get(
    "/projects/{project_id}",
    response={200: ProjectStateOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
    auth=[ApiClientAuth(), PersonSessionAuth()],
    summary="政务信息化项目的状态与共建共享审查",
)
def project_state(request: HttpRequest, project_id: int) -> dict[str, Any]:
    actor = Actor.from_request(request)
    project = Project.objects.select_related("department").filter(pk=project_id).first()
    allowed = project is not None and (
        project_services.is_office(actor)
        or project_services.is_department_staff(actor, project.department_id)
        or (actor.api_client is not None and actor.department_id == project.department_id)
    )
    if project is None or not allowed:
        raise not_found("项目")
    return {
        "id": project.pk,
        "number": project.number,
        "name": project.name,
        "department": project.department.name,
        "path": project.path,
        "state": project.state,
        "state_label": project.get_state_display(),
        "budget": str(project.budget),
        "om_cost_yearly": str(project.om_cost_yearly),
        "submitted_at": project.submitted_at,
        "approved_at": project.approved_at,
        "accepted_at": project.accepted_at,
        "gate_reasons": project_services.sharing_gate(project),
        "om_flags": project_services.om_flags(project),
    }


class EvaluationRunOut(Schema):
    id: int
    title: str
    year: int
    period_start: date
    period_end: date
    published_at: datetime | None


class RankRowOut(Schema):
    rank: int
    department_id: int
    department: str
    total: str


class EvaluationRankingOut(Schema):
    run: EvaluationRunOut
    ranking: list[RankRowOut]


class IndicatorScoreOut(Schema):
    indicator: str
    measure: str
    weight: str
    numerator: float
    denominator: float | None
    value: float | None
    computed: str
    score: str
    adjust_reason: str


class DepartmentScoresOut(Schema):
    run: EvaluationRunOut
    department_id: int
    department: str
    total: str
    scores: list[IndicatorScoreOut]


def _run(run: Any) -> dict[str, Any]:
    return {
        "id": run.pk,
        "title": run.title,
        "year": run.year,
        "period_start": run.period_start,
        "period_end": run.period_end,
        "published_at": run.published_at,
    }


@router.get("/evaluations", response={200: list[EvaluationRunOut]}, auth=None, summary="已发布的考核评估")
def evaluation_runs(request: HttpRequest) -> list[dict[str, Any]]:
    return [_run(run) for run in selectors.published_runs()[:100]]


@router.get(
    "/evaluations/{run_id}",
    response={200: EvaluationRankingOut, 400: ErrorOut, 404: ErrorOut},
    auth=None,
    summary="考核评估排名（已发布）",
)
def evaluation_ranking(request: HttpRequest, run_id: int) -> dict[str, Any]:
    run = selectors.published_run(run_id)
    rows = selectors.ranking(run)
    return {
        "run": _run(run),
        "ranking": [
            {"rank": r.rank, "department_id": r.department_id, "department": r.department, "total": str(r.total)}
            for r in rows
        ],
    }


@router.get(
    "/evaluations/{run_id}/departments/{department_id}",
    response={200: DepartmentScoresOut, 400: ErrorOut, 404: ErrorOut},
    auth=None,
    summary="部门考核得分及依据（已发布）",
)
def evaluation_department(request: HttpRequest, run_id: int, department_id: int) -> dict[str, Any]:
    run = selectors.published_run(run_id)
    department = selectors.department_of_run(run, department_id)
    scores = selectors.department_scores(run, department_id)
    return {
        "run": _run(run),
        "department_id": department.pk,
        "department": department.name,
        "total": str(sum((s.score for s in scores), Decimal(0))),
        "scores": [
            {
                "indicator": s.indicator.name,
                "measure": s.indicator.measure,
                "weight": str(s.indicator.weight),
                "numerator": s.numerator,
                "denominator": s.denominator,
                "value": s.value,
                "computed": str(s.computed),
                "score": str(s.score),
                "adjust_reason": s.adjust_reason,
            }
            for s in scores
        ],
    }
