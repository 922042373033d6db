"""Models of the exchange, one app label for two packages: the data store and its loads
(`store.models`), and sharing by rule — requests, grants, objections, the access log,
subscriptions (`sharing.models`). Django finds them here; the tables and migrations are the app's."""

from zhengwu.exchange.sharing.models import *  # noqa: F403
from zhengwu.exchange.store.models import *  # noqa: F403
