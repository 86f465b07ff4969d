"""The audit log in words: one sentence per entry and a readable line per detail.

An entry stores codes (``certification.qualification.suspended``), a model label
(``certification.qualification``) and raw data (``{"from": "valid", "to": "suspended"}``). Every
place that shows the log to a person — the /audit/ page, any export of it — goes through
``audit_lines``, which turns an entry into "张三 于 2026年12月7日 10:00 暂停了 资格记录「…」" with
"状态：由「有效」改为「暂停」": the target's model gives the verbose name, its fields give the
labels and choice labels, a live object its current name. When the model, the object or a field
is gone, the copied labels and the raw key stand in; nothing raises.

Verbs come from the action's last part (``VERBS``); an action whose verb is unknown is named by its
code. Data shapes understood: ``{"changes": {field: [old, new]}}``, ``{"before": {...}, "after":
{...}}``, ``{"from": x, "to": y}`` (a state change of the target's choice field), and plain keys.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from portal.models import AuditEntry
from portal.texts import render

# The verb of an action, by its code's last part ("certification.pool.ended" → "ended").
VERBS: dict[str, Any] = {
    "created": pgettext_lazy("audit verb", "created"),
    "bulk_created": pgettext_lazy("audit verb", "created"),
    "added": pgettext_lazy("audit verb", "added"),
    "updated": pgettext_lazy("audit verb", "changed"),
    "saved": pgettext_lazy("audit verb", "saved"),
    "deleted": pgettext_lazy("audit verb", "deleted"),
    "removed": pgettext_lazy("audit verb", "removed"),
    "renamed": pgettext_lazy("audit verb", "renamed"),
    "imported": pgettext_lazy("audit verb", "imported"),
    "exported": pgettext_lazy("audit verb", "exported"),
    "export": pgettext_lazy("audit verb", "exported"),
    "status_changed": pgettext_lazy("audit verb", "changed the status of"),
    "approved": pgettext_lazy("audit verb", "approved"),
    "rejected": pgettext_lazy("audit verb", "rejected"),
    "granted": pgettext_lazy("audit verb", "granted"),
    "proposed": pgettext_lazy("audit verb", "proposed"),
    "suspended": pgettext_lazy("audit verb", "suspended"),
    "revoked": pgettext_lazy("audit verb", "revoked"),
    "reinstated": pgettext_lazy("audit verb", "reinstated"),
    "expired": pgettext_lazy("audit verb", "marked as expired"),
    "corrected": pgettext_lazy("audit verb", "corrected"),
    "issued": pgettext_lazy("audit verb", "issued"),
    "enrolled": pgettext_lazy("audit verb", "enrolled"),
    "withdrawn": pgettext_lazy("audit verb", "withdrew"),
    "completed": pgettext_lazy("audit verb", "completed"),
    "extended": pgettext_lazy("audit verb", "extended"),
    "ended": pgettext_lazy("audit verb", "ended"),
    "signed": pgettext_lazy("audit verb", "signed"),
    "returned": pgettext_lazy("audit verb", "returned"),
    "raised": pgettext_lazy("audit verb", "raised"),
    "recorded": pgettext_lazy("audit verb", "recorded"),
    "resolved": pgettext_lazy("audit verb", "resolved"),
    "decided": pgettext_lazy("audit verb", "decided"),
    "entered": pgettext_lazy("audit verb", "entered"),
    "nominated": pgettext_lazy("audit verb", "nominated"),
    "published": pgettext_lazy("audit verb", "published"),
    "submitted": pgettext_lazy("audit verb", "submitted"),
    "started": pgettext_lazy("audit verb", "started"),
    "graded": pgettext_lazy("audit verb", "graded"),
    "regraded": pgettext_lazy("audit verb", "regraded"),
    "released": pgettext_lazy("audit verb", "released"),
    "results_released": pgettext_lazy("audit verb", "released the results of"),
    "cancelled": pgettext_lazy("audit verb", "cancelled"),
    "closed": pgettext_lazy("audit verb", "closed"),
    "assigned": pgettext_lazy("audit verb", "assigned"),
    "drawn": pgettext_lazy("audit verb", "drew"),
    "generated": pgettext_lazy("audit verb", "generated"),
    "logged_in": pgettext_lazy("audit verb", "logged in with"),
    "password_changed": pgettext_lazy("audit verb", "changed the password of"),
    # Exam day (exams.services.exam_day).
    "changed": pgettext_lazy("audit verb", "changed"),
    "time_added": pgettext_lazy("audit verb", "added time to"),
    "paused": pgettext_lazy("audit verb", "stopped the clock of"),
    "resumed": pgettext_lazy("audit verb", "restarted the clock of"),
    "force_submitted": pgettext_lazy("audit verb", "handed in papers of"),
    "marked": pgettext_lazy("audit verb", "marked absent from"),
    "cleared": pgettext_lazy("audit verb", "cleared an absence from"),
    "sent": pgettext_lazy("audit verb", "sent a room message in"),
    "reopen_requested": pgettext_lazy("audit verb", "asked to re-open"),
    "reopen_approved": pgettext_lazy("audit verb", "approved re-opening"),
    "reopen_refused": pgettext_lazy("audit verb", "refused re-opening"),
    "device_takeover": pgettext_lazy("audit verb", "moved to another device in"),
    "paper_entered": pgettext_lazy("audit verb", "entered a paper sitting of"),
    "room_password_refused": pgettext_lazy("audit verb", "typed a wrong exam-room password for"),
    # Backups (portal.services.backups).
    "written": pgettext_lazy("audit verb", "wrote a backup of the database and uploaded files"),
    "write_failed": pgettext_lazy("audit verb", "could not write the backup"),
    "restored": pgettext_lazy("audit verb", "restored the database and uploaded files from a backup"),
}

# Labels for data keys that are not fields of the target's model.
DATA_LABELS: dict[str, Any] = {
    "reason": gettext_lazy("Reason"),
    "officer": gettext_lazy("Officer"),
    "year": gettext_lazy("Year"),
    "score": gettext_lazy("Score"),
    "note": gettext_lazy("Note"),
    "comment": gettext_lazy("Comment"),
    "source": gettext_lazy("Source"),
    "quarter": gettext_lazy("Quarter"),
    "type": pgettext_lazy("audit detail", "type"),
    "basis": gettext_lazy("Basis"),
    "status": gettext_lazy("Status"),
    "phase": gettext_lazy("Phase"),
    "date": gettext_lazy("Date"),
    "unit": gettext_lazy("Unit"),
    "exam": gettext_lazy("Exam"),
    "decision": gettext_lazy("Decision"),
    "title": gettext_lazy("Title"),
    "rows": pgettext_lazy("audit detail", "rows"),
    "count": pgettext_lazy("audit detail", "count"),
    "filters": pgettext_lazy("audit detail", "filters"),
    "attempt": pgettext_lazy("audit detail", "attempt"),
    "cause": pgettext_lazy("audit detail", "cause"),
    "minutes": pgettext_lazy("audit detail", "minutes"),
    "tries": pgettext_lazy("audit detail", "tries"),
    "seconds": pgettext_lazy("audit detail", "seconds"),
    "attempts": pgettext_lazy("audit detail", "papers"),
    "officers": gettext_lazy("Officers"),
    "extra_minutes": gettext_lazy("Extra time (minutes)"),
    "extra_percent": gettext_lazy("Extra time (percent)"),
    "extra_attempts": gettext_lazy("Extra attempts"),
    "backup": pgettext_lazy("audit detail", "backup"),
    "size": pgettext_lazy("audit detail", "size (bytes)"),
    "removed": pgettext_lazy("audit detail", "older backups removed"),
    "backup_taken": pgettext_lazy("audit detail", "backup taken at"),
    "forced": pgettext_lazy("audit detail", "replaced existing data"),
}
# States are stored under these names when "from"/"to" carry a state change.
STATE_FIELDS = ("status", "phase", "state", "decision")


@dataclass(frozen=True)
class AuditLine:
    entry: AuditEntry
    sentence: str
    details: tuple[str, ...]


def _model_for(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label) if label else None
    except (LookupError, ValueError):
        return None


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        for field in model._meta.concrete_fields:
            if field.attname == name:
                return field
    return None


def _label(model, key: str) -> str:
    field = _field(model, key)
    if field is not None and getattr(field, "verbose_name", None):
        return str(field.verbose_name)
    if key in DATA_LABELS:
        return str(DATA_LABELS[key])
    return key.replace("_", " ")


def _date(value: str, kind: type) -> str | None:
    try:
        parsed = kind.fromisoformat(value)
    except ValueError:
        return None
    if isinstance(parsed, datetime.datetime):
        if timezone.is_aware(parsed):
            parsed = timezone.localtime(parsed)
        return formats.date_format(parsed, "DATETIME_FORMAT")
    return formats.date_format(parsed, "DATE_FORMAT")


class _Values:
    """Formats data values; looks related objects up once per page."""

    def __init__(self):
        self._related: dict[tuple[type, Any], str | None] = {}

    def related(self, model: type[models.Model], pk) -> str | None:
        if (model, pk) not in self._related:
            obj = model._default_manager.filter(pk=pk).first()
            self._related[(model, pk)] = str(obj) if obj is not None else None
        return self._related[(model, pk)]

    def format(self, model, key: str, value) -> str:
        if value is None or value == "" or value == [] or value == {}:
            return "—"
        if isinstance(value, Mapping):
            if "key" in value or "msgid" in value:
                return render(value, "")
            return "；".join(f"{_label(model, k)}：{self.format(model, k, v)}" for k, v in value.items())
        if isinstance(value, list | tuple):
            return "、".join(self.format(model, key, item) for item in value)
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        field = _field(model, key)
        if field is not None:
            if field.choices:
                choices = dict(field.flatchoices)
                if value in choices:
                    return str(choices[value])
            if isinstance(value, str) and isinstance(field, models.DateTimeField):
                return _date(value, datetime.datetime) or value
            if isinstance(value, str) and isinstance(field, models.DateField):
                return _date(value, datetime.date) or value
            if field.is_relation and field.related_model is not None and isinstance(value, int):
                return self.related(field.related_model, value) or str(value)
        if isinstance(value, str) and len(value) == 10 and value[4:5] == "-":
            return _date(value, datetime.date) or value
        return str(value)

    def change(self, model, key: str, old, new) -> str:
        return _("%(label)s: from “%(old)s” to “%(new)s”") % {
            "label": _label(model, key),
            "old": self.format(model, key, old),
            "new": self.format(model, key, new),
        }

    def plain(self, model, key: str, value) -> str:
        return _("%(label)s: %(value)s") % {"label": _label(model, key), "value": self.format(model, key, value)}


def _state_field(model, *values) -> str:
    """The target's choice field that holds ``values`` (a "from"/"to" pair)."""
    for name in STATE_FIELDS:
        field = _field(model, name)
        if field is not None and field.choices:
            known = dict(field.flatchoices)
            if all(value in known or value in ("", None) for value in values):
                return name
    return "status"


def _details(model, data: Mapping[str, Any], values: _Values) -> list[str]:
    lines: list[str] = []
    data = dict(data or {})
    changes = data.pop("changes", None)
    if isinstance(changes, Mapping):
        for key, pair in changes.items():
            if isinstance(pair, list | tuple) and len(pair) == 2:
                lines.append(values.change(model, key, *pair))
            else:
                lines.append(values.plain(model, key, pair))
    elif changes is not None:
        data["changes"] = changes
    before, after = data.get("before"), data.get("after")
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        data.pop("before")
        data.pop("after")
        for key in dict.fromkeys([*before, *after]):
            if before.get(key) != after.get(key):
                lines.append(values.change(model, key, before.get(key), after.get(key)))
    if "from" in data and "to" in data:
        old, new = data.pop("from"), data.pop("to")
        lines.append(values.change(model, _state_field(model, old, new), old, new))
    lines.extend(values.plain(model, key, value) for key, value in data.items())
    return lines


def _target(entry: AuditEntry, model, live: Mapping[tuple[str, str], str]) -> str:
    if not entry.target_type:
        return ""
    name = live.get((entry.target_type, entry.target_id)) or entry.target_label
    kind = str(model._meta.verbose_name) if model is not None else entry.target_type
    if not name:
        return kind
    return _("%(kind)s “%(name)s”") % {"kind": kind, "name": name}


def _live_names(entries: list[AuditEntry]) -> dict[tuple[str, str], str]:
    """The targets' current names, one query per model on the page."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        if entry.target_type and entry.target_id:
            wanted[entry.target_type].add(entry.target_id)
    names: dict[tuple[str, str], str] = {}
    for label, ids in wanted.items():
        model = _model_for(label)
        if model is None:
            continue
        try:
            objects = model._default_manager.in_bulk(list(ids))
        except (ValueError, TypeError):
            continue
        for pk, obj in objects.items():
            names[(label, str(pk))] = str(obj)
    return names


def audit_sentence(entry: AuditEntry, *, target: str = "") -> str:
    verb = VERBS.get(entry.action.rsplit(".", 1)[-1])
    verb_text = str(verb) if verb is not None else _("performed “%(action)s” on") % {"action": entry.action}
    moment = formats.date_format(timezone.localtime(entry.created_at), "DATETIME_FORMAT")
    actor = entry.actor_label or _("system")
    if target:
        return _("%(actor)s on %(time)s %(verb)s %(target)s") % {
            "actor": actor,
            "time": moment,
            "verb": verb_text,
            "target": target,
        }
    return _("%(actor)s on %(time)s %(verb)s") % {"actor": actor, "time": moment, "verb": verb_text}


def audit_lines(entries: Iterable[AuditEntry]) -> list[AuditLine]:
    """Each entry as a sentence and its details as lines, in the active language."""
    entries = list(entries)
    live = _live_names(entries)
    values = _Values()
    lines = []
    for entry in entries:
        model = _model_for(entry.target_type)
        lines.append(
            AuditLine(
                entry=entry,
                sentence=audit_sentence(entry, target=_target(entry, model, live)),
                details=tuple(_details(model, entry.data, values)),
            )
        )
    return lines
