"""The audit trail: one row for every change by a person and every view of unmasked
personal data (DESIGN.md, "Nothing lost")."""

from django.db import models

from kefu.core.models import AuditEntry


def _client_ip(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy
    # rewrites it, and an audit log must not record what the client chose to claim.
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(*, actor, action: str, target, detail: dict | None = None, request=None) -> AuditEntry:
    """Write one audit entry. ``target`` is a model instance, or a ``(type, id)`` pair for
    things that are not rows; ``actor`` may be None (the system, a CLI run)."""
    if isinstance(target, models.Model):
        target_type, target_id = target._meta.label_lower, str(target.pk)
    else:
        target_type, target_id = target[0], str(target[1])
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail=detail or {},
        ip=_client_ip(request),
    )
