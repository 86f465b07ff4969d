"""URLs of the exams app, mounted at /exams/. Each area keeps its own ``urlpatterns`` list."""

from exams.views import (
    accommodations,
    analysis,
    bank,
    exam_admin,
    grading,
    invigilation,
    notebook,
    paper_sitting,
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
    *accommodations.urlpatterns,
    *taking.urlpatterns,
    *grading.urlpatterns,
    *analysis.urlpatterns,
    *notebook.urlpatterns,
    *sampling.urlpatterns,
    *paper_sitting.urlpatterns,
    *invigilation.urlpatterns,
]
