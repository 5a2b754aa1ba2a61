"""Reading rows in plain SQL, for the few reads that every socket handshake makes.

Building a query costs the ORM about 150 µs of CPU, four times what the same SELECT costs through
Django's cursor (docs/performance.md); a handshake made four of them. The instances built here
are the ORM's own (``Model.from_db``), with the fields not read deferred, as ``.only()`` would
leave them: reading one loads it, and saving writes only the fields that were read.
"""

from datetime import UTC, datetime
from typing import NamedTuple

from django.db import connection
from django.db.models import Model


class Read(NamedTuple):
    """The first row of ``model`` matching ``where`` (SQL on its table), with ``fields`` read
    (the primary key among them)."""

    model: type[Model]
    fields: list[str]
    where: str
    params: list


def fetch_only(model: type[Model], fields: list[str], where: str, params: list) -> Model | None:
    """The first row of ``model`` matching ``where`` (SQL on its table), with ``fields`` read."""
    return fetch_each(Read(model, fields, where, params))[0]


def fetch_each(*reads: Read | None) -> list[Model | None]:
    """The row of each read (None where none matched, or for a read that is None), in one
    statement: the reads a handshake needs together cost one round trip instead of one each."""
    wanted = [(read, _fields(read)) for read in reads if read is not None]
    if not wanted:
        return [None] * len(reads)
    if len(wanted) == 1:
        sql = _select(*wanted[0])
    else:
        # One row whatever matched: each read's columns are NULL where it found nothing.
        joins = " ".join(
            f"LEFT JOIN ({_select(*each)} LIMIT 1) r{n} ON 1 = 1" for n, each in enumerate(wanted)
        )
        columns = ", ".join(f"r{n}.*" for n in range(len(wanted)))
        sql = f"SELECT {columns} FROM (SELECT 1 AS one) base {joins}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [param for read, _ in wanted for param in read.params])
        row = cursor.fetchone() or (None,) * sum(len(fields) for _, fields in wanted)
    found = iter(_split(wanted, row))
    return [None if read is None else next(found) for read in reads]


def _split(wanted: list[tuple[Read, list]], row: tuple) -> list[Model | None]:
    instances, start = [], 0
    for read, fields in wanted:
        values = row[start : start + len(fields)]
        start += len(fields)
        # The primary key is among the fields, and NULL only where the read found no row.
        pairs = zip(fields, values, strict=True)
        found = any(field.primary_key and value is not None for field, value in pairs)
        names = [field.attname for field in fields]
        instances.append(read.model.from_db(connection.alias, names, values) if found else None)
    return instances


def _fields(read: Read) -> list:
    wanted = {read.model._meta.get_field(name) for name in read.fields}
    # from_db() takes the values in the model's field order.
    return [field for field in read.model._meta.concrete_fields if field in wanted]


def _select(read: Read, fields: list) -> str:
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    return f"SELECT {columns} FROM {read.model._meta.db_table} WHERE {read.where}"


def aware(moment: datetime) -> datetime:
    """A datetime read in plain SQL: SQLite gives back the naive UTC time Django stored."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
