"""The list behind a figure, filtered, sorted and cut in SQL, gives the rows that the
plain Python list gave (the page's former behaviour, kept here as the reference).

Hypothesis draws the registries of test_indicators_property (facilities with
inspections, findings, certificates and measures around a date's edges), names that
differ only by case or diacritics, a scope, a filter (counted yes/no, a reason), a sort
column and direction and a language; then, for each indicator, the ordered ids of
``facility_ids`` must equal the reference list, every page of them the reference's slice,
and ``reason_counts`` the reference's counts (compliance/indicators/reasons.py).
"""

import datetime
from collections import Counter
from itertools import product

from django.core.paginator import Paginator
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from compliance.choices import Reason, label_of
from compliance.indicators import facility_rows
from compliance.indicators.reasons import facility_ids, listed_count, reason_counts
from compliance.views.dashboard import BEHIND_SORTS, KnownCount, behind_order, unit_names
from compliance.views.listing import Sort
from facilities.models import Enterprise, Facility, Sector, new_build_since
from tests.compliance.reference import CODES
from tests.compliance.test_indicators_property import build, scenarios

OLD = datetime.date(2010, 1, 1)  # before every drawn date: active on all of them
# The page's former sort keys (Python, over the shown rows): equal values kept the code
# order (then the id), also when descending (Python's sorts are stable).
REFERENCE_SORTS = {
    "code": lambda r: r["code"],
    "name": lambda r: r["name"].casefold(),
    "district": lambda r: (r["district_name"] or "").casefold(),
    "commune": lambda r: (r["commune_name"] or "").casefold(),
    "sector": lambda r: (r["sector_name"] or "").casefold(),
    "counted": lambda r: r["counted"],
    "reason": lambda r: str(r["reason_label"]).casefold(),
}
# Names equal but for case, and Vietnamese capitals whose lower case is not ASCII.
NAMES = st.one_of(
    st.sampled_from(["Bến xe", "bến xe", "BẾN XE", "An Khang", "Đông Hà", "đông hà", "Ấp 2"]),
    st.text(alphabet="aAzZđĐêÊếẾơƠưƯ ", min_size=1, max_size=3),
)
SCOPES = st.sampled_from(
    [{}, {}, {}, {"district": "106"}, {"commune": "03408"}, {"sector": "mining"}]
)
# Facilities with no records beside the drawn registry: long lists with many equal
# values (a unit, a sector, a reason), so that every sort meets its tie-break.
PLAIN = st.lists(
    st.tuples(
        NAMES,
        st.sampled_from([("106", None), (None, "03408"), ("109", "03390"), ("105", None)]),
        st.sampled_from(["mining", "hydropower", "trade_services"]),
        st.sampled_from(["production", "business", "both"]),
        st.booleans(),  # a new build
    ),
    min_size=2,
    max_size=12,
)
FILTERS = st.tuples(st.sampled_from([None, True, False]), st.sampled_from([None, *Reason.values]))


def reference_list(code, as_of, scope, counted, reason, sort: Sort) -> list[str]:
    """The facility codes as the page listed them before: every row in Python,
    filtered, labelled and sorted there."""
    rows = facility_rows(code, as_of, **scope)
    if counted is not None:
        rows = [r for r in rows if r.counted == counted]
    if reason:
        rows = [r for r in rows if r.reason == reason]
    district_names, commune_names = unit_names()
    sectors = {s.code: s.name for s in Sector.objects.all()}
    shown = [
        {
            **r.to_dict(),
            "district_name": district_names.get(r.district, r.district),
            "commune_name": commune_names.get(r.commune, r.commune),
            "sector_name": sectors.get(r.sector, r.sector),
            "reason_label": label_of(Reason, r.reason),
        }
        for r in rows
    ]
    shown.sort(key=lambda r: (r["code"], r["facility"]))
    shown.sort(key=REFERENCE_SORTS[sort.key], reverse=sort.descending)
    return [r["code"] for r in shown]


def sql_list(code, as_of, scope, counted, reason, sort: Sort):
    district_names, commune_names = unit_names()
    sectors = {s.code: s.name for s in Sector.objects.all()}
    return facility_ids(
        code,
        as_of,
        counted=counted,
        reason=reason,
        order_by=behind_order(sort, district_names, commune_names, sectors),
        **scope,
    )


class BehindAgreesWithThePythonList(TestCase):
    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        scenarios(),
        st.lists(NAMES, min_size=7, max_size=7),
        PLAIN,
        SCOPES,
        FILTERS,
        st.sampled_from(["vi", "en"]),
    )
    def test_every_sort_filter_and_page_gives_the_reference_rows(
        self, scenario, names, plain, scope, filters, language
    ):
        as_of, specs, _other_day = scenario
        build(specs)
        for index, name in enumerate(names[: len(specs)]):
            Facility.objects.filter(code=f"F{index}").update(name=name)
        enterprise = Enterprise.objects.get()
        for index, (name, (district, commune), sector, activity, new) in enumerate(plain):
            since = new_build_since() if new and new_build_since() <= as_of else OLD
            Facility.objects.create(
                code=f"P{index}",
                name=name,
                enterprise=enterprise,
                activity=activity,
                district_id=district,
                commune_id=commune,
                sector=Sector.objects.get(code=sector),
                operating_since=since,
            )
        codes_by_id = dict(Facility.objects.values_list("pk", "code"))
        with translation.override(language):
            for code in CODES:
                rows = facility_rows(code, as_of, **scope)
                why = Counter(r.reason for r in rows if not r.counted)
                counts = reason_counts(code, as_of, **scope)
                assert counts == {
                    "total": len(rows),
                    "counted": sum(r.counted for r in rows),
                    "reasons": dict(why),
                }, code
                # Every sort of the whole list, and of the drawn filter's list.
                for (counted, reason), key, descending in product(
                    [(None, None), filters], BEHIND_SORTS, (False, True)
                ):
                    if True:
                        sort = Sort(key, descending)
                        expected = reference_list(code, as_of, scope, counted, reason, sort)
                        ids = sql_list(code, as_of, scope, counted, reason, sort)
                        assert [codes_by_id[pk] for pk in ids] == expected, (code, sort)
                        # Every page (3 a page) is the reference's slice, counted from
                        # the counts per reason rather than by a second pass.
                        listed = listed_count(counts, counted=counted, reason=reason)
                        assert listed == len(expected)
                        paginator = Paginator(KnownCount(ids, listed), 3)
                        for number in paginator.page_range:
                            page = [codes_by_id[pk] for pk in paginator.page(number)]
                            assert page == expected[(number - 1) * 3 : number * 3]
