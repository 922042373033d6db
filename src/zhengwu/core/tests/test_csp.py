"""The Content-Security-Policy: on every page, with no inline script or style allowed (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2]


def test_pages_carry_a_policy_without_inline_code() -> None:
    policy = Client().get("/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_error_pages_carry_it_too() -> None:
    assert "Content-Security-Policy" in Client().get("/no-such-page/").headers


def test_no_template_holds_inline_script_style_or_javascript_urls() -> None:
    offenders = []
    for template in SRC.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for needle in ("<script>", 'style="', "<style", "javascript:", " onclick=", " onload=", " onchange="):
            if needle in text:
                offenders.append(f"{template.relative_to(SRC)}: {needle}")
    assert offenders == []
