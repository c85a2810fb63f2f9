"""The statuses and allowed transitions of each ticket type, as configuration.

The shipped defaults are ``workflows.json`` beside this module (validated when it is
loaded); a shop may replace one type's workflow with a ``WorkflowOverride`` (validated
the same way when it is saved). A workflow is::

    {"initial": "new",
     "transitions": {"new": ["in_progress", ...], ...},   # every status is a key
     "paused": ["waiting_customer"],       # the SLA clock stops in these
     "resolved": ["resolved", "closed"],   # the resolution clock has stopped
     "closed": ["closed"],                 # final: no longer open work
     "labels": {"my_status": "我的状态"}}    # optional, for statuses outside ``Status``
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from kefu.core.errors import ValidationError
from kefu.tickets.choices import Status, TicketType

DEFAULTS_FILE = Path(__file__).with_name("workflows.json")


@dataclass(frozen=True)
class Workflow:
    initial: str
    transitions: dict[str, tuple[str, ...]]
    paused: frozenset[str]
    resolved: frozenset[str]
    closed: frozenset[str]
    labels: dict[str, str]

    @property
    def statuses(self) -> list[str]:
        return list(self.transitions)

    def allows(self, from_status: str, to_status: str) -> bool:
        return to_status in self.transitions.get(from_status, ())

    def label(self, status: str) -> str:
        if status in Status.values:
            return str(Status(status).label)
        return self.labels.get(status, status)

    def open_statuses(self) -> list[str]:
        return [s for s in self.transitions if s not in self.closed]


def workflow_validate(config) -> Workflow:
    """A ``Workflow`` from its configuration, or ``ValidationError`` saying what is wrong."""
    if not isinstance(config, dict):
        raise ValidationError(_("A workflow must be an object."), code="bad_workflow")
    transitions = config.get("transitions")
    if not isinstance(transitions, dict) or not transitions:
        raise ValidationError(_("A workflow needs its transitions."), code="bad_workflow")
    statuses = set(transitions)
    labels = config.get("labels") or {}
    for status, targets in transitions.items():
        if not isinstance(status, str) or not status or len(status) > 32:
            raise ValidationError(_("A status key must be a short text."), code="bad_workflow")
        if status not in Status.values and status not in labels:
            raise ValidationError(_("Status %(status)s needs a label.") % {"status": status}, code="bad_workflow")
        if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
            raise ValidationError(_("The transitions of a status must be a list of statuses."), code="bad_workflow")
        unknown = set(targets) - statuses
        if unknown:
            raise ValidationError(
                _("Transition to an unknown status: %(statuses)s") % {"statuses": ", ".join(sorted(unknown))},
                code="bad_workflow",
            )
        if status in targets:
            raise ValidationError(_("A status cannot move to itself."), code="bad_workflow")
    initial = config.get("initial")
    if initial not in statuses:
        raise ValidationError(_("The initial status must be one of the workflow's statuses."), code="bad_workflow")
    groups = {}
    for name in ("paused", "resolved", "closed"):
        values = config.get(name, [])
        if not isinstance(values, list) or set(values) - statuses:
            raise ValidationError(
                _("%(group)s must list statuses of the workflow.") % {"group": name}, code="bad_workflow"
            )
        groups[name] = frozenset(values)
    if not groups["closed"]:
        raise ValidationError(_("A workflow needs at least one closed status."), code="bad_workflow")
    if not groups["closed"] <= groups["resolved"]:
        raise ValidationError(_("Every closed status must also count as resolved."), code="bad_workflow")
    if groups["paused"] & groups["resolved"]:
        raise ValidationError(_("A paused status cannot be a resolved one."), code="bad_workflow")
    if initial in groups["closed"]:
        raise ValidationError(_("The initial status cannot be closed."), code="bad_workflow")
    # Every status must be reachable from the initial one, or tickets could never get there.
    seen, todo = {initial}, [initial]
    while todo:
        for target in transitions[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    if seen != statuses:
        raise ValidationError(
            _("Statuses that can never be reached: %(statuses)s") % {"statuses": ", ".join(sorted(statuses - seen))},
            code="bad_workflow",
        )
    return Workflow(
        initial=initial,
        transitions={status: tuple(targets) for status, targets in transitions.items()},
        paused=groups["paused"],
        resolved=groups["resolved"],
        closed=groups["closed"],
        labels={str(k): str(v) for k, v in labels.items()},
    )


@cache
def default_workflows() -> dict[str, Workflow]:
    data = json.loads(DEFAULTS_FILE.read_text())
    missing = set(TicketType.values) - set(data)
    if missing:
        raise ValueError(f"workflows.json lacks {sorted(missing)}")
    return {key: workflow_validate(config) for key, config in data.items()}


def workflow_for(*, shop_id: int | None, type: str) -> Workflow:
    """The workflow of a ticket type in a shop: the shop's override, else the default."""
    from kefu.tickets.models import WorkflowOverride

    if shop_id is not None:
        override = WorkflowOverride.objects.filter(shop_id=shop_id, type=type).values_list("config", flat=True).first()
        if override is not None:
            return workflow_validate(override)
    return default_workflows()[type]
