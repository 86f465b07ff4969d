"""The demo blueprints: one per tier, sized to the bank so they can always be drawn; idempotent."""

from __future__ import annotations

import pytest

from courses.models.choices import Tier
from exams.demo.blueprints import BLUEPRINTS
from exams.demo.blueprints import build as build_blueprints
from exams.models import Blueprint, BlueprintStatus, QuestionType
from exams.services import paper_preview
from portal.demo import DemoContext
from tests.exams.papers_support import make_bank

pytestmark = pytest.mark.django_db


def test_without_questions_no_blueprint_is_made():
    build_blueprints(DemoContext())

    assert not Blueprint.objects.exists()


def test_a_small_bank_gets_blueprints_it_can_serve_and_a_rerun_adds_nothing():
    make_bank(3)
    make_bank(2, QuestionType.TRUE_FALSE)
    make_bank(4, QuestionType.SHORT_ANSWER, tier=Tier.ADVANCED)
    ctx = DemoContext()

    build_blueprints(ctx)
    build_blueprints(ctx)

    blueprints = {b.tier: b for b in Blueprint.objects.all()}
    assert set(blueprints) == {Tier.BASIC, Tier.ADVANCED}
    assert paper_preview(blueprint=blueprints[Tier.BASIC], seed=1).plan.question_count == 5
    assert paper_preview(blueprint=blueprints[Tier.ADVANCED], seed=1).plan.question_count == 3
    assert sum(ctx.created_counts.values()) == 2


def test_the_full_exam_demo_has_one_active_drawable_blueprint_per_tier():
    from exams.demo import build

    build(DemoContext())

    titles = {settings["title"] for settings in BLUEPRINTS.values()}
    blueprints = list(Blueprint.objects.filter(title__in=titles))
    assert sorted(b.tier for b in blueprints) == sorted(Tier.values)
    for blueprint in blueprints:
        assert blueprint.status == BlueprintStatus.ACTIVE
        result = paper_preview(blueprint=blueprint, seed=2026)
        assert len(result.items) >= 20
        assert len({item.question_type for item in result.items}) == 5
