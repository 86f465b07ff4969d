"""The client's address, as the platform's own reverse proxies saw it.

Behind nginx (``proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for``) every proxy *appends*
the address it received the request from to ``X-Forwarded-For``. Whatever stands to the left of
those appended entries was written by the client and proves nothing: a browser can send
``X-Forwarded-For: 1.2.3.4`` and nginx passes it on as ``1.2.3.4, <real address>``. So the client
address is the entry ``TRUSTED_PROXY_COUNT`` places from the right, never the left-most one.

- ``TRUSTED_PROXY_COUNT = 0`` (no proxy, the branch server): ``REMOTE_ADDR``; the header is ignored.
- ``TRUSTED_PROXY_COUNT = 1`` (nginx in front): the right-most entry, the address nginx appended.
- ``TRUSTED_PROXY_COUNT = 2`` (a load balancer, then nginx): the second entry from the right.

A request with fewer entries than trusted proxies did not come through all of them (someone reached
an app server directly): its ``REMOTE_ADDR`` is the only address known to be real. An entry that is
not an IP address (a proxy misconfiguration) falls back the same way rather than keying lockouts on
junk.

Every use of a client address goes through :func:`client_address`: the login lockout
(``AXES_CLIENT_IP_CALLABLE``), audit entries (:class:`ClientAddressMiddleware` makes the address of
the request in progress the default for ``audit_log``) and network rules.
"""

from __future__ import annotations

import ipaddress
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest

_current: ContextVar[str | None] = ContextVar("client_address", default=None)


def _valid(text: str) -> str | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443" as some proxies write IPv6
        text = text[1 : text.index("]")]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """The address the trusted proxies saw the request come from (see the module docstring)."""
    cached = getattr(request, "_client_address", None)
    if cached is not None:
        return cached or None
    remote = _valid(request.META.get("REMOTE_ADDR", "") or "")
    count = settings.TRUSTED_PROXY_COUNT
    address = remote
    if count:
        entries = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(entries) >= count:
            address = _valid(entries[-count]) or remote
    request._client_address = address or ""
    return address


def current_client_address() -> str | None:
    """The client address of the request being handled on this thread, if any (for audit entries)."""
    return _current.get()


class ClientAddressMiddleware:
    """Resolves the client address once per request: ``request.client_address`` for views, and the
    default address of every audit entry written while the request runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_address = client_address(request)
        token = _current.set(request.client_address)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
