"""Data store and loading models (owned by the store/ingest work)."""

from django.db import models  # noqa: F401
