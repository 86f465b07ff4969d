"""Points ledger pages (积分): an officer's ledger by year with sources, over-50 indicators, the
yearly promotion summary."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from certification.models import IndicatorTarget, PointCategory, PointEntry
from certification.selectors.court import court_progress, is_court_reviewer, officer_attendances
from certification.selectors.points import (
    POINTS_LIST_ROLES,
    indicator_dataframe,
    indicator_list,
    indicator_status,
    officer_ledger,
    points_summary_dataframe,
    points_summary_rows,
    promotion_summary,
    promotion_summary_dataframe,
    year_choices,
)
from certification.services.points import (
    PointsError,
    indicator_save,
    indicator_target_set,
    point_entry_add_manual,
    point_entry_delete_manual,
    points_rebuild,
)
from certification.views.court_forms import token_consume, token_issue
from certification.views.points_forms import (
    IndicatorFilterForm,
    IndicatorForm,
    IndicatorTargetForm,
    ManualEntryForm,
    SummaryFilterForm,
    YearForm,
)
from people.decorators import role_required, training_staff_required
from people.selectors import get_officer_for_user, unit_full_paths, units_visible_to
from portal.exports import dataframe_download
from portal.services import audit_log


def _year(request) -> int:
    form = YearForm(request.GET or None, years=year_choices())
    return form.cleaned_data["year"] if form.is_valid() else timezone.localdate().year


def _ledger_page(request, officer, *, own: bool):
    year = _year(request)
    return render(
        request,
        "certification/points/ledger.html",
        {
            "officer": officer,
            "own": own,
            "year": year,
            "year_form": YearForm(initial={"year": year}, years=year_choices()),
            "ledger": officer_ledger(officer, year, viewer=request.user),
            "court": court_progress(officer, year),
            "attendances": officer_attendances(officer).filter(date__year=year),
            "indicator": indicator_status(officer, year),
            "can_manage": is_court_reviewer(request.user),
        },
    )


@login_required
@require_GET
def my_points(request):
    return _ledger_page(request, request.user, own=True)


@login_required
@require_GET
def officer_points(request, pk: int):
    """Another officer's ledger: within the viewer's scope, else 404."""
    officer = get_officer_for_user(request.user, pk)
    return _ledger_page(request, officer, own=officer.pk == request.user.pk)


@training_staff_required
@require_POST
def officer_points_rebuild(request, pk: int):
    officer = get_officer_for_user(request.user, pk)
    form = YearForm(request.POST, years=year_choices())
    if not form.is_valid():
        raise Http404
    year = form.cleaned_data["year"]
    changes = points_rebuild(officer, year)
    audit_log(
        actor=request.user,
        action="certification.points.rebuilt",
        target=officer,
        data={"year": year, "changes": changes},
    )
    messages.success(request, _("Ledger brought up to date: %(count)s entries changed.") % {"count": changes})
    return redirect(reverse("certification:officer_points", args=[officer.pk]) + f"?year={year}")


# --- the summary list -------------------------------------------------------------------------------


def _summary_filters(request, form_class=SummaryFilterForm):
    form = form_class(
        request.GET or None, years=year_choices(), units=units_visible_to(request.user), unit_labels=unit_full_paths()
    )
    data = form.cleaned_data if form.is_valid() else {}
    return form, data.get("year") or timezone.localdate().year, data.get("unit"), data


@role_required(*POINTS_LIST_ROLES)
@require_GET
def points_summary(request):
    form, year, unit, data = _summary_filters(request)
    rows = points_summary_rows(request.user, year=year, unit=unit, search=data.get("q", ""))
    return render(
        request,
        "certification/points/summary.html",
        {
            "form": form,
            "year": year,
            "rows": rows,
            "categories": PointCategory.choices,
            "query": request.GET.urlencode(),
            "can_manage": is_court_reviewer(request.user),
        },
    )


@role_required(*POINTS_LIST_ROLES)
@require_GET
def points_summary_xlsx(request):
    _form, year, unit, data = _summary_filters(request)
    frame = points_summary_dataframe(points_summary_rows(request.user, year=year, unit=unit, search=data.get("q", "")))
    audit_log(
        actor=request.user,
        action="certification.points.summary_exported",
        data={"year": year, "unit": unit.pk if unit else None, "q": data.get("q", ""), "rows": len(frame)},
    )
    return dataframe_download(
        frame, sheet_name=pgettext("case-handling points", "Points"), filename=f"积分汇总-{year}.xlsx"
    )


@role_required(*POINTS_LIST_ROLES)
@require_GET
def promotion_summary_xlsx(request):
    """The promotion summary of every officer in the filtered list."""
    _form, year, unit, data = _summary_filters(request)
    rows = points_summary_rows(request.user, year=year, unit=unit, search=data.get("q", ""))
    frame = promotion_summary_dataframe([promotion_summary(row["officer"], year) for row in rows])
    audit_log(
        actor=request.user,
        action="certification.points.promotion_exported",
        data={"year": year, "unit": unit.pk if unit else None, "q": data.get("q", ""), "rows": len(frame)},
    )
    return dataframe_download(frame, sheet_name=_("Promotion summary"), filename=f"晋升年度汇总-{year}.xlsx")


@login_required
@require_GET
def promotion_summary_view(request, pk: int):
    officer = get_officer_for_user(request.user, pk)
    year = _year(request)
    return render(
        request,
        "certification/points/promotion.html",
        {
            "officer": officer,
            "year": year,
            "year_form": YearForm(initial={"year": year}, years=year_choices()),
            "summary": promotion_summary(officer, year, viewer=request.user),
        },
    )


@login_required
@require_GET
def promotion_summary_one_xlsx(request, pk: int):
    officer = get_officer_for_user(request.user, pk)
    year = _year(request)
    frame = promotion_summary_dataframe([promotion_summary(officer, year)])
    audit_log(
        actor=request.user,
        action="certification.points.promotion_exported",
        target=officer,
        data={"year": year, "officer": officer.police_number, "rows": len(frame)},
    )
    return dataframe_download(
        frame, sheet_name=_("Promotion summary"), filename=f"晋升年度汇总-{officer.police_number}-{year}.xlsx"
    )


# --- manual entries ---------------------------------------------------------------------------------


@training_staff_required
def points_manual(request):
    form = ManualEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not token_consume(request, "points_manual", data["token"]):
            messages.info(request, _("This entry was already saved."))
            return redirect("certification:points_summary")
        try:
            entry = point_entry_add_manual(
                officer=data["officer"],
                year=data["year"],
                category=data["category"],
                points=data["points"],
                reason=data["reason"],
                actor=request.user,
            )
        except PointsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Entry saved."))
            return redirect(reverse("certification:officer_points", args=[entry.officer_id]) + f"?year={entry.year}")
    if not form.is_bound:
        initial = {"token": token_issue(request, "points_manual"), "year": timezone.localdate().year}
        number = request.GET.get("officer", "")
        if number:
            initial["officer"] = number[:20]
        form = ManualEntryForm(initial=initial)
    else:
        form.data = form.data.copy()
        form.data["token"] = token_issue(request, "points_manual")
    return render(request, "certification/points/manual.html", {"form": form})


@training_staff_required
@require_POST
def points_manual_delete(request, pk: int):
    entry = PointEntry.objects.select_related("officer").filter(pk=pk).first()
    if entry is None:
        messages.info(request, _("This entry no longer exists."))
        return redirect("certification:points_summary")
    try:
        point_entry_delete_manual(entry=entry, actor=request.user)
    except PointsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Entry withdrawn."))
    return redirect(reverse("certification:officer_points", args=[entry.officer_id]) + f"?year={entry.year}")


# --- over-50 indicators -----------------------------------------------------------------------------


@role_required(*POINTS_LIST_ROLES)
@require_GET
def indicator_list_view(request):
    form, year, unit, data = _summary_filters(request, IndicatorFilterForm)
    rows = indicator_list(request.user, year=year, unit=unit, state=data.get("state", ""))
    return render(
        request,
        "certification/points/indicators.html",
        {
            "form": form,
            "year": year,
            "rows": rows,
            "target": IndicatorTarget.objects.filter(year=year).first(),
            "query": request.GET.urlencode(),
            "can_manage": is_court_reviewer(request.user),
        },
    )


@role_required(*POINTS_LIST_ROLES)
@require_GET
def indicator_list_xlsx(request):
    _form, year, unit, data = _summary_filters(request, IndicatorFilterForm)
    frame = indicator_dataframe(indicator_list(request.user, year=year, unit=unit, state=data.get("state", "")))
    audit_log(
        actor=request.user,
        action="certification.indicators.exported",
        data={"year": year, "unit": unit.pk if unit else None, "state": data.get("state", ""), "rows": len(frame)},
    )
    return dataframe_download(frame, sheet_name=_("Case-handling indicators"), filename=f"办案指标-{year}.xlsx")


@training_staff_required
def indicator_targets(request):
    form = IndicatorTargetForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        indicator_target_set(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Target saved."))
        return redirect("certification:indicator_targets")
    return render(
        request, "certification/points/targets.html", {"form": form, "targets": IndicatorTarget.objects.all()}
    )


@training_staff_required
def indicator_entry(request):
    """Enter (or correct) one officer's cases handled and incidents responded to for a year."""
    form = IndicatorForm(
        request.POST or None,
        initial={"year": timezone.localdate().year, "officer": request.GET.get("officer", "")[:20]},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        indicator_save(
            officer=data["officer"],
            year=data["year"],
            cases_handled=data["cases_handled"],
            incidents_responded=data["incidents_responded"],
            actor=request.user,
        )
        messages.success(request, _("Indicators saved for %(officer)s.") % {"officer": data["officer"]})
        return redirect(reverse("certification:indicator_list") + f"?year={data['year']}")
    return render(request, "certification/points/indicator_form.html", {"form": form})


urlpatterns: list = [
    path("points/", my_points, name="my_points"),
    path("points/officer/<int:pk>/", officer_points, name="officer_points"),
    path("points/officer/<int:pk>/rebuild/", officer_points_rebuild, name="officer_points_rebuild"),
    path("points/officer/<int:pk>/promotion/", promotion_summary_view, name="promotion_summary"),
    path("points/officer/<int:pk>/promotion.xlsx", promotion_summary_one_xlsx, name="promotion_summary_one_xlsx"),
    path("points/summary/", points_summary, name="points_summary"),
    path("points/summary.xlsx", points_summary_xlsx, name="points_summary_xlsx"),
    path("points/promotion.xlsx", promotion_summary_xlsx, name="promotion_summary_xlsx"),
    path("points/manual/", points_manual, name="points_manual"),
    path("points/manual/<int:pk>/delete/", points_manual_delete, name="points_manual_delete"),
    path("points/indicators/", indicator_list_view, name="indicator_list"),
    path("points/indicators.xlsx", indicator_list_xlsx, name="indicator_list_xlsx"),
    path("points/indicators/targets/", indicator_targets, name="indicator_targets"),
    path("points/indicators/new/", indicator_entry, name="indicator_entry"),
]
