"""The regions' table (evaluations/national.py) as an .xlsx: the same columns as /nasional/ and
/provinsi/<kode>/, one row per region, no index shown as an empty cell (never 0)."""

from django.utils.translation import gettext

from .writer import PERCENT_FORMAT, SCORE_FORMAT, WorkbookWriter


def write_national_table(national, rows, pillars, target, title):
    """`rows` as national.region_rows gives them, `pillars` the Pillar rows in order."""
    book = WorkbookWriter(target)
    sheet = book.sheet(gettext("Wilayah"))
    columns = [
        (gettext("Kode"), 8),
        (gettext("Wilayah"), 30),
        (gettext("Provinsi"), 20),
        (gettext("Indeks resmi"), 11),
        (gettext("Indeks sementara"), 11),
        (gettext("Cakupan (disetujui)"), 11),
        *((pillar.name, 11) for pillar in pillars),
        (gettext("Perangkat daerah"), 10),
        (gettext("Dikirim"), 9),
        (gettext("Disetujui"), 9),
        (gettext("Hari ke batas akhir"), 10),
        (gettext("Peringkat nasional"), 10),
        (gettext("Peringkat provinsi"), 10),
    ]
    sheet.table(f"{title} · {national.name}", [name for name, _width in columns], [width for _n, width in columns])
    scores = {3, 4, *range(6, 6 + len(pillars))}
    formats = {index: SCORE_FORMAT for index in scores} | {5: PERCENT_FORMAT}
    for row in rows:
        sheet.row(
            [
                row.region.code,
                row.region.name,
                row.region.province.name if row.region.province_id else "",
                row.official,
                row.provisional,
                None if row.coverage is None else row.coverage / 100,
                *(row.pillars.get(pillar.code) for pillar in pillars),
                row.agencies,
                row.handed_in,
                row.approved,
                row.days_left,
                row.national_rank,
                row.province_rank,
            ],
            formats,
        )
    sheet.finish()
    book.close()
