"""/api/v1/: the token endpoint, the schema and its docs, and each app's endpoints (their `apis.py`)."""

from __future__ import annotations

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from vanguard.assessment import apis as assessment_apis
from vanguard.assessment import apis_year as assessment_year_apis
from vanguard.community import apis as community_apis
from vanguard.contacts import apis as contacts_apis
from vanguard.org import apis as org_apis
from vanguard.posts import apis as posts_apis
from vanguard.reports import apis as reports_apis
from vanguard.service_requests import apis as service_requests_apis
from vanguard.timebank import apis as timebank_apis
from vanguard.zones import apis as zones_apis

from .errors import api_not_found
from .views import TokenView

app_name = "api"

router = SimpleRouter()
router.register("organisations", org_apis.OrganisationViewSet, basename="organisation")
router.register("cells", org_apis.CellViewSet, basename="cell")
router.register("people", org_apis.PersonViewSet, basename="person")
router.register("members", org_apis.MemberViewSet, basename="member")
for app_apis in (
    zones_apis,
    contacts_apis,
    reports_apis,
    assessment_apis,
    assessment_year_apis,
    posts_apis,
    community_apis,
    timebank_apis,
    service_requests_apis,
):
    for prefix, viewset, basename in app_apis.ROUTES:
        router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
    # Last: whatever else is asked for under /api/v1/ answers a JSON 404, not the site's HTML page.
    re_path(r"^[\s\S]*$", api_not_found),
]
