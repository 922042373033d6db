"""HTTP API of the governance app (mounted at /api/v1/governance)."""

from __future__ import annotations

from ninja import Router

from zhengwu.governance.api_goveval import router as projects_evaluations_router
from zhengwu.governance.api_inventory import router as inventory_router

router = Router(tags=["governance"])
router.add_router("", inventory_router)
router.add_router("", projects_evaluations_router)
