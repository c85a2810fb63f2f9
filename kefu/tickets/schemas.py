"""The ticket API's input and output schemas. Linked records are named by their source
ids (as in spec/events.md), people by their Kefu user id, departments by key."""

from datetime import datetime

from ninja import Field, Schema

from kefu.tickets.choices import CommentKind, Priority, TicketType


class TicketIn(Schema):
    type: TicketType
    title: str = Field(..., max_length=200)
    shop_id: str | None = Field(None, description="the shop's source id; a shop token's own shop by default")
    description: str = ""
    priority: Priority = Priority.NORMAL
    details: dict = Field(default_factory=dict, description="the type's own fields (docs: kefu/tickets/details.py)")
    tags: list[str] = Field(default_factory=list)
    assignee_id: int | None = None
    department: str | None = Field(None, description="a department key: logistics, product, operations ...")
    customer_id: str | None = None
    order_id: str | None = None
    review_id: str | None = None
    aftersale_id: str | None = None
    conversation_ids: list[str] = Field(default_factory=list)


class TicketPatch(Schema):
    expected_version: int | None = Field(None, description="the version you saw: 409 when the ticket moved on")
    title: str | None = None
    description: str | None = None
    priority: Priority | None = None
    details: dict | None = None
    tags: list[str] | None = None
    department: str | None = Field(None, description="a department key; empty string to clear")
    assignee_id: int | None = Field(None, description="a user id; 0 to unassign")


class TransitionIn(Schema):
    to_status: str
    expected_version: int | None = None
    note: str = ""


class CommentIn(Schema):
    body: str
    kind: CommentKind = CommentKind.PUBLIC
    to_department: str | None = Field(None, description="ask-back: the department key asked")


class TicketOut(Schema):
    id: int
    type: str
    status: str
    priority: str
    title: str
    description: str
    shop_id: str
    order_id: str | None
    customer_id: str | None
    review_id: str | None
    aftersale_id: str | None
    conversation_ids: list[str]
    assignee_id: int | None
    team: str | None
    department: str | None
    tags: list[str]
    details: dict
    version: int
    sla_state: str
    first_response_due: datetime | None
    resolution_due: datetime | None
    first_responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class TicketListOut(Schema):
    count: int
    items: list[TicketOut]


class CommentOut(Schema):
    id: int
    ticket_id: int
    kind: str
    body: str
    author_id: int | None
    to_department: str | None
    at: datetime


class ErrorOut(Schema):
    error: dict
