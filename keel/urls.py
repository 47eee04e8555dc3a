from django.urls import include, path

urlpatterns = [
    path("", include("keel.core.urls")),
    path("", include("keel.assessments.respond_urls")),
    path("w/<slug:ws>/", include("keel.portfolio.urls")),
    path("w/<slug:ws>/", include("keel.register.urls")),
    path("w/<slug:ws>/assessments/", include("keel.assessments.urls")),
    path("w/<slug:ws>/", include("keel.activity.urls")),
    path("w/<slug:ws>/", include("keel.outcomes.urls")),
    path("w/<slug:ws>/actions/", include("keel.actions.urls")),
    path("w/<slug:ws>/", include("keel.decisions.urls")),
]

handler400 = "keel.core.views.bad_request"
handler403 = "keel.core.views.permission_denied"
handler404 = "keel.core.views.page_not_found"
handler500 = "keel.core.views.server_error"
