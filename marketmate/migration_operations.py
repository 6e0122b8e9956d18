"""Migration operations shared by the apps' migrations."""

from typing import Any

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations


class PostgresOnly:
    """Mixin for an operation that only PostgreSQL can run (GIN indexes, operator classes,
    CONCURRENTLY): it runs there, and only the model state changes on the embedded SQLite
    database."""

    def database_forwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, *args)  # type: ignore[misc]

    def database_backwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, *args)  # type: ignore[misc]


class PostgresOnlyAddIndex(PostgresOnly, migrations.AddIndex):
    """An index that only PostgreSQL can build."""


class PostgresOnlyAddIndexConcurrently(PostgresOnly, AddIndexConcurrently):
    """As `PostgresOnlyAddIndex`, built with CREATE INDEX CONCURRENTLY so that a big table keeps
    taking writes meanwhile (the migration must be `atomic = False`)."""


class PostgresOnlyAlterField(PostgresOnly, migrations.AlterField):
    """A change of a number column's precision, which only PostgreSQL's column type holds: the
    embedded SQLite database stores the number as it is (Django reads it back at the field's
    decimals), and its table remake would also try to build the model's PostgreSQL-only
    indexes."""
