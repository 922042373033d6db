"""Each staged access-log entry names its writer stream and its number in it (`access_log.stage`),
under its MAC, and keeps both once sealed, under the chain's hash: a staged row copied under a
new id, or deleted, is then reported by `zhengwu audit verify` (docs/deployment.md, "日志锚点").

Nullable columns without a default: entries written before have none and verify as before, and
SQLite adds the columns without rebuilding the tables (their triggers stay). On PostgreSQL the
columns and the index are added to the partitioned `exchange_accesslog` and so to every month.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_identity_verified_and_closed_at'),
        ('catalog', '0004_queryable_items'),
        ('exchange', '0013_access_log_ids_without_autoincrement'),
    ]

    operations = [
        migrations.AddField(
            model_name='accesslog',
            name='stream',
            field=models.CharField(blank=True, max_length=16, null=True, verbose_name='写入流'),
        ),
        migrations.AddField(
            model_name='accesslog',
            name='stream_n',
            field=models.BigIntegerField(blank=True, null=True, verbose_name='流内序号'),
        ),
        migrations.AddField(
            model_name='accesslogpending',
            name='stream',
            field=models.CharField(blank=True, max_length=16, null=True, verbose_name='写入流'),
        ),
        migrations.AddField(
            model_name='accesslogpending',
            name='stream_n',
            field=models.BigIntegerField(blank=True, null=True, verbose_name='流内序号'),
        ),
        migrations.AddIndex(
            model_name='accesslog',
            index=models.Index(fields=['stream', 'stream_n'], name='exchange_accesslog_stream_n'),
        ),
    ]
