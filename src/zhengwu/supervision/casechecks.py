"""Registry of the apps that know case numbers (办件编号), for complaints (网上投诉).

A complaint may name the case it is about. The case lives in an app above supervision
(eservices …), which cannot be imported from here (layers), so that app registers a checker from
its `AppConfig.ready()`:

    from zhengwu.supervision.casechecks import register_case_checker

    class EservicesConfig(AppConfig):
        def ready(self) -> None:
            register_case_checker("eservices", complaint_case_of)

`checker(complainant, case_number)` returns the case's number as the app writes it when
`case_number` names a case of which `complainant` is the applicant, else None. A case number is
accepted when one registered checker recognises it; otherwise the complaint is refused, with the
same answer for an unknown number and someone else's case (numbers must not be probed). With no
checker registered (supervision alone) the number is kept as typed.
"""

from __future__ import annotations

from collections.abc import Callable

from zhengwu.accounts.models import User
from zhengwu.core.errors import ApplicationError
from zhengwu.supervision.errors import SupervisionError
from zhengwu.supervision.registry import Registry

Checker = Callable[[User, str], str | None]

_checkers: Registry[Checker] = Registry("register_case_checker", "checker")
register_case_checker = _checkers.register
unregister_case_checker = _checkers.unregister
registered_checkers = _checkers.registered


def check_case_number(complainant: User, case_number: str) -> str:
    """The case number as its app writes it, when it names one of `complainant`'s own cases;
    `supervision.complaint_unknown_case` otherwise. "" stays "" (the number is optional)."""
    case_number = (case_number or "").strip()
    if not case_number or not _checkers:
        return case_number
    for checker in list(_checkers.values()):
        found = checker(complainant, case_number)
        if found:
            return found
    raise ApplicationError(
        SupervisionError.COMPLAINT_UNKNOWN_CASE,
        f"办件编号“{case_number[:64]}”不存在或不是您本人申请的办件，请核对受理回执上的编号"
        "（不清楚可不填，只填写事项名称）。",
        {"case_number": "不是您本人的办件编号"},
    )
