from typing import Any

from django.conf import settings
from django.http import HttpRequest

from zhengwu.core import display

SITE_NAME = "吉林省政务服务平台"


def site(request: HttpRequest) -> dict[str, Any]:
    """What every page's frame needs: the site's name and furniture, the zone, the display modes."""
    modes = display.modes(request)
    return {
        "site_name": SITE_NAME,
        "zone": settings.ZHENGWU_ZONE,
        "elder_mode": display.ELDER in modes,
        "high_contrast": display.CONTRAST in modes,
        "furniture": display.furniture(),
    }
