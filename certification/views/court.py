"""Court-hearing attendance pages (庭审旁听): record, verify or reject, progress and shortfall lists."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from certification.models import AttendanceState, CourtAttendance, CourtRequirement, PointsSequence
from certification.selectors.court import (
    SHORTFALL_ROLES,
    attendances_for_review,
    court_progress,
    court_shortfall,
    court_shortfall_dataframe,
    get_attendance_for_user,
    officer_attendances,
)
from certification.selectors.points import year_choices
from certification.services.court import (
    CourtError,
    court_attendance_record,
    court_attendance_reject,
    court_attendance_verify,
    court_requirement_set,
    points_sequence_assign,
    points_sequence_assign_unit,
    points_sequence_remove,
)
from certification.views.court_forms import (
    AttendanceForm,
    RejectForm,
    RequirementForm,
    ReviewFilterForm,
    SequenceNumbersForm,
    SequenceUnitForm,
    YearUnitForm,
    token_consume,
    token_issue,
)
from people.decorators import role_required, training_staff_required
from people.models import User
from people.selectors import unit_full_paths, units_visible_to
from portal.exports import dataframe_download
from portal.services import audit_log

PAGE_SIZE = 50


# --- the officer ------------------------------------------------------------------------------------


@login_required
def my_court(request):
    """Record a hearing, see your own list and this year's progress."""
    form = AttendanceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not token_consume(request, "court_record", data["token"]):
            messages.info(request, _("This attendance was already recorded."))
            return redirect("certification:my_court")
        try:
            court_attendance_record(
                officer=request.user,
                date=data["date"],
                court=data["court"],
                case=data["case"],
                role=data["role"],
                evidence=data["evidence"],
                note=data["note"],
                actor=request.user,
            )
        except CourtError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Court attendance recorded; the legal brigade will verify it."))
            return redirect("certification:my_court")
    if not form.is_bound:
        form = AttendanceForm(initial={"token": token_issue(request, "court_record"), "date": timezone.localdate()})
    else:
        form.data = form.data.copy()
        form.data["token"] = token_issue(request, "court_record")
    year = timezone.localdate().year
    return render(
        request,
        "certification/court/mine.html",
        {
            "form": form,
            "attendances": officer_attendances(request.user),
            "progress": court_progress(request.user, year),
            "rejected": AttendanceState.REJECTED,
        },
    )


@login_required
@require_GET
def court_evidence(request, pk: int):
    attendance = get_attendance_for_user(request.user, pk)
    if not attendance.evidence:
        raise Http404
    return FileResponse(
        attendance.evidence.open("rb"), as_attachment=False, filename=attendance.evidence.name.rsplit("/", 1)[-1]
    )


# --- the legal brigade ------------------------------------------------------------------------------


@training_staff_required
@require_GET
def court_review(request):
    """Awaiting verification first; each can be verified or rejected with a reason."""
    form = ReviewFilterForm(request.GET or None)
    state = form.cleaned_data["state"] if form.is_valid() else ""
    page = Paginator(attendances_for_review(state=state), PAGE_SIZE).get_page(request.GET.get("page"))
    highlight = request.GET.get("highlight", "")
    return render(
        request,
        "certification/court/review.html",
        {
            "form": form,
            "page_obj": page,
            "attendances": page.object_list,
            "submitted": AttendanceState.SUBMITTED,
            "rejected": AttendanceState.REJECTED,
            "highlight": int(highlight) if highlight.isdigit() else None,
            "reject_form": RejectForm(),
        },
    )


def _attendance_or_404(pk: int) -> CourtAttendance:
    attendance = CourtAttendance.objects.select_related("officer").filter(pk=pk).first()
    if attendance is None:
        raise Http404
    return attendance


@training_staff_required
@require_POST
def court_verify(request, pk: int):
    attendance = _attendance_or_404(pk)
    try:
        attendance, changed = court_attendance_verify(attendance=attendance, actor=request.user)
    except CourtError as exc:
        messages.error(request, str(exc))
    else:
        if changed:
            messages.success(
                request,
                _("Verified: %(officer)s, %(date)s.") % {"officer": attendance.officer, "date": attendance.date},
            )
        else:
            messages.info(request, _("This attendance was already verified."))
    return redirect("certification:court_review")


@training_staff_required
@require_POST
def court_reject(request, pk: int):
    attendance = _attendance_or_404(pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for rejecting the attendance."))
        return redirect("certification:court_review")
    try:
        attendance, changed = court_attendance_reject(
            attendance=attendance, reason=form.cleaned_data["reason"], actor=request.user
        )
    except CourtError as exc:
        messages.error(request, str(exc))
    else:
        if changed:
            messages.success(
                request,
                _("Rejected: %(officer)s, %(date)s.") % {"officer": attendance.officer, "date": attendance.date},
            )
        else:
            messages.info(request, _("This attendance was already rejected."))
    return redirect("certification:court_review")


# --- the shortfall list -----------------------------------------------------------------------------


def _shortfall(request):
    form = YearUnitForm(
        request.GET or None, years=year_choices(), units=units_visible_to(request.user), unit_labels=unit_full_paths()
    )
    data = form.cleaned_data if form.is_valid() else {}
    year, unit = data.get("year") or timezone.localdate().year, data.get("unit")
    return form, year, unit, court_shortfall(request.user, year=year, unit=unit)


@role_required(*SHORTFALL_ROLES)
@require_GET
def court_shortfall_view(request):
    form, year, unit, rows = _shortfall(request)
    return render(
        request,
        "certification/court/shortfall.html",
        {
            "form": form,
            "year": year,
            "rows": rows,
            "has_requirement": CourtRequirement.objects.filter(year=year).exists(),
            "query": request.GET.urlencode(),
        },
    )


@role_required(*SHORTFALL_ROLES)
@require_GET
def court_shortfall_xlsx(request):
    _form, year, unit, rows = _shortfall(request)
    frame = court_shortfall_dataframe(rows)
    audit_log(
        actor=request.user,
        action="certification.court.shortfall_exported",
        data={"year": year, "unit": unit.pk if unit else None, "rows": len(frame)},
    )
    return dataframe_download(frame, sheet_name=_("Court attendance shortfall"), filename=f"庭审旁听未达标-{year}.xlsx")


# --- requirements and the points sequence ------------------------------------------------------------


@training_staff_required
def court_requirements(request):
    form = RequirementForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        court_requirement_set(
            year=data["year"],
            sequence=data["sequence"],
            required=data["required"],
            points_each=data["points_each"],
            actor=request.user,
        )
        messages.success(request, _("Requirement saved."))
        return redirect("certification:court_requirements")
    return render(
        request,
        "certification/court/requirements.html",
        {"form": form, "requirements": CourtRequirement.objects.all()},
    )


@training_staff_required
def court_sequence(request):
    """Who is in the 执法办案积分序列: add by police number or a whole unit, remove one."""
    unit_labels = unit_full_paths()
    numbers_form = SequenceNumbersForm(request.POST if request.POST.get("action") == "numbers" else None)
    unit_form = SequenceUnitForm(
        request.POST if request.POST.get("action") == "unit" else None, unit_labels=unit_labels
    )
    if request.method == "POST":
        changed = None
        if numbers_form.is_bound and numbers_form.is_valid():
            changed = points_sequence_assign(
                officers=numbers_form.cleaned_data["numbers"],
                sequence=numbers_form.cleaned_data["sequence"],
                actor=request.user,
            )
        elif unit_form.is_bound and unit_form.is_valid():
            changed = points_sequence_assign_unit(unit=unit_form.cleaned_data["unit"], actor=request.user)
        elif request.POST.get("action") == "remove":
            officer_id = request.POST.get("officer", "")
            officer = User.objects.filter(pk=int(officer_id)).first() if officer_id.isdigit() else None
            if officer is None or not points_sequence_remove(officer=officer, actor=request.user):
                messages.error(request, _("That officer is not in a points sequence."))
            else:
                messages.success(request, _("%(officer)s removed from the points sequence.") % {"officer": officer})
            return redirect("certification:court_sequence")
        if changed is not None:
            messages.success(request, _("%(count)s officer(s) added or moved.") % {"count": changed})
            return redirect("certification:court_sequence")
    members = PointsSequence.objects.select_related("officer", "officer__unit").order_by(
        "sequence", "officer__unit__path", "officer__police_number"
    )
    page = Paginator(members, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "certification/court/sequence.html",
        {"numbers_form": numbers_form, "unit_form": unit_form, "page_obj": page, "members": page.object_list},
    )


urlpatterns: list = [
    path("court/", my_court, name="my_court"),
    path("court/<int:pk>/evidence/", court_evidence, name="court_evidence"),
    path("court/review/", court_review, name="court_review"),
    path("court/<int:pk>/verify/", court_verify, name="court_verify"),
    path("court/<int:pk>/reject/", court_reject, name="court_reject"),
    path("court/shortfall/", court_shortfall_view, name="court_shortfall"),
    path("court/shortfall.xlsx", court_shortfall_xlsx, name="court_shortfall_xlsx"),
    path("court/requirements/", court_requirements, name="court_requirements"),
    path("court/sequence/", court_sequence, name="court_sequence"),
]
