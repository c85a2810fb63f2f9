"""Reads of intake bookkeeping, for pages and the API."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from kefu.intake.models import ImportRun, PendingRecord, RejectedRecord


@dataclass(frozen=True)
class IntakeStatus:
    last_run: ImportRun | None
    runs_today: int
    rejected_last_run: int
    rejected_total: int
    unresolved: dict[str, int]

    @property
    def unresolved_total(self) -> int:
        return sum(self.unresolved.values())


def import_run_list(*, shop_ids: list[int] | None = None) -> QuerySet[ImportRun]:
    """Import runs, newest first; limited to the given shops (None: all)."""
    runs = ImportRun.objects.select_related("shop", "actor")
    if shop_ids is not None:
        runs = runs.filter(shop_id__in=shop_ids)
    return runs


def pending_record_counts(*, shop_ids: list[int] | None = None) -> dict[str, int]:
    """Records still waiting for what they reference, per type."""
    pending = PendingRecord.objects.all()
    if shop_ids is not None:
        pending = pending.filter(scope_id__in=shop_ids)
    return {row["type"]: row["n"] for row in pending.values("type").annotate(n=Count("id")).order_by("type")}


def intake_status(*, shop_ids: list[int] | None = None, since=None) -> IntakeStatus:
    """The intake health a supervisor checks: last import, rejections, unresolved records."""
    runs = import_run_list(shop_ids=shop_ids)
    last = runs.first()
    rejections = RejectedRecord.objects.filter(run__in=runs)
    return IntakeStatus(
        last_run=last,
        runs_today=runs.filter(started_at__gte=since).count() if since else runs.count(),
        rejected_last_run=last.rejected_count if last else 0,
        rejected_total=rejections.count(),
        unresolved=unresolved_counts(shop_ids=shop_ids),
    )


def unresolved_counts(*, shop_ids: list[int] | None = None) -> dict[str, int]:
    """Records per type that still reference something that has not arrived: those
    waiting for their owner, and stored ones with a reference not yet linked."""
    from kefu.intake.handlers import HANDLERS

    counts = Counter(pending_record_counts(shop_ids=shop_ids))
    for handler in HANDLERS.values():
        if not handler.refs:
            continue
        dangling = Q()
        for ref in handler.refs:  # each term is the condition of a partial index (unresolved_reference_index)
            dangling |= Q(**{f"{ref.fk}__isnull": True}) & ~Q(**{f"{ref.fk}_ext": ""})
        rows = handler.model.objects.filter(dangling)
        n = (rows if shop_ids is None else rows.filter(shop_id__in=shop_ids)).count()
        if n:
            counts[handler.type] += n
    return dict(sorted(counts.items()))


def unresolved_reference_rows(model, fk: str, *, shop_ids: list[int] | None = None) -> QuerySet:
    """Rows of ``model`` whose reference ``fk`` names a record that has not arrived."""
    rows = model.objects.filter(**{f"{fk}__isnull": True}).exclude(**{f"{fk}_ext": ""}).order_by()
    return rows if shop_ids is None else rows.filter(shop_id__in=shop_ids)
