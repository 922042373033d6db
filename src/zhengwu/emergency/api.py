"""HTTP API of the emergency app (mounted at /api/v1/emergency)."""

from __future__ import annotations

from ninja import Router

from zhengwu.emergency.response_api import router as response_router

router = Router(tags=["emergency"])
router.add_router("", response_router)
