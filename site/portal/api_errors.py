"""The JSON API's error answers: request-body limits, and input errors in the caller's language.

Every API error is JSON ``{"detail": "..."}`` (config.api wires the handlers); input errors add an
``errors`` list of ``{row, column, message}``. This module holds the parts the routers share:

- **Body limits.** Django refuses any request body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB),
  which is right for forms but would refuse batches the API's schema allows (20,000 personnel rows
  are about 6 MB). A batch endpoint declares ``@batch_body_limit(MAX_ROWS)``: its allowance is
  ``BODY_BYTES_PER_ROW`` a row plus ``BODY_BYTES_OVERHEAD``, stated in its OpenAPI description,
  and a larger body answers 413 before it is read. Other endpoints keep Django's limit, also as a
  JSON 413.
- **Validation messages.** ninja's 422 errors come from pydantic in English; ``validation_message``
  renders the common ones through gettext so ``Accept-Language: zh-hans`` gets Chinese.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from io import BytesIO
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from ninja.decorators import decorate_view
from ninja.utils import contribute_operation_callback

# A personnel or case row as other systems send it is about 300 bytes, 600 with every Chinese
# character escaped as \uXXXX; 1 KiB a row leaves room for long unit paths and notes.
BODY_BYTES_PER_ROW = 1024
BODY_BYTES_OVERHEAD = 64 * 1024


def body_too_large_message(*, size: int, limit: int) -> str:
    return gettext(
        "The request body is %(size)s bytes; at most %(limit)s bytes are accepted here. "
        "Send the rows in smaller batches."
    ) % {"size": f"{size:,}", "limit": f"{limit:,}"}


def _content_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def batch_body_limit(max_rows: int) -> Callable:
    """Decorates a batch operation (under its ``@router.post``): accept bodies of up to
    ``max_rows`` rows' worth of bytes, refuse larger ones with a JSON 413 before reading them, and
    say so in the operation's OpenAPI description."""
    limit = max_rows * BODY_BYTES_PER_ROW + BODY_BYTES_OVERHEAD

    def limit_run(run: Callable) -> Callable:
        @wraps(run)
        def run_with_limit(request: HttpRequest, *args: Any, **kwargs: Any):
            size = _content_length(request)
            if size > limit:
                return JsonResponse({"detail": body_too_large_message(size=size, limit=limit)}, status=413)
            if size > (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or size) and not hasattr(request, "_body"):
                # Read it here, within this endpoint's allowance, as HttpRequest.body would have
                # done without its site-wide limit; request.body then returns it.
                request._body = request.read()
                request._stream = BytesIO(request._body)
            return run(request, *args, **kwargs)

        return run_with_limit

    def describe(operation) -> None:
        note = f"Limits: at most {max_rows:,} rows and {limit:,} bytes per request (413 when larger)."
        operation.description = f"{operation.description or ''}\n\n{note}".strip()

    def decorator(view_func: Callable) -> Callable:
        # decorate_view wraps the operation's run (before authentication and body parsing) and
        # is re-applied when ninja clones the operation for its API.
        view_func = decorate_view(limit_run)(view_func)
        contribute_operation_callback(view_func, describe)
        return view_func

    return decorator


# --- Validation messages ----------------------------------------------------------------------

# pydantic error type → message; the placeholders come from the error's ``ctx``.
VALIDATION_MESSAGES: dict[str, Any] = {
    "missing": _("This field is required."),
    "extra_forbidden": _("This field is not part of the API; check its spelling."),
    "string_type": _("Expected text."),
    "int_type": _("Expected a whole number."),
    "int_parsing": _("Expected a whole number."),
    "int_from_float": _("Expected a whole number."),
    "float_type": _("Expected a number."),
    "float_parsing": _("Expected a number."),
    "decimal_type": _("Expected a number."),
    "decimal_parsing": _("Expected a number."),
    "bool_type": _("Expected true or false."),
    "bool_parsing": _("Expected true or false."),
    "date_type": _("Expected a date as YYYY-MM-DD."),
    "date_parsing": _("Expected a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": _("Expected a date as YYYY-MM-DD."),
    "date_from_datetime_inexact": _("Expected a date as YYYY-MM-DD."),
    "list_type": _("Expected a list."),
    "dict_type": _("Expected an object."),
    "model_type": _("Expected an object."),
    "model_attributes_type": _("Expected an object."),
    "json_invalid": _("The request body is not valid JSON."),
    "json_type": _("The request body is not valid JSON."),
    "string_too_long": _("At most %(max_length)s characters."),
    "string_too_short": _("At least %(min_length)s characters."),
    "enum": _("Expected one of: %(expected)s."),
    "literal_error": _("Expected one of: %(expected)s."),
    "greater_than": _("Must be greater than %(gt)s."),
    "greater_than_equal": _("Must be at least %(ge)s."),
    "less_than": _("Must be less than %(lt)s."),
    "less_than_equal": _("Must be at most %(le)s."),
}


def validation_message(error: dict) -> str:
    """One pydantic error as a sentence in the active language; an error type not listed keeps
    pydantic's English sentence."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind in ("too_long", "too_short"):
        # Lists: the row limit of a batch is named in the message.
        limit = ctx.get("max_length" if kind == "too_long" else "min_length")
        actual = ctx.get("actual_length")
        if isinstance(limit, int) and isinstance(actual, int):
            if kind == "too_long":
                return ngettext(
                    "At most %(limit)d item is allowed; this has %(actual)d.",
                    "At most %(limit)d items are allowed; this has %(actual)d.",
                    limit,
                ) % {"limit": limit, "actual": actual}
            return ngettext(
                "At least %(limit)d item is needed; this has %(actual)d.",
                "At least %(limit)d items are needed; this has %(actual)d.",
                limit,
            ) % {"limit": limit, "actual": actual}
    message = VALIDATION_MESSAGES.get(kind)
    if message is None:
        return str(error.get("msg", ""))
    try:
        return str(message) % dict(ctx)
    except (KeyError, TypeError, ValueError):
        return str(error.get("msg", ""))


# Names pydantic adds to an error's location for the branch of a union (``str | int | None``)
# that failed; the caller sent one value, so the location ends at the field.
_UNION_BRANCHES = {"str", "int", "float", "bool", "date", "list[str]", "none", "decimal"}


def field_error(loc: list | tuple, message: str) -> dict:
    """ninja's error location (("body", "payload", "rows", 3, "name")) as {row, column}: list
    indexes become 1-based rows, the rest of the path is the column."""
    parts = [part for part in loc if part not in ("body", "payload", "query", "path", "header")]
    if len(parts) >= 2 and isinstance(parts[-2], str) and str(parts[-1]).lower() in _UNION_BRANCHES:
        parts.pop()
    row = None
    if len(parts) >= 2 and parts[0] == "rows" and isinstance(parts[1], int):
        row = parts[1] + 1
        parts = parts[2:]
    return {"row": row, "column": ".".join(str(part) for part in parts), "message": message}


def validation_errors(errors: list[dict]) -> list[dict]:
    """pydantic's errors as {row, column, message}, one per field: a union field that failed every
    branch gives one entry with the branches' messages joined."""
    merged: dict[tuple, dict] = {}
    for error in errors:
        item = field_error(error.get("loc", ()), validation_message(error))
        key = (item["row"], item["column"])
        if key in merged:
            if item["message"] not in merged[key]["message"]:
                merged[key]["message"] = gettext("%(first)s Or: %(second)s") % {
                    "first": merged[key]["message"],
                    "second": item["message"],
                }
        else:
            merged[key] = item
    return list(merged.values())
