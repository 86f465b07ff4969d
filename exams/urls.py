"""URLs of the exams app, mounted at /exams/. Each area keeps its own ``urlpatterns`` list."""

from exams.views import bank, papers, transfer

app_name = "exams"
urlpatterns = [*bank.urlpatterns, *transfer.urlpatterns, *papers.urlpatterns]
