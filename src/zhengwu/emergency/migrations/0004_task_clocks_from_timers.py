"""The task's copies of its supervision timers' deadlines are gone: the board, the incident's page
and the task lists read the live timers (an extension or a pause by a supervisor shows at once)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("emergency", "0003_resource_box_index"),
    ]

    operations = [
        migrations.RemoveField(model_name="task", name="sign_due_at"),
        migrations.RemoveField(model_name="task", name="sign_yellow_at"),
        migrations.RemoveField(model_name="task", name="arrive_due_at"),
        migrations.RemoveField(model_name="task", name="arrive_yellow_at"),
    ]
