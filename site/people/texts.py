"""The sentences people composes and stores (``portal.texts``): shown in the reader's language.
Named in the ``STORED_TEXT_MODULES`` setting; a key, once used, keeps its meaning."""

from django.utils.translation import gettext_lazy as _

from portal.texts import register

STATUS_BY_IMPORT = register("people.status.personnel_import", _("Personnel import: %(source)s"))
