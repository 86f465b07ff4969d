"""Demo data for certification, in builders listed separately in DEMO_BUILDERS (order matters):

- ``pathway`` runs right after the generated roster: it adds the 123 cohort (new officers and
  their mentors, with 主办民警资格), shadowing logs and case-quality records. It adds officers, so
  it runs before the builders that pick officers from the roster (study progress, exams); they
  then see the same roster on every run and a second ``seed_demo`` changes nothing.
- ``leaders`` after the exams demo: reminder talks and an organisational flag from the demo random
  test's middle leaders.
- ``qualifications``: qualifications and certificates across the roster, and the link from the
  demo qualification exam to 基本级.
- ``pool`` after qualifications (members need a valid 法律职业资格 or 高级执法资格),
  ``evaluations`` (the year's quarterly evaluations with one officer flagged) and ``points``
  (court attendance, ledgers and over-50 indicators, from the records above).
"""
