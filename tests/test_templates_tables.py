"""No table widens a page on a phone (issue 24, item 3): every table of our templates scrolls inside
its own focusable, named region (a div.table-responsive with tabindex="0", role="region" and an
aria-label or aria-labelledby) or turns into cards on a phone (.table-cards). The browser suite
checks every page at 360 px (test_layout_every_page_browser.py); this finds a new table at once,
whatever data the page happens to show. The Django admin's own pages are left to its styles."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
TEMPLATE_TAGS = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.S)
# Laid out on A4 paper by WeasyPrint (evaluations/pdf/report.py), never shown on a screen.
PRINTED_ONLY = {Path("evaluations/reports/report.html"), Path("evaluations/reports/_notes.html")}


def tables():
    for path in sorted(TEMPLATES.rglob("*.html")):
        if "admin" in path.relative_to(TEMPLATES).parts or path.relative_to(TEMPLATES) in PRINTED_ONLY:
            continue
        text = path.read_text()
        for match in re.finditer(r"<table\b[^>]*>", text):
            yield (
                path.relative_to(TEMPLATES),
                text[: match.start()].count("\n") + 1,
                text[: match.start()],
                match.group(0),
            )


def in_region(before, tag):
    if "table-cards" in tag:
        return True
    start = before.rfind('<div class="table-responsive"')
    if start < 0:
        return False
    wrapper = before[start:]
    opened = re.findall(r"<(?!/)(\w+)", TEMPLATE_TAGS.sub("", wrapper))
    closed = re.findall(r"</(\w+)", TEMPLATE_TAGS.sub("", wrapper))
    named = "aria-label=" in wrapper or "aria-labelledby=" in wrapper
    return opened == ["div"] and not closed and 'tabindex="0"' in wrapper and 'role="region"' in wrapper and named


CASES = list(tables())


@pytest.mark.parametrize(("path", "line", "before", "tag"), CASES, ids=[f"{p}:{n}" for p, n, _b, _t in CASES])
def test_every_table_scrolls_in_its_own_region_or_becomes_cards(path, line, before, tag):
    assert in_region(before, tag), f"{path}:{line}: wrap {tag} in a named, focusable div.table-responsive region"


def test_the_check_tells_a_bare_table_from_a_wrapped_one():
    wrapped = '<div class="table-responsive" tabindex="0" role="region" aria-labelledby="t">\n  {% if x %}'
    assert in_region(wrapped, "<table class='table'>")
    assert not in_region("<section>", "<table class='table'>")
    assert not in_region('<div class="table-responsive">', "<table>")
    assert not in_region(wrapped + "<div>", "<table>")
    assert in_region("<section>", '<table class="table table-cards">')
