"""Portal pages of the disclosure app (外网): the 政府信息公开 catalogue with search, an item's page,
attachments, and the applicant's requests (file online, track, correct, withdraw). Thin views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhengwu.accounts.models import Department
from zhengwu.accounts.session import acting_user
from zhengwu.core import downloads
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, not_found, permission_denied
from zhengwu.core.forms import Done, form_write
from zhengwu.disclosure import reports, selectors, services
from zhengwu.disclosure.forms import CorrectedForm, OnlineRequestForm
from zhengwu.disclosure.models import AnnualReport, Attachment, Category, DisclosureRequest, Publication, Validity

PER_PAGE = 20


def index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    filters = selectors.parse_filters(request.GET)
    results = selectors.search_publications(query, filters)
    page = Paginator(results, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": query,
        "filters": filters,
        "categories": selectors.category_counts(filters.department_id),
        "category_choices": Category.choices,
        "validity_choices": Validity.choices,
        "agencies": selectors.agencies_with_publications(),
        "agency": Department.objects.filter(pk=filters.department_id).first() if filters.department_id else None,
    }
    return render(request, "disclosure/portal_index.html", context)


def detail(request: HttpRequest, key: str) -> HttpResponse:
    publication = selectors.publication_get_public(key)
    explained, interpretations = selectors.related_policies(publication)
    context = {
        "publication": publication,
        "attachments": publication.attachments.order_by("id"),
        "explained": explained,
        "interpretations": interpretations,
    }
    return render(request, "disclosure/portal_detail.html", context)


def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    found = Attachment.objects.filter(pk=pk, publication__state=Publication.State.PUBLISHED).first()
    if found is None:
        raise not_found("附件")
    response = downloads.attachment(bytes(found.content), found.name, found.content_type or "application/octet-stream")
    response["X-Content-SM3"] = found.sm3
    return response


# --- annual reports (public) -----------------------------------------------------------------


def reports_index(request: HttpRequest) -> HttpResponse:
    agencies = selectors.agencies_with_publications()
    years = reports.public_years()  # only ended years: a year's report follows the year
    return render(request, "disclosure/portal_reports.html", {"agencies": agencies, "years": years})


def report_view(request: HttpRequest, department_id: int, year: int) -> HttpResponse:
    department = get_object_or_404(Department, pk=department_id, is_active=True)
    if not 2008 <= year <= 2100:
        raise not_found("年度报告")
    reports.check_public(year)
    context = report_context(department, year, reports.report_of(department, year))
    return render(request, "disclosure/portal_report.html", context)


def report_context(department: Department, year: int, report: AnnualReport) -> dict[str, Any]:
    """What the report's page shows (the public page and the workbench show the same report)."""
    figures = selectors.annual_report_figures(department, year)
    return {
        "department": department,
        "year": year,
        "sections": reports.report_sections(department, figures, report),
        "report": report,
    }


def report_xlsx(request: HttpRequest, department_id: int, year: int) -> HttpResponse:
    department = get_object_or_404(Department, pk=department_id, is_active=True)
    if not 2008 <= year <= 2100:
        raise not_found("年度报告")
    reports.check_public(year)
    return report_workbook_response(department, year)


def report_workbook_response(department: Department, year: int) -> HttpResponse:
    """The annual report as an Excel download (the public page and the workbench give the same file)."""
    body = reports.report_workbook(
        department, selectors.annual_report_figures(department, year), reports.report_of(department, year)
    )
    return downloads.attachment(body, f"disclosure-report-{department.credit_code}-{year}.xlsx", downloads.XLSX)


# --- the applicant's requests ---------------------------------------------------------------


@login_required
def my_requests(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    page = Paginator(selectors.requests_of_applicant(user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "disclosure/my_requests.html", {"page": page})


@login_required
def request_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if user.kind == user.Kind.STAFF:
        raise permission_denied("工作人员请在工作台登记申请。")
    if request.method == "POST":
        form = OnlineRequestForm(request.POST)

        def submit(actor: Actor, data: dict[str, Any]) -> Done:
            created = services.request_submit_online(actor=actor, **data)  # the form's fields are its arguments
            message = f"申请已提交，编号 {created.number}。机关确认收到后开始计算答复期限。"
            return message, reverse("disclosure:my_request", args=[created.pk])

        if done := form_write(request, form, submit):
            return done
    else:
        kind = "legal_person" if user.kind == user.Kind.ENTERPRISE else "citizen"
        initial = {"applicant_name": user.real_name, "applicant_kind": kind, "phone": user.phone or ""}
        if request.GET.get("agency", "").isdigit():
            initial["department"] = request.GET["agency"]
        form = OnlineRequestForm(initial=initial)
    return render(request, "disclosure/request_new.html", {"form": form})


@login_required
def my_request(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    found = selectors.request_of_applicant(user, pk)
    context = {
        "req": found,
        "events": found.events.order_by("at", "id"),
        "timer": selectors.request_timer(found),
        "corrected_form": CorrectedForm(),
        "can_withdraw": found.state in DisclosureRequest.OPEN_STATES,
    }
    return render(request, "disclosure/my_request.html", context)


# What an applicant may do to an own request (`verb` of `my_request_step`): the service step, given
# the posted form, and what to say once it is done.
APPLICANT_STEPS: dict[str, tuple[Callable[[Actor, DisclosureRequest, QueryDict], object], str]] = {
    "correct": (
        lambda actor, found, post: services.request_correct(
            actor=actor, disclosure_request=found, description=post.get("description", "")
        ),
        "补正已提交，答复期限重新计算。",
    ),
    "withdraw": (
        lambda actor, found, post: services.request_withdraw(
            actor=actor, disclosure_request=found, reason=post.get("reason", "")
        ),
        "申请已撤回。",
    ),
}


@login_required
@require_POST
def my_request_step(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """The applicant's own request `pk` corrected or withdrawn (`verb`): what was done or the refusal shown,
    back to its page."""
    step, done = APPLICANT_STEPS[verb]
    found = selectors.request_of_applicant(acting_user(request), pk)
    try:
        step(Actor.from_request(request), found, request.POST)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("disclosure:my_request", pk=pk)
