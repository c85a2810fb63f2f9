"""``kefu insights train`` fits a text model; ``kefu insights classify`` labels a CSV.

    kefu insights train --task sentiment --input reviews.csv   # text,label (positive|negative|neutral|1|0)
    kefu insights train --task category --input issues.csv     # text,label (categories separated by |)
    kefu insights train --task sentiment                       # from the shops' rated reviews
    kefu insights classify --input texts.csv --format json     # id,text
"""


import orjson
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Customer insights text models: train them, classify texts with them."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="train a model and store it in the data directory")
        train.add_argument("--task", choices=["sentiment", "category", "intent"], required=True)
        train.add_argument("--input", help="a text,label CSV; without it, the shops' own data in Kefu")
        classify = sub.add_parser("classify", help="sentiment, categories and aspects of an id,text CSV")
        classify.add_argument("--input", required=True, help="a CSV with columns id,text")
        classify.add_argument("--format", choices=["json", "jsonl"], default="json")

    def handle(self, *args, action, **options):
        if action == "train":
            self._train(options["task"], options.get("input"))
        else:
            self._classify(options["input"], options["format"])

    def _report(self, errors: list[str], kept: int) -> None:
        for error in errors[:50]:
            self.stderr.write(error)
        if len(errors) > 50:
            self.stderr.write(f"... and {len(errors) - 50} more bad rows")
        if errors:
            self.stderr.write(f"{len(errors)} bad row(s) skipped, {kept} kept")

    def _train(self, task: str, path: str | None) -> None:
        from kefu.insights.text.pipeline import model_train

        if path:
            from kefu.insights.text.csvfiles import read_labelled_csv

            try:
                read = read_labelled_csv(path, task=task)
            except ValueError as error:
                raise CommandError(str(error)) from None
            self._report(read.errors, len(read.rows))
            pairs = read.rows
        else:
            from kefu.insights.text.training import training_pairs_from_kefu

            pairs = training_pairs_from_kefu(task=task)
        try:
            result = model_train(task=task, pairs=pairs)
        except ValueError as error:
            source = path or "the shops' data in Kefu"
            raise CommandError(f"cannot train the {task} model from {source}: {error}") from None
        self.stdout.write(
            f"trained the {task} model on {result['examples']:,} texts "
            f"({', '.join(result['classes'])}) -> {result['path']}"
        )

    def _classify(self, path: str, fmt: str) -> None:
        from kefu.insights.text.csvfiles import read_id_text_csv
        from kefu.insights.text.pipeline import texts_classify

        try:
            read = read_id_text_csv(path)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self._report(read.errors, len(read.rows))
        results = texts_classify([text for _id, text in read.rows])
        items = [{"id": ident, **result} for (ident, _t), result in zip(read.rows, results, strict=True)]
        out = self.stdout
        if fmt == "jsonl":
            for item in items:
                out.write(orjson.dumps(item).decode())
            return
        out.write(orjson.dumps(items, option=orjson.OPT_INDENT_2).decode())
