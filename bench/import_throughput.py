"""Import throughput benchmark (not a test): a simulated 双11-scale file of ~1M messages
imported into SQLite and into PostgreSQL, through ``kefu import`` and through the API.

    .venv/bin/python bench/import_throughput.py [--scale 8] [--days 3] [--agents 120] [--skip-api]

Prints a Markdown table and appends it, with the date and the machine, to docs/benchmarks.md.
Each import starts from an empty database; the rate counts every record of the file
(all types) over the wall time of the whole import, start-up included.
"""

import argparse
import datetime
import gzip
import http.client
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEFU = str(ROOT / ".venv" / "bin" / "kefu")
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "postgres://postgres@127.0.0.1:5432/kefu_bench"


def sh(args, env, **kw):
    return subprocess.run(args, env=env, check=True, text=True, capture_output=True, **kw)


def fresh_env(database: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["KEFU_DATA_DIR"] = tempfile.mkdtemp(prefix="kefu-bench-")
    if database == "postgresql":
        import psycopg

        with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS kefu_bench")
            conn.execute("CREATE DATABASE kefu_bench")
        env["DATABASE_URL"] = PG_BENCH
    sh([KEFU, "migrate", "-v0"], env)
    return env


def count_records(path: Path) -> dict:
    counts: dict[str, int] = {}
    with gzip.open(path, "rb") as f:
        for line in f:
            kind = json.loads(line)["type"]
            counts[kind] = counts.get(kind, 0) + 1
    return counts


def bench_cli(path: Path, database: str) -> float:
    env = fresh_env(database)
    start = time.perf_counter()
    result = subprocess.run([KEFU, "import", str(path), "--format", "json", "--no-progress"], env=env,
                            text=True, capture_output=True)
    seconds = time.perf_counter() - start
    summary = json.loads(result.stdout)
    assert not summary["rejected"], summary["rejected"][:3]
    shutil.rmtree(env["KEFU_DATA_DIR"], ignore_errors=True)
    return seconds


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_api(path: Path, database: str, *, workers: int, batch: int = 10_000) -> float:
    """POST the file in batches over ``workers`` keep-alive connections to ``workers`` server processes."""
    env = fresh_env(database)
    token = sh([KEFU, "token", "create", "--admin", "--name", "bench"], env).stdout.strip().splitlines()[-1]
    port = free_port()
    server = subprocess.Popen([KEFU, "serve", "--port", str(port), "--workers", str(workers)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(1)  # every worker up
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}
        local = threading.local()

        def send(lines):
            if not hasattr(local, "conn"):
                local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            _post(local.conn, headers, lines)

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool, gzip.open(path, "rb") as f:
            pending = set()
            lines = []
            for line in f:
                lines.append(line)
                if len(lines) == batch:
                    pending.add(pool.submit(send, lines))
                    lines = []
                    if len(pending) >= 2 * workers:  # bounded: do not read the whole file ahead
                        done, pending = wait(pending, return_when=FIRST_COMPLETED)
                        for future in done:
                            future.result()
            if lines:
                pending.add(pool.submit(send, lines))
            for future in pending:
                future.result()
        seconds = time.perf_counter() - start
        check = ("from kefu.conversations.models import Message; from kefu.intake.selectors import unresolved_counts; "
                 "print(Message.objects.count(), sum(unresolved_counts().values()))")
        stored, unresolved = map(int, sh([KEFU, "shell", "-v0", "-c", check], env).stdout.split()[-2:])
        print(f"  API check: {stored:,} messages stored, {unresolved} records unresolved", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(env["KEFU_DATA_DIR"], ignore_errors=True)
    return seconds


def _post(conn, headers, lines):
    conn.request("POST", "/api/v1/events", body=b"".join(lines), headers=headers)
    response = conn.getresponse()
    raw = response.read()
    assert response.status == 200, (response.status, raw[:300])
    body = json.loads(raw)
    assert not body["rejected"], body["rejected"][:3]


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))) / 1024 / 1024
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, Python {platform.python_version()}, {pg}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--skip-api", action="store_true")
    parser.add_argument("--api-workers", type=int, default=2,
                        help="PostgreSQL: server processes and client connections (SQLite, one writer at a time: 1)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--routes", default="kefu import,API", help="comma-separated: kefu import, API")
    parser.add_argument("--no-write", action="store_true", help="do not append to docs/benchmarks.md")
    args = parser.parse_args()

    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    path = out / f"events-s{args.scale}-d{args.days}-a{args.agents}.jsonl.gz"
    if not path.exists():
        start = time.perf_counter()
        sh([KEFU, "simulate", "--agents", str(args.agents), "--days", str(args.days), "--scale", str(args.scale),
            "--seed", "1", "--end", "2026-11-15", "--out", str(path)], dict(os.environ))
        print(f"simulated {path.name} in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    counts = count_records(path)
    total = sum(counts.values())
    print(f"{total:,} records, {counts.get('message', 0):,} messages", file=sys.stderr)

    rows = []
    for database in args.databases.split(","):
        for route in [r for r in args.routes.split(",") if not (args.skip_api and r == "API")]:
            seconds = bench_cli(path, database) if route == "kefu import" else bench_api(path, database, workers=args.api_workers if database == "postgresql" else 1)
            rows.append((database, route, seconds, total / seconds))
            print(f"{database:<10} {route:<12} {seconds:7.1f} s  {total / seconds:9,.0f} records/s", file=sys.stderr)

    lines = [
        f"### Import throughput — {datetime.date.today().isoformat()}",
        "",
        f"Machine: {machine()}.",
        f"File: `kefu simulate --agents {args.agents} --days {args.days} --scale {args.scale} --seed 1 --end 2026-11-15`"
        f" — {total:,} records ({counts.get('message', 0):,} messages), gzip JSONL. Empty database each run;"
        " wall time of the whole import, start-up included. API: batches of 10,000 JSON Lines over keep-alive"
        " connections to `kefu serve`: one connection and one server process on SQLite (one writer at a time),"
        f" {args.api_workers} of each on PostgreSQL.",
        "",
        "| database | route | seconds | records/s |",
        "|---|---|---:|---:|",
        *[f"| {db} | {route} | {seconds:.1f} | {rate:,.0f} |" for db, route, seconds, rate in rows],
        "",
    ]
    table = "\n".join(lines)
    print(table)
    if not args.no_write:
        doc = ROOT / "docs" / "benchmarks.md"
        if not doc.exists():
            doc.write_text("# Benchmarks\n\nResults of the scripts in `bench/`, newest last. These machines are"
                           " noisy: compare figures measured in one run.\n\n")
        with doc.open("a") as f:
            f.write(table + "\n")


if __name__ == "__main__":
    main()
