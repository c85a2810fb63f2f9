"""Background work of the metric engine, on Django's tasks framework (settings.TASKS)."""

from django.tasks import task

from kefu.metrics.rollups import rollups_rebuild, rollups_refresh


@task
def rollups_refresh_task() -> dict:
    """Drain the rollup marks written by imports and setting changes."""
    return rollups_refresh()


@task
def rollups_rebuild_task(shop_ids: list[int] | None = None) -> dict:
    return rollups_rebuild(shop_ids=shop_ids)
