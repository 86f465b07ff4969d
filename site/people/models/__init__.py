from .roles import TRAINING_STAFF, Role
from .units import Unit
from .users import Category, OfficerStatus, OfficerStatusChange, User, UserManager

__all__ = ["Category", "OfficerStatus", "OfficerStatusChange", "Role", "TRAINING_STAFF", "Unit", "User", "UserManager"]
