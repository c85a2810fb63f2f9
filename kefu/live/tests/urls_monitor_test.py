"""Test-only URLs: the site's pages plus the live monitor in the ``live`` namespace, as
``kefu.live.urls`` mounts it (that module also needs the workspace and widget views)."""

from django.urls import include, path

from config.urls import urlpatterns as site_urlpatterns
from kefu.live import urls_monitor

live_patterns = ([path("monitor/", include(urls_monitor))], "live")

urlpatterns = [path("live/", include(live_patterns)), *site_urlpatterns]
