"""Error codes of the disclosure app (docs/design.md rule 3)."""

from __future__ import annotations

from enum import StrEnum


class DisclosureError(StrEnum):
    INVALID_INPUT = "disclosure.invalid_input"
    WRONG_STATE = "disclosure.wrong_state"
    REASON_REQUIRED = "disclosure.reason_required"
    FILE_TOO_LARGE = "disclosure.file_too_large"
    CORRECTION_LATE = "disclosure.correction_late"
    CORRECTION_ONCE = "disclosure.correction_once"
    EXTENSION_ONCE = "disclosure.extension_once"
    EXTENSION_TOO_LONG = "disclosure.extension_too_long"
    ANSWER_INCOMPLETE = "disclosure.answer_incomplete"
    REPORT_NOT_DUE = "disclosure.report_not_due"
