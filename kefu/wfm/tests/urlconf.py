"""Test-only URLs: the site's plus the roster pages at /wfm/ (until config/urls.py mounts them)."""

from django.urls import include, path

from config.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("wfm/", include("kefu.wfm.urls")), *site_urlpatterns]
