"""Metric-rollup benchmark (not a test): a simulated 30-day data set of >= 10M messages, on
SQLite and on PostgreSQL — rebuild of the rollups from scratch, refresh after a batch of
new events, ``kefu metrics`` over the period, the dashboard under 20 concurrent users
(locust), and the same core aggregates computed by DuckDB from Parquet.

    .venv/bin/python bench/metrics_rollups.py --messages 10000000 --db both
    .venv/bin/python bench/metrics_rollups.py --quick --db sqlite --no-write     # a check in minutes

The simulated file is split in two: the main import (everything before 20:00 of the last
day, less a share of the previous week's messages) and the batch (the rest of the last
day, then the held-back messages: late events touching old conversations). Raw outputs go
to bench/out/; the tables are appended to docs/benchmarks.md (``--no-write``: printed only).
Needs the ``bench`` extra (``pip install -e '.[bench]'``); PostgreSQL on 127.0.0.1 with
trust auth for user postgres.
"""

import argparse
import datetime
import gzip
import json
import math
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from import_throughput import KEFU, PG_BENCH, ROOT, fresh_env, free_port, machine

from duckdb_core import duckdb_run

PYTHON = str(ROOT / ".venv" / "bin" / "python")
STEPS = str(ROOT / "bench" / "kefu_steps.py")
OUT = ROOT / "bench" / "out"
# Messages per agent per unit of scale over 30 days (kefu simulate, one shop, measured).
MESSAGES_PER_AGENT_30D = 16_000
SUPERVISOR = ("bench", "bench-Password-1")
STAGES = ("import", "rebuild", "refresh", "metrics", "dashboard", "duckdb")


def log(text: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {text}", file=sys.stderr, flush=True)


def run(args, env, **kw) -> subprocess.CompletedProcess:
    result = subprocess.run(args, env=env, text=True, capture_output=True, **kw)
    if result.returncode:
        raise RuntimeError(f"{' '.join(map(str, args))} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result


def step(env, name: str, *args, prefix=()) -> dict:
    """A step of bench/kefu_steps.py in its own process; its JSON answer."""
    out = run([*prefix, PYTHON, STEPS, name, *map(str, args)], env).stdout
    return json.loads(next(line for line in reversed(out.splitlines()) if line.startswith("{")))


# ---- the data set ---------------------------------------------------------------------


def simulate(args) -> tuple[Path, dict]:
    path = OUT / f"sim-h{args.shops}-a{args.agents}-s{args.scale}-d{args.days}-e{args.end}.jsonl.gz"
    command = [KEFU, "simulate", "--shops", str(args.shops), "--agents", str(args.agents), "--days", str(args.days),
               "--scale", str(args.scale), "--seed", "1", "--end", args.end.isoformat(), "--out", str(path)]
    info = {"command": " ".join(["kefu", *command[1:]]).replace(str(ROOT) + "/", "")}
    if not path.exists():
        start = time.perf_counter()
        result = run(command, dict(os.environ))
        info["seconds"] = time.perf_counter() - start
        info["printed"] = result.stderr.strip()
        log(f"simulated {path.name}: {result.stderr.strip()}")
    return path, info


def split(path: Path, args) -> dict:
    """Main import and batch files; see the module docstring."""
    tz = datetime.timezone(datetime.timedelta(hours=8))  # the simulated shops' Asia/Shanghai (no DST)
    hh, mm = map(int, args.batch_from.split(":"))
    cutoff = datetime.datetime.combine(args.end, datetime.time(hh, mm), tzinfo=tz)
    day_start = datetime.datetime.combine(args.end, datetime.time(0), tzinfo=tz)
    late_from = day_start - datetime.timedelta(days=7)
    stem = path.name.removesuffix(".jsonl.gz") + f"-cut{hh:02d}{mm:02d}-late{args.late}"
    main, batch = OUT / f"{stem}-main.jsonl.gz", OUT / f"{stem}-batch.jsonl.gz"
    meta_path = OUT / f"{stem}-split.json"
    if main.exists() and batch.exists() and meta_path.exists():
        return json.loads(meta_path.read_text())
    rng = random.Random(1)
    counts = {"main_records": 0, "main_messages": 0, "batch_records": 0, "batch_messages": 0, "late_messages": 0}
    held: list[bytes] = []
    in_batch = False
    key = b'"sent_at":"'
    with gzip.open(path, "rb") as source, gzip.open(main, "wb", compresslevel=1) as main_out, \
            gzip.open(batch, "wb", compresslevel=1) as batch_out:
        for line in source:
            is_message = line.startswith(b'{"type":"message"')
            if is_message and not in_batch:
                at = line.index(key) + len(key)
                sent_at = datetime.datetime.fromisoformat(line[at:line.index(b'"', at)].decode())
                if sent_at >= cutoff:
                    in_batch = True
                elif late_from <= sent_at < day_start and rng.random() < args.late:
                    held.append(line)
                    continue
            if in_batch:
                batch_out.write(line)
                counts["batch_records"] += 1
                counts["batch_messages"] += is_message
            else:
                main_out.write(line)
                counts["main_records"] += 1
                counts["main_messages"] += is_message
        batch_out.writelines(held)
    counts["batch_records"] += len(held)
    counts["batch_messages"] += len(held)
    counts["late_messages"] = len(held)
    meta = {"main": str(main), "batch": str(batch), "cutoff": cutoff.isoformat(), "late_from": late_from.isoformat(),
            **counts}
    meta_path.write_text(json.dumps(meta, indent=1))
    return meta


# ---- one database ---------------------------------------------------------------------


def kefu_import(path: str, env) -> dict:
    start = time.perf_counter()
    result = run([KEFU, "import", path, "--format", "json", "--no-progress"], env)
    seconds = time.perf_counter() - start
    summary = json.loads(result.stdout)
    assert not summary["rejected"], summary["rejected"][:3]
    return {"seconds": seconds, "records": summary.get("records")}


def profile_prefix(database: str) -> tuple[list[str], Path | None]:
    spy = shutil.which("py-spy") or str(ROOT / ".venv" / "bin" / "py-spy")
    if not Path(spy).exists():
        return [], None
    target = OUT / f"rebuild-{database}.folded"
    return [spy, "record", "--idle", "--rate", "20", "--format", "raw", "--output", str(target), "--"], target


def _frame(frame: str) -> str:
    """``name (/long/path/site-packages/pkg/mod.py:123)`` -> ``name (pkg/mod.py)``: one entry per function."""
    frame = re.sub(r":\d+\)$", ")", frame)
    return re.sub(r"\((?:[^()]*/(?:site-packages|main|lib/python3\.\d+)/)", "(", frame)


def profile_summary(folded: Path, top: int = 25) -> dict:
    """Share of the wall time (py-spy samples, idle included) spent in each function, inclusive, and leaves."""
    inclusive: dict[str, int] = {}
    leaf: dict[str, int] = {}
    total = 0
    for line in folded.read_text().splitlines():
        stack, _sep, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [_frame(frame) for frame in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + n
        leaf[frames[-1]] = leaf.get(frames[-1], 0) + n

    def ranked(shares: dict) -> list:
        return [(k, round(v / total, 3)) for k, v in sorted(shares.items(), key=lambda kv: -kv[1])[:top]]

    return {"samples": total, "inclusive": ranked(inclusive), "leaf": ranked(leaf)}


def metrics_cli(env, first: datetime.date, end: datetime.date, repeat: int) -> dict:
    out = {}
    for by in ("agent", "none", "day"):
        times, rows = [], 0
        for _ in range(repeat):
            start = time.perf_counter()
            result = run([KEFU, "metrics", "--from", first.isoformat(), "--to", end.isoformat(), "--by", by,
                          "--format", "json"], env)
            times.append(time.perf_counter() - start)
            rows = len(json.loads(result.stdout))
        out[by] = {"rows": rows, "seconds": times, "median": statistics.median(times)}
    return out


def wait_port(port: int, process) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError("the server stopped")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            time.sleep(1)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def dashboard_figures(port: int) -> dict:
    """Log in and read the dashboard once: what it showed (today's conversations ...)."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    page = opener.open(base + "/login/", timeout=60).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": SUPERVISOR[0], "password": SUPERVISOR[1],
                                   "csrfmiddlewaretoken": token}).encode()
    opener.open(urllib.request.Request(base + "/login/", data=data, headers={"Referer": base + "/login/"}),
                timeout=60).read()
    start = time.perf_counter()
    html = opener.open(base + "/metrics/", timeout=120).read().decode()
    seconds = time.perf_counter() - start
    figures = dict(re.findall(r'data-figure="([a-z_]+)">(?:<a [^>]*>)?\s*([^<]*?)\s*<', html))
    session = next(cookie.value for cookie in jar if cookie.name == "sessionid")
    return {"first_view_seconds": seconds, "figures": figures, "bytes": len(html), "session": session}


def locust(port: int, name: str, *, users: int, wait: str, duration: str, env, session: str) -> dict:
    prefix = OUT / f"locust-{name}"
    locust_env = {**env, "KEFU_BENCH_USER": SUPERVISOR[0], "KEFU_BENCH_PASSWORD": SUPERVISOR[1],
                  "KEFU_BENCH_WAIT": wait, "KEFU_BENCH_SESSION": session}
    command = [str(ROOT / ".venv" / "bin" / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
               "-u", str(users), "-r", "5", "-t", duration, "--host", f"http://127.0.0.1:{port}", "--csv",
               str(prefix), "--only-summary"]
    ran = subprocess.run(command, env=locust_env, text=True, capture_output=True, timeout=900)
    Path(f"{prefix}.log").write_text(ran.stdout + ran.stderr)
    import csv

    with open(f"{prefix}_stats.csv") as f:
        row = next(r for r in csv.DictReader(f) if r["Name"] == "dashboard")
    return {
        "users": users, "wait": wait, "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
        "rps": float(row["Requests/s"]), "p50": float(row["50%"]), "p95": float(row["95%"]),
        "p99": float(row["99%"]), "mean": float(row["Average Response Time"]), "max": float(row["Max Response Time"]),
    }


def dashboard(env, args, database: str) -> dict:
    step(env, "supervisor", *SUPERVISOR)
    step(env, "clear-marks")  # nothing queued for the server's worker to pick up meanwhile
    duration = "15s" if args.quick else args.duration
    out = {}
    runs = [
        ("real clock", [KEFU, "serve"], [(args.users, "1-3")]),
        (f"clock at {args.end}T21:00+08:00", [PYTHON, str(ROOT / "bench" / "serve_at.py"),
                                                f"{args.end}T21:00:00+08:00"],
         [(1, "0"), (args.users, "1-3"), (args.users, "0")]),
    ]
    for clock, server_command, loads in runs:
        port = free_port()
        server = subprocess.Popen([*server_command, "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            wait_port(port, server)
            shown = dashboard_figures(port)
            results = []
            for users, wait in loads:
                name = f"{database}-{'real' if clock == 'real clock' else 'shifted'}-u{users}-w{wait}"
                results.append(locust(port, name, users=users, wait=wait, duration=duration, env=env,
                                      session=shown["session"]))
                log(f"  dashboard {clock}, {users} users, wait {wait}: {results[-1]}")
            out[clock] = {"shown": shown, "loads": results}
        finally:
            server.terminate()
            server.wait(timeout=30)
    return out


def drop(database: str, env) -> None:
    shutil.rmtree(env["KEFU_DATA_DIR"], ignore_errors=True)
    if database == "postgresql":
        import psycopg

        with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS kefu_bench")


def resumed_env(database: str, args) -> dict:
    """The environment of a kept database (``--resume``): its import, rebuild and refresh are done."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["KEFU_DATA_DIR"] = args.resume
    if database == "postgresql":
        env["DATABASE_URL"] = PG_BENCH
    return env


def _import_rebuild_refresh(result: dict, env, database: str, split_meta: dict, args, dump: Path) -> None:
    log(f"{database}: importing {split_meta['main_records']:,} records")
    result["import_main"] = kefu_import(split_meta["main"], env)
    result["counts_main"] = step(env, "counts")
    result["cleared"] = step(env, "clear-marks")
    log(f"{database}: imported in {result['import_main']['seconds']:.0f} s; {result['counts_main']['messages']:,}"
        f" messages; marks {result['cleared']}")

    prefix, folded = profile_prefix(database) if args.profile else ([], None)
    result["rebuild"] = step(env, "rebuild", prefix=prefix)
    if folded and folded.exists():
        result["rebuild_profile"] = profile_summary(folded)
    log(f"{database}: rebuild {result['rebuild']['seconds']:.1f} s {result['rebuild']['phases']}")

    result["import_batch"] = kefu_import(split_meta["batch"], env)
    result["refresh"] = step(env, "refresh")
    result["counts"] = step(env, "counts")
    log(f"{database}: refresh {result['refresh']['seconds']:.1f} s {result['refresh']['done']}")
    dump.write_text(json.dumps(result, indent=1, default=str))



def bench_database(database: str, split_meta: dict, args) -> dict:
    result: dict = {"database": database}
    dump = OUT / f"metrics-rollups-{database}.json"
    if args.resume:
        env = resumed_env(database, args)
        result = json.loads(dump.read_text())
    else:
        env = fresh_env(database)
    env["KEFU_TASKS"] = "database"  # imports queue the refresh; no worker runs it
    first = args.end - datetime.timedelta(days=args.days - 1)
    end = args.end + datetime.timedelta(days=1)
    parquet = Path(tempfile.mkdtemp(prefix="kefu-parquet-"))
    try:
        if not args.resume:
            _import_rebuild_refresh(result, env, database, split_meta, args, dump)
        result["metrics_cli"] = metrics_cli(env, first, end, args.repeat)
        result["metrics_compute"] = step(env, "metrics", first, end, args.repeat)
        log(f"{database}: metrics cli {({k: round(v['median'], 2) for k, v in result['metrics_cli'].items()})}"
            f" compute {({k: round(v['median'], 2) for k, v in result['metrics_compute'].items()})}")
        dump.write_text(json.dumps(result, indent=1, default=str))

        if "dashboard" in args.stages:
            result["dashboard"] = dashboard(env, args, database)
            dump.write_text(json.dumps(result, indent=1, default=str))

        if "duckdb" in args.stages:
            result["export"] = step(env, "export", parquet)
            result["kefu_facts"] = step(env, "facts", parquet)
            log(f"{database}: exported in {result['export']['seconds_total']:.1f} s")
            result["duckdb"] = duckdb_run(parquet, repeat=max(3, args.repeat))
            result["duckdb"]["ratio"] = result["rebuild"]["seconds"] / result["duckdb"]["median"]
            log(f"{database}: duckdb {result['duckdb']['median']:.2f} s; compare {result['duckdb']['compare']}")
        dump.write_text(json.dumps(result, indent=1, default=str))
    finally:
        shutil.rmtree(parquet, ignore_errors=True)
        if not args.keep:
            drop(database, env)
        else:
            result["kept"] = {k: env.get(k) for k in ("KEFU_DATA_DIR", "DATABASE_URL")}
            dump.write_text(json.dumps(result, indent=1, default=str))
    return result


# ---- the write-up ---------------------------------------------------------------------


def markdown(results: list[dict], args, sim: dict, split_meta: dict) -> str:
    first = args.end - datetime.timedelta(days=args.days - 1)
    end = args.end + datetime.timedelta(days=1)
    c = results[0]["counts"]
    lines = [
        f"### Metric rollups — {datetime.date.today().isoformat()}",
        "",
        f"Machine: {machine()}. Shared with other work while it ran: expect noise.",
        f"Data set: `{sim['command']}` — {split_meta['main_records'] + split_meta['batch_records']:,} records,"
        f" {c['messages']:,} messages, {c['conversations']:,} conversations, {c['shops']} shops, {c['agents']} agents,"
        f" {args.days} days ({first} to {args.end}, 双11 on the 11th). Main import: everything before"
        f" {split_meta['cutoff'][11:16]} of the last day ({split_meta['main_records']:,} records), with"
        f" {split_meta['late_messages']:,} messages of the 7 days before held back; batch: the rest of the last day"
        f" then the held-back messages (late events on old conversations) — {split_meta['batch_records']:,} records,"
        f" {split_meta['batch_messages']:,} messages.",
        f"Command: `.venv/bin/python bench/metrics_rollups.py {' '.join(sys.argv[1:])}`; imports with"
        " `KEFU_TASKS=database` (the refresh is only queued; no worker runs), then the queued marks and tasks are"
        " deleted before timing `rollups_rebuild()`.",
        "",
        "Rebuild from scratch (`rollups_rebuild()`, one process):",
        "",
        "| database | main import s | conversation facts | burst facts | rebuild s | conversations pass s"
        " | customers pass s | reviews, after-sales s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        rb = r["rebuild"]
        lines.append(
            f"| {r['database']} | {r['import_main']['seconds']:.0f} | {rb['facts']['ConversationFact']:,} |"
            f" {rb['facts']['BurstFact']:,} | {rb['seconds']:.1f} |"
            f" {rb['phases'].get('conversation_facts_rebuild', 0):.1f} |"
            f" {rb['phases'].get('customer_facts_rebuild', 0):.1f} |"
            f" {rb['phases'].get('review_aftersale_facts_rebuild_all', 0):.1f} |")
    lines += ["", "Refresh after the batch (`kefu import` of the batch, then `rollups_refresh()`):", "",
              "| database | batch records | messages (late) | import s | marks drained | conversations | customers"
              " | orders | refresh s |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        rf = r["refresh"]
        lines.append(
            f"| {r['database']} | {split_meta['batch_records']:,} | {split_meta['batch_messages']:,}"
            f" ({split_meta['late_messages']:,}) | {r['import_batch']['seconds']:.1f} | {rf['marks_total']:,} |"
            f" {rf['done']['conversations']:,} | {rf['done']['customers']:,} | {rf['done']['orders']:,} |"
            f" {rf['seconds']:.1f} |")
    lines += ["", f"`kefu metrics --from {first} --to {end} --by B --format json` (wall time, process start"
              f" included) and `metrics_compute(start, end, by=B)` in-process; median of {args.repeat}:", "",
              "| database | by | rows | kefu metrics s | metrics_compute s |", "|---|---|---:|---:|---:|"]
    for r in [r for r in results if "metrics_cli" in r]:
        for by in ("agent", "none", "day"):
            cli, comp = r["metrics_cli"][by], r["metrics_compute"][by]
            lines.append(f"| {r['database']} | {by} | {cli['rows']} | {cli['median']:.2f} | {comp['median']:.2f} |")
    if any("dashboard" in r for r in results):
        lines += ["", f"Dashboard `/metrics/` as a supervisor (all shops), `kefu serve` (one process), locust"
                  f" headless, ramp 5 users/s, {'15s' if args.quick else args.duration} per load; think time 1-3 s"
                  " or none (a closed loop: what one server process can take):", "",
                  "| database | clock | users | think s | requests | failures | req/s | p50 ms | p95 ms | p99 ms |",
                  "|---|---|---:|---|---:|---:|---:|---:|---:|---:|"]
        for r in results:
            for clock, run_ in r.get("dashboard", {}).items():
                for load in run_["loads"]:
                    lines.append(
                        f"| {r['database']} | {clock} | {load['users']} | {load['wait']} | {load['requests']:,} |"
                        f" {load['failures']} | {load['rps']:.1f} | {load['p50']:.0f} | {load['p95']:.0f} |"
                        f" {load['p99']:.0f} |")
        for r in results:
            for clock, run_ in r.get("dashboard", {}).items():
                shown = run_["shown"]["figures"]
                lines.append("")
                lines.append(f"{r['database']}, {clock}: the dashboard showed {shown.get('conversations', '?')}"
                             f" conversations today so far, {shown.get('unanswered_conversations', '?')} unanswered"
                             f" (first view {run_['shown']['first_view_seconds'] * 1000:.0f} ms).")
    duck = next((r for r in results if "duckdb" in r), None)
    if duck:
        lines += ["", "DuckDB: messages and conversations exported to Parquet from the database, then the core"
                  " aggregates per agent and shop-day (received conversations, bursts, answered bursts, mean response"
                  " time; `bench/duckdb_core.py`) computed from the Parquet files, median of"
                  f" {max(3, args.repeat)}; every group compared with Kefu's facts:", "",
                  "| database | export s | Parquet MB | DuckDB s | Kefu rebuild s | rebuild / DuckDB | groups"
                  " | groups differing |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for r in results:
            if "duckdb" not in r:  # same raw data: the DuckDB figure of the other database's export
                d = duck["duckdb"]
                lines.append(
                    f"| {r['database']} | (the {duck['database']} export) | | {d['median']:.2f} |"
                    f" {r['rebuild']['seconds']:.1f} | {r['rebuild']['seconds'] / d['median']:.0f}× | | |")
                continue
            d, e = r["duckdb"], r["export"]
            lines.append(
                f"| {r['database']} | {e['seconds_total']:.1f} | {sum(e['bytes'].values()) / 1e6:.0f} |"
                f" {d['median']:.2f} | {r['rebuild']['seconds']:.1f} | {d['ratio']:.0f}× | {d['groups']:,} |"
                f" {d['compare']['groups_differing']} |")
    lines.append("")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--messages", type=int, default=10_000_000, help="at least this many messages (sets --scale)")
    parser.add_argument("--shops", type=int, default=3)
    parser.add_argument("--agents", type=int, default=100, help="per shop")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--scale", type=float, help="default: from --messages")
    parser.add_argument("--end", type=datetime.date.fromisoformat, default=datetime.date(2026, 11, 24),
                        help="last day (the dashboard's today, shop time)")
    parser.add_argument("--batch-from", default="20:00", help="the batch starts at this time of the last day")
    parser.add_argument("--late", type=float, default=0.001,
                        help="share of the 7 previous days' messages held back to the batch")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", default="60s")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stages", default=",".join(STAGES), help="dashboard and duckdb may be left out")
    parser.add_argument("--no-profile", dest="profile", action="store_false", help="no py-spy on the rebuild")
    parser.add_argument("--quick", action="store_true", help="1 shop, 10 agents: a check of the scripts")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--no-write", action="store_true", help="do not append to docs/benchmarks.md")
    parser.add_argument("--resume", metavar="KEFU_DATA_DIR",
                        help="go on with a kept database (one --db) whose import, rebuild and refresh are done")
    parser.add_argument("--report", action="store_true",
                        help="only write the tables from bench/out/metrics-rollups-<db>.json")
    args = parser.parse_args()
    if args.quick:
        args.shops, args.agents, args.scale = 1, 10, args.scale or 1.0
    if args.scale is None:
        per = MESSAGES_PER_AGENT_30D * args.shops * args.agents * args.days / 30
        args.scale = math.ceil(10 * args.messages / per) / 10
    args.stages = set(args.stages.split(","))
    OUT.mkdir(exist_ok=True)

    path, sim = simulate(args)
    split_meta = split(path, args)
    log(f"split: {split_meta}")
    results = []
    for database in (["sqlite", "postgresql"] if args.db == "both" else [args.db]):
        if args.report:
            results.append(json.loads((OUT / f"metrics-rollups-{database}.json").read_text()))
        else:
            results.append(bench_database(database, split_meta, args))
    total = results[0]["counts"]["messages"]
    if total < args.messages and not args.quick:
        log(f"WARNING: {total:,} messages, fewer than --messages {args.messages:,}: raise --scale")
    table = markdown(results, args, sim, split_meta)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M")
    (OUT / f"metrics-rollups-{stamp}.json").write_text(json.dumps(
        {"args": {k: str(v) for k, v in vars(args).items()}, "simulate": sim, "split": split_meta,
         "results": results}, indent=1, default=str))
    (OUT / f"metrics-rollups-{stamp}.md").write_text(table)
    print(table)
    if not args.no_write:
        with (ROOT / "docs" / "benchmarks.md").open("a") as f:
            f.write("\n" + table)


if __name__ == "__main__":
    main()
