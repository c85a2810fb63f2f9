"""Site-wide pages."""

from django.urls import path

from kefu.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
