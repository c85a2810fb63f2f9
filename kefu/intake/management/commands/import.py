"""``kefu import FILE...``: import events.md records from JSONL, JSONL.gz, CSV or Excel files."""

import sys
from collections import Counter
from pathlib import Path

import orjson
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kefu.intake.readers import count_lines, file_kind, file_records
from kefu.intake.services import events_import
from kefu.shops.models import Shop


class Command(BaseCommand):
    help = "Import customer-service records (spec/events.md) from .jsonl, .jsonl.gz, .csv or .xlsx files."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--shop", help="limit the import to this shop (its source id)")
        parser.add_argument("--mapping", help="column mapping for CSV/Excel: a .toml file or a preset name")
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, files, shop, mapping, format, no_progress, **options):
        scope = None
        if shop:
            scope = Shop.objects.filter(ext_id=shop).first()
            if scope is None:
                raise CommandError(f"unknown shop {shop!r}")
        mapping_obj = self._mapping(mapping, files)
        err = Console(stderr=True)
        total = {"created": Counter(), "updated": Counter(), "unchanged": Counter(), "rejected": [], "unresolved": {}}
        show_progress = not no_progress and format == "table" and err.is_terminal
        for path in files:
            if not path.exists():
                raise CommandError(f"{path}: no such file")
            try:
                records = file_records(path, mapping=mapping_obj)
            except ValueError as error:  # an unreadable file or a header that does not fit the mapping
                raise CommandError(str(error)) from None
            if show_progress:
                records = _with_progress(records, path, err)
            _, summary = events_import(records=records, name=path.name, scope=scope)
            for key in ("created", "updated", "unchanged"):
                total[key].update(getattr(summary, key))
            total["rejected"] += [dict(r.as_dict(), file=str(path)) if len(files) > 1 else r.as_dict()
                                  for r in summary.rejected]
            total["unresolved"] = summary.unresolved
        result = {key: dict(sorted(value.items())) if isinstance(value, Counter) else value for key, value in total.items()}
        if format == "json":
            sys.stdout.write(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode() + "\n")
        else:
            _print_table(result, Console())
        if result["rejected"]:
            sys.exit(1)

    def _mapping(self, mapping, files):
        needs_mapping = any(file_kind(path) in ("csv", "xlsx") for path in files if path.exists())
        if not needs_mapping:
            return None
        if not mapping:
            raise CommandError("CSV and Excel files need --mapping (a .toml file or a preset: chat-log, orders)")
        from kefu.intake.mapping import MappingError, load_mapping

        try:
            return load_mapping(mapping)
        except MappingError as error:
            raise CommandError(str(error)) from None


def _with_progress(records, path: Path, console: Console):
    total = count_lines(path)
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(path.name, total=total)
        for n, item in enumerate(records, start=1):
            yield item
            if n % 2000 == 0:
                # JSONL: by line; a table (no total) is read twice, so count records instead
                progress.update(task, completed=item[0] if total else n)
        progress.update(task, completed=total)


def _print_table(result: dict, console: Console) -> None:
    types = sorted(set(result["created"]) | set(result["updated"]) | set(result["unchanged"]) | set(result["unresolved"]))
    rejected = Counter(r["type"] or "?" for r in result["rejected"])
    types += sorted(set(rejected) - set(types))
    table = Table(title="Import summary")
    for column in ("type", "created", "updated", "unchanged", "rejected", "unresolved"):
        table.add_column(column, justify="left" if column == "type" else "right")
    for kind in types:
        table.add_row(
            kind,
            *(str(result[key].get(kind, 0)) for key in ("created", "updated", "unchanged")),
            str(rejected.get(kind, 0)),
            str(result["unresolved"].get(kind, 0)),
        )
    console.print(table)
    for r in result["rejected"][:50]:
        where = f"{r['file']}:" if "file" in r else ""
        console.print(f"[red]rejected[/red] {where}line {r['line']} {r['type']} {r['id']}: {r['reason']}", markup=True,
                      highlight=False)
    if len(result["rejected"]) > 50:
        console.print(f"... and {len(result['rejected']) - 50} more rejected (use --format json for all)")
