from .questions import (
    QuestionContent,
    question_create,
    question_mark_drawn,
    question_retag,
    question_set_status,
    question_update,
    question_validate,
)

__all__ = [
    "QuestionContent",
    "question_create",
    "question_mark_drawn",
    "question_retag",
    "question_set_status",
    "question_update",
    "question_validate",
]
