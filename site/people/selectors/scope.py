"""Who may see whose records. Every view that shows personal data goes through these helpers.

Scopes, widest first: everyone (admin, HR, legal-brigade leader, trainer — the legal brigade
reviews every officer's training), own unit subtree (unit leader), self (everyone else).
Mentors' access to mentees is added by certification when bindings exist.
"""

from __future__ import annotations

import enum

from django.db.models import Q, QuerySet
from django.http import Http404

from people.models import Role, Unit, User


class Scope(enum.IntEnum):
    SELF = 1
    UNIT = 2
    EVERYONE = 3


_ROLE_SCOPES: dict[str, Scope] = {
    Role.ADMIN: Scope.EVERYONE,
    Role.HR: Scope.EVERYONE,
    Role.LEGAL_LEADER: Scope.EVERYONE,
    Role.TRAINER: Scope.EVERYONE,
    Role.UNIT_LEADER: Scope.UNIT,
}


def has_role(user, *roles: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser and Role.ADMIN in roles:
        return True
    return bool(user.role_codes() & set(roles))


def scope_of(user) -> Scope:
    if user.is_superuser:
        return Scope.EVERYONE
    return max((_ROLE_SCOPES.get(code, Scope.SELF) for code in user.role_codes()), default=Scope.SELF)


def units_visible_to(user) -> QuerySet[Unit]:
    scope = scope_of(user)
    if scope is Scope.EVERYONE:
        return Unit.objects.all()
    if scope is Scope.UNIT and user.unit_id:
        return Unit.get_tree(user.unit)
    return Unit.objects.none()


def officers_visible_to(user) -> QuerySet[User]:
    if not getattr(user, "is_authenticated", False):
        return User.objects.none()
    scope = scope_of(user)
    if scope is Scope.EVERYONE:
        return User.objects.all()
    if scope is Scope.UNIT and user.unit_id:
        return User.objects.filter(Q(unit__path__startswith=user.unit.path) | Q(pk=user.pk))
    return User.objects.filter(pk=user.pk)


def can_view_officer(user, officer: User) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.pk == officer.pk:
        return True
    scope = scope_of(user)
    if scope is Scope.EVERYONE:
        return True
    if scope is Scope.UNIT and user.unit_id and officer.unit_id:
        return officer.unit.path.startswith(user.unit.path)
    return False


def get_officer_for_user(user, pk: int, *, write: bool = False) -> User:
    """The officer with this pk if ``user`` may see (or, with write=True, change) them; else 404.

    An officer outside the user's scope is indistinguishable from one that does not exist.
    """
    officer = User.objects.select_related("unit").filter(pk=pk).first()
    if officer is None or not can_view_officer(user, officer):
        raise Http404
    if write and not has_role(user, Role.HR, Role.ADMIN):
        raise Http404
    return officer
