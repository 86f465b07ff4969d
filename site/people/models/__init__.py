from .roles import Role
from .units import Unit
from .users import Category, OfficerStatus, OfficerStatusChange, User, UserManager

__all__ = ["Category", "OfficerStatus", "OfficerStatusChange", "Role", "Unit", "User", "UserManager"]
