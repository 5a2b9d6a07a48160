"""The set-based engine agrees with the plain-Python reference on random registries.

Hypothesis draws small registries — facilities with inspections (finalized, draft,
cancelled, same-day ties), findings, certificates and measures — and a date from a pool
rich in edges (29 February, 31 December, the new-build baseline), then compares
everything: the three figures for the province, every district, every sector and a
district × sector scope; every breakdown; every facility's counted flag and reason; and
the one-statement series on the same dates. Since the 2025 reform the registries also
draw communes (some straddling two former districts, with and without a recorded
district) and the three kinds of certificate, and the dates reach 2026.
"""

import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from compliance.indicators import compute_indicators, facility_rows
from compliance.indicators.series import counts_on_dates
from compliance.models import Certificate, CleanTechMeasure
from compliance.selectors import assessment_window_start
from facilities.models import Enterprise, Facility, Sector, new_build_since
from inspections.models import Finding, Inspection
from tests.compliance.annotated import compute_indicators_annotated
from tests.compliance.reference import CODES, reference_report
from tests.factories import valid_tax_code

DISTRICTS = ["105", "106", "109"]
# Sole-district communes and straddling ones (see reference.FORMER_DISTRICTS).
COMMUNES = ["03390", "03405", "03549", "03388", "03408", "03394"]
LAW_2020 = datetime.date(2022, 1, 1)
SECTORS = ["mining", "hydropower", "trade_services"]
d = datetime.timedelta
# Reference dates with awkward neighbours: 29 February (window start 28 February), 31
# December, the day after 29 February, plus random ones.
as_of_dates = st.one_of(
    st.sampled_from(
        [
            datetime.date(2020, 12, 31),
            datetime.date(2020, 2, 29),
            datetime.date(2020, 2, 28),
            datetime.date(2016, 2, 29),
            datetime.date(2020, 3, 1),
        ]
    ),
    st.dates(datetime.date(2013, 1, 1), datetime.date(2021, 6, 1)),
    st.sampled_from(
        [
            datetime.date(2025, 6, 30),
            datetime.date(2025, 7, 1),
            datetime.date(2021, 12, 31),
            datetime.date(2022, 1, 1),
        ]
    ),
    st.dates(datetime.date(2022, 1, 1), datetime.date(2026, 12, 31)),
)
# Days between two dates of one record (deadline after visit, validity, removal...).
gaps = st.one_of(
    st.sampled_from([0, 1, 2, 365, 366, 1095, 1096]), st.integers(min_value=0, max_value=1500)
)


@st.composite
def scenarios(draw):
    """A reference date and a registry whose dates cluster on that date's edges."""
    as_of = draw(as_of_dates)
    window = assessment_window_start(as_of)
    baseline = new_build_since()
    edges = [
        as_of,
        as_of - d(1),
        as_of + d(1),
        window,
        window - d(1),
        window + d(1),
        baseline,
        baseline - d(1),
    ]
    dates = st.one_of(
        st.sampled_from(edges),
        st.sampled_from(edges),
        st.dates(datetime.date(2012, 6, 1), max(as_of, datetime.date(2021, 6, 1))),
    )
    finding = st.tuples(st.one_of(st.none(), gaps), st.one_of(st.none(), gaps))
    inspection = st.tuples(
        dates,
        st.sampled_from(["finalized", "finalized", "finalized", "draft", "cancelled"]),
        st.sampled_from(["compliant", "compliant_with_remarks", "non_compliant"]),
        st.lists(finding, max_size=2),
    )
    certificate = st.tuples(
        dates,
        gaps,
        st.one_of(st.none(), gaps),
        st.sampled_from(
            ["standards_certificate", "environmental_permit", "environmental_registration"]
        ),
    )
    measure = st.tuples(
        st.sampled_from(["clean_technology", "pollution_control"]),
        dates,
        st.one_of(st.none(), gaps),
        st.one_of(st.none(), gaps),
    )
    facility = st.fixed_dictionaries(
        {
            "activity": st.sampled_from(["production", "business", "both"]),
            "unit": st.one_of(
                st.tuples(st.sampled_from(DISTRICTS), st.none()),
                st.tuples(st.none(), st.sampled_from(COMMUNES)),
                st.tuples(st.just("106"), st.sampled_from(["03390", "03408", "03394"])),
            ),
            "sector": st.sampled_from(SECTORS),
            "operating_since": st.one_of(st.none(), dates, dates, dates),
            "closed_after": st.one_of(
                st.none(), st.none(), st.integers(min_value=1, max_value=3000)
            ),
            "inspections": st.lists(inspection, max_size=4),
            "certificates": st.lists(certificate, max_size=2),
            "measures": st.lists(measure, max_size=2),
        }
    )
    specs = draw(st.lists(facility, min_size=1, max_size=7))
    return as_of, specs, draw(dates)


def build(specs) -> None:
    enterprise = Enterprise.objects.create(name="Công ty thử", tax_code=valid_tax_code(9000))
    number = 0
    for index, spec in enumerate(specs):
        since = spec["operating_since"]
        f = Facility.objects.create(
            code=f"F{index}",
            name=f"Cơ sở {index}",
            enterprise=enterprise,
            activity=spec["activity"],
            district_id=spec["unit"][0],
            commune_id=spec["unit"][1],
            sector=Sector.objects.get(code=spec["sector"]),
            operating_since=since,
            closed_on=since + d(spec["closed_after"]) if since and spec["closed_after"] else None,
        )
        for visited_on, status, outcome, findings in spec["inspections"]:
            i = Inspection.objects.create(
                facility=f,
                visited_on=visited_on,
                status=status,
                outcome=outcome if status == "finalized" else "",
            )
            for deadline, resolved in findings:
                Finding.objects.create(
                    inspection=i,
                    category="wastewater",
                    description="x",
                    deadline=visited_on + d(deadline) if deadline is not None else None,
                    resolved_on=visited_on + d(resolved) if resolved is not None else None,
                )
        for issued_on, validity, revoked, kind in spec["certificates"]:
            number += 1
            if kind != "standards_certificate":
                issued_on = max(issued_on, LAW_2020)
            Certificate.objects.create(
                facility=f,
                kind=kind,
                number=f"N{number}",
                issuer="Sở",
                issued_on=issued_on,
                valid_until=None
                if kind == "environmental_registration"
                else issued_on + d(validity),
                revoked_on=issued_on + d(revoked) if revoked is not None else None,
                revocation_reason="x" if revoked is not None else "",
            )
        for kind, installed_on, removed, verified in spec["measures"]:
            CleanTechMeasure.objects.create(
                facility=f,
                kind=kind,
                installed_on=installed_on,
                removed_on=installed_on + d(removed) if removed is not None else None,
                verified_on=installed_on + d(verified) if verified is not None else None,
            )


def engine_view(as_of, district=None, sector=None, compute=compute_indicators, commune=None):
    report = compute(as_of, district=district, sector=sector, commune=commune)
    return {
        "figures": {f.code: (f.numerator, f.population, f.value, f.met) for f in report.indicators},
        "by_district": {
            f.code: {
                k: (u.numerator, u.population, u.value, u.met(f.code))
                for k, u in f.by_district.items()
                if u.population
            }
            for f in report.indicators
        },
        "by_commune": None
        if report.indicators[0].by_commune is None
        else {
            f.code: {
                k: (u.numerator, u.population, u.value, u.met(f.code))
                for k, u in f.by_commune.items()
                if u.population
            }
            for f in report.indicators
        },
        "by_sector": {
            f.code: {
                k: (u.numerator, u.population, u.value, u.met(f.code))
                for k, u in f.by_sector.items()
                if u.population
            }
            for f in report.indicators
        },
        "rows": {
            code: {
                r.code: (r.counted, r.reason)
                for r in facility_rows(
                    code, as_of, district=district, sector=sector, commune=commune
                )
            }
            for code in CODES
        },
    }


class EngineAgreesWithReference(TestCase):
    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(scenarios())
    def test_engine_matches_the_reference_everywhere(self, scenario):
        as_of, specs, other_day = scenario
        build(specs)
        scopes = [(None, None), ("106", None), (None, "mining"), ("106", "mining")]
        for district, sector in scopes:
            expected = reference_report(as_of, district, sector)
            assert engine_view(as_of, district, sector) == expected, (district, sector)
            annotated = engine_view(as_of, district, sector, compute_indicators_annotated)
            assert annotated == expected, ("annotated", district, sector)
        for commune in ("03408", "03390"):
            expected = reference_report(as_of, commune=commune)
            assert engine_view(as_of, commune=commune) == expected, commune
            annotated = engine_view(as_of, compute=compute_indicators_annotated, commune=commune)
            assert annotated == expected, ("annotated", commune)
        # The one-statement series agrees on any dates, not only on 31 December, read
        # from the facility standing (the default) as from the records.
        series = counts_on_dates([as_of, other_day])
        assert counts_on_dates([as_of, other_day], source="records") == series
        for day in (as_of, other_day):
            figures = reference_report(day)["figures"]
            expected = []
            for code in CODES:
                n, p, _value, _met = figures[code]
                expected += [p, n]
            assert list(series[day]) == expected, day
