"""URLs of the exams app, mounted at /exams/. Each area keeps its own ``urlpatterns`` list."""

from exams.views import (
    analysis,
    bank,
    exam_admin,
    grading,
    invigilation,
    notebook,
    papers,
    sampling,
    taking,
    transfer,
)

app_name = "exams"
urlpatterns = [
    *bank.urlpatterns,
    *transfer.urlpatterns,
    *papers.urlpatterns,
    *exam_admin.urlpatterns,
    *taking.urlpatterns,
    *grading.urlpatterns,
    *analysis.urlpatterns,
    *notebook.urlpatterns,
    *sampling.urlpatterns,
    *invigilation.urlpatterns,
]
