"""Access rules for staff pages: logged in, second factor verified, holding a role."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from zhengwu.accounts.session import acting_user, second_factor_passed
from zhengwu.core.errors import permission_denied


def staff_required(*roles: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Allow active staff who passed TOTP and (if roles are given) hold one of them.

    Anonymous users go to the login page; a staff user who has not passed the second factor
    goes to the verification step; anyone else gets a 403 page.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if getattr(user, "kind", None) != "staff":
                raise permission_denied("此页面仅供工作人员使用。")
            if not second_factor_passed(user):
                return redirect_to_login(request.get_full_path(), login_url="accounts:otp")
            if roles and not acting_user(request).has_role(*roles):
                raise permission_denied()
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
