"""Site-wide pages: sign-in and sign-out, the home page, conversations, customers."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from kefu.web.views import conversations, home

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("conversations/", conversations.conversation_list, name="conversation_list"),
    path("conversations/<int:pk>/", conversations.conversation_detail, name="conversation_detail"),
    path("customers/", include("kefu.customers.urls")),
]
