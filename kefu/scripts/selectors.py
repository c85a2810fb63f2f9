"""Every read of the script library: the library list, the scripts an agent may insert
(approved shop scripts, their personal ones, running campaign packs), suggestions for a
customer message, the approval queue, and the usage statistics (in SQL)."""

from dataclasses import dataclass

from django.db.models import (Avg, Count, Exists, FloatField, IntegerField, OuterRef, Q, QuerySet, Subquery, Value)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from kefu.accounts.permissions import scope_to_shops
from kefu.conversations.models import Conversation, Stage
from kefu.metrics.models import ConversationFact, InquiryFact, OrderFact
from kefu.scripts import permissions, retrieval
from kefu.scripts.choices import Scope, Status
from kefu.scripts.models import Category, Script, ScriptPack, ScriptUse, ScriptVersion

SATISFIED_FROM = 4  # ratings of 4 and 5 stars count as satisfied (满意)


def _today(shop=None):
    if shop is not None:
        import zoneinfo

        return timezone.now().astimezone(zoneinfo.ZoneInfo(shop.timezone)).date()
    return timezone.localdate()


def packs_running(*, shop=None, today=None) -> QuerySet[ScriptPack]:
    """Published packs whose promotion runs today (pre-sale or main phase)."""
    today = today or _today(shop)
    packs = ScriptPack.objects.filter(published=True, promotion__main_end__gte=today).filter(
        Q(promotion__presale_start__lte=today) | Q(promotion__presale_start__isnull=True, promotion__main_start__lte=today)
    )
    if shop is not None:
        packs = packs.filter(Q(shop=shop) | Q(shop__isnull=True))
    return packs


def scripts_usable(*, user, shop=None, today=None) -> QuerySet[Script]:
    """What ``user`` may insert into a chat of ``shop``: approved shop-wide scripts, their
    own personal ones, campaign scripts only while their pack runs; never archived."""
    if not permissions.can_view(user):
        return Script.objects.none()
    scripts = Script.objects.exclude(status=Status.ARCHIVED)
    if shop is not None:
        scripts = scripts.filter(Q(shop=shop) | Q(shop__isnull=True))
    else:
        scripts = scope_to_shops(scripts, user, shared_null=True)
    usable = Q(scope=Scope.SHOP, approved_version__isnull=False) | Q(scope=Scope.PERSONAL, owner=user)
    running = Q(pack__isnull=True) | Q(pack__in=packs_running(shop=shop, today=today))
    return scripts.filter(usable & running).select_related("category", "approved_version")


def script_text(script: Script) -> tuple[str, str, list[str]]:
    """(title, body, keywords) of the version agents use."""
    version = script.approved_version or script.current_version
    if version is None:
        return script.title, script.body, script.keywords
    return version.title, version.body, version.keywords


def script_search(qs: QuerySet[Script], *, search: str = "", category: int | None = None) -> QuerySet[Script]:
    """Filter by words (title, text, keywords) and category: the reply box and the library."""
    if category:
        qs = qs.filter(category_id=category)
    for word in (search or "").split():
        qs = qs.filter(Q(title__icontains=word) | Q(body__icontains=word) | Q(keywords__icontains=word))
    return qs


def script_library(*, user, search: str = "", category: int | None = None, status: str = "",
                   scope: str = "") -> QuerySet[Script]:
    qs = script_search(permissions.scripts_visible_to(user), search=search, category=category)
    if status:
        qs = qs.filter(status=status)
    if scope:
        qs = qs.filter(scope=scope)
    return qs.select_related("category", "shop", "owner", "pack").order_by("category__position", "title", "id")


def approval_queue(*, user) -> QuerySet[Script]:
    if not permissions.can_approve(user):
        return Script.objects.none()
    return (permissions.scripts_visible_to(user).filter(status=Status.PENDING, scope=Scope.SHOP)
            .select_related("category", "shop", "created_by", "current_version").order_by("updated_at", "id"))


@dataclass(frozen=True)
class Suggestion:
    script: Script
    score: float


def script_suggest(text: str, *, shop, user, limit: int = 5) -> list[Suggestion]:
    """The scripts that best answer a customer's message (see ``retrieval``)."""
    candidates = list(scripts_usable(user=user, shop=shop))
    docs = []
    for script in candidates:
        title, body, keywords = script_text(script)
        docs.append((title, keywords, body))
    return [Suggestion(candidates[hit.index], round(hit.score, 4))
            for hit in retrieval.rank(text, docs, limit=limit)]


def categories_for(*, user, shop=None) -> QuerySet[Category]:
    qs = Category.objects.all()
    if shop is not None:
        return qs.filter(Q(shop=shop) | Q(shop__isnull=True))
    return scope_to_shops(qs, user, shared_null=True)


def script_versions(script: Script) -> QuerySet[ScriptVersion]:
    return script.versions.select_related("created_by").order_by("-number")


def script_events(script: Script):
    return script.events.select_related("actor").order_by("-at", "-id")


def script_stats(scripts: QuerySet[Script]) -> QuerySet[Script]:
    """``scripts`` annotated with their usage, in one query (correlated subqueries):
    ``use_count``, ``agent_count`` (distinct users), over the distinct conversations that
    used the script: ``rated_count``, ``rating_avg``, ``satisfied_share`` (4-5 stars among
    rated), ``presale_count`` and ``converted_count`` (pre-sale conversations whose customer
    ordered: an order credited to the conversation (OrderFact), or the customer-day's
    inquiry ordered (InquiryFact))."""
    used = Conversation.objects.filter(
        Exists(ScriptUse.objects.filter(script_id=OuterRef(OuterRef("pk")), conversation_id=OuterRef("pk")))
    )

    def aggregate(qs, expression, output):
        return Subquery(qs.order_by().annotate(_g=Value(1)).values("_g").annotate(v=expression).values("v"),
                        output_field=output)

    fact = ConversationFact.objects.filter(conversation_id=OuterRef("pk"))
    inquiry_ordered = InquiryFact.objects.filter(
        customer_key=Subquery(fact.values("customer_key")[:1]), day=Subquery(fact.values("day")[:1]), ordered=True
    )
    converted = Exists(OrderFact.objects.filter(conversation_id=OuterRef("pk"))) | Exists(inquiry_ordered)
    presale = used.filter(stage=Stage.PRESALE)
    rated = used.filter(rating__isnull=False)
    return scripts.annotate(
        use_count=Coalesce(aggregate(ScriptUse.objects.filter(script_id=OuterRef("pk")), Count("id"),
                                     IntegerField()), 0),
        agent_count=Coalesce(aggregate(ScriptUse.objects.filter(script_id=OuterRef("pk")),
                                       Count("user_id", distinct=True), IntegerField()), 0),
        rated_count=Coalesce(aggregate(rated, Count("id"), IntegerField()), 0),
        rating_avg=aggregate(rated, Avg(Cast("rating", FloatField())), FloatField()),
        satisfied_count=Coalesce(aggregate(rated.filter(rating__gte=SATISFIED_FROM), Count("id"), IntegerField()), 0),
        presale_count=Coalesce(aggregate(presale, Count("id"), IntegerField()), 0),
        converted_count=Coalesce(aggregate(presale.filter(converted), Count("id"), IntegerField()), 0),
    )


def share(part, whole):
    return None if not whole else round(part / whole, 4)


def pack_list(*, user) -> QuerySet[ScriptPack]:
    if not permissions.can_manage_packs(user):
        return ScriptPack.objects.none()
    return (scope_to_shops(ScriptPack.objects.all(), user, shared_null=True)
            .select_related("promotion", "shop").annotate(script_count=Count("scripts")))


def pack_get_for_user(*, user, pack_id: int) -> ScriptPack:
    from kefu.core.errors import NotFound

    pack = pack_list(user=user).filter(pk=pack_id).first()
    if pack is None:
        raise NotFound()
    return pack


def pack_candidates(*, user, pack: ScriptPack) -> QuerySet[Script]:
    """Shop-wide scripts that may go into ``pack``: the pack's shop (or every shop), free or already in it."""
    scripts = permissions.scripts_visible_to(user).filter(scope=Scope.SHOP).exclude(status=Status.ARCHIVED)
    if pack.shop_id:
        scripts = scripts.filter(Q(shop_id=pack.shop_id) | Q(shop__isnull=True))
    return scripts.filter(Q(pack__isnull=True) | Q(pack=pack)).select_related("category").order_by(
        "category__position", "title", "id")


def promotions_for(*, user):
    from kefu.shops.models import Promotion

    return scope_to_shops(Promotion.objects.all(), user, shared_null=True).select_related("shop")
