"""Shared set-up for browser tests: Playwright driving Debian's chromium (no browser download)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return os.environ.get("ZHENGWU_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


# A browser test module's marks (`pytestmark = BROWSER_TEST`): left out of the PostgreSQL run
# (`-m "not browser"`), a live server's database, skipped where chromium is missing.
BROWSER_TEST = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed (.ci/run installs it)"),
]


class ContentSecurityPolicyViolation(AssertionError):
    """A page broke the site's Content-Security-Policy (an inline script or style, a foreign source)."""


@contextmanager
def browser_page(*, inject_scripts: bool = False) -> Iterator[Any]:
    """A fresh page in headless chromium. The ORM may be used from the test meanwhile.

    Every Content-Security-Policy violation chromium reports on any page the test visits fails the
    test when the page closes (chromium logs each one to the console, across navigations).
    `inject_scripts`: the test adds a script of its own to the pages (axe-core, which Playwright
    injects inline): the browser lets it past the policy, and the policy is not checked there —
    the journey tests check it on the same pages."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are sync.
    # Set only for the browser's lifetime: subprocesses started later must not inherit it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(locale="zh-CN", bypass_csp=inject_scripts)
                page.set_default_timeout(15_000)
                _content_once_loaded(page)
                violations: list[str] = []
                page.on(
                    "console",
                    lambda message: (
                        violations.append(f"{page.url}: {message.text}")
                        if "Content Security Policy" in message.text
                        else None
                    ),
                )
                yield page
                if violations:
                    raise ContentSecurityPolicyViolation("\n".join(violations))
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _content_once_loaded(page: Any) -> None:
    """Make `page.content()` wait for the page in hand to finish loading.

    A click that submits a form or follows a link returns once the next page has *started*
    loading; read at that moment, `content()` can give the new document still empty (seen in CI:
    a 390 px journey read '' right after following a link). Every journey test reads the page
    that way, so the wait is made here, once."""
    read = page.content

    def content() -> str:
        page.wait_for_load_state("load")
        return str(read())

    page.content = content


def sign_in(page: Any, base_url: str, client: Any) -> None:
    """Give the browser the session of a logged-in Django test `client` (e.g. `conftest.staff_client(user)`,
    which has already passed the second factor), so a journey test starts where the user would be
    after logging in. The login page itself is driven end to end by portal/tests/test_browser_login.py."""
    page.context.clear_cookies()
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": base_url}])


def follow(page: Any, link: Any) -> None:
    """Click `link` and wait for the page it opens to finish loading. A bare `click()` returns once
    the navigation commits, while the new document may still be parsing: a check that does not wait
    (`is_visible()`, `count()`) right after it can look at half a page, which failed CI once."""
    with page.expect_navigation():
        link.click()


# What a focused element is called: its text, its label (aria-label, or the <label> that names it).
_FOCUSED_NAME = """() => {
  const e = document.activeElement;
  const label = e.labels && e.labels.length ? e.labels[0].innerText : "";
  return (e.getAttribute("aria-label") || label || e.innerText || e.value || "").trim();
}"""
# A date input's parts (year, month, day, the picker button) are focused inside it and drawn by
# the browser itself, which highlights the part in focus.
_FOCUS_SHOWN = """() => {
  if (document.activeElement.type === "date") return true;
  const s = getComputedStyle(document.activeElement);
  return s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0 || s.boxShadow !== "none";
}"""


def tab_to(page: Any, name: str, *, limit: int = 80) -> None:
    """Press Tab, as a keyboard-only visitor would, until the element named `name` (its text or its
    label, from the start) has the focus; every stop on the way must show where the focus is
    (docs/rules.md §9a). Fails naming the stops passed when `name` is not reached in `limit` presses."""
    passed: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = str(page.evaluate(_FOCUSED_NAME))
        if page.evaluate("document.activeElement !== document.body"):
            assert page.evaluate(_FOCUS_SHOWN), f"the focus on {focused!r} is not visible ({page.url})"
        if focused.startswith(name):
            return
        passed.append(focused[:20])
    raise AssertionError(f"{name!r} is not reached by Tab on {page.url}; passed: {passed}")


def press_and_wait(page: Any, key: str = "Enter") -> None:
    """Press `key` and wait for the page it leads to (a link followed or a form sent)."""
    with page.expect_navigation():
        page.keyboard.press(key)


def type_into(page: Any, label: str, text: str) -> None:
    """Tab to the field labelled `label` and type `text` into it."""
    tab_to(page, label)
    page.keyboard.type(text)


def choose_file(page: Any, label: str, path: Any) -> None:
    """Tab to the file input labelled `label` and choose `path` from the dialog Space opens."""
    tab_to(page, label)
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(path))


_LINES = """els => els.map(e => {
  const range = document.createRange();
  range.selectNodeContents(e);
  const tops = [...range.getClientRects()].filter(r => r.width > 0).map(r => r.top).sort((a, b) => a - b);
  const lines = tops.filter((top, i) => i === 0 || top - tops[i - 1] > 4).length;
  return [e.textContent.trim(), lines];
})"""


def wrapped(page: Any, selector: str) -> list[str]:
    """The texts of the elements matching `selector` that the browser broke over more than one line
    (a date, a 文号 or a button's word cut in two; docs/design.md "页面结构")."""
    return [text for text, lines in page.eval_on_selector_all(selector, _LINES) if lines > 1]
