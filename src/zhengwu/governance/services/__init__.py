"""Writes of the governance app, one module per entity, all importable from here:

- `systems`: the systems inventory (register, update, link API clients, life-cycle changes);
- `zombies`: the zombie rules' monthly run and the review of each candidate;
- `inventory_import`: a department's inventory from the Excel template;
- `evaluations` (with the registry of measures, `measures`) and `projects`.
"""

from __future__ import annotations

from zhengwu.governance.services.systems import (
    SystemData,
    can_manage_system,
    is_egov_office,
    system_change_state,
    system_link_client,
    system_register,
    system_unlink_client,
    system_update,
)
from zhengwu.governance.services.zombies import (
    SELF_CHECK_TIMER,
    zombie_confirm,
    zombie_decide,
    zombie_dismiss,
    zombie_scan,
    zombie_self_check,
    zombie_send_back,
)

__all__ = [
    "SELF_CHECK_TIMER",
    "SystemData",
    "can_manage_system",
    "is_egov_office",
    "system_change_state",
    "system_link_client",
    "system_register",
    "system_unlink_client",
    "system_update",
    "zombie_confirm",
    "zombie_decide",
    "zombie_dismiss",
    "zombie_scan",
    "zombie_self_check",
    "zombie_send_back",
]
