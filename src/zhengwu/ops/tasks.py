"""The daily backup (ZHENGWU_BACKUP_HOUR, Beijing time), kept ZHENGWU_BACKUP_KEEP deep."""

from __future__ import annotations

import logging

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zhengwu.core.actors import Actor
from zhengwu.ops import services

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(hour=str(settings.ZHENGWU_BACKUP_HOUR), minute="15"))
def backup_daily() -> None:
    made = services.backup_scheduled(actor=Actor.platform())
    if made is None:
        logger.warning("每日备份未执行：没有设置 %s。", services.PASSPHRASE_ENV)
    else:
        logger.info("每日备份完成：%s", made.path)


@db_periodic_task(crontab(minute="*/10"))
def watch_every_ten_minutes() -> None:
    services.watch_alert(actor=Actor.platform())
