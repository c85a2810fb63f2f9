"""Readers turn files into (line number, record) pairs for the intake engine.

JSON Lines (plain or gzip) carry events.md records as they are. CSV and Excel exports
of chat logs or orders go through a column mapping (see ``kefu.intake.mapping``). A line
that cannot be read becomes a ``RecordError`` at its line number, so the rest of the
file still imports.
"""

import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from kefu.intake.schema import RecordError


def _open_binary(path: Path) -> BinaryIO:
    if path.name.endswith(".gz"):
        return gzip.open(path, "rb")
    return path.open("rb")


def jsonl_records(stream: BinaryIO) -> Iterator[tuple[int, Any]]:
    """One record per line; blank lines are skipped but counted, so numbers match an editor's."""
    for number, line in enumerate(stream, start=1):
        line = line.strip()
        if not line:
            continue
        try:
            yield number, orjson.loads(line)
        except orjson.JSONDecodeError as error:
            yield number, RecordError(f"malformed JSON: {error}")


def jsonl_body_records(body: bytes) -> Iterator[tuple[int, Any]]:
    """An API body: a JSON array, or JSON Lines. Numbers are 0-based indexes."""
    text = body.lstrip()
    if text.startswith(b"["):
        try:
            items = orjson.loads(text)
        except orjson.JSONDecodeError as error:
            raise RecordError(f"malformed JSON: {error}") from None
        yield from enumerate(items)
        return
    for index, (_, record) in enumerate(jsonl_records(iter(body.splitlines()))):
        yield index, record


def file_kind(path: Path) -> str:
    name = path.name.lower()
    for suffix, kind in ((".jsonl.gz", "jsonl"), (".jsonl", "jsonl"), (".ndjson", "jsonl"), (".csv", "csv"),
                         (".csv.gz", "csv"), (".xlsx", "xlsx")):
        if name.endswith(suffix):
            return kind
    raise ValueError(f"{path.name}: unknown file type (expected .jsonl, .jsonl.gz, .csv or .xlsx)")


def count_lines(path: Path) -> int | None:
    """Lines in a JSONL file, for the progress bar (None when counting would cost too much)."""
    if file_kind(path) != "jsonl":
        return None
    with _open_binary(path) as stream:
        return sum(1 for _ in stream)


def file_records(path: Path, *, mapping=None) -> Iterator[tuple[int, Any]]:
    """The records of a file. A CSV or Excel file's header is checked against the mapping
    here, before anything is imported (``ValueError`` names the missing column)."""
    kind = file_kind(path)
    if kind == "jsonl":
        return _jsonl_file_records(path)
    from kefu.intake.mapping import mapped_records, table_rows

    if mapping is None:
        raise ValueError(f"{path.name}: a CSV or Excel file needs a column mapping (--mapping FILE or --preset NAME)")
    return mapped_records(table_rows(path), mapping)


def _jsonl_file_records(path: Path) -> Iterator[tuple[int, Any]]:
    with _open_binary(path) as stream:
        yield from jsonl_records(stream)
