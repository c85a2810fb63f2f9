"""Every write to a ticket: ``ticket_create``, ``ticket_update``, ``ticket_assign``,
``ticket_transition``, ``ticket_comment`` and the bulk forms (which call the single ones).

Each runs in a transaction on the ticket's row locked with ``select_for_update``; a write
that names the ``expected_version`` it saw gets ``Conflict`` when someone else changed the
ticket since. Each change writes one ``TicketEvent``; rules run after it (``automation``);
notifications leave after commit.
"""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.errors import Conflict, KefuError, ValidationError
from kefu.tickets import permissions
from kefu.tickets.choices import (
    PRIORITY_ORDER,
    CommentKind,
    EventKind,
    Priority,
    SlaState,
    TicketType,
    Trigger,
)
from kefu.tickets.details import ESCALATION_LEVELS, details_clean
from kefu.tickets.models import Department, Ticket, TicketComment, TicketEvent
from kefu.tickets.notifications import ticket_notify
from kefu.tickets.sla import calendar_for_ticket, sla_apply, sla_pause, sla_resume
from kefu.tickets.workflows import workflow_for

UPDATABLE = ("title", "description", "priority", "details", "tags", "department", "team")


def _value(value):
    """A field's value as an event records it (ids for rows)."""
    return getattr(value, "pk", value)


def _event(ticket, *, actor, kind, at, from_status="", to_status="", changes=None, note="") -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket, actor=actor, kind=kind, from_status=from_status, to_status=to_status,
        changes=changes or {}, note=str(note)[:500], version=ticket.version, at=at,
    )


def _lock(ticket_id: int, expected_version: int | None) -> Ticket:
    """The ticket's row, locked until the transaction ends; ``Conflict`` when it moved on."""
    ticket = Ticket.objects.select_for_update(of=("self",)).select_related("shop", "department").get(pk=ticket_id)
    if expected_version is not None and ticket.version != expected_version:
        raise Conflict(
            _("Someone else changed this ticket meanwhile (version %(seen)s, now %(now)s): reload it and try again.")
            % {"seen": expected_version, "now": ticket.version},
            code="version_conflict",
            detail={"expected_version": expected_version, "version": ticket.version},
        )
    return ticket


def _automation(ticket, trigger, now):
    from kefu.tickets.automation import automation_run

    if automation_run(ticket=ticket, trigger=trigger, now=now):
        ticket.refresh_from_db()  # the rules' actions changed the row behind this instance


def _same_shop(shop_id, **records) -> None:
    for name, record in records.items():
        if record is not None and record.shop_id != shop_id:
            raise ValidationError(_("The linked %(what)s belongs to another shop.") % {"what": name},
                                  code="other_shop", detail={"field": name})


def _assignee_check(user, shop_id) -> None:
    if user is None:
        return
    if not user.is_active or not permissions.user_covers_shop(user, shop_id):
        raise ValidationError(_("This person cannot take tickets of this shop."), code="bad_assignee")


def _user_team(user):
    from kefu.accounts.selectors import user_agent

    agent = user_agent(user) if user is not None else None
    return agent.team if agent is not None else None


# ---- create ------------------------------------------------------------------------------


def ticket_create(
    *,
    shop,
    type: str,
    title: str,
    actor=None,
    description: str = "",
    priority: str = Priority.NORMAL,
    details: dict | None = None,
    tags=(),
    assignee=None,
    team=None,
    department=None,
    customer=None,
    order=None,
    review=None,
    aftersale=None,
    conversations=(),
    source: str = "",
    parent=None,
    now=None,
) -> Ticket:
    """Open a ticket (by hand, from a conversation, from the API or automation).

    With a ``source`` the creation is idempotent: a second call returns the ticket the
    first one opened."""
    permissions.check_can_create(actor, shop.pk)
    if type not in TicketType.values:
        raise ValidationError(_("Unknown ticket type."), code="bad_type")
    if priority not in Priority.values:
        raise ValidationError(_("Unknown priority."), code="bad_priority")
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("A ticket needs a title."), code="bad_title")
    if source:
        existing = Ticket.objects.filter(type=type, source=source).first()
        if existing is not None:
            return existing
    clean = details_clean(type, details)
    _same_shop(shop.pk, customer=customer, order=order, review=review, aftersale=aftersale)
    for conversation in conversations:
        _same_shop(shop.pk, conversation=conversation)
    _assignee_check(assignee, shop.pk)
    if customer is None:
        customer = (order and order.customer) or (review and review.customer) or None
    if order is None:
        order = (review and review.order) or (aftersale and aftersale.order) or None
    now = now or timezone.now()
    workflow = workflow_for(shop_id=shop.pk, type=type)
    ticket = Ticket(
        shop=shop, type=type, status=workflow.initial, priority=priority, title=title[:200], description=description,
        tags=sorted({str(t)[:32] for t in tags}), details=clean, assignee=assignee,
        team=team or _user_team(assignee), department=department, customer=customer, order=order, review=review,
        aftersale=aftersale, source=source, parent=parent, created_by=actor, created_at=now, updated_at=now,
    )
    sla_apply(ticket, now=now)
    try:
        with transaction.atomic():
            ticket.save()
            if conversations:
                ticket.conversations.set(conversations)
            _event(ticket, actor=actor, kind=EventKind.CREATED, at=now, to_status=ticket.status, changes={
                "type": [None, type], "priority": [None, priority],
                "assignee": [None, _value(assignee)], "department": [None, _value(department)],
            })
            _automation(ticket, Trigger.CREATED, now)
    except IntegrityError:
        if source:  # a concurrent scan opened it first
            existing = Ticket.objects.filter(type=type, source=source).first()
            if existing is not None:
                return existing
        raise
    if ticket.assignee_id and ticket.assignee_id != getattr(actor, "pk", None):
        ticket_notify(ticket=ticket, event="tickets.assigned", title=_("Ticket assigned to you: %(title)s")
                      % {"title": ticket.title}, recipients=[ticket.assignee])
    return ticket


def ticket_create_from_conversation(*, conversation_id: int, actor, type: str, title: str = "", **fields) -> Ticket:
    """Open a ticket from a conversation in one step: customer, order and the conversation
    linked; the acting agent takes it unless someone else is named."""
    from kefu.accounts.permissions import conversation_get_for_user
    from kefu.conversations.models import Conversation

    if actor is None:
        conversation = Conversation.objects.select_related("shop", "customer", "order").get(pk=conversation_id)
    else:
        conversation = conversation_get_for_user(user=actor, conversation_id=conversation_id)
    fields.setdefault("customer", conversation.customer)
    fields.setdefault("order", conversation.order)
    if actor is not None:
        fields.setdefault("assignee", actor)
    if not title:
        title = f"{TicketType(type).label} · {conversation.customer or conversation.ext_id}"
    return ticket_create(shop=conversation.shop, type=type, title=title, actor=actor,
                         conversations=[conversation], **fields)


# ---- change ------------------------------------------------------------------------------


def ticket_update(*, ticket: Ticket, actor, expected_version: int | None = None, now=None, **fields) -> Ticket:
    """Change the ticket's fields (``UPDATABLE``); ``details`` are merged into the current
    ones. Raising a complaint's escalation level is an escalation (own event, notified)."""
    unknown = set(fields) - set(UPDATABLE)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))},
                              code="bad_field")
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(ticket.pk, expected_version)
        permissions.check_can_change(actor, locked)
        changes = {}
        for name, value in fields.items():
            if name == "details":
                value = details_clean(locked.type, value, base=locked.details)
            elif name == "priority" and value not in Priority.values:
                raise ValidationError(_("Unknown priority."), code="bad_priority")
            elif name == "tags":
                value = sorted({str(t)[:32] for t in value})
            elif name == "title":
                value = (value or "").strip()[:200]
                if not value:
                    raise ValidationError(_("A ticket needs a title."), code="bad_title")
            before = getattr(locked, name)
            if _value(before) != _value(value):
                changes[name] = [_value(before), _value(value)]
                setattr(locked, name, value)
        if not changes:
            return locked
        escalated = None
        if "details" in changes and locked.type == TicketType.COMPLAINT:
            old, new = (changes["details"][0] or {}).get("escalation_level"), changes["details"][1]["escalation_level"]
            if old in ESCALATION_LEVELS and ESCALATION_LEVELS.index(new) > ESCALATION_LEVELS.index(old):
                escalated = (old, new)
        if {"priority", "department", "team"} & changes.keys():
            sla_apply(locked, now=now)
        locked.version += 1
        locked.updated_at = now
        locked.save()
        _event(locked, actor=actor, kind=EventKind.ESCALATED if escalated else EventKind.UPDATED, at=now,
               changes=changes)
        _automation(locked, Trigger.UPDATED, now)
    if escalated:
        ticket_notify(ticket=locked, event="tickets.escalated",
                      title=_("Complaint escalated: %(title)s") % {"title": locked.title},
                      recipients=escalation_recipients(locked, escalated[1]))
    return locked


def escalation_recipients(ticket, level: str) -> list:
    """Who hears of an escalation to ``level``: the team lead, else the shop's supervisors."""
    from kefu.accounts.roles import Role

    User = get_user_model()
    if level == "team_lead" and ticket.team_id and ticket.team.lead_id:
        return [ticket.team.lead]
    role = Role.SUPERVISOR if level in ("team_lead", "supervisor") else Role.ADMIN
    users = User.objects.filter(groups__name=role, is_active=True).distinct()
    return [u for u in users if permissions.user_covers_shop(u, ticket.shop_id)]


def ticket_assign(*, ticket: Ticket, assignee, actor, expected_version: int | None = None, now=None) -> Ticket:
    """Give the ticket to ``assignee`` (None: unassign). The assignee's team follows."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(ticket.pk, expected_version)
        permissions.check_can_assign(actor, locked, assignee)
        _assignee_check(assignee, locked.shop_id)
        if locked.assignee_id == _value(assignee):
            return locked
        changes = {"assignee": [locked.assignee_id, _value(assignee)]}
        locked.assignee = assignee
        team = _user_team(assignee)
        if team is not None and team.pk != locked.team_id:
            changes["team"] = [locked.team_id, team.pk]
            locked.team = team
            sla_apply(locked, now=now)
        locked.version += 1
        locked.updated_at = now
        locked.save()
        _event(locked, actor=actor, kind=EventKind.ASSIGNED, at=now, changes=changes)
        _automation(locked, Trigger.UPDATED, now)
    if assignee is not None and assignee.pk != getattr(actor, "pk", None):
        ticket_notify(ticket=locked, event="tickets.assigned",
                      title=_("Ticket assigned to you: %(title)s") % {"title": locked.title}, recipients=[assignee])
    return locked


def ticket_transition(*, ticket: Ticket, to_status: str, actor, expected_version: int | None = None, note: str = "",
                      now=None) -> Ticket:
    """Move the ticket to ``to_status`` if its workflow allows it from the current status.

    The one way a status changes. SLA: entering a paused status stops the clock, leaving
    it restarts it (due times move by the pause); a resolved status stops the resolution
    clock; leaving the resolved ones reopens the ticket."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(ticket.pk, expected_version)
        permissions.check_can_change(actor, locked)
        workflow = workflow_for(shop_id=locked.shop_id, type=locked.type)
        from_status = locked.status
        if not workflow.allows(from_status, to_status):
            raise ValidationError(
                _("A %(type)s ticket cannot go from %(from)s to %(to)s.")
                % {"type": TicketType(locked.type).label, "from": workflow.label(from_status),
                   "to": workflow.label(to_status) if to_status in workflow.transitions else to_status},
                code="transition_not_allowed",
                detail={"from": from_status, "to": to_status, "allowed": ",".join(workflow.transitions[from_status])},
            )
        calendar = calendar_for_ticket(locked)
        if from_status in workflow.paused and to_status not in workflow.paused:
            sla_resume(locked, now=now, calendar=calendar)
        if to_status in workflow.paused:
            sla_pause(locked, now=now)
        if to_status in workflow.resolved and from_status not in workflow.resolved:
            locked.resolved_at = now
            if locked.first_responded_at is None:
                locked.first_responded_at = now
        if from_status in workflow.resolved and to_status not in workflow.resolved:
            locked.resolved_at = None
            locked.reopened_count += 1
        locked.closed_at = now if to_status in workflow.closed else None
        locked.status = to_status
        sla_apply(locked, now=now, calendar=calendar)
        locked.version += 1
        locked.updated_at = now
        locked.save()
        _event(locked, actor=actor, kind=EventKind.TRANSITIONED, at=now, from_status=from_status,
               to_status=to_status, note=note)
        _automation(locked, Trigger.TRANSITIONED, now)
    return locked


def ticket_comment(*, ticket: Ticket, actor, body: str, kind: str = CommentKind.PUBLIC, to_department=None,
                   now=None) -> TicketComment:
    """Add a public reply, an internal note or an ask-back (to a department, or from a
    department back to the ticket's owner).

    The first public reply, or any answer of the department the ticket is addressed to,
    is the ticket's first response. Comments do not change ``version``."""
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("A comment needs some text."), code="bad_comment")
    if kind not in CommentKind.values:
        raise ValidationError(_("Unknown comment kind."), code="bad_comment")
    if to_department is not None and kind != CommentKind.ASK_BACK:
        raise ValidationError(_("Only an ask-back is addressed to a department."), code="bad_comment")
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(ticket.pk, None)
        permissions.check_can_change(actor, locked)
        answering = None
        if actor is not None and locked.department_id and locked.department_id in permissions.user_department_ids(actor):
            answering = locked.department
        comment = TicketComment.objects.create(ticket=locked, author=actor, kind=kind, body=body,
                                               to_department=to_department, department=answering, at=now)
        _event(locked, actor=actor, kind=EventKind.COMMENTED, at=now,
               changes={"comment": [None, comment.pk], "kind": [None, kind],
                        "to_department": [None, _value(to_department)]})
        counts = actor is not None and (kind == CommentKind.PUBLIC or answering is not None)
        if counts and locked.first_responded_at is None:
            locked.first_responded_at = now
            sla_apply(locked, now=now)
            locked.save(update_fields=["first_responded_at", "first_response_due", "resolution_due", "sla_state"])
            _event(locked, actor=actor, kind=EventKind.FIRST_RESPONSE, at=now,
                   changes={"first_responded_at": [None, now.isoformat()]})
    recipients = [locked.assignee] if locked.assignee_id and locked.assignee_id != getattr(actor, "pk", None) else []
    if to_department is not None:
        recipients += list(to_department.members.filter(is_active=True))
    ticket_notify(ticket=locked, event="tickets.commented",
                  title=_("New comment on ticket: %(title)s") % {"title": locked.title}, body=body[:200],
                  recipients=recipients)
    return comment


# ---- bulk --------------------------------------------------------------------------------


def _bulk(ticket_ids, actor, action) -> dict[int, str]:
    """Run ``action`` on each visible ticket in its own transaction; ``{id: "ok" | error}``
    — a refused ticket is reported, never silently skipped."""
    results = {}
    visible = {t.pk: t for t in permissions.tickets_visible_to(actor).filter(pk__in=list(ticket_ids))} if actor else {
        t.pk: t for t in Ticket.objects.filter(pk__in=list(ticket_ids))
    }
    for ticket_id in ticket_ids:
        ticket = visible.get(int(ticket_id))
        if ticket is None:
            results[int(ticket_id)] = str(_("Not found."))
            continue
        try:
            action(ticket)
            results[ticket.pk] = "ok"
        except KefuError as error:
            results[ticket.pk] = str(error.message)
    return results


def tickets_bulk_assign(*, ticket_ids, assignee, actor) -> dict[int, str]:
    return _bulk(ticket_ids, actor, lambda t: ticket_assign(ticket=t, assignee=assignee, actor=actor))


def tickets_bulk_transition(*, ticket_ids, to_status: str, actor, note: str = "") -> dict[int, str]:
    return _bulk(ticket_ids, actor, lambda t: ticket_transition(ticket=t, to_status=to_status, actor=actor, note=note))


# ---- SLA state (the periodic tick) -------------------------------------------------------------


def ticket_sla_state_set(*, ticket: Ticket, state: str, fire: bool, now) -> bool:
    """Record a new SLA state (an event), and on a first near/breach run the rules and tell
    the assignee (and the team lead on a breach). False when the ticket changed meanwhile."""
    with transaction.atomic():
        locked = Ticket.objects.select_for_update(of=("self",)).select_related("team", "shop").get(pk=ticket.pk)
        if locked.version != ticket.version or locked.closed_at is not None:
            return False
        old = locked.sla_state
        fired = list(locked.sla_fired or [])
        if fire:
            fired.append(state)
        Ticket.objects.filter(pk=locked.pk).update(sla_state=state, sla_fired=fired)
        locked.sla_state, locked.sla_fired = state, fired
        if old != state:
            _event(locked, actor=None, kind=EventKind.SLA, at=now, changes={"sla_state": [old, state]})
        if fire:
            trigger = Trigger.SLA_NEAR if state == SlaState.NEAR else Trigger.SLA_BREACHED
            _automation(locked, trigger, now)
    if fire:
        recipients = [locked.assignee] if locked.assignee_id else []
        if state == SlaState.BREACHED and locked.team_id and locked.team.lead_id:
            recipients.append(locked.team.lead)
        event = "tickets.sla_near" if state == SlaState.NEAR else "tickets.sla_breached"
        title = (_("Ticket near its SLA: %(title)s") if state == SlaState.NEAR
                 else _("Ticket breached its SLA: %(title)s")) % {"title": locked.title}
        ticket_notify(ticket=locked, event=event, title=title, recipients=recipients,
                      dedupe_key=f"ticket:{locked.pk}:{state}")
    return True


def priority_raised(priority: str) -> str:
    index = PRIORITY_ORDER.index(Priority(priority))
    return PRIORITY_ORDER[min(index + 1, len(PRIORITY_ORDER) - 1)]


def department_by_key(key: str) -> Department | None:
    return Department.objects.filter(key=key).first()
