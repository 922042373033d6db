"""Models of the exchange: the data store and its loads (store_models), and the sharing by rule —
requests, grants, objections, the access log, subscriptions (sharing_models)."""

from zhengwu.exchange.sharing_models import *  # noqa: F403
from zhengwu.exchange.store_models import *  # noqa: F403
