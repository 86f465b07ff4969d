"""Pages for qualification records: HR and legal-brigade lists, an officer's own, grants,
approvals, suspend / revoke / reinstate, evidence, and which exams grant which qualification."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from certification.exports import qualifications_export
from certification.models import (
    Certificate,
    QualificationExam,
    QualificationSource,
    QualificationStatus,
    QualificationType,
)
from certification.selectors.qualifications import (
    EVIDENCE_ROLES,
    LEADER_ROLES,
    LIST_ROLES,
    get_qualification_for_user,
    is_qualification_leader,
    officer_by_police_number,
    officer_qualifications,
    qualification_exam_rows,
    qualification_filters_from,
    qualification_list,
    types_for_evidence,
)
from certification.services.qualifications import (
    EVENT_LABELS,
    QualificationError,
    qualification_approve,
    qualification_grant,
    qualification_reinstate,
    qualification_reject,
    qualification_revoke,
    qualification_suspend,
)
from certification.views.qualification_forms import (
    EvidenceForm,
    ExamLinkForm,
    GrantForm,
    OptionalReasonForm,
    ReasonForm,
    TokenForm,
)
from exams.models import Exam, ExamKind
from people.decorators import role_required, training_staff_required
from people.selectors import has_role, unit_full_paths, units_visible_to
from portal.services import audit_log
from portal.services.exports import export_respond

PAGE_SIZE = 50
EXPIRING_CHOICES = (30, 90, 180)


# --- one-time form tokens: a form submitted twice acts once ---------------------------------------


def _token_issue(request, form_name: str) -> str:
    token = TokenForm.new_token()
    tokens = request.session.get(f"certification.{form_name}", [])[-9:]
    request.session[f"certification.{form_name}"] = [*tokens, token]
    return token


def _token_consume(request, form_name: str, token: str) -> bool:
    tokens = request.session.get(f"certification.{form_name}", [])
    if token not in tokens:
        return False
    tokens.remove(token)
    request.session[f"certification.{form_name}"] = tokens
    return True


# --- lists ------------------------------------------------------------------------------------------


@login_required
@require_GET
def my_qualifications(request):
    records = officer_qualifications(request.user)
    for record in records:
        record.current = next((c for c in record.certificates.all() if c.superseded_at is None), None)
    return render(
        request,
        "certification/qualifications/mine.html",
        {
            "records": records,
            "evidence_types": types_for_evidence(),
            "today": timezone.localdate(),
            "valid": QualificationStatus.VALID,
        },
    )


def _list_context(request):
    filters = qualification_filters_from(request.user, request.GET)
    return filters, qualification_list(request.user, filters)


@role_required(*LIST_ROLES)
@require_GET
def qualification_list_view(request):
    filters, records = _list_context(request)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "certification/qualifications/list.html",
        {
            "page_obj": page,
            "records": page.object_list,
            "filters": filters,
            "types": QualificationType.objects.all(),
            "statuses": QualificationStatus.choices,
            # (pk, full path) in one query: a Unit's ``full_path`` reads its ancestors each time.
            "units": list(unit_full_paths(units_visible_to(request.user)).items()),
            "expiring_choices": EXPIRING_CHOICES,
            "is_leader": is_qualification_leader(request.user),
            "can_record_evidence": has_role(request.user, *EVIDENCE_ROLES),
            "today": timezone.localdate(),
        },
    )


@role_required(*LIST_ROLES)
@require_GET
def qualification_list_xlsx(request):
    """The filtered list as xlsx: at once when small, else a background export with progress."""
    filters = qualifications_export.filters_from(request.GET)
    return export_respond(request, kind="certification.qualifications", filters=filters)


# --- one record -------------------------------------------------------------------------------------


ACTIONS = {
    # action: (service, form, the statuses it applies to)
    "approve": (qualification_approve, OptionalReasonForm, {QualificationStatus.PROPOSED}),
    "reject": (qualification_reject, ReasonForm, {QualificationStatus.PROPOSED}),
    "suspend": (qualification_suspend, ReasonForm, {QualificationStatus.VALID}),
    "revoke": (
        qualification_revoke,
        ReasonForm,
        {QualificationStatus.VALID, QualificationStatus.SUSPENDED, QualificationStatus.EXPIRED},
    ),
    "reinstate": (qualification_reinstate, ReasonForm, {QualificationStatus.SUSPENDED, QualificationStatus.REVOKED}),
}


@login_required
@require_GET
def qualification_detail(request, pk: int):
    record = get_qualification_for_user(request.user, pk)
    events = list(record.events.select_related("actor").order_by("at", "pk"))
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)
    certificates = list(Certificate.objects.filter(qualification=record).select_related("issued_by"))
    actions = []
    if is_qualification_leader(request.user):
        actions = [
            {
                "name": name,
                "url": reverse(f"certification:qualification_{name}", args=[record.pk]),
                "form": form_class(auto_id=f"id_{name}_%s"),
            }
            for name, (_service, form_class, statuses) in ACTIONS.items()
            if record.status in statuses
        ]
    return render(
        request,
        "certification/qualifications/detail.html",
        {
            "record": record,
            "events": events,
            "certificates": certificates,
            "current": next((c for c in certificates if c.superseded_at is None), None),
            "actions": actions,
            "valid": QualificationStatus.VALID,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def qualification_act(request, pk: int, action: str):
    """Approve, reject, suspend, revoke or reinstate (legal-brigade leaders), with a reason."""
    record = get_qualification_for_user(request.user, pk)
    if action not in ACTIONS or not is_qualification_leader(request.user):
        raise Http404
    service, form_class, _statuses = ACTIONS[action]
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was changed: give a reason (at most 300 characters)."))
        return redirect("certification:qualification_detail", pk=record.pk)
    try:
        service(qualification=record, actor=request.user, reason=form.cleaned_data["reason"])
    except QualificationError as error:
        messages.error(request, error.message)
        return redirect("certification:qualification_detail", pk=record.pk)
    messages.success(request, DONE_MESSAGES[action])
    return redirect("certification:qualification_detail", pk=record.pk)


DONE_MESSAGES = {
    "approve": gettext_lazy("Approved: the qualification is valid and its certificate issued."),
    "reject": gettext_lazy("The proposal was rejected."),
    "suspend": gettext_lazy("The qualification is suspended."),
    "revoke": gettext_lazy("The qualification is revoked."),
    "reinstate": gettext_lazy("The qualification is reinstated."),
}


@login_required
@require_GET
def qualification_evidence_file(request, pk: int):
    record = get_qualification_for_user(request.user, pk)
    if not record.evidence:
        raise Http404
    try:
        handle = record.evidence.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    name = Path(record.evidence.name).name
    return FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
    )


# --- grants and evidence ----------------------------------------------------------------------------


@role_required(*LEADER_ROLES)
def qualification_grant_view(request):
    """A leader grants a qualification by hand (reason required); the grant is its own approval."""
    if request.method != "POST":
        form = GrantForm(initial={"token": _token_issue(request, "grant")})
        return render(request, "certification/qualifications/grant.html", {"form": form})
    form = GrantForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "certification/qualifications/grant.html", {"form": form}, status=400)
    officer = officer_by_police_number(request.user, form.cleaned_data["police_number"])
    if officer is None:
        form.add_error("police_number", _("No officer has this police number."))
        return render(request, "certification/qualifications/grant.html", {"form": form}, status=400)
    if not _token_consume(request, "grant", form.cleaned_data["token"]):
        messages.error(request, _("This form was already submitted; nothing was changed again."))
        return redirect("certification:qualification_list")
    try:
        with transaction.atomic():
            record = qualification_grant(
                officer=officer,
                qualification_type=form.cleaned_data["qualification_type"],
                source=QualificationSource.MANUAL,
                actor=request.user,
                granted_on=form.cleaned_data.get("granted_on"),
                evidence=form.cleaned_data.get("evidence"),
                evidence_note=form.cleaned_data.get("evidence_note", ""),
                reason=form.cleaned_data["reason"],
            )
    except QualificationError as error:
        form.add_error(None, error.message)
        form.data = form.data.copy()
        form.data["token"] = _token_issue(request, "grant")
        return render(request, "certification/qualifications/grant.html", {"form": form}, status=400)
    messages.success(
        request,
        _("Granted: %(qualification)s to %(name)s.")
        % {
            "qualification": record.qualification_type.name,
            "name": officer.name,
        },
    )
    return redirect("certification:qualification_detail", pk=record.pk)


@login_required
def qualification_evidence_submit(request):
    """An officer (or HR / the legal brigade for an officer) submits evidence of an external
    qualification — 法律职业资格, 公职律师 — which waits for a leader's approval."""
    for_others = has_role(request.user, *EVIDENCE_ROLES)
    template = "certification/qualifications/evidence.html"
    if request.method != "POST":
        form = EvidenceForm(for_others=for_others, initial={"token": _token_issue(request, "evidence")})
        return render(request, template, {"form": form})
    form = EvidenceForm(request.POST, request.FILES, for_others=for_others)
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    officer = request.user
    police_number = form.cleaned_data.get("police_number", "")
    if police_number:
        officer = officer_by_police_number(request.user, police_number)
        if officer is None:
            form.add_error("police_number", _("No officer has this police number."))
            return render(request, template, {"form": form}, status=400)
    if not _token_consume(request, "evidence", form.cleaned_data["token"]):
        messages.error(request, _("This form was already submitted; nothing was changed again."))
        return redirect("certification:my_qualifications")
    try:
        record = qualification_grant(
            officer=officer,
            qualification_type=form.cleaned_data["qualification_type"],
            source=QualificationSource.EVIDENCE,
            actor=request.user,
            evidence=form.cleaned_data["evidence"],
            evidence_note=form.cleaned_data["evidence_note"],
        )
    except QualificationError as error:
        form.add_error(None, error.message)
        form.data = form.data.copy()
        form.data["token"] = _token_issue(request, "evidence")
        return render(request, template, {"form": form}, status=400)
    if record.status == QualificationStatus.PROPOSED:
        messages.success(request, _("Submitted: a legal-brigade leader will review the evidence."))
    else:
        messages.success(request, _("Recorded: the qualification is valid."))
    return redirect("certification:qualification_detail", pk=record.pk)


# --- qualification exams ----------------------------------------------------------------------------


@training_staff_required
@require_GET
def qualification_exams(request):
    rows = qualification_exam_rows()
    for row in rows:
        row.form = ExamLinkForm(
            initial={"qualification_type": row.link.qualification_type_id if row.link else None},
            auto_id=f"id_exam{row.exam.pk}_%s",
        )
    return render(request, "certification/qualifications/exams.html", {"rows": rows})


@training_staff_required
@require_POST
def qualification_exam_link(request, pk: int):
    """Link a qualification exam to the qualification passing it grants (or remove the link).
    Records already granted keep their source; only later results follow the new link."""
    exam = get_object_or_404(Exam, pk=pk, kind=ExamKind.QUALIFICATION, practice_for__isnull=True)
    form = ExamLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a qualification from the list."))
        return redirect("certification:qualification_exams")
    qualification_type = form.cleaned_data["qualification_type"]
    with transaction.atomic():
        link = QualificationExam.objects.select_for_update().filter(exam=exam).first()
        before = link.qualification_type.code if link else ""
        if qualification_type is None:
            if link is not None:
                link.delete()
        elif link is None:
            QualificationExam.objects.create(exam=exam, qualification_type=qualification_type)
        elif link.qualification_type_id != qualification_type.pk:
            link.qualification_type = qualification_type
            link.save(update_fields=["qualification_type"])
        after = qualification_type.code if qualification_type else ""
        if before != after:
            audit_log(
                actor=request.user,
                action="certification.qualification_exam.linked",
                target=exam,
                data={"before": before, "after": after},
            )
    if qualification_type is None:
        messages.success(request, _("“%(exam)s” no longer grants a qualification.") % {"exam": exam.title})
    else:
        messages.success(
            request,
            _("Passing “%(exam)s” grants %(qualification)s.")
            % {"exam": exam.title, "qualification": qualification_type.name},
        )
    return redirect("certification:qualification_exams")


urlpatterns: list = [
    path("qualifications/", qualification_list_view, name="qualification_list"),
    path("qualifications/export.xlsx", qualification_list_xlsx, name="qualification_list_xlsx"),
    path("qualifications/mine/", my_qualifications, name="my_qualifications"),
    path("qualifications/grant/", qualification_grant_view, name="qualification_grant"),
    path("qualifications/evidence/", qualification_evidence_submit, name="qualification_evidence_submit"),
    path("qualifications/<int:pk>/", qualification_detail, name="qualification_detail"),
    path("qualifications/<int:pk>/evidence/", qualification_evidence_file, name="qualification_evidence"),
    *[
        path(f"qualifications/<int:pk>/{name}/", qualification_act, {"action": name}, name=f"qualification_{name}")
        for name in ACTIONS
    ],
    path("qualification-exams/", qualification_exams, name="qualification_exams"),
    path("qualification-exams/<int:pk>/link/", qualification_exam_link, name="qualification_exam_link"),
]
