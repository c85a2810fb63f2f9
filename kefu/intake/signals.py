"""Signals of the intake: other apps react to imported data without intake knowing them."""

from django.dispatch import Signal

# Sent after an import's records are committed (``run``: the ImportRun). Receivers should
# only enqueue work (the import's caller is waiting).
events_imported = Signal()
