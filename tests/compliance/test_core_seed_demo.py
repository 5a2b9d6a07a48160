"""seed_demo: a realistic Lai Châu registry, deterministic, re-runnable, fully attributed."""

import copy
import datetime
import io
import random
import zoneinfo

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Prefetch
from django.http import HttpRequest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.vn import mst

from compliance.choices import CertificateKind
from compliance.management.commands.seed_demo import (
    DEMO_PASSWORD,
    DEMO_PORTAL_VISIT_SUMMARY,
    Generator,
    Weighted,
    _enterprise,
    code_key,
    joined_key,
    new,
)
from compliance.models import Certificate, CleanTechMeasure
from facilities.choices import Activity, Role, UnitGap
from facilities.history import system_user
from facilities.models import District, Enterprise, Facility, Sector, unit_gap_q
from facilities.text import search_key
from inspections.choices import EvidenceStatus, InspectionKind, InspectionStatus, Outcome
from inspections.models import Finding, Inspection, RemediationEvidence

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 30)
NOON = datetime.datetime(2026, 6, 30, 12, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"))
N = 120


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # The demo logins get real passwords; the default hasher costs a second each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(**options) -> str:
    out = io.StringIO()
    with time_machine.travel(NOON, tick=False):
        call_command("seed_demo", stdout=out, **({"facilities": N, "seed": 7} | options))
    return out.getvalue()


@pytest.fixture
def seeded():
    return seed()


def history_models():
    return [
        m
        for m in apps.get_models()
        if m.__name__.startswith("Historical") and hasattr(m, "history_user")
    ]


def test_it_covers_every_district_sector_and_activity(seeded):
    assert Facility.objects.count() == N
    assert set(Facility.objects.values_list("district", flat=True)) - {None} == set(
        District.objects.values_list("code", flat=True)
    )
    assert set(Facility.objects.values_list("sector", flat=True)) == set(
        Sector.objects.values_list("code", flat=True)
    )
    assert set(Facility.objects.values_list("activity", flat=True)) == set(Activity.values)


def test_operating_dates_run_from_2005_with_closed_and_not_yet_operating(seeded):
    dates = Facility.objects.exclude(operating_since=None).values_list("operating_since", flat=True)
    assert min(dates) >= datetime.date(2005, 1, 1)
    assert Facility.objects.filter(closed_on__isnull=False).exists()
    assert (
        Facility.objects.filter(operating_since__isnull=True).exists()
        or Facility.objects.filter(operating_since__gt=TODAY).exists()
    )


def test_every_enterprise_has_a_valid_tax_code_and_some_are_branches():
    seed(facilities=400)
    codes = list(Enterprise.objects.values_list("tax_code", flat=True))
    assert all(mst.is_valid(c) and mst.format(c) == c for c in codes)
    assert any("-" in c for c in codes)


def test_certificates_are_renewed_expire_and_are_revoked_with_a_reason(seeded):
    assert Certificate.objects.filter(valid_until__lt=TODAY).exists()
    assert Certificate.objects.filter(issued_on__lte=TODAY, valid_until__gte=TODAY).exists()
    revoked = Certificate.objects.filter(revoked_on__isnull=False)
    assert revoked.exists()
    assert not revoked.filter(revocation_reason="").exists()
    renewed = [f for f in Facility.objects.all() if f.certificates.count() >= 2]
    assert renewed


def test_measures_are_verified_or_not(seeded):
    assert CleanTechMeasure.objects.filter(verified_on__isnull=False).exists()
    assert CleanTechMeasure.objects.filter(verified_on__isnull=True).exists()


def test_inspections_span_2012_to_today_with_every_status_kind_and_outcome(seeded):
    visits = Inspection.objects.values_list("visited_on", flat=True)
    assert min(visits) >= datetime.date(2012, 1, 1)
    assert max(visits) <= TODAY
    assert set(Inspection.objects.values_list("status", flat=True)) == set(InspectionStatus.values)
    assert set(Inspection.objects.values_list("kind", flat=True)) == set(InspectionKind.values)
    finalized = Inspection.objects.filter(status=InspectionStatus.FINALIZED)
    assert set(finalized.values_list("outcome", flat=True)) == set(Outcome.values)
    assert not finalized.filter(inspectors=None).exists()


def test_findings_have_deadlines_some_resolved_some_overdue(seeded):
    assert Finding.objects.filter(deadline__isnull=False, resolved_on__isnull=False).exists()
    assert Finding.objects.filter(deadline__lt=TODAY, resolved_on__isnull=True).exists()


def test_every_row_passes_model_validation(seeded):
    for model in [Enterprise, Facility, Certificate, CleanTechMeasure, Inspection, Finding]:
        for obj in model.objects.all()[:80]:
            obj.full_clean()


def test_no_history_row_anywhere_lacks_a_user_or_a_reason(seeded):
    checked = 0
    for model in history_models():
        assert not model.objects.filter(history_user__isnull=True).exists(), model
        assert not model.objects.filter(history_change_reason__isnull=True).exists(), model
        assert not model.objects.filter(history_change_reason="").exists(), model
        checked += model.objects.count()
    assert checked > N * 3
    assert set(Facility.history.values_list("history_change_reason", flat=True)) == {"seed_demo"}
    assert set(Facility.history.values_list("history_user", flat=True)) == {system_user().pk}


def test_history_is_attributed_to_the_user_given(admin_user):
    seed(facilities=10, user=admin_user.username)
    assert set(Inspection.history.values_list("history_user", flat=True)) == {admin_user.pk}


def test_an_unknown_user_is_refused():
    with pytest.raises(CommandError):
        seed(user="khongco")


def test_running_it_again_writes_nothing_new(seeded):
    counts = [m.objects.count() for m in (Enterprise, Facility, Certificate, Inspection, Finding)]
    names = list(Facility.objects.order_by("code").values_list("code", "name", "district"))
    seed()
    assert [
        m.objects.count() for m in (Enterprise, Facility, Certificate, Inspection, Finding)
    ] == counts
    assert list(Facility.objects.order_by("code").values_list("code", "name", "district")) == names


def test_a_larger_run_adds_only_the_missing_facilities(seeded):
    first = list(Facility.objects.order_by("code").values_list("code", "name"))
    seed(facilities=N + 15)
    assert Facility.objects.count() == N + 15
    assert list(Facility.objects.order_by("code").values_list("code", "name"))[:N] == first


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    def plans(seed_value):
        g = Generator(seed=seed_value, facilities=50, today=TODAY)
        g.inspectors = {code: [1, 2] for code in District.objects.values_list("code", flat=True)}
        return [
            (p.facility.name, p.facility.operating_since, len(p.inspections), len(p.certificates))
            for p in (g.facility(i, 1, "105") for i in range(50))
        ]

    assert plans(7) == plans(7)
    assert plans(7) != plans(8)


def test_the_data_of_a_seed_stays_what_it_was():
    """The same seed gives the same registry from one version of the command to the
    next (the figures quoted in docs/performance.md and the demo's story rely on it):
    these are the values the first generator drew, before it was made faster."""
    g = Generator(seed=7, facilities=40, today=TODAY)
    g.inspectors = {code: [1, 2] for code in District.objects.values_list("code", flat=True)}
    enterprises = g.enterprises()
    assert [(e.tax_code, e.name) for e in enterprises[:3]] == [
        ("6200010013", "Công ty Cổ phần Chè Tam Đường"),
        ("6200010020", "Công ty TNHH MTV Chè Hoàng Liên"),
        ("6200010038", "Công ty Cổ phần Nông lâm sản Tả Liên"),
    ]
    drawn = {}
    for i in (0, 1, 24, 39):
        plan = g.facility(i, 1, enterprises[g.owner[i]].district)
        drawn[plan.facility.code] = (
            plan.facility.name,
            plan.facility.operating_since,
            [c.number for c in plan.certificates],
            [(v.visited_on, v.status, v.outcome, len(f)) for v, _team, f in plan.inspections][:2],
        )
    day = datetime.date
    assert drawn == {
        "LC-000001": (
            "Xưởng sấy chè Nà Tăm",
            day(2006, 3, 23),
            [f"000001.{n}/GCN-STNMT" for n in range(1, 6)],
            [
                (day(2014, 3, 7), "finalized", "compliant", 0),
                (day(2017, 7, 22), "finalized", "compliant_with_remarks", 2),
            ],
        ),
        "LC-000002": (
            "Xưởng chế biến thảo quả Bản Giang",
            day(2017, 10, 21),
            ["000002.1/GCN-STNMT", "000002.2/GCN-STNMT", "000002.3/GPMT-UBND"],
            [
                (day(2018, 9, 24), "finalized", "compliant", 0),
                (day(2021, 7, 3), "finalized", "non_compliant", 3),
            ],
        ),
        "LC-000025": (
            "Nhà thuốc Thèn Sin",
            day(2013, 6, 7),
            ["000025.1/GCN-STNMT"],
            [
                (day(2014, 11, 23), "finalized", "compliant", 0),
                (day(2017, 3, 19), "finalized", "compliant_with_remarks", 2),
            ],
        ),
        "LC-000040": (
            "Trung tâm y tế Phúc Than",
            day(2014, 9, 3),
            [
                "000040.1/GCN-STNMT",
                "000040.2/GCN-STNMT",
                "000040.3/GCN-STNMT",
                "000040.4/GPMT-UBND",
            ],
            [
                (day(2016, 12, 17), "finalized", "compliant", 0),
                (day(2019, 4, 3), "finalized", "compliant", 0),
            ],
        ),
    }


def _values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_every_generated_row_is_already_normalised():
    """The COPY skips ``normalize()`` for seeded rows (normalized=True): each row must be
    exactly what normalize() would store — NFC text, the same search key."""
    g = Generator(seed=3, facilities=400, today=TODAY)
    g.inspectors = {code: [1, 2] for code in District.objects.values_list("code", flat=True)}
    enterprises = g.enterprises()
    rows = [_enterprise(p) for p in enterprises]
    for i in range(400):
        plan = g.facility(i, 1, enterprises[g.owner[i]].district)
        rows += [plan.facility, *plan.certificates, *plan.measures]
        rows += [v for v, _team, _found in plan.inspections]
        rows += [f for _v, _team, found in plan.inspections for f in found]
    assert {type(r) for r in rows} == {
        Enterprise,
        Facility,
        Certificate,
        CleanTechMeasure,
        Inspection,
        Finding,
    }
    for row in rows:
        normalised = copy.copy(row)
        normalised.normalize()
        assert _values(row) == _values(normalised), row


def test_new_builds_what_the_model_constructor_builds():
    g = Generator(seed=5, facilities=30, today=TODAY)
    g.inspectors = {code: [1, 2] for code in District.objects.values_list("code", flat=True)}
    enterprises = g.enterprises()
    plans = [g.facility(i, 1, enterprises[g.owner[i]].district) for i in range(30)]
    built = [p.facility for p in plans] + [c for p in plans for c in p.certificates]
    built += [m for p in plans for m in p.measures]
    built += [v for p in plans for v, _t, found in p.inspections] + [
        f for p in plans for _v, _t, found in p.inspections for f in found
    ]
    for obj in built:
        given_values = {k: v for k, v in vars(obj).items() if k != "_state"}
        constructed = type(obj)(**given_values)
        assert _values(obj) == _values(constructed)
        assert obj._state.adding and obj._state.db is None
    assert _values(new(Finding)) == _values(Finding())


@given(
    weights=st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=6).filter(any),
    seed=st.integers(),
)
def test_a_weighted_draw_is_what_random_choices_draws(weights, seed):
    pairs = [(f"v{n}", w) for n, w in enumerate(weights)]
    ours, theirs = random.Random(seed), random.Random(seed)
    draw = Weighted(pairs)
    for _ in range(5):
        assert draw.draw(ours) == theirs.choices([v for v, _w in pairs], weights)[0]


@given(parts=st.lists(st.text(), min_size=1, max_size=4))
def test_the_key_of_parts_is_their_keys_joined(parts):
    assert joined_key(*(search_key(p) for p in parts)) == search_key(*parts)


@given(text=st.text(alphabet=st.characters(max_codepoint=127)))
def test_the_key_of_an_ascii_code_is_the_search_key(text):
    assert code_key(text) == search_key(text)
    assert code_key(text + "Đ") == search_key(text + "Đ")


def test_it_creates_one_login_per_role_and_prints_them(seeded, client):
    for username, role in [
        ("quantri", Role.ADMIN),
        ("kiemtra", Role.INSPECTOR),
        ("doanhnghiep", Role.BUSINESS),
        ("thamtra", Role.AUDITOR),
    ]:
        assert username in seeded
        user = get_user_model().objects.get(username=username)
        assert user.registry_profile.role == role
        # django-axes counts logins per request: the login is given one.
        assert client.login(request=HttpRequest(), username=username, password=DEMO_PASSWORD)
    assert DEMO_PASSWORD in seeded
    admin = get_user_model().objects.get(username="quantri")
    assert admin.is_superuser and admin.is_staff
    inspector = get_user_model().objects.get(username="kiemtra")
    assert sorted(inspector.registry_profile.districts.values_list("code", flat=True)) == [
        "106",
        "109",
    ]
    owner = get_user_model().objects.get(username="doanhnghiep").registry_profile.enterprise
    assert owner.facilities.exists()


def test_the_demo_inspector_appears_on_inspections_in_their_districts(seeded):
    inspector = get_user_model().objects.get(username="kiemtra")
    districts = set(
        Inspection.objects.filter(inspectors=inspector).values_list("facility__district", flat=True)
    )
    assert districts and districts <= {"106", "109"}


def test_facilities_active_after_the_reform_have_communes_some_straddling_without_district(
    seeded,
):
    after = Facility.objects.filter(unit_gap_q(UnitGap.MISSING_COMMUNE))
    placed = Facility.objects.filter(commune__isnull=False)
    assert placed.exists()
    assert not placed.filter(operating_since__isnull=True).exists()
    # A few facilities still lack their commune: the dashboard's data-quality list.
    assert after.exists()
    straddling = ["03388", "03408", "03394", "03487", "03503"]
    assert placed.filter(commune__in=straddling, district__isnull=True).exists()
    assert placed.filter(commune__in=straddling, district__isnull=False).exists()
    # Nobody active before the reform is left without a district.
    assert not Facility.objects.filter(unit_gap_q(UnitGap.MISSING_DISTRICT)).exists()


def test_permits_and_registrations_from_2022_and_old_certificates_replaced_by_permits(seeded):
    law = datetime.date(2022, 1, 1)
    assert not Certificate.objects.filter(
        kind=CertificateKind.STANDARDS_CERTIFICATE, issued_on__gte=law
    ).exists()
    permits = Certificate.objects.filter(kind=CertificateKind.ENVIRONMENTAL_PERMIT)
    registrations = Certificate.objects.filter(kind=CertificateKind.ENVIRONMENTAL_REGISTRATION)
    assert permits.exists() and not permits.filter(issued_on__lt=law).exists()
    assert registrations.exists() and not registrations.filter(valid_until__isnull=False).exists()
    expired_2023 = Certificate.objects.filter(
        kind=CertificateKind.STANDARDS_CERTIFICATE, valid_until__year=2023
    ).values("facility")
    assert permits.filter(facility__in=expired_2023).exists()


def test_the_demo_business_has_something_to_answer_on_its_portal(seeded, client):
    business = get_user_model().objects.get(username="doanhnghiep")
    waiting = RemediationEvidence.objects.get(status=EvidenceStatus.SUBMITTED)
    assert waiting.submitted_by == business
    assert waiting.finding.inspection.facility.enterprise == business.registry_profile.enterprise
    client.force_login(business)
    with time_machine.travel(NOON, tick=False):
        page = client.get("/portal/").content.decode()
    assert "data-expiry-warning" in page  # a certificate expiring within 90 days
    assert "Chờ xem xét" in page  # the evidence waiting for the inspector
    assert "Gửi minh chứng khắc phục" in page  # an open action with nothing sent yet


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="forked writer processes run on PostgreSQL only (SQLite allows one writer)",
)
def test_parallel_writers_store_exactly_the_generated_registry(monkeypatch):
    """Four chunks written by two forked processes: every planned facility once, with its
    certificates, visits and findings, each with its history row."""
    from compliance.management.commands import seed_demo

    monkeypatch.setattr(seed_demo, "CHUNK", 12)
    seed(facilities=45, jobs=2)

    generator = Generator(seed=7, facilities=45, today=TODAY)
    generator.inspectors = seed_demo.Command._inspector_pool()
    districts = [plan.district for plan in generator.enterprises()]
    planned = {
        f"LC-{i + 1:06d}": generator.facility(
            i, enterprise_id=0, enterprise_district=districts[generator.owner[i]]
        )
        for i in range(45)
    }
    # The portal's demo story (a visit and a certificate) is written after the chunks.
    demo = {"inspections": Inspection.objects.filter(summary=DEMO_PORTAL_VISIT_SUMMARY)}
    stored = {
        f.code: f
        for f in Facility.objects.prefetch_related(
            Prefetch("certificates", Certificate.objects.exclude(number__contains=".DEMO/")),
            Prefetch("inspections", Inspection.objects.exclude(pk__in=demo["inspections"])),
        )
    }
    assert stored.keys() == planned.keys()
    for code, plan in planned.items():
        facility = stored[code]
        assert (facility.name, facility.operating_since, facility.commune_id) == (
            plan.facility.name,
            plan.facility.operating_since,
            plan.facility.commune_id,
        )
        assert sorted(c.number for c in facility.certificates.all()) == sorted(
            c.number for c in plan.certificates
        )
        assert sorted(i.visited_on for i in facility.inspections.all()) == sorted(
            i.visited_on for i, _team, _found in plan.inspections
        )
    assert Finding.objects.exclude(inspection__in=demo["inspections"]).count() == sum(
        len(found) for plan in planned.values() for _i, _t, found in plan.inspections
    )
    for model in (Facility, Certificate, Inspection, Finding):
        created = model.history.filter(history_type="+", history_change_reason="seed_demo")
        assert created.count() == model.objects.count()
