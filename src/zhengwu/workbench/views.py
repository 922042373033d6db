"""Staff pages (内网): the to-do list and the administrators' pages. Thin: parse, authorize,
call a service or selector, render."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengwu.accounts import selectors as account_selectors
from zhengwu.accounts import services as account_services
from zhengwu.accounts.decorators import staff_required
from zhengwu.accounts.models import ApiClient, Role, User
from zhengwu.accounts.session import acting_user
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, CoreError
from zhengwu.core.forms import Done, add_application_error, form_write
from zhengwu.supervision import selectors as supervision_selectors
from zhengwu.supervision import services as supervision_services
from zhengwu.supervision.models import Light, Timer
from zhengwu.workbench import todo
from zhengwu.workbench.forms import ApiClientForm, RolesForm, StaffCreateForm, WorkdayOverrideForm


@staff_required()
def home(request: HttpRequest) -> HttpResponse:
    """My to-do list across all apps, then every running timer of my department."""
    user = acting_user(request)
    light = request.GET.get("light", "")
    light = light if light in Light.values else ""
    everything = todo.todo_list(user)
    kind = request.GET.get("kind", "")
    shown = [
        item for item in everything if (not light or item.light == light) and (not kind or item.kind_label == kind)
    ]
    todo_page = Paginator(shown, 30).get_page(request.GET.get("page"))
    if user.department is None:
        timers = Timer.objects.none()
    else:
        timers = supervision_selectors.timers_for_department(user.department, light=light or None).select_related(
            "department"
        )
    timer_page = Paginator(timers, 30).get_page(request.GET.get("tpage"))
    context = {
        "todo_page": todo_page,
        "todo_total": len(everything),
        "kinds": todo.kinds(everything),
        "timer_page": timer_page,
        "lights": Light.choices,
    }
    return render(request, "workbench/home.html", context)


@staff_required(Role.SYS_ADMIN)
def users(request: HttpRequest) -> HttpResponse:
    form = StaffCreateForm(request.POST or None)

    def create(actor: Actor, data: dict[str, Any]) -> Done:
        created = account_services.staff_create(actor=actor, **data)
        return f"已创建工作人员账号 {created.username}，请由安全管理员授予角色。", "workbench:users"

    if done := form_write(request, form, create):
        return done
    rows = account_selectors.staff_list(
        department_id=int(request.GET["department"]) if request.GET.get("department", "").isdigit() else None,
        query=request.GET.get("q", "").strip()[:50],
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "workbench/users.html", {"form": form, "page": page, "q": request.GET.get("q", "")})


@staff_required(Role.SYS_ADMIN)
@require_POST
def user_toggle_active(request: HttpRequest, user_id: int) -> HttpResponse:
    target = get_object_or_404(User, pk=user_id, kind=User.Kind.STAFF)
    account_services.user_set_active(actor=Actor.from_request(request), user=target, active=not target.is_active)
    messages.success(request, f"已{'启用' if not target.is_active else '停用'}账号 {target.username}。")
    return redirect("workbench:users")


@staff_required(Role.SEC_ADMIN)
def roles(request: HttpRequest) -> HttpResponse:
    rows = account_selectors.staff_list(query=request.GET.get("q", "").strip()[:50])
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request, "workbench/roles.html", {"page": page, "q": request.GET.get("q", ""), "all_roles": Role.choices}
    )


@staff_required(Role.SEC_ADMIN)
def role_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    target = get_object_or_404(User, pk=user_id, kind=User.Kind.STAFF)
    form = RolesForm(request.POST or None, initial={"roles": sorted(target.role_codes())})

    def set_roles(actor: Actor, data: dict[str, Any]) -> Done:
        account_services.user_set_roles(actor=actor, user=target, roles=data["roles"])
        return f"已更新 {target} 的角色。", "workbench:roles"

    return form_write(request, form, set_roles) or render(
        request, "workbench/role_edit.html", {"form": form, "target": target}
    )


@staff_required(Role.SEC_ADMIN)
@require_POST
def totp_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    target = get_object_or_404(User, pk=user_id, kind=User.Kind.STAFF)
    account_services.totp_reset(actor=Actor.from_request(request), user=target)
    messages.success(request, f"已重置 {target} 的动态口令，其下次登录时需重新绑定。")
    return redirect("workbench:roles")


@staff_required(Role.SEC_ADMIN)
@require_POST
def unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    target = get_object_or_404(User, pk=user_id)
    account_services.user_unlock(actor=Actor.from_request(request), user=target)
    messages.success(request, f"已解除 {target} 的登录锁定。")
    return redirect("workbench:roles")


@staff_required(Role.SYS_ADMIN)
def api_clients(request: HttpRequest) -> HttpResponse:
    form = ApiClientForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            client, new_token = account_services.apiclient_create(
                actor=Actor.from_request(request),
                name=form.cleaned_data["name"],
                department=form.cleaned_data["department"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.expires_at(),
            )
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            form = ApiClientForm()
            messages.success(request, f"已登记接口调用系统“{client.name}”。凭证只显示这一次，请立即妥善保存。")
    page = Paginator(account_selectors.api_clients(), 50).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "new_token": new_token, "now": timezone.now()}
    return render(request, "workbench/api_clients.html", context)


@staff_required(Role.SYS_ADMIN)
@require_POST
def api_client_revoke(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_object_or_404(ApiClient, pk=client_id)
    account_services.apiclient_revoke(actor=Actor.from_request(request), client=client)
    messages.success(request, f"已吊销“{client.name}”的凭证。")
    return redirect("workbench:api_clients")


@staff_required(Role.SYS_ADMIN)
def workdays(request: HttpRequest) -> HttpResponse:
    form = WorkdayOverrideForm(request.POST or None)

    def override(actor: Actor, data: dict[str, Any]) -> Done:
        supervision_services.workday_override_set(actor=actor, **data)
        return "工作日历已更新，所有时限将按新日历计算。", "workbench:workdays"

    if done := form_write(request, form, override):
        return done
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 else timezone.localdate().year
    overrides = supervision_selectors.workday_overrides(year=year)
    return render(request, "workbench/workdays.html", {"form": form, "overrides": overrides, "year": year})


@staff_required(Role.SYS_ADMIN)
@require_POST
def workday_delete(request: HttpRequest, day: str) -> HttpResponse:
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        raise ApplicationError(CoreError.INVALID_INPUT, "日期格式不正确。") from None
    supervision_services.workday_override_delete(actor=Actor.from_request(request), day=parsed)
    messages.success(request, f"已删除 {parsed} 的日历调整。")
    return redirect("workbench:workdays")
