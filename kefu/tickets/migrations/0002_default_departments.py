"""The departments tickets are addressed to out of the box: 物流, 产品, 运营."""

from django.db import migrations

DEFAULTS = [("logistics", "logistics", "物流部"), ("product", "product", "产品部"), ("operations", "operations", "运营部")]


def create(apps, schema_editor):
    Department = apps.get_model("tickets", "Department")
    for key, kind, name in DEFAULTS:
        Department.objects.get_or_create(key=key, defaults={"kind": kind, "name": name})


def remove(apps, schema_editor):
    apps.get_model("tickets", "Department").objects.filter(key__in=[d[0] for d in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
