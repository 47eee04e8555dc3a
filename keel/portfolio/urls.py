from django.urls import path

from keel.portfolio import timeline_views, views

app_name = "portfolio"

urlpatterns = [
    path("", views.partnership_list, name="partnerships"),
    path("audit.csv", views.audit_csv, name="audit_csv"),
    path("partnerships/<int:pk>/", views.partnership_detail, name="partnership"),
    path("partnerships/<int:pk>/timeline/", timeline_views.timeline, name="partnership_timeline"),
]
