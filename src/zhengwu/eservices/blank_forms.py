"""空白表格 and 示例样表 drawn from an item's own application form (docs/rules.md §5: each material
names its blank form and sample): a one- or two-page A4 PDF with the item, the material, the
department, and one line per form field (its name, whether it is required, what it takes), empty
on the blank form and filled with example values on the sample. The demo attaches these instead
of a placeholder, and a department may download one as a start for its own.
"""

from __future__ import annotations

from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from zhengwu.core.pdf import cjk_font
from zhengwu.eservices.models import FormField, ItemMaterial

TYPE_HINTS = {
    "string": "文字",
    "text": "文字",
    "integer": "整数",
    "decimal": "数字",
    "date": "日期（年-月-日）",
    "datetime": "日期时间",
    "boolean": "是/否",
    "enum": "选其一",
    "resident_id": "18 位公民身份号码",
    "credit_code": "18 位统一社会信用代码",
}
SAMPLES = {
    "date": "2026-12-07",
    "datetime": "2026-12-07 09:30",
    "integer": "100",
    "decimal": "1200.5",
    "boolean": "是",
    "resident_id": "11010519491231002X",
    "credit_code": "91110000600037341L",
}


def _hint(field: FormField) -> str:
    hint = TYPE_HINTS.get(field.data_type, "文字")
    if field.enum_values:
        hint = "选其一：" + "、".join(str(v) for v in field.enum_values)
    if field.max_length:
        hint += f"，最多 {field.max_length} 字"
    return hint


def _sample(field: FormField) -> str:
    if field.enum_values:
        return str(field.enum_values[0])
    return SAMPLES.get(field.data_type, f"（示例）{field.label}")


def form_pdf(material: ItemMaterial, *, sample: bool = False) -> bytes:
    """The blank form (or, with `sample`, the filled-in sample) of `material`'s item."""
    item = material.item
    font = cjk_font()
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    kind = "示例样表" if sample else "空白表格"
    pdf.setTitle(f"{item.name}-{material.name}-{kind}")
    width, height = A4
    left, right = 20 * mm, width - 20 * mm

    def heading() -> float:
        pdf.setFont(font, 16)
        pdf.drawCentredString(width / 2, height - 25 * mm, f"{item.name}申请表")
        pdf.setFont(font, 10)
        pdf.drawCentredString(width / 2, height - 32 * mm, f"（{material.name} · {kind}）")
        pdf.drawString(left, height - 42 * mm, f"受理部门：{item.department.name}    事项编码：{item.impl_code}")
        return height - 52 * mm

    y = heading()
    fields = list(item.fields.order_by("position"))
    for field in fields:
        if y < 40 * mm:
            pdf.showPage()
            y = heading()
        pdf.setFont(font, 11)
        pdf.drawString(left, y, f"{field.label}{'（必填）' if field.required else ''}")
        pdf.setFont(font, 8)
        pdf.drawString(left, y - 5 * mm, _hint(field))
        pdf.line(left + 60 * mm, y - 6 * mm, right, y - 6 * mm)
        if sample:
            pdf.setFont(font, 11)
            pdf.drawString(left + 62 * mm, y - 4 * mm, _sample(field))
        y -= 16 * mm
    if not fields:
        pdf.setFont(font, 11)
        pdf.drawString(left, y, "本事项无须填写申请表字段，请按办事指南提交材料。")
        y -= 16 * mm
    pdf.setFont(font, 11)
    pdf.drawString(left, max(y, 30 * mm), "申请人（签字或盖章）：____________    日期：____年__月__日")
    pdf.setFont(font, 8)
    pdf.drawString(left, 15 * mm, "本表由政务服务平台根据办事指南生成；网上申请无须打印，在线填写即可。")
    pdf.save()
    return buffer.getvalue()
