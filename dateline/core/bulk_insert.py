"""Stores many new model instances in plain INSERT statements, for imports of thousands.

`QuerySet.bulk_create` compiles every value of every row through the ORM's compiler (a dozen
calls per value); an import of 100,000 comments spent most of its time there. Here each field's
conversion is chosen once per batch and the rows go out as multi-row `INSERT ... RETURNING id`
(SQLite 3.35+ and PostgreSQL both have it), or through `executemany` when no ids are wanted.
What is stored is what `bulk_create` would store: the same columns, defaults already set on the
instances, `auto_now`/`auto_now_add` fields set to one time for the batch. No signals are sent,
as with `bulk_create`. Call it inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

M = TypeVar("M", bound=models.Model)

# Fields whose Python value is the database value once the instance holds the right type.
_AS_IS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.FloatField,
    models.ForeignKey,
)


def insert(objects: Sequence[M], *, returning_ids: bool = True) -> list[int]:
    """Inserts `objects` (new instances of one model, no primary key yet); with
    `returning_ids`, sets each one's pk and returns the ids in order."""
    if not objects:
        return []
    model = type(objects[0])
    meta = model._meta
    fields = [field for field in meta.concrete_fields if field is not meta.pk]
    now = timezone.now()
    for field in fields:
        if _stamped(field):
            for instance in objects:
                setattr(instance, field.attname, now)
    attnames = [field.attname for field in fields]
    rows = [[getattr(instance, name) for name in attnames] for instance in objects]
    ids = insert_rows(model, attnames, rows, returning_ids=returning_ids)
    if not returning_ids:
        return []
    alias = router.db_for_write(model)
    for instance, pk in zip(objects, ids, strict=True):
        instance.pk = pk
        instance._state.adding = False
        instance._state.db = alias
    return ids


def insert_rows(
    model: type[models.Model],
    names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    returning_ids: bool = True,
) -> list[int]:
    """Inserts rows of `model` given as plain values for the fields `names` (attnames:
    "post_id"), without building an instance per row; the other fields get their defaults
    (`auto_now`/`auto_now_add` ones the time of the call). The new ids in order, if asked."""
    if not rows:
        return []
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    by_attname = {field.attname: field for field in meta.concrete_fields}
    given = [by_attname[name] for name in names]
    now = timezone.now()
    rest = [
        field
        for field in meta.concrete_fields
        if field is not meta.pk and field.attname not in names
    ]
    fixed = [now if _stamped(field) else field.get_default() for field in rest]
    fields = given + rest
    converters = [_converter(field, connection) for field in fields]
    fixed_values = [
        None if value is None else convert(value)
        for value, convert in zip(fixed, converters[len(given) :], strict=True)
    ]
    given_converters = converters[: len(given)]
    values = [
        [
            None if value is None else convert(value)
            for value, convert in zip(row, given_converters, strict=True)
        ]
        + fixed_values
        for row in rows
    ]
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        if not returning_ids:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES {one_row}", values)
            return []
        ids: list[int] = []
        size = max(1, connection.ops.bulk_batch_size(fields, values))
        pk_column = connection.ops.quote_name(meta.pk.column)
        for start in range(0, len(values), size):
            batch = values[start : start + size]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES "
                + ", ".join([one_row] * len(batch))
                + f" RETURNING {pk_column}",
                [value for row in batch for value in row],
            )
            ids += [int(row[0]) for row in cursor.fetchall()]
    return ids


def _stamped(field: models.Field[Any, Any]) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def _converter(
    field: models.Field[Any, Any], connection: BaseDatabaseWrapper
) -> Callable[[Any], Any]:
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, _AS_IS) and not isinstance(field, models.DecimalField):
        return _as_is
    return lambda value: field.get_db_prep_save(value, connection)


def _as_is(value: Any) -> Any:
    return value
