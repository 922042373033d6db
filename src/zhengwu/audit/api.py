"""HTTP API of the witness kept for other zhengwu instances, under /api/v1/audit (audit.witness_peers).

    POST /api/v1/audit/witness/anchors          keep one signed anchor line of the calling peer
    GET  /api/v1/audit/witness/anchors/latest   the newest anchor kept for the calling peer

Callers: another zhengwu instance (its audit.remote_witness), with a bearer token holding scope
`audit:witness` whose API client is registered as a witness peer with its platform public key.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema

from zhengwu.accounts.api_auth import ApiClientAuth
from zhengwu.accounts.models import ApiClient
from zhengwu.audit import witness_peers
from zhengwu.audit.chain import canonical_json
from zhengwu.core.actors import Actor
from zhengwu.core.schemas import ErrorOut

router = Router(tags=["审计日志见证"])
AUTH = [ApiClientAuth(ApiClient.Scope.AUDIT_WITNESS)]
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut}


class AnchorIn(Schema):
    line: str = Field(description="对端平台签署的一条锚点（JSON，与其见证目录中的一行相同）")


class AnchorOut(Schema):
    line: str | None = Field(description="本平台为调用方保存的最新锚点；尚无时为 null")
    at: str | None = Field(description="该锚点的时间")


def _out(record: dict[str, object] | None) -> AnchorOut:
    if record is None:
        return AnchorOut(line=None, at=None)
    return AnchorOut(line=canonical_json(record), at=str(record["at"]))


@router.post("/witness/anchors", auth=AUTH, response={200: AnchorOut, **ERRORS}, summary="存证对端的锚点")
def anchor_receive(request: HttpRequest, payload: AnchorIn) -> AnchorOut:
    return _out(witness_peers.receive_anchor(actor=Actor.from_request(request), line=payload.line))


@router.get("/witness/anchors/latest", auth=AUTH, response={200: AnchorOut, **ERRORS}, summary="对端的最新锚点")
def anchor_latest(request: HttpRequest) -> AnchorOut:
    return _out(witness_peers.latest_for(Actor.from_request(request)))
