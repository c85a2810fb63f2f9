"""The in-process steps of the metric-rollup benchmark (``bench/metrics_rollups.py``).

Each step runs in a fresh Python process against the database the environment names
(``KEFU_DATA_DIR`` / ``DATABASE_URL``) and prints one JSON object on stdout:

    .venv/bin/python bench/kefu_steps.py counts
    .venv/bin/python bench/kefu_steps.py clear-marks        # drop the marks and tasks an import queued
    .venv/bin/python bench/kefu_steps.py rebuild            # time rollups_rebuild(), per phase
    .venv/bin/python bench/kefu_steps.py refresh            # time rollups_refresh() after a batch
    .venv/bin/python bench/kefu_steps.py metrics FROM TO    # time metrics_compute() by none/day/agent
    .venv/bin/python bench/kefu_steps.py supervisor USER PASSWORD
    .venv/bin/python bench/kefu_steps.py export DIR         # raw messages and conversations to Parquet
    .venv/bin/python bench/kefu_steps.py facts DIR          # Kefu's per agent, shop-day aggregates to Parquet
"""

import json
import os
import statistics
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count, Max, Min, Q, Sum  # noqa: E402

from kefu.conversations.models import Conversation, Message  # noqa: E402
from kefu.metrics import facts  # noqa: E402
from kefu.metrics.models import AgentConversationFact, BurstFact, ConversationFact, RollupMark  # noqa: E402
from kefu.metrics.rollups import FACT_MODELS  # noqa: E402


def step_counts() -> dict:
    from kefu.accounts.models import Agent
    from kefu.shops.models import Shop

    span = Message.objects.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    return {
        "messages": Message.objects.count(),
        "conversations": Conversation.objects.count(),
        "agents": Agent.objects.count(),
        "shops": Shop.objects.count(),
        "first_message": span["first"].isoformat() if span["first"] else None,
        "last_message": span["last"].isoformat() if span["last"] else None,
        "marks": RollupMark.objects.count(),
        "facts": {model.__name__: model.objects.count() for model in FACT_MODELS},
    }


def _task_rows():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.all()


def step_clear_marks() -> dict:
    marks = dict(Counter(RollupMark.objects.values_list("kind", flat=True)))
    tasks = _task_rows().count()
    RollupMark.objects.all().delete()
    _task_rows().delete()
    return {"marks_deleted": marks, "tasks_deleted": tasks}


def _timed_phases(names: list[str]) -> dict:
    """Wrap the ``facts`` functions the rollups call, to time each phase without a profiler."""
    spent: dict[str, float] = {}
    for name in names:
        original = getattr(facts, name)

        def wrapper(*args, _original=original, _name=name, **kwargs):
            start = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_name] = spent.get(_name, 0.0) + time.perf_counter() - start

        setattr(facts, name, wrapper)
    return spent


PHASES = ["conversation_facts_rebuild", "customer_facts_rebuild", "review_aftersale_facts_rebuild_all",
          "order_ext_facts_rebuild"]


def step_rebuild() -> dict:
    from kefu.metrics.rollups import rollups_rebuild

    spent = _timed_phases(PHASES)
    start = time.perf_counter()
    done = rollups_rebuild()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "done": done, "phases": spent,
            "facts": {model.__name__: model.objects.count() for model in FACT_MODELS}}


def step_refresh() -> dict:
    from kefu.metrics.rollups import rollups_refresh

    marks = dict(Counter(RollupMark.objects.values_list("kind", flat=True)))
    tasks = _task_rows().count()
    spent = _timed_phases(PHASES)
    start = time.perf_counter()
    done = rollups_refresh()
    seconds = time.perf_counter() - start
    left = RollupMark.objects.count()
    _task_rows().delete()  # the refresh task the import queued: nothing left for it to do
    return {"seconds": seconds, "marks": marks, "marks_total": sum(marks.values()), "marks_left": left,
            "tasks_queued": tasks, "done": done, "phases": spent}


def step_metrics(first: str, end: str, repeat: str = "3") -> dict:
    from kefu.metrics.engine import metrics_compute

    start, stop = date.fromisoformat(first), date.fromisoformat(end)
    out = {}
    for by in ("none", "day", "agent"):
        times, rows = [], 0
        for _ in range(int(repeat)):
            t0 = time.perf_counter()
            rows = len(metrics_compute(start=start, end=stop, by=by))
            times.append(time.perf_counter() - t0)
        out[by] = {"rows": rows, "seconds": times, "median": statistics.median(times)}
    return out


def step_supervisor(username: str, password: str) -> dict:
    from kefu.accounts.models import User
    from kefu.accounts.roles import Role
    from kefu.accounts.services import user_create

    if not User.objects.filter(username=username).exists():
        user_create(username=username, password=password, roles=[Role.SUPERVISOR], display_name="Bench", actor=None)
    return {"username": username}


def _chunks(sql: str, size: int = 200_000):
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(size):
            yield rows


def _timestamps(values):
    import pyarrow as pa

    if values and isinstance(values[0], str):  # SQLite: UTC text, as Django stores it
        return pa.array(values).cast(pa.timestamp("us")).cast(pa.timestamp("us", tz="UTC"))
    return pa.array(values, type=pa.timestamp("us", tz="UTC"))


def _write(sql: str, path: Path, schema, convert) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    written = 0
    with pq.ParquetWriter(path, schema) as writer:
        for rows in _chunks(sql):
            columns = list(zip(*rows))
            writer.write_table(pa.Table.from_arrays(convert(columns), schema=schema))
            written += len(rows)
    return written


def step_export(directory: str) -> dict:
    """The raw data DuckDB needs, straight from the database (ids are Kefu's primary keys)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    timings = {}

    t0 = time.perf_counter()
    message_schema = pa.schema([
        ("id", pa.int64()), ("ext_id", pa.string()), ("conversation_id", pa.int64()), ("shop_id", pa.int64()),
        ("sent_at", pa.timestamp("us", tz="UTC")), ("sender", pa.string()), ("is_auto", pa.bool_()),
        ("agent_id", pa.int64()),
    ])
    table = Message._meta.db_table
    messages = _write(
        f"SELECT id, ext_id, conversation_id, shop_id, sent_at, sender, is_auto, agent_id FROM {table}",
        out / "messages.parquet", message_schema,
        lambda c: [pa.array(c[0], pa.int64()), pa.array(c[1], pa.string()), pa.array(c[2], pa.int64()),
                   pa.array(c[3], pa.int64()), _timestamps(c[4]), pa.array(c[5], pa.string()),
                   pa.array([bool(v) for v in c[6]], pa.bool_()), pa.array(c[7], pa.int64())],
    )
    timings["messages"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    conversation_schema = pa.schema([
        ("id", pa.int64()), ("shop_id", pa.int64()), ("customer", pa.string()), ("stage", pa.string()),
        ("assigned_agent_id", pa.int64()),
    ])
    table = Conversation._meta.db_table
    conversations = _write(
        f"SELECT id, shop_id, customer_ext, stage, assigned_agent_id FROM {table}",
        out / "conversations.parquet", conversation_schema,
        lambda c: [pa.array(c[0], pa.int64()), pa.array(c[1], pa.int64()), pa.array(c[2], pa.string()),
                   pa.array(c[3], pa.string()), pa.array(c[4], pa.int64())],
    )
    timings["conversations"] = time.perf_counter() - t0

    # Each shop's timezone and service hours (minutes of the day; 24:00 is 1440).
    rows = []
    for shop in facts.shop_infos().values():
        begin, finish = shop.hours
        rows.append({"id": shop.pk, "tz": str(shop.tz),
                     "hours_start": begin.hour * 60 + begin.minute if begin else 0,
                     "hours_end": finish.hour * 60 + finish.minute if finish else 1440})
    pq.write_table(pa.Table.from_pylist(rows), out / "shops.parquet")
    sizes = {p.name: p.stat().st_size for p in out.glob("*.parquet")}
    return {"messages": messages, "conversations": conversations, "seconds": timings,
            "seconds_total": sum(timings.values()), "bytes": sizes}


def step_facts(directory: str) -> dict:
    """Kefu's figures per agent and shop-day, from its facts, in the shape of bench/duckdb_core.py."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    t0 = time.perf_counter()
    answered = Q(in_hours=True, response__isnull=False)
    rows: dict[tuple, dict] = {}
    for row in BurstFact.objects.values("shop_id", "day", "agent_id").annotate(
        bursts=Count("pk", filter=Q(in_hours=True)),
        offhours=Count("pk", filter=Q(in_hours=False)),
        answered=Count("pk", filter=answered),
        response_sum=Sum("response", filter=answered),
    ).order_by():
        rows[(row["shop_id"], row["day"], row["agent_id"])] = row
    for row in AgentConversationFact.objects.filter(received=True).values("shop_id", "day", "agent_id").annotate(
        received=Count("pk")
    ).order_by():
        key = (row["shop_id"], row["day"], row["agent_id"])
        rows.setdefault(key, {"shop_id": key[0], "day": key[1], "agent_id": key[2]})["received"] = row["received"]
    records = []
    for row in rows.values():
        records.append({
            "shop_id": row["shop_id"], "day": row["day"], "agent_id": row["agent_id"],
            "received": row.get("received", 0), "bursts": row.get("bursts", 0), "offhours": row.get("offhours", 0),
            "answered": row.get("answered", 0), "response_sum": row.get("response_sum") or 0.0,
        })
    schema = pa.schema([("shop_id", pa.int64()), ("day", pa.date32()), ("agent_id", pa.int64()),
                        ("received", pa.int64()), ("bursts", pa.int64()), ("offhours", pa.int64()),
                        ("answered", pa.int64()), ("response_sum", pa.float64())])
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(records, schema=schema), out / "kefu_agent_day.parquet")
    return {"groups": len(records), "seconds": time.perf_counter() - t0,
            "conversation_facts": ConversationFact.objects.count()}


STEPS = {
    "counts": step_counts,
    "clear-marks": step_clear_marks,
    "rebuild": step_rebuild,
    "refresh": step_refresh,
    "metrics": step_metrics,
    "supervisor": step_supervisor,
    "export": step_export,
    "facts": step_facts,
}


if __name__ == "__main__":
    result = STEPS[sys.argv[1]](*sys.argv[2:])
    sys.stdout.write(json.dumps(result, default=str) + "\n")
