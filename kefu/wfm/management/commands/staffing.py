"""``kefu staffing``: agents needed for an interval (Erlang C with chat concurrency), optionally simulated."""

import orjson
from django.core.management.base import BaseCommand, CommandError

from kefu.wfm.staffing import (
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_OCCUPANCY,
    DEFAULT_SHRINKAGE,
    StaffingInputError,
    staffing_required,
)


class Command(BaseCommand):
    help = (
        "Agents needed in one interval to reach a service level, by Erlang C over agent × concurrency "
        "slots, with occupancy cap and shrinkage; --simulate checks it by discrete-event simulation."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--volume", type=float, required=True, help="conversations arriving in the interval")
        parser.add_argument("--interval-minutes", type=float, default=30)
        parser.add_argument("--aht", type=float, required=True, help="average handle time, seconds")
        parser.add_argument("--target-sl", type=float, required=True, help="share answered in time, e.g. 0.8")
        parser.add_argument("--target-seconds", type=float, required=True, help="answer within this many seconds")
        parser.add_argument(
            "--concurrency", type=int, default=DEFAULT_CONCURRENCY, help="chats an agent holds at once"
        )
        parser.add_argument(
            "--concurrency-inflation",
            type=float,
            default=0.0,
            help="each extra concurrent chat lengthens handle time by this share "
            "(0: --aht is already measured under concurrency)",
        )
        parser.add_argument("--max-occupancy", type=float, default=DEFAULT_MAX_OCCUPANCY)
        parser.add_argument("--shrinkage", type=float, default=DEFAULT_SHRINKAGE)
        parser.add_argument("--simulate", action="store_true", help="also simulate the staffing (SimPy)")
        parser.add_argument(
            "--patience", type=float, help="mean seconds a customer waits before giving up (simulation)"
        )
        parser.add_argument("--handle-distribution", choices=["exponential", "lognormal"], default="exponential")
        parser.add_argument(
            "--handle-cv", type=float, default=1.0, help="coefficient of variation of lognormal handle times"
        )
        parser.add_argument("--simulate-arrivals", type=int, default=20000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--format", choices=["json"], default="json")

    def handle(self, *args, **o):
        try:
            result = staffing_required(
                volume=o["volume"],
                interval_minutes=o["interval_minutes"],
                aht=o["aht"],
                target_sl=o["target_sl"],
                target_seconds=o["target_seconds"],
                concurrency=o["concurrency"],
                max_occupancy=o["max_occupancy"],
                shrinkage=o["shrinkage"],
                concurrency_inflation=o["concurrency_inflation"],
            )
        except StaffingInputError as error:
            raise CommandError(str(error)) from None
        data = result.as_dict()
        if o["simulate"]:
            if o["patience"] is not None and o["patience"] <= 0:
                raise CommandError(f"patience must be positive, got {o['patience']}")
            if o["handle_cv"] <= 0:
                raise CommandError(f"handle cv must be positive, got {o['handle_cv']}")
            if o["simulate_arrivals"] < 100:
                raise CommandError("--simulate-arrivals must be at least 100")
            if result.agents == 0:
                raise CommandError("nothing to simulate: the volume is 0")
            from kefu.wfm.simulation import staffing_simulate

            simulated = staffing_simulate(
                volume=o["volume"],
                interval_minutes=o["interval_minutes"],
                aht=o["aht"],
                agents=result.agents,
                target_seconds=o["target_seconds"],
                concurrency=o["concurrency"],
                concurrency_inflation=o["concurrency_inflation"],
                patience=o["patience"],
                handle_distribution=o["handle_distribution"],
                handle_cv=o["handle_cv"],
                arrivals=o["simulate_arrivals"],
                warmup=max(100, o["simulate_arrivals"] // 10),
                seed=o["seed"],
            )
            data.update(simulated.as_dict())
        self.stdout.write(orjson.dumps(data).decode())
