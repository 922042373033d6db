"""Form helpers shared by every app's views."""

from __future__ import annotations

from django import forms

from zhengwu.core.errors import ApplicationError


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
