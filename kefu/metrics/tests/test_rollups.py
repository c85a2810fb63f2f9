"""The rollups kept current from import marks equal a full recomputation from the raw
events, whatever the order and batching the events arrived in."""

import random
from datetime import date

import pytest
from django.core.management import call_command

from kefu.demo.simulator import simulate
from kefu.intake.services import events_import
from kefu.metrics.models import (
    AfterSaleFact,
    AgentConversationFact,
    BurstFact,
    ConversationFact,
    DayLevel,
    InquiryFact,
    OrderFact,
    ReviewFact,
    RollupMark,
)
from kefu.metrics.rollups import rollups_rebuild, rollups_refresh

pytestmark = pytest.mark.django_db
FACTS = (ConversationFact, AgentConversationFact, BurstFact, InquiryFact, OrderFact, ReviewFact, AfterSaleFact,
         DayLevel)


def snapshot() -> dict:
    """Every fact row, without surrogate ids, sorted."""
    out = {}
    for model in FACTS:
        fields = [f.attname for f in model._meta.concrete_fields if not (f.primary_key and f.auto_created)]
        out[model.__name__] = sorted(model.objects.values_list(*fields), key=repr)
    return out


def late_changes(records: list[dict], rng: random.Random) -> list[dict]:
    """Edits that arrive days later: answers to old questions, ratings, payments, closings."""
    changes = []
    conversations = [r for r in records if r["type"] == "conversation"]
    messages_by_conversation: dict[str, list] = {}
    for r in records:
        if r["type"] == "message":
            messages_by_conversation.setdefault(r["conversation_id"], []).append(r)
    agents = [r["id"] for r in records if r["type"] == "agent"]
    for conversation in rng.sample(conversations, min(40, len(conversations))):
        messages = messages_by_conversation.get(conversation["id"], [])
        if not messages:
            continue
        last = max(m["sent_at"] for m in messages)
        changes.append({"type": "message", "id": f"late-{conversation['id']}", "conversation_id": conversation["id"],
                        "sent_at": last, "sender": rng.choice(["agent", "customer"]), "agent_id": rng.choice(agents)})
        changes.append(dict(conversation, rating=rng.randint(1, 5), assigned_agent_id=rng.choice(agents)))
    for order in rng.sample([r for r in records if r["type"] == "order"], 20):
        changes.append(dict(order, paid_at=order["created_at"]) if "paid_at" not in order else
                       {k: v for k, v in order.items() if k != "paid_at"})
    for aftersale in [r for r in records if r["type"] == "aftersale"][:10]:
        changes.append(dict(aftersale, status="completed", closed_at=aftersale["opened_at"]))
    return changes


@pytest.mark.parametrize("seed", [1, 2])
def test_rollups_refreshed_batch_by_batch_equal_a_full_rebuild(seed):
    rng = random.Random(seed)
    records = list(simulate(shops=2, agents=3, days=3, seed=seed, end=date(2026, 11, 12)))
    rng.shuffle(records)  # messages before their conversations, orders before their customers ...
    cuts = sorted(rng.sample(range(1, len(records)), 4))
    batches = [records[a:b] for a, b in zip([0, *cuts], [*cuts, len(records)])]
    batches.append(late_changes(records, rng))
    for batch in batches:
        events_import(records=enumerate(batch, 1))
        rollups_refresh()
        assert not RollupMark.objects.exists()
    incremental = snapshot()
    assert len(incremental["ConversationFact"]) > 50 and len(incremental["OrderFact"]) > 20
    rollups_rebuild()
    assert snapshot() == incremental


def test_an_agent_arriving_after_their_messages_gets_the_credit():
    day = "2026-11-11T10:00:{:02d}+08:00"
    events_import(records=enumerate([
        {"type": "shop", "id": "s1", "name": "店", "platform": "web"},
        {"type": "conversation", "id": "v1", "shop_id": "s1", "customer_id": "c1", "started_at": day.format(0)},
        {"type": "message", "id": "m1", "conversation_id": "v1", "sent_at": day.format(0), "sender": "customer"},
        {"type": "message", "id": "m2", "conversation_id": "v1", "sent_at": day.format(9), "sender": "agent",
         "agent_id": "a1"},
    ], 1))
    rollups_refresh()
    assert AgentConversationFact.objects.count() == 0  # a human reply, but from an agent nobody knows yet
    assert ConversationFact.objects.get().human_replies == 1
    events_import(records=enumerate([{"type": "agent", "id": "a1", "name": "小美", "shop_id": "s1"}], 1))
    rollups_refresh()
    assert AgentConversationFact.objects.get().agent.ext_id == "a1"


def test_a_setting_the_rollups_depend_on_recomputes_the_shop(shop):
    from kefu.metrics.shop_settings import metric_settings_update

    events_import(records=enumerate([
        {"type": "shop", "id": "s1", "name": "店", "platform": "web"},
        {"type": "conversation", "id": "v1", "shop_id": "s1", "customer_id": "c1",
         "started_at": "2026-11-11T08:00:00+08:00"},
        {"type": "message", "id": "m1", "conversation_id": "v1", "sent_at": "2026-11-11T08:00:00+08:00",
         "sender": "customer"},
    ], 1))
    rollups_refresh()
    assert ConversationFact.objects.get().in_hours
    metric_settings_update(shop, service_hours="09:00-24:00")
    assert RollupMark.objects.filter(kind="shop").exists()
    rollups_refresh()
    assert not ConversationFact.objects.get().in_hours


@pytest.mark.django_db(transaction=True)  # the worker closes connections between tasks, as in production
def test_imports_enqueue_a_refresh_that_a_database_worker_runs(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    events_import(records=enumerate(list(simulate(shops=1, agents=2, days=1, seed=3, end=date(2026, 11, 11))), 1))
    assert RollupMark.objects.exists() and not ConversationFact.objects.exists()
    assert DBTaskResult.objects.filter(task_path__endswith="rollups_refresh_task").exists()
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)
    assert not RollupMark.objects.exists()
    assert ConversationFact.objects.count() > 10
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").exists()


def _by_team(start, end):
    from kefu.metrics.engine import metrics_compute, rows_as_json

    return rows_as_json(metrics_compute(start=start, end=end, by="team"))


def test_whole_day_periods_come_from_the_daily_rollups_and_a_team_change_falls_back_to_the_facts(settings):
    from kefu.accounts.models import Agent, Team
    from kefu.metrics import levels
    from kefu.metrics.engine import Selection
    from kefu.shops.models import Shop

    records = list(simulate(shops=1, agents=4, days=3, seed=5, end=date(2026, 11, 12)))
    events_import(records=enumerate(records, 1))
    rollups_refresh()
    shop = Shop.objects.get()
    start, end = date(2026, 11, 10), date(2026, 11, 13)
    assert DayLevel.objects.filter(scope="agent").exists() and DayLevel.objects.filter(scope="team").exists()
    assert levels.families_served(Selection(start, end, [shop], "team", None))
    from_levels = _by_team(start, end)

    # Moving an agent to another team: team figures come from the facts until a refresh.
    agent = Agent.objects.filter(team__isnull=False).first()
    other, _ = Team.objects.get_or_create(name="售后组")
    agent.team = other
    agent.save()
    assert not levels.families_served(Selection(start, end, [shop], "team", None))
    assert levels.families_served(Selection(start, end, [shop], "agent", None))  # agent rows need no teams
    moved = _by_team(start, end)
    assert moved != from_levels and {row["group"]["team"] for row in moved} >= {"售后组"}
    settings.KEFU_METRIC_LEVELS = False
    assert _by_team(start, end) == moved
    settings.KEFU_METRIC_LEVELS = True
    rollups_refresh()  # no marks: it rebuilds the stale team rows
    assert levels.families_served(Selection(start, end, [shop], "team", None))
    assert _by_team(start, end) == moved


def test_a_threshold_change_is_visible_at_once_and_the_daily_rollups_follow():
    from kefu.metrics.engine import metrics_compute
    from kefu.metrics.models import LevelState
    from kefu.metrics.shop_settings import metric_settings_update
    from kefu.shops.models import Shop

    events_import(records=enumerate(list(simulate(shops=1, agents=3, days=2, seed=8, end=date(2026, 11, 12))), 1))
    rollups_refresh()
    shop = Shop.objects.get()

    def service_level():
        (row,) = metrics_compute(start=date(2026, 11, 10), end=date(2026, 11, 13), keys=["service_level"])
        return row.metrics["service_level"]

    before = service_level()
    metric_settings_update(shop, service_level_seconds=1)
    assert not LevelState.objects.get(shop=shop).built_at  # the facts answer until the rebuild
    after = service_level()
    assert after < before
    rollups_refresh()
    assert LevelState.objects.get(shop=shop).built_at
    assert service_level() == after
