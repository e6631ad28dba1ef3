"""Existing data moves safely into the regions (issue 23, point 7): a database populated at
0019_jobs_workers, the last migration before regions, is migrated to the latest one, and every row
of every table is compared before and after.

tests/migrate_populated.py does the migrating in a subprocess, on a database of its own: a
temporary SQLite file, or on the PostgreSQL pass a temporary PostgreSQL database
(`<test database>_migration`) created and dropped here. The migrations' RunPython code works on
the default connection, so that database must be the child's default one."""

import fcntl
import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from evaluations.kemendagri import KALIMANTAN_TIMUR, PROVINCES

from .factories import subprocess_env

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tests" / "migrate_populated.py"
# The instrument's tables: their period_id is dropped, their national_id takes its place.
MOVED_TO_NATIONAL = ("evaluations_dimension", "evaluations_surveystatement", "evaluations_instrumentchange")
# The tables the data migration puts in the region (the rest reach it through these).
IN_REGION = (
    "evaluations_agency",
    "evaluations_kecamatan",
    "evaluations_evaluationperiod",
    "evaluations_notification",
    "evaluations_job",
)


@contextmanager
def empty_database(tmp_path, django_db_blocker):
    """The DATABASE_URL of an empty database of the same engine as this test run's."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'migration.sqlite3'}"
        return
    settings = connection.settings_dict
    # `<test database>_migration`, whether this run's test database is made yet or not (the test
    # does not need it); pytest-django names it in TEST NAME under xdist.
    test_name = settings["TEST"].get("NAME") or settings["NAME"]
    name = f"{test_name if test_name.startswith('test_') else f'test_{test_name}'}_migration"
    quoted = connection.ops.quote_name(name)
    with django_db_blocker.unblock():
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")  # left by an interrupted run
            cursor.execute(f"CREATE DATABASE {quoted}")
    user = quote(settings["USER"] or "", safe="")
    password = f":{quote(settings['PASSWORD'], safe='')}" if settings["PASSWORD"] else ""
    try:
        yield f"postgres://{user}{password}@{settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}/{name}"
    finally:
        with django_db_blocker.unblock():
            with connection._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")


@pytest.fixture(scope="module")
def migrated(django_db_modify_db_settings, django_db_blocker, tmp_path_factory):
    """The migration's output, made once per test run: under pytest-xdist the workers that get
    some of these tests share the first one's, through a file lock in the run's temporary folder."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    output = shared / "migrations_regions.json"
    with open(shared / "migrations_regions.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not output.exists():
            migrate_a_populated_database(output, tmp_path_factory.mktemp("migration"), django_db_blocker)
    data = json.loads(output.read_text())
    assert data["vendor"] == connection.vendor
    return data


def migrate_a_populated_database(output, tmp_path, django_db_blocker):
    with empty_database(tmp_path, django_db_blocker) as url:
        # The region comes from the settings: the default one, whatever this shell says.
        env = subprocess_env(drop=("REGION_NAME",), DATABASE_URL=url, REGION_CODE="64.08")
        result = subprocess.run(
            [sys.executable, str(SCRIPT), str(tmp_path / "migrated.json")],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert result.returncode == 0, result.stderr
    (tmp_path / "migrated.json").rename(output)


def rows(snapshot, table):
    """The table's rows as {primary key: {column: value}}."""
    columns = snapshot[table]["columns"]
    return {key: dict(zip(columns, values, strict=True)) for key, values in snapshot[table]["rows"].items()}


def the_region(after):
    (region,) = [row for row in rows(after, "evaluations_region").values() if row["code"] == "64.08"]
    return region


def test_the_populated_database_has_rows_in_every_table_of_the_app(migrated):
    """Otherwise the comparison below would pass for a table with nothing to compare."""
    before = migrated["before"]
    ours = [table for table in before if table.startswith(("evaluations_", "pillars_", "auth_"))]
    assert len(ours) >= 50
    assert [table for table in ours if not before[table]["rows"]] == []


def test_every_row_of_every_table_keeps_every_value_of_the_columns_that_remain(migrated):
    before, after = migrated["before"], migrated["after"]
    assert sorted(set(before) - set(after)) == []
    assert sorted(set(after) - set(before)) == [
        "evaluations_inputcount",  # a later migration's (0030): counts of the changes made since
        "evaluations_nationalperiod",
        "evaluations_pendingevidence",  # a later migration's (0026), empty
        "evaluations_region",
        "evaluations_regionstaff",
        "evaluations_reportnote",  # a later migration's (0024), empty
        "evaluations_reviewassignment",  # a later migration's (0026), empty
        "evaluations_reviewplanchange",  # a later migration's (0026), empty
    ]
    dropped = {
        table: sorted(set(before[table]["columns"]) - set(after[table]["columns"]))
        for table in before
        if set(before[table]["columns"]) - set(after[table]["columns"])
    }
    assert dropped == {table: ["period_id"] for table in MOVED_TO_NATIONAL}

    differences = []
    compared = 0
    for table in before:
        kept_rows = rows(after, table)
        for key, row in rows(before, table).items():
            if key not in kept_rows:
                differences.append(f"{table} {before[table]['pk']}={key}: row gone")
                continue
            for column, value in row.items():
                if column in kept_rows[key] and kept_rows[key][column] != value:
                    differences.append(f"{table} {key} {column}: {value!r} became {kept_rows[key][column]!r}")
                compared += 1
    assert differences == []
    assert compared > 5000


def test_the_instrument_moves_to_the_national_period_of_its_period_year_and_stage(migrated):
    before, after = migrated["before"], migrated["after"]
    periods = rows(before, "evaluations_evaluationperiod")
    nationals = rows(after, "evaluations_nationalperiod")
    calendar = ("year", "stage", "name", "opens", "closes")
    # One national period per period, with its year, stage, name and dates; the period follows it.
    assert sorted(tuple(n[c] for c in calendar) for n in nationals.values()) == sorted(
        tuple(p[c] for c in calendar) for p in periods.values()
    )
    assert len(nationals) == 2
    for key, period in rows(after, "evaluations_evaluationperiod").items():
        national = nationals[str(period["national_id"])]
        assert (national["year"], national["stage"]) == (periods[key]["year"], periods[key]["stage"])

    for table in MOVED_TO_NATIONAL:
        moved = rows(after, table)
        assert len(moved) >= 2
        for key, row in rows(before, table).items():
            period = periods[str(row["period_id"])]
            national = nationals[str(moved[key]["national_id"])]
            assert (national["year"], national["stage"]) == (period["year"], period["stage"]), (table, key)


def test_every_existing_row_is_in_the_region_from_the_settings_and_its_province(migrated):
    after = migrated["after"]
    regions = rows(after, "evaluations_region")
    region = the_region(after)
    province = regions[str(region["province_id"])]
    assert (region["name"], region["kind"]) == (KALIMANTAN_TIMUR["64.08"], "kabupaten")
    assert (province["code"], province["name"], province["kind"], province["province_id"]) == (
        "64",
        PROVINCES["64"],
        "provinsi",
        None,
    )
    assert len(regions) == 2
    for table in IN_REGION:
        region_ids = [row["region_id"] for row in rows(after, table).values()]
        assert region_ids, table
        assert set(region_ids) == {region["id"]}, table


def test_the_users_without_an_agency_but_the_superuser_become_the_region_staff(migrated):
    before, after = migrated["before"], migrated["after"]
    members = {row["user_id"] for row in rows(before, "evaluations_agencymember").values()}
    users = rows(before, "auth_user")
    staff = {row["username"] for key, row in users.items() if not row["is_superuser"] and row["id"] not in members}
    # The coordinators (one of them inactive), the admin, the leader and a user of no role.
    assert staff == {"koordinator", "pensiun", "admin", "pimpinan", "tamu"}
    region_staff = rows(after, "evaluations_regionstaff").values()
    assert sorted(users[str(row["user_id"])]["username"] for row in region_staff) == sorted(staff)
    assert {row["region_id"] for row in region_staff} == {the_region(after)["id"]}


def test_the_2024_period_keeps_its_results_and_every_question_its_tally(migrated):
    """The indexes before: EvaluationPeriod.results()'s formula over the historical models (the
    instrument still on the period); after: results() itself, in the region's scope."""
    before, after = migrated["results_before"], migrated["results_after"]
    # The 7 questions answered in a submission handed in (an approved one, a submitted one).
    assert len(before["tallies"]) == 7
    assert before["tallies"] == after["tallies"]
    for index in ("official", "provisional", "self"):
        assert after[index] == before[index], index
    # Approved only, every handed-in answer, the agencies' own scores: three different figures.
    finals = [before[index]["final"][:4] for index in ("official", "provisional", "self")]
    assert finals == ["1.56", "1.96", "2.31"]
    assert after["coverage"] == before["coverage"]
