"""The demo's people as the apps' demo loaders find them, and the API clients they register.

`zhengwu demo` makes the accounts first (`zhengwu.demo`, names `<prefix>.<role>` such as
`scjgt.leader`, `citizen01`); each app's `demo.py` then acts as those people, found by their account
names, and skips what it cannot make when an account is missing (a database loaded in part, an
app's own tests). Here once, so that every loader finds them, and makes a department system's
client, the same way.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from zhengwu.accounts.models import ApiClient, Department, User
from zhengwu.accounts.services import apiclient_create
from zhengwu.core.actors import Actor


def demo_user(username: str) -> User | None:
    """The account with this name (its department read with it), None when it is not there."""
    return User.objects.filter(username=username).select_related("department").first()


def demo_actor(username: str) -> Actor | None:
    """The person with this account name as the actor of a demo write, None when it is not there."""
    user = demo_user(username)
    return Actor.person(user) if user is not None else None


def demo_department(prefix: str, role: str) -> Department | None:
    """The department of the account `<prefix>.<role>` (e.g. `gat`, `leader`): the demo names a
    department by its accounts' prefix. None when the account is not there."""
    user = demo_user(f"{prefix}.{role}")
    return user.department if user is not None else None


def demo_exchange_client(name: str, department: Department) -> tuple[ApiClient, str]:
    """A new API client of `department` for the exchange's query API, valid for a year, registered
    by the system administrator (`sysadmin`) as a department system's is; with its token (shown
    once). The demo's department systems are all made this way."""
    sysadmin = User.objects.get(username="sysadmin")
    return apiclient_create(
        actor=Actor.person(sysadmin),
        name=name,
        department=department,
        scopes=[ApiClient.Scope.EXCHANGE_QUERY],
        expires_at=timezone.now() + timedelta(days=365),
    )
