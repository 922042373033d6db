"""HTTP API of the supervision app (mounted at /api/v1/supervision in zhengwu/api.py)."""

from ninja import Router

router = Router(tags=["supervision"])
