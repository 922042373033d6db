"""Form helpers shared by every app's views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError

# What a successful write says to the user, and where to go next (a URL or a URL name).
Done = tuple[str, str]


class DateInput(forms.DateInput):
    """A date picker (`type=date`) whose value is always ISO `2026-12-07`: browsers accept nothing
    else there, and the localised default (`2026/12/07` in Chinese) left the box empty, so the first
    submit failed."""

    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def add_application_error(form: forms.Form, error: ApplicationError) -> None:
    """Show a service's error on the form: beside each field it names, and on top."""
    for field, text in error.fields.items():
        if field in form.fields:
            form.add_error(field, text)
    form.add_error(None, error.message)


def form_write(
    request: HttpRequest, form: forms.Form, write: Callable[[Actor, dict[str, Any]], Done]
) -> HttpResponse | None:
    """The one shape of a form page's POST: when the request is a POST and `form` is valid, run
    `write` (a service call) as the request's actor with the cleaned data; on success say what it
    returned and redirect; on a refusal put it on the form. None whenever the caller is to render
    the page (again)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        message, url = write(Actor.from_request(request), form.cleaned_data)
    except ApplicationError as error:
        add_application_error(form, error)
        return None
    messages.success(request, message)
    return redirect(url)
