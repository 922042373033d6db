from enum import StrEnum


class SupervisionError(StrEnum):
    INVALID_INPUT = "supervision.invalid_input"
    INVALID_UNIT = "supervision.invalid_unit"
    INVALID_LIMIT = "supervision.invalid_limit"
    INVALID_TIME = "supervision.invalid_time"
    REASON_REQUIRED = "supervision.reason_required"
    TARGET_UNSAVED = "supervision.target_unsaved"
    TIMER_EXISTS = "supervision.timer_exists"
    TIMER_NOT_RUNNING = "supervision.timer_not_running"
    TIMER_NOT_PAUSED = "supervision.timer_not_paused"
    TIMER_CLOSED = "supervision.timer_closed"
    ALREADY_EXTENDED = "supervision.already_extended"
    TIMER_OVERDUE = "supervision.timer_overdue"
    OVERRIDE_NOT_FOUND = "supervision.override_not_found"
    INVALID_OVERRIDES = "supervision.invalid_overrides"
