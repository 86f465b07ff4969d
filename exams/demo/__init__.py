"""Demo data for the exams app: the question bank, then blueprints drawing on it."""

from exams.demo.blueprints import build as build_blueprints
from exams.demo.delivery import build as build_delivery
from exams.demo.exam_day import build as build_exam_day
from exams.demo.grading import build as build_grading
from exams.demo.questions import build as build_questions
from exams.demo.sampling import build as build_sampling


def build(ctx) -> None:
    build_questions(ctx)
    build_blueprints(ctx)
    build_delivery(ctx)
    build_exam_day(ctx)
    build_sampling(ctx)
    build_grading(ctx)
