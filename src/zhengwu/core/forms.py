"""Form helpers shared by every app's views."""

from __future__ import annotations

from django import forms

from zhengwu.core.errors import ApplicationError


def add_application_error(form: forms.Form, error: ApplicationError) -> None:
    """Show a service's error on the form: beside each field it names, and on top."""
    for field, text in error.fields.items():
        if field in form.fields:
            form.add_error(field, text)
    form.add_error(None, error.message)
