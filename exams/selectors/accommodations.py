"""Reads for the trainers' accommodation pages (考试特殊安排)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from exams.models import Exam, ExamAccommodation


def exam_accommodations(exam: Exam) -> QuerySet[ExamAccommodation]:
    """The exam's accommodations, by police number, with who granted them."""
    return (
        ExamAccommodation.objects.filter(exam=exam)
        .select_related("officer", "officer__unit", "granted_by")
        .order_by("officer__police_number")
    )


def get_accommodation_for_staff(exam: Exam, officer_id: int) -> ExamAccommodation:
    """The officer's accommodation for the exam; 404 when there is none."""
    return get_object_or_404(ExamAccommodation.objects.select_related("officer"), exam=exam, officer_id=officer_id)
