"""Public pages of sharing: /my/data-use/ — a citizen sees who read records keyed by their ID number."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhengwu.accounts.models import User
from zhengwu.core.errors import not_found
from zhengwu.exchange.sharing import selectors


@login_required
def citizen_data_use(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if user.kind != User.Kind.CITIZEN:
        raise not_found("页面")
    return render(request, "exchange/sharing_my_data_use.html", {"reads": selectors.reads_of_citizen(user)})
