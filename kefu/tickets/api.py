"""Ticket API: ``/api/v1/tickets`` — create, list, get, update, transition, comment.

A logged-in session acts as its user, with exactly the permissions of the pages (the
services check them). A bearer token acts as the system inside its shop (an admin token:
every shop)."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.security import SessionAuth

from kefu.accounts.auth import ApiTokenAuth
from kefu.accounts.models import ApiToken
from kefu.commerce.models import AfterSale, Order, Review
from kefu.conversations.models import Conversation
from kefu.core.errors import NotFound, PermissionDenied, ValidationError
from kefu.customers.models import Customer
from kefu.shops.models import Shop
from kefu.tickets import services
from kefu.tickets.models import Department, Ticket
from kefu.tickets.permissions import ticket_get_for_user
from kefu.tickets.schemas import CommentIn, CommentOut, ErrorOut, TicketIn, TicketListOut, TicketOut, TicketPatch, TransitionIn
from kefu.tickets.selectors import ticket_list, tickets_for_token

router = Router(tags=["tickets"])
AUTH = [ApiTokenAuth(), SessionAuth()]
MAX_LIMIT = 200
_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _caller(request) -> tuple:
    """(user, token): one of them is None."""
    if isinstance(request.auth, ApiToken):
        return None, request.auth
    return request.auth, None


def _ticket(request, ticket_id: int) -> tuple[Ticket, object]:
    user, token = _caller(request)
    if token is not None:
        ticket = tickets_for_token(token).filter(pk=ticket_id).first()
        if ticket is None:
            raise NotFound()
        return ticket, None
    return ticket_get_for_user(user=user, ticket_id=ticket_id), user


def _out(ticket: Ticket) -> dict:
    return {
        "id": ticket.pk, "type": ticket.type, "status": ticket.status, "priority": ticket.priority,
        "title": ticket.title, "description": ticket.description, "shop_id": ticket.shop.ext_id,
        "order_id": ticket.order.ext_id if ticket.order_id else None,
        "customer_id": ticket.customer.ext_id if ticket.customer_id else None,
        "review_id": ticket.review.ext_id if ticket.review_id else None,
        "aftersale_id": ticket.aftersale.ext_id if ticket.aftersale_id else None,
        "conversation_ids": [c.ext_id for c in ticket.conversations.all()],
        "assignee_id": ticket.assignee_id, "team": ticket.team.name if ticket.team_id else None,
        "department": ticket.department.key if ticket.department_id else None,
        "tags": ticket.tags, "details": ticket.details, "version": ticket.version, "sla_state": ticket.sla_state,
        "first_response_due": ticket.first_response_due, "resolution_due": ticket.resolution_due,
        "first_responded_at": ticket.first_responded_at, "resolved_at": ticket.resolved_at,
        "closed_at": ticket.closed_at, "created_at": ticket.created_at, "updated_at": ticket.updated_at,
    }


def _reload(ticket_id: int) -> dict:
    ticket = (
        Ticket.objects.select_related("shop", "order", "customer", "review", "aftersale", "team", "department")
        .prefetch_related("conversations").get(pk=ticket_id)
    )
    return _out(ticket)


def _department(key: str | None):
    if not key:
        return None
    department = Department.objects.filter(key=key).first()
    if department is None:
        raise ValidationError(f"unknown department {key!r}", code="unknown_department")
    return department


def _linked(model, shop, ext_id: str | None, name: str):
    if not ext_id:
        return None
    record = model.objects.filter(shop=shop, ext_id=ext_id).first()
    if record is None:
        raise ValidationError(f"unknown {name} {ext_id!r} in shop {shop.ext_id!r}", code="unknown_reference",
                              detail={"field": f"{name}_id"})
    return record


def _user(user_id: int | None):
    if not user_id:
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ValidationError(f"unknown user {user_id}", code="unknown_user")
    return user


@router.post("/tickets", auth=AUTH, response={201: TicketOut, **_ERRORS}, summary="Open a ticket",
             openapi_extra={"responses": {201: {"description": "The ticket opened"}}})
def ticket_post(request: HttpRequest, payload: TicketIn):
    user, token = _caller(request)
    if payload.shop_id:
        shop = Shop.objects.filter(ext_id=payload.shop_id).first()
        if shop is None:
            raise ValidationError(f"unknown shop {payload.shop_id!r}", code="unknown_shop")
        if token is not None and not token.is_admin and token.shop_id != shop.pk:
            raise PermissionDenied("This token is limited to another shop.", code="shop_scope")
    elif token is not None and token.shop_id:
        shop = token.shop
    else:
        raise ValidationError("shop_id is required", code="shop_required")
    conversations = [_linked(Conversation, shop, ext, "conversation") for ext in payload.conversation_ids]
    ticket = services.ticket_create(
        shop=shop, type=payload.type, title=payload.title, actor=user, description=payload.description,
        priority=payload.priority, details=payload.details, tags=payload.tags, assignee=_user(payload.assignee_id),
        department=_department(payload.department), customer=_linked(Customer, shop, payload.customer_id, "customer"),
        order=_linked(Order, shop, payload.order_id, "order"), review=_linked(Review, shop, payload.review_id, "review"),
        aftersale=_linked(AfterSale, shop, payload.aftersale_id, "aftersale"), conversations=conversations,
    )
    return Status(201, _reload(ticket.pk))


class TicketQuery(Schema):
    type: str | None = None
    status: str | None = None
    assignee_id: int | None = None
    department: str | None = None
    sla_state: str | None = None
    scope: str = Query("all", description="all, mine, team, department, breaching (sessions only)")
    created_from: datetime | None = Query(None, description="created at or after (time with offset)")
    created_to: datetime | None = Query(None, description="created before (time with offset)")
    limit: int = Query(50, ge=1, le=MAX_LIMIT)
    offset: int = Query(0, ge=0)


@router.get("/tickets", auth=AUTH, response={200: TicketListOut, **_ERRORS}, summary="List tickets",
            description='`{"count": n, "items": [...]}`, newest first; `limit`/`offset` page through.',
            openapi_extra={"responses": {200: {"description": "One page of tickets"}}})
def tickets_get(request: HttpRequest, query: Query[TicketQuery]):
    user, token = _caller(request)
    tickets = ticket_list(
        user, scope=query.scope if token is None else "all", type=query.type, status=query.status,
        assignee_id=query.assignee_id, department=query.department, sla_state=query.sla_state,
        created_from=query.created_from, created_to=query.created_to,
        base=tickets_for_token(token) if token is not None else None,
    ).select_related("review", "aftersale").prefetch_related("conversations")
    page = tickets[query.offset : query.offset + query.limit]
    return {"count": tickets.count(), "items": [_out(t) for t in page]}


@router.get("/tickets/{ticket_id}", auth=AUTH, response={200: TicketOut, **_ERRORS}, summary="One ticket",
            openapi_extra={"responses": {200: {"description": "The ticket"}}})
def ticket_get(request: HttpRequest, ticket_id: int):
    ticket, _user_ = _ticket(request, ticket_id)
    return _reload(ticket.pk)


@router.patch("/tickets/{ticket_id}", auth=AUTH, response={200: TicketOut, 409: ErrorOut, **_ERRORS},
              summary="Change a ticket",
              openapi_extra={"responses": {200: {"description": "The changed ticket"},
                                           409: {"description": "The ticket changed since expected_version"}}})
def ticket_update(request: HttpRequest, ticket_id: int, payload: TicketPatch):
    ticket, actor = _ticket(request, ticket_id)
    data = payload.dict(exclude_unset=True)
    expected = data.pop("expected_version", None)
    assignee_given = "assignee_id" in data
    assignee_id = data.pop("assignee_id", None)
    if "department" in data:
        data["department"] = _department(data["department"])
    if data:
        ticket = services.ticket_update(ticket=ticket, actor=actor, expected_version=expected, **data)
        expected = ticket.version if expected is not None else None
    if assignee_given:
        services.ticket_assign(ticket=ticket, assignee=_user(assignee_id), actor=actor, expected_version=expected)
    return _reload(ticket.pk)


@router.post("/tickets/{ticket_id}/transition", auth=AUTH, response={200: TicketOut, 409: ErrorOut, **_ERRORS},
             summary="Move a ticket to another status",
             description="Only the transitions of the ticket type's workflow are allowed (400 otherwise). With "
                         "`expected_version`, a ticket changed meanwhile answers 409 and nothing is written.",
             openapi_extra={"responses": {200: {"description": "The ticket in its new status"},
                                          409: {"description": "The ticket changed since expected_version"}}})
def ticket_transition(request: HttpRequest, ticket_id: int, payload: TransitionIn):
    ticket, actor = _ticket(request, ticket_id)
    services.ticket_transition(ticket=ticket, to_status=payload.to_status, actor=actor,
                               expected_version=payload.expected_version, note=payload.note)
    return _reload(ticket.pk)


@router.post("/tickets/{ticket_id}/comments", auth=AUTH, response={201: CommentOut, **_ERRORS},
             summary="Comment on a ticket", description="A public reply, an internal note, or an ask-back to a department.",
             openapi_extra={"responses": {201: {"description": "The comment added"}}})
def ticket_comment(request: HttpRequest, ticket_id: int, payload: CommentIn):
    ticket, actor = _ticket(request, ticket_id)
    department = _department(payload.to_department)
    comment = services.ticket_comment(ticket=ticket, actor=actor, body=payload.body, kind=payload.kind,
                                      to_department=department)
    return Status(201, {"id": comment.pk, "ticket_id": ticket.pk, "kind": comment.kind, "body": comment.body,
                 "author_id": comment.author_id, "to_department": department.key if department else None,
                 "at": comment.at})
