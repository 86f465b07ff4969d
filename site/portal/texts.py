"""Stored texts: a sentence the platform writes is stored as a key and parameters, never as words.

A notification, a pathway event's reason or a reminder talk's reason that the *code* composes is
kept as ``{"key": "certification.pathway.enrolled", "params": {...}}`` and rendered when someone
reads it, in the reader's language: an English user reads English though the entry was made while
Chinese was active, and a reworded template reaches every old entry. Text a *person* typed (a
reason entered in a form) is stored as typed and never passes through here.

Each app registers its templates once, by key, in a module named in the ``STORED_TEXT_MODULES``
setting (``certification.texts``), so portal never imports the apps above it::

    PATHWAY_ENROLLED = register("certification.pathway.enrolled", _("Enrolled"))
    transition.reason_message = PATHWAY_ENROLLED().as_json()

Parameters are JSON: strings and numbers as they are; dates, choice values (a ``TextChoices``
member), lazy strings and other stored texts are tagged so they too render in the reader's
language (``{"date": "2026-12-07"}``, ``{"choice": "certification.models.pathway.PathwayPhase",
"value": "phase2"}``, ``{"msgid": "..."}``, ``{"text": {...}}``).

A lazy string passed without a key (``gettext_lazy("...")``) is stored by its msgid. Every stored
text keeps a fallback — the words as rendered when it was stored — shown when the key is unknown
or the template no longer takes the stored parameters, so an old row always reads.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from functools import lru_cache, partial
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import formats, translation
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext, pgettext

_TEMPLATES: dict[str, Any] = {}
_modules_loaded = False


def register(key: str, template) -> Callable[..., StoredText]:
    """Register ``template`` (a ``gettext_lazy`` string with named placeholders) under ``key``.
    Returns a builder: ``PATHWAY_ENROLLED(number=2)`` is the stored text with those parameters."""
    if _TEMPLATES.get(key, template) is not template:
        raise ValueError(f"Stored text key {key!r} is already registered with another template.")
    _TEMPLATES[key] = template
    return partial(stored_text, key)


def _load_modules() -> None:
    global _modules_loaded
    if not _modules_loaded:
        for path in getattr(settings, "STORED_TEXT_MODULES", ()):
            __import__(path)
        _modules_loaded = True


def template_for(key: str):
    _load_modules()
    return _TEMPLATES.get(key)


@dataclass(frozen=True)
class StoredText:
    """A registered template's key and its JSON parameters; ``str()`` renders it now."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "params": dict(self.params)}

    def __str__(self) -> str:
        return render(self.as_json())


def stored_text(key: str, **params) -> StoredText:
    if template_for(key) is None:
        raise KeyError(f"Stored text key {key!r} is not registered.")
    return StoredText(key, {name: encode_param(value) for name, value in params.items()})


def _lazy_msgid(value: Promise) -> dict[str, str] | None:
    # A gettext_lazy proxy pickles as (function, args, kwargs): that names the msgid (and context).
    try:
        _unpickle, (func, args, kwargs, *_rest) = value.__reduce__()
    except (TypeError, ValueError, AttributeError):
        return None
    if kwargs or not all(isinstance(arg, str) for arg in args):
        return None
    if func is gettext and len(args) == 1:
        return {"msgid": args[0]}
    if func is pgettext and len(args) == 2:
        return {"msgid": args[1], "context": args[0]}
    return None


def encode_param(value) -> Any:
    """A parameter as JSON that renders in the reader's language."""
    if isinstance(value, StoredText):
        return {"text": value.as_json()}
    if isinstance(value, models.Choices):
        cls = type(value)
        return {"choice": f"{cls.__module__}.{cls.__qualname__}", "value": value.value}
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, Promise):
        return _lazy_msgid(value) or str(value)
    if isinstance(value, datetime.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def as_message(value) -> dict[str, Any]:
    """What to store for ``value``: a stored text's JSON, a lazy string's msgid, or {} (plain
    words, or a callable: only the fallback is kept)."""
    if isinstance(value, StoredText):
        return value.as_json()
    if isinstance(value, Promise):
        return _lazy_msgid(value) or {}
    return {}


def _decode_param(value) -> Any:
    if not isinstance(value, dict):
        return value
    if "text" in value:
        return render(value["text"])
    if "msgid" in value:
        return render(value)
    if "choice" in value:
        try:
            return str(import_string(value["choice"])(value["value"]).label)
        except (ImportError, ValueError):
            return value.get("value", "")
    if "date" in value:
        return formats.date_format(datetime.date.fromisoformat(value["date"]), "DATE_FORMAT")
    if "datetime" in value:
        moment = datetime.datetime.fromisoformat(value["datetime"])
        return formats.date_format(moment, "DATETIME_FORMAT")
    return value


def render(message: Mapping[str, Any] | None, fallback: str = "") -> str:
    """``message`` in the active language; ``fallback`` when it is empty, unknown or no longer fits."""
    if not message:
        return fallback
    if "msgid" in message:
        msgid = message["msgid"]
        words = pgettext(message["context"], msgid) if message.get("context") else gettext(msgid)
        # A msgid since removed from the catalog would show its English words to everyone.
        if fallback and words == msgid and not translation.get_language().startswith("en"):
            return fallback
        return words
    template = template_for(message.get("key", ""))
    if template is None:
        return fallback or message.get("key", "")
    params = {name: _decode_param(value) for name, value in (message.get("params") or {}).items()}
    words = str(template)
    if not params and "%(" not in words:
        return words
    try:
        return words % params
    except (KeyError, TypeError, ValueError):
        return fallback or str(template)


def stored_text_field(verbose_name) -> models.JSONField:
    """The column that keeps a generated sentence's key and parameters beside its fallback words."""
    return models.JSONField(verbose_name, default=dict, blank=True)


# --- Recognising old rows ---------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"%\((\w+)\)([sdif])")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@lru_cache(maxsize=512)
def _pattern(template: str) -> tuple[re.Pattern, dict[str, str]]:
    kinds: dict[str, str] = {}
    parts, last = [], 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[last : match.start()].replace("%%", "%")))
        name, kind = match.groups()
        if name in kinds:
            parts.append(f"(?P={name})")
        else:
            parts.append(f"(?P<{name}>-?\\d+)" if kind == "d" else f"(?P<{name}>.+?)")
            kinds[name] = kind
        last = match.end()
    parts.append(re.escape(template[last:].replace("%%", "%")))
    return re.compile("^" + "".join(parts) + "$", re.DOTALL), kinds


def recognise(text: str, templates: Mapping[str, str], languages=("zh-hans", "en")) -> dict[str, Any] | None:
    """The stored-text JSON whose template (given by key → English msgid) renders as ``text`` in one
    of ``languages``, with its parameters read back; None when nothing matches. Used by data
    migrations to turn old finished sentences back into keys."""
    text = (text or "").strip()
    if not text:
        return None
    for language in languages:
        with translation.override(language):
            for key, msgid in templates.items():
                pattern, kinds = _pattern(gettext(msgid))
                match = pattern.match(text)
                if match is None:
                    continue
                params: dict[str, Any] = {}
                for name, raw in match.groupdict().items():
                    if kinds[name] == "d":
                        params[name] = int(raw)
                    elif _ISO_DAY.match(raw):
                        params[name] = {"date": raw}
                    else:
                        params[name] = raw
                return {"key": key, "params": params}
    return None


def words_and_message(value, max_length: int | None = None) -> tuple[str, dict[str, Any]]:
    """What to store for a reason that is either typed words or a generated ``StoredText``: the
    words (a stored text rendered in the site's language, as its fallback) and the message JSON."""
    with translation.override(settings.LANGUAGE_CODE):
        words = str(value or "")
    return (words[:max_length] if max_length else words), as_message(value)


@lru_cache(maxsize=4)
def _fixed_catalog(language: str) -> dict[str, dict[str, str]]:
    """Words → msgid (and context) for every placeholder-free entry of ``language``'s catalog."""
    from django.utils.translation import trans_real

    found: dict[str, dict[str, str]] = {}
    for msgid, words in trans_real.translation(language)._catalog.items():
        if not isinstance(msgid, str) or not msgid or "%" in msgid:
            continue
        context, _sep, bare = msgid.rpartition("\x04")
        message = {"msgid": bare, "context": context} if context else {"msgid": bare}
        found.setdefault(words, message)
        found.setdefault(bare, message)
    return found


def recognise_any(text: str, templates: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """Like ``recognise`` over ``templates`` (default: every registered key's English words), then
    any placeholder-free sentence of the Chinese catalog, kept by its msgid."""
    if templates is None:
        _load_modules()
        with translation.override("en"):
            templates = {key: str(template) for key, template in _TEMPLATES.items()}
    found = recognise(text, templates)
    if found is None and (text or "").strip():
        found = _fixed_catalog("zh-hans").get(text.strip())
    return found
