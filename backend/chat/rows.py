"""Reading rows in plain SQL, for the few reads that every socket handshake makes.

Building a query costs the ORM about 150 µs of CPU, four times what the same SELECT costs through
Django's cursor (docs/performance.md). A handshake reads its user and its room this way, in one
statement (``fetch_each``), and the SQL of each read is built once. The instances built here
are the ORM's own (``Model.from_db``), with the fields not read deferred, as ``.only()`` would
leave them: reading one loads it, and saving writes only the fields that were read.
"""

from datetime import UTC, datetime
from functools import cache
from typing import NamedTuple

import psycopg
from django.db import connection
from django.db.models import Model


class Read(NamedTuple):
    """The first row of ``model`` matching ``where`` (SQL on its table), with ``fields`` read
    (the primary key among them)."""

    model: type[Model]
    fields: list[str]
    where: str
    params: list


def fetch_each(*reads: Read | None) -> list[Model | None]:
    """The row of each read (None where none matched, or for a read that is None), in one
    statement: the reads a handshake needs together cost one round trip instead of one each."""
    joined = Joined(reads)
    if not joined.wanted:
        return [None] * len(reads)
    if len(joined.wanted) == 1:
        sql = _select(joined.wanted[0][0])
    else:
        sql = f"SELECT {joined.columns} FROM (SELECT 1 AS one) base {joined.joins}"
    with connection.cursor() as cursor:
        cursor.execute(sql, joined.params)
        return joined.rows(cursor.fetchone())


def fetch_all(statements: list[tuple[str, list]]) -> list[list[tuple]]:
    """The rows of each (sql, params), with one round trip for them all: on PostgreSQL every
    statement is sent before any reply is read (psycopg's pipeline mode), each bound on the
    server and prepared, so planned once per connection (``DATABASE_PREPARED_STATEMENTS``).
    Elsewhere (SQLite, in the process) one after another."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            return [_fetched(cursor, sql, params) for sql, params in statements]
    connection.ensure_connection()
    raw = connection.connection
    # Django's error wrapping, so that a connection that broke here is replaced as after any
    # other failed query.
    with connection.wrap_database_errors:
        cursors = [psycopg.Cursor(raw) for _ in statements]
        try:
            with raw.pipeline():
                for cursor, (sql, params) in zip(cursors, statements, strict=True):
                    cursor.execute(sql, params, prepare=True)
            return [cursor.fetchall() for cursor in cursors]
        finally:
            for cursor in cursors:
                cursor.close()


def _fetched(cursor, sql: str, params: list) -> list[tuple]:
    cursor.execute(sql, params)
    return cursor.fetchall()


class Joined:
    """Reads as LEFT JOINs that each add one row's columns (NULL where the read found nothing)
    to a statement, so that they take no round trip of their own."""

    def __init__(self, reads: tuple[Read | None, ...]) -> None:
        self.reads = reads
        self.wanted = [(read, _fields(read.model, tuple(read.fields))) for read in reads if read]
        self.width = sum(len(fields) for _, fields in self.wanted)
        self.columns = ", ".join(f"r{n}.*" for n in range(len(self.wanted)))
        self.joins = " ".join(
            f"LEFT JOIN ({_select(read)} LIMIT 1) r{n} ON 1 = 1"
            for n, (read, _) in enumerate(self.wanted)
        )
        self.params = [param for read, _ in self.wanted for param in read.params]

    def rows(self, values: tuple | None) -> list[Model | None]:
        """Each read's row, out of ``values``: the joined columns of one row of the statement."""
        found = iter(_split(self.wanted, values or (None,) * self.width))
        return [None if read is None else next(found) for read in self.reads]


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


@cache
def _fields(model: type[Model], names: tuple[str, ...]) -> list:
    wanted = {model._meta.get_field(name) for name in names}
    # from_db() takes the values in the model's field order.
    return [field for field in model._meta.concrete_fields if field in wanted]


def _select(read: Read) -> str:
    return _select_sql(read.model, tuple(read.fields), read.where)


@cache
def _select_sql(model: type[Model], names: tuple[str, ...], where: str) -> str:
    columns = ", ".join(connection.ops.quote_name(field.column) for field in _fields(model, names))
    return f"SELECT {columns} FROM {model._meta.db_table} WHERE {where}"


def aware(moment: datetime) -> datetime:
    """A datetime read in plain SQL: SQLite gives back the naive UTC time Django stored."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
