"""The evaluation workbook's data-set sheets (excel/workbook.py lists the sheets): one per data set
of evaluations/datasets.py, its rows with the columns of its upload template, then the derived
figures its page shows.
"""

from django.utils.translation import gettext

from ..datasets import SPECS


def dataset_rows(period):
    """kind -> the data set's rows in the period, a lazy queryset each (read when its sheet is written)."""
    return {kind: spec.model.objects.filter(period=period) for kind, spec in SPECS.items()}


def dataset_sheet(kind):
    """The sheet of one data set: its rows with the columns of its upload template, then the
    derived figures of its page (e.g. jalan mantap km and %)."""
    spec = SPECS[kind]
    labels = {c.field: dict(c.choices.choices) for c in spec.columns if c.type == "choice"}

    def write(data, sheet):
        rows = data.datasets[kind]
        headers = [gettext("Perangkat daerah"), *(c.header for c in spec.columns)]
        widths = [22, *(max(12, min(40, len(c.header) + 4)) for c in spec.columns)]
        sheet.table(data.title(str(spec.label)), headers, widths)
        fields = [c.field if c.type != "kecamatan" else "kecamatan__name" for c in spec.columns]
        for row in rows.order_by("agency__name", "pk").values("agency__abbreviation", *fields).iterator():
            values = [row["agency__abbreviation"]]
            for column, name in zip(spec.columns, fields, strict=True):
                value = row[name]
                if column.type == "choice":
                    value = str(labels[column.field].get(value, value))
                elif column.type == "bool" and value is not None:
                    value = gettext("Ya") if value else gettext("Tidak")
                values.append(value)
            sheet.row(values)
        for figure in spec.figures(rows):
            sheet.blank()
            sheet.section(figure["title"])
            sheet.row([str(h) for h in figure["headers"]])
            for figure_row in figure["rows"]:
                sheet.row(list(figure_row))

    return write
