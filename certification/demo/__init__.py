"""Demo data for certification: qualifications and certificates, then the 123 pathway, mentors and
case-quality records (which refer to the lead-officer qualifications)."""


def build(ctx) -> None:
    from certification.demo import pathway, qualifications

    qualifications.build(ctx)
    pathway.build(ctx)
