"""Reading rows in plain SQL, for the few reads that every socket handshake makes.

Building a query costs the ORM about 150 µs of CPU, four times what the same SELECT costs through
Django's cursor (docs/performance.md); a handshake made four of them. The instances built here
are the ORM's own (``Model.from_db``), with the fields not read deferred, as ``.only()`` would
leave them: reading one loads it, and saving writes only the fields that were read.
"""

from datetime import UTC, datetime

from django.db import connection
from django.db.models import Model


def fetch_only(model: type[Model], fields: list[str], where: str, params: list) -> Model | None:
    """The first row of ``model`` matching ``where`` (SQL on its table), with ``fields`` read."""
    wanted = {model._meta.get_field(name) for name in fields}
    # from_db() takes the values in the model's field order.
    read = [field for field in model._meta.concrete_fields if field in wanted]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in read)
    sql = f"SELECT {columns} FROM {model._meta.db_table} WHERE {where}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    return model.from_db(connection.alias, [field.attname for field in read], row)


def aware(moment: datetime) -> datetime:
    """A datetime read in plain SQL: SQLite gives back the naive UTC time Django stored."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
