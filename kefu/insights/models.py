"""Stored labels of customer insights: the supervisors' corrections of the text models."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TextTask(models.TextChoices):
    SENTIMENT = "sentiment", _("Sentiment")
    CATEGORY = "category", _("Issue category")
    INTENT = "intent", _("Intent")


class TextCorrection(models.Model):
    """A supervisor's label for one text (a review, after-sale reason, ticket or chat):
    the sentiment, issue categories (separated by ``|``) or intent it really has. The
    text models learn from these (``kefu insights train`` without ``--input``)."""

    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), on_delete=models.CASCADE)
    task = models.CharField(_("task"), max_length=16, choices=TextTask.choices)
    text = models.TextField(_("text"))
    label = models.CharField(_("label"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("corrected by"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("corrected"), auto_now_add=True)

    class Meta:
        verbose_name = _("text correction")
        verbose_name_plural = _("text corrections")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["task", "shop"], name="insights_correction_task")]
        constraints = [models.CheckConstraint(condition=~models.Q(label=""), name="insights_correction_label")]
