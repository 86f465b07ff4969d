"""What browser tests share: signing in through the real form in a context of their own."""

from __future__ import annotations

from django.conf import settings
from playwright.sync_api import expect

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 740}


def sign_in(browser, live_server, user, password, *, viewport=DESKTOP, english=False, phone=False):
    """A new browser context (Chinese locale, Shanghai time) signed in as ``user`` on the dashboard;
    ``english`` sets the language switcher's cookie, ``phone`` emulates a touch phone.
    Returns ``(context, page)``; downloads are accepted."""
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport=viewport,
        is_mobile=phone,
        has_touch=phone,
        accept_downloads=True,
    )
    if english:
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.police_number)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/dashboard/")
    return context, page


# What a headed browser does to a page when its tab is switched away and back, which headless
# Chromium never does (see tests/browser/test_exam_page_signals.py): for ``page.evaluate``.
HIDE_TAB = """() => {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
  Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
  document.dispatchEvent(new Event("visibilitychange"));
}"""
SHOW_TAB = """() => {
  delete document.visibilityState;
  delete document.hidden;
  document.dispatchEvent(new Event("visibilitychange"));
}"""
