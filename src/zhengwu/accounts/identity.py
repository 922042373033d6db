"""Real-name check at registration (实名核验, docs/rules.md §5 and §3 一数一源).

The authoritative 人口基础信息 base belongs to 公安厅 and lives in the exchange, above accounts
(layers): accounts never writes to it and cannot import it. The exchange registers the one
checker from its `AppConfig.ready()`; registration asks it whether the name and ID number match a
live record. The checker reads through the exchange's own read path, so the read is in the access
log as a use by the platform (the person sees it on "谁用了我的数据").

With no checker registered (accounts alone) or no base published, nobody is verified: the person
registers with the account alone, marked unverified.
"""

from __future__ import annotations

from collections.abc import Callable

# (id_number, name, ip) → True when the base holds a live record of that number with that name.
IdentityChecker = Callable[[str, str, str | None], bool]

_checkers: dict[str, IdentityChecker] = {}


def register_identity_checker(name: str, checker: IdentityChecker) -> None:
    if not name or not callable(checker):
        raise ValueError("register_identity_checker needs a name and a callable checker")
    _checkers[name] = checker


def unregister_identity_checker(name: str) -> None:
    _checkers.pop(name, None)


def identity_matches(id_number: str, name: str, ip: str | None = None) -> bool:
    """Whether a registered checker finds `name` under `id_number` in the population base."""
    return any(checker(id_number, name, ip) for checker in list(_checkers.values()))
