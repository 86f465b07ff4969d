"""Quarterly legal-officer evaluation in a real browser (issue #7's Done-when): a legal-brigade
trainer uploads a quarter's scores from an xlsx with one bad row — refused, the row named, nothing
written — fixes the file and imports it; the officer low for two quarters in a row appears on the
replacement-review list.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from certification.models import QuarterlyEvaluation
from tests.browser.support import sign_in
from tests.certification.evaluation_support import legal_officer, make_scheme, score, xlsx_bytes

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_trainer_imports_a_quarter_after_fixing_a_bad_row_and_the_weak_officer_is_flagged(
    browser, live_server, station, squad, other_unit, trainer, password, tmp_path
):
    weak = legal_officer(squad, "610001", "钱偏低")
    steady = legal_officer(station, "610002", "孙稳定")
    strong = legal_officer(other_unit, "610003", "李优秀")
    scheme = make_scheme(trainer, low_quarters=2, bottom_percent=0)
    score(scheme, 1, {weak: 0.5, steady: 0.8, strong: 0.9}, actor=trainer)

    bad = tmp_path / "2026Q2-bad.xlsx"
    bad.write_bytes(
        xlsx_bytes(
            scheme,
            [
                ["610001", "钱偏低", 20, 10, 25, ""],
                ["610002", "孙稳定", 45, 16, 40, ""],  # above the maximum of 40
                ["610003", "李优秀", 38, 19, 46, ""],
            ],
        )
    )
    fixed = tmp_path / "2026Q2.xlsx"
    fixed.write_bytes(
        xlsx_bytes(
            scheme,
            [
                ["610001", "钱偏低", 20, 10, 25, ""],
                ["610002", "孙稳定", 32, 16, 40, ""],
                ["610003", "李优秀", 38, 19, 46, ""],
            ],
        )
    )

    context, page = sign_in(
        browser, live_server, trainer, password, viewport={"width": 1280, "height": 900}, english=True
    )

    page.goto(f"{live_server.url}/certification/evaluations/")
    page.locator(f"[data-scheme='{scheme.pk}'] [data-quarter='2']").click()
    page.locator("[data-testid=import-link]").click()

    # 1. One bad row: refused, the row and column named, nothing written.
    page.locator("input[name=file]").set_input_files(str(bad))
    page.locator("[data-testid=import-form] button[type=submit]").click()
    errors = page.locator("[data-testid=import-errors]")
    expect(errors.locator("tr[data-row]")).to_have_count(1)
    expect(errors.locator("tr[data-row='3']")).to_contain_text("案件审核质量")
    expect(errors.locator("tr[data-row='3']")).to_contain_text("above its maximum")
    assert not QuarterlyEvaluation.objects.filter(scheme=scheme, quarter=2).exists()

    # 2. The fixed file imports; the ranking shows the weak officer flagged.
    page.locator("input[name=file]").set_input_files(str(fixed))
    page.locator("[data-testid=import-form] button[type=submit]").click()
    expect(page.locator("[data-testid=import-summary] [data-count=created]")).to_have_text("3")
    page.locator("[data-testid=ranking-link]").click()
    ranking = page.locator("[data-testid=ranking]")
    expect(ranking.locator("tbody tr")).to_have_count(3)
    expect(ranking.locator("tr[data-officer='610001']")).to_have_attribute("data-flagged", "1")
    expect(ranking.locator("tr[data-officer='610001']")).to_have_attribute("data-rank", "3")
    expect(ranking.locator("tr[data-officer='610003']")).to_have_attribute("data-rank", "1")

    # 3. The replacement-review list names them.
    page.locator("a[href$='/evaluations/reviews/']").first.click()
    pending = page.locator("[data-testid=pending-reviews]")
    expect(pending.locator("[data-officer='610001']")).to_contain_text("钱偏低")
    expect(pending.locator("[data-officer='610001']")).to_contain_text("consecutive quarters")
    expect(pending.locator("li[data-officer]")).to_have_count(1)
    context.close()
