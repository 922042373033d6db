"""What the operations watch last said about each check, so an alert goes out once per bad spell."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class WatchState(models.Model):
    name = models.CharField("检查项", max_length=50, primary_key=True)
    status = models.CharField("状态", max_length=10)
    value = models.CharField("测量值", max_length=300, blank=True)
    since = models.DateTimeField("自", default=timezone.now)

    class Meta:
        verbose_name = "运行监测状态"
        verbose_name_plural = "运行监测状态"

    def __str__(self) -> str:
        return f"{self.name}: {self.status}"
