"""Error codes of the emergency app (docs/design.md rule 3)."""

from __future__ import annotations

from enum import StrEnum

from zhengwu.core.errors import ApplicationError


class EmergencyError(StrEnum):
    INVALID_INPUT = "emergency.invalid_input"
    WRONG_STATE = "emergency.wrong_state"
    NO_DUTIES = "emergency.no_duties"
    RESOURCE_TAKEN = "emergency.resource_taken"
    TASK_EXISTS = "emergency.task_exists"
    NO_GRANT = "emergency.no_grant"
    REASON_REQUIRED = "emergency.reason_required"
    NO_EMERGENCY_DEPARTMENT = "emergency.no_emergency_department"
    SAME_LEVEL = "emergency.same_level"
    LETTER_TAKEN = "emergency.letter_taken"
    REPORT_PENDING = "emergency.report_pending"
    NO_RECIPIENT = "emergency.no_recipient"
    SKIP_LEVEL_REFUSED = "emergency.skip_level_refused"


def invalid(field: str, message: str, why: str = "格式不正确") -> ApplicationError:
    """A refusal of bad input naming the field (the message names the field and its limit)."""
    return ApplicationError(EmergencyError.INVALID_INPUT, message, {field: why})
