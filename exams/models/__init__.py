from .papers import (
    ANY,
    INHERIT,
    Blueprint,
    BlueprintFixedQuestion,
    BlueprintRule,
    BlueprintSection,
    BlueprintStatus,
    Paper,
    PaperItem,
)
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
    "ANY",
    "INHERIT",
    "Blueprint",
    "BlueprintFixedQuestion",
    "BlueprintRule",
    "BlueprintSection",
    "BlueprintStatus",
    "Paper",
    "PaperItem",
]
