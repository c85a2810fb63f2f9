from django.urls import path

from kefu.notify import views

app_name = "notify"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/open/", views.notification_open, name="open"),
    path("read-all/", views.read_all, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("robots/", views.robot_list, name="robot_list"),
    path("robots/new/", views.robot_edit, name="robot_create"),
    path("robots/<int:pk>/", views.robot_edit, name="robot_edit"),
    path("robots/<int:pk>/deactivate/", views.robot_deactivate, name="robot_deactivate"),
    path("robots/<int:pk>/test/", views.robot_test, name="robot_test"),
    path("sends/", views.send_list, name="send_list"),
    path("sends/<int:pk>/retry/", views.send_retry, name="send_retry"),
]
