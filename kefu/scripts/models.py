"""The script library (话术库): ready answers the team pastes into chats.

A **script** belongs to a **category** (a scenario: 问候, 物流, 退换货 ...), to one shop or
to every shop, and is either shop-wide (needs a team lead's approval before agents use
it) or personal (its owner uses it at once, nobody else sees it). Every saved body is a
**script version**; agents use the *approved* version, so editing an approved script
does not change what the team sends until the new version is approved. A **script pack**
groups campaign scripts for a promotion: they are offered only while the promotion runs
(pre-sale to main end) and the pack is published. Each insertion into a chat is a
**script use**, the base of the usage statistics. Status changes write a **script event**.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.scripts.choices import Scope, Status


class Category(models.Model):
    """A scenario scripts are filed under (话术分类). No shop: every shop. ``key`` names the
    shipped defaults (``greeting``, ``logistics`` ...); ``presale`` marks the scenarios
    whose conversations count towards conversion."""

    key = models.SlugField(_("key"), max_length=32, blank=True)
    name = models.CharField(_("name"), max_length=50)
    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(_("order"), default=100)
    presale = models.BooleanField(_("pre-sale scenario"), default=False)

    class Meta:
        verbose_name = _("script category")
        verbose_name_plural = _("script categories")
        ordering = ["position", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "name"], name="scripts_category_shop_name"),
            models.UniqueConstraint(fields=["name"], condition=models.Q(shop__isnull=True),
                                    name="scripts_category_global_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ScriptPack(models.Model):
    """A campaign script pack (活动话术包) for one promotion: its scripts are offered only
    while it is published and the promotion runs (pre-sale start, else main start, to
    main end, shop-local days)."""

    name = models.CharField(_("name"), max_length=100)
    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")
    promotion = models.ForeignKey("shops.Promotion", verbose_name=_("promotion"), on_delete=models.CASCADE,
                                  related_name="script_packs")
    published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("script pack")
        verbose_name_plural = _("script packs")
        ordering = ["-created_at", "id"]
        permissions = [("manage_script_packs", "Can create and publish campaign script packs")]

    def __str__(self) -> str:
        return self.name


class Script(models.Model):
    """A ready answer (话术). ``body`` may hold variables (``{订单号}``). ``current_version``
    is the latest saved text, ``approved_version`` the one agents use (shop-wide scripts);
    ``status`` tells where the latest version stands. ``pack``: a campaign script, offered
    only while its pack runs."""

    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+", help_text=_("Empty: every shop."))
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT,
                                 related_name="scripts")
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.SHOP)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.CASCADE, related_name="personal_scripts")
    pack = models.ForeignKey(ScriptPack, verbose_name=_("script pack"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="scripts")
    current_version = models.ForeignKey("ScriptVersion", verbose_name=_("current version"), null=True,
                                        blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_version = models.ForeignKey("ScriptVersion", verbose_name=_("approved version"), null=True,
                                         blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("changed"))

    class Meta:
        verbose_name = _("script")
        verbose_name_plural = _("scripts")
        ordering = ["category__position", "title", "id"]
        permissions = [("approve_script", "Can approve or reject shop-wide scripts")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(scope=Scope.PERSONAL) | models.Q(owner__isnull=False),
                name="scripts_personal_has_owner",
            ),
        ]
        indexes = [models.Index(fields=["shop", "status"], name="scripts_shop_status")]

    def __str__(self) -> str:
        return self.title


class ScriptVersion(models.Model):
    """One saved text of a script (numbered from 1); never changed afterwards."""

    script = models.ForeignKey(Script, verbose_name=_("script"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("saved by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("saved"))

    class Meta:
        verbose_name = _("script version")
        verbose_name_plural = _("script versions")
        ordering = ["script", "-number"]
        constraints = [models.UniqueConstraint(fields=["script", "number"], name="scripts_version_number")]

    def __str__(self) -> str:
        return f"{self.script_id} v{self.number}"


class ScriptEvent(models.Model):
    """A status change of a script (who, from, to, when, why): the approval trail."""

    script = models.ForeignKey(Script, verbose_name=_("script"), on_delete=models.CASCADE, related_name="events")
    version = models.ForeignKey(ScriptVersion, verbose_name=_("version"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    from_status = models.CharField(_("from"), max_length=10, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=Status.choices)
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("script event")
        verbose_name_plural = _("script events")
        ordering = ["script", "at", "id"]


class ScriptUse(models.Model):
    """One insertion of a script into a chat (话术使用), for the usage statistics."""

    script = models.ForeignKey(Script, verbose_name=_("script"), on_delete=models.CASCADE, related_name="uses")
    version = models.ForeignKey(ScriptVersion, verbose_name=_("version"), null=True, on_delete=models.SET_NULL,
                                related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True,
                             on_delete=models.SET_NULL, related_name="+")
    conversation = models.ForeignKey("conversations.Conversation", verbose_name=_("conversation"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="script_uses")
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("script use")
        verbose_name_plural = _("script uses")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["script", "at"], name="scripts_use_script_at")]
