"""The page that loads a filled-in Excel template (service items, catalog resources)."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError


def excel_import_page(
    request: HttpRequest, form: forms.Form, load: Callable[[Actor, bytes], str], done: str, template: str
) -> HttpResponse:
    """On a POST with a file (`form`'s field `file`), `load` it as the request's actor. A refused
    file lists every problem the loader found (its error's fields, one a row, else its message)
    under the form, which gets the error's headline (the part before "："); a loaded one says
    what `load` returned and goes to `done`. All or nothing: the loader writes no row of a
    refused file."""
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            message = load(Actor.from_request(request), form.cleaned_data["file"].read())
        except ApplicationError as error:
            problems = list(error.fields.values()) or [error.message]
            form.add_error(None, error.message.split("：")[0] + "。")
        else:
            messages.success(request, message)
            return redirect(done)
    return render(request, template, {"form": form, "problems": problems})
