from django.urls import path

from kefu.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("download/", views.download, name="download"),
    path("subscriptions/", views.subscription_list, name="subscription_list"),
    path("subscriptions/new/", views.subscription_edit, name="subscription_create"),
    path("subscriptions/<int:pk>/", views.subscription_edit, name="subscription_edit"),
    path("subscriptions/<int:pk>/delete/", views.subscription_delete, name="subscription_delete"),
    path("subscriptions/<int:pk>/send/", views.subscription_send_now, name="subscription_send_now"),
    path("deliveries/", views.delivery_list, name="delivery_list"),
    path("deliveries/<int:pk>/retry/", views.delivery_retry, name="delivery_retry"),
]
