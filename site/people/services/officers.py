"""Writes to officer records: creation, profile updates, status transitions and role groups."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction

from people.hooks import officer_changed
from people.models import Category, OfficerStatus, OfficerStatusChange, Role, Unit, User
from portal.services import audit_log
from portal.texts import StoredText, words_and_message

# Profile fields that officer_create / officer_update accept. Status is deliberately absent from
# plain updates: it changes only through officer_status_change so every transition leaves a row.
PROFILE_FIELDS = (
    "name",
    "unit",
    "category",
    "position",
    "is_middle_leader",
    "is_legal_officer",
    "is_legal_brigade",
    "is_new_officer",
    "birth_date",
    "service_start_date",
    "phone",
)

# The role group that follows from each category. Other role groups (trainer, HR …) are granted
# by hand and never touched by the sync.
CATEGORY_ROLES: dict[str, str] = {Category.OFFICER: Role.OFFICER, Category.AUXILIARY: Role.AUXILIARY}


def _user_or_none(actor) -> User | None:
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def _audit_value(value: Any) -> Any:
    if isinstance(value, Unit):
        # Re-read: adding a unit in sorted order renumbers its later siblings' tree paths, so an
        # instance loaded earlier in the same transaction may carry a stale path.
        return Unit.objects.get(pk=value.pk).full_path
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def officer_roles_sync(*, officer: User) -> bool:
    """Put the officer in the role group of their category and out of the other category's group.

    Returns True when the groups changed.
    """
    wanted = CATEGORY_ROLES[officer.category]
    unwanted = [code for code in CATEGORY_ROLES.values() if code != wanted]
    current = set(officer.groups.values_list("name", flat=True))
    changed = False
    if wanted not in current:
        officer.groups.add(Group.objects.get_or_create(name=wanted)[0])
        changed = True
    stale = [code for code in unwanted if code in current]
    if stale:
        officer.groups.remove(*Group.objects.filter(name__in=stale))
        changed = True
    if changed and hasattr(officer, "_role_codes"):
        del officer._role_codes
    return changed


def officer_create(
    *,
    police_number: str,
    name: str,
    unit: Unit | None,
    actor,
    category: str = Category.OFFICER,
    status: str = OfficerStatus.ACTIVE,
    password: str | None = None,
    source: str = "",
    **profile: Any,
) -> User:
    """Create an officer and put them in their category's role group.

    Without ``password`` the account gets an unusable password: HR sets one in the admin (or the
    officer is given one) before the first login, so an imported roster opens no accounts by itself.
    """
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown officer fields: {sorted(unknown)}")
    with transaction.atomic():
        officer = User(police_number=police_number, name=name, unit=unit, category=category, status=status, **profile)
        if password:
            officer.set_password(password)
        else:
            officer.set_unusable_password()
        officer.save()
        officer_roles_sync(officer=officer)
        officer_changed(
            officer=officer,
            actor=actor,
            created=True,
            changes={key: (None, getattr(officer, key)) for key in ("police_number", *PROFILE_FIELDS, "status")},
        )
        audit_log(
            actor=actor,
            action="people.officer.created",
            target=officer,
            data={
                "source": source,
                "fields": {
                    key: _audit_value(getattr(officer, key)) for key in ("police_number", *PROFILE_FIELDS, "status")
                },
            },
        )
    return officer


def officer_update(*, officer: User, actor, source: str = "", **changes: Any) -> dict[str, tuple[Any, Any]]:
    """Change profile fields; returns {field: (old, new)} for the fields that really changed.

    A category change re-syncs the category role group.
    """
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown officer fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = User.objects.select_for_update(of=("self",)).select_related("unit").get(pk=officer.pk)
        diff: dict[str, tuple[Any, Any]] = {}
        for field, new in changes.items():
            old = getattr(locked, field)
            if old != new:
                diff[field] = (old, new)
                setattr(locked, field, new)
        if diff:
            locked.save(update_fields=[*diff])
            if "category" in diff:
                officer_roles_sync(officer=locked)
            officer_changed(officer=locked, actor=actor, created=False, changes=diff)
            audit_log(
                actor=actor,
                action="people.officer.updated",
                target=locked,
                data={
                    "source": source,
                    "changes": {field: [_audit_value(old), _audit_value(new)] for field, (old, new) in diff.items()},
                },
            )
    for field, (_old, new) in diff.items():
        setattr(officer, field, new)
    return diff


def officer_status_change(
    *, officer: User, to_status: str, reason: str | StoredText = "", actor
) -> OfficerStatusChange | None:
    """Move an officer to another status (在职 / 借调 / 休假 / 离职), leaving a history row.

    Seconded and departed officers drop out of audiences (``User.in_audience``); their records
    stay. A departed officer can no longer log in; returning to another status restores login.
    Returns the history row, or None when the officer already has that status. ``reason`` is what
    a person typed, or a generated sentence (``people.texts``) kept as its key.
    """
    if to_status not in OfficerStatus.values:
        raise ValueError(f"Unknown officer status: {to_status!r}")
    with transaction.atomic():
        # Lock the row so two concurrent changes cannot both read the same "from" status.
        locked = User.objects.select_for_update().get(pk=officer.pk)
        from_status = locked.status
        if from_status == to_status:
            return None
        locked.status = to_status
        locked.is_active = to_status != OfficerStatus.LEFT
        locked.save(update_fields=["status", "is_active"])
        words, message = words_and_message(reason, 200)
        change = OfficerStatusChange.objects.create(
            officer=locked,
            from_status=from_status,
            to_status=to_status,
            reason=words,
            reason_message=message,
            changed_by=_user_or_none(actor),
        )
        audit_log(
            actor=actor,
            action="people.officer.status_changed",
            target=locked,
            data={"from": from_status, "to": to_status, "reason": reason},
        )
    officer.status = to_status
    officer.is_active = locked.is_active
    return change
