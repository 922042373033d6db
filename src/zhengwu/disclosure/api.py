"""HTTP API of the disclosure app (mounted at /api/v1/disclosure in zhengwu/api.py)."""

from ninja import Router

router = Router(tags=["disclosure"])
