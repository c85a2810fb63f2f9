"""People and access: users (logins), teams, agents (the service staff as the shop's
systems know them), API tokens."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.models import SourceRecord


class User(AbstractUser):
    """A login. Roles are Django groups (see ``kefu.accounts.roles``); ``shops`` limits
    which shops the user works for (empty: all shops, for supervisors of the whole team)."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    shops = models.ManyToManyField("shops.Shop", verbose_name=_("shops"), blank=True, related_name="users")

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username


class Team(models.Model):
    """A group of agents with a lead (售前一组, 售后组 ...). Named by the agent records' ``team``."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    lead = models.ForeignKey(
        User, verbose_name=_("team lead"), null=True, blank=True, on_delete=models.SET_NULL, related_name="led_teams"
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Agent(SourceRecord):
    """A customer-service agent (客服) as the shop's systems know them: the ``agent`` record.

    An agent without a shop serves every shop; ``user`` links the agent to their Kefu login."""

    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), null=True, blank=True, on_delete=models.CASCADE)
    name = models.CharField(_("name"), max_length=100)
    team = models.ForeignKey(Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    hired_on = models.DateField(_("hired on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    user = models.OneToOneField(
        User, verbose_name=_("login"), null=True, blank=True, on_delete=models.SET_NULL, related_name="agent"
    )

    class Meta:
        verbose_name = _("agent")
        verbose_name_plural = _("agents")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ext_id", "shop"], name="agent_shop_ext_id_unique"),
            models.UniqueConstraint(
                fields=["ext_id"], condition=models.Q(shop__isnull=True), name="agent_shopless_ext_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A bearer token for the API: scoped to one shop, or admin (every shop).

    Only a SHA-256 digest is stored; the token itself is shown once, when created."""

    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), null=True, blank=True, on_delete=models.CASCADE)
    is_admin = models.BooleanField(_("admin"), default=False)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_admin=True, shop__isnull=True) | models.Q(is_admin=False, shop__isnull=False),
                name="api_token_admin_xor_shop",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name or self.prefix} ({self.prefix}…)"
