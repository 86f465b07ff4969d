"""Quarterly unit reports (单位季度报告): generated on demand and at quarter end, downloaded as PDF.

HR and administrators may report on any unit; a unit leader on the units of their own subtree;
anyone else (and any unit outside the viewer's scope) gets 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from certification.models import UnitReport
from certification.services.reports import previous_quarter, unit_report_generate
from people.models import Role
from people.selectors import has_role, unit_full_paths, units_visible_to
from portal.formatting import QUARTER_NAMES

REPORT_ROLES = (Role.HR, Role.UNIT_LEADER, Role.ADMIN)


class UnitReportForm(forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("Unit"), queryset=None)
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=gettext_lazy("Quarter"), coerce=int, choices=list(QUARTER_NAMES.items()))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        # Every unit's full path in one query (``Unit.full_path`` reads the ancestors, per unit).
        paths = unit_full_paths()
        self.fields["unit"].label_from_instance = lambda unit: paths.get(unit.pk, unit.name)

    def clean(self):
        cleaned = super().clean()
        year, quarter = cleaned.get("year"), cleaned.get("quarter")
        if year and quarter and (year, quarter) > _current_quarter():
            raise forms.ValidationError(_("A report can cover only a quarter that has begun."))
        return cleaned


def _current_quarter() -> tuple[int, int]:
    today = timezone.localdate()
    return today.year, (today.month - 1) // 3 + 1


def _units_for(user):
    if not has_role(user, *REPORT_ROLES):
        raise Http404
    return units_visible_to(user).order_by("path")


@login_required
def unit_reports(request):
    units = _units_for(request.user)
    year, quarter = previous_quarter(timezone.localdate())
    if request.method == "POST":
        form = UnitReportForm(request.POST, units=units)
        if form.is_valid():
            report = unit_report_generate(
                unit=form.cleaned_data["unit"],
                year=form.cleaned_data["year"],
                quarter=form.cleaned_data["quarter"],
                actor=request.user,
            )
            messages.success(request, _("The report is ready."))
            return redirect("certification:unit_report_pdf", pk=report.pk)
    else:
        form = UnitReportForm(units=units, initial={"unit": units.first(), "year": year, "quarter": quarter})
    reports = list(UnitReport.objects.filter(unit__in=units).select_related("unit", "generated_by")[:100])
    paths = unit_full_paths()
    for report in reports:
        report.unit_path = paths.get(report.unit_id, report.unit.name)
    return render(
        request,
        "certification/reports/unit_reports.html",
        {"form": form, "reports": reports},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def unit_report_pdf(request, pk: int):
    units = _units_for(request.user)
    report = get_object_or_404(UnitReport.objects.filter(unit__in=units), pk=pk)
    filename = f"{report.unit.name}-{report.year}Q{report.quarter}.pdf"
    return FileResponse(report.file.open("rb"), content_type="application/pdf", filename=filename)


urlpatterns: list = [
    path("reports/units/", unit_reports, name="unit_reports"),
    path("reports/units/<int:pk>.pdf", unit_report_pdf, name="unit_report_pdf"),
]
