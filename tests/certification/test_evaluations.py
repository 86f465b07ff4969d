"""Legal-officer quarterly evaluations: formula, ranking, flags, linked units, decisions, scope."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from certification.models import (
    FlagReason,
    LegalBrigadeLink,
    QuarterlyEvaluation,
    ReplacementReview,
    ReviewDecision,
)
from certification.selectors.evaluations import file_entries
from certification.services.evaluations import (
    EvaluationError,
    ItemInput,
    competition_ranks,
    evaluation_flags_refresh,
    evaluation_save,
    legal_brigade_link_add,
    replacement_review_decide,
    scheme_save,
    weighted_percent,
)
from portal.models import AuditEntry, Notification
from tests.certification.evaluation_support import (
    brigade_officer,
    items_of,
    legal_officer,
    make_scheme,
    score,
)

pytestmark = pytest.mark.django_db


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _evaluation(scheme, officer, quarter):
    return QuarterlyEvaluation.objects.get(scheme=scheme, officer=officer, quarter=quarter)


# --- formula ---------------------------------------------------------------------------------------


def test_total_is_the_weighted_percentage_of_each_items_maximum(trainer, station):
    scheme = make_scheme(trainer)
    audit, supervision, unit_quality = items_of(scheme)
    officer = legal_officer(station, "610001")
    evaluation = evaluation_save(
        scheme=scheme,
        quarter=1,
        officer=officer,
        scores={audit.pk: Decimal("30"), supervision.pk: Decimal("20"), unit_quality.pk: Decimal("25")},
        actor=trainer,
    )
    # audit 75 % × 2, supervision 100 % × 1 → individual (150 + 100) / 3 = 83.33
    assert evaluation.individual_score == Decimal("83.33")
    # unit quality 50 %
    assert evaluation.unit_score == Decimal("50.00")
    # all: (150 + 100 + 50) / 4 = 75
    assert evaluation.total == Decimal("75.00")
    assert evaluation.rank == 1
    assert evaluation.linked_score is None
    assert weighted_percent([]) == Decimal("0.00")


@pytest.mark.parametrize("bad", [Decimal("40.5"), Decimal("-1")])
def test_a_score_above_the_maximum_or_negative_is_refused_naming_the_item(trainer, station, bad):
    scheme = make_scheme(trainer)
    audit, supervision, unit_quality = items_of(scheme)
    officer = legal_officer(station, "610001")
    with pytest.raises(EvaluationError, match="案件审核质量"):
        evaluation_save(
            scheme=scheme,
            quarter=1,
            officer=officer,
            scores={audit.pk: bad, supervision.pk: Decimal("10"), unit_quality.pk: Decimal("10")},
            actor=trainer,
        )
    assert not QuarterlyEvaluation.objects.exists()


def test_an_officer_who_is_not_a_legal_officer_cannot_be_scored(trainer, officer):
    scheme = make_scheme(trainer)
    with pytest.raises(EvaluationError):
        score(scheme, 1, {officer: 0.8})
    assert not QuarterlyEvaluation.objects.exists()


def test_equal_totals_share_a_rank_and_the_next_rank_skips(trainer, station):
    scheme = make_scheme(trainer)
    a, b, c, d = (legal_officer(station, f"61000{n}") for n in range(1, 5))
    score(scheme, 1, {a: 0.9, b: 0.8, c: 0.9, d: 0.7})
    ranks = {e.officer_id: e.rank for e in QuarterlyEvaluation.objects.filter(scheme=scheme, quarter=1)}
    assert ranks == {a.pk: 1, c.pk: 1, b.pk: 3, d.pk: 4}
    assert competition_ranks({1: Decimal(5), 2: Decimal(5), 3: Decimal(5)}) == {1: 1, 2: 1, 3: 1}


def test_correcting_one_officers_scores_reranks_the_whole_quarter(trainer, station):
    scheme = make_scheme(trainer)
    a, b = legal_officer(station, "610001"), legal_officer(station, "610002")
    score(scheme, 1, {a: 0.9, b: 0.8})
    assert _evaluation(scheme, b, 1).rank == 2
    score(scheme, 1, {b: 0.95})
    assert (_evaluation(scheme, a, 1).rank, _evaluation(scheme, b, 1).rank) == (2, 1)


# --- flags -----------------------------------------------------------------------------------------


def test_below_the_low_score_for_consecutive_quarters_flags_the_officer(trainer, station):
    scheme = make_scheme(trainer, low_quarters=2)
    weak, good = legal_officer(station, "610001"), legal_officer(station, "610002")
    score(scheme, 1, {weak: 0.5, good: 0.9})
    # One low quarter is not yet two in a row: Q1 looks at Q1 only.
    assert not ReplacementReview.objects.exists()
    score(scheme, 2, {weak: 0.55, good: 0.9})
    review = ReplacementReview.objects.get()
    assert (review.officer, review.quarter, review.reasons) == (weak, 2, [FlagReason.CONSECUTIVE_LOW])
    assert review.decision == ReviewDecision.PENDING


def test_a_broken_run_of_low_quarters_does_not_flag(trainer, station):
    scheme = make_scheme(trainer, low_quarters=2)
    weak, good = legal_officer(station, "610001"), legal_officer(station, "610002")
    score(scheme, 1, {weak: 0.5, good: 0.9})
    score(scheme, 2, {weak: 0.7, good: 0.9})
    score(scheme, 3, {weak: 0.5, good: 0.9})
    assert not ReplacementReview.objects.exists()


def test_the_bottom_share_is_flagged_rounding_up_with_at_least_one_officer(trainer, station):
    scheme = make_scheme(trainer, bottom_percent=10)
    officers = [legal_officer(station, f"6100{n:02d}") for n in range(1, 13)]
    # 12 officers × 10 % = 1.2 → the two lowest.
    score(scheme, 1, {officer: 0.60 + index * 0.03 for index, officer in enumerate(officers)})
    flagged = set(ReplacementReview.objects.filter(quarter=1).values_list("officer_id", flat=True))
    assert flagged == {officers[0].pk, officers[1].pk}
    assert ReplacementReview.objects.get(officer=officers[0]).reasons == [FlagReason.BOTTOM]

    scheme_small = make_scheme(trainer, year=2025, bottom_percent=5)
    pair = officers[:3]
    score(scheme_small, 1, {pair[0]: 0.9, pair[1]: 0.8, pair[2]: 0.85})
    # 3 × 5 % = 0.15 → still one officer.
    assert list(ReplacementReview.objects.filter(scheme=scheme_small).values_list("officer_id", flat=True)) == [
        pair[1].pk
    ]


def test_refreshing_flags_is_idempotent_drops_stale_pending_and_keeps_decided(trainer, legal_leader, station):
    scheme = make_scheme(trainer, bottom_percent=50)
    a, b, c, d = (legal_officer(station, f"61000{n}") for n in range(1, 5))
    score(scheme, 1, {a: 0.9, b: 0.8, c: 0.5, d: 0.95})
    assert set(ReplacementReview.objects.values_list("officer_id", flat=True)) == {b.pk, c.pk}
    assert evaluation_flags_refresh(scheme=scheme, quarter=1) == {"created": 0, "updated": 0, "removed": 0}
    assert ReplacementReview.objects.count() == 2

    decided = ReplacementReview.objects.get(officer=c)
    replacement_review_decide(review=decided, decision=ReviewDecision.KEEP, note="谈话提醒", actor=legal_leader)
    # Corrected scores: a and d are now the lowest; the pending review of b goes, the decision on c stays.
    score(scheme, 1, {b: 0.96, c: 0.97})
    reviews = {review.officer_id: review for review in ReplacementReview.objects.all()}
    assert set(reviews) == {a.pk, c.pk, d.pk}
    assert reviews[c.pk].decision == ReviewDecision.KEEP
    assert reviews[a.pk].decision == ReviewDecision.PENDING


# --- linked units (item 19) ------------------------------------------------------------------------


def test_a_legal_brigade_officers_total_blends_in_the_linked_units_legal_officers(
    trainer, legal_brigade, station, squad, other_unit
):
    scheme = make_scheme(trainer, linked_unit_weight=Decimal("0.30"))
    at_station = legal_officer(station, "610001")
    in_squad = legal_officer(squad, "610002")
    elsewhere = legal_officer(other_unit, "610003")
    linked = brigade_officer(legal_brigade, "620001")
    unlinked = brigade_officer(legal_brigade, "620002")
    legal_brigade_link_add(officer=linked, unit=station, started_on=datetime.date(2026, 1, 1), actor=trainer)
    # A link that ended before Q1 does not count.
    old = LegalBrigadeLink.objects.create(
        officer=linked, unit=other_unit, started_on=datetime.date(2025, 1, 1), ended_on=datetime.date(2025, 12, 31)
    )
    assert old.pk
    score(scheme, 1, {at_station: 0.8, in_squad: 0.6, elsewhere: 0.2, linked: 0.9, unlinked: 0.9})

    mine = _evaluation(scheme, linked, 1)
    # Linked: mean of the station subtree's legal officers (80, 60) = 70; 90 × 0.7 + 70 × 0.3 = 84.
    assert mine.linked_score == Decimal("70.00")
    assert mine.total == Decimal("84.00")
    alone = _evaluation(scheme, unlinked, 1)
    assert (alone.linked_score, alone.total) == (None, Decimal("90.00"))
    assert (alone.rank, mine.rank) == (1, 2)


def test_changing_the_linked_weight_recomputes_entered_quarters(trainer, legal_brigade, station):
    scheme = make_scheme(trainer)
    legal = legal_officer(station, "610001")
    linked = brigade_officer(legal_brigade, "620001")
    legal_brigade_link_add(officer=linked, unit=station, started_on=datetime.date(2026, 1, 1), actor=trainer)
    score(scheme, 1, {legal: 0.5, linked: 1})
    assert _evaluation(scheme, linked, 1).total == Decimal("85.00")
    scheme_save(
        scheme=scheme,
        year=2026,
        title=scheme.title,
        low_score=scheme.low_score,
        low_quarters=scheme.low_quarters,
        bottom_percent=scheme.bottom_percent,
        linked_unit_weight=Decimal("0.50"),
        items=[
            ItemInput(pk=i.pk, group=i.group, name=i.name, weight=i.weight, max_score=i.max_score)
            for i in items_of(scheme)
        ],
        actor=trainer,
    )
    assert _evaluation(scheme, linked, 1).total == Decimal("75.00")


def test_linked_units_page_warns_about_officers_with_fewer_than_two_units(client, trainer, legal_brigade, station):
    linked = brigade_officer(legal_brigade, "620001")
    client.force_login(trainer)
    response = client.post(
        reverse("certification:linked_units"),
        {"officer": linked.pk, "unit": station.pk, "started_on": "2026-01-01"},
    )
    assert response.status_code == 302
    assert LegalBrigadeLink.objects.filter(officer=linked, unit=station, ended_on__isnull=True).exists()
    page = client.get(reverse("certification:linked_units"))
    assert b'data-testid="links-warning"' in page.content
    assert b'data-officer="620001" data-links="1"' in page.content


# --- schemes ---------------------------------------------------------------------------------------


def test_weights_and_maxima_are_locked_once_evaluations_exist(trainer, station):
    scheme = make_scheme(trainer)
    score(scheme, 1, {legal_officer(station, "610001"): 0.8})
    items = items_of(scheme)
    changed = [
        ItemInput(
            pk=i.pk, group=i.group, name=i.name, weight=i.weight, max_score=Decimal("100") if n == 0 else i.max_score
        )
        for n, i in enumerate(items)
    ]
    with pytest.raises(EvaluationError, match="案件审核质量"):
        scheme_save(
            scheme=scheme,
            year=2026,
            title=scheme.title,
            low_score=scheme.low_score,
            low_quarters=2,
            bottom_percent=0,
            linked_unit_weight=scheme.linked_unit_weight,
            items=changed,
            actor=trainer,
        )
    assert items_of(scheme)[0].max_score == Decimal("40")


def test_trainer_creates_a_scheme_with_item_rows(client, trainer):
    client.force_login(trainer)
    data = {
        "year": "2027",
        "title": "2027年度法制员考评",
        "low_score": "60",
        "low_quarters": "2",
        "bottom_percent": "10",
        "linked_unit_weight": "0.3",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-group": "individual",
        "items-0-name": "案件审核质量",
        "items-0-weight": "2",
        "items-0-max_score": "40",
        "items-1-group": "unit",
        "items-1-name": "单位执法质量",
        "items-1-weight": "1",
        "items-1-max_score": "50",
        "items-2-group": "individual",
    }
    response = client.post(reverse("certification:evaluation_scheme_create"), data)
    assert response.status_code == 302
    from certification.models import EvaluationScheme

    scheme = EvaluationScheme.objects.get(year=2027)
    assert [(i.group, i.name, i.max_score) for i in items_of(scheme)] == [
        ("individual", "案件审核质量", Decimal("40")),
        ("unit", "单位执法质量", Decimal("50")),
    ]
    assert AuditEntry.objects.filter(action="certification.evaluation_scheme.created").exists()


def test_the_entry_form_saves_one_officer_and_refuses_a_score_above_the_maximum(client, trainer, station):
    scheme = make_scheme(trainer)
    audit, supervision, unit_quality = items_of(scheme)
    officer = legal_officer(station, "610001")
    _english(client).force_login(trainer)
    url = reverse("certification:evaluation_entry", args=[scheme.pk, 2])
    data = {
        "officer": "610001",
        f"item_{audit.pk}": "50",
        f"item_{supervision.pk}": "10",
        f"item_{unit_quality.pk}": "5",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "above its maximum" in response.content.decode()
    assert not QuarterlyEvaluation.objects.exists()
    data[f"item_{audit.pk}"] = "40"
    response = client.post(url, data)
    assert response.status_code == 302
    assert _evaluation(scheme, officer, 2).total == Decimal("65.00")  # (100 × 2 + 50 + 10) / 4


# --- decisions -------------------------------------------------------------------------------------


def test_the_legal_leader_decides_a_review_hr_is_notified_and_it_is_audited(
    trainer, legal_leader, hr, station, django_capture_on_commit_callbacks
):
    scheme = make_scheme(trainer, bottom_percent=50)
    weak, good = legal_officer(station, "610001", "钱弱"), legal_officer(station, "610002")
    score(scheme, 1, {weak: 0.5, good: 0.9})
    review = ReplacementReview.objects.get(officer=weak)
    with pytest.raises(EvaluationError):
        replacement_review_decide(review=review, decision=ReviewDecision.REPLACE, note="调整", actor=trainer)
    with pytest.raises(EvaluationError):
        replacement_review_decide(review=review, decision=ReviewDecision.REPLACE, note="", actor=legal_leader)
    with django_capture_on_commit_callbacks(execute=True):
        replacement_review_decide(
            review=review, decision=ReviewDecision.REPLACE, note="连续排名末位", actor=legal_leader
        )
    review.refresh_from_db()
    assert (review.decision, review.decision_note, review.decided_by) == (
        ReviewDecision.REPLACE,
        "连续排名末位",
        legal_leader,
    )
    assert AuditEntry.objects.filter(action="certification.replacement_review.decided", actor=legal_leader).exists()
    assert Notification.objects.filter(recipient=hr, kind="evaluation").count() == 1
    with pytest.raises(EvaluationError):
        replacement_review_decide(review=review, decision=ReviewDecision.KEEP, note="", actor=legal_leader)
    titles = [entry.title for entry in file_entries(weak)]
    assert len(titles) == 2


def test_the_decide_form_records_the_decision_and_a_repeat_post_changes_nothing(client, trainer, legal_leader, station):
    scheme = make_scheme(trainer, bottom_percent=50)
    weak, good = legal_officer(station, "610001"), legal_officer(station, "610002")
    score(scheme, 1, {weak: 0.5, good: 0.9})
    review = ReplacementReview.objects.get(officer=weak)
    client.force_login(legal_leader)
    url = reverse("certification:replacement_review_decide", args=[review.pk])
    assert client.post(url, {"decision": "keep", "note": "谈话提醒"}).status_code == 302
    assert client.post(url, {"decision": "replace", "note": "改主意"}).status_code == 302
    review.refresh_from_db()
    assert (review.decision, review.decision_note) == (ReviewDecision.KEEP, "谈话提醒")
    page = client.get(reverse("certification:replacement_reviews"))
    assert f'data-review="{review.pk}" data-decision="keep"'.encode() in page.content


# --- scope -----------------------------------------------------------------------------------------


def test_an_officer_sees_only_their_own_results_and_no_ranking(client, trainer, station, other_unit):
    scheme = make_scheme(trainer, bottom_percent=50)
    me, colleague = legal_officer(station, "610001", "孙本人"), legal_officer(other_unit, "610002", "李同事")
    score(scheme, 1, {me: 0.5, colleague: 0.9})
    client.force_login(me)
    page = client.get(reverse("certification:my_evaluations"))
    assert page.status_code == 200
    assert f'data-evaluation="{_evaluation(scheme, me, 1).pk}"'.encode() in page.content
    assert f'data-evaluation="{_evaluation(scheme, colleague, 1).pk}"'.encode() not in page.content
    for url in (
        reverse("certification:evaluation_schemes"),
        reverse("certification:evaluation_quarter", args=[scheme.pk, 1]),
        reverse("certification:evaluation_quarter_xlsx", args=[scheme.pk, 1]),
        reverse("certification:evaluation_import", args=[scheme.pk, 1]),
        reverse("certification:replacement_reviews"),
    ):
        assert client.get(url).status_code == 404, url
    review = ReplacementReview.objects.get(officer=me)
    assert (
        client.post(
            reverse("certification:replacement_review_decide", args=[review.pk]), {"decision": "keep"}
        ).status_code
        == 404
    )


def test_a_unit_leader_sees_their_subtree_and_404s_outside_it(client, trainer, unit_leader, squad, other_unit):
    scheme = make_scheme(trainer, bottom_percent=100)
    inside, outside = legal_officer(squad, "610001"), legal_officer(other_unit, "610002")
    score(scheme, 1, {inside: 0.7, outside: 0.9})
    client.force_login(unit_leader)
    page = client.get(reverse("certification:evaluation_quarter", args=[scheme.pk, 1]))
    assert page.status_code == 200
    assert b'data-officer="610001"' in page.content
    assert b'data-officer="610002"' not in page.content
    reviews = client.get(reverse("certification:replacement_reviews"))
    assert b'data-officer="610001"' in reviews.content and b'data-officer="610002"' not in reviews.content
    outside_review = ReplacementReview.objects.get(officer=outside)
    decide = reverse("certification:replacement_review_decide", args=[outside_review.pk])
    assert client.post(decide, {"decision": "keep"}).status_code == 404
    assert client.get(reverse("certification:evaluation_entry", args=[scheme.pk, 1])).status_code == 404
    assert client.get(reverse("certification:evaluation_quarter", args=[scheme.pk + 99, 1])).status_code == 404


def test_hr_sees_every_officer_and_exports_the_ranking_audited(client, trainer, hr, squad, other_unit):
    scheme = make_scheme(trainer)
    score(scheme, 3, {legal_officer(squad, "610001"): 0.7, legal_officer(other_unit, "610002"): 0.9})
    client.force_login(hr)
    page = client.get(reverse("certification:evaluation_quarter", args=[scheme.pk, 3]))
    assert b'data-officer="610001"' in page.content and b'data-officer="610002"' in page.content
    export = client.get(reverse("certification:evaluation_quarter_xlsx", args=[scheme.pk, 3]))
    assert export.status_code == 200
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(export.content)).active
    assert [cell.value for cell in sheet[1]][:3] == ["名次", "警号", "姓名"]
    assert [sheet.cell(row=r, column=2).value for r in (2, 3)] == ["610002", "610001"]
    entry = AuditEntry.objects.get(action="certification.evaluation.exported")
    assert entry.data["rows"] == 2 and entry.data["quarter"] == 3
    assert client.get(reverse("certification:evaluation_quarter", args=[scheme.pk, 5])).status_code == 404


# --- demo ------------------------------------------------------------------------------------------


def test_demo_scores_completed_quarters_flags_one_officer_and_a_rerun_changes_nothing(
    django_capture_on_commit_callbacks,
):
    from certification.demo.evaluations import build
    from portal.demo import DemoContext, run_builders

    ctx = run_builders(
        DemoContext(today=datetime.date(2026, 11, 27)),
        ["portal.demo.units.build", "portal.demo.accounts.build", "portal.demo.people.build"],
    )
    build(ctx)
    evaluations = QuarterlyEvaluation.objects.filter(scheme__year=2026)
    assert set(evaluations.values_list("quarter", flat=True)) == {1, 2, 3}
    assert evaluations.filter(officer=ctx.accounts["legal_officer"]).count() == 3
    assert evaluations.filter(linked_score__isnull=False).exists()
    flagged = set(ReplacementReview.objects.values_list("officer_id", flat=True))
    assert len(flagged) == 1
    assert ReplacementReview.objects.filter(decision=ReviewDecision.PENDING).count() == 2
    assert ReplacementReview.objects.filter(decision=ReviewDecision.KEEP, quarter=1).count() == 1
    for row in LegalBrigadeLink.objects.values("officer").distinct():
        assert LegalBrigadeLink.objects.filter(officer_id=row["officer"]).count() >= 2

    counts = (evaluations.count(), ReplacementReview.objects.count(), LegalBrigadeLink.objects.count())
    rerun = DemoContext(today=datetime.date(2026, 11, 27), accounts=ctx.accounts, units=ctx.units)
    build(rerun)
    assert (evaluations.count(), ReplacementReview.objects.count(), LegalBrigadeLink.objects.count()) == counts
    assert not rerun.created_counts and not rerun.updated_counts


def test_every_page_renders_for_the_legal_brigade_and_names_can_change_after_entry(client, trainer, station):
    scheme = make_scheme(trainer, bottom_percent=50)
    first, second = legal_officer(station, "610001"), legal_officer(station, "610002")
    score(scheme, 1, {first: 0.5, second: 0.9})
    _english(client).force_login(trainer)
    for url in (
        reverse("certification:evaluation_schemes"),
        reverse("certification:evaluation_scheme_edit", args=[scheme.pk]),
        reverse("certification:evaluation_quarter", args=[scheme.pk, 1]),
        reverse("certification:evaluation_entry", args=[scheme.pk, 1]) + "?officer=610001",
        reverse("certification:evaluation_import", args=[scheme.pk, 1]),
        reverse("certification:replacement_reviews"),
        reverse("certification:linked_units"),
        reverse("certification:my_evaluations"),
    ):
        assert client.get(url).status_code == 200, url
    audit, supervision, unit_quality = items_of(scheme)
    rows = [
        (audit, "审核质量", "40"),
        (supervision, "执法监督工作", "20"),
        (unit_quality, "单位执法质量", "50"),
    ]
    data = {
        "year": "2026",
        "title": scheme.title,
        "low_score": "60",
        "low_quarters": "2",
        "bottom_percent": "50",
        "linked_unit_weight": "0.30",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "3",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for index, (item, name, maximum) in enumerate(rows):
        data.update(
            {
                f"items-{index}-item_id": str(item.pk),
                f"items-{index}-group": item.group,
                f"items-{index}-name": name,
                f"items-{index}-weight": str(item.weight),
                f"items-{index}-max_score": maximum,
            }
        )
    url = reverse("certification:evaluation_scheme_edit", args=[scheme.pk])
    assert client.post(url, data).status_code == 302
    assert [item.name for item in items_of(scheme)] == ["审核质量", "执法监督工作", "单位执法质量"]
    data["items-0-max_score"] = "100"
    page = client.post(url, data)
    assert page.status_code == 200 and "cannot change" in page.content.decode()
    assert items_of(scheme)[0].max_score == Decimal("40")


def test_correcting_an_earlier_quarter_updates_the_later_consecutive_flag(trainer, station):
    scheme = make_scheme(trainer, low_quarters=2)
    weak, good = legal_officer(station, "610001"), legal_officer(station, "610002")
    score(scheme, 1, {weak: 0.5, good: 0.9})
    score(scheme, 2, {weak: 0.5, good: 0.9})
    assert ReplacementReview.objects.filter(officer=weak, quarter=2).exists()
    score(scheme, 1, {weak: 0.75})
    assert not ReplacementReview.objects.exists()


def test_nobody_enters_their_own_scores_a_colleague_does(client, trainer, legal_leader):
    scheme = make_scheme(trainer)
    with pytest.raises(EvaluationError, match="own evaluation scores"):
        score(scheme, 1, {trainer: 0.9}, actor=trainer)
    assert not QuarterlyEvaluation.objects.exists()
    audit, supervision, unit_quality = items_of(scheme)
    _english(client).force_login(trainer)
    url = reverse("certification:evaluation_entry", args=[scheme.pk, 1])
    page = client.get(url).content.decode()
    assert f"?officer={trainer.police_number}" not in page and f"?officer={legal_leader.police_number}" in page
    response = client.post(
        url,
        {
            "officer": trainer.police_number,
            f"item_{audit.pk}": "40",
            f"item_{supervision.pk}": "20",
            f"item_{unit_quality.pk}": "50",
        },
    )
    assert response.status_code == 200 and not QuarterlyEvaluation.objects.exists()
    score(scheme, 1, {trainer: 0.9}, actor=legal_leader)
    assert _evaluation(scheme, trainer, 1).entered_by == legal_leader
