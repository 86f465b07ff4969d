from .officers import officer_list_for_user, officers_in_audience
from .scope import (
    Scope,
    can_view_officer,
    get_officer_for_user,
    has_role,
    officers_visible_to,
    scope_of,
    units_visible_to,
)
from .units import UnitTreeRow, unit_full_paths, unit_path_split, unit_tree_rows, units_by_full_path

__all__ = [
    "Scope",
    "UnitTreeRow",
    "can_view_officer",
    "get_officer_for_user",
    "has_role",
    "officer_list_for_user",
    "officers_in_audience",
    "officers_visible_to",
    "scope_of",
    "unit_full_paths",
    "unit_path_split",
    "unit_tree_rows",
    "units_by_full_path",
    "units_visible_to",
]
