"""The routing API's input and output schemas. Conversations and agents are named by
their Kefu ids (the workspace has them); shops and customers by their source ids."""

from datetime import datetime

from ninja import Field, Schema

from kefu.presence.models import PresenceStatus


class RouteIn(Schema):
    group: str | None = Field(None, description="a skill group key; by default the conversation's own group")


class AssignIn(Schema):
    agent_id: int = Field(..., description="the Kefu id of the agent who takes the conversation")
    force: bool = Field(False, description="go over the agent's concurrency cap on purpose")


class AssignmentOut(Schema):
    id: int
    conversation_id: int
    agent_id: int
    agent_name: str
    group: str | None
    reason: str
    assigned_at: datetime
    wait_seconds: int


class RouteOut(Schema):
    status: str = Field(..., description="assigned or queued")
    assignment: AssignmentOut | None = None
    position: int | None = Field(None, description="1: the next one served in its group")
    group: str | None = None
    off_hours: bool = False
    message: str = Field("", description="the off-hours message to show the customer")


class StatusIn(Schema):
    status: PresenceStatus
    note: str = Field("", max_length=200)


class AgentOut(Schema):
    id: int
    agent_id: str = Field(..., description="the agent's source id")
    name: str
    shop_id: str | None
    status: str
    status_since: datetime | None
    active_chats: int
    cap: int
    last_assigned_at: datetime | None


class QueueItemOut(Schema):
    conversation_id: int
    conversation_ext_id: str
    shop_id: str
    group: str
    priority: int
    position: int
    enqueued_at: datetime
    wait_seconds: int
    overflowed: bool
    off_hours: bool


class QueueOut(Schema):
    count: int
    longest_wait_seconds: int
    items: list[QueueItemOut]


class AgentListOut(Schema):
    count: int
    items: list[AgentOut]
