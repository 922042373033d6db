"""Fixtures of the emergency tests."""

from zhengwu.emergency.tests.dispatch_helpers import flood_plan, graded_incident  # noqa: F401
