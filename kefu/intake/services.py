"""Intake writes: import a stream of records (API batch or file) and keep the run's record."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from kefu.intake.engine import Intake, IntakeSummary
from kefu.intake.models import ImportRun, ImportSource, RejectedRecord
from kefu.intake.signals import events_imported
from kefu.metrics.rollups import refresh_request
from kefu.shops.models import Shop


def events_import(
    *,
    records: Iterable[tuple[int, Any]],
    source: str = ImportSource.FILE,
    name: str = "",
    scope=None,
    actor=None,
    token=None,
) -> tuple[ImportRun, IntakeSummary]:
    """Import (line, record) pairs in the events.md format.

    Good records are kept whatever happens to bad ones; the run, its counts and every
    rejected record (with line and reason) are saved for the intake page."""
    run = ImportRun.objects.create(source=source, name=name[:500], shop=scope, actor=actor, token=token)
    intake = Intake(scope=scope)
    intake.feed(records)
    summary = intake.finish()
    with transaction.atomic():
        run.finished_at = timezone.now()
        run.records = summary.records
        run.created = dict(summary.created)
        run.updated = dict(summary.updated)
        run.unchanged = dict(summary.unchanged)
        run.rejected_count = len(summary.rejected)
        run.unresolved = summary.unresolved
        run.save()
        RejectedRecord.objects.bulk_create(
            [
                RejectedRecord(
                    run=run, line=r.line, type=r.type, ext_id=r.id[:128], reason=r.reason[:1000], raw=r.raw
                )
                for r in summary.rejected
            ],
            batch_size=1000,
        )
    refresh_request()  # the metric rollups catch up in the background
    events_imported.send(sender=ImportRun, run=run)
    return run, summary


def pending_replay() -> int:
    """Import the waiting records whose owner has arrived since (a periodic task: an owner
    can arrive in a concurrent import that looked before the record was parked)."""
    from kefu.intake.models import PendingRecord

    replayed = 0
    for scope_id in PendingRecord.objects.values_list("scope_id", flat=True).distinct():
        scope = Shop.objects.filter(pk=scope_id).first() if scope_id else None
        before = PendingRecord.objects.filter(scope_id=scope_id).count()
        Intake(scope=scope).finish()
        replayed += before - PendingRecord.objects.filter(scope_id=scope_id).count()
    if replayed:
        refresh_request()
    return replayed
