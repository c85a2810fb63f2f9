"""Every write of the script library: saving (each save is a new version), the approval
flow, archiving, campaign packs, recording a use; and rendering a script's variables.

Status changes go through ``_transition`` with its table of allowed (from, to) pairs and
write one ``ScriptEvent``. Shop-wide scripts reach agents only once approved; personal
scripts are usable by their owner at once and never enter the approval flow."""

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.errors import Conflict, ValidationError
from kefu.scripts import permissions
from kefu.scripts.choices import VARIABLES, Scope, Status
from kefu.scripts.models import Category, Script, ScriptEvent, ScriptPack, ScriptUse, ScriptVersion

TRANSITIONS = {
    (Status.DRAFT, Status.PENDING),
    (Status.REJECTED, Status.PENDING),
    (Status.PENDING, Status.APPROVED),
    (Status.PENDING, Status.REJECTED),
    (Status.DRAFT, Status.ARCHIVED),
    (Status.PENDING, Status.ARCHIVED),
    (Status.APPROVED, Status.ARCHIVED),
    (Status.REJECTED, Status.ARCHIVED),
    (Status.APPROVED, Status.DRAFT),  # edited after approval: the approved version stays in use
    (Status.ARCHIVED, Status.DRAFT),
}
VARIABLE_RE = re.compile(r"\{([^{}\s]{1,20})\}")


def _keywords(value) -> list[str]:
    if isinstance(value, str):
        value = re.split(r"[,，、;；\s]+", value)
    seen = []
    for word in value or []:
        word = str(word).strip()
        if word and word not in seen:
            seen.append(word)
    return seen[:30]


def _clean(*, title: str, body: str) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise ValidationError(_("A script needs a title."), code="title_required")
    if not body:
        raise ValidationError(_("A script needs a text."), code="body_required")
    if len(title) > 100:
        raise ValidationError(_("The title is longer than 100 characters."), code="title_too_long")
    return title, body


def _transition(script: Script, to_status: str, *, actor, comment: str = "", version=None) -> None:
    if (script.status, to_status) not in TRANSITIONS:
        raise Conflict(_("This script cannot move from “%(from)s” to “%(to)s”.")
                       % {"from": Status(script.status).label, "to": Status(to_status).label}, code="bad_transition")
    ScriptEvent.objects.create(script=script, version=version or script.current_version, actor=actor,
                               from_status=script.status, to_status=to_status, comment=comment, at=timezone.now())
    script.status = to_status
    script.updated_at = timezone.now()
    script.save(update_fields=["status", "updated_at"])


def _version_add(script: Script, *, actor) -> ScriptVersion:
    last = script.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = ScriptVersion.objects.create(script=script, number=last + 1, title=script.title, body=script.body,
                                           keywords=script.keywords, created_by=actor, created_at=timezone.now())
    script.current_version = version
    script.save(update_fields=["current_version"])
    return version


@transaction.atomic
def script_create(*, actor, category: Category, title: str, body: str, keywords=(), scope: str = Scope.SHOP,
                  shop=None, status: str = Status.DRAFT) -> Script:
    """A new script with its version 1. Personal scripts belong to ``actor`` and are usable
    at once; shop-wide ones start as drafts (an approver may create them approved)."""
    permissions.check(actor is None or permissions.can_view(actor))
    title, body = _clean(title=title, body=body)
    if scope == Scope.PERSONAL and actor is None:
        raise ValidationError(_("A personal script needs an owner."), code="owner_required")
    if status not in (Status.DRAFT, Status.APPROVED):
        raise ValidationError(_("A new script is a draft or approved."), code="bad_status")
    if scope == Scope.SHOP and status == Status.APPROVED:
        permissions.check(actor is None or permissions.can_approve(actor))
    now = timezone.now()
    script = Script.objects.create(
        shop=shop, category=category, title=title, body=body, keywords=_keywords(keywords), scope=scope,
        status=Status.APPROVED if scope == Scope.PERSONAL else status,
        owner=actor if scope == Scope.PERSONAL else None, created_by=actor, created_at=now, updated_at=now,
    )
    version = _version_add(script, actor=actor)
    ScriptEvent.objects.create(script=script, version=version, actor=actor, to_status=script.status, at=now)
    if script.status == Status.APPROVED:
        script.approved_version = version
        script.save(update_fields=["approved_version"])
    return script


@transaction.atomic
def script_edit(*, actor, script: Script, title: str, body: str, keywords=(), category: Category | None = None) -> Script:
    """Save a new version. A personal script's new version is in use at once; a shop-wide
    approved script goes back to draft while its approved version stays in use."""
    script = Script.objects.select_for_update().get(pk=script.pk)
    permissions.check(actor is None or permissions.can_edit(actor, script))
    title, body = _clean(title=title, body=body)
    keywords = _keywords(keywords)
    if (title, body, keywords, category or script.category) == (
        script.title, script.body, script.keywords, script.category
    ):
        return script
    script.title, script.body, script.keywords = title, body, keywords
    if category is not None:
        script.category = category
    script.updated_at = timezone.now()
    script.save(update_fields=["title", "body", "keywords", "category", "updated_at"])
    version = _version_add(script, actor=actor)
    if script.scope == Scope.PERSONAL:
        script.approved_version = version
        script.save(update_fields=["approved_version"])
    elif script.status == Status.APPROVED:
        _transition(script, Status.DRAFT, actor=actor, version=version)
    return script


@transaction.atomic
def script_submit(*, actor, script: Script) -> Script:
    """Ask a team lead to approve the current version of a shop-wide script."""
    script = Script.objects.select_for_update().get(pk=script.pk)
    if script.scope == Scope.PERSONAL:
        raise Conflict(_("Personal scripts need no approval."), code="personal_no_approval")
    permissions.check(actor is None or permissions.can_edit(actor, script))
    _transition(script, Status.PENDING, actor=actor)
    return script


@transaction.atomic
def script_approve(*, actor, script: Script, comment: str = "") -> Script:
    """A team lead or supervisor approves the current version: from now on agents use it."""
    permissions.check(actor is None or permissions.can_approve(actor))
    script = Script.objects.select_for_update().get(pk=script.pk)
    _transition(script, Status.APPROVED, actor=actor, comment=comment)
    script.approved_version_id = script.current_version_id
    script.save(update_fields=["approved_version"])
    return script


@transaction.atomic
def script_reject(*, actor, script: Script, comment: str) -> Script:
    """Send the current version back with a reason (required)."""
    permissions.check(actor is None or permissions.can_approve(actor))
    if not (comment or "").strip():
        raise ValidationError(_("Say why the script is rejected."), code="comment_required")
    script = Script.objects.select_for_update().get(pk=script.pk)
    _transition(script, Status.REJECTED, actor=actor, comment=comment.strip())
    return script


@transaction.atomic
def script_archive(*, actor, script: Script, comment: str = "") -> Script:
    """Take a script out of use (its history and statistics stay)."""
    script = Script.objects.select_for_update().get(pk=script.pk)
    permissions.check(actor is None or permissions.can_edit(actor, script))
    _transition(script, Status.ARCHIVED, actor=actor, comment=comment)
    return script


# --- Rendering -----------------------------------------------------------------------------

@dataclass
class Rendered:
    """A script's text with its variables filled; ``missing``: the variables left as they
    were (unknown names, or no value in this conversation)."""

    text: str
    missing: list[str] = field(default_factory=list)


def render_context(conversation=None, *, user=None, shop=None) -> dict[str, str]:
    """The variable values a conversation offers (empty ones left out)."""
    from kefu.accounts.selectors import user_agent
    from kefu.commerce.models import LogisticsEvent

    values: dict[str, str] = {}
    if conversation is not None:
        shop = shop or conversation.shop
        if conversation.customer_id and conversation.customer.nick:
            values["客户昵称"] = conversation.customer.nick
        order = conversation.order if conversation.order_id else None
        order_ext = order.ext_id if order else conversation.order_ext
        if order_ext:
            values["订单号"] = order_ext
        if order is not None:
            latest = (LogisticsEvent.objects.filter(order=order).exclude(tracking_no="")
                      .order_by("-at", "-id").values_list("tracking_no", flat=True).first())
            if latest:
                values["物流单号"] = latest
            for item in order.items or []:
                name = isinstance(item, dict) and (item.get("title") or item.get("name"))
                if name:
                    values["商品名"] = str(name)
                    break
    if shop is not None:
        values["店铺名"] = shop.name
    if user is not None:
        agent = user_agent(user)
        name = (agent.name if agent else "") or getattr(user, "display_name", "") or user.get_username()
        values["客服昵称"] = name
    return values


def script_render(script: Script | str, context: dict[str, str]) -> Rendered:
    """Fill ``{变量}`` from ``context``; what cannot be filled stays visible and is reported."""
    text = script if isinstance(script, str) else script.body
    missing: list[str] = []

    def fill(match):
        name = match.group(1)
        value = context.get(name)
        if value:
            return value
        if name not in missing:
            missing.append(name)
        return match.group(0)

    return Rendered(VARIABLE_RE.sub(fill, text), missing)


def unknown_variables(body: str) -> list[str]:
    return sorted({name for name in VARIABLE_RE.findall(body) if name not in VARIABLES})


@transaction.atomic
def script_use_record(*, actor, script: Script, conversation=None) -> ScriptUse:
    """Record that ``actor`` inserted the script (the version agents use) into a chat."""
    version_id = script.approved_version_id or script.current_version_id
    return ScriptUse.objects.create(script=script, version_id=version_id, user=actor, conversation=conversation,
                                    at=timezone.now())


# --- Campaign packs -----------------------------------------------------------------------

@transaction.atomic
def pack_create(*, actor, promotion, name: str = "", shop=None) -> ScriptPack:
    permissions.check(actor is None or permissions.can_manage_packs(actor))
    name = (name or "").strip() or promotion.name
    return ScriptPack.objects.create(name=name[:100], promotion=promotion, shop=shop or promotion.shop,
                                     created_by=actor)


@transaction.atomic
def pack_scripts_set(*, actor, pack: ScriptPack, scripts) -> ScriptPack:
    """Make ``scripts`` the pack's campaign scripts (shop-wide ones only)."""
    permissions.check(actor is None or permissions.can_manage_packs(actor))
    scripts = list(scripts)
    if any(s.scope != Scope.SHOP for s in scripts):
        raise ValidationError(_("Only shop-wide scripts go into a campaign pack."), code="personal_in_pack")
    Script.objects.filter(pack=pack).exclude(pk__in=[s.pk for s in scripts]).update(pack=None)
    Script.objects.filter(pk__in=[s.pk for s in scripts]).update(pack=pack)
    return pack


@transaction.atomic
def pack_publish(*, actor, pack: ScriptPack, published: bool = True) -> ScriptPack:
    """Publish (or withdraw) a pack: its scripts are offered during the promotion only."""
    permissions.check(actor is None or permissions.can_manage_packs(actor))
    pack.published = published
    pack.published_at = timezone.now() if published else None
    pack.save(update_fields=["published", "published_at"])
    return pack
