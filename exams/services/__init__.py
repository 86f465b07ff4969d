from .blueprints import (
    BlueprintSpec,
    FixedSpec,
    RuleSpec,
    SectionSpec,
    blueprint_copy,
    blueprint_create,
    blueprint_set_status,
    blueprint_update,
    blueprint_validate,
)
from .papers import PaperDrawError, paper_draw, paper_preview, paper_rederivation_matches, paper_rederive
from .question_import import QuestionImportResult, questions_bulk_create, questions_import
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
    "QuestionImportResult",
    "question_create",
    "question_mark_drawn",
    "question_retag",
    "question_set_status",
    "question_update",
    "question_validate",
    "questions_bulk_create",
    "questions_import",
    "BlueprintSpec",
    "FixedSpec",
    "RuleSpec",
    "SectionSpec",
    "blueprint_copy",
    "blueprint_create",
    "blueprint_set_status",
    "blueprint_update",
    "blueprint_validate",
    "PaperDrawError",
    "paper_draw",
    "paper_preview",
    "paper_rederivation_matches",
    "paper_rederive",
]
