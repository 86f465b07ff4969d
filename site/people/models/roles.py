from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Roles are Django groups named by these codes (created by a data migration).

    Mentor is not a role: it comes from a mentor binding in certification.
    """

    OFFICER = "officer", _("Officer")
    AUXILIARY = "auxiliary", _("Auxiliary officer")
    TRAINER = "trainer", _("Trainer")
    LEGAL_LEADER = "legal_leader", _("Legal-brigade leader")
    HR = "hr", _("HR")
    UNIT_LEADER = "unit_leader", _("Unit leader")
    ADMIN = "admin", _("Administrator")


# The legal brigade's training staff and administrators: they write study material, manage study
# assignments and discussions, keep the question bank and build papers.
TRAINING_STAFF = (Role.TRAINER, Role.LEGAL_LEADER, Role.ADMIN)
