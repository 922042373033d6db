"""HTTP API of the emergency app (mounted at /api/v1/emergency)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["emergency"])
