"""Many conversations arriving at once, agents changing status, conversations ending —
on PostgreSQL with real row locks and one connection per worker thread. No conversation
is assigned twice; no agent is ever over their cap (sampled while it runs, and the
counters agree with the assignment log at the end)."""

import queue
import random
import threading
from collections import Counter

import pytest
from django.db import connection, connections

from kefu.accounts.tests.factories import AgentFactory
from kefu.conversations.models import Conversation
from kefu.core.testing.factories import ConversationFactory, CustomerFactory
from kefu.routing.models import AgentRouting, Assignment, QueueEntry
from kefu.routing.services import (
    agent_status_set,
    conversation_end,
    queue_drain,
    route_conversation,
    route_conversations,
    routing_settings_update,
    skill_group_create,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]
CAP = 3
OVER_CAP_SQL = """
    SELECT r.agent_id, r.active_chats, count(a.id)
    FROM routing_agentrouting r
    LEFT JOIN routing_assignment a ON a.agent_id = r.agent_id AND a.ended_at IS NULL
    GROUP BY r.agent_id, r.active_chats
    HAVING count(a.id) > %s OR r.active_chats > %s
"""


def test_many_workers_never_double_assign_nor_exceed_the_cap(shop):
    routing_settings_update(shop=shop, default_max_concurrent=CAP, sticky_enabled=True)
    agents = [AgentFactory(shop=shop, name=f"客服{n}") for n in range(10)]
    skill_group_create(shop=shop, key="presale", name="售前", members=agents)
    for agent in agents:
        agent_status_set(agent, "online")
    customers = [CustomerFactory(shop=shop) for _ in range(60)]  # returning customers: stickiness races too
    pending: queue.Queue = queue.Queue()
    for n in range(200):
        pending.put(ConversationFactory(shop=shop, customer=customers[n % 60]).pk)
    errors: list[BaseException] = []
    violations: list[tuple] = []
    routed = Counter()
    stop = threading.Event()

    def worker(seed):
        rng = random.Random(seed)
        mine = []
        try:
            while True:
                try:
                    pk = pending.get_nowait()
                except queue.Empty:
                    return
                result = route_conversation(Conversation(pk=pk))
                routed["assigned" if result.assigned else "queued"] += 1
                if result.assigned:
                    mine.append(pk)
                if mine and rng.random() < 0.4:
                    conversation_end(Conversation(pk=mine.pop(rng.randrange(len(mine)))))
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    def toggler():
        rng = random.Random(99)
        try:
            while not stop.is_set():
                agent = rng.choice(agents)
                agent_status_set(agent, rng.choice(["online", "online", "away", "busy"]))
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    def sampler():
        try:
            while not stop.is_set():
                with connection.cursor() as cursor:
                    cursor.execute(OVER_CAP_SQL, [CAP, CAP])
                    violations.extend(cursor.fetchall())
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    background = [threading.Thread(target=toggler), threading.Thread(target=sampler)]
    workers = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in background + workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=300)
    stop.set()
    for thread in background:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in workers + background)
    assert errors == []
    assert violations == []
    assert sum(routed.values()) == 200 and routed["assigned"] > 30

    # Everyone back online: the queue drains; still nobody twice, nobody over the cap.
    for agent in agents:
        agent_status_set(agent, "online", drain=False)
    queue_drain()
    per_conversation = Counter(Assignment.objects.values_list("conversation_id", flat=True))
    assert max(per_conversation.values()) == 1  # no transfers here: one assignment each, ever
    active = Counter(Assignment.objects.filter(ended_at__isnull=True).values_list("agent_id", flat=True))
    loads = dict(AgentRouting.objects.values_list("agent_id", "active_chats"))
    assert all(count <= CAP for count in active.values())
    assert loads == {agent.pk: active.get(agent.pk, 0) for agent in agents}
    assigned_now = set(Assignment.objects.filter(ended_at__isnull=True).values_list("conversation_id", flat=True))
    assert not assigned_now & set(QueueEntry.objects.values_list("conversation_id", flat=True))
    assert sum(loads.values()) == 10 * CAP  # a full team once the queue had enough waiting


def test_racing_batches_never_double_assign_nor_exceed_the_cap(shop):
    """Four workers each route every conversation (shuffled, in batches of 8): each
    conversation is raced by all of them, and the batch path keeps both guarantees."""
    routing_settings_update(shop=shop, default_max_concurrent=CAP, sticky_enabled=True)
    agents = [AgentFactory(shop=shop, name=f"客服{n}") for n in range(4)]
    skill_group_create(shop=shop, key="presale", name="售前", members=agents)
    for agent in agents:
        agent_status_set(agent, "online")
    customers = [CustomerFactory(shop=shop) for _ in range(10)]
    pks = [ConversationFactory(shop=shop, customer=customers[n % 10]).pk for n in range(24)]
    errors: list[BaseException] = []
    violations: list[tuple] = []
    stop = threading.Event()

    def worker(seed):
        order = pks[:]
        random.Random(seed).shuffle(order)
        try:
            for start in range(0, len(order), 8):
                results = route_conversations([Conversation(pk=pk) for pk in order[start:start + 8]])
                assert len(results) == len(order[start:start + 8])
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    def sampler():
        try:
            while not stop.is_set():
                with connection.cursor() as cursor:
                    cursor.execute(OVER_CAP_SQL, [CAP, CAP])
                    violations.extend(cursor.fetchall())
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    watcher = threading.Thread(target=sampler)
    workers = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in [watcher, *workers]:
        thread.start()
    for thread in workers:
        thread.join(timeout=300)
    stop.set()
    watcher.join(timeout=60)
    assert not any(thread.is_alive() for thread in [watcher, *workers])
    assert errors == [] and violations == []
    per_conversation = Counter(Assignment.objects.values_list("conversation_id", flat=True))
    assert max(per_conversation.values()) == 1
    loads = dict(AgentRouting.objects.values_list("agent_id", "active_chats"))
    assert loads == {agent.pk: CAP for agent in agents}  # a full team: 12 of the 24 assigned, once each
    waiting = set(QueueEntry.objects.values_list("conversation_id", flat=True))
    assert len(waiting) == 24 - 4 * CAP and not waiting & set(per_conversation)
