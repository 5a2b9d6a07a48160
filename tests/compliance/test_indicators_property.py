"""The set-based engine agrees with the plain-Python reference on random registries.

Hypothesis draws small registries — facilities with inspections (finalized, draft,
cancelled, same-day ties), findings, certificates and measures — and a date from a pool
rich in edges (29 February, 31 December, the new-build baseline), then compares
everything: the three figures for the province, every district, every sector and a
district × sector scope; every breakdown; every facility's counted flag and reason; and
the one-statement series on the same dates.
"""

import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from compliance.indicators import compute_indicators, facility_rows
from compliance.indicators.series import counts_on_dates
from compliance.models import Certificate, CleanTechMeasure
from compliance.selectors import assessment_window_start
from facilities.models import District, Enterprise, Facility, Sector, new_build_since
from inspections.models import Finding, Inspection
from tests.compliance.annotated import compute_indicators_annotated
from tests.compliance.reference import CODES, reference_report
from tests.factories import valid_tax_code

DISTRICTS = ["105", "106", "109"]
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
        st.dates(datetime.date(2012, 6, 1), datetime.date(2021, 6, 1)),
    )
    finding = st.tuples(st.one_of(st.none(), gaps), st.one_of(st.none(), gaps))
    inspection = st.tuples(
        dates,
        st.sampled_from(["finalized", "finalized", "finalized", "draft", "cancelled"]),
        st.sampled_from(["compliant", "compliant_with_remarks", "non_compliant"]),
        st.lists(finding, max_size=2),
    )
    certificate = st.tuples(dates, gaps, st.one_of(st.none(), gaps))
    measure = st.tuples(
        st.sampled_from(["clean_technology", "pollution_control"]),
        dates,
        st.one_of(st.none(), gaps),
        st.one_of(st.none(), gaps),
    )
    facility = st.fixed_dictionaries(
        {
            "activity": st.sampled_from(["production", "business", "both"]),
            "district": st.sampled_from(DISTRICTS),
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
            district=District.objects.get(code=spec["district"]),
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
        for issued_on, validity, revoked in spec["certificates"]:
            number += 1
            Certificate.objects.create(
                facility=f,
                number=f"N{number}",
                issuer="Sở",
                issued_on=issued_on,
                valid_until=issued_on + d(validity),
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


def engine_view(as_of, district=None, sector=None, compute=compute_indicators):
    report = compute(as_of, district=district, sector=sector)
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
                for r in facility_rows(code, as_of, district=district, sector=sector)
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
        # The one-statement series agrees on any dates, not only on 31 December.
        series = counts_on_dates([as_of, other_day])
        for day in (as_of, other_day):
            figures = reference_report(day)["figures"]
            expected = []
            for code in CODES:
                n, p, _value, _met = figures[code]
                expected += [p, n]
            assert list(series[day]) == expected, day
