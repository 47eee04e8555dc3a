from django.contrib.auth import views as auth_views
from django.urls import include, path

from keel.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("workspaces/", views.workspaces, name="workspaces"),
    path("w/<slug:ws>/members/", views.members, name="members"),
    path("w/<slug:ws>/members/<int:pk>/", views.member_role, name="membership_role"),
    path("w/<slug:ws>/members/<int:pk>/remove/", views.member_remove, name="membership_remove"),
    path("w/<slug:ws>/settings/", views.workspace_settings, name="workspace_settings"),
    path("w/<slug:ws>/history/", views.workspace_history, name="workspace_history"),
]

# Django's names for the password pages are kept, so its e-mails and templates work unchanged.
__all__ = ["urlpatterns", "auth_views"]
