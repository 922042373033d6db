"""The state machines of the exchange (docs/states.md is generated from them), declared beside
each package's models: the load job in `store.states`; share requests and objections in
`sharing.states`. (Grants and subscriptions have no state field: a grant is revoked or runs out, a
subscription is active or cancelled.)"""

from __future__ import annotations

from zhengwu.exchange.sharing.states import OBJECTION, SHARE_REQUEST
from zhengwu.exchange.store.states import LOAD_JOB

__all__ = ["LOAD_JOB", "OBJECTION", "SHARE_REQUEST"]
