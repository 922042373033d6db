"""Workbench pages of 考核评估 (the e-government office only): indicator sets and their indicators,
runs (progress while computing, then the scores to review), a score's evidence and its adjustment,
publication. Thin: parse, call a service or selector, render."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from zhengwu.accounts.decorators import staff_required
from zhengwu.accounts.models import Role
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.core.post_action import post_action
from zhengwu.governance import evaluation_selectors as selectors
from zhengwu.governance import evaluation_views, tasks
from zhengwu.governance.models import EvaluationRun, Indicator, IndicatorSet, Score, ScoringRule
from zhengwu.governance.services import evaluations
from zhengwu.governance.services.evaluations import IndicatorData
from zhengwu.governance.services.measures import MEASURES, measure_choices

OFFICE = (Role.EGOV_OFFICE,)


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


@staff_required(*OFFICE)
def index(request: HttpRequest) -> HttpResponse:
    today = date.today()
    context = {
        "sets": selectors.indicator_sets(),
        "runs": selectors.runs()[:50],
        "default_year": today.year - 1,
    }
    return render(request, "governance/evaluation_wb_index.html", context)


@staff_required(*OFFICE)
@require_POST
def set_new(request: HttpRequest) -> HttpResponse:
    year = request.POST.get("year", "")
    try:
        indicator_set = evaluations.indicator_set_create(
            actor=Actor.from_request(request),
            year=int(year) if year.isdigit() else 0,
            name=request.POST.get("name", ""),
            with_defaults=request.POST.get("defaults") == "on",
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("governance_wb:evaluations")
    return redirect("governance_wb:indicator_set", pk=indicator_set.pk)


def _indicator_data(request: HttpRequest) -> IndicatorData:
    position = request.POST.get("position", "")
    return IndicatorData(
        name=request.POST.get("name", ""),
        measure=request.POST.get("measure", ""),
        weight=request.POST.get("weight", ""),
        target=request.POST.get("target", ""),
        rule=request.POST.get("rule", ""),
        position=int(position) if position.isdigit() else None,
    )


@staff_required(*OFFICE)
def indicator_set(request: HttpRequest, pk: int) -> HttpResponse:
    the_set = get_object_or_404(IndicatorSet, pk=pk)
    if request.method == "POST":

        def add(actor: Actor) -> str:
            evaluations.indicator_save(actor=actor, indicator_set=the_set, data=_indicator_data(request))
            return "指标已保存。"

        return post_action(request, add, "governance_wb:indicator_set", pk=pk)
    indicators = selectors.indicators_of(the_set)
    context = {
        "set": the_set,
        "indicators": indicators,
        "total": sum(i.weight for i in indicators),
        "measures": measure_choices(),
        "rules": ScoringRule.choices,
        "descriptions": {code: m.description for code, m in MEASURES.items()},
    }
    return render(request, "governance/evaluation_wb_set.html", context)


@staff_required(*OFFICE)
def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_object_or_404(Indicator.objects.select_related("indicator_set"), pk=pk)
    if request.method == "POST":

        def save(actor: Actor) -> str:
            if request.POST.get("delete") == "1":
                evaluations.indicator_delete(actor=actor, indicator=indicator)
            else:
                evaluations.indicator_save(
                    actor=actor,
                    indicator_set=indicator.indicator_set,
                    indicator=indicator,
                    data=_indicator_data(request),
                )
            return "已保存。"

        return post_action(request, save, "governance_wb:indicator_set", pk=indicator.indicator_set_id)
    context = {"indicator": indicator, "measures": measure_choices(), "rules": ScoringRule.choices}
    return render(request, "governance/evaluation_wb_indicator.html", context)


def _dispatch(request: HttpRequest, run: EvaluationRun) -> None:
    """Compute now (ZHENGWU_EVALUATION_INLINE: tests, a small install) or queue it for the Huey consumer."""
    if settings.ZHENGWU_EVALUATION_INLINE:
        try:
            evaluations.run_compute(actor=Actor.platform(), run=run)
        except ApplicationError as error:
            messages.error(request, error.message)
    else:
        tasks.evaluation_compute(run.pk)


@staff_required(*OFFICE)
@require_POST
def run_new(request: HttpRequest) -> HttpResponse:
    the_set = IndicatorSet.objects.filter(pk=request.POST.get("indicator_set", "0") or 0).first()
    first, last = _date(request.POST.get("period_start")), _date(request.POST.get("period_end"))
    if the_set is None or first is None or last is None:
        messages.error(request, "请选择指标体系，并按 YYYY-MM-DD 填写考核期起止日期。")
        return redirect("governance_wb:evaluations")
    try:
        run = evaluations.run_start(
            actor=Actor.from_request(request),
            indicator_set=the_set,
            period_start=first,
            period_end=last,
            title=request.POST.get("title", ""),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("governance_wb:evaluations")
    _dispatch(request, run)
    return redirect("governance_wb:run", pk=run.pk)


@staff_required(*OFFICE)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(EvaluationRun.objects.select_related("indicator_set"), pk=pk)
    if request.headers.get("HX-Request") and run.state == EvaluationRun.State.COMPUTING:
        return render(request, "governance/evaluation_wb_progress.html", {"run": run})
    computing = run.state == EvaluationRun.State.COMPUTING
    rows = [] if computing else selectors.ranking(run, with_scores=True)
    context = {
        "run": run,
        "rows": rows,
        "indicators": selectors.indicators_of(run.indicator_set),
        "computing": computing,
    }
    return render(request, "governance/evaluation_wb_run.html", context)


@staff_required(*OFFICE)
def run_ranking_file(request: HttpRequest, pk: int) -> HttpResponse:
    """Any computed run's ranking as Excel, a draft (待审核) one included; not while it computes."""
    run = get_object_or_404(EvaluationRun.objects.select_related("indicator_set"), pk=pk)
    if run.state in (EvaluationRun.State.COMPUTING, EvaluationRun.State.FAILED):
        messages.error(request, "该评估运行尚未计算完成，暂不能导出。")
        return redirect("governance_wb:run", pk=pk)
    return evaluation_views.ranking_file(request, run)


@staff_required(*OFFICE)
@require_POST
def run_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    run = get_object_or_404(EvaluationRun, pk=pk)
    actor = Actor.from_request(request)
    try:
        if verb == "publish":
            evaluations.run_publish(actor=actor, run=run)
            messages.success(request, "考核结果已发布到门户。")
        else:
            run = evaluations.run_recompute(actor=actor, run=run)
            _dispatch(request, run)
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("governance_wb:run", pk=pk)


@staff_required(*OFFICE)
def score_detail(request: HttpRequest, pk: int) -> HttpResponse:
    score = get_object_or_404(Score.objects.select_related("run", "indicator", "department", "adjusted_by"), pk=pk)
    if request.method == "POST":
        try:
            evaluations.score_adjust(
                actor=Actor.from_request(request),
                score=score,
                value=request.POST.get("score", ""),
                reason=request.POST.get("reason", ""),
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "得分已调整，调整理由已记录。")
            return redirect("governance_wb:run", pk=score.run_id)
        return redirect("governance_wb:score", pk=pk)
    measure = MEASURES.get(score.indicator.measure)
    context = {"score": score, "measure": measure, "evidence": selectors.score_evidence(score)}
    return render(request, "governance/evaluation_wb_score.html", context)
