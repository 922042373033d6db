"""Models of the bottom layer. Core knows no domain app: the user model is named through
`settings.AUTH_USER_MODEL` (`core.fields.user_fk`), never imported."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from zhengwu.core.fields import user_fk
from zhengwu.core.textsearch import MAX_TERM


class WorkdayOverride(models.Model):
    """An administrator's correction of the working-day calendar (docs/rules.md §1).

    Rows here win over the `chinese-calendar` package: later years' holiday arrangements
    (published by the State Council late in the previous year) and local closures (e.g. a
    typhoon day). Written only through `supervision.services.workday_override_*`, which audit
    the change and clear the cache of `core.workdays`.
    """

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日", help_text="勾选表示当天上班（含调休上班日），否则为休息日。")
    reason = models.CharField("原因", max_length=200, help_text="例如：2027年春节假期、春节调休上班、台风停工。")
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    created_by = user_fk("登记人", on_delete=models.SET_NULL)

    class Meta:
        ordering = ["date"]
        verbose_name = "工作日调整"
        verbose_name_plural = "工作日调整"

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {'上班' if self.is_workday else '休息'}（{self.reason}）"


class KeyFingerprint(models.Model):
    """The fingerprint of a key kept outside the database (the data key), written the first time the
    database is used with it. A data directory restored without its key would otherwise start with a
    newly generated one and fail later, record by record ("密文校验失败"); with the fingerprint,
    start-up refuses the wrong key at once and says so (`core.keys`)."""

    name = models.CharField("密钥", max_length=50, primary_key=True)
    fingerprint = models.CharField("指纹", max_length=64)
    recorded_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = "密钥指纹"
        verbose_name_plural = "密钥指纹"

    def __str__(self) -> str:
        return f"{self.name} {self.fingerprint}"


class StoredFile(models.Model):
    """An uploaded file kept in the database itself, with its name, type, size and SM3 digest: what
    the apps' downloadable files share (a material's 空白表格, a letter's photo). Abstract: each app
    keeps its own table and adds what is its own (what the file belongs to, who uploaded it)."""

    file_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    sm3 = models.CharField("SM3 摘要", max_length=64)
    content = models.BinaryField("文件内容")
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        abstract = True


class MediaFile(models.Model):
    """A file kept on disk under `<DATA_DIR>/media/<app>/` (`core.files.MediaDirectory`) rather than
    in the database: its path there, its size and its SM3 digest. Abstract, like `StoredFile`: each
    app keeps its own table with its own name of the file and who or what it belongs to."""

    path = models.CharField("存储路径", max_length=300)
    size = models.PositiveIntegerField("大小")
    digest = models.CharField("SM3", max_length=64)

    class Meta:
        abstract = True


class HistoryEntry(models.Model):
    """One line of an object's history (a letter's, a case's, a timer's …), read in the order it
    happened. Abstract: each app keeps its own table with what its lines say and who wrote them."""

    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["at", "id"]


class SearchTerm(models.Model):
    """One term of a record's full-text index, cut by `core.textsearch` (hence its length), with the
    weight the record's parts gave it; a query's terms rank records by the summed weights.
    Abstract: each searchable model keeps its own term table, linked to the record."""

    term = models.CharField("词", max_length=MAX_TERM)
    weight = models.PositiveIntegerField("权重")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.term}×{self.weight}"
