"""The ticket's timeline as the page shows it: every event with who, when and what
changed (ids turned into names, statuses and choices into their labels), and the comments."""

from django.utils.translation import gettext_lazy as _

from kefu.tickets.choices import CommentKind, EventKind, Priority, SlaState, Status, TicketType
from kefu.tickets.forms import ALL_DETAIL_CHOICES, DETAIL_FIELDS
from kefu.tickets.views._queries import names_of

FIELD_LABELS = {
    "title": _("Title"), "description": _("Description"), "priority": _("Priority"), "tags": _("Tags"),
    "department": _("Department"), "team": _("Team"), "assignee": _("Assignee"), "type": _("Type"),
    "sla_state": _("SLA"), "first_responded_at": _("First response"),
}
DETAIL_LABELS = {
    "evidence": _("Evidence checklist"), "contact_attempts": _("Contact attempts"),
}


def _label(field, value, names, type_key):
    if value in (None, "", [], {}):
        return "—"
    if field in names:
        return names[field].get(value, f"#{value}")
    if field == "priority" and value in Priority.values:
        return Priority(value).label
    if field == "type" and value in TicketType.values:
        return TicketType(value).label
    if field == "sla_state" and value in SlaState.values:
        return SlaState(value).label
    if field == "tags":
        return ", ".join(value)
    if isinstance(value, str) and len(value) > 80:
        return value[:80] + "…"
    return value


def _detail_changes(type_key, before, after) -> list[tuple]:
    rows = []
    before, after = before or {}, after or {}
    labels = {key: spec[0] for key, spec in DETAIL_FIELDS.get(type_key, {}).items()}
    for key in after:
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if key == "evidence":
            rows.append((DETAIL_LABELS[key], f"{sum(e['done'] for e in old or [])}/{len(old or [])}",
                         f"{sum(e['done'] for e in new)}/{len(new)}"))
        elif key == "contact_attempts":
            rows.append((DETAIL_LABELS[key], len(old or []), len(new)))
        else:
            choices = ALL_DETAIL_CHOICES.get((type_key, key), {})
            show = lambda v: "—" if v in (None, "") else choices.get(v, v)  # noqa: E731
            rows.append((labels.get(key, key), show(old), show(new)))
    return rows


def timeline_rows(entries, ticket) -> list[dict]:
    """One row per event (comments' own events are shown as the comment) and per comment."""
    ids = {"assignee": set(), "department": set(), "team": set()}
    for entry in entries:
        if entry.event is not None:
            for field, pair in (entry.event.changes or {}).items():
                if field in ids and isinstance(pair, list):
                    ids[field].update(v for v in pair if isinstance(v, int))
    names = names_of(user_ids=ids["assignee"], department_ids=ids["department"], team_ids=ids["team"])
    rows = []
    for entry in entries:
        if entry.comment is not None:
            comment = entry.comment
            rows.append({"kind": "comment", "at": comment.at, "actor": comment.author, "comment": comment,
                         "internal": comment.kind == CommentKind.INTERNAL,
                         "ask_back": comment.kind == CommentKind.ASK_BACK})
            continue
        event = entry.event
        if event.kind == EventKind.COMMENTED:
            continue
        changes = []
        for field, pair in (event.changes or {}).items():
            if not isinstance(pair, list) or len(pair) != 2:
                continue
            before, after = pair
            if field == "first_responded_at":
                continue  # the event's own label says it; the time is the event's time
            if field == "details":
                changes += _detail_changes(ticket.type, before, after)
            elif event.kind == EventKind.CREATED and after in (None, ""):
                continue
            else:
                changes.append((FIELD_LABELS.get(field, field), _label(field, before, names, ticket.type),
                                _label(field, after, names, ticket.type)))
        rows.append({
            "kind": "event", "event_kind": event.kind, "at": event.at, "actor": event.actor,
            "label": EventKind(event.kind).label if event.kind in EventKind.values else event.kind,
            "from_status": _status(event.from_status), "to_status": _status(event.to_status),
            "changes": changes, "note": event.note, "created": event.kind == EventKind.CREATED,
        })
    # A comment before the first-response event it caused (both carry the same time).
    rank = {"created": 0, "comment": 1}
    return sorted(rows, key=lambda row: (row["at"], rank.get(row.get("event_kind", "comment"), 2)))


def _status(value):
    if not value:
        return ""
    return Status(value).label if value in Status.values else value
