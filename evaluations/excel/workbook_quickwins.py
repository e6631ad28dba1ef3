"""The evaluation workbook's Quick Wins sheet (excel/workbook.py lists the sheets): the period's
agreed quick wins with every field of their form, their supporting agencies and evidence.
"""

from collections import defaultdict

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import QuickWin, QuickWinEvidence
from .writer import columns_and_widths, files_cell


def agreed_quick_win_evidence(period):
    """The live evidence of the period's agreed quick wins: what the Quick Wins sheet lists and the
    evidence package holds."""
    return QuickWinEvidence.objects.live().filter(
        quick_win__period=period, quick_win__status__in=QuickWin.ESTABLISHED_STATUSES
    )


def quick_win_data(period, evidence_paths=None):
    """The period's agreed quick wins (established, running, continued, stopped, completed) in three
    queries. Proposals and rejected ones are the agencies' drafts: they are not handed to the ministry.
    `evidence_paths` (the evidence package's workbook): evidence id -> its path in the package."""
    quick_wins = list(
        QuickWin.objects.filter(period=period, status__in=QuickWin.ESTABLISHED_STATUSES)
        .select_related("pillar", "subdimension", "agency")
        .order_by("pillar__order", "name")
    )
    supporting = defaultdict(list)
    through = QuickWin.supporting_agencies.through
    agreed = {"period": period, "status__in": QuickWin.ESTABLISHED_STATUSES}
    for item in through.objects.filter(**{f"quickwin__{k}": v for k, v in agreed.items()}).values(
        "quickwin_id", "agency__abbreviation"
    ):
        supporting[item["quickwin_id"]].append(item["agency__abbreviation"])
    evidence, files = defaultdict(list), defaultdict(list)
    for item in agreed_quick_win_evidence(period).values("id", "quick_win_id", "title", "original_name"):
        path = evidence_paths.get(item["id"]) if evidence_paths else None
        if path:
            files[item["quick_win_id"]].append(path)
        evidence[item["quick_win_id"]].append(f"{item['title']} ({path or item['original_name']})")
    return {
        "quick_wins": quick_wins,
        "supporting": supporting,
        "quick_win_evidence": evidence,
        "quick_win_evidence_files": files,
    }


QUICK_WIN_COLUMNS = [
    (_("Pilar"), 18),
    (_("Sub-dimensi"), 26),
    (_("Nama program"), 36),
    (_("Deskripsi"), 50),
    (_("Permasalahan RPJMD"), 40),
    (_("Perangkat daerah pengampu"), 24),
    (_("Perangkat daerah pendukung"), 24),
    (_("Status"), 14),
    (_("Tahun mulai"), 10),
    (_("Baru / lanjutan"), 12),
    (_("Target (%)"), 10),
    (_("Capaian (%)"), 10),
    (_("Anggaran (Rp)"), 18),
    (_("Sumber anggaran"), 14),
    (_("Mitra"), 30),
    (_("Pengguna / penerima manfaat"), 14),
    (_("Tautan"), 30),
    (_("Risiko"), 36),
    (_("Mitigasi"), 36),
    (_("Rencana keberlanjutan"), 36),
    (_("Bukti dukung"), 40),
    (_("Catatan penilai"), 40),
]


RUPIAH_FORMAT = "#,##0"


def quick_wins_sheet(data, sheet):
    sheet.table(data.title(gettext("Quick Wins")), *columns_and_widths(QUICK_WIN_COLUMNS))
    for qw in data.quick_wins:
        sheet.row(
            [
                qw.pillar.name,
                qw.subdimension.name if qw.subdimension else None,
                qw.name,
                qw.description,
                qw.rpjmd_problem,
                qw.agency.name,
                ", ".join(sorted(data.supporting.get(qw.pk, []))),
                qw.get_status_display(),
                qw.start_year,
                gettext("Baru") if qw.is_new else gettext("Lanjutan"),
                qw.target_pct,
                qw.achievement_pct,
                qw.budget,
                qw.get_budget_source_display(),
                qw.partners,
                qw.users_reached,
                qw.url,
                qw.risks,
                qw.mitigation,
                qw.sustainability_plan,
                files_cell(data.quick_win_evidence.get(qw.pk, []), data.quick_win_evidence_files.get(qw.pk)),
                qw.assessor_notes,
            ],
            formats={12: RUPIAH_FORMAT},
        )
