from django.urls import path

from keel.decisions import settings_views as views

urlpatterns = [
    path("settings/decisions/", views.settings_page, name="settings"),
    path("settings/criteria/", views.criteria_page, name="criteria"),
    path("settings/criteria/new/", views.criteria_add, name="criteria_add"),
    path("settings/criteria/<int:pk>/", views.criterion_edit, name="criterion"),
    path("settings/criteria/<int:pk>/move/", views.criterion_move, name="criterion_move"),
    path("settings/criteria/<int:pk>/retire/", views.criterion_retire, name="criterion_retire"),
]
