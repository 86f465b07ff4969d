from .questions import (
    MultipleChoiceScoring,
    Question,
    QuestionKnowledgePoint,
    QuestionStatus,
    QuestionType,
    QuestionVersion,
)

__all__ = [
    "MultipleChoiceScoring",
    "Question",
    "QuestionKnowledgePoint",
    "QuestionStatus",
    "QuestionType",
    "QuestionVersion",
]
