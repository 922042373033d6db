"""Date pickers carry ISO values; reasons set inside a sentence do not double its full stop."""

from __future__ import annotations

from datetime import date

from django.test import override_settings
from django.utils import translation

from zhengwu.core.errors import clause
from zhengwu.core.forms import DateInput
from zhengwu.exchange.sharing.workbench_views import ShareRequestForm


@override_settings(LANGUAGE_CODE="zh-hans")
def test_the_share_request_date_inputs_render_iso_values() -> None:
    with translation.override("zh-hans"):
        form = ShareRequestForm(initial={"period_start": date(2026, 12, 7), "period_end": date(2027, 12, 6)})
        html = str(form["period_start"]) + str(form["period_end"])
    assert 'type="date"' in html and 'value="2026-12-07"' in html and 'value="2027-12-06"' in html
    assert "2026/12/07" not in html
    assert DateInput().format_value(date(2026, 1, 2)) == "2026-01-02"


def test_clause_drops_the_closing_punctuation() -> None:
    assert f"不予许可：{clause('材料不全。')}。" == "不予许可：材料不全。"
    assert clause("请写明批次；") == "请写明批次" and clause("") == ""
