"""Inspected conversations for the review tests.

``inspected(...)`` writes a conversation with its inspection and findings directly, so a
test states exactly the score, flag, rating and findings it needs (sampling, queues,
permissions). ``kefu.review.tests.data`` runs the real pipeline (intake, rollups,
automatic inspection) for the journeys."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from kefu.core.testing.factories import ConversationFactory, MessageFactory
from kefu.qa.models import Finding, Inspection
from kefu.qa.rules import rules_current

SHANGHAI = ZoneInfo("Asia/Shanghai")


def monday(day):
    return day - timedelta(days=day.weekday())


def inspected(shop, *, agent=None, day=None, score=100, flagged=False, rating=None, findings=(), messages=None,
              ext_id=None):
    """A conversation of ``shop`` served by ``agent`` on shop day ``day`` (default today),
    inspected with ``score`` and ``findings`` ([(rule key, [message ext ids])]). Messages:
    [(ext id, sender, text)]; by default a question and the agent's reply."""
    day = day or timezone.localdate()
    start = datetime.combine(day, time(10, 0), tzinfo=SHANGHAI)
    extra = {"ext_id": ext_id} if ext_id else {}
    conversation = ConversationFactory(shop=shop, assigned_agent=agent, rating=rating, started_at=start, **extra)
    if messages is None:
        messages = [(f"{conversation.ext_id}-q", "customer", "在吗？这款有L码吗"),
                    (f"{conversation.ext_id}-a", "agent", "亲，L码有货的")]
    for n, (ext, sender, text) in enumerate(messages):
        MessageFactory(conversation=conversation, ext_id=ext, sender=sender, text=text,
                       agent=agent if sender == "agent" else None, sent_at=start + timedelta(seconds=30 * n))
    inspection = Inspection.objects.create(
        conversation=conversation, shop=shop, start=start, day=day, week=monday(day), month=day.replace(day=1),
        agent=agent, score=score, flagged=flagged, last_message_at=start + timedelta(minutes=5),
        inspected_at=timezone.now(),
    )
    rules = {rule.key: rule for rule in rules_current(shop)}
    for key, message_ids in findings:
        rule = rules[key]
        Finding.objects.create(inspection=inspection, rule=rule, rule_key=key, severity=rule.severity, deduction=2,
                               message_ids=list(message_ids), evidence=f"「{key}」证据", agent=agent)
    return inspection
