"""签收 of a report by the receiving department's duty room: the state 已签收, when and who."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("emergency", "0004_task_clocks_from_timers"),
    ]

    operations = [
        migrations.AddField(
            model_name="incidentreport",
            name="received_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="签收时间"),
        ),
        migrations.AddField(
            model_name="incidentreport",
            name="received_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="签收人",
            ),
        ),
        migrations.AddField(
            model_name="incidentreport",
            name="receiver_name",
            field=models.CharField(blank=True, max_length=64, verbose_name="签收人姓名"),
        ),
        migrations.AlterField(
            model_name="incidentreport",
            name="state",
            field=models.CharField(
                choices=[("draft", "待签发"), ("sent", "已报送"), ("received", "已签收")],
                default="draft",
                max_length=16,
                verbose_name="状态",
            ),
        ),
    ]
