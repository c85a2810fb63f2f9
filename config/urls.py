"""Site URLs: pages per app, the admin, and the one API object under /api/v1/."""

from django.contrib import admin
from django.urls import include, path

from config.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("intake/", include("kefu.intake.urls")),
    path("metrics/", include("kefu.dashboards.urls")),
    path("notifications/", include("kefu.notify.urls")),
    path("reports/", include("kefu.reports.urls")),
    path("qa/", include("kefu.qa.urls")),
    path("review/", include("kefu.review.urls")),
    path("tickets/", include("kefu.tickets.urls")),
    path("scripts/", include("kefu.scripts.urls")),
    path("live/", include("kefu.live.urls")),
    path("routing/", include("kefu.routing.urls")),
    path("wfm/", include("kefu.wfm.urls")),
    path("", include("kefu.web.urls")),
]
