"""``kefu qa run`` inspects (or re-inspects) a period; ``kefu qa train`` trains the
complaint model from the shops' reviews."""

import orjson
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from kefu.metrics.params import period_parse
from kefu.metrics.rollups import rollups_refresh
from kefu.shops.models import Shop


class Command(BaseCommand):
    help = "Quality inspection: run it over a period, or train its complaint model."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="inspect (or re-inspect) the conversations of a period")
        run.add_argument("--from", dest="start", required=True, help="first day (shop time) or a time with offset")
        run.add_argument("--to", dest="end", required=True, help="day or time after the period (exclusive)")
        run.add_argument("--shop", help="only this shop (its source id)")
        run.add_argument("--format", choices=["table", "json"], default="table")
        train = sub.add_parser("train", help="train the complaint model from reviews' star ratings")
        train.add_argument("--shop", help="only this shop's reviews (its source id)")

    def handle(self, *args, action, **options):
        shops = None
        if options.get("shop"):
            shop = Shop.objects.filter(ext_id=options["shop"]).first()
            if shop is None:
                raise CommandError(f"unknown shop {options['shop']!r}")
            shops = [shop]
        if action == "train":
            from kefu.qa.training import sentiment_train_from_reviews

            result = sentiment_train_from_reviews(shops=shops)
            if not result["trained"]:
                raise CommandError(f"only {result['reviews']} reviews with text and a rating other than 3; "
                                   f"at least {result['needed']} are needed")
            self.stdout.write(f"trained on {result['reviews']:,} reviews -> {result['path']}")
            return
        try:
            start, end, _as_of = period_parse(options["start"], options["end"])
        except ValueError as error:
            raise CommandError(f"--{error}") from None
        from kefu.qa.services import qa_run

        rollups_refresh()  # conversations imported without a worker running are inspected too
        results = qa_run(start=start, end=end, shops=shops)
        if options["format"] == "json":
            self.stdout.write(orjson.dumps([r.as_json() for r in results], option=orjson.OPT_INDENT_2).decode())
            return
        table = Table("会话 conversation", "得分 score", "发现 findings")
        for result in results:
            if result.findings:
                table.add_row(result.conversation_ext, str(result.score),
                              "; ".join(f"{f.rule_key}({f.severity}) {f.evidence}" for f in result.findings))
        console = Console(file=self.stdout, width=160)
        console.print(table)
        clean = sum(1 for r in results if not r.findings)
        console.print(f"{len(results):,} conversations inspected, {clean:,} clean")
