"""The printable PDF of a certificate (版式文件), with a QR code to the public verify page.

reportlab draws the page with its built-in CJK CID font STSong-Light (no font files needed);
segno makes the QR code, drawn as vector squares from its module matrix.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from zhengwu.certificates.models import Certificate, HolderKind
from zhengwu.core.pdf import cjk_font

QR_ERROR = "m"


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    qr: segno.QRCode
    verify_url: str
    stamp: str  # "" for a certificate in force, else 已注销 / 已过期 printed across the page


def make_qr(verify_url: str) -> segno.QRCode:
    return segno.make(verify_url, error=QR_ERROR, micro=False)


def _draw_qr(pdf: canvas.Canvas, qr: segno.QRCode, x: float, y: float, size: float) -> None:
    matrix = qr.matrix
    count = len(matrix)
    border = 4
    cell = size / (count + 2 * border)
    pdf.setFillColorRGB(1, 1, 1)
    pdf.rect(x, y, size, size, stroke=0, fill=1)
    pdf.setFillColorRGB(0, 0, 0)
    for row_index, row in enumerate(matrix):
        for col_index, dark in enumerate(row):
            if dark:
                pdf.rect(
                    x + (col_index + border) * cell,
                    y + size - (row_index + border + 1) * cell,
                    cell,
                    cell,
                    stroke=0,
                    fill=1,
                )


def _wrap(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]


def render_pdf(certificate: Certificate, *, verify_url: str) -> RenderedPdf:
    """One A4 page: title, 照面信息, holder, issuer, validity, identifier, signature, QR code."""
    font = cjk_font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    kind = certificate.certificate_type
    pdf.setTitle(f"{kind.name} {certificate.identifier}")
    pdf.setAuthor(certificate.issuer.name)
    pdf.setSubject("电子证照")
    width, height = A4
    left = 25 * mm

    pdf.setFont(font, 24)
    pdf.drawCentredString(width / 2, height - 35 * mm, kind.name)
    pdf.setFont(font, 10)
    pdf.drawCentredString(width / 2, height - 43 * mm, f"证照标识：{certificate.identifier}")

    holder_label = "持证人" if certificate.holder_kind == HolderKind.PERSON else "持证单位"
    code_label = "公民身份号码" if certificate.holder_kind == HolderKind.PERSON else "统一社会信用代码"
    rows: list[tuple[str, str]] = [
        (holder_label, certificate.holder_name),
        (code_label, certificate.holder_code),
    ]
    names = kind.item_names()
    rows += [(names.get(code, code), value) for code, value in certificate.data.items()]
    rows += [
        ("颁发机构", certificate.issuer.name),
        ("签发日期", certificate.issued_on.strftime("%Y年%m月%d日")),
        ("有效期至", certificate.valid_until.strftime("%Y年%m月%d日") if certificate.valid_until else "长期"),
    ]
    y = height - 60 * mm
    for label, value in rows:
        lines = _wrap(value, 30)
        if y - len(lines) * 8 * mm < 80 * mm:  # keep clear of the QR block: go on over the page
            pdf.showPage()
            y = height - 30 * mm
        pdf.setFont(font, 12)
        pdf.drawString(left, y, f"{label}：")
        for line in lines:
            pdf.drawString(left + 38 * mm, y, line)
            y -= 8 * mm
        y -= 1 * mm

    qr = make_qr(verify_url)
    qr_size = 42 * mm
    qr_x, qr_y = width - left - qr_size, 38 * mm
    _draw_qr(pdf, qr, qr_x, qr_y, qr_size)
    pdf.linkURL(verify_url, (qr_x, qr_y, qr_x + qr_size, qr_y + qr_size), relative=0)
    pdf.setFont(font, 9)
    pdf.drawString(left, 70 * mm, "扫描右侧二维码或访问下列网址，核验本证照的真实性和状态：")
    for index, line in enumerate(_wrap(verify_url, 60)):
        pdf.drawString(left, (64 - 5 * index) * mm, line)
    pdf.drawString(left, 48 * mm, f"签名算法：SM2（SM3）  签发密钥指纹：{certificate.issuer_key.fingerprint}")
    for index, line in enumerate(_wrap(f"签名值：{certificate.signature}", 70)):
        pdf.drawString(left, (42 - 5 * index) * mm, line)
    pdf.setFont(font, 8)
    pdf.drawString(left, 20 * mm, "本电子证照由颁发机构以 SM2 数字签名签发，与纸质证照具有同等法律效力。")
    stamp = "" if certificate.state_code == "valid" else certificate.state_label
    if stamp:
        pdf.saveState()
        pdf.setFillColorRGB(0.66, 0.08, 0.11)
        pdf.setFont(font, 72)
        pdf.translate(width / 2, height / 2)
        pdf.rotate(30)
        pdf.drawCentredString(0, 0, stamp)
        pdf.restoreState()
    pdf.showPage()
    pdf.save()
    return RenderedPdf(buffer.getvalue(), qr, verify_url, stamp)
