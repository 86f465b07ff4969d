"""URLs of the certification app, mounted at /certification/. Each area keeps its own ``urlpatterns``."""

from certification.views import (
    cases,
    certificates,
    court,
    dashboards,
    evaluations,
    file,
    leaders,
    mentors,
    pathway,
    points,
    pool,
    qualifications,
    reports,
)

app_name = "certification"
urlpatterns = [
    *qualifications.urlpatterns,
    *certificates.urlpatterns,
    *pathway.urlpatterns,
    *mentors.urlpatterns,
    *cases.urlpatterns,
    *pool.urlpatterns,
    *evaluations.urlpatterns,
    *court.urlpatterns,
    *points.urlpatterns,
    *leaders.urlpatterns,
    *file.urlpatterns,
    *dashboards.urlpatterns,
    *reports.urlpatterns,
]
