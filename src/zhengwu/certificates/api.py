"""HTTP API of the certificates app (mounted at /api/v1/certificates in zhengwu/api.py)."""

from ninja import Router

router = Router(tags=["certificates"])
