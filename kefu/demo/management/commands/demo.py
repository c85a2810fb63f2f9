"""``kefu demo``: set up the embedded database with a simulated shop, print the logins, serve."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from kefu.demo.services import demo_data_ensure, demo_live_ensure, demo_logins_ensure


class Command(BaseCommand):
    help = "Migrate, simulate and import a demo shop (once), create demo logins, and start the server."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--fresh", action="store_true", help="simulate and import the demo data again")
        parser.add_argument("--agents", type=int, default=12, help="agents of the simulated shop")
        parser.add_argument("--days", type=int, default=14, help="days simulated, ending now")
        parser.add_argument("--no-serve", action="store_true", help="prepare everything but do not start the server")

    def handle(self, *args, port, host, fresh, agents, days, no_serve, **options):
        started = time.monotonic()
        self.stdout.write("1/3 Migrating the database ...")
        call_command("migrate", verbosity=0, interactive=False)
        self.stdout.write("2/3 Simulating and importing the demo shop ...")
        summary = demo_data_ensure(agents=agents, days=days, fresh=fresh)
        if summary is None:
            self.stdout.write("    demo data already there: reused (kefu demo --fresh to simulate again)")
        else:
            created = sum(summary.created.values())
            self.stdout.write(f"    imported {created:,} records ({len(summary.rejected)} rejected)")
        self.stdout.write("3/3 Demo logins:")
        for login in demo_logins_ensure():
            self.stdout.write(f"    {login.role:<11} user: {login.username:<8} password: {login.password}")
        for address in demo_live_ensure():
            self.stdout.write(f"    customer chat widget (log in as kefu01 and set yourself online to answer): "
                              f"http://{host}:{port}{address}")
        self.stdout.write(f"Ready in {time.monotonic() - started:.0f} s.")
        if not no_serve:
            call_command("serve", host=host, port=port)
