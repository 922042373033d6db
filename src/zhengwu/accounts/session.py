"""Who is acting in a request, typed for the services that take an `actor`."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest

from zhengwu.accounts.models import User


def acting_user(request: HttpRequest) -> User:
    """The logged-in user of a view already guarded by `staff_required` or `login_required`."""
    if not request.user.is_authenticated:
        raise PermissionError("acting_user() needs an authenticated request")
    return cast(User, request.user)


def second_factor_passed(user: object) -> bool:
    """True when django-otp's middleware marked the session as verified by a second factor."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified()) if callable(is_verified) else False
