"""Fast bulk inserts for intake and the metric rollups.

``Model.objects.bulk_create`` spends most of a 双11 import compiling SQL and preparing
values field by field. Intake inserts plain rows of already-validated values instead:
PostgreSQL through ``COPY``, SQLite through one prepared ``executemany``. The values are
converted the way Django would store them (UTC datetimes, JSON text, exact decimals),
so the ORM reads the rows back unchanged.
"""

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from django.db import connection, models

Converter = Callable[[Any], Any]


def _sqlite_datetime(value: datetime | None):
    if value is None:
        return None
    return str(value.astimezone(UTC).replace(tzinfo=None))


def _sqlite_date(value):
    return None if value is None else value.isoformat()


def _sqlite_json(value):
    return None if value is None else orjson.dumps(value).decode()


def _postgres_json(value):
    from psycopg.types.json import Jsonb

    if value is None:
        return None
    if value == []:  # most tags and attachments: one shared adapter instead of one per row
        return _EMPTY_LIST
    return Jsonb(value, dumps=orjson.dumps)


def _empty_list_jsonb():
    try:
        from psycopg.types.json import Jsonb
    except ImportError:  # the SQLite tier may run without psycopg
        return None
    return Jsonb([], dumps=orjson.dumps)


_EMPTY_LIST = _empty_list_jsonb()


def _identity(value):
    return value


def _converter(field: models.Field, vendor: str) -> Converter:
    if getattr(field, "encrypted", False):  # personal data: the field encrypts it
        return functools.partial(field.get_db_prep_save, connection=connection)
    if isinstance(field, models.DateTimeField):
        return _sqlite_datetime if vendor == "sqlite" else _identity
    if isinstance(field, models.DateField):
        return _sqlite_date if vendor == "sqlite" else _identity
    if isinstance(field, models.JSONField):
        return _sqlite_json if vendor == "sqlite" else _postgres_json
    if isinstance(field, (models.CharField, models.TextField, models.BooleanField, models.IntegerField,
                          models.FloatField, models.ForeignKey)):
        return _identity

    def generic(value, field=field):
        return field.get_db_prep_save(value, connection)

    return generic


def _plan(model: type[models.Model]):
    # Every column but an automatic id (a one-to-one primary key is written like any column).
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.auto_created)]
    vendor = connection.vendor
    return fields, [_converter(f, vendor) for f in fields]


def rows_insert(model: type[models.Model], rows: list[dict], *, want_ids: bool = False) -> list[int] | None:
    """Insert rows given as {attname: python value}; absent fields take their default.

    With ``want_ids`` on PostgreSQL the ids are drawn from the table's sequence first and
    returned in the rows' order (COPY returns nothing); elsewhere the result is None."""
    if not rows:
        return [] if want_ids and connection.vendor == "postgresql" else None
    fields, converters = _plan(model)
    defaults = {f.attname: f.get_default() for f in fields}
    values = [
        tuple(convert(row[f.attname] if f.attname in row else defaults[f.attname]) for f, convert in zip(fields, converters))
        for row in rows
    ]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [connection.ops.quote_name(f.column) for f in fields]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", values)
            return None
        ids = None
        if want_ids:
            pk = model._meta.pk.column
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, pk, len(values)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            columns.insert(0, connection.ops.quote_name(pk))
            values = [(pk_value, *value) for pk_value, value in zip(ids, values)]
        # The driver's own cursor, so its errors are turned into Django's (IntegrityError ...).
        with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for value in values:
                copy.write_row(value)
        return ids


def rows_by_ext_id(model: type[models.Model], ext_ids: list[str], batch: int = 5000):
    """(ext_id, pk, shop pk or None) of the rows with these source ids, in every shop.

    PostgreSQL gets one array parameter (``= ANY``) instead of thousands of placeholders."""
    has_shop = any(f.name == "shop" for f in model._meta.concrete_fields)
    for start in range(0, len(ext_ids), batch):
        part = ext_ids[start : start + batch]
        if connection.vendor == "postgresql":
            table = connection.ops.quote_name(model._meta.db_table)
            shop = "shop_id" if has_shop else "NULL"
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT ext_id, {model._meta.pk.column}, {shop} FROM {table} WHERE ext_id = ANY(%s)", [part])
                yield from cursor.fetchall()
        else:
            columns = ("ext_id", "pk", "shop_id") if has_shop else ("ext_id", "pk")
            for row in model.objects.filter(ext_id__in=part).values_list(*columns):
                yield row if has_shop else (*row, None)
