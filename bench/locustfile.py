"""Load test of the supervisor's dashboard (``/metrics/``): each simulated user logs in
once, then opens the dashboard again and again.

    KEFU_BENCH_USER=bench KEFU_BENCH_PASSWORD=... KEFU_BENCH_WAIT=1-3 \\
        .venv/bin/locust -f bench/locustfile.py --headless -u 20 -r 5 -t 60s \\
        --host http://127.0.0.1:8000 --csv bench/out/dashboard

``KEFU_BENCH_WAIT``: think time between two page views, "MIN-MAX" seconds ("0": none, a
closed loop that measures what the server can take). ``KEFU_BENCH_PATH``: the page
(default ``/metrics/``). ``KEFU_BENCH_SESSION``: a session id to use instead of logging in
(every user then shares one login: logging 20 users in at once measures password hashing).
Run by ``bench/metrics_rollups.py``; only ever against loopback.
"""

import os
import re

from locust import HttpUser, between, constant, task

PATH = os.environ.get("KEFU_BENCH_PATH", "/metrics/")
USER = os.environ.get("KEFU_BENCH_USER", "bench")
PASSWORD = os.environ.get("KEFU_BENCH_PASSWORD", "bench-password")
_low, _sep, _high = os.environ.get("KEFU_BENCH_WAIT", "1-3").partition("-")
SESSION = os.environ.get("KEFU_BENCH_SESSION", "")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Supervisor(HttpUser):
    wait_time = between(float(_low), float(_high or _low)) if float(_high or _low) > 0 else constant(0)

    def on_start(self):
        if SESSION:  # a session opened beforehand: 20 password hashes at once would load the server
            self.client.cookies.set("sessionid", SESSION, domain="127.0.0.1")
            return
        page = self.client.get("/login/", name="login form")
        token = CSRF.search(page.text)
        response = self.client.post(
            "/login/",
            data={"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1) if token else ""},
            headers={"Referer": self.host + "/login/"},
            name="login",
        )
        if "/login/" in response.url:
            raise RuntimeError(f"login as {USER!r} failed (status {response.status_code})")

    @task
    def dashboard(self):
        with self.client.get(PATH, name="dashboard", catch_response=True) as response:
            if response.status_code != 200 or "/login/" in response.url:
                response.failure(f"status {response.status_code} at {response.url}")
