from django.urls import path

from keel.portfolio import audit_views, review_views, timeline_views, views

app_name = "portfolio"

urlpatterns = [
    path("", views.partnership_list, name="partnerships"),
    path("audit.csv", views.audit_csv, name="audit_csv"),
    path("audit/", audit_views.audit_page, name="audit"),
    path("audit.xlsx", audit_views.audit_xlsx, name="audit_xlsx"),
    path("reviews/", review_views.reviews, name="reviews"),
    path("reviews/<int:pk>/", review_views.review, name="review"),
    path("partnerships/<int:pk>/review/", review_views.partnership_review, name="partnership_review"),
    path("partnerships/<int:pk>/", views.partnership_detail, name="partnership"),
    path("partnerships/<int:pk>/timeline/", timeline_views.timeline, name="partnership_timeline"),
]
