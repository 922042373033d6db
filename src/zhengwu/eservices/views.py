"""Portal pages of 网上办事 (外网): guides with search, applying, 我的办件 with the timeline,
corrections, withdrawal and rating, 一号查询, messages and the public rating statistics."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengwu.accounts.session import acting_user
from zhengwu.core import workdays
from zhengwu.core.actors import Actor, client_ip
from zhengwu.core.downloads import attachment
from zhengwu.core.errors import ApplicationError, permission_denied
from zhengwu.core.forms import add_application_error
from zhengwu.core.ratelimit import subject_of
from zhengwu.eservices import popularity, rules, selectors, services
from zhengwu.eservices.bundling import union_form
from zhengwu.eservices.forms import ApplyForm, BundleApplyForm, KeptFilesForm, LookupForm, RatingForm, ReasonForm
from zhengwu.eservices.models import (
    Application,
    ApplicationMaterial,
    Audience,
    BundleCase,
    ItemResult,
    MaterialFile,
    Rating,
    ServiceItem,
)
from zhengwu.eservices.pending_uploads import PendingUploads
from zhengwu.eservices.services import Prefill, RatingData, Upload

T = TypeVar("T")


def _finder(request: HttpRequest) -> selectors.Finder:
    """The finder's choices from the query; without a tab chosen, a logged-in enterprise sees 法人办事,
    a citizen 个人办事, anyone else every item."""
    user = request.user
    default = {"enterprise": Audience.LEGAL, "citizen": Audience.PERSON}.get(getattr(user, "kind", ""), "")
    audience = request.GET.get("who", default)
    try:
        department = int(request.GET.get("dept", "") or 0) or None
    except ValueError:
        department = None
    return selectors.Finder(
        query=request.GET.get("q", "").strip()[:100],
        audience=audience if audience in (Audience.PERSON, Audience.LEGAL) else "",
        theme=request.GET.get("theme", "").strip()[:20],
        department=department,
        region=request.GET.get("region", "").strip()[:6],
    )


def index(request: HttpRequest) -> HttpResponse:
    """办事指南 found the way people look: 个人办事 / 法人办事, 主题, 部门, 区划, search, 热门服务."""
    finder = _finder(request)
    items = selectors.find_items(finder)
    page = Paginator(items, 20).get_page(request.GET.get("page"))
    names = selectors.theme_names(list(page.object_list))
    for item in page.object_list:
        item.theme_list = names.get(item.pk, [])
    context = {
        "page": page,
        "q": finder.query,
        "finder": finder,
        "themes": selectors.theme_counts(finder.audience),
        "departments": selectors.finder_departments(),
        "regions": selectors.finder_regions(),
        "hot": selectors.hot_items(audience=finder.audience),
        "bundles": selectors.active_bundles(finder.audience),
        "tabs": [(Audience.PERSON, "个人办事"), (Audience.LEGAL, "法人办事")],
    }
    return render(request, "eservices/portal_index.html", context)


def guide(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(selectors.published_items().select_related("region"), pk=pk)
    popularity.record_view(item.pk)  # for 热门服务: a count in memory, no write (eservices/popularity.py)
    context = {
        "item": item,
        "materials": selectors.materials_with_files(item),
        "material_file_url": "eservices:material_file",
        "result_sample_url": "eservices:result_sample",
        "stages": item.stages.prefetch_related("tasks__department"),
        "results": item.results.defer("sample"),
        "themes": selectors.theme_names([item]).get(item.pk, []),
        "remedies": rules.remedies(item),
        "bundles": selectors.active_bundles().filter(entries__item=item),
    }
    return render(request, "eservices/portal_guide.html", context)


def result_sample(request: HttpRequest, pk: int) -> HttpResponse:
    """结果样本 of a published item's result: public, like the guide."""
    row = get_object_or_404(ItemResult, pk=pk, item__in=selectors.published_items())
    if not row.sample_name:
        raise Http404
    return download(bytes(row.sample), row.sample_content_type, f"result-{row.pk}", row.sample_name, row.sample_sm3)


def _form_error(form: forms.Form, error: ApplicationError) -> None:
    """The service's refusal on the form: `data.<code>` on `data_<code>`, `materials.<id>` (one
    item's form) or `files.<index>` (a bundle's form) on `file_…`, the message on top."""
    for name, text in error.fields.items():
        key = name.replace("data.", "data_").replace("materials.", "file_").replace("files.", "file_")
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
    kept = PendingUploads.of_item(request, item)
    form = ApplyForm(request.POST or None, request.FILES or None, item=item, prefill=prefill, pending=kept.names())
    if request.method == "POST":
        application = _submit_keeping_files(
            form,
            kept,
            lambda files: services.application_submit(actor=actor, item=item, data=form.service_data(), files=files),
        )
        if application is not None:
            messages.success(
                request,
                f"申请已提交。办件编号 {application.number}，查询码 {application.verify_code}"
                "（请妥善保存，用于一号查询）。",
            )
            return redirect("eservices:case", number=application.number)
    return render(request, "eservices/portal_apply.html", {"item": item, "form": form})


def _submit_keeping_files(
    form: KeptFilesForm, kept: PendingUploads, submit: Callable[[dict[int, Upload]], T]
) -> T | None:
    """Check the form and `submit` it with the kept files and this try's new ones (a new file wins);
    what it returned, or None when the form or the service refused it. Not submitted: the acceptable
    files are kept (eservices/pending_uploads.py), so the citizen need not choose them again."""
    valid = form.is_valid()
    new = form.uploads()  # the files that came with this try (those of fields that validated)
    if valid:
        try:
            result = submit({**kept.load(), **new})
        except ApplicationError as error:
            _form_error(form, error)
        else:
            kept.clear()
            return result
    form.mark_pending(kept.keep(new))
    return None


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    page = Paginator(selectors.applications_of(user), 20).get_page(request.GET.get("page"))
    bundle_cases = selectors.bundle_cases_of(user)[:20]
    return render(request, "eservices/portal_mine.html", {"page": page, "bundle_cases": bundle_cases})


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
        "remedy_days": (
            rules.remedy_last_days(timezone.localdate(application.decided_at))
            if application.decided_at and application.state in (Application.State.DENIED, Application.State.REFUSED)
            else None
        ),
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
    return _rate(
        request,
        lambda data: services.rating_create(actor=Actor.from_request(request), application=application, data=data),
        "感谢您的评价！",
        redirect("eservices:case", number=number),
    )


def _rate(request: HttpRequest, write: Callable[[RatingData], object], thanks: str, back: HttpResponse) -> HttpResponse:
    """Check the rating form, then `write` the rating (a case's or a bundle's) and go `back`."""
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请完整选择各项评价。")
    else:
        attempt(request, lambda: write(form.rating_data()), thanks)
    return back


@login_required
def material(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(
        ApplicationMaterial.objects.select_related("application"), pk=pk, application__applicant=acting_user(request)
    )
    if row.fetched:
        raise permission_denied("共享获取的材料没有文件。")
    extension = row.file_name.rsplit(".", 1)[-1]
    content_type = row.content_type or "application/octet-stream"
    response = attachment(bytes(row.content), f"{row.pk}-{row.sm3[:8]}.{extension}", content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def material_file(request: HttpRequest, pk: int) -> HttpResponse:
    """空白表格 / 示例样表 of a published item's material: public, like the guide."""
    row = get_object_or_404(
        MaterialFile.objects.select_related("material"), pk=pk, material__item__in=selectors.published_items()
    )
    return file_response(row)


def file_response(row: MaterialFile) -> HttpResponse:
    return download(
        bytes(row.content), row.content_type, f"material-{row.material_id}-{row.kind}", row.file_name, row.sm3
    )


def download(content: bytes, content_type: str, stem: str, file_name: str, sm3: str) -> HttpResponse:
    """A stored file as an attachment named `stem` with the file's own extension, with its SM3 digest."""
    extension = file_name.rsplit(".", 1)[-1]
    response = attachment(content, f"{stem}.{extension}", content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["X-SM3"] = sm3
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


# --- 一件事一次办 ---------------------------------------------------------------------------


def bundles(request: HttpRequest) -> HttpResponse:
    return render(request, "eservices/portal_bundles.html", {"bundles": selectors.active_bundles()})


def bundle(request: HttpRequest, pk: int) -> HttpResponse:
    """A bundle's guide: its items, the one form and the one set of materials, and the apply button."""
    row = get_object_or_404(selectors.active_bundles(), pk=pk)
    union = union_form(row)
    return render(
        request, "eservices/portal_bundle.html", {"bundle": row, "union": union, "form": BundleApplyForm(union=union)}
    )


@login_required
def bundle_apply(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    row = get_object_or_404(selectors.active_bundles(), pk=pk)
    union = union_form(row)
    if actor.is_staff:
        raise permission_denied("工作人员账号不能以申请人身份申请，请使用个人或法人账号。")
    try:
        for item in union.items:
            services.check_audience(actor, item)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("eservices:bundle", pk=pk)
    kept = PendingUploads.of_bundle(request, row, union)
    form = BundleApplyForm(request.POST or None, request.FILES or None, union=union, pending=kept.names())
    if request.method == "POST":
        case = _submit_keeping_files(
            form,
            kept,
            lambda files: services.bundle_submit(
                actor=actor, bundle=row, data=form.service_data(), files=form.by_name(files)
            ),
        )
        if case is not None:
            messages.success(request, f"“{row.name}”已一次提交，一件事编号 {case.number}，已分送各部门办理。")
            return redirect("eservices:bundle_case", number=case.number)
    return render(request, "eservices/portal_bundle_apply.html", {"bundle": row, "union": union, "form": form})


def _own_bundle_case(request: HttpRequest, number: str) -> BundleCase:
    return get_object_or_404(selectors.bundle_cases_of(acting_user(request)), number=number)


@login_required
def bundle_case(request: HttpRequest, number: str) -> HttpResponse:
    case = _own_bundle_case(request, number)
    parts = list(selectors.bundle_parts(case))
    state = selectors.bundle_case_state(case)
    rating_form = RatingForm() if state == selectors.BUNDLE_DONE and case.rated_at is None else None
    context = {"case": case, "parts": parts, "state": state, "rating_form": rating_form}
    return render(request, "eservices/portal_bundle_case.html", context)


@login_required
@require_POST
def bundle_rate(request: HttpRequest, number: str) -> HttpResponse:
    case = _own_bundle_case(request, number)
    return _rate(
        request,
        lambda data: services.bundle_rate(actor=Actor.from_request(request), case=case, data=data),
        "感谢您的评价！评价已计入各办理部门的好差评。",
        redirect("eservices:bundle_case", number=number),
    )
