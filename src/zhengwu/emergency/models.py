"""Models of the emergency app (tables `emergency_*`)."""

from __future__ import annotations
