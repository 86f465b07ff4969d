from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.functional import Promise

from portal.client_address import current_client_address
from portal.models import AuditEntry
from portal.texts import StoredText, as_message


class _AuditEncoder(DjangoJSONEncoder):
    # A generated sentence is kept as its key and parameters, so the log shows it in the reader's
    # language (portal.selectors.audit_display renders it).
    def default(self, o):
        if isinstance(o, StoredText):
            return o.as_json()
        if isinstance(o, Promise):
            return as_message(o) or str(o)
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def _json_safe(data: dict[str, Any] | None) -> dict[str, Any]:
    return json.loads(json.dumps(data or {}, cls=_AuditEncoder, ensure_ascii=False))


def audit_log(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    """Append an audit entry. Call inside the same transaction as the change it records.

    ``ip_address`` defaults to the client address of the request being handled (none for tasks)."""
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=actor_obj,
        actor_label=str(actor_obj) if actor_obj else (str(actor) if actor else "system"),
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        data=_json_safe(data),
        ip_address=ip_address or current_client_address(),
    )
