"""The one shape of a refusal a service raises for the user: a code from the service's ``ERRORS``
dictionary of lazy translations, and the values its sentence needs. The sentence is rendered when
read (``message``), so it comes out in the language of whoever reads it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


class CodedError(Exception):
    """Subclasses name their dictionary: ``class DeliveryError(CodedError): errors = ERRORS``."""

    errors: ClassVar[Mapping[str, Any]] = {}

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(self.message)

    @property
    def message(self) -> str:
        text = str(self.errors[self.code])
        return text % self.params if self.params else text
