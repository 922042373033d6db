"""Looking a record up for a page."""

from __future__ import annotations

from typing import TypeVar

from django.http import Http404

FoundT = TypeVar("FoundT")


def found_or_404(found: FoundT | None, message: str) -> FoundT:
    """`found`, or a 404 saying `message` when the lookup found nothing. Pages look a record up among
    those the user may see, so one they may not see is simply not there (a 403 would tell it exists)."""
    if found is None:
        raise Http404(message)
    return found
