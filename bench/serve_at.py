"""``kefu serve`` with its clock moved to a given moment (benchmarks only).

The dashboard shows "today so far": to load it with a full day of data whatever the time
of the run, the server's ``django.utils.timezone.now`` is shifted by a fixed offset so
that it reads MOMENT when the server starts (and runs on from there).

    .venv/bin/python bench/serve_at.py 2026-11-24T21:00:00+08:00 --port 8000
"""

import os
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

moment = datetime.fromisoformat(sys.argv[1])
_real_now = timezone.now
offset = moment - _real_now()
timezone.now = lambda: _real_now() + offset
# The background worker stays off: its periodic ticks have nothing to do with the load test.
call_command("serve", *sys.argv[2:], "--no-worker")
