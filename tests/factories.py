"""factory_boy factories for registry rows: valid by default, deterministic sequences."""

import datetime

import factory
from stdnum.vn import mst

from compliance.choices import MeasureCategory, MeasureKind
from compliance.models import Certificate, CleanTechMeasure
from facilities.choices import Activity
from facilities.models import District, Enterprise, Facility, Sector
from inspections.choices import FindingCategory, InspectionStatus, Outcome, Severity
from inspections.models import Finding, Inspection


def valid_tax_code(n: int) -> str:
    """The n-th valid 10-digit Vietnamese tax code (check digit computed by stdnum)."""
    candidate = 10**8 + n * 50  # spaced so that skipping an invalid body never collides
    while True:
        body = f"{candidate:09d}"
        code = body + mst.calc_check_digit(body)
        if mst.is_valid(code):
            return code
        candidate += 1


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"Công ty TNHH Thử Nghiệm {n}")
    tax_code = factory.Sequence(lambda n: valid_tax_code(n + 1))
    address = "Phường Tân Phong, TP Lai Châu"
    representative = "Nguyễn Văn An"


class FacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Facility

    code = factory.Sequence(lambda n: f"LC-{n:05d}")
    name = factory.Sequence(lambda n: f"Cơ sở sản xuất số {n}")
    enterprise = factory.SubFactory(EnterpriseFactory)
    activity = Activity.PRODUCTION
    sector = factory.LazyFunction(lambda: Sector.objects.get(code="manufacturing"))
    district = factory.LazyFunction(lambda: District.objects.get(code="106"))
    address = "Bản Bình Lư, Tam Đường"
    operating_since = datetime.date(2015, 1, 1)


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    facility = factory.SubFactory(FacilityFactory)
    number = factory.Sequence(lambda n: f"GCN-{n:05d}/STNMT")
    issuer = "Sở Tài nguyên và Môi trường Lai Châu"
    issued_on = datetime.date(2018, 1, 1)
    valid_until = datetime.date(2022, 12, 31)


class CleanTechMeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CleanTechMeasure

    facility = factory.SubFactory(FacilityFactory)
    kind = MeasureKind.POLLUTION_CONTROL
    category = MeasureCategory.WASTEWATER
    description = "Hệ thống xử lý nước thải"
    installed_on = datetime.date(2016, 4, 1)


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    facility = factory.SubFactory(FacilityFactory)
    visited_on = datetime.date(2019, 6, 1)
    status = InspectionStatus.FINALIZED
    outcome = Outcome.COMPLIANT
    summary = "Kiểm tra định kỳ"


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    inspection = factory.SubFactory(InspectionFactory)
    category = FindingCategory.WASTEWATER
    description = "Nước thải chưa qua xử lý"
    severity = Severity.MINOR
    corrective_action = "Lắp đặt bể lắng"
