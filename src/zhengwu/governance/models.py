"""Models of the governance app (tables `governance_*`)."""

from __future__ import annotations
