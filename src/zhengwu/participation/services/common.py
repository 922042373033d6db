"""What the services of participation share: who may act, and the checks of typed input."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TypeVar

from zhengwu.accounts.models import Department, Role, User
from zhengwu.audit.write import Write, audited_write
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, required_text
from zhengwu.participation.errors import ParticipationError
from zhengwu.participation.models import Consultation, Letter, Survey

_Open = TypeVar("_Open", Consultation, Survey)

DEPT_ROLES = (Role.CLERK, Role.DEPT_LEADER)
OFFICE_ROLES = (Role.EGOV_OFFICE,)
CONTENT_STAFF = (Role.CLERK, Role.DEPT_LEADER, Role.EGOV_OFFICE)


def is_office(actor: Actor, letter: Letter) -> bool:
    """The receiving office's e-gov staff (12345 热线/电子政务办)."""
    return actor.works_in(letter.office_id, *OFFICE_ROLES)


def is_handler(actor: Actor, letter: Letter) -> bool:
    """A clerk or leader of the department the letter is dispatched to."""
    return actor.works_in(letter.department_id, *DEPT_ROLES)


def is_content_staff(actor: Actor, department_id: int | None) -> bool:
    """Who manages a department's consultations and surveys: its clerks and leaders, or the e-gov office."""
    return (actor.is_staff and actor.has_role(Role.EGOV_OFFICE)) or actor.works_in(department_id, *DEPT_ROLES)


def is_real_name(actor: Actor) -> bool:
    """A citizen with a verified ID number, or an enterprise account with a credit code."""
    user = actor.user
    if user is None or not user.is_active:
        return False
    if user.kind == User.Kind.CITIZEN:
        return bool(user.real_name and user.id_number)
    if user.kind == User.Kind.ENTERPRISE:
        return bool(user.real_name and user.enterprise_credit_code)
    return False


def reason_text(value: str | None, what: str = "理由", field: str = "reason") -> str:
    return required_text(value, field=field, what=what, code=ParticipationError.REASON_REQUIRED, max_length=500)


def check_period(opens_on: date, closes_on: date, code: StrEnum) -> None:
    if not isinstance(opens_on, date) or not isinstance(closes_on, date):
        raise ApplicationError(code, "请填写起止日期。", {"opens_on": "必填"})
    if closes_on < opens_on:
        raise ApplicationError(code, "截止日期不能早于开始日期。", {"closes_on": "早于开始日期"})


@dataclass(frozen=True)
class NewItem:
    """What `department_write` gives the block: the write, the department, its author and title."""

    write: Write
    department: Department
    author: User
    title: str

    def open_item(
        self, model: type[_Open], *, intro: str, opens_on: date, closes_on: date, code: StrEnum, **fields: object
    ) -> _Open:
        """The new consultation or survey itself (not saved yet), open from `opens_on` to `closes_on`."""
        check_period(opens_on, closes_on, code)
        return model(
            title=self.title,
            intro=(intro or "").strip(),
            department=self.department,
            opens_on=opens_on,
            closes_on=closes_on,
            created_by=self.author,
            **fields,
        )


@contextmanager
def department_write(actor: Actor, action: StrEnum, refusal: str, title: str, code: StrEnum) -> Iterator[NewItem]:
    """The audited write of something new a department puts out (a consultation, a survey), by its
    staff (or the e-gov office) for the department they work in; yields the title it is given."""
    department = actor.department
    with audited_write(actor, action, department=department) as write:
        write.require(department is not None and is_content_staff(actor, department.pk), refusal)
        assert department is not None and actor.user is not None
        yield NewItem(
            write, department, actor.user, required_text(title, field="title", what="标题", code=code, max_length=200)
        )
