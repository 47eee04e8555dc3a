"""The decisions' pages, one module of routes per part so each part is read on its own."""

from keel.decisions import dissolution_urls, record_urls, review_urls, settings_urls, start_urls

app_name = "decisions"

urlpatterns = [
    *settings_urls.urlpatterns,  # decision settings and the criteria checklists
    *start_urls.urlpatterns,  # starting a proposed partnership
    *record_urls.urlpatterns,  # cost and value, events, conflicts
    *review_urls.urlpatterns,  # reviews due, the review page, recorded reviews
    *dissolution_urls.urlpatterns,  # dissolution, its steps and closing letters
]
