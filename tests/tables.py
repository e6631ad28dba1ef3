"""A copy of every table, written back in a fraction of the time a flush and loaddata take, for the
tests whose rows must be committed (the browser tests' live server must see them, the race tests
run several connections at once) and so cannot be rolled back."""

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction

from .factories import load_reference_data


class Tables:
    """A copy of every row of every table of the project's models (the tables a flush empties),
    read with plain SQL; `restore()` writes back, in one transaction, each table whose rows differ."""

    def __init__(self):
        self.rows = {table: self._read(table, pk) for table, pk in self._tables()}

    @staticmethod
    def _tables():
        seen = set()
        for model in apps.get_models(include_auto_created=True):
            opts = model._meta
            if opts.managed and not opts.proxy and not opts.swapped and opts.db_table not in seen:
                seen.add(opts.db_table)
                yield opts.db_table, opts.pk.column

    @staticmethod
    def _read(table, pk):
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {qn(table)} ORDER BY {qn(pk)}")
            return [column[0] for column in cursor.description], cursor.fetchall()

    def restore(self):
        qn = connection.ops.quote_name
        # Foreign keys are checked at the commit (Django declares them deferrable), when every
        # table is back as it was.
        with transaction.atomic(), connection.cursor() as cursor:
            for table, pk in self._tables():
                columns, rows = self.rows[table]
                if self._read(table, pk) == (columns, rows):
                    continue
                cursor.execute(f"DELETE FROM {qn(table)}")
                if rows:
                    names = ", ".join(qn(column) for column in columns)
                    values = ", ".join(["%s"] * len(columns))
                    cursor.executemany(f"INSERT INTO {qn(table)} ({names}) VALUES ({values})", rows)
        # After a flush the content types came back under other ids: forget those.
        ContentType.objects.clear_cache()


@pytest.fixture(scope="session")
def reference_tables(django_db_setup, django_db_blocker):
    """The reference data as a transactional test finds it (emptied, then the fixtures loaded),
    copied: a browser module starts from it and leaves it behind (see browser.py), a race test
    writes it back after the flush of the test before."""
    with django_db_blocker.unblock():
        call_command("flush", verbosity=0, interactive=False)
        load_reference_data()
        return Tables()
