"""HTTP API of the participation app (mounted at /api/v1/participation in zhengwu/api.py)."""

from ninja import Router

router = Router(tags=["participation"])
