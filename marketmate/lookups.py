"""Query expressions the ORM lacks."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Lookup
from django.db.models.lookups import In


def int_array(values: Iterable[int]) -> str:
    """A PostgreSQL array literal of integers ("{1,2,3}"), to pass as one parameter with a cast
    (`= ANY(%s::bigint[])`): psycopg adapts a Python list element by element, checking each
    for quoting (1 ms for a search's 1,000 ids), where this joins them once. `int()` keeps
    anything but integers out of the literal."""
    return "{" + ",".join(str(int(value)) for value in values) + "}"


class InArray(Lookup):
    """`lhs` is one of a list of integers, sent to PostgreSQL as one array parameter
    (`lhs = ANY(%s::bigint[])`), where `__in` sends one parameter per value: for the 1,000 ids
    of a search's matches, Django's compiling, psycopg's parsing and PostgreSQL's planning of a
    thousand placeholders cost as much as running the query (5 ms). Other databases get `IN`.

        Product.objects.filter(InArray(F("pk"), ids))
    """

    lookup_name = "in_array"
    prepare_rhs = False

    def __init__(self, lhs: Any, rhs: Iterable[int]) -> None:
        super().__init__(lhs, [int(value) for value in rhs])

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        if connection.vendor != "postgresql":
            sql, params = In(self.lhs, self.rhs).as_sql(compiler, connection)
            return sql, tuple(params)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        array_type = self.lhs.output_field.cast_db_type(connection)
        return f"{lhs} = ANY(%s::{array_type}[])", (*lhs_params, int_array(self.rhs))
