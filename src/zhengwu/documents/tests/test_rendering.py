"""The sealed rendering: GB/T 9704 geometry, extractable CJK text, the seal, its offline check."""

from __future__ import annotations

import base64
import re
import zlib

import pytest
from django.core.management import call_command

from zhengwu.accounts.models import Department, User
from zhengwu.core.crypto import sm3_hex
from zhengwu.documents import pdf, seal, storage
from zhengwu.documents.tests.conftest import issued

pytestmark = pytest.mark.django_db
MM = 72 / 25.4


def _streams(content: bytes) -> list[bytes]:
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\n?endstream", content, re.S):
        data = match.group(1).strip()
        try:
            if data.endswith(b"~>"):  # reportlab's [/ASCII85Decode /FlateDecode]
                data = base64.a85decode(data[:-2].replace(b"\n", b""))
            out.append(zlib.decompress(data))
        except (ValueError, zlib.error):
            out.append(data)
    return out


def _text(content: bytes) -> str:
    """The text drawn with the CID font (UniGB-UCS2-H: UTF-16BE codes), as an extractor reads it."""
    chunks = []
    for stream in _streams(content):
        for literal in re.findall(rb"\((.*?)(?<!\\)\)\s*Tj", stream, re.S):
            raw = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), literal)
            raw = re.sub(rb"\\(.)", rb"\1", raw)
            if len(raw) % 2 == 0:
                chunks.append(raw.decode("utf-16-be", errors="replace"))
    return "\n".join(chunks)


@pytest.fixture
def document(market_clerk: User, market_leader: User, market_dept: Department, police_dept: Department) -> object:
    long_body = "\n".join(f"{i}、" + "各地要结合实际认真组织开展检查工作，确保取得实效。" * 4 for i in range(1, 30))
    return issued(market_clerk, market_leader, market_dept, [police_dept], body=long_body)


def test_geometry_inside_the_type_area(document: object) -> None:
    rendered = pdf.render(document)  # type: ignore[arg-type]
    assert rendered.pages >= 2 and rendered.pages % 2 == 0  # 版记 on an even page
    x0, y0, x1, y1 = pdf.BOX
    assert round((x1 - x0) / MM) == 156 and round((y1 - y0) / MM) == 225
    assert round(x0 / MM) == 28 and round((pdf.PAGE_HEIGHT - y1) / MM) == 37
    assert round(pdf.CHAR * 28 / MM) == 156 and pdf.LINES == 22
    for placed in rendered.placed:
        if placed.role in ("page_number", "seal"):
            continue
        assert x0 - 0.01 <= placed.x0 and placed.x1 <= x1 + 0.01, placed
        assert y0 - 0.01 <= placed.y0 and placed.y1 <= y1 + 0.01, placed
    numbers = [p for p in rendered.placed if p.role == "page_number"]
    assert [p.text for p in numbers] == [f"— {n} —" for n in range(1, rendered.pages + 1)]
    assert all(p.y1 < y0 for p in numbers)
    odd, even = numbers[0], numbers[1]
    assert odd.x1 > (x0 + x1) / 2 > even.x0  # right on odd pages, left on even pages
    mark = next(p for p in rendered.placed if p.role == "mark")
    assert abs((y1 - mark.y1) / MM - 35) < 1
    rule = next(p for p in rendered.placed if p.role == "rule")
    assert rule.x0 == x0 and rule.x1 == x1
    colophon = [p for p in rendered.placed if p.role == "colophon"]
    assert colophon and all(p.page == rendered.pages for p in colophon)
    body_lines = [p for p in rendered.placed if p.role == "text" and p.page == 2]
    assert len({round(p.y0) for p in body_lines}) <= 22
    assert max(len(p.text) for p in body_lines) <= 28


def test_cjk_text_extractable(document: object) -> None:
    content = storage.read(document.file_path)  # type: ignore[attr-defined]
    assert b"UniGB-UCS2-H" in content and b"STSong-Light" in content
    text = _text(content)
    assert "吉市监发〔2026〕1号" in text
    assert "吉林省市场监督管理厅文件" in text
    assert "2026年3月2日" in text and "— 1 —" in text
    assert "抄送：" in text


def test_seal_verifies_and_one_changed_byte_fails(document: object) -> None:
    content = storage.read(document.file_path)  # type: ignore[attr-defined]
    seal_bytes = storage.read(document.seal_path)  # type: ignore[attr-defined]
    verdict = seal.verify(content, seal_bytes)
    assert verdict.valid, verdict.reason
    assert verdict.seal["digest"] == sm3_hex(content)
    assert verdict.seal["credit_code"] == "11220000013544357T"
    assert seal.key_is_published(verdict.seal)
    for position in (0, len(content) // 2, len(content) - 1):
        tampered = bytearray(content)
        tampered[position] ^= 0x01
        assert not seal.verify(bytes(tampered), seal_bytes).valid
    forged = seal_bytes.replace(b'"number": "', b'"number": "X')
    assert not seal.verify(content, forged).valid


def test_verify_command_exit_codes(document: object, tmp_path: object) -> None:
    path = storage.full_path(document.file_path)  # type: ignore[attr-defined]
    call_command("documents", "verify", str(path))  # exit 0: no SystemExit
    tampered = path.with_name("tampered.pdf")
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF
    tampered.write_bytes(bytes(data))
    with pytest.raises(SystemExit) as exit_info:
        call_command("documents", "verify", str(tampered), "--seal", str(path) + ".seal.json")
    assert exit_info.value.code == 1
