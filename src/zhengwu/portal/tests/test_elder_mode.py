"""长者模式 on the main journeys (home, service search, service guide, application form, letter
form), in a real browser at a phone and a desktop size: body text at least 20 px, every target at
least 48 × 48 px, one column, and the plainer words of the menu."""

from __future__ import annotations

from io import StringIO
from typing import Any

from django.core.management import call_command

from zhengwu.accounts.models import User
from zhengwu.browser import BROWSER_TEST, browser_page, sign_in
from zhengwu.conftest import person_client
from zhengwu.portal import feeds

pytestmark = BROWSER_TEST

MIN_TEXT_PX = 20
MIN_TARGET_PX = 48

# Visible text and targets of the page (the header, main and footer), measured as laid out.
TEXT = (
    "main p, main li, main td, main dd, main dt, main label, main legend, main input, main select,"
    " main textarea, main button, .main-nav a"
)
TARGETS = (
    "a, button, summary, select, textarea,"
    " input:not([type=hidden]):not([type=radio]):not([type=checkbox]),"
    " label:has(> input[type=radio]), label:has(> input[type=checkbox])"
)
MEASURE = """([TEXT, TARGETS]) => {
  const visible = e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
    return r.width > 1 && r.height > 1 && s.visibility !== 'hidden'
      && !e.closest('details:not([open]) > :not(summary)')
      && !e.closest('.visually-hidden') && !e.classList.contains('skip-link'); };
  const name = e => e.tagName + ' ' + (e.textContent || e.value || e.name || '').trim().slice(0, 20);
  const text = [...document.querySelectorAll(TEXT)].filter(visible).filter(e => !e.closest('.tag, .light'))
    .map(e => ({what: name(e), px: parseFloat(getComputedStyle(e).fontSize)}));
  const targets = [...document.querySelectorAll(TARGETS)].filter(visible).map(e => {
    const r = e.getBoundingClientRect(); return {what: name(e), w: Math.round(r.width), h: Math.round(r.height)}; });
  const lefts = [...document.querySelectorAll('.cards > *, .sections > *')].filter(visible)
    .map(e => Math.round(e.getBoundingClientRect().left));
  return {body: parseFloat(getComputedStyle(document.body).fontSize), text, targets, cards: [...new Set(lefts)]};
}"""


def journey_pages() -> list[str]:
    """The five pages of the service and letter journeys, from the demo's content."""
    guide = next(hit.url for hit in feeds.services(limit=20))
    return ["/", "/services/", guide, guide + "apply/", "/participation/letters/write/"]


def test_elder_mode_sizes_hold_on_the_main_journeys(live_server: Any) -> None:
    call_command("demo", enterprises=0, stdout=StringIO())
    citizen = User.objects.get(username="citizen01")
    problems: list[str] = []
    with browser_page() as page:
        sign_in(page, live_server.url, person_client(citizen))
        page.context.add_cookies([{"name": "zw_elder", "value": "1", "url": live_server.url}])
        for width, height in ((390, 844), (1366, 900)):
            page.set_viewport_size({"width": width, "height": height})
            for path in journey_pages():
                response = page.goto(f"{live_server.url}{path}")
                assert response is not None and response.status == 200, path
                where = f"{width}px {path}"
                found = page.evaluate(MEASURE, [TEXT, TARGETS])
                if found["body"] < MIN_TEXT_PX:
                    problems.append(f"{where}: body text {found['body']} px")
                problems += [
                    f"{where}: text {t['what']!r} {t['px']} px" for t in found["text"] if t["px"] < MIN_TEXT_PX
                ]
                problems += [
                    f"{where}: target {t['what']!r} {t['w']}×{t['h']}"
                    for t in found["targets"]
                    if t["w"] < MIN_TARGET_PX or t["h"] < MIN_TARGET_PX
                ]
                if len(found["cards"]) > 1:
                    problems.append(f"{where}: {len(found['cards'])} columns of cards/sections")
                nav = page.locator(".main-nav").text_content() or ""
                assert "写信反映" in nav and "上网办事" in nav, (
                    where
                )  # the plainer words of the menu (core/plain_words.py)
    assert not problems, "\n".join(problems[:40])


def test_the_measure_can_fail(live_server: Any) -> None:
    """Without 长者模式 the same page has 16 px text and links lower than 48 px (the test above can fail)."""
    with browser_page() as page:
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(f"{live_server.url}/")
        found = page.evaluate(MEASURE, [TEXT, TARGETS])
    assert found["body"] < MIN_TEXT_PX
    assert any(t["h"] < MIN_TARGET_PX for t in found["targets"])
