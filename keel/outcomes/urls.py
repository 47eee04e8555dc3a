from django.urls import path

from keel.outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("partnerships/<int:pk>/indicators/new/", views.indicator_new, name="partnership_indicator_new"),
    path("indicators/<int:pk>/", views.indicator_detail, name="indicator"),
    path("indicators/<int:pk>/edit/", views.indicator_edit, name="indicator_edit"),
    path("indicators/<int:pk>/delete/", views.indicator_delete, name="indicator_delete"),
    path("indicators/<int:pk>/measurements/add/", views.measurement_add, name="indicator_measurement_add"),
    path("measurements/<int:pk>/delete/", views.measurement_delete, name="measurement_delete"),
]
