"""Shared base models: the bookkeeping every imported record carries, and the audit log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceRecord(models.Model):
    """A record that came in through intake (events.md), keyed by the source system's id.

    ``src_hash`` is a digest of the record as received; re-importing an identical record
    compares digests and counts it as *unchanged* without touching the row.
    """

    ext_id = models.CharField(_("source id"), max_length=128)
    src_hash = models.CharField(max_length=32, editable=False)
    imported_at = models.DateTimeField(_("first imported"), editable=False)
    updated_at = models.DateTimeField(_("last updated"), editable=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.ext_id


class AuditEntry(models.Model):
    """Who did or saw what, when: every change by a person and every view of unmasked personal data."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("target type"), max_length=64)
    target_id = models.CharField(_("target id"), max_length=128)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target_type}:{self.target_id}"


def unresolved_reference_index(fk: str, name: str) -> models.Index:
    """A partial index of the rows whose reference ``fk`` is still only a source id.

    Intake counts and links such rows after every import; the index keeps that cheap in
    a table of millions where almost every reference is resolved."""
    return models.Index(
        fields=["shop", f"{fk}_ext"],
        condition=models.Q(**{f"{fk}__isnull": True}) & ~models.Q(**{f"{fk}_ext": ""}),
        name=name,
    )
