"""Every existing row goes into the installation's region (settings.REGION_CODE, Kutai Timur's
64.08 by default) and its province; each period's instrument moves to a national period of the
same year and stage, which the region's period then follows. The people without an agency
(coordinators, admins, leaders) become the region's staff."""

from django.conf import settings
from django.db import migrations

from evaluations.kemendagri import KALIMANTAN_TIMUR, PROVINCES


def region_from_settings(Region):
    code = settings.REGION_CODE
    province_code = code.partition(".")[0]
    province, _created = Region.objects.get_or_create(
        code=province_code,
        defaults={"name": PROVINCES.get(province_code, f"Provinsi {province_code}"), "kind": "provinsi"},
    )
    if code == province_code:
        raise ValueError(f"REGION_CODE={code} is a province; give a kabupaten or kota code such as 64.08")
    name = settings.REGION_NAME or KALIMANTAN_TIMUR.get(code)
    if not name:
        raise ValueError(f"REGION_CODE={code} is not in evaluations/kemendagri.py: set REGION_NAME too")
    kind = "kota" if int(code.partition(".")[2]) >= 71 else "kabupaten"
    region, _created = Region.objects.get_or_create(
        code=code, defaults={"name": name, "kind": kind, "province": province}
    )
    return region


def forwards(apps, schema_editor):
    Region = apps.get_model("evaluations", "Region")
    region = region_from_settings(Region)
    for model in ("Agency", "Kecamatan", "Notification", "Job"):
        apps.get_model("evaluations", model).objects.filter(region__isnull=True).update(region=region)
    EvaluationPeriod = apps.get_model("evaluations", "EvaluationPeriod")
    NationalPeriod = apps.get_model("evaluations", "NationalPeriod")
    for period in EvaluationPeriod.objects.filter(national__isnull=True):
        national = NationalPeriod.objects.create(
            year=period.year, stage=period.stage, name=period.name, opens=period.opens, closes=period.closes
        )
        EvaluationPeriod.objects.filter(pk=period.pk).update(region=region, national=national)
        for model in ("Dimension", "SurveyStatement", "InstrumentChange"):
            apps.get_model("evaluations", model).objects.filter(period=period).update(national=national)
    # Everyone of the installation who works for no agency (coordinators, admins, leaders) works
    # for its region; the superusers stay above the regions.
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    RegionStaff = apps.get_model("evaluations", "RegionStaff")
    RegionStaff.objects.bulk_create(
        RegionStaff(user=user, region=region)
        for user in User.objects.filter(is_superuser=False, agency_member__isnull=True, region_staff__isnull=True)
    )


def backwards(apps, schema_editor):
    """Back to one region: the instrument returns to the periods (the region's own)."""
    EvaluationPeriod = apps.get_model("evaluations", "EvaluationPeriod")
    for period in EvaluationPeriod.objects.exclude(national__isnull=True):
        for model in ("Dimension", "SurveyStatement", "InstrumentChange"):
            apps.get_model("evaluations", model).objects.filter(national_id=period.national_id).update(period=period)


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0020_regions")]

    operations = [migrations.RunPython(forwards, backwards)]
