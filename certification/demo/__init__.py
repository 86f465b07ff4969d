"""Demo data for certification, in two builders listed separately in DEMO_BUILDERS:

- ``certification.demo.pathway.build`` runs right after the generated roster: it adds the 123
  cohort (new officers and their mentors, with 主办民警资格), shadowing logs and case-quality
  records. It adds officers, so it runs before the builders that pick officers from the roster
  (study progress, exams); they then see the same roster on every run and a second
  ``seed_demo`` changes nothing.
- ``certification.demo.qualifications.build`` runs last: qualifications and certificates across
  the roster, and the link from the demo qualification exam to 基本级.
"""
