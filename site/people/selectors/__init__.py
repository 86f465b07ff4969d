from .scope import (
    Scope,
    can_view_officer,
    get_officer_for_user,
    has_role,
    officers_visible_to,
    scope_of,
    units_visible_to,
)

__all__ = [
    "Scope",
    "can_view_officer",
    "get_officer_for_user",
    "has_role",
    "officers_visible_to",
    "scope_of",
    "units_visible_to",
]
