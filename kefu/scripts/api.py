"""Script library API for the reply box: ``GET /api/v1/scripts`` (search, category),
``GET /api/v1/scripts/suggest?text=...`` and ``POST /api/v1/scripts/{id}/use``.

A logged-in session acts as its user (what the workspace page calls): the scripts are
those the user may insert, with variables filled from the conversation when one is given."""

from ninja import Query, Router, Schema, Status
from ninja.security import SessionAuth

from kefu.accounts.permissions import conversation_list_for_user
from kefu.core.errors import NotFound
from kefu.scripts import permissions, selectors, services
from kefu.shops.models import Shop
from kefu.tickets.schemas import ErrorOut

router = Router(tags=["scripts"])
AUTH = [SessionAuth()]
_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class ScriptOut(Schema):
    id: int
    category: str
    title: str
    body: str
    text: str
    missing: list[str]
    keywords: list[str]
    scope: str
    score: float | None = None


class ScriptListOut(Schema):
    items: list[ScriptOut]


class ListFilters(Schema):
    search: str = ""
    category: int | None = None
    conversation_id: int | None = None
    limit: int = 50


class SuggestFilters(Schema):
    text: str
    conversation_id: int | None = None
    shop_id: str | None = None
    limit: int = 5


class UseIn(Schema):
    conversation_id: int | None = None


class UseOut(Schema):
    id: int
    script_id: int
    version: int | None


def _conversation(user, conversation_id):
    if conversation_id is None:
        return None
    conversation = (conversation_list_for_user(user).select_related("shop", "customer", "order")
                    .filter(pk=conversation_id).first())
    if conversation is None:
        raise NotFound()
    return conversation


def _out(script, context, score=None) -> dict:
    title, body, keywords = selectors.script_text(script)
    rendered = services.script_render(body, context)
    return {"id": script.pk, "category": script.category.name, "title": title, "body": body,
            "text": rendered.text, "missing": rendered.missing, "keywords": keywords, "scope": script.scope,
            "score": score}


@router.get("/scripts", response={200: ScriptListOut, **_ERRORS}, auth=AUTH)
def scripts_list(request, filters: Query[ListFilters]):
    user = request.auth
    permissions.check(permissions.can_view(user))
    conversation = _conversation(user, filters.conversation_id)
    shop = conversation.shop if conversation else None
    scripts = selectors.script_search(selectors.scripts_usable(user=user, shop=shop), search=filters.search,
                                      category=filters.category)
    context = services.render_context(conversation, user=user, shop=shop)
    limit = max(1, min(filters.limit, 200))
    return {"items": [_out(s, context) for s in scripts.order_by("category__position", "title", "id")[:limit]]}


@router.get("/scripts/suggest", response={200: ScriptListOut, **_ERRORS}, auth=AUTH)
def scripts_suggest(request, filters: Query[SuggestFilters]):
    user = request.auth
    permissions.check(permissions.can_view(user))
    conversation = _conversation(user, filters.conversation_id)
    shop = conversation.shop if conversation else None
    if shop is None and filters.shop_id:
        shop = Shop.objects.filter(ext_id=filters.shop_id).first()
        if shop is None:
            raise NotFound()
    context = services.render_context(conversation, user=user, shop=shop)
    limit = max(1, min(filters.limit, 20))
    hits = selectors.script_suggest(filters.text, shop=shop, user=user, limit=limit)
    return {"items": [_out(hit.script, context, hit.score) for hit in hits]}


@router.post("/scripts/{script_id}/use", response={201: UseOut, **_ERRORS}, auth=AUTH)
def script_use(request, script_id: int, payload: UseIn):
    user = request.auth
    permissions.check(permissions.can_view(user))
    conversation = _conversation(user, payload.conversation_id)
    shop = conversation.shop if conversation else None
    script = selectors.scripts_usable(user=user, shop=shop).filter(pk=script_id).first()
    if script is None:
        raise NotFound()
    use = services.script_use_record(actor=user, script=script, conversation=conversation)
    number = use.version.number if use.version_id else None
    return Status(201, {"id": use.pk, "script_id": script.pk, "version": number})
