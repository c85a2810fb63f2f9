"""Routing API: ``/api/v1/routing`` — route a conversation, assign one by hand, set an
agent's status, the waiting queue, the agents' load.

A logged-in session acts as its user (see ``kefu.routing.permissions``); a bearer token
acts as the system inside its shop (an admin token: every shop)."""

from django.http import HttpRequest
from ninja import Query, Router
from ninja.security import SessionAuth

from kefu.accounts.auth import ApiTokenAuth
from kefu.accounts.models import ApiToken
from kefu.core.errors import ValidationError
from kefu.routing import services
from kefu.routing.models import Assignment, SkillGroup
from kefu.routing.permissions import (
    VIEW_AGENTS,
    VIEW_QUEUE,
    agent_get_for_assignment,
    agent_get_for_status,
    conversation_get_for_routing,
    routing_view_check,
    shop_ids_for_caller,
)
from kefu.routing.schemas import AgentListOut, AgentOut, AssignIn, AssignmentOut, QueueOut, RouteIn, RouteOut, StatusIn
from kefu.routing.selectors import agent_routing_rows, effective_cap, queue_entries, queue_summary
from kefu.shops.models import Shop
from kefu.tickets.schemas import ErrorOut

router = Router(tags=["routing"])
AUTH = [ApiTokenAuth(), SessionAuth()]
_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _assignment_out(assignment: Assignment) -> dict:
    return {
        "id": assignment.pk, "conversation_id": assignment.conversation_id, "agent_id": assignment.agent_id,
        "agent_name": assignment.agent.name, "group": assignment.group.key if assignment.group_id else None,
        "reason": assignment.reason, "assigned_at": assignment.assigned_at, "wait_seconds": assignment.wait_seconds,
    }


def _shop_filter(caller, shop: str | None) -> list[int] | None:
    shop_ids = shop_ids_for_caller(caller)
    if not shop:
        return shop_ids
    found = Shop.objects.filter(ext_id=shop).values_list("pk", flat=True).first()
    if found is None or (shop_ids is not None and found not in shop_ids):
        return []
    return [found]


@router.post("/routing/conversations/{conversation_id}/route", auth=AUTH, response={200: RouteOut, **_ERRORS},
             summary="Route a conversation: assign an agent or queue it")
def conversation_route(request: HttpRequest, conversation_id: int, payload: RouteIn | None = None):
    conversation = conversation_get_for_routing(caller=request.auth, conversation_id=conversation_id)
    group = None
    if payload is not None and payload.group:
        group = SkillGroup.objects.filter(shop_id=conversation.shop_id, key=payload.group).first()
        if group is None:
            raise ValidationError(f"unknown skill group {payload.group!r}", code="unknown_group")
    result = services.route_conversation(conversation, group=group)
    if result.assigned:
        return {"status": "assigned", "assignment": _assignment_out(result.assignment),
                "group": result.assignment.group.key if result.assignment.group_id else None}
    return {"status": "queued", "position": result.position, "off_hours": result.off_hours,
            "message": result.message, "group": result.entry.group.key if result.entry else None}


@router.post("/routing/conversations/{conversation_id}/assign", auth=AUTH,
             response={200: AssignmentOut, **_ERRORS},
             summary="Assign a waiting conversation to a chosen agent (supervisor; force: over the cap)")
def conversation_assign_post(request: HttpRequest, conversation_id: int, payload: AssignIn):
    conversation = conversation_get_for_routing(caller=request.auth, conversation_id=conversation_id)
    agent = agent_get_for_assignment(caller=request.auth, conversation=conversation, agent_id=payload.agent_id)
    actor = None if isinstance(request.auth, ApiToken) else request.auth
    assignment = services.conversation_assign(conversation, agent=agent, actor=actor, force=payload.force)
    return _assignment_out(assignment)


@router.post("/routing/agents/{agent_id}/status", auth=AUTH, response={200: AgentOut, **_ERRORS},
             summary="Set an agent's status (online, busy, away, offline)")
def agent_status_post(request: HttpRequest, agent_id: int, payload: StatusIn):
    agent = agent_get_for_status(caller=request.auth, agent_id=agent_id)
    services.agent_status_set(agent, payload.status, note=payload.note)
    row = agent_routing_rows().get(pk=agent.pk)
    return _agent_out(row)


def _agent_out(row) -> dict:
    return {
        "id": row.agent_id, "agent_id": row.agent.ext_id, "name": row.agent.name,
        "shop_id": row.shop.ext_id if row.shop_id else None, "status": row.status, "status_since": row.status_since,
        "active_chats": row.active_chats, "cap": effective_cap(row), "last_assigned_at": row.last_assigned_at,
    }


@router.get("/routing/agents", auth=AUTH, response={200: AgentListOut, **_ERRORS},
            summary="Agents' status, load and cap")
def agent_list(request: HttpRequest, shop: str | None = Query(None, description="a shop's source id")):
    routing_view_check(caller=request.auth, perm=VIEW_AGENTS)
    rows = [_agent_out(row) for row in agent_routing_rows(shop_ids=_shop_filter(request.auth, shop))]
    return {"count": len(rows), "items": rows}


@router.get("/routing/queue", auth=AUTH, response={200: QueueOut, **_ERRORS},
            summary="Waiting conversations with their positions, and the longest wait")
def queue_get(request: HttpRequest, shop: str | None = Query(None, description="a shop's source id")):
    routing_view_check(caller=request.auth, perm=VIEW_QUEUE)
    summary = queue_summary(queue_entries(shop_ids=_shop_filter(request.auth, shop)))
    items = [
        {"conversation_id": r.entry.conversation_id, "conversation_ext_id": r.entry.conversation.ext_id,
         "shop_id": r.entry.shop.ext_id, "group": r.entry.group.key, "priority": r.entry.priority,
         "position": r.position, "enqueued_at": r.entry.enqueued_at, "wait_seconds": r.wait_seconds,
         "overflowed": r.entry.overflowed, "off_hours": r.entry.off_hours}
        for r in summary.rows
    ]
    return {"count": len(items), "longest_wait_seconds": summary.longest_wait_seconds, "items": items}
