"""Workbench pages of the catalog (内网): browse what the user may see, the data officer's drafts
(create, edit with items, submit, revise, withdraw, import), the e-government office's review
queue (approve, reject, publish) and every published version. Thin: parse, call, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhengwu.accounts.decorators import staff_required
from zhengwu.accounts.models import Department, Role, User
from zhengwu.accounts.session import acting_user
from zhengwu.catalog import selectors, services
from zhengwu.catalog.exchange_formats import catalog_import_excel, catalog_workbook
from zhengwu.catalog.forms import ImportForm, ItemForm, ItemFormSet, ReasonForm, ResourceForm, item_specs
from zhengwu.catalog.models import CatalogClass, Resource
from zhengwu.catalog.services import ItemSpec, ResourceData
from zhengwu.catalog.views import download, filtered, with_freshness
from zhengwu.core.actors import Actor
from zhengwu.core.downloads import XLSX, attachment
from zhengwu.core.errors import ApplicationError, permission_denied
from zhengwu.core.forms import Done, form_write
from zhengwu.core.import_page import excel_import_page


def _visible(user: User, pk: int) -> Resource:
    return get_object_or_404(selectors.resources_visible(Actor.person(user)).select_related("revision_of"), pk=pk)


def _is_officer(user: User) -> bool:
    return user.has_role(Role.DATA_OFFICER) and user.department_id is not None


@staff_required()
def index(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    rows, chosen = filtered(request, selectors.resources_visible(Actor.person(user)).filter(revision_of__isnull=True))
    state = request.GET.get("state", "")
    if state in Resource.State.values:
        rows = rows.filter(state=state)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    with_freshness(list(page.object_list))
    drafts = (
        list(selectors.department_drafts(user.department_id)[:50]) if user.department_id and _is_officer(user) else []
    )
    context = {
        "page": page,
        "chosen": {**chosen, "state": state},
        "classes": CatalogClass.choices,
        "states": Resource.State.choices,
        "providers": Department.objects.filter(is_active=True, resources__isnull=False).distinct().order_by("name"),
        "drafts": drafts,
        "is_officer": _is_officer(user),
        "is_egov": user.has_role(Role.EGOV_OFFICE),
        "queue_size": selectors.approval_queue().count() if user.has_role(Role.EGOV_OFFICE) else 0,
    }
    return render(request, "catalog/wb_index.html", context)


def _edit_page(request: HttpRequest, resource: Resource | None) -> HttpResponse:
    user = acting_user(request)
    if request.method == "POST":
        form = ResourceForm(request.POST)
        formset = ItemFormSet(request.POST, prefix="items")

        def save(actor: Actor, _data: dict[str, Any]) -> Done:
            saved = resource
            if saved is None:
                assert user.department is not None
                saved = services.resource_create(
                    actor=actor, provider=user.department, data=form.resource_data(), items=item_specs(formset)
                )
            else:
                services.resource_update(
                    actor=actor, resource=saved, data=form.resource_data(), items=item_specs(formset)
                )
            return f"已保存《{saved.name}》。", reverse("catalog_wb:detail", args=[saved.pk])

        # the items must be valid too; the page shows the errors of both either way
        if formset.is_valid() and (done := form_write(request, form, save)):
            return done
    elif resource is None:
        form = ResourceForm(initial={"catalog_class": CatalogClass.DEPARTMENT, "category": "3"})
        formset = ItemFormSet(prefix="items")
    else:
        form = ResourceForm(initial=ResourceForm.initial_of(ResourceData.of(resource)))
        specs: list[ItemSpec] = [ItemSpec.of(item) for item in selectors.resource_items(resource)]
        formset = ItemFormSet(prefix="items", initial=[ItemForm.initial_of(spec) for spec in specs])
    return render(request, "catalog/wb_edit.html", {"form": form, "formset": formset, "resource": resource})


@staff_required(Role.DATA_OFFICER)
def create(request: HttpRequest) -> HttpResponse:
    if acting_user(request).department_id is None:
        raise permission_denied("您未归属任何部门，不能编制目录。")
    return _edit_page(request, None)


@staff_required(Role.DATA_OFFICER)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    resource = _visible(user, pk)
    if resource.provider_id != user.department_id:
        raise permission_denied("只能编辑本部门的目录。")
    if resource.state != Resource.State.DRAFT:
        messages.error(request, "只有草稿可以编辑。")
        return redirect("catalog_wb:detail", pk=pk)
    return _edit_page(request, resource)


@staff_required()
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    resource = _visible(user, pk)
    own = resource.provider_id == user.department_id and _is_officer(user)
    is_egov = user.has_role(Role.EGOV_OFFICE)
    context = {
        "resource": resource,
        "items": selectors.resource_items(resource),
        "fresh": selectors.resource_freshness(resource),
        "versions": selectors.resource_versions(resource.revision_of or resource),
        "revision": selectors.resource_open_revision(resource) if resource.state == Resource.State.PUBLISHED else None,
        "can_edit": own and resource.state == Resource.State.DRAFT,
        "can_submit": own and resource.state == Resource.State.DRAFT,
        "can_review": is_egov and resource.state in (Resource.State.SUBMITTED, Resource.State.APPROVED),
        "can_publish": (is_egov or own) and resource.state == Resource.State.APPROVED,
        "can_revise": own and resource.state == Resource.State.PUBLISHED,
        "can_withdraw": (is_egov or own) and resource.state == Resource.State.PUBLISHED,
        "can_delete": own and resource.state == Resource.State.DRAFT and not resource.version,
        "reason_form": ReasonForm(),
    }
    return render(request, "catalog/wb_detail.html", context)


@staff_required()
def version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    resource = _visible(acting_user(request), pk)
    snapshot = get_object_or_404(resource.versions, version=number)
    return render(request, "catalog/wb_version.html", {"resource": resource, "snapshot": snapshot})


def _action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    user = acting_user(request)
    resource = _visible(user, pk)
    reason = request.POST.get("reason", "")
    target = resource
    try:
        if verb == "submit":
            services.resource_submit(actor=Actor.from_request(request), resource=resource)
            done = "已提交电子政务主管部门审核"
        elif verb == "approve":
            services.resource_approve(actor=Actor.from_request(request), resource=resource, comment=reason)
            done = "已审核通过"
        elif verb == "reject":
            services.resource_reject(actor=Actor.from_request(request), resource=resource, reason=reason)
            done = "已退回修改"
        elif verb == "publish":
            target = services.resource_publish(actor=Actor.from_request(request), resource=resource)
            done = f"已发布，资源代码 {target.code}，版本 {target.version}"
        elif verb == "revise":
            target = services.resource_revise(actor=Actor.from_request(request), resource=resource)
            done = "已建立修订草稿，发布前原版本继续有效"
        elif verb == "withdraw":
            services.resource_withdraw(actor=Actor.from_request(request), resource=resource, reason=reason)
            done = "已撤销"
        else:  # delete
            services.resource_delete_draft(actor=Actor.from_request(request), resource=resource)
            messages.success(request, f"已删除草稿《{resource.name}》。")
            return redirect("catalog_wb:index")
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("catalog_wb:detail", pk=pk)
    messages.success(request, f"《{target.name}》{done}。")
    return redirect("catalog_wb:detail", pk=target.pk)


def _post_view(verb: str, *roles: str) -> Callable[..., HttpResponse]:
    @staff_required(*roles)
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return _action(request, pk, verb)

    view.__name__ = f"resource_{verb}"
    return view


submit = _post_view("submit", Role.DATA_OFFICER)
approve = _post_view("approve", Role.EGOV_OFFICE)
reject = _post_view("reject", Role.EGOV_OFFICE)
publish = _post_view("publish", Role.EGOV_OFFICE, Role.DATA_OFFICER)
revise = _post_view("revise", Role.DATA_OFFICER)
withdraw = _post_view("withdraw", Role.EGOV_OFFICE, Role.DATA_OFFICER)
delete = _post_view("delete", Role.DATA_OFFICER)


@staff_required(Role.EGOV_OFFICE)
def review(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.approval_queue(), 30).get_page(request.GET.get("page"))
    return render(request, "catalog/wb_review.html", {"page": page, "reason_form": ReasonForm()})


@staff_required(Role.DATA_OFFICER)
def import_excel(request: HttpRequest) -> HttpResponse:
    def load(actor: Actor, content: bytes) -> str:
        result = catalog_import_excel(actor=actor, content=content)
        return f"已导入 {len(result.created)} 个资源草稿，请检查后提交审核。"

    form = ImportForm(request.POST or None, request.FILES or None)
    return excel_import_page(request, form, load, "catalog_wb:index", "catalog/wb_import.html")


@staff_required()
def template(request: HttpRequest) -> HttpResponse:
    return attachment(catalog_workbook(), "catalog-template.xlsx", XLSX)


@staff_required()
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    rows, _ = filtered(
        request, selectors.resources_visible(Actor.from_request(request)).filter(revision_of__isnull=True)
    )
    return download(rows, fmt, "catalog")
