"""The starter library: the default categories (问候, 产品介绍 ...) and scripts (kefu.scripts.defaults)."""

from django.db import migrations


def create(apps, schema_editor):
    from kefu.scripts.defaults import defaults_ensure

    defaults_ensure(apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("scripts", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
