"""Benchmark (run on demand, not part of the test suite): the whole data-set upload path against
pandas.read_excel alone, on a generated road file.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python scripts/bench_dataset_upload.py [--rows 5000]

It migrates the database named by DATABASE_URL (a scratch one: it writes demo rows), loads the
reference fixtures, generates a valid N-row road file, then times
  1. pandas.read_excel of the file alone (the floor: what any pandas-based reader pays),
  2. read_upload (container checks + read + every cell validated),
  3. the whole path: read_upload + DatasetUpload.accept (replace rows in one transaction),
and prints the peak Python memory of each step (tracemalloc).
"""

import argparse
import os
import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")

import django  # noqa: E402

django.setup()

import pandas as pd  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402

from evaluations import roles  # noqa: E402
from evaluations.datasets import get_spec  # noqa: E402
from evaluations.excel.datasets import read_upload, rows_to_xlsx  # noqa: E402
from evaluations.models import Agency, AgencyMember, DatasetUpload, EvaluationPeriod, Kecamatan, RoadSegment  # noqa: E402

FIXTURES = [
    "fixtures/regions.json",
    "fixtures/pillars.json",
    "fixtures/kecamatan.json",
    "fixtures/agencies.json",
    "fixtures/instrument_2024_tahap1.json",
]


def road_rows(n, seed=1):
    rng = random.Random(seed)
    kecamatan = list(Kecamatan.objects.values_list("name", flat=True))
    rows = []
    for i in range(n):
        length = round(rng.uniform(0.5, 40), 2)
        aspal = round(length * rng.uniform(0.3, 0.9), 2)
        beton = round((length - aspal) / 2, 2)
        tanah = round(length - aspal - beton, 2)
        baik = round(length * rng.uniform(0.2, 0.7), 2)
        sedang = round((length - baik) / 3, 2)
        ringan = round((length - baik - sedang) / 2, 2)
        berat = round(length - baik - sedang - ringan, 2)
        rows.append(
            [
                f"{i + 1:04d}",
                f"Ruas uji {i + 1}",
                rng.choice(kecamatan),
                rng.choice(["Kabupaten", "Desa", "Provinsi"]),
                rng.choice(["Lokal", "Kolektor", "Lingkungan"]),
                length,
                round(rng.uniform(3, 8), 1),
                aspal,
                0,
                beton,
                0,
                tanah,
                baik,
                sedang,
                ringan,
                berat,
            ]
        )
    return rows


def measure(label, func, repeat=3):
    """The best of `repeat` untraced runs (the machine may be busy; tracemalloc slows Python code
    several-fold), then one traced run for the peak memory."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    elapsed = min(times)
    tracemalloc.start()
    func()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<52} {elapsed:7.2f} s (best of {repeat})   peak {peak / 1024 / 1024:7.1f} MiB")
    return result, elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    call_command("loaddata", *FIXTURES, verbosity=0)
    period = EvaluationPeriod.objects.get(year=2024, stage="1")
    agency = Agency.objects.get(abbreviation="Dinas PU")
    user, _ = User.objects.get_or_create(username="bench_operator")
    user.groups.add(Group.objects.get(name=roles.OPERATOR))
    AgencyMember.objects.update_or_create(user=user, defaults={"agency": agency})

    spec = get_spec("jalan")
    content = rows_to_xlsx(spec, road_rows(args.rows))
    print(f"road file: {args.rows} rows, {len(content) / 1024:.0f} KiB, database {django.db.connection.vendor}")

    def pandas_only():
        return pd.read_excel(SimpleUploadedFile("jalan.xlsx", content), sheet_name=0, dtype=object, engine="openpyxl")

    def validate_only():
        return read_upload(spec, SimpleUploadedFile("jalan.xlsx", content), period, agency)

    def whole_path():
        upload = SimpleUploadedFile("jalan.xlsx", content)
        rows = read_upload(spec, upload, period, agency)
        return DatasetUpload.accept(period, agency, "jalan", upload, user, rows)

    frame, t_pandas = measure("pandas.read_excel alone", pandas_only)
    assert len(frame) == args.rows
    rows, t_validate = measure("read_upload (checks + read + validate every cell)", validate_only)
    assert len(rows) == args.rows
    _upload, t_whole = measure("whole upload path (validate + replace rows + store)", whole_path)
    assert RoadSegment.objects.filter(period=period, agency=agency).count() == args.rows
    print(f"whole path / pandas alone: {t_whole / t_pandas:.2f}x  (validation adds {t_validate - t_pandas:.2f} s)")


if __name__ == "__main__":
    main()
