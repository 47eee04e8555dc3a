from django.urls import path

from keel.actions import views

app_name = "actions"

urlpatterns = [
    path("", views.action_list, name="actions"),
    path("new/", views.action_new, name="action_new"),
    path("<int:pk>/", views.action_detail, name="action"),
    path("<int:pk>/status/", views.action_status, name="action_status"),
]
