"""The notify API's input and output shapes."""

from datetime import datetime

from ninja import Schema


class NotificationOut(Schema):
    id: int
    event: str
    title: str
    body: str
    link: str
    shop_id: int | None
    created_at: datetime
    read_at: datetime | None


class InboxOut(Schema):
    count: int
    unread: int
    items: list[NotificationOut]


class ErrorOut(Schema):
    error: dict[str, str]
