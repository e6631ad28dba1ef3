"""The region's evaluation report as an A4 PDF: reports.report_data rendered through
templates/evaluations/reports/report.html and laid out by WeasyPrint (Pango underneath, Debian's
libpango-1.0-0 and libpangoft2-1.0-0; README "The region's report").

The layout is the template's print CSS: page numbers "Halaman x dari y" in the page margin, table
headers repeated on every page, no table row cut across pages, charts as inline SVG beside their
tables. WeasyPrint embeds the fonts it uses (a subset of DejaVu Sans) and writes real text, so the
document can be searched and copied.

    data = report_data(period, generated_by="Rina")
    pages = write_report(data, "laporan.pdf", progress=None)
"""

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

STEPS = 3


def render_html(data):
    """The report's HTML, in Indonesian whatever the user's language (it is the regency's document)."""
    with translation.override("id"):
        return render_to_string("evaluations/reports/report.html", data)


def write_report(data, target, progress=None):
    """Write the report of `data` (reports.report_data) to `target` (a path or a binary file
    object). `progress(done, total, step)` is called before each step (a job's heartbeat, a
    terminal's progress bar). Returns the number of pages."""
    with translation.override("id"):
        if progress:
            progress(0, STEPS, gettext("Menyusun halaman"))
        html = render_html(data)
        if progress:
            progress(1, STEPS, gettext("Menata halaman"))
        fonts = FontConfiguration()
        document = HTML(string=html).render(font_config=fonts)
        if progress:
            progress(2, STEPS, gettext("Menulis PDF"))
        document.write_pdf(target)
        return len(document.pages)


def report_filename(period):
    return f"laporan-evaluasi-smart-city-{period.year}-tahap-{period.stage}.pdf"


__all__ = ["render_html", "report_filename", "write_report"]
