"""Routing throughput benchmark (not a test): new conversations routed at a target rate
across many online agents on PostgreSQL, by several worker processes and threads, with
the latency of each assignment.

    .venv/bin/python bench/routing_throughput.py [--rate 500] [--agents 200] [--seconds 20]
        [--processes 4] [--threads 4] [--hold 1.5] [--batch 1] [--label ""] [--no-write]

A fresh database ``kefu_bench_routing`` is created, migrated and dropped at the end. One
shop, a 售前 group with every agent (least load) and a VIP group with a quarter of them;
every agent online with the default cap of 5. Conversations are created beforehand (intake's
work); a tenth of the customers come back (stickiness), a twentieth are VIP. Each worker
routes its share at the paced rate and ends each assigned conversation ``--hold`` seconds
later (conversation_end, which also drains the queue), so the team stays busy but not full.
Latency is the wall time of one ``route_conversation`` call (locks, queries, commit);
with ``--batch N`` a thread routes the conversations already due (up to N) in one
``route_conversations`` call, and each of them counts that call's whole wall time. SQL
statements are counted per route and per end call (``connection.execute_wrapper``;
transaction begin/commit are not statements there).
Prints a Markdown table and appends it, with the date and the machine, to docs/benchmarks.md.
"""

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DB_NAME = "kefu_bench_routing"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"


def fresh_database() -> None:
    import psycopg

    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    env = {**os.environ, "DATABASE_URL": PG_URL, "PYTHONPATH": str(ROOT),
           "KEFU_DATA_DIR": tempfile.mkdtemp(prefix="kefu-bench-")}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], env=env, check=True)


def drop_database() -> None:
    import psycopg

    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def django_setup() -> None:
    os.environ["DATABASE_URL"] = PG_URL
    os.environ["DB_POOL"] = "0"  # one connection per worker thread, none shared across the fork
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("KEFU_DATA_DIR", tempfile.mkdtemp(prefix="kefu-bench-"))
    import django

    django.setup()


def populate(*, agents: int, conversations: int) -> list[int]:
    """The shop, its agents and groups (all online), and the conversations to route."""
    import random

    from django.utils import timezone

    from kefu.accounts.models import Agent
    from kefu.conversations.models import Conversation
    from kefu.customers.models import Customer
    from kefu.routing.services import agent_status_set, routing_settings_update, skill_group_create
    from kefu.shops.models import Shop

    now = timezone.now()
    stamp = {"src_hash": "", "imported_at": now, "updated_at": now}
    shop = Shop.objects.create(ext_id="s1", name="旗舰店", platform="tmall", **stamp)
    routing_settings_update(shop=shop, default_max_concurrent=5, auto_away_minutes=0)
    team = Agent.objects.bulk_create([Agent(shop=shop, ext_id=f"a{n}", name=f"客服{n}", **stamp)
                                      for n in range(agents)])
    skill_group_create(shop=shop, key="presale", name="售前", stage="presale", members=team)
    skill_group_create(shop=shop, key="vip", name="VIP", for_vip=True, members=team[: agents // 4])
    for agent in team:
        agent_status_set(agent, "online", drain=False)
    rng = random.Random(1)
    people = Customer.objects.bulk_create([
        Customer(shop=shop, ext_id=f"c{n}", nick=f"tb_{n}", vip_level="V2" if n % 20 == 0 else "", **stamp)
        for n in range(int(conversations * 0.9))
    ])
    rows = []
    for n in range(conversations):
        customer = people[n] if n < len(people) else rng.choice(people)  # the last tenth: returning customers
        rows.append(Conversation(shop=shop, customer=customer, customer_ext=customer.ext_id, ext_id=f"v{n}",
                                 started_at=now, stage="presale", **stamp))
    made = Conversation.objects.bulk_create(rows, batch_size=2000)
    return [c.pk for c in made]


def worker(args) -> dict:
    """One process: ``threads`` threads route their share at the paced rate."""
    pks, rate, threads, hold, start_at, batch = args
    django_setup()
    from django.db import connections

    from kefu.conversations.models import Conversation
    from kefu.routing.services import conversation_end, route_conversation

    if batch > 1:
        from kefu.routing.services import route_conversations
    latencies, end_latencies = [], []
    outcome = {"assigned": 0, "queued": 0, "errors": 0, "route_statements": 0, "end_statements": 0}
    lock = threading.Lock()

    def run(share: list[int], interval: float):
        ends: deque = deque()
        mine_lat, mine_end = [], []
        counts = {"assigned": 0, "queued": 0, "errors": 0, "route_statements": 0, "end_statements": 0}
        statements = [0]

        def count(execute, sql, params, many, context):
            statements[0] += 1
            return execute(sql, params, many, context)

        def route(group: list[int]):
            t0 = time.perf_counter()
            try:
                if batch > 1:
                    results = route_conversations([Conversation(pk=pk) for pk in group])
                else:
                    results = [route_conversation(Conversation(pk=group[0]))]
            except Exception as error:  # noqa: BLE001 - counted and reported
                counts["errors"] += len(group)
                if counts["errors"] == len(group):
                    print(f"route error: {error!r}", file=sys.stderr)
                return
            mine_lat.extend([time.perf_counter() - t0] * len(group))
            for pk, result in zip(group, results):
                counts["assigned" if result.assigned else "queued"] += 1
                ends.append((time.time() + hold, pk))

        try:
            with connections["default"].execute_wrapper(count):
                i = 0
                while i < len(share):
                    while ends and ends[0][0] <= time.time():
                        t0, before = time.perf_counter(), statements[0]
                        conversation_end(Conversation(pk=ends.popleft()[1]))
                        mine_end.append(time.perf_counter() - t0)
                        counts["end_statements"] += statements[0] - before
                    pause = start_at + i * interval - time.time()
                    if pause > 0:
                        time.sleep(pause)
                    # Everything already due goes in one call (batch mode); one at a time otherwise.
                    due = int((time.time() - start_at) / interval) + 1
                    group = share[i:max(i + 1, min(due, i + batch))]
                    before = statements[0]
                    route(group)
                    counts["route_statements"] += statements[0] - before
                    i += len(group)
        finally:
            connections.close_all()
        with lock:
            latencies.extend(mine_lat)
            end_latencies.extend(mine_end)
            for key, value in counts.items():
                outcome[key] += value

    shares = [pks[i::threads] for i in range(threads)]
    pool = [threading.Thread(target=run, args=(share, threads / rate)) for share in shares]
    cpu = time.process_time()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return {"latencies": latencies, "end_latencies": end_latencies, "finished": time.time(),
            "cpu": time.process_time() - cpu, **outcome}


def check() -> dict:
    """No conversation assigned twice, no agent over their cap, counters agree with the log."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM (SELECT conversation_id FROM routing_assignment "
                       "GROUP BY conversation_id HAVING count(*) > 1) t")
        doubles = cursor.fetchone()[0]
        cursor.execute("""SELECT count(*) FROM routing_agentrouting r WHERE r.active_chats > 5 OR r.active_chats <>
                          (SELECT count(*) FROM routing_assignment a WHERE a.agent_id = r.agent_id
                           AND a.ended_at IS NULL)""")
        bad_agents = cursor.fetchone()[0]
    return {"double_assigned": doubles, "agents_over_cap_or_inconsistent": bad_agents}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def machine() -> str:
    from import_throughput import machine as describe

    return describe()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--hold", type=float, default=1.5, help="seconds an assigned conversation lasts")
    parser.add_argument("--batch", type=int, default=1,
                        help="route up to N already-due conversations per route_conversations call")
    parser.add_argument("--label", default="", help="added to the section's heading")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--note", default="", help="a sentence about the machine's load, for the report")
    args = parser.parse_args()

    fresh_database()
    try:
        django_setup()
        from django.db import connections

        total = int(args.rate * args.seconds)
        pks = populate(agents=args.agents, conversations=total)
        connections.close_all()
        start_at = time.time() + 3  # every process started and connected
        shares = [(pks[i::args.processes], args.rate / args.processes, args.threads, args.hold, start_at,
                   args.batch)
                  for i in range(args.processes)]
        with get_context("fork").Pool(args.processes) as pool:
            results = pool.map(worker, shares)
        finished = max(r["finished"] for r in results)
        latencies = [x for r in results for x in r["latencies"]]
        end_latencies = [x for r in results for x in r["end_latencies"]]
        routed = len(latencies)
        elapsed = finished - start_at
        checked = check()
        connections.close_all()
    finally:
        drop_database()

    ms = lambda v: f"{v * 1000:.1f}"  # noqa: E731
    summary = {
        "target": args.rate, "achieved": routed / elapsed, "routed": routed, "elapsed": elapsed,
        "assigned": sum(r["assigned"] for r in results), "queued": sum(r["queued"] for r in results),
        "errors": sum(r["errors"] for r in results), "ends": len(end_latencies), **checked,
        "per_route": sum(r["route_statements"] for r in results) / max(1, routed),
        "per_end": sum(r["end_statements"] for r in results) / max(1, len(end_latencies)),
        "cpu_ms": sum(r["cpu"] for r in results) * 1000 / max(1, routed),
    }
    table = "\n".join([
        "| target /s | achieved /s | routed | assigned | queued | errors | p50 ms | p95 ms | p99 ms | max ms "
        "| end p50 ms | end p99 ms | SQL / route | SQL / end | worker CPU ms / conversation |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {args.rate:.0f} | {summary['achieved']:.0f} | {routed:,} | {summary['assigned']:,} | {summary['queued']:,} "
        f"| {summary['errors']} | {ms(percentile(latencies, 50))} | {ms(percentile(latencies, 95))} "
        f"| {ms(percentile(latencies, 99))} | {ms(max(latencies))} | {ms(percentile(end_latencies, 50))} "
        f"| {ms(percentile(end_latencies, 99))} | {summary['per_route']:.1f} | {summary['per_end']:.1f} "
        f"| {summary['cpu_ms']:.1f} |",
    ])
    checks = (f"Checks after the run: {checked['double_assigned']} conversations assigned twice, "
              f"{checked['agents_over_cap_or_inconsistent']} agents over their cap or with a load that "
              "disagrees with the assignment log.")
    print(table)
    print(checks)
    print(f"mean route latency {statistics.mean(latencies) * 1000:.1f} ms over {elapsed:.1f} s", file=sys.stderr)
    if args.no_write:
        return
    command = " ".join(["bench/routing_throughput.py", *(repr(a) if " " in a else a for a in sys.argv[1:])])
    batch_note = (f" — here batches of up to {args.batch} already-due conversations per "
                  "`route_conversations` call, each counting the whole call" if args.batch > 1 else "")
    section = f"""
### Routing throughput — {datetime.date.today().isoformat()}{f" ({args.label})" if args.label else ""}

Machine: {machine()}. {args.note or ''}
Command: `.venv/bin/python {command}` — PostgreSQL database `{DB_NAME}` (created, migrated, dropped);
one shop, {args.agents} agents all online with a cap of 5 (售前 group: all of them, least load; VIP
group: a quarter), {total:,} new conversations (a tenth from returning customers: stickiness; a
twentieth VIP) routed by {args.processes} processes × {args.threads} threads, paced at the target rate
for {args.seconds:.0f} s; each assigned conversation ends {args.hold} s later (`conversation_end`,
which drains the queue), so about {args.rate * args.hold:.0f} chats are open at a time of the
{args.agents * 5} the team can hold. Latency: the wall time of one `route_conversation` call
(row locks, queries, commit){batch_note}; "end": one `conversation_end` call. SQL: statements
per routed conversation and per end (begin/commit not counted); worker CPU: the Python
processes' CPU time (routes and ends) per routed conversation, PostgreSQL's own not included —
less sensitive to the machine's noise than the rate.

{table}

{checks}
"""
    path = ROOT / "docs" / "benchmarks.md"
    path.write_text(path.read_text().rstrip("\n") + "\n" + section)


if __name__ == "__main__":
    main()
