"""Assessment pages of a workspace, under /w/<ws>/assessments/: rounds, results and instruments."""

from keel.assessments import urls_instruments, urls_rounds

app_name = "assessments"

urlpatterns = urls_rounds.urlpatterns + urls_instruments.urlpatterns
