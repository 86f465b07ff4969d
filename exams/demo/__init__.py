"""Demo data for the exams app: the question bank, then blueprints drawing on it."""

from exams.demo.blueprints import build as build_blueprints
from exams.demo.questions import build as build_questions


def build(ctx) -> None:
    build_questions(ctx)
    build_blueprints(ctx)
