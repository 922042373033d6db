"""PDF helpers shared by the apps that draw documents with reportlab."""

from __future__ import annotations

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

FONT = "STSong-Light"  # reportlab's built-in CJK CID font: no font file needed


def cjk_font() -> str:
    """The name of the Chinese font, registered on first use."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT
