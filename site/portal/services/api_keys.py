from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portal.models import ApiKey
from portal.services.audit import audit_log

KEY_PREFIX_LENGTH = 8
# Writing last_used_at on every request would serialise API traffic on one row; once a minute is
# precise enough for "is this key still used?".
LAST_USED_PRECISION = timedelta(minutes=1)


def _hash(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def api_key_create(*, name: str, scopes: list[str], actor=None, expires_at=None) -> tuple[ApiKey, str]:
    """Create a key; returns the model and the raw key, which is never stored and shown once."""
    prefix = secrets.token_hex(KEY_PREFIX_LENGTH // 2)
    raw_key = f"{prefix}.{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        key = ApiKey.objects.create(
            name=name,
            prefix=prefix,
            key_hash=_hash(raw_key),
            scopes=sorted(set(scopes)),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            expires_at=expires_at,
        )
        audit_log(actor=actor, action="portal.api_key.created", target=key, data={"scopes": key.scopes})
    return key, raw_key


def api_key_revoke(*, key: ApiKey, actor) -> ApiKey:
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().get(pk=key.pk)
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            audit_log(actor=actor, action="portal.api_key.revoked", target=key)
    return key


def api_key_authenticate(raw_key: str) -> ApiKey | None:
    """The usable key matching ``raw_key``, or None. Constant-time comparison of the hash."""
    if not raw_key or "." not in raw_key:
        return None
    prefix = raw_key.split(".", 1)[0]
    key = ApiKey.objects.filter(prefix=prefix).first()
    if key is None or not secrets.compare_digest(key.key_hash, _hash(raw_key)) or not key.is_usable():
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_PRECISION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
