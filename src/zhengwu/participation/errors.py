"""Error codes of the participation app (docs/design.md rule 3)."""

from __future__ import annotations

from enum import StrEnum


class ParticipationError(StrEnum):
    INVALID_LETTER = "participation.invalid_letter"
    INVALID_PHOTO = "participation.invalid_photo"
    NO_OFFICE = "participation.no_office"
    WRONG_STATE = "participation.wrong_state"
    REASON_REQUIRED = "participation.reason_required"
    RETURN_TOO_LATE = "participation.return_too_late"
    INVALID_EXTENSION = "participation.invalid_extension"
    ALREADY_EXTENDED = "participation.already_extended"
    NO_CONSENT = "participation.no_consent"
    INVALID_RATING = "participation.invalid_rating"
    ALREADY_RATED = "participation.already_rated"
    INVALID_CONSULTATION = "participation.invalid_consultation"
    NOT_OPEN = "participation.not_open"
    REAL_NAME_REQUIRED = "participation.real_name_required"
    INVALID_COMMENT = "participation.invalid_comment"
    INVALID_SURVEY = "participation.invalid_survey"
    INVALID_ANSWER = "participation.invalid_answer"
    ALREADY_ANSWERED = "participation.already_answered"
    ANONYMOUS_LIMIT = "participation.anonymous_limit"
    INVALID_FLAG = "participation.invalid_flag"
    ALREADY_FLAGGED = "participation.already_flagged"
    INVALID_WORD = "participation.invalid_word"
