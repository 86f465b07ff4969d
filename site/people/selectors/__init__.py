from .audience import audience_filter, audience_includes, audience_labels, officers_matching
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
    "audience_filter",
    "audience_includes",
    "audience_labels",
    "can_view_officer",
    "get_officer_for_user",
    "has_role",
    "officer_list_for_user",
    "officers_in_audience",
    "officers_matching",
    "officers_visible_to",
    "scope_of",
    "unit_full_paths",
    "unit_path_split",
    "unit_tree_rows",
    "units_by_full_path",
    "units_visible_to",
]
