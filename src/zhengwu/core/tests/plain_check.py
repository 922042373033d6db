"""Test helper: a page in normal mode says the official terms, in 长者模式 the plainer words of
core/plain_words.py (and not the official ones)."""

from __future__ import annotations

from django.test import Client

from zhengwu.core.plain_words import PLAIN_WORDS


def pages_in_both_modes(web: Client, url: str) -> tuple[str, str]:
    """(the page in normal mode, the page in elder mode)."""
    web.cookies.pop("zw_elder", None)
    normal = web.get(url)
    web.cookies["zw_elder"] = "1"
    elder = web.get(url)
    web.cookies.pop("zw_elder", None)
    assert normal.status_code == 200 and elder.status_code == 200, url
    return normal.content.decode(), elder.content.decode()


def check_plain(web: Client, url: str, terms: list[str]) -> None:
    """Each official term is on the normal page; on the elder page its plain words are, and the term is not."""
    normal, elder = pages_in_both_modes(web, url)
    for term in terms:
        plain = PLAIN_WORDS[term]
        assert term in normal, f"{url}: {term} missing in normal mode"
        assert plain not in normal, f"{url}: {plain} in normal mode"
        assert plain in elder, f"{url}: {plain} missing in elder mode"
        assert term not in elder, f"{url}: {term} still in elder mode"
