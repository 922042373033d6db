"""Error codes of the governance app (docs/design.md rule 3)."""

from __future__ import annotations

from enum import StrEnum


class GovernanceError(StrEnum):
    INVALID_INPUT = "governance.invalid_input"
    WRONG_STATE = "governance.wrong_state"
    DUPLICATE_SYSTEM = "governance.duplicate_system"
    CLIENT_TAKEN = "governance.client_taken"
    IMPORT_INVALID = "governance.import_invalid"
    NOT_ALLOWED = "governance.not_allowed"
    DUPLICATE = "governance.duplicate"
    SHARING_GATE = "governance.sharing_gate"
