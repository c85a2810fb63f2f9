"""Column mappings: CSV and Excel exports become events.md records.

A mapping file (TOML, see docs/import-formats.md) names, for each record type it
makes, which column fills which field. ``table_rows(path)`` reads a CSV (plain or
gzip; UTF-8 with or without BOM, or GBK/GB18030) or an Excel sheet as
(line, {column: value}) rows; ``mapped_records(source, mapping)`` turns those rows
into (line, record) pairs for the intake engine.

The conversion never rejects anything itself: a value it cannot convert (an unknown
sender, a time it cannot read) passes through unchanged so that intake rejects it at
its line with its usual, documented reason. Only a broken mapping, or a file that
lacks a column the mapping names, stops the whole file, before any row is read.

Records marked ``distinct`` (a conversation in a one-row-per-message export) are
emitted once per id, before the row records, by a first pass over the file; the
second pass emits one record per row. Only the distinct records are held in memory.
"""

import codecs
import csv
import gzip
import hashlib
import io
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kefu.intake import schema
from kefu.intake.schema import RECORD_TYPES

PRESETS_PACKAGE = "kefu.intake.presets"
HASH_LENGTH = 16
_READ_CHUNK = 1 << 20


class MappingError(ValueError):
    """A mapping file that cannot be used, or a file that does not fit its mapping."""


class TableError(ValueError):
    """A CSV or Excel file that cannot be read (encoding, no header, no such sheet)."""


# ---- reading tables ------------------------------------------------------------------


def _open_binary(path: Path):
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else path.open("rb")


def _decodes_as(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    with _open_binary(path) as stream:
        try:
            while chunk := stream.read(_READ_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _csv_encoding(path: Path) -> str:
    # The whole file is checked, not a sample: a file that turns out not to be UTF-8 at
    # row 800,000 would otherwise stop half imported.
    for encoding in ("utf-8-sig", "gb18030"):
        if _decodes_as(path, encoding):
            return encoding
    raise TableError(f"{path.name}: cannot read the file as UTF-8 or as GBK/GB18030; save it as UTF-8 CSV")


def _first_positions(header: list[str]) -> dict[str, int]:
    """Column name -> position; when a name repeats, the first column of that name counts."""
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        if name and name not in positions:
            positions[name] = index
    return positions


def _header_text(value: Any) -> str:
    return "" if value is None else str(value).strip().lstrip("\ufeff")


class TableSource:
    """A CSV or Excel file as (line, {column: value}) rows, readable more than once.

    Line 1 is the header and line 2 the first data row, as a spreadsheet numbers them;
    blank rows are skipped but counted."""

    def __init__(self, path: Path | str, *, sheet: str | None = None):
        self.path = Path(path)
        name = self.path.name.lower()
        if name.endswith((".csv", ".csv.gz")):
            self.kind = "csv"
        elif name.endswith(".xlsx"):
            self.kind = "xlsx"
        else:
            raise TableError(f"{self.path.name}: not a table file (expected .csv, .csv.gz or .xlsx)")
        self.sheet = sheet
        self._header: list[str] | None = None
        self._encoding: str | None = None

    def __repr__(self) -> str:
        return f"TableSource({str(self.path)!r}, sheet={self.sheet!r})"

    def with_sheet(self, sheet: str | None) -> "TableSource":
        return self if sheet == self.sheet or self.kind != "xlsx" else TableSource(self.path, sheet=sheet)

    @property
    def header(self) -> list[str]:
        if self._header is None:
            for _ in self._rows(header_only=True):
                pass
        return self._header

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any]]]:
        return self._rows(header_only=False)

    def _rows(self, *, header_only: bool) -> Iterator[tuple[int, dict[str, Any]]]:
        raw_rows = self._csv_rows() if self.kind == "csv" else self._xlsx_rows()
        try:
            first = next(raw_rows, None)
            if first is None:
                raise TableError(f"{self.path.name}: the file is empty (line 1 must name the columns)")
            self._header = [_header_text(value) for value in first]
            if header_only:
                return
            positions = list(_first_positions(self._header).items())
            blank = _blank_csv_row if self.kind == "csv" else _blank_xlsx_row
            for line, cells in enumerate(raw_rows, start=2):
                if blank(cells):
                    continue
                width = len(cells)
                yield line, {name: cells[index] for name, index in positions if index < width}
        finally:
            raw_rows.close()

    def _csv_rows(self) -> Iterator[list[str]]:
        if self._encoding is None:
            self._encoding = _csv_encoding(self.path)
        with _open_binary(self.path) as binary, io.TextIOWrapper(binary, encoding=self._encoding, newline="") as text:
            first_line = text.readline()
            # Some platforms export tab-separated text under a .csv name.
            delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
            reader = csv.reader(_chain_first(first_line, text), delimiter=delimiter)
            try:
                yield from reader
            except csv.Error as error:
                raise TableError(f"{self.path.name}: line {reader.line_num}: unreadable CSV: {error}") from None

    def _xlsx_rows(self) -> Iterator[tuple]:
        import openpyxl

        try:
            workbook = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except Exception as error:  # a corrupt or mislabelled file: openpyxl raises many kinds
            raise TableError(f"{self.path.name}: cannot open as an Excel workbook: {error}") from None
        try:
            if self.sheet is None:
                worksheet = workbook.worksheets[0]
            elif self.sheet in workbook.sheetnames:
                worksheet = workbook[self.sheet]
            else:
                raise TableError(
                    f"{self.path.name}: no sheet {self.sheet!r}; the sheets are: {', '.join(workbook.sheetnames)}"
                )
            # Some exporters write a wrong <dimension>, and read-only mode would stop there.
            worksheet.reset_dimensions()
            yield from worksheet.iter_rows(values_only=True)
        finally:
            workbook.close()


def _blank_csv_row(cells: list[str]) -> bool:
    return not "".join(cells).strip()


def _blank_xlsx_row(cells: tuple) -> bool:
    return all(value is None or (value.__class__ is str and not value.strip()) for value in cells)


def _chain_first(first: str, rest: io.TextIOWrapper) -> Iterator[str]:
    if first:
        yield first
    yield from rest


def table_rows(path: Path | str, *, sheet: str | None = None) -> TableSource:
    """A CSV (.csv, .csv.gz) or Excel (.xlsx; the first sheet unless named) file as rows."""
    return TableSource(path, sheet=sheet)


# ---- mapping files ---------------------------------------------------------------------

_MISSING = object()
_KINDS = ("str", "int", "bool", "list", "money", "time", "date")
# The kind of value each events.md field takes, read off schema.py's checks, so that
# `rating = "满意度"` gives an int and `sent_at = "发送时间"` a time without saying so.
_KIND_OF_CHECK = {
    schema._time: "time",
    schema._date: "date",
    schema._bool: "bool",
    schema._rating: "int",
    schema._str_list: "list",
    schema._money: "money",
}
_TRUE = frozenset({"是", "true", "1", "y", "yes", "t", "真", "对"})
_FALSE = frozenset({"否", "false", "0", "n", "no", "f", "假", "不是"})
_ITEM_KEYS = {"sku": "str", "title": "str", "qty": "int", "price": "money"}


@dataclass(frozen=True)
class FieldSpec:
    """How one field of a record is filled: from a column, a fixed value, a hash or an item."""

    name: str
    kind: str
    column: str | None = None
    aggregate: str | None = None  # "min" or "max", distinct records only
    map: dict | None = None
    sep: str = ","
    default: Any = _MISSING
    const: Any = _MISSING
    hash: tuple[str, ...] = ()
    item: dict[str, str] | None = None

    @property
    def columns(self) -> list[str]:
        found = [self.column] if self.column else []
        return found + list(self.hash) + list((self.item or {}).values())


@dataclass(frozen=True)
class RecordSpec:
    type: str
    distinct: bool
    fields: tuple[FieldSpec, ...]


@dataclass(frozen=True)
class Mapping:
    """A parsed mapping file."""

    name: str
    description: str
    timezone: str | None
    sheet: str | None
    records: tuple[RecordSpec, ...]
    origin: str = ""
    tz: ZoneInfo | None = field(default=None, compare=False, repr=False)

    @property
    def columns(self) -> list[str]:
        """Every column the mapping reads, in mapping order, once each."""
        return list(dict.fromkeys(c for spec in self.records for f in spec.fields for c in f.columns))


def preset_names() -> list[str]:
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in resources.files(PRESETS_PACKAGE).iterdir()
        if entry.name.endswith(".toml")
    )


def load_mapping(path_or_preset: Path | str) -> Mapping:
    """A mapping file by path, or a preset by name (``chat-log``, ``orders``)."""
    path = Path(path_or_preset)
    names = preset_names()
    if isinstance(path_or_preset, str) and path_or_preset in names:
        origin = f"preset {path_or_preset}"
        text = resources.files(PRESETS_PACKAGE).joinpath(f"{path_or_preset}.toml").read_bytes()
    elif path.is_file():
        origin, text = path.name, path.read_bytes()
    elif path.suffix or len(path.parts) > 1:
        raise MappingError(f"no mapping file {str(path)!r}")
    else:
        raise MappingError(f"no preset {str(path_or_preset)!r}; the presets are: {', '.join(names)}")
    try:
        data = tomllib.loads(text.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise MappingError(f"{origin}: not a valid TOML file (save it as UTF-8): {error}") from None
    return mapping_parse(data, origin=origin, default_name=path.stem)


def _fail(where: str, message: str):
    raise MappingError(f"{where}: {message}")


def _allowed_keys(where: str, table: dict, allowed: set[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        _fail(where, f"unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})")


def mapping_parse(data: dict, *, origin: str = "mapping", default_name: str = "") -> Mapping:
    """A Mapping from the parsed TOML table, or MappingError saying what is wrong where."""
    _allowed_keys(origin, data, {"name", "description", "timezone", "sheet", "record"})
    for key in ("name", "description", "timezone", "sheet"):
        if key in data and not isinstance(data[key], str):
            _fail(origin, f"{key} must be a string")
    tz = None
    if "timezone" in data:
        try:
            tz = ZoneInfo(data["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            _fail(origin, f"timezone {data['timezone']!r} is not a known timezone (e.g. Asia/Shanghai)")
    tables = data.get("record")
    if not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
        _fail(origin, "no [[record]] tables: a mapping says which records each row makes")
    records = tuple(_record_parse(table, f"{origin}: record {n}") for n, table in enumerate(tables, start=1))
    return Mapping(
        name=data.get("name") or default_name or origin,
        description=data.get("description", ""),
        timezone=data.get("timezone"),
        sheet=data.get("sheet"),
        records=records,
        origin=origin,
        tz=tz,
    )


def _record_parse(table: dict, where: str) -> RecordSpec:
    _allowed_keys(where, table, {"type", "distinct", "fields"})
    kind = table.get("type")
    if kind not in RECORD_TYPES:
        _fail(where, f"type {kind!r} is not one of: {', '.join(RECORD_TYPES)}")
    where = f"{where} ({kind})"
    distinct = table.get("distinct", False)
    if not isinstance(distinct, bool):
        _fail(where, "distinct must be true or false")
    fields = table.get("fields")
    if not isinstance(fields, dict) or not fields:
        _fail(where, "no [record.fields] table")
    known = {f.name: f for f in RECORD_TYPES[kind].fields}
    specs = []
    for name, spec in fields.items():
        if name not in known:
            _fail(where, f"{kind} has no field {name!r} (fields: {', '.join(known)})")
        kind_of_value = _KIND_OF_CHECK.get(known[name].check, "str")
        specs.append(_field_parse(name, spec, kind_of_value, distinct, f"{where} {name}"))
    missing = [f.name for f in RECORD_TYPES[kind].fields if f.required and f.name not in fields]
    if missing:
        _fail(where, f"missing required field {', '.join(missing)}")
    return RecordSpec(kind, distinct, tuple(specs))


def _field_parse(name: str, spec: Any, kind: str, distinct: bool, where: str) -> FieldSpec:
    if isinstance(spec, str):
        head, colon, rest = spec.partition(":")
        if colon and head in ("min", "max"):
            if not distinct:
                _fail(where, f"{head}: aggregates the rows of one id, so only a distinct record can use it")
            if not rest.strip():
                _fail(where, f"{spec!r} names no column")
            return FieldSpec(name, kind, column=rest.strip(), aggregate=head)
        if not spec.strip():
            _fail(where, "empty column name")
        return FieldSpec(name, kind, column=spec.strip())
    if not isinstance(spec, dict):
        _fail(where, "must be a column name or a table such as { column = \"...\" }")
    forms = [key for key in ("column", "const", "hash", "item") if key in spec]
    if len(forms) != 1:
        _fail(where, "needs exactly one of column, const, hash or item")
    form = forms[0]
    if form == "const":
        _allowed_keys(where, spec, {"const"})
        return FieldSpec(name, kind, const=spec["const"])
    if form == "hash":
        _allowed_keys(where, spec, {"hash"})
        columns = spec["hash"]
        if not isinstance(columns, list) or not columns or not all(isinstance(c, str) and c.strip() for c in columns):
            _fail(where, "hash must be a list of column names")
        return FieldSpec(name, kind, hash=tuple(c.strip() for c in columns))
    if form == "item":
        _allowed_keys(where, spec, {"item"})
        item = spec["item"]
        if name != "items":
            _fail(where, "item builds an order's items list; use it for the field items")
        if not isinstance(item, dict) or not item:
            _fail(where, "item must be a table such as { sku = \"商品编码\", qty = \"数量\" }")
        _allowed_keys(where + " item", item, set(_ITEM_KEYS))
        if not all(isinstance(c, str) and c.strip() for c in item.values()):
            _fail(where, "item values must be column names")
        return FieldSpec(name, kind, item={key: column.strip() for key, column in item.items()})
    _allowed_keys(where, spec, {"column", "map", "type", "sep", "default"})
    column = spec["column"]
    if not isinstance(column, str) or not column.strip():
        _fail(where, "column must be a column name")
    value_map = spec.get("map")
    if value_map is not None and not isinstance(value_map, dict):
        _fail(where, "map must be a table such as { \"买家\" = \"customer\" }")
    explicit = spec.get("type", kind)
    if explicit not in _KINDS:
        _fail(where, f"type {explicit!r} is not one of: {', '.join(_KINDS)}")
    sep = spec.get("sep", ",")
    if not isinstance(sep, str) or not sep:
        _fail(where, "sep must be a non-empty string")
    return FieldSpec(
        name, explicit, column=column.strip(), map=value_map, sep=sep, default=spec.get("default", _MISSING)
    )


# ---- values ----------------------------------------------------------------------------

_TIME_TEXT = re.compile(
    r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[ T]+(\d{1,2})[:：](\d{1,2})(?:[:：](\d{1,2})(?:\.(\d{1,6}))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?"
)


def _cell(value: Any) -> Any:
    """A cell's value, or None when empty. Strings lose surrounding blanks and the
    ="..." wrapping some exports put around long numbers to keep Excel from rounding them."""
    if value.__class__ is str:
        value = value.strip()
        if value[:2] == '="' and value[-1] == '"' and len(value) >= 3:
            value = value[2:-1].strip()
        return value or None
    return value


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value)


def _parse_time_text(text: str) -> datetime | None:
    match = _TIME_TEXT.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        parsed = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
            int((fraction or "0").ljust(6, "0")),
        )
    except ValueError:
        return None
    if offset:
        if offset == "Z":
            return parsed.replace(tzinfo=timezone.utc)
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return parsed.replace(tzinfo=timezone(sign * delta))
    return parsed


def _as_time(value: Any, tz: ZoneInfo | None) -> Any:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = _parse_time_text(value)
            if parsed is None:
                return value  # intake rejects it with "is not an ISO 8601 time"
        else:
            if parsed.tzinfo is not None:
                return value  # it says its own offset: kept as written
    else:
        return value
    if parsed.tzinfo is None and tz is not None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.isoformat()


def _as_date(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    if isinstance(value, str):
        parsed = _parse_time_text(value)
        return parsed.date().isoformat() if parsed is not None else value
    return value


def _as_int(value: Any) -> Any:
    if isinstance(value, bool) or isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, str):
        text = value.removesuffix(".0") if value.endswith(".0") else value
        if text.lstrip("+-").isdigit() and text.isascii():
            return int(text)
    return value


def _as_bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    text = _text(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return value


def _as_money(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return _text(value)
    if isinstance(value, str):
        return value.lstrip("¥￥").replace(",", "").strip()
    return value


def _converter(spec: FieldSpec, tz: ZoneInfo | None) -> Callable[[Any], Any]:
    kind = spec.kind
    if kind == "time":
        return lambda value: _as_time(value, tz)
    if kind == "date":
        return _as_date
    if kind == "int":
        return _as_int
    if kind == "bool":
        return _as_bool
    if kind == "money":
        return _as_money
    if kind == "list":
        sep = spec.sep
        return lambda value: (
            value if isinstance(value, list) else [part.strip() for part in _text(value).split(sep) if part.strip()]
        )
    return lambda value: value if isinstance(value, str) else (
        _as_time(value, tz) if isinstance(value, (datetime, date)) else _text(value)
    )


def _getter(spec: FieldSpec, tz: ZoneInfo | None) -> Callable[[dict], Any]:
    """A function of one row giving the field's value, or _MISSING to leave the field out."""
    if spec.const is not _MISSING:
        const = spec.const
        return lambda row: const
    if spec.hash:
        columns = spec.hash

        def hashed(row: dict) -> Any:
            parts = [_cell(row.get(column)) for column in columns]
            if all(part is None for part in parts):
                return _MISSING
            text = "\x1f".join("" if part is None else _hash_text(part) for part in parts)
            return hashlib.sha1(text.encode()).hexdigest()[:HASH_LENGTH]

        return hashed
    if spec.item:
        parts = [(key, column, _converter(FieldSpec(key, _ITEM_KEYS[key]), tz)) for key, column in spec.item.items()]

        def item(row: dict) -> Any:
            built = {}
            for key, column, convert in parts:
                value = _cell(row.get(column))
                if value is not None:
                    built[key] = convert(value)
            return [built] if built else _MISSING

        return item
    column, value_map, default, convert = spec.column, spec.map, spec.default, _converter(spec, tz)

    def value_of(row: dict) -> Any:
        value = _cell(row.get(column))
        if value is None:
            if default is _MISSING:
                return _MISSING
            value = default  # converted like a cell: `default = "否"` is false for a bool
        if value_map is not None:
            value = value_map.get(_text(value), value)  # unmapped: intake names the bad value
        return convert(value)

    return value_of


def _hash_text(value: Any) -> str:
    """A cell as hashed: times written any way (a CSV's text, an Excel date cell) hash
    alike, so the same rows keep their ids whether exported as CSV or as Excel."""
    if isinstance(value, (datetime, date)):
        return _as_time(value, None)
    text = _text(value)
    if text[:4].isdigit():
        parsed = _parse_time_text(text)
        if parsed is not None:
            return parsed.isoformat()
    return text


def _order_key(kind: str, value: Any) -> tuple | None:
    """How min:/max: compare values; None for a value that cannot take part."""
    if kind == "time":
        if not isinstance(value, str):
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return (0, parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc))
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return (0, value)
    return (1, _text(value))


# ---- records ---------------------------------------------------------------------------


def _missing_columns(source: TableSource, mapping: Mapping) -> None:
    header = set(source.header)
    missing = [column for column in mapping.columns if column not in header]
    if missing:
        name = getattr(getattr(source, "path", None), "name", "the file")
        listed = ", ".join(repr(c) for c in missing)
        raise MappingError(
            f"{name}: column{'s' if len(missing) > 1 else ''} {listed} named by mapping {mapping.name!r} "
            f"not in the file; its columns are: {', '.join(c for c in source.header if c)}"
        )


def mapped_records(source: TableSource, mapping: Mapping | str | Path) -> Iterator[tuple[int, dict]]:
    """(line, record) pairs: the distinct records first, then one set of records per row.

    The file's columns are checked here, at the call, so a missing column stops the
    import before any row is read."""
    if not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping)
    if mapping.sheet and isinstance(source, TableSource):
        source = source.with_sheet(mapping.sheet)
    _missing_columns(source, mapping)
    return _mapped(source, mapping)


def _mapped(source: TableSource, mapping: Mapping) -> Iterator[tuple[int, dict]]:
    distinct = [spec for spec in mapping.records if spec.distinct]
    per_row = [spec for spec in mapping.records if not spec.distinct]
    if distinct:
        yield from _distinct_records(source, distinct, mapping.tz)
    if per_row:
        plans = [(spec.type, [(f.name, _getter(f, mapping.tz)) for f in spec.fields]) for spec in per_row]
        for line, row in source:
            for kind, getters in plans:
                record = {"type": kind}
                for name, get in getters:
                    value = get(row)
                    if value is not _MISSING:
                        record[name] = value
                yield line, record


@dataclass
class _Group:
    """The rows of one distinct id so far."""

    line: int
    values: dict[str, Any]
    order: dict[str, tuple | None] = field(default_factory=dict)  # aggregate field -> key of its value


def _distinct_records(
    source: TableSource, specs: list[RecordSpec], tz: ZoneInfo | None
) -> Iterator[tuple[int, dict]]:
    plans = []
    for spec in specs:
        getters = {f.name: (f, _getter(f, tz)) for f in spec.fields}
        # (type, id) is unique per shop: a buyer of two shops in one file is two customers.
        key_fields = [name for name in ("shop_id", "id") if name in getters]
        plans.append((spec, getters, key_fields, {}))
    for line, row in source:
        for spec, getters, key_fields, groups in plans:
            key = tuple(_hashable(getters[name][1](row)) for name in key_fields)
            group = groups.get(key)
            if group is None:
                group = groups[key] = _Group(line, {})
            for name, (field_spec, get) in getters.items():
                if field_spec.aggregate is None:
                    if name not in group.values:
                        value = get(row)
                        if value is not _MISSING:
                            group.values[name] = value  # the first non-empty value of the id's rows
                    continue
                value = get(row)
                if value is _MISSING:
                    continue
                order = _order_key(field_spec.kind, value)
                held = group.order.get(name, _MISSING)
                if held is _MISSING or (held is None and order is not None):
                    better = True  # an unreadable value is kept only while there is nothing better
                elif order is None or held is None:
                    better = False
                else:
                    better = order < held if field_spec.aggregate == "min" else order > held
                if better:
                    group.values[name] = value
                    group.order[name] = order
    for spec, getters, _, groups in plans:
        for group in groups.values():
            values = group.values
            yield group.line, {"type": spec.type, **{name: values[name] for name in getters if name in values}}


def _hashable(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value
