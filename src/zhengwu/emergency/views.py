"""Public pages of the emergency app (外网): the live warnings (预警信息), one warning, and a
person's subscriptions to warnings for an area. The portal's home page shows the live ones as a
banner (portal/views.py, served from the page cache: every issue, adjustment or lift is an
audited write, which makes the cached pages new at once)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from zhengwu.accounts.models import Region
from zhengwu.core.actors import Actor
from zhengwu.core.lookups import found_or_404
from zhengwu.core.post_action import post_action
from zhengwu.emergency import selectors, services
from zhengwu.emergency.models import EarlyWarning, Subscription

PAGE_SIZE = 20


def warnings(request: HttpRequest) -> HttpResponse:
    state = "all" if request.GET.get("state") == "all" else "live"
    page = Paginator(selectors.public_warnings(state=state), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "emergency/warning_list.html", {"page": page, "state": state})


def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = found_or_404(
        EarlyWarning.objects.select_related("region", "department").filter(pk=pk).first(), "没有这条预警。"
    )
    live = selectors.live_warnings().filter(pk=pk).exists()
    return render(request, "emergency/warning_detail.html", {"warning": found, "live": live})


@login_required
def subscriptions(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    if request.method == "POST":

        def subscribe(actor: Actor) -> str:
            services.subscription_add(
                actor=actor,
                region_code=request.POST.get("region_code", ""),
                for_department=request.POST.get("for_department") == "1",
            )
            return "已订阅该地区的预警信息，发布时将以站内消息和短信通知您。"

        return post_action(request, subscribe, "emergency:subscriptions")
    mine = Subscription.objects.filter(user=actor.user, department__isnull=True).select_related("region")
    department = actor.department if actor.is_staff else None
    ours = Subscription.objects.filter(department=department).select_related("region") if department else []
    context = {
        "mine": mine,
        "ours": ours,
        "department": department,
        "regions": Region.objects.order_by("code"),
    }
    return render(request, "emergency/warning_subscriptions.html", context)


@login_required
@require_POST
def subscription_remove(request: HttpRequest, pk: int) -> HttpResponse:
    found = found_or_404(Subscription.objects.filter(pk=pk).first(), "没有这项订阅。")

    def remove(actor: Actor) -> str:
        services.subscription_remove(actor=actor, subscription=found)
        return "已取消订阅。"

    return post_action(request, remove, "emergency:subscriptions")
