from django.db import migrations, models


class Migration(migrations.Migration):
    """The shop-local hour of conversations and inquiries, for hourly volume curves. Rows
    written before get 0 until the next rollup rebuild (``rollups_rebuild``)."""

    dependencies = [("metrics", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="conversationfact", name="hour", field=models.PositiveSmallIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="inquiryfact", name="hour", field=models.PositiveSmallIntegerField(default=0),
            preserve_default=False,
        ),
    ]
