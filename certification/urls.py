"""URLs of the certification app, mounted at /certification/. Each area keeps its own ``urlpatterns``."""

from certification.views import (
    cases,
    certificates,
    court,
    evaluations,
    leaders,
    mentors,
    pathway,
    points,
    pool,
    qualifications,
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
]
