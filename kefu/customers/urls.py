"""Customer pages (mounted under /customers/ by kefu.web.urls)."""

from django.urls import path

from kefu.customers import views, views_segments

urlpatterns = [
    path("", views.customer_list, name="customer_list"),
    path("<int:pk>/", views.customer_detail, name="customer_detail"),
    path("<int:pk>/personal-data/", views.customer_reveal, name="customer_reveal"),
    path("<int:pk>/tags/", views.customer_tag_add_view, name="customer_tag_add"),
    path("<int:pk>/tags/<int:tag_id>/delete/", views.customer_tag_remove_view, name="customer_tag_remove"),
    path("segments/", views_segments.segment_list, name="customer_segments"),
    path("segments/new/", views_segments.segment_new, name="customer_segment_new"),
    path("segments/<int:pk>/", views_segments.segment_search, name="customer_segment_search"),
    path("segments/<int:pk>/edit/", views_segments.segment_edit, name="customer_segment_edit"),
    path("segments/<int:pk>/delete/", views_segments.segment_delete_view, name="customer_segment_delete"),
    path("segments/<int:pk>/export/", views_segments.segment_export_view, name="customer_segment_export"),
]
