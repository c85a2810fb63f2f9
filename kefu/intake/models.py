"""Intake bookkeeping: each import run with its counts, its rejected records, and the
records parked until what they reference arrives."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportSource(models.TextChoices):
    API = "api", _("API")
    FILE = "file", _("File import")


class ImportRun(models.Model):
    """One API batch or one imported file, with what it created, updated, left unchanged
    and rejected (per record type)."""

    source = models.CharField(_("source"), max_length=8, choices=ImportSource.choices)
    name = models.CharField(_("name"), max_length=500, blank=True)
    shop = models.ForeignKey(
        "shops.Shop", verbose_name=_("shop scope"), null=True, blank=True, on_delete=models.SET_NULL
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL
    )
    token = models.ForeignKey(
        "accounts.ApiToken", verbose_name=_("API token"), null=True, blank=True, on_delete=models.SET_NULL
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    records = models.PositiveIntegerField(_("records"), default=0)
    created = models.JSONField(_("created"), default=dict)
    updated = models.JSONField(_("updated"), default=dict)
    unchanged = models.JSONField(_("unchanged"), default=dict)
    rejected_count = models.PositiveIntegerField(_("rejected"), default=0)
    unresolved = models.JSONField(_("unresolved after the run"), default=dict)

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.name} {self.started_at:%Y-%m-%d %H:%M}"


class RejectedRecord(models.Model):
    """A record intake refused, with where (line or batch index) and why. Kept so that
    nothing is silently lost: the supervisor sees them on the intake page."""

    run = models.ForeignKey(ImportRun, verbose_name=_("import run"), on_delete=models.CASCADE, related_name="rejections")
    line = models.PositiveIntegerField(_("line / index"))
    type = models.CharField(_("type"), max_length=32, blank=True)
    ext_id = models.CharField(_("source id"), max_length=128, blank=True)
    reason = models.CharField(_("reason"), max_length=1000)
    raw = models.TextField(_("raw record"), blank=True)

    class Meta:
        verbose_name = _("rejected record")
        verbose_name_plural = _("rejected records")
        ordering = ["run", "line"]


class PendingRecord(models.Model):
    """A record that arrived before the record that tells which shop it belongs to (a
    message before its conversation, a status change before its agent). It waits here,
    counted as unresolved, and is imported when the referenced record arrives."""

    # "<scope shop pk or empty>:<type>:<id>": one waiting copy per record, however often it arrives.
    key = models.CharField(max_length=300, unique=True, editable=False)
    type = models.CharField(_("type"), max_length=32)
    ext_id = models.CharField(_("source id"), max_length=128)
    ref_type = models.CharField(_("waits for type"), max_length=32)
    ref_ext = models.CharField(_("waits for id"), max_length=128)
    scope = models.ForeignKey(
        "shops.Shop", verbose_name=_("shop scope"), null=True, blank=True, on_delete=models.CASCADE
    )
    payload = models.JSONField(_("record"))
    received_at = models.DateTimeField(_("received"), auto_now=True)

    class Meta:
        verbose_name = _("pending record")
        verbose_name_plural = _("pending records")
        ordering = ["received_at", "id"]
        indexes = [models.Index(fields=["ref_type", "ref_ext"], name="pending_record_ref")]

    def __str__(self) -> str:
        return f"{self.type}:{self.ext_id} → {self.ref_type}:{self.ref_ext}"
