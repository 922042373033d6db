"""Signals of the catalog for the layers above it.

`rows_updated` is sent (sender = the model class) after a queryset `update()` of a resource
(or, by the exchange, of a grant): Django sends no `post_save` for those, and per-process caches
above (the exchange's query caches) must still learn that rows changed.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.dispatch import Signal

rows_updated = Signal()

_M = TypeVar("_M", bound=models.Model)


class SignallingQuerySet(models.QuerySet[_M]):
    """A queryset whose `update()` sends `rows_updated`."""

    def update(self, **kwargs: Any) -> int:
        count = super().update(**kwargs)
        rows_updated.send(sender=self.model)
        return count
