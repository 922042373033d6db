from django.urls import include, path, re_path

from zhengwu.accounts import views as accounts_views
from zhengwu.api import api
from zhengwu.catalog import views as catalog_views
from zhengwu.core.health import healthz
from zhengwu.disclosure import views as disclosure_views
from zhengwu.portal.cache import public_page

urlpatterns = [
    path("healthz", healthz),
    path("api/v1/", api.urls),
    path("accounts/", include("zhengwu.accounts.urls")),
    # The CAPTCHA's audio in Mandarin from shipped recordings (accounts/captcha.py), at the library's
    # own audio URL, before the library's view (which needs `flite`).
    path(
        "captcha/", include([re_path(r"audio/(?P<key>\w+).wav$", accounts_views.captcha_audio, name="captcha_audio")])
    ),
    path("captcha/", include("captcha.urls")),
    path("workbench/audit/", include("zhengwu.audit.workbench_urls")),
    path("workbench/exchange/data/", include("zhengwu.exchange.store.workbench_urls")),
    # Pages many visitors read are served from the public page cache (portal/cache.py), which
    # lives above these apps, so they are wrapped here, before the apps' own URLs.
    re_path(r"^catalog/resource/(?P<code>\d{1,12}/\d{3,6})/$", public_page(catalog_views.catalog_detail)),
    path("catalog/", include("zhengwu.catalog.urls")),
    path("workbench/catalog/", include("zhengwu.catalog.workbench_urls")),
    path("workbench/exchange/sharing/", include("zhengwu.exchange.sharing.workbench_urls")),
    path("my/data-use/", include("zhengwu.exchange.sharing.urls")),
    path("workbench/eservices/", include("zhengwu.eservices.workbench_urls")),
    path("workbench/disclosure/", include("zhengwu.disclosure.workbench_urls")),
    path("workbench/participation/", include("zhengwu.participation.workbench_urls")),
    path("workbench/documents/", include("zhengwu.documents.workbench_urls")),
    path("workbench/emergency/", include("zhengwu.emergency.workbench_urls")),
    path("workbench/governance/", include("zhengwu.governance.workbench_urls")),
    path("workbench/supervision/", include("zhengwu.supervision.workbench_urls")),
    path("workbench/certificates/", include("zhengwu.certificates.workbench_urls")),
    path("workbench/ops/", include("zhengwu.ops.workbench_urls")),
    path("workbench/", include("zhengwu.workbench.urls")),
    path("services/", include("zhengwu.eservices.urls")),
    path("", include("zhengwu.certificates.urls")),  # /certificates/… and /verify/…
    re_path(r"^disclosure/(?P<key>[0-9A-Z]{18}/\d{4}-\d{5}|\d{1,11})/$", public_page(disclosure_views.detail)),
    path("disclosure/", include("zhengwu.disclosure.urls")),
    path("participation/", include("zhengwu.participation.urls")),
    path("documents/", include("zhengwu.documents.urls")),
    path("emergency/", include("zhengwu.emergency.urls")),
    path("evaluations/", include("zhengwu.governance.urls")),
    path("open311/v2/", include("zhengwu.participation.open311_urls")),
    path("supervision/", include("zhengwu.supervision.urls")),
    path("", include("zhengwu.portal.urls")),
]

handler400 = "zhengwu.portal.views.bad_request"
handler403 = "zhengwu.portal.views.permission_denied"
handler404 = "zhengwu.portal.views.not_found"
handler500 = "zhengwu.portal.views.server_error"
