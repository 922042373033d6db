"""The platform's settings with a Huey queue name of the two-node test's own (`test_two_nodes.py`).

The queue name is fixed in `zhengwu.settings` ("zhengwu"); two runs of the test on one Redis (two
engineers, two CI jobs) would otherwise take each other's jobs. Nothing else differs."""

import os

from zhengwu.settings import *  # noqa: F403
from zhengwu.settings import HUEY

HUEY = {**HUEY, "name": os.environ.get("ZHENGWU_TEST_QUEUE", HUEY["name"])}
