from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from vanguard.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz/", core_views.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("vanguard.accounts.urls")),
    path("org/", include("vanguard.org.urls")),
    path("zones/", include("vanguard.zones.urls")),
    path("contacts/", include("vanguard.contacts.urls")),
    path("reports/", include("vanguard.reports.urls")),
    path("assessment/", include("vanguard.assessment.urls")),
    path("assessment/year/", include("vanguard.assessment.urls_year")),
    path("standards/", include("vanguard.posts.urls_standards")),
    path("p/standards/", include("vanguard.posts.urls_standards_public")),
    path("posts/", include("vanguard.posts.urls")),
    path("p/posts/", include("vanguard.posts.urls_public")),
    path("community/", include("vanguard.community.urls")),
    path("timebank/", include("vanguard.timebank.urls")),
    path("requests/", include("vanguard.service_requests.urls")),
    path("p/requests/", include("vanguard.service_requests.urls_public")),
    path("p/zones/", include("vanguard.zones.urls_public")),
    path("notifications/", include("vanguard.notifications.urls")),
    path("p/", include("vanguard.public.urls")),
    path("audit/", include("vanguard.audit.urls")),
    path("data/", include("vanguard.dataio.urls")),
    path("api/v1/", include("vanguard.api.urls")),
    path("admin/", admin.site.urls),
    path("zones/print/", include("vanguard.zones.urls_print")),
    path("posts/print/", include("vanguard.posts.urls_print")),
]

handler403 = "vanguard.core.views.error_403"
handler404 = "vanguard.core.views.error_404"
handler500 = "vanguard.core.views.error_500"

admin.site.site_header = "先锋 · 党员责任区管理"
admin.site.site_title = "先锋"
