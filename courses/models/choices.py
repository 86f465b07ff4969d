from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    """Who a course is written for (适用对象). ``ALL`` (全警) means every officer."""

    ALL = "all", _("All officers")
    NEW_OFFICER = "new_officer", _("New officers")
    AUXILIARY = "auxiliary", _("Auxiliary officers")
    MIDDLE_LEADER = "middle_leader", _("Middle leaders")
    LEGAL_OFFICER = "legal_officer", _("Legal officers")


class Tier(models.TextChoices):
    """Law-enforcement qualification tier a course prepares for (基本级 / 中级 / 高级)."""

    BASIC = "basic", _("Basic level")
    INTERMEDIATE = "intermediate", _("Intermediate level")
    ADVANCED = "advanced", _("Advanced level")
