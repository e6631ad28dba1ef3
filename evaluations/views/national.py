"""Above the regions: every region side by side (evaluations/national.py) for the ministry
(/nasional/) and a province (/provinsi/<kode>/), and the same table as an .xlsx job."""

from urllib.parse import urlencode

from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pillars.models import Pillar

from .. import access, national, tasks
from ..models import Region


def index(request):
    access.require_national_reader(request.user)
    return _table(request, Region.objects.evaluated(), province=None)


def province(request, code):
    province = access.get_province_for_reader(request.user, code)
    return _table(request, Region.objects.of_province(province), province=province)


@require_POST
def export(request):
    """The table as shown (period, province filter) as an .xlsx job for its reader."""
    code = request.POST.get("provinsi", "")
    if code:
        chosen = access.get_province_for_reader(request.user, code)
    else:
        access.require_national_reader(request.user)
        chosen = None
    regions = Region.objects.of_province(chosen) if chosen else Region.objects.evaluated()
    periods = list(national.national_periods())
    period = _chosen(periods, request.POST.get("periode"))
    if period is None:
        return redirect(request.POST.get("next") or "evaluations:national_index")
    title = _("Provinsi %(name)s") % {"name": chosen.name} if chosen else _("Nasional")
    job = tasks.national_table_job(period, regions, request.user, title, get_language())
    return redirect("evaluations:jobs_detail", pk=job.pk)


def _chosen(periods, asked):
    asked = str(asked or "")
    wanted = int(asked) if asked.isascii() and asked.isdigit() else None
    return next((p for p in periods if p.pk == wanted), periods[0] if periods else None)


def _table(request, regions, province):
    periods = list(national.national_periods())
    period = _chosen(periods, request.GET.get("periode"))
    pillars = list(Pillar.objects.all())
    provinces = list(Region.objects.filter(kind=Region.Kind.PROVINCE, regions__isnull=False).distinct())
    province_filter = request.GET.get("provinsi", "") if province is None else ""
    if province_filter:
        regions = regions.filter(province__code=province_filter)
    sort = national.valid_sort(request.GET.get("urut"))
    descending = request.GET.get("arah") == "turun"
    columns = _headers(_columns(pillars), period, province_filter, sort, descending)
    row_count, body = national.table(period, regions, sort, descending, len(columns)) if period else (0, "")
    context = {
        "periods": periods,
        "period": period,
        "province": province,
        "provinces": provinces,
        "province_filter": province_filter,
        "row_count": row_count,
        "body": body,
        "pillars": pillars,
        "sort": sort,
        "descending": descending,
        "columns": columns,
    }
    return render(request, "evaluations/national/index.html", context)


def _headers(columns, period, province_filter, sort, descending):
    """Each column's header: its label and the address that sorts by it (the same column again
    turns the order round), keeping the period and the province filter."""
    headers = []
    for key, label in columns:
        active = key == sort
        params = {"periode": period.pk if period else "", "urut": key}
        if province_filter:
            params["provinsi"] = province_filter
        if active and not descending:
            params["arah"] = "turun"
        order = ("descending" if descending else "ascending") if active else None
        headers.append({"key": key, "label": label, "href": "?" + urlencode(params), "aria_sort": order})
    return headers


def _columns(pillars):
    """The sortable headers: (query value, label)."""
    return [
        ("kode", _("Kode")),
        ("wilayah", _("Wilayah")),
        ("resmi", _("Indeks resmi")),
        ("sementara", _("Indeks sementara")),
        ("cakupan", _("Cakupan")),
        *((f"pilar-{pillar.code}", pillar.name) for pillar in pillars),
        ("opd", _("Perangkat daerah")),
        ("dikirim", _("Dikirim")),
        ("disetujui", _("Disetujui")),
        ("tenggat", _("Hari ke batas akhir")),
        ("peringkat", _("Peringkat nasional")),
        ("peringkat-provinsi", _("Peringkat provinsi")),
    ]
