from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "site_name": "吉林省政务服务平台",
        "zone": settings.ZHENGWU_ZONE,
        "large_font": request.COOKIES.get("zw_large") == "1",
    }
