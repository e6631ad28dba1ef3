"""The database triggers that count changes to the results' inputs (models.InputCount).

    COUNTED = [("evaluations.Answer", "u", "submission", "submission__period"), ...]
    install(schema_editor, apps, COUNTED)      # in a migration: (re)creates every trigger
    missing_or_changed(connection)             # [] when the database has exactly COUNTED's triggers

Each counted table gets, on SQLite, one trigger per event and, on PostgreSQL, one row trigger with
its function: every inserted, updated or deleted row adds one to the count of its owner (for an
update, of its old owner and of its new one). The owner is found from the row's first foreign key
by the path the results cache already names (a question's national period through its indicator
and dimension; an agency's periods through its region), compiled by Django from the models, so the
SQL follows the tables' real names on either database. A deletion cascading down from a parent
counts through the parent, which has the same owner, whatever the order of the deletions.

SQLite drops a table's triggers when a migration rebuilds the table (any AlterField on it): a
migration that does so must call install() again. tests/test_input_counts.py fails until it does.
"""

from django.apps import apps
from django.db import connection as default_connection
from django.db.models import BigIntegerField, Value
from django_scopes import scopes_disabled

# What the results cache counts instead of reading (results_cache.RESULTS_COUNTED): (model, kind,
# path from a row to its owner, path to the owner's period for a submission's count, else None).
# A shared row's path is None: its owner is 0.
SENTINEL = -987654321
TABLE = "evaluations_inputcount"


def _owner_sql(model, kind, path, period_path, row, connection):
    """SELECT owner, period of the row called `row` (NEW or OLD) in the trigger."""
    if path is None:
        return "SELECT 0, NULL"  # the one owner of what every period reads
    first, _, rest = path.partition("__")
    field = model._meta.get_field(first)
    target = field.related_model
    values = [rest or "pk"]
    if period_path:
        period_first, _, period_rest = period_path.partition("__")
        if period_first != first:
            raise ValueError(f"{model._meta.label}: the period's path must start with {first}")
        values.append(period_rest or "pk")
    with scopes_disabled():
        rows = target._base_manager.filter(pk=SENTINEL).order_by().values_list(*values)
        if not period_path:
            rows = rows.annotate(no_period=Value(None, output_field=BigIntegerField())).values_list(
                *values, "no_period"
            )
        sql, params = rows.query.get_compiler(connection=connection).as_sql()
    if list(params) != [SENTINEL]:
        raise ValueError(f"{model._meta.label}: unexpected parameters in the owner's query {params}")
    return sql.replace("%s", f'{row}."{field.column}"')


def _bump(model, kind, path, period_path, row, connection):
    """One statement: the row's owners' counts plus one (created at one when missing)."""
    owners = _owner_sql(model, kind, path, period_path, row, connection)
    return (
        f"INSERT INTO {TABLE} (kind, owner, period, changes) "
        # A column NULL in the owner's query is of no type to PostgreSQL until cast.
        f"SELECT '{kind}', CAST(o.owner AS bigint), CAST(o.period AS bigint), 1 FROM ({owners}) AS o (owner, period) "
        "WHERE o.owner IS NOT NULL "
        f"ON CONFLICT (kind, owner) DO UPDATE SET changes = {TABLE}.changes + 1"
        if connection.vendor == "postgresql"
        else f"INSERT INTO {TABLE} (kind, owner, period, changes) "
        f"SELECT '{kind}', o.column1, o.column2, 1 FROM (VALUES (NULL, NULL) UNION ALL {owners}) AS o "
        "WHERE o.column1 IS NOT NULL "
        f"ON CONFLICT (kind, owner) DO UPDATE SET changes = {TABLE}.changes + 1"
    )


def trigger_sql(models, counted, connection=default_connection):
    """{trigger name: its SQL} for every counted table on this database. On PostgreSQL each
    entry is the function's body (the trigger itself only calls it)."""
    triggers = {}
    for label, kind, path, period_path in counted:
        model = models.get_model(label)
        table = model._meta.db_table
        old, new = (_bump(model, kind, path, period_path, row, connection) for row in ("OLD", "NEW"))
        if connection.vendor == "postgresql":
            triggers[f"{table}_count"] = (
                f"\nBEGIN\n  IF TG_OP <> 'INSERT' THEN\n    {old};\n  END IF;\n"
                f"  IF TG_OP <> 'DELETE' THEN\n    {new};\n  END IF;\n  RETURN NULL;\nEND;\n"
            )
        else:
            for event, bumps in (("INSERT", [new]), ("UPDATE", [old, new]), ("DELETE", [old])):
                name = f"{table}_count_{event.lower()}"
                body = "".join(f" {bump};" for bump in bumps)
                triggers[name] = f'CREATE TRIGGER "{name}" AFTER {event} ON "{table}" FOR EACH ROW BEGIN{body} END'
    return triggers


def install(schema_editor, apps, counted):
    """Drop every counting trigger and create those of `counted` (a migration's RunPython)."""
    connection = schema_editor.connection
    uninstall(schema_editor)
    for name, sql in trigger_sql(apps, counted, connection).items():
        if connection.vendor == "postgresql":
            table = name.removesuffix("_count")
            schema_editor.execute(f'CREATE FUNCTION "{name}"() RETURNS trigger LANGUAGE plpgsql AS $body${sql}$body$')
            schema_editor.execute(
                f'CREATE TRIGGER "{name}" AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
                f'FOR EACH ROW EXECUTE FUNCTION "{name}"()'
            )
        else:
            schema_editor.execute(sql)


def uninstall(schema_editor, apps=None, counted=None):
    connection = schema_editor.connection
    for name, table, _sql in _triggers(connection):
        if connection.vendor == "postgresql":
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
            schema_editor.execute(f'DROP FUNCTION IF EXISTS "{name}"()')
        else:
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


def _triggers(connection):
    """[(trigger name, its table, its SQL)] of the counting triggers in the database (PostgreSQL:
    the SQL is the function's body)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT t.tgname, c.relname, p.prosrc FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_proc p ON p.oid = t.tgfoid WHERE NOT t.tgisinternal AND t.tgname LIKE %s",
                ["%\\_count"],
            )
        else:
            cursor.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s ESCAPE '\\'",
                ["%\\_count\\_%"],
            )
        return cursor.fetchall()


def installed(connection=default_connection):
    """{trigger name: its SQL} as the database has them (PostgreSQL: the functions' bodies)."""
    return {name: sql for name, _table, sql in _triggers(connection)}


def missing_or_changed(counted, connection=default_connection):
    """The counting triggers the database lacks or has in another form than `counted` asks,
    and those it has that `counted` does not ask for: [] when they agree."""
    wanted, found = trigger_sql(apps, counted, connection), installed(connection)
    return sorted(name for name in wanted.keys() | found.keys() if wanted.get(name) != found.get(name))
