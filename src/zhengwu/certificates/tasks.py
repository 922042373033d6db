"""Huey tasks of the certificates app.

`certificates_expiry_tick` runs daily at 00:30: certificates whose validity ended are marked
过期 in the 电子证照 base resource, so once-only reuse through the exchange sees it too (the
verify page and `certificates_held_by` compute expiry themselves and need no task).
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zhengwu.certificates.services import certificates_expire_in_base
from zhengwu.core.actors import Actor


@db_periodic_task(crontab(hour="0", minute="30"))
def certificates_expiry_tick() -> int:
    total = 0
    while True:
        written = certificates_expire_in_base(actor=Actor.platform())
        total += written
        if written == 0:
            return total
