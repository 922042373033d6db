"""HTTP API of the eservices app (mounted at /api/v1/eservices in zhengwu/api.py)."""

from ninja import Router

router = Router(tags=["eservices"])
