from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.texts import render, stored_text_field


class Category(models.TextChoices):
    OFFICER = "officer", _("Police officer")
    AUXILIARY = "auxiliary", _("Auxiliary officer")


class OfficerStatus(models.TextChoices):
    ACTIVE = "active", _("On duty")
    SECONDED = "seconded", _("Seconded")
    ON_LEAVE = "on_leave", _("On leave")
    LEFT = "left", _("Left")


# Officers in these states are not in audiences (assignments, sampled tests); their history stays.
STATUSES_OUT_OF_AUDIENCE = (OfficerStatus.SECONDED, OfficerStatus.LEFT)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, police_number: str, password: str | None, **extra):
        if not police_number:
            raise ValueError("A police number is required.")
        user = self.model(police_number=police_number.strip(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, police_number: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(police_number, password, **extra)

    def create_superuser(self, police_number: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(police_number, password, **extra)

    def get_by_natural_key(self, police_number: str):
        return self.get(police_number=police_number)


class User(AbstractUser):
    """An officer or auxiliary officer; logs in with the police number (警号).

    first_name / last_name / email are kept from AbstractUser because Wagtail's user admin expects
    them; the authoritative Chinese full name is ``name``.
    """

    username = None
    police_number = models.CharField(_("police number"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    unit = models.ForeignKey(
        "people.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.OFFICER)
    position = models.CharField(_("position"), max_length=50, blank=True)
    is_middle_leader = models.BooleanField(_("middle leader"), default=False)
    is_legal_officer = models.BooleanField(_("legal officer"), default=False)
    is_legal_brigade = models.BooleanField(_("legal-brigade officer"), default=False)
    is_new_officer = models.BooleanField(_("new officer"), default=False)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    service_start_date = models.DateField(_("police service start date"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=OfficerStatus.choices, default=OfficerStatus.ACTIVE)
    preferred_language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Language of the interface and of notifications; empty means Chinese."),
    )

    USERNAME_FIELD = "police_number"
    REQUIRED_FIELDS = ["name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        ordering = ["police_number"]
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["category", "status"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.police_number}）" if self.name else self.police_number

    def get_full_name(self) -> str:
        return self.name or self.police_number

    def get_short_name(self) -> str:
        return self.name or self.police_number

    def age_on(self, day: datetime.date) -> int | None:
        if self.birth_date is None:
            return None
        had_birthday = (day.month, day.day) >= (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - (0 if had_birthday else 1)

    @property
    def in_audience(self) -> bool:
        return self.is_active and self.status not in STATUSES_OUT_OF_AUDIENCE

    def role_codes(self) -> set[str]:
        """Group names of this user, cached per instance (requests ask this often)."""
        if not hasattr(self, "_role_codes"):
            self._role_codes = set(self.groups.values_list("name", flat=True))
        return self._role_codes


class OfficerStatusChange(models.Model):
    """Append-only history of status transitions (在职 → 借调 …): who, when, from, to, why."""

    officer = models.ForeignKey(User, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=20, choices=OfficerStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=OfficerStatus.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    reason_message = stored_text_field(_("reason (stored text)"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.officer}: {self.get_from_status_display()} → {self.get_to_status_display()}"

    @property
    def display_reason(self) -> str:
        """The reason in the reader's language (a generated sentence), else as typed."""
        return render(self.reason_message, self.reason)
