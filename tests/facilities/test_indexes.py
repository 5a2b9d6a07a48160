"""Indexes: ?q= is served by a pg_trgm index on PostgreSQL; no index repeats another's start."""

import pytest
from django.apps import apps
from django.db import connection, transaction

from facilities.filtersets import EnterpriseFilterSet, FacilityFilterSet
from facilities.history import change_context
from facilities.models import Enterprise, Facility
from tests.factories import FacilityFactory

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_trgm indexes exist on PostgreSQL only"
)
TRIGRAM = {"facility_search_trgm": Facility, "enterprise_search_trgm": Enterprise}


def _indexes(model) -> dict[str, tuple[tuple[str, ...], bool]]:
    """Every index of ``model``'s table: name → (columns, unique)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # (Django's SQLite introspection trips over this table's CHECK constraints.)
            cursor.execute(f"PRAGMA index_list('{table}')")
            out = {}
            for _seq, name, unique, *_rest in cursor.fetchall():
                cursor.execute(f"PRAGMA index_info('{name}')")
                out[name] = (tuple(r[2] for r in cursor.fetchall()), bool(unique))
            return out
        return {
            name: (tuple(c["columns"]), c["unique"] or c["primary_key"])
            for name, c in connection.introspection.get_constraints(cursor, table).items()
            if c["index"] or c["unique"] or c["primary_key"]
        }


@on_postgresql
def test_search_keys_have_a_trigram_index_and_no_other():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexdef LIKE %s",
            ["%(search_key%"],
        )
        found = dict(cursor.fetchall())
    for name, model in TRIGRAM.items():
        assert f"ON public.{model._meta.db_table} USING gin (search_key gin_trgm_ops)" in (
            found.pop(name)
        )
    # the btree and text_pattern_ops indexes, which LIKE '%…%' cannot use, are gone
    # (from the historical tables too)
    assert found == {}


@on_postgresql
@pytest.mark.parametrize(
    ("filterset", "model", "index"),
    [
        (FacilityFilterSet, Facility, "facility_search_trgm"),
        (EnterpriseFilterSet, Enterprise, "enterprise_search_trgm"),
    ],
)
def test_the_search_query_uses_the_trigram_index(filterset, model, index):
    with change_context(reason="test"):
        FacilityFactory(name="Cơ sở chế biến chè Tân Uyên", enterprise__name="Chè Tân Uyên")
        FacilityFactory(name="Thủy điện Nậm Na", enterprise__name="Thủy điện Nậm Na")
    queryset = filterset({"q": "Chè tân"}, queryset=model.objects.all()).qs
    with transaction.atomic(), connection.cursor() as cursor:
        # A handful of rows: left alone, the planner rightly reads the whole table (or
        # walks the code index, for the ordering) instead. With those plans off, the
        # search can only be served by a bitmap scan of an index it can use.
        cursor.execute(
            "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off;"
            " SET LOCAL enable_indexonlyscan = off"
        )
        plan = queryset.explain()
    assert index in plan, plan
    assert queryset.count() == 1


@pytest.mark.parametrize(
    "model",
    [
        m
        for app in ("facilities", "compliance", "inspections")
        for m in apps.get_app_config(app).get_models()
        if not m._meta.auto_created and not m.__name__.startswith("Historical")
    ],
    ids=lambda m: m.__name__,
)
def test_no_index_repeats_the_start_of_another(model):
    """An index on (a) beside one on (a, b) costs writes and serves nothing the other
    does not (facility.district, certificate.facility, inspection.facility were). A
    partial index (a ``condition``) holds only the rows of its condition: it repeats
    nothing, and nothing repeats it."""
    partial = {index.name for index in model._meta.indexes if index.condition is not None}
    every = {name: index for name, index in _indexes(model).items() if name not in partial}
    repeats = [
        (name, other)
        for name, (columns, unique) in every.items()
        for other, (longer, _u) in every.items()
        if not unique
        and columns
        and len(longer) > len(columns)
        and longer[: len(columns)] == columns
    ]
    assert repeats == []
