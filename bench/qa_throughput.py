"""Quality-inspection throughput (not a test): a simulated 双11 day (>= 50,000
conversations, >= 1M messages) inspected with every built-in rule on, on SQLite.

    .venv/bin/python bench/qa_throughput.py [--agents 100] [--scale 2.5] [--profile]

Simulates the day, imports it (KEFU_TASKS=database: no rollup work during the import),
builds the rollups, then times ``inspect_conversations`` over every conversation of the
day in a fresh process (saving inspections and findings, as the background task does).
Prints a Markdown table; append it to docs/benchmarks.md by hand with the reading.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEFU = str(ROOT / ".venv" / "bin" / "kefu")
PYTHON = str(ROOT / ".venv" / "bin" / "python")

INSPECT = r"""
import json, os, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.db.models import Count
from kefu.metrics.models import ConversationFact
from kefu.qa.inspector import inspect_conversations
from kefu.qa.models import Finding, Inspection

ids = list(ConversationFact.objects.order_by("start").values_list("pk", flat=True))
started = time.perf_counter()
inspect_conversations(ids)
seconds = time.perf_counter() - started
by_rule = dict(Finding.objects.values_list("rule_key").annotate(n=Count("pk")).order_by("rule_key"))
print(json.dumps({"conversations": len(ids), "seconds": seconds, "inspections": Inspection.objects.count(),
                  "findings": Finding.objects.count(), "by_rule": by_rule}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--scale", type=float, default=2.5)
    parser.add_argument("--day", default="2026-11-11")
    parser.add_argument("--profile", action="store_true", help="write a cProfile of the inspection")
    args = parser.parse_args()
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(KEFU_DATA_DIR=tempfile.mkdtemp(prefix="kefu-qa-bench-"), KEFU_TASKS="database")
    day_file = out / f"qa-day-a{args.agents}-s{args.scale}.jsonl.gz"
    if not day_file.exists():
        subprocess.run([KEFU, "simulate", "--agents", str(args.agents), "--days", "1", "--scale", str(args.scale),
                        "--seed", "11", "--end", args.day, "--promo-day", args.day, "--out", str(day_file)],
                       env=env, check=True)
    subprocess.run([KEFU, "migrate", "-v0"], env=env, check=True)
    started = time.perf_counter()
    subprocess.run([KEFU, "import", str(day_file), "--no-progress", "--format", "json"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    imported = time.perf_counter() - started
    started = time.perf_counter()
    subprocess.run([PYTHON, "-c", "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','config.settings');"
                    "django.setup();from kefu.metrics.rollups import rollups_refresh;rollups_refresh()"],
                   env=env, check=True, cwd=ROOT)
    rollups = time.perf_counter() - started
    script = out / "qa_inspect_run.py"
    script.write_text(INSPECT)
    command = [PYTHON, str(script)]
    if args.profile:
        command = [PYTHON, "-m", "cProfile", "-o", str(out / "qa-inspect.prof"), str(script)]
    result = subprocess.run(command, env=env, check=True, cwd=ROOT, capture_output=True, text=True)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    messages = subprocess.run(
        [PYTHON, "-c", "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','config.settings');"
         "django.setup();from kefu.conversations.models import Message;print(Message.objects.count())"],
        env=env, check=True, cwd=ROOT, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]
    rate = figures["conversations"] / figures["seconds"]
    print(f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}")
    print(f"Day: {day_file.name}: {figures['conversations']:,} conversations, {int(messages):,} messages; "
          f"import {imported:.0f} s, rollups {rollups:.0f} s")
    print()
    print("| conversations | messages | seconds | conversations/s | messages/s | findings |")
    print("|---:|---:|---:|---:|---:|---:|")
    print(f"| {figures['conversations']:,} | {int(messages):,} | {figures['seconds']:.1f} | {rate:,.0f} | "
          f"{int(messages) / figures['seconds']:,.0f} | {figures['findings']:,} |")
    print()
    print("Findings by rule: " + ", ".join(f"{k} {v:,}" for k, v in figures["by_rule"].items()))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
