"""Who acts (docs/design.md rule 1): a person, a department system, the platform itself, or an
anonymous visitor.

Every service takes an `Actor`, built once from the request by `Actor.from_request` (or made
explicitly: `Actor.platform()` for jobs and commands, `Actor.anonymous(ip)` for a visitor). There is
no `None` actor: "the platform" and "nobody logged in" are different people, and a caller that
forgets to pass one gets a type error, not authorization silently switched off.

The IP and the zone travel with the actor, so services never need the request itself.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest

if TYPE_CHECKING:  # core is the bottom layer: accounts' models are named for the type checker only
    from zhengwu.accounts.models import ApiClient, Department, User


class ActorKind(StrEnum):
    PERSON = "person"
    API_CLIENT = "api_client"
    PLATFORM = "platform"
    ANONYMOUS = "anonymous"


@lru_cache(maxsize=1024)  # parsed on every logged call; the same few addresses call again and again
def normalise_ip(raw: str | None) -> str | None:
    """The address as both databases give it back: compressed IPv6, IPv4-mapped unpacked."""
    if not raw:
        return None
    try:
        address = ipaddress.ip_address(raw.strip().split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def client_ip(request: HttpRequest | None) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client and proves nothing. Behind a reverse
    # proxy REMOTE_ADDR is the proxy's address, and that is what is recorded.
    if request is None:
        return None
    return normalise_ip(request.META.get("REMOTE_ADDR"))


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    user: User | None = None
    api_client: ApiClient | None = None
    ip: str | None = None
    zone: str = field(default_factory=lambda: str(settings.ZHENGWU_ZONE))

    # --- making one ---------------------------------------------------------------------

    @classmethod
    def person(cls, user: User, *, ip: str | None = None) -> Actor:
        if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
            raise ValueError("Actor.person needs a saved, authenticated user; use Actor.anonymous().")
        return cls(ActorKind.PERSON, user=user, ip=ip)

    @classmethod
    def api(cls, client: ApiClient, *, ip: str | None = None) -> Actor:
        return cls(ActorKind.API_CLIENT, api_client=client, ip=ip)

    @classmethod
    def platform(cls) -> Actor:
        """The platform itself: scheduled jobs, commands, the demo loader."""
        return cls(ActorKind.PLATFORM)

    @classmethod
    def anonymous(cls, *, ip: str | None = None) -> Actor:
        return cls(ActorKind.ANONYMOUS, ip=ip)

    @classmethod
    def from_request(cls, request: HttpRequest) -> Actor:
        """The person logged in, else the API client the bearer token named, else an anonymous visitor."""
        ip = client_ip(request)
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return cls.person(user, ip=ip)
        api_client = getattr(request, "api_client", None)
        if api_client is not None:
            return cls.api(api_client, ip=ip)
        return cls.anonymous(ip=ip)

    # --- asking about one ---------------------------------------------------------------

    @property
    def is_person(self) -> bool:
        return self.kind == ActorKind.PERSON

    @property
    def is_platform(self) -> bool:
        return self.kind == ActorKind.PLATFORM

    @property
    def is_anonymous(self) -> bool:
        return self.kind == ActorKind.ANONYMOUS

    @property
    def is_staff(self) -> bool:
        return self.user is not None and self.user.kind == "staff"

    @property
    def department_id(self) -> int | None:
        """The department a person works for, or the one an API client belongs to."""
        if self.user is not None:
            return self.user.department_id
        if self.api_client is not None:
            return self.api_client.department_id
        return None

    @property
    def department(self) -> Department | None:
        if self.user is not None:
            return self.user.department
        if self.api_client is not None:
            return self.api_client.department
        return None

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    def has_role(self, *roles: str) -> bool:
        """A person holding one of `roles` (the platform and API clients hold none)."""
        return self.user is not None and self.user.has_role(*roles)

    def works_in(self, department_id: int | None, *roles: str) -> bool:
        """Staff of `department_id`, holding one of `roles` when roles are named."""
        return (
            self.is_staff
            and department_id is not None
            and self.department_id == department_id
            and (not roles or self.has_role(*roles))
        )

    def is_user(self, user_id: int | None) -> bool:
        return self.user is not None and user_id is not None and self.user.pk == user_id

    def __str__(self) -> str:
        if self.user is not None:
            return f"{self.user.real_name or self.user.username}({self.user.username})"
        if self.api_client is not None:
            return f"{self.api_client.name}({self.api_client.token_prefix})"
        return {ActorKind.PLATFORM: "平台", ActorKind.ANONYMOUS: "未登录用户"}.get(self.kind, str(self.kind))
