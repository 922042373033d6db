"""Sharing models: requests, grants, objections, access log, subscriptions."""

from django.db import models  # noqa: F401
