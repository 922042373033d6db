"""Portal pages of 网上办事 (外网): guides with search, applying, 我的办件 with the timeline,
corrections, withdrawal and rating, 一号查询, messages and the public rating statistics."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengwu.accounts.session import acting_user
from zhengwu.core import workdays
from zhengwu.core.actors import Actor, client_ip
from zhengwu.core.errors import ApplicationError, permission_denied
from zhengwu.core.forms import add_application_error
from zhengwu.core.ratelimit import subject_of
from zhengwu.eservices import pending_uploads, selectors, services
from zhengwu.eservices.forms import ApplyForm, LookupForm, RatingForm, ReasonForm
from zhengwu.eservices.models import Application, ApplicationMaterial, MaterialFile, Rating, ServiceItem
from zhengwu.eservices.services import Prefill

T = TypeVar("T")


def index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.search_items(query), 20).get_page(request.GET.get("page"))
    return render(request, "eservices/portal_index.html", {"page": page, "q": query})


def guide(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(selectors.published_items(), pk=pk)
    context = {
        "item": item,
        "materials": selectors.materials_with_files(item),
        "material_file_url": "eservices:material_file",
        "stages": item.stages.prefetch_related("tasks__department"),
        "results": item.results.all(),
    }
    return render(request, "eservices/portal_guide.html", context)


def _form_error(form: ApplyForm, error: ApplicationError) -> None:
    for name, text in error.fields.items():
        key = name.replace("data.", "data_").replace("materials.", "file_")
        if key in form.fields:
            form.add_error(key, text)
    form.add_error(None, error.message)


def attempt(request: HttpRequest, write: Callable[[], T], success: str | Callable[[T], str]) -> bool:
    """Run `write` (a service call) and tell the user how it went: its refusal as an error message, or
    `success` (a text, or made from what `write` returned). True when it succeeded."""
    try:
        result = write()
    except ApplicationError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success if isinstance(success, str) else success(result))
    return True


@login_required
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    item = get_object_or_404(selectors.published_items(), pk=pk)
    if actor.is_staff:
        raise permission_denied("工作人员账号不能以申请人身份申请，请使用个人或法人账号。")
    prefill = Prefill()
    try:
        services.check_audience(actor, item)
        prefill = services.prefill_for(actor=actor, item=item, purpose_suffix="预填申请表")
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("eservices:guide", pk=pk)
    kept = pending_uploads.names(request, item)
    form = ApplyForm(request.POST or None, request.FILES or None, item=item, prefill=prefill, pending=kept)
    if request.method == "POST":
        valid = form.is_valid()
        new = form.uploads()  # the files that came with this try (those of fields that validated)
        if valid:
            try:
                application = services.application_submit(
                    actor=actor,
                    item=item,
                    data=form.service_data(),
                    files={**pending_uploads.load(request, item), **new},
                )
            except ApplicationError as error:
                _form_error(form, error)
            else:
                pending_uploads.clear(request, item)
                messages.success(
                    request,
                    f"申请已提交。办件编号 {application.number}，查询码 {application.verify_code}"
                    "（请妥善保存，用于一号查询）。",
                )
                return redirect("eservices:case", number=application.number)
        # Not submitted: the acceptable files are kept, so the citizen need not choose them again.
        form.mark_pending(pending_uploads.keep(request, item, new))
    return render(request, "eservices/portal_apply.html", {"item": item, "form": form})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.applications_of(acting_user(request)), 20).get_page(request.GET.get("page"))
    return render(request, "eservices/portal_mine.html", {"page": page})


def _own_case(request: HttpRequest, number: str) -> Application:
    # Someone else's case is "not found", not "forbidden": numbers must not be probed.
    return get_object_or_404(selectors.applications_of(acting_user(request)), number=number)


@login_required
def case(request: HttpRequest, number: str) -> HttpResponse:
    application = _own_case(request, number)
    correcting = application.state == Application.State.CORRECTION
    correction_form = None
    if correcting:
        correction_form = ApplyForm(
            request.POST or None, request.FILES or None, item=application.item, prefill=Prefill(), correcting=True
        )
        for name in list(correction_form.fields):
            if name.startswith("data_"):
                code = name.removeprefix("data_")
                correction_form.fields[name].initial = application.data.get(code, "")
                correction_form.fields[name].required = False
                if application.item.fields.filter(code=code).exclude(prefill="").exists():
                    correction_form.fields[name].disabled = True
        if request.method == "POST" and correction_form.is_valid():
            try:
                services.application_correct(
                    actor=Actor.from_request(request),
                    application=application,
                    data=correction_form.service_data(),
                    files=correction_form.uploads(),
                )
            except ApplicationError as error:
                _form_error(correction_form, error)
            else:
                messages.success(request, "补正材料已提交，窗口将继续受理。")
                return redirect("eservices:case", number=number)
    context = {
        "application": application,
        "events": selectors.timeline(application),
        "materials": application.materials.filter(current=True).select_related("material"),
        "tasks": application.tasks.select_related("department"),
        "correction_form": correction_form,
        "rating": Rating.objects.filter(application=application).first(),
        "rating_form": RatingForm() if application.state in Application.DONE_STATES else None,
        "withdraw_form": ReasonForm() if application.is_open else None,
    }
    return render(request, "eservices/portal_case.html", context)


@login_required
@require_POST
def withdraw(request: HttpRequest, number: str) -> HttpResponse:
    application = _own_case(request, number)
    attempt(
        request,
        lambda: services.application_withdraw(
            actor=Actor.from_request(request), application=application, reason=request.POST.get("reason", "")
        ),
        "申请已撤回。",
    )
    return redirect("eservices:case", number=number)


@login_required
@require_POST
def rate(request: HttpRequest, number: str) -> HttpResponse:
    application = _own_case(request, number)
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请完整选择各项评价。")
        return redirect("eservices:case", number=number)
    attempt(
        request,
        lambda: services.rating_create(
            actor=Actor.from_request(request), application=application, data=form.rating_data()
        ),
        "感谢您的评价！",
    )
    return redirect("eservices:case", number=number)


@login_required
def material(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(
        ApplicationMaterial.objects.select_related("application"), pk=pk, application__applicant=acting_user(request)
    )
    if row.fetched:
        raise permission_denied("共享获取的材料没有文件。")
    response = HttpResponse(bytes(row.content), content_type=row.content_type or "application/octet-stream")
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{row.pk}-{row.sm3[:8]}.{row.file_name.rsplit('.', 1)[-1]}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def material_file(request: HttpRequest, pk: int) -> HttpResponse:
    """空白表格 / 示例样表 of a published item's material: public, like the guide."""
    row = get_object_or_404(
        MaterialFile.objects.select_related("material"), pk=pk, material__item__in=selectors.published_items()
    )
    return file_response(row)


def file_response(row: MaterialFile) -> HttpResponse:
    response = HttpResponse(bytes(row.content), content_type=row.content_type or "application/octet-stream")
    extension = row.file_name.rsplit(".", 1)[-1]
    response["Content-Disposition"] = f"attachment; filename=material-{row.material_id}-{row.kind}.{extension}"
    response["X-Content-Type-Options"] = "nosniff"
    response["X-SM3"] = row.sm3
    return response


def lookup(request: HttpRequest) -> HttpResponse:
    form = LookupForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            who = subject_of(request.user.pk if request.user.is_authenticated else None, client_ip(request))
            result = selectors.lookup(form.cleaned_data["number"], form.cleaned_data["code"], client=who)
        except ApplicationError as error:
            add_application_error(form, error)
    return render(request, "eservices/portal_lookup.html", {"form": form, "result": result})


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    page = Paginator(selectors.notifications_of(user), 30).get_page(request.GET.get("page"))
    ids = [n.pk for n in page.object_list if n.read_at is None]
    response = render(request, "eservices/portal_notifications.html", {"page": page})
    if ids:
        selectors.notifications_of(user).filter(pk__in=ids).update(read_at=timezone.now())
    return response


def _month(request: HttpRequest) -> tuple[date, date]:
    today = workdays.today()
    text = request.GET.get("month", "")
    try:
        year, month = (int(p) for p in text.split("-", 1))
        first = date(year, month, 1)
    except (ValueError, TypeError):
        first = today.replace(day=1)
    if first > today or first.year < 2000:
        first = today.replace(day=1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return first, last


def stats(request: HttpRequest) -> HttpResponse:
    first, last = _month(request)
    rows = selectors.rating_stats(first, last)
    previous = (first - timedelta(days=1)).replace(day=1)
    context = {
        "rows": rows,
        "first": first,
        "last": last,
        "previous": previous,
        "item_count": ServiceItem.objects.filter(state="published").count(),
    }
    return render(request, "eservices/portal_stats.html", context)
