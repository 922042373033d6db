"""The one shape of a page's one-button POST (a verb on a record: 签收, 核实, 撤销 …)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError

DONE = "已办理。"


def post_action(request: HttpRequest, act: Callable[[Actor], str | None], back: str, **url_args: Any) -> HttpResponse:
    """Run `act` (the service call) as the request's actor and go back to `back` (a URL name, with
    `url_args`, or a URL). A button has no form to show a refusal beside, so both outcomes go into
    the messages: what `act` returned (DONE when nothing), or the refusal's message. Only an
    ApplicationError is a refusal; anything else (a 404 for a verb that does not exist) goes on."""
    try:
        done = act(Actor.from_request(request))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done or DONE)
    return redirect(back, **url_args)
