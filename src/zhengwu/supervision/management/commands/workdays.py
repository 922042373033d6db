"""`zhengwu workdays load FILE.csv` and `zhengwu workdays show YEAR`.

The CSV has the columns `date,is_workday,reason` (a header row with these names), e.g.::

    date,is_workday,reason
    2027-02-06,否,2027年春节假期
    2027-02-14,是,春节调休上班

`is_workday` accepts 是/否, 上班/休息, 班/休, 1/0, true/false, yes/no. The file is read as UTF-8
(with or without BOM) or, failing that, GB18030 (Excel on Chinese Windows). Every row is checked
before anything is written; one bad row rejects the whole file, with its line number.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError

TRUE_WORDS = {"是", "上班", "班", "工作日", "1", "true", "t", "yes", "y"}
FALSE_WORDS = {"否", "休息", "休", "休息日", "节假日", "0", "false", "f", "no", "n"}
COLUMNS = ("date", "is_workday", "reason")


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError:
            raise CommandError("文件编码无法识别，请保存为 UTF-8 或 GBK 编码的 CSV。") from None


def parse_rows(text: str) -> tuple[list[tuple[date, bool, str]], list[str]]:
    """The rows of the CSV `text` and the Chinese errors found, each naming its line."""
    reader = csv.reader(io.StringIO(text))
    rows: list[tuple[date, bool, str]] = []
    errors: list[str] = []
    header = next(reader, None)
    if header is None:
        return rows, ["文件为空。"]
    names = [name.strip().lower() for name in header]
    if tuple(names[:3]) != COLUMNS:
        return rows, [f"第 1 行：表头应为 {','.join(COLUMNS)}，实际为 {','.join(header)}。"]
    seen: dict[date, int] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 3:
            errors.append(f"第 {line} 行：应有 3 列（日期、是否工作日、原因），实际 {len(row)} 列。")
            continue
        day_text, working_text, reason = (cell.strip() for cell in row[:3])
        problems: list[str] = []
        try:
            day: date | None = date.fromisoformat(day_text)
        except ValueError:
            day = None
            problems.append(f"日期“{day_text}”格式不正确，应为 YYYY-MM-DD")
        word = working_text.lower()
        working = word in TRUE_WORDS
        if not working and word not in FALSE_WORDS:
            problems.append(f"是否工作日“{working_text}”无法识别，应为 是 或 否")
        if not reason:
            problems.append("缺少原因")
        if day is not None and day in seen:
            problems.append(f"日期 {day.isoformat()} 与第 {seen[day]} 行重复")
        if problems:
            errors.append(f"第 {line} 行：" + "；".join(problems) + "。")
        elif day is not None:
            seen[day] = line
            rows.append((day, working, reason))
    if not rows and not errors:
        errors.append("文件中没有数据行。")
    return rows, errors


class Command(BaseCommand):
    help = "工作日日历：导入节假日安排（load FILE.csv）或查看某年的安排（show YEAR）。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        load = actions.add_parser("load", help="导入 CSV（列：date,is_workday,reason），全部校验通过才写入")
        load.add_argument("file", type=Path)
        load.add_argument("--actor", help="以该系统管理员的用户名记入审计日志（缺省为平台自身）")
        show = actions.add_parser("show", help="列出某年的节假日与调休上班日及其来源")
        show.add_argument("year", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            self._load(options["file"], options.get("actor"))
        else:
            self._show(options["year"])

    def _load(self, path: Path, username: str | None) -> None:
        from zhengwu.accounts.models import User
        from zhengwu.supervision.services import workday_overrides_load

        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        rows, errors = parse_rows(_read_text(path))
        if errors:
            raise CommandError("未导入任何记录：\n" + "\n".join(errors))
        actor = Actor.platform()
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"用户 {username} 不存在。")
            actor = Actor.person(user)
        try:
            count = workday_overrides_load(actor=actor, rows=rows)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        days = sorted(day for day, _, _ in rows)
        self.stdout.write(self.style.SUCCESS(f"已导入 {count} 条工作日调整（{days[0]} 至 {days[-1]}）。"))

    def _show(self, year: int) -> None:
        if not 1900 <= year <= 9999:
            raise CommandError("年份应为四位数字。")
        labels = {"override": "管理员调整", "chinese_calendar": "国务院安排", "fallback": "未导入，按周一至周五"}
        sources: set[str] = set()
        working_days = 0
        lines = []
        day = date(year, 1, 1)
        while day.year == year:
            working, source, note = workdays.workday_source(day)
            sources.add(source)
            working_days += working
            weekend = day.weekday() >= 5
            if working == weekend or source == "override":
                kind = "上班" if working else "休息"
                text = f"{day.isoformat()} 周{'一二三四五六日'[day.weekday()]} {kind}"
                lines.append(f"{text}  {note}（{labels[source]}）" if note else f"{text}（{labels[source]}）")
            day = date.fromordinal(day.toordinal() + 1)
        self.stdout.write(f"{year} 年：工作日 {working_days} 天。")
        if "fallback" in sources:
            self.stdout.write(self.style.WARNING(f"{year} 年的节假日安排尚未完整导入，未导入的日期按周一至周五计算。"))
        for line in lines:
            self.stdout.write(line)
