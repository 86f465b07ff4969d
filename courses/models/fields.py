from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

DELIMITER = ","


class ChoiceSetField(models.CharField):
    """A set of TextChoices codes kept in one text column as ``",a,b,"``.

    Why not JSONField or ArrayField: ArrayField is PostgreSQL-only, and JSON containment lookups
    differ between SQLite and PostgreSQL. With a delimiter on both ends, "has code X" is the same
    portable ``LIKE '%,X,%'`` everywhere (see ``contains_lookup``). The Python value is a list of
    codes in the order of the choices; the admin shows checkboxes.
    """

    def __init__(self, *args, choice_class=None, **kwargs):
        self.choice_class = choice_class
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["choice_class"] = self.choice_class
        if kwargs.get("max_length") == 200:
            del kwargs["max_length"]
        if kwargs.get("default") is list:
            del kwargs["default"]
        return name, path, args, kwargs

    # --- conversion -------------------------------------------------------------------------
    def _ordered(self, codes) -> list[str]:
        wanted = {str(code) for code in codes if code}
        if self.choice_class is None:
            return sorted(wanted)
        known = [value for value in self.choice_class.values if value in wanted]
        return known + sorted(wanted - set(known))

    def to_python(self, value):
        if value is None:
            return []
        if isinstance(value, str):
            return self._ordered(value.split(DELIMITER))
        return self._ordered(value)

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def get_prep_value(self, value):
        codes = self.to_python(value)
        return f"{DELIMITER}{DELIMITER.join(codes)}{DELIMITER}" if codes else ""

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    @staticmethod
    def contains_lookup(code: str) -> str:
        """The value for a ``<field>__contains`` filter that means "includes ``code``"."""
        return f"{DELIMITER}{code}{DELIMITER}"

    # --- validation and forms ---------------------------------------------------------------
    def validate(self, value, model_instance):
        if not value and not self.blank:
            raise ValidationError(self.error_messages["blank"], code="blank")
        if self.choice_class is not None:
            unknown = [code for code in value if code not in self.choice_class.values]
            if unknown:
                raise ValidationError(_("Unknown choice: %(codes)s"), params={"codes": ", ".join(unknown)})

    def run_validators(self, value):
        # The max_length validator would compare the length of the list; check the stored text.
        super().run_validators(self.get_prep_value(value))

    def formfield(self, **kwargs):
        defaults = {
            "form_class": forms.TypedMultipleChoiceField,
            "choices": self.choice_class.choices if self.choice_class else [],
            "widget": forms.CheckboxSelectMultiple,
            "required": not self.blank,
            "label": self.verbose_name,
            "help_text": self.help_text,
        }
        defaults.update(kwargs)
        form_class = defaults.pop("form_class")
        defaults.pop("max_length", None)
        defaults.pop("empty_value", None)
        return form_class(**defaults)
