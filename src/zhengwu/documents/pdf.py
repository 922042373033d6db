"""The printed form of an official document: a PDF laid out by GB/T 9704-2012.

- A4 (210 mm × 297 mm); 版心 156 mm × 225 mm, 天头 37 mm, 订口 28 mm (so the 版心 spans x 28–184 mm
  and, from the top, 37–262 mm);
- 22 lines of 28 characters: the 正文 font is sized so that 28 full-width characters fill 156 mm and
  the line pitch is 225 mm / 22;
- 版头: 份号, 密级和保密期限, 紧急程度 on the first lines; the red 发文机关标志 with its upper edge 35 mm
  below the 版心's; 发文字号 two lines below it (on 上行文 at the left with 签发人 at the right); the red
  separator line 4 mm below the 发文字号, as wide as the 版心;
- 主体: 标题 (larger), 主送机关, 正文 (paragraphs indented two characters), 附件说明, 发文机关署名 and
  成文日期 (Arabic numerals, right-indented four characters) with the red seal over them, 附注;
- 版记 at the foot of the last page, which is made an even page (抄送机关, 印发机关和印发日期 between
  separator lines);
- page numbers `— 1 —` 7 mm below the 版心, at the right on odd pages and the left on even pages.

reportlab draws everything with its built-in CJK CID font STSong-Light (a 宋体; no 仿宋 font is
built in and the platform ships no font files), so the text stays extractable (UniGB-UCS2-H).
`render` also returns where every line of text was put, which the tests check against the 版心.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from zhengwu.documents.models import Direction, Document

FONT = "STSong-Light"
RED = (0.86, 0.08, 0.12)
PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT = 28 * mm
TOP = 37 * mm
BOX_WIDTH = 156 * mm
BOX_HEIGHT = 225 * mm
BOX = (LEFT, PAGE_HEIGHT - TOP - BOX_HEIGHT, LEFT + BOX_WIDTH, PAGE_HEIGHT - TOP)  # x0, y0, x1, y1
LINES = 22
CHARS = 28
PITCH = BOX_HEIGHT / LINES
CHAR = BOX_WIDTH / CHARS  # one full-width character of the 正文 (≈ 15.8 pt, 三号)
TITLE_SIZE = 22.0  # 二号
SMALL = 14.0  # 四号: 版记 and page numbers
SEAL_RADIUS = 21 * mm


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def width_of(text: str, size: float = CHAR) -> float:
    return float(pdfmetrics.stringWidth(text, _font(), size))


def wrap(text: str, width: float, size: float = CHAR, indent: str = "") -> list[str]:
    """Lines of `text` no wider than `width` (a paragraph's first line starts with `indent`)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        paragraph = paragraph.strip()
        current = indent if paragraph else ""
        for char in paragraph:
            if width_of(current + char, size) > width + 0.01:
                lines.append(current)
                current = ""
            current += char
        lines.append(current)
    return lines


def chinese_date(value: object) -> str:
    """成文日期 in Arabic numerals without leading zeros: 2026年12月6日."""
    return f"{value.year}年{value.month}月{value.day}日"  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Placed:
    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    role: str = "text"


@dataclass
class RenderedDocument:
    content: bytes
    pages: int
    placed: list[Placed] = field(default_factory=list)


class _Writer:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.buffer = io.BytesIO()
        self.pdf = canvas.Canvas(self.buffer, pagesize=A4, pageCompression=1)
        self.pdf.setTitle(document.title)
        self.pdf.setAuthor(document.department.name)
        self.pdf.setSubject(document.number or "公文")
        self.page = 1
        self.line = 0
        self.placed: list[Placed] = []
        self.font = _font()

    # --- drawing -----------------------------------------------------------------------

    def text(self, text: str, x: float, baseline: float, size: float, role: str = "text", red: bool = False) -> None:
        if not text:
            return
        self.pdf.setFont(self.font, size)
        if red:
            self.pdf.setFillColorRGB(*RED)
        self.pdf.drawString(x, baseline, text)
        if red:
            self.pdf.setFillColorRGB(0, 0, 0)
        width = width_of(text, size)
        self.placed.append(Placed(self.page, text, x, baseline - 0.12 * size, x + width, baseline + 0.88 * size, role))

    def baseline(self, line: int) -> float:
        """The baseline of grid line `line` (0–21): the glyphs sit centred in the line."""
        top = BOX[3] - line * PITCH
        return top - (PITCH - CHAR) / 2 - 0.88 * CHAR

    def new_page(self) -> None:
        self.page_number()
        self.pdf.showPage()
        self.page += 1
        self.line = 0

    def need(self, lines: int) -> None:
        if self.line + lines > LINES:
            self.new_page()

    def put(self, text: str, *, align: str = "left", indent: float = 0, right: float = 0, size: float = CHAR) -> float:
        """Write one grid line; returns its baseline."""
        self.need(1)
        baseline = self.baseline(self.line)
        width = width_of(text, size)
        if align == "center":
            x = BOX[0] + (BOX_WIDTH - width) / 2
        elif align == "right":
            x = BOX[2] - right - width
        else:
            x = BOX[0] + indent
        self.text(text, x, baseline, size)
        self.line += 1
        return baseline

    def page_number(self) -> None:
        label = f"— {self.page} —"
        baseline = BOX[1] - 7 * mm - 0.88 * SMALL
        width = width_of(label, SMALL)
        x = BOX[2] - CHAR - width if self.page % 2 else BOX[0] + CHAR
        self.text(label, x, baseline, SMALL, role="page_number")

    # --- parts -------------------------------------------------------------------------

    def head(self) -> None:
        d = self.document
        if d.copy_number:
            self.put(d.copy_number)
        if d.secrecy:
            self.put(f"{d.get_secrecy_display()}★{d.secrecy_period}" if d.secrecy_period else d.get_secrecy_display())
        if d.urgency:
            self.put(d.get_urgency_display())
        mark = d.agency_mark or f"{d.department.name}文件"
        mark_top = BOX[3] - 35 * mm
        agencies = self.agencies()
        if len(agencies) > 1 and mark == f"{d.department.name}文件":
            mark_baseline, size = self.joint_mark(agencies, mark_top)
        else:
            size = min(22 * mm, BOX_WIDTH / max(len(mark), 1))
            mark_baseline = mark_top - 0.88 * size
            self.text(mark, BOX[0] + (BOX_WIDTH - width_of(mark, size)) / 2, mark_baseline, size, "mark", red=True)
        # 发文字号 below the mark, a blank line between (空二行 counted from the mark's lower edge)
        self.line = max(self.line, math.ceil((BOX[3] - (mark_baseline - 0.12 * size)) / PITCH) + 2)
        number = d.number or f"{d.prefix}〔　〕号"
        baseline = self.baseline(self.line)
        if d.direction == Direction.UP:
            self.text(number, BOX[0] + CHAR, baseline, CHAR)
            signer = f"签发人：{d.signer_name}"
            self.text(signer, BOX[2] - CHAR - width_of(signer), baseline, CHAR)
        else:
            self.text(number, BOX[0] + (BOX_WIDTH - width_of(number)) / 2, baseline, CHAR)
        rule_y = baseline - 0.12 * CHAR - 4 * mm
        self.pdf.setStrokeColorRGB(*RED)
        self.pdf.setLineWidth(0.35 * mm * 2)
        self.pdf.line(BOX[0], rule_y, BOX[2], rule_y)
        self.pdf.setStrokeColorRGB(0, 0, 0)
        self.placed.append(Placed(self.page, "", BOX[0], rule_y, BOX[2], rule_y, "rule"))
        self.line += 3  # the rule, then 空二行 before the title

    def agencies(self) -> list[str]:
        """The issuing agencies, the lead first (more than one on a joint document, 联合行文)."""
        d = self.document
        if d.pk is None:
            return [d.department.name]
        return [d.department.name, *(j.department.name for j in d.joint_issuers.select_related("department"))]

    def joint_mark(self, agencies: list[str], top: float) -> tuple[float, float]:
        """联合行文's 发文机关标志: the agencies' names one above another, the lead first, and 文件
        to their right, centred on them (GB/T 9704 7.2.2). Returns the last baseline and the size."""
        size = min(15 * mm, BOX_WIDTH * 0.78 / max(len(name) for name in agencies))
        column = max(width_of(name, size) for name in agencies)
        word = width_of("文件", size)
        x0 = BOX[0] + (BOX_WIDTH - column - size - word) / 2
        baselines = [top - 0.88 * size - index * 1.25 * size for index in range(len(agencies))]
        for name, baseline in zip(agencies, baselines, strict=True):
            self.text(name, x0 + (column - width_of(name, size)) / 2, baseline, size, "mark", red=True)
        middle = (baselines[0] + baselines[-1]) / 2
        self.text("文件", x0 + column + size, middle, size, "mark", red=True)
        return baselines[-1], size

    def body(self) -> None:
        d = self.document
        for line in wrap(d.title, BOX_WIDTH, TITLE_SIZE):
            self.put(line, align="center", size=TITLE_SIZE)
        self.line += 1
        if d.main_to:
            for line in wrap(f"{d.main_to}：", BOX_WIDTH):
                self.put(line)
        for line in wrap(d.body, BOX_WIDTH, indent="　　"):
            self.put(line)
        if d.attachment_note:
            self.line += 1
            notes = d.attachment_note.splitlines()
            for index, note in enumerate(notes):
                label = ("附件：" if index == 0 else "　　　") + note.strip()
                for line in wrap(label, BOX_WIDTH - 2 * CHAR):
                    self.put(line, indent=2 * CHAR)

    def signature(self) -> None:
        agencies = self.agencies()
        if len(agencies) > 1:
            self.joint_signature([self.document.signature_name or agencies[0], *agencies[1:]])
            return
        d = self.document
        self.need(5)
        self.line += 2
        date_text = chinese_date(d.written_on) if d.written_on else ""
        date_width = width_of(date_text)
        date_x = BOX[2] - 4 * CHAR - date_width
        date_center = date_x + date_width / 2
        name = d.signature_name or d.department.name
        name_baseline = self.baseline(self.line)
        self.text(name, date_center - width_of(name) / 2, name_baseline, CHAR)
        self.line += 1
        date_baseline = self.baseline(self.line)
        self.text(date_text, date_x, date_baseline, CHAR)
        self.line += 1
        draw_seal(self.pdf, date_center, (name_baseline + date_baseline) / 2 + 3 * mm, d.department.name)
        self.placed.append(
            Placed(self.page, "seal", date_center - SEAL_RADIUS, 0, date_center + SEAL_RADIUS, 0, "seal")
        )
        if d.remark:
            self.line += 1
            for line in wrap(f"（{d.remark}）", BOX_WIDTH - 2 * CHAR):
                self.put(line, indent=2 * CHAR)

    def joint_signature(self, names: list[str]) -> None:
        """联合行文: the agencies' names in rows of up to three, in order, each with its seal pressed on
        it; the last name has the date below and its seal over both (GB/T 9704 7.3.5.1)."""
        d = self.document
        date_text = chinese_date(d.written_on) if d.written_on else ""
        step = 2 * SEAL_RADIUS + 6 * mm  # seals side by side, neither touching nor overlapping
        last_center = BOX[2] - 4 * CHAR - width_of(date_text) / 2
        rows = [names[i : i + 3] for i in range(0, len(names), 3)]
        seal_names = self.agencies()  # a seal bears the agency's own name, whatever the 署名 says
        self.line += 2
        for number, row in enumerate(rows):
            last_row = number == len(rows) - 1
            self.need(6 if last_row else 5)
            name_baseline = date_baseline = self.baseline(self.line)
            centers = [last_center - (len(row) - 1 - i) * step for i in range(len(row))]
            for name, center in zip(row, centers, strict=True):
                self.text(name, center - width_of(name) / 2, name_baseline, CHAR)
            if last_row:
                self.line += 1
                date_baseline = self.baseline(self.line)
                self.text(date_text, last_center - width_of(date_text) / 2, date_baseline, CHAR)
            for index, center in enumerate(centers):
                under_date = last_row and index == len(row) - 1
                cy = (name_baseline + date_baseline) / 2 + 3 * mm if under_date else name_baseline + 0.3 * CHAR
                draw_seal(self.pdf, center, cy, seal_names[number * 3 + index])
                self.placed.append(Placed(self.page, "seal", center - SEAL_RADIUS, 0, center + SEAL_RADIUS, 0, "seal"))
            self.line += 4 if not last_row else 1
        if d.remark:
            self.line += 1
            for line in wrap(f"（{d.remark}）", BOX_WIDTH - 2 * CHAR):
                self.put(line, indent=2 * CHAR)

    def colophon(self) -> None:
        """版记 at the foot of the last page, an even page."""
        d = self.document
        rows = []
        if d.copy_to:
            rows += wrap(f"抄送：{d.copy_to}。", BOX_WIDTH - 2 * CHAR, SMALL)
        printed = f"{chinese_date(d.printed_on)}印发" if d.printed_on else ""
        needed = len(rows) + 1
        if self.line + needed + 1 > LINES or self.page % 2 == 1:
            self.new_page()
            while self.page % 2 == 1:
                self.new_page()
        line_height = PITCH
        y = BOX[1]  # the bottom line of the 版心
        self.pdf.setLineWidth(0.35 * mm)
        self.pdf.line(BOX[0], y, BOX[2], y)
        baseline = y + (line_height - SMALL) / 2 + 0.12 * SMALL
        self.text(d.printer_name or d.department.name, BOX[0] + SMALL, baseline, SMALL, "colophon")
        self.text(printed, BOX[2] - SMALL - width_of(printed, SMALL), baseline, SMALL, "colophon")
        y += line_height
        self.pdf.setLineWidth(0.25 * mm)
        self.pdf.line(BOX[0], y, BOX[2], y)
        for row in reversed(rows):
            baseline = y + (line_height - SMALL) / 2 + 0.12 * SMALL
            self.text(row, BOX[0] + SMALL, baseline, SMALL, "colophon")
            y += line_height
        self.pdf.setLineWidth(0.35 * mm)
        self.pdf.line(BOX[0], y, BOX[2], y)

    def finish(self) -> RenderedDocument:
        self.page_number()
        self.pdf.showPage()
        self.pdf.save()
        return RenderedDocument(self.buffer.getvalue(), self.page, self.placed)


def draw_seal(pdf: canvas.Canvas, cx: float, cy: float, name: str) -> None:
    """A red round seal: the department's name along the upper arc, a five-pointed star in the middle."""
    font = _font()
    pdf.saveState()
    pdf.setStrokeColorRGB(*RED)
    pdf.setFillColorRGB(*RED)
    pdf.setStrokeAlpha(0.85)
    pdf.setFillAlpha(0.85)
    pdf.setLineWidth(1.2 * mm)
    pdf.circle(cx, cy, SEAL_RADIUS - 0.6 * mm, stroke=1, fill=0)
    star = 7 * mm
    points = []
    for i in range(10):
        radius = star if i % 2 == 0 else star * 0.382
        angle = math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    path = pdf.beginPath()
    path.moveTo(*points[0])
    for point in points[1:]:
        path.lineTo(*point)
    path.close()
    pdf.drawPath(path, stroke=0, fill=1)
    size = 5.2 * mm if len(name) <= 12 else 4.2 * mm
    span = min(250.0, 17.0 * len(name))  # degrees the name covers along the arc
    text_radius = SEAL_RADIUS - 2.4 * mm - size
    pdf.setFont(font, size)
    for index, char in enumerate(name):
        angle = 90 + span / 2 - (span * (index + 0.5) / len(name))
        rad = math.radians(angle)
        pdf.saveState()
        pdf.translate(cx + text_radius * math.cos(rad), cy + text_radius * math.sin(rad))
        pdf.rotate(angle - 90)
        pdf.drawCentredString(0, 0, char)
        pdf.restoreState()
    pdf.restoreState()


def render(document: Document) -> RenderedDocument:
    writer = _Writer(document)
    writer.head()
    writer.body()
    writer.signature()
    writer.colophon()
    return writer.finish()
