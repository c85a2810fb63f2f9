"""Customer pages (mounted under /customers/ by kefu.web.urls)."""

from django.urls import path

from kefu.customers import views

urlpatterns = [
    path("<int:pk>/", views.customer_detail, name="customer_detail"),
    path("<int:pk>/personal-data/", views.customer_reveal, name="customer_reveal"),
]
