"""Reading the CSV files of ``kefu insights``: labelled ``text,label`` files for training
and ``id,text`` files to classify. A bad row is reported with its line number and
skipped; good rows are kept."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["CsvRows", "parse_sentiment_label", "read_id_text_csv", "read_labelled_csv"]

_SENTIMENT_LABELS = {"positive": "positive", "negative": "negative", "neutral": "neutral",
                     "1": "positive", "0": "negative"}


@dataclass
class CsvRows:
    rows: list[tuple] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "FILE line N: why"


def parse_sentiment_label(value: str) -> str:
    label = _SENTIMENT_LABELS.get(value.strip().casefold())
    if label is None:
        raise ValueError(f"sentiment label {value!r} is not positive, negative, neutral, 1 or 0")
    return label


def parse_category_labels(value: str) -> tuple[str, ...]:
    labels = tuple(dict.fromkeys(part.strip() for part in value.split("|") if part.strip()))
    if not labels:
        raise ValueError("no category label (separate several with |)")
    return labels


def _open(path: Path, required: tuple[str, ...]):
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    f = path.open(encoding="utf-8-sig", newline="")
    reader = csv.DictReader(f)
    missing = [c for c in required if c not in (reader.fieldnames or ())]
    if missing:
        f.close()
        raise ValueError(f"{path}: line 1: missing column(s) {', '.join(missing)}; the header must have "
                         f"{','.join(required)}")
    return f, reader


def read_labelled_csv(path: str | Path, *, task: str) -> CsvRows:
    """(text, label) rows of a ``text,label`` file; a category label is a tuple."""
    path = Path(path)
    parse = {"sentiment": parse_sentiment_label, "category": parse_category_labels,
             "intent": lambda v: v.strip() or _raise("empty intent label")}[task]
    out = CsvRows()
    f, reader = _open(path, ("text", "label"))
    with f:
        try:
            for row in reader:
                line = reader.line_num
                text, label = (row.get("text") or "").strip(), row.get("label")
                if None in row:
                    out.errors.append(f"{path} line {line}: more fields than the header has")
                    continue
                if not text:
                    out.errors.append(f"{path} line {line}: empty text")
                    continue
                if label is None:
                    out.errors.append(f"{path} line {line}: no label")
                    continue
                try:
                    out.rows.append((text, parse(label)))
                except ValueError as error:
                    out.errors.append(f"{path} line {line}: {error}")
        except (csv.Error, UnicodeDecodeError) as error:
            out.errors.append(f"{path} line {reader.line_num}: unreadable ({error}); the rest is skipped")
    return out


def read_id_text_csv(path: str | Path) -> CsvRows:
    """(id, text) rows of an ``id,text`` file; an empty text is kept (it has no opinion)."""
    path = Path(path)
    out = CsvRows()
    seen: dict[str, int] = {}
    f, reader = _open(path, ("id", "text"))
    with f:
        try:
            for row in reader:
                line = reader.line_num
                ident = (row.get("id") or "").strip()
                if None in row:
                    out.errors.append(f"{path} line {line}: more fields than the header has")
                elif not ident:
                    out.errors.append(f"{path} line {line}: empty id")
                elif ident in seen:
                    out.errors.append(f"{path} line {line}: id {ident!r} already on line {seen[ident]}")
                elif row.get("text") is None:
                    out.errors.append(f"{path} line {line}: no text field")
                else:
                    seen[ident] = line
                    out.rows.append((ident, row["text"]))
        except (csv.Error, UnicodeDecodeError) as error:
            out.errors.append(f"{path} line {reader.line_num}: unreadable ({error}); the rest is skipped")
    return out


def _raise(message: str):
    raise ValueError(message)
