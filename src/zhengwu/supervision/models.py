"""Supervision timers: one row for every legal deadline on the platform (docs/design.md rule 4).

A domain service that starts something with a deadline calls `supervision.services.timer_start`
and later pause/resume/extend/finish/cancel. Dashboards are aggregates over this one table: the
stored `deadline` / `yellow_from` (and `deadline_at` / `yellow_at` for minute timers) let the
database compute every light without Python loops (`selectors.light_counts`).
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from zhengwu.core import workdays
from zhengwu.core.fields import user_fk
from zhengwu.core.models import HistoryEntry


class Light(models.TextChoices):
    GREEN = "green", "绿灯"
    YELLOW = "yellow", "黄灯"
    RED = "red", "红灯"
    PAUSED = "paused", "暂停计时"
    DONE = "done", "已结束"


class Timer(models.Model):
    """The clock of one legal deadline of one object (an application, a request, a letter …).

    Counting (docs/rules.md §1): the start day is day 0; a workday timer of N working days is due by the
    end of `deadline` = the N-th working day after `start_date` (plus extensions and paused
    working days), and overdue from the next day. A minute timer is due at `deadline_at` =
    `started_at` + (limit + extensions + paused minutes).

    Lights: red when today > deadline (for a paused timer: when it was already overdue on the
    day it was paused — its clock is frozen there); paused; yellow when the working days left,
    `workdays_between(today, deadline)`, are <= `yellow_threshold` = max(1, ceil(limit × fraction));
    else green. Finished and cancelled timers are "done".
    """

    class Unit(models.TextChoices):
        WORKDAY = "workday", "工作日"
        MINUTE = "minute", "分钟"

    class State(models.TextChoices):
        RUNNING = "running", "计时中"
        PAUSED = "paused", "暂停"
        FINISHED = "finished", "已办结"
        CANCELLED = "cancelled", "已撤销"

    LIVE_STATES = (State.RUNNING, State.PAUSED)

    kind = models.CharField("时限类型", max_length=64, help_text="例如 eservices.application")
    kind_label = models.CharField("时限类型名称", max_length=100, blank=True, help_text="例如 行政许可法定办结时限")
    target_type = models.CharField("对象类型", max_length=100, help_text="app_label.model")
    target_id = models.CharField("对象标识", max_length=64)
    title = models.CharField("事项", max_length=200)
    target_url = models.CharField(
        "办理页面",
        max_length=500,
        blank=True,
        default="",
        help_text="该事项在工作台的办理页面地址（站内路径），供电子监察下钻查看。",
    )
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="timers", verbose_name="责任单位"
    )
    unit = models.CharField("计时单位", max_length=16, choices=Unit.choices, default=Unit.WORKDAY)
    limit = models.PositiveIntegerField("时限", validators=[MinValueValidator(1)], help_text="工作日数或分钟数")
    yellow_fraction = models.FloatField(
        "黄灯比例",
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="剩余时限不超过该比例时亮黄灯；留空使用系统设置。",
    )
    started_at = models.DateTimeField("开始时间")
    start_date = models.DateField("起算日")
    deadline = models.DateField("截止日期", help_text="分钟计时为截止时刻所在日期")
    deadline_at = models.DateTimeField("截止时刻", null=True, blank=True)
    yellow_from = models.DateField("黄灯起始日期")
    yellow_at = models.DateTimeField("黄灯起始时刻", null=True, blank=True)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.RUNNING)
    paused_at = models.DateTimeField("暂停时间", null=True, blank=True)
    paused_on = models.DateField("暂停日期", null=True, blank=True)
    pause_reason = models.CharField("暂停原因", max_length=200, blank=True)
    paused_workdays = models.PositiveIntegerField("累计暂停工作日", default=0)
    paused_minutes = models.PositiveIntegerField("累计暂停分钟", default=0)
    extended_by = models.PositiveIntegerField("延长时限", default=0)
    extension_count = models.PositiveSmallIntegerField("延长次数", default=0)
    extension_reason = models.CharField("延长理由", max_length=500, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    finished_on_time = models.BooleanField("按时办结", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "监察计时"
        verbose_name_plural = "监察计时"
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["state", "department"], name="timer_state_department"),
            models.Index(fields=["deadline"], name="timer_deadline"),
            models.Index(fields=["finished_at"], name="timer_finished_at"),  # monthly reports
            models.Index(fields=["target_type", "target_id"], name="timer_target"),
            # Dashboards read live timers only: partial indexes keep their cost proportional to
            # the live timers, not to years of finished ones. `timer_live_lights` covers every
            # column of the light CASE, so the dashboard's GROUP BY is an index-only scan;
            # `timer_live_deadline` serves the red list (oldest deadline first, LIMIT).
            models.Index(
                fields=[
                    "state",
                    "department",
                    "kind",
                    "kind_label",
                    "unit",
                    "deadline",
                    "yellow_from",
                    "paused_on",
                    "deadline_at",
                    "yellow_at",
                    "paused_at",
                ],
                condition=Q(state__in=["running", "paused"]),
                name="timer_live_lights",
            ),
            models.Index(
                fields=["deadline", "deadline_at", "id"],
                condition=Q(state__in=["running", "paused"]),
                name="timer_live_deadline",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "target_type", "target_id"],
                condition=Q(state__in=["running", "paused"]),
                name="timer_one_live_per_target_kind",
            ),
            models.CheckConstraint(condition=Q(limit__gte=1), name="timer_limit_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.kind_label or self.kind}，{self.get_state_display()}）"

    # --- schedule -------------------------------------------------------------------------

    @property
    def fraction(self) -> float:
        if self.yellow_fraction is not None:
            return float(self.yellow_fraction)
        return float(settings.TIMER_YELLOW_FRACTION)

    @property
    def yellow_threshold(self) -> int:
        """Yellow when at most this many working days (minutes) are left: max(1, ceil(limit × fraction))."""
        return max(1, math.ceil(self.limit * self.fraction - 1e-9))

    @property
    def total_units(self) -> int:
        """Units from start to deadline: limit + extensions + paused time."""
        paused = self.paused_workdays if self.unit == self.Unit.WORKDAY else self.paused_minutes
        return self.limit + self.extended_by + paused

    @property
    def is_live(self) -> bool:
        return self.state in self.LIVE_STATES

    def recompute_schedule(self) -> None:
        """Set deadline and yellow start from start, limit, extensions and paused time.

        Workday: deadline = the (limit + extended_by + paused_workdays)-th working day after
        start_date; yellow_from = the (threshold + 1)-th working day on or before the deadline,
        i.e. the first day on which `workdays_between(day, deadline) <= threshold`.
        Minute: deadline_at = started_at + that many minutes; yellow_at = deadline_at − threshold.
        """
        threshold = self.yellow_threshold
        if self.unit == self.Unit.WORKDAY:
            self.deadline = workdays.add_workdays(self.start_date, self.total_units)
            self.yellow_from = workdays.add_workdays(self.deadline + timedelta(days=1), -(threshold + 1))
            self.deadline_at = None
            self.yellow_at = None
        else:
            self.deadline_at = self.started_at + timedelta(minutes=self.total_units)
            self.yellow_at = self.deadline_at - timedelta(minutes=threshold)
            self.deadline = workdays.today(self.deadline_at)
            self.yellow_from = workdays.today(self.yellow_at)

    # --- lights ---------------------------------------------------------------------------

    def is_overdue(self, today: date | None = None, *, now: datetime | None = None) -> bool:
        """Past the deadline (a paused clock counts as of its pause; a closed one as of its end)."""
        now = now or timezone.now()
        today = today or workdays.today(now)
        if self.unit == self.Unit.WORKDAY:
            if self.state == self.State.PAUSED and self.paused_on is not None:
                return self.paused_on > self.deadline
            if not self.is_live and self.finished_at is not None:
                return workdays.today(self.finished_at) > self.deadline
            return today > self.deadline
        assert self.deadline_at is not None
        if self.state == self.State.PAUSED and self.paused_at is not None:
            return self.paused_at > self.deadline_at
        if not self.is_live and self.finished_at is not None:
            return self.finished_at > self.deadline_at
        return now > self.deadline_at

    def light(self, today: date | None = None, *, now: datetime | None = None) -> str:
        """ "green" | "yellow" | "red" | "paused" | "done" (see the class docstring).

        Same answer as the SQL of `selectors.with_light`. Workday timers look at `today`
        (default: today in Beijing), minute timers at `now` (default: the current time).
        """
        now = now or timezone.now()
        today = today or workdays.today(now)
        if not self.is_live:
            return Light.DONE
        if self.is_overdue(today, now=now):
            return Light.RED
        if self.state == self.State.PAUSED:
            return Light.PAUSED
        if self.unit == self.Unit.WORKDAY:
            return Light.YELLOW if today >= self.yellow_from else Light.GREEN
        assert self.yellow_at is not None
        return Light.YELLOW if now >= self.yellow_at else Light.GREEN

    def remaining(self, today: date | None = None, *, now: datetime | None = None) -> int:
        """Working days (minutes, rounded down) left until the deadline; negative when overdue.

        For a workday timer: `workdays_between(today, deadline)`; 0 on the deadline day itself.
        A paused timer reports what was left on the day (moment) it was paused.
        """
        now = now or timezone.now()
        today = today or workdays.today(now)
        if self.unit == self.Unit.WORKDAY:
            ref_day = self.paused_on if self.state == self.State.PAUSED and self.paused_on else today
            if ref_day > self.deadline:
                return -max(1, workdays.workdays_between(self.deadline, ref_day))
            return workdays.workdays_between(ref_day, self.deadline)
        assert self.deadline_at is not None
        ref = self.paused_at if self.state == self.State.PAUSED and self.paused_at else now
        return math.floor((self.deadline_at - ref).total_seconds() / 60)


def light_expression(today: date, now: datetime) -> Case:
    """The SQL CASE that gives every timer row its light as of `today` / `now` (see `Timer.light`)."""
    workday, minute = Timer.Unit.WORKDAY, Timer.Unit.MINUTE
    paused = Timer.State.PAUSED
    return Case(
        When(state__in=[Timer.State.FINISHED, Timer.State.CANCELLED], then=Value(Light.DONE.value)),
        When(state=paused, unit=workday, paused_on__gt=F("deadline"), then=Value(Light.RED.value)),
        When(state=paused, unit=minute, paused_at__gt=F("deadline_at"), then=Value(Light.RED.value)),
        When(state=paused, then=Value(Light.PAUSED.value)),
        When(unit=workday, deadline__lt=today, then=Value(Light.RED.value)),
        When(unit=minute, deadline_at__lt=now, then=Value(Light.RED.value)),
        When(unit=workday, yellow_from__lte=today, then=Value(Light.YELLOW.value)),
        When(unit=minute, yellow_at__lte=now, then=Value(Light.YELLOW.value)),
        default=Value(Light.GREEN.value),
        output_field=models.CharField(),
    )


class TimerEvent(HistoryEntry):
    """The history of a timer: who started, paused, resumed, extended, finished or cancelled it."""

    class Kind(models.TextChoices):
        START = "start", "开始计时"
        PAUSE = "pause", "暂停计时"
        RESUME = "resume", "恢复计时"
        EXTEND = "extend", "延长时限"
        FINISH = "finish", "办结"
        CANCEL = "cancel", "撤销"
        RECOMPUTE = "recompute", "按新日历重算"

    timer = models.ForeignKey(Timer, on_delete=models.PROTECT, related_name="events", verbose_name="计时")
    kind = models.CharField("事件", max_length=16, choices=Kind.choices)
    actor = user_fk("操作人", on_delete=models.SET_NULL)
    reason = models.CharField("理由", max_length=500, blank=True)
    details = models.JSONField("详情", default=dict, blank=True)

    class Meta(HistoryEntry.Meta):
        verbose_name = "计时事件"
        verbose_name_plural = "计时事件"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


# --- 督办 (urging) ------------------------------------------------------------------------------


class Urging(models.Model):
    """A supervisor's 督办 notice to a department about the item of one timer.

    The department must answer by `answer_deadline` (its own timer, kind `supervision.urging`,
    started on the urging). Notice and answer are kept; both are audited.
    """

    class State(models.TextChoices):
        OPEN = "open", "待答复"
        ANSWERED = "answered", "已答复"

    timer = models.ForeignKey(Timer, on_delete=models.PROTECT, related_name="urgings", verbose_name="被督办计时")
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="urgings", verbose_name="被督办单位"
    )
    notice = models.TextField("督办意见", max_length=2000)
    answer_days = models.PositiveSmallIntegerField(
        "答复时限（工作日）", validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.OPEN)
    created_by = user_fk("督办人", null=False)
    created_at = models.DateTimeField("督办时间", default=timezone.now)
    answer = models.TextField("答复内容", max_length=4000, blank=True)
    answered_by = user_fk("答复人")
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_on_time = models.BooleanField("按时答复", null=True, blank=True)

    class Meta:
        verbose_name = "督办"
        verbose_name_plural = "督办"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["department", "state"], name="urging_department_state")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="open") | (Q(answered_at__isnull=False) & ~Q(answer="")),
                name="urging_answered_has_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"督办：{self.timer.title}（{self.department}）"


# --- 网上投诉 (complaints) ---------------------------------------------------------------------------


class Complaint(models.Model):
    """A citizen's complaint (网上投诉) about how a department handled a case.

    Filed on the portal; the supervision office handles it within its own timer (kind
    `supervision.complaint`): it may forward it to the department for an answer (a second timer,
    kind `supervision.complaint_answer`, on that department) and concludes it with a result.
    """

    class State(models.TextChoices):
        SUBMITTED = "submitted", "已提交"
        FORWARDED = "forwarded", "已转部门核查"
        ANSWERED = "answered", "部门已答复"
        CONCLUDED = "concluded", "已办结"

    class Finding(models.TextChoices):
        UPHELD = "upheld", "投诉属实"
        PARTLY = "partly", "部分属实"
        NOT_UPHELD = "not_upheld", "投诉不属实"
        OUT_OF_SCOPE = "out_of_scope", "不属于受理范围"

    OPEN_STATES = (State.SUBMITTED, State.FORWARDED, State.ANSWERED)

    number = models.CharField("投诉编号", max_length=20, unique=True)
    complainant = user_fk("投诉人", related_name="complaints", null=False)
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="complaints", verbose_name="被投诉单位"
    )
    case_number = models.CharField("办件编号", max_length=64, blank=True)
    item = models.CharField("事项名称", max_length=200, blank=True)
    content = models.TextField("投诉内容", max_length=4000)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.SUBMITTED)
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)
    forward_note = models.TextField("转办意见", max_length=2000, blank=True)
    forwarded_by = user_fk("转办人")
    forwarded_at = models.DateTimeField("转办时间", null=True, blank=True)
    answer = models.TextField("部门答复", max_length=4000, blank=True)
    answered_by = user_fk("答复人")
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    finding = models.CharField("核查结论", max_length=16, choices=Finding.choices, blank=True)
    result = models.TextField("处理结果", max_length=4000, blank=True)
    concluded_by = user_fk("办结人")
    concluded_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "网上投诉"
        verbose_name_plural = "网上投诉"
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["state", "submitted_at"], name="complaint_state_submitted"),
            models.Index(fields=["department", "state"], name="complaint_department_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="concluded") | (~Q(finding="") & ~Q(result="") & Q(concluded_at__isnull=False)),
                name="complaint_concluded_has_result",
            ),
        ]

    def __str__(self) -> str:
        return f"投诉 {self.number}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


# --- 警示曝光 (monthly exposure list) ---------------------------------------------------------------


class ExposureList(models.Model):
    """The published monthly exposure list (自动警示和曝光): a frozen copy of the ranking.

    The ranking is computed from timers (`reports.exposure_rows`); publishing stores the rows as
    they were at that moment, so the public page never changes afterwards.
    """

    month = models.DateField("月份", unique=True, help_text="该月第一天")
    rows = models.JSONField("排名数据", default=list)
    note = models.TextField("说明", max_length=2000, blank=True)
    published_by = user_fk("发布人", null=False)
    published_at = models.DateTimeField("发布时间", default=timezone.now)

    class Meta:
        verbose_name = "警示曝光名单"
        verbose_name_plural = "警示曝光名单"
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="exposure_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月}警示曝光名单"
