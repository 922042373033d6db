"""Login lock-out and CAPTCHA (docs/rules.md §9): what django-axes counts, per kind of account.

- Staff (工作人员) keep the 等保 lock-out as it was: the (username, address) pair is locked after
  `ZHENGWU_LOGIN_FAILURE_LIMIT` failures for `ZHENGWU_LOCKOUT_MINUTES`; staff also have TOTP.
- Citizens and enterprise agents: the lock counts per account AND address, so a stranger failing
  from elsewhere locks only himself, never the person at their own address; and after
  `ZHENGWU_LOGIN_CAPTCHA_AFTER` failures (default 3) of the username from anywhere, or of anyone
  from this address, the login form asks for a CAPTCHA (django-simple-captcha, 4 digits, with an
  audio alternative in Mandarin: accounts/captcha.py), which slows guessing across many addresses.

The address is REMOTE_ADDR only (`core.actors.client_ip`): a client-set X-Forwarded-For would let
an attacker pick the address the lock counts.
"""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q, Sum
from django.http import HttpRequest

from zhengwu.accounts.models import User
from zhengwu.core.actors import client_ip

STAFF_PARAMETERS: list[str | list[str]] = [["username", "ip_address"]]
PUBLIC_PARAMETERS: list[str | list[str]] = [["username", "ip_address"]]


def client_address(request: HttpRequest) -> str | None:
    return client_ip(request)


def _username(request_or_attempt: Any, credentials: dict[str, Any] | None) -> str:
    if credentials and credentials.get("username"):
        return str(credentials["username"])
    return str(getattr(request_or_attempt, "username", "") or "")


def lockout_parameters(request_or_attempt: Any, credentials: dict[str, Any] | None = None) -> list[str | list[str]]:
    """AXES_LOCKOUT_PARAMETERS: the combination a failure counts against, by kind of account.
    An unknown username gets the public rule (no answer differs by whether an account exists)."""
    username = _username(request_or_attempt, credentials)
    is_staff = bool(username) and User.objects.filter(username=username, kind=User.Kind.STAFF).exists()
    return STAFF_PARAMETERS if is_staff else PUBLIC_PARAMETERS


def failures(username: str, ip: str | None) -> int:
    """Recent failures of `username` from any address, or of anyone from `ip` (the larger)."""
    attempts = AccessAttempt.objects.filter(Q(username=username) if username else Q(pk__in=[]))
    by_user = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
    by_ip = AccessAttempt.objects.filter(ip_address=ip).aggregate(n=Sum("failures_since_start"))["n"] or 0 if ip else 0
    return max(int(by_user), int(by_ip))


def captcha_needed(username: str, ip: str | None) -> bool:
    after = settings.LOGIN_CAPTCHA_AFTER
    return bool(after) and failures(username, ip) >= after
