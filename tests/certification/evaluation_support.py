"""Builders for the quarterly-evaluation tests: a scheme, legal officers, scores, xlsx files."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook

from certification.models import EvaluationScheme, ItemGroup
from certification.services.evaluations import EvaluationInput, ItemInput, evaluations_save, scheme_save
from tests.factories import UserFactory

# Two individual items (max 40 weight 2, max 20 weight 1) and one unit item (max 50 weight 1).
ITEMS = [
    ItemInput(group=ItemGroup.INDIVIDUAL, name="案件审核质量", weight=Decimal("2"), max_score=Decimal("40")),
    ItemInput(group=ItemGroup.INDIVIDUAL, name="执法监督", weight=Decimal("1"), max_score=Decimal("20")),
    ItemInput(group=ItemGroup.UNIT, name="单位执法质量", weight=Decimal("1"), max_score=Decimal("50")),
]


def make_scheme(actor=None, *, year: int = 2026, **overrides) -> EvaluationScheme:
    values = {
        "low_score": Decimal("60"),
        "low_quarters": 2,
        "bottom_percent": 0,
        "linked_unit_weight": Decimal("0.30"),
        **overrides,
    }
    return scheme_save(scheme=None, year=year, title=f"{year}年度法制员考评", items=ITEMS, actor=actor, **values)


def legal_officer(unit, police_number: str, name: str = ""):
    return UserFactory(
        police_number=police_number, name=name or f"法制员{police_number}", unit=unit, is_legal_officer=True
    )


def brigade_officer(unit, police_number: str, name: str = ""):
    return UserFactory(
        police_number=police_number, name=name or f"大队民警{police_number}", unit=unit, is_legal_brigade=True
    )


def items_of(scheme):
    return list(scheme.items.order_by("order", "pk"))


def share_scores(scheme, share) -> dict[int, Decimal]:
    """Every item at ``share`` of its maximum: the officer's total is then share × 100."""
    return {item.pk: item.max_score * Decimal(str(share)) for item in items_of(scheme)}


def score(scheme, quarter: int, shares: dict, actor=None) -> None:
    """Enter ``{officer: share}`` for a quarter in one go."""
    evaluations_save(
        scheme=scheme,
        quarter=quarter,
        entries=[
            EvaluationInput(officer=officer, scores=share_scores(scheme, share)) for officer, share in shares.items()
        ],
        actor=actor,
        source="test",
    )


def xlsx_bytes(scheme, rows: list[list], *, headers: list | None = None) -> bytes:
    """A workbook with the import headers (警号, 姓名, items…, 备注) and ``rows``."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers or ["警号", "姓名", *[item.name for item in items_of(scheme)], "备注"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
