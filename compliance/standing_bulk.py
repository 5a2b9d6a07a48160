"""The facility standing in one SQL statement, for many facilities at once
(docs/architecture.md, "The standing"; docs/performance.md, "The standing in SQL").

``compliance.standing.compute`` is the plain reference: it reads the records and builds
each facility's date ranges in Python. This module builds exactly the same rows
(facility, aspect, value, from, to) in the database, set-based, so that
``rebuild_standing`` and ``check_standing`` do not move every record's dates through
Python (a refresh of some facilities stays in Python: limited to a set of ids, the
statement measured slower than ``compute``; docs/performance.md):

* ``inspection``: ``LEAD`` gives each finalized visit the next one's date in
  (visited_on, id) order; a visit whose next one is on the same day holds on no date,
  so of a same-day tie only the greater id remains;
* ``overdue`` and ``measure``: each record's range, then overlapping or touching ranges
  merged (gaps and islands: a range starts an island unless it starts on or before the
  greatest end of the ranges before it);
* ``certificate``: the days on which the status can change (the open start, each issue
  day, the day after each ``valid_until``, each revocation day) cut the time line into
  segments; each segment takes the status of its first day (the rule of
  ``_certificate_status``: valid if some certificate is, else revoked or expired after
  the latest issued by then, else not yet valid), then consecutive segments with the
  same status are merged.

PostgreSQL and SQLite (3.25+, window functions) run the same statement; only the date
arithmetic and the set of facilities are spelt differently. The rules are the ones of
docs/methodology.md; the property test tests/compliance/test_standing_bulk.py checks this
statement against ``compute`` on random registries.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable

from django.db import connection

from compliance.choices import CertificateStatus
from compliance.models import Certificate, CleanTechMeasure, FacilityStanding, StandingAspect
from compliance.predicates import COUNTED_MEASURE_KINDS
from inspections.choices import InspectionStatus
from inspections.models import Finding, Inspection

# The ends of a range that is open on one side; every date that may be asked about lies
# strictly between them (facilities/dates.py).
OPEN_START = datetime.date(1, 1, 1)
OPEN_END = datetime.date(9999, 12, 31)
ASPECTS = tuple(StandingAspect.values)
COLUMNS = "facility_id, aspect, value, valid_from, valid_to"
_IDS = "{ids}"  # where a statement limited to some facilities names them


def _literal(value: str) -> str:
    # Only this module's own constants (choices, dates) are written into the statement.
    assert re.fullmatch(r"[\w-]*", value), value
    return f"'{value}'"


def _in(values: Iterable[str]) -> str:
    return ", ".join(_literal(v) for v in values)


class _Dialect:
    """The few spellings that differ between PostgreSQL and SQLite."""

    def __init__(self, vendor: str):
        self.postgres = vendor == "postgresql"

    def date(self, day: datetime.date) -> str:
        text = _literal(day.isoformat())
        return f"DATE {text}" if self.postgres else text

    def day_after(self, column: str) -> str:
        # compute()'s _day_after: the open end stays the open end.
        after = f"({column} + 1)" if self.postgres else f"date({column}, '+1 day')"
        return f"CASE WHEN {column} < {self.date(OPEN_END)} THEN {after} ELSE {column} END"

    def greatest(self, a: str, b: str) -> str:
        # Both sides are never NULL here (SQLite's MAX would be NULL if one were).
        return f"GREATEST({a}, {b})" if self.postgres else f"MAX({a}, {b})"

    def among(self, column: str) -> str:
        """``column`` is one of the facility ids given as the statement's parameter (each
        place marked, so that ``_statement`` repeats the parameter once a place)."""
        if self.postgres:
            # Not ``= ANY(array)``: with 5,000 ids the planner scanned the findings at
            # 1,000,000 facilities (minutes); a semi-join of the unnested ids probes the
            # indexes.
            return f"{column} IN (SELECT unnest({_IDS}::bigint[]))"
        return f"{column} IN (SELECT value FROM json_each({_IDS}))"

    def ids_parameter(self, ids: list[int]):
        return ids if self.postgres else json.dumps(ids)


def _merged(aspect: str, ranges: str) -> str:
    """The [s, e) ranges of ``ranges`` (facility_id, s, e), overlapping or touching ones
    merged into one row each — compute()'s ``_merged``."""
    return f"""
        SELECT facility_id, {_literal(aspect)} AS aspect, '' AS value,
               MIN(s) AS valid_from, MAX(e) AS valid_to
          FROM (SELECT facility_id, s, e,
                       SUM(fresh) OVER (PARTITION BY facility_id ORDER BY s, e
                                        ROWS UNBOUNDED PRECEDING) AS island
                  FROM (SELECT facility_id, s, e,
                               CASE WHEN s <= MAX(e) OVER (
                                        PARTITION BY facility_id ORDER BY s, e
                                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                                    THEN 0 ELSE 1 END AS fresh
                          FROM ({ranges}) r
                         WHERE s < e) f) i
         GROUP BY facility_id, island"""


def _selects(d: _Dialect, aspects: Iterable[str], limited: bool) -> tuple[list[str], list[str]]:
    """(common table expressions, one SELECT per aspect) of the standing rows."""

    def where(column: str) -> str:
        return f" AND {d.among(column)}" if limited else ""

    start, end = d.date(OPEN_START), d.date(OPEN_END)
    inspection = Inspection._meta.db_table
    ctes, selects = [], []
    if StandingAspect.INSPECTION in aspects:
        selects.append(f"""
            SELECT facility_id, {_literal(StandingAspect.INSPECTION)} AS aspect,
                   outcome AS value, visited_on AS valid_from, valid_to
              FROM (SELECT facility_id, outcome, visited_on,
                           LEAD(visited_on, 1, {end}) OVER (
                               PARTITION BY facility_id ORDER BY visited_on, id) AS valid_to
                      FROM {inspection}
                     WHERE status = {_literal(InspectionStatus.FINALIZED)}
                           {where("facility_id")}) v
             WHERE visited_on < valid_to""")
    if StandingAspect.OVERDUE in aspects:
        ranges = f"""
            SELECT i.facility_id, {d.greatest("i.visited_on", d.day_after("f.deadline"))} AS s,
                   COALESCE(f.resolved_on, {end}) AS e
              FROM {Finding._meta.db_table} f JOIN {inspection} i ON i.id = f.inspection_id
             WHERE i.status = {_literal(InspectionStatus.FINALIZED)}
                   AND f.deadline IS NOT NULL {where("i.facility_id")}"""
        selects.append(_merged(StandingAspect.OVERDUE, ranges))
    if StandingAspect.MEASURE in aspects:
        ranges = f"""
            SELECT facility_id, {d.greatest("installed_on", "verified_on")} AS s,
                   COALESCE(removed_on, {end}) AS e
              FROM {CleanTechMeasure._meta.db_table}
             WHERE kind IN ({_in(COUNTED_MEASURE_KINDS)}) AND verified_on IS NOT NULL
                   {where("facility_id")}"""
        selects.append(_merged(StandingAspect.MEASURE, ranges))
    if StandingAspect.CERTIFICATE in aspects:
        status = CertificateStatus
        ctes += [
            f"""cert AS (
                SELECT id, facility_id, issued_on, valid_until, revoked_on
                  FROM {Certificate._meta.db_table} WHERE 1 = 1 {where("facility_id")})""",
            # The days on which a facility's certificate status may change.
            f"""cert_day AS (
                SELECT facility_id, {start} AS cut FROM cert
                UNION SELECT facility_id, issued_on FROM cert
                UNION SELECT facility_id, {d.day_after("valid_until")} FROM cert
                       WHERE valid_until IS NOT NULL
                UNION SELECT facility_id, revoked_on FROM cert WHERE revoked_on IS NOT NULL)""",
            """cert_segment AS (
                SELECT facility_id, cut AS valid_from,
                       LEAD(cut, 1, """
            + end
            + """) OVER (PARTITION BY facility_id ORDER BY cut) AS valid_to
                  FROM cert_day)""",
            # Each segment against the certificates issued by its first day: is one valid,
            # and the latest by (issued_on, id), whose revocation decides the rest.
            """cert_seen AS (
                SELECT s.facility_id, s.valid_from, s.valid_to, c.id AS latest,
                       c.revoked_on AS latest_revoked,
                       ROW_NUMBER() OVER (PARTITION BY s.facility_id, s.valid_from
                                          ORDER BY c.issued_on DESC, c.id DESC) AS nth,
                       MAX(CASE WHEN c.id IS NOT NULL
                                 AND (c.valid_until IS NULL OR c.valid_until >= s.valid_from)
                                 AND (c.revoked_on IS NULL OR c.revoked_on > s.valid_from)
                                THEN 1 ELSE 0 END)
                           OVER (PARTITION BY s.facility_id, s.valid_from) AS any_valid
                  FROM cert_segment s
                  LEFT JOIN cert c
                    ON c.facility_id = s.facility_id AND c.issued_on <= s.valid_from
                 WHERE s.valid_from < s.valid_to)""",
            f"""cert_status AS (
                SELECT facility_id, valid_from, valid_to,
                       CASE WHEN any_valid = 1 THEN {_literal(status.VALID)}
                            WHEN latest IS NULL THEN {_literal(status.NOT_YET_VALID)}
                            WHEN latest_revoked <= valid_from THEN {_literal(status.REVOKED)}
                            ELSE {_literal(status.EXPIRED)} END AS value
                  FROM cert_seen WHERE nth = 1)""",
            """cert_island AS (
                SELECT facility_id, value, valid_from, valid_to,
                       SUM(fresh) OVER (PARTITION BY facility_id ORDER BY valid_from
                                        ROWS UNBOUNDED PRECEDING) AS island
                  FROM (SELECT facility_id, value, valid_from, valid_to,
                               CASE WHEN value = LAG(value) OVER (
                                        PARTITION BY facility_id ORDER BY valid_from)
                                    THEN 0 ELSE 1 END AS fresh
                          FROM cert_status) f)""",
        ]
        selects.append(f"""
            SELECT facility_id, {_literal(StandingAspect.CERTIFICATE)} AS aspect, value,
                   MIN(valid_from) AS valid_from, MAX(valid_to) AS valid_to
              FROM cert_island GROUP BY facility_id, island, value""")
    return ctes, selects


def _statement(ctes: list[str], body: str, ids: list[int] | None, d: _Dialect):
    sql = (f"WITH {', '.join(ctes)} " if ctes else "") + body
    params = [d.ids_parameter(ids)] * sql.count(_IDS) if ids is not None else []
    return sql.replace(_IDS, "%s"), params


def expected_sql(facility_ids: list[int] | None = None, aspects: Iterable[str] = ASPECTS):
    """(sql, params): the standing rows (facility_id, aspect, value, valid_from, valid_to)
    that the records call for — of ``facility_ids``, or of every facility when None."""
    d = _Dialect(connection.vendor)
    ctes, selects = _selects(d, tuple(aspects), facility_ids is not None)
    if not selects:
        return None, []
    return _statement(ctes, " UNION ALL ".join(selects), facility_ids, d)


def expected(facility_ids: list[int] | None = None, aspects: Iterable[str] = ASPECTS) -> set:
    """The rows of ``expected_sql`` as a set of (facility id, aspect, value, from, to)."""
    sql, params = expected_sql(facility_ids, aspects)
    if sql is None:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {_typed(row) for row in cursor.fetchall()}


def _typed(row) -> tuple:
    fid, aspect, value, start, end = row
    # SQLite answers a computed date as text (a column's own as a date).
    start, end = (datetime.date.fromisoformat(v) if isinstance(v, str) else v for v in (start, end))
    return (fid, aspect, value, start, end)


def insert(facility_ids: list[int] | None, aspects: Iterable[str] = ASPECTS) -> int:
    """Insert the standing rows the records call for (the caller deleted the old ones);
    the number of rows inserted."""
    sql, params = expected_sql(facility_ids, aspects)
    if sql is None:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {FacilityStanding._meta.db_table} ({COLUMNS}) {sql}", params)
        return cursor.rowcount


def delete(facility_ids: list[int] | None, aspects: Iterable[str] = ASPECTS) -> None:
    """Delete the standing rows of those facilities (all when None) and aspects."""
    d = _Dialect(connection.vendor)
    body = f"DELETE FROM {FacilityStanding._meta.db_table} WHERE aspect IN ({_in(aspects)})"
    if facility_ids is not None:
        body += f" AND {d.among('facility_id')}"
    sql, params = _statement([], body, facility_ids, d)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def differences() -> tuple[set, set]:
    """(rows the standing lacks, rows it has that the registry does not call for), each
    a set of (facility id, aspect, value, from, to), compared in the database (EXCEPT
    both ways, the expected rows computed once): only the differences leave it."""
    d = _Dialect(connection.vendor)
    ctes, selects = _selects(d, ASPECTS, False)
    ctes += [
        f"expected AS ({' UNION ALL '.join(selects)})",
        f"stored AS (SELECT {COLUMNS} FROM {FacilityStanding._meta.db_table})",
    ]
    body = f"""
        SELECT * FROM (SELECT 'missing' AS side, m.* FROM (
                SELECT {COLUMNS} FROM expected EXCEPT SELECT {COLUMNS} FROM stored) m) a
        UNION ALL
        SELECT * FROM (SELECT 'extra' AS side, x.* FROM (
                SELECT {COLUMNS} FROM stored EXCEPT SELECT {COLUMNS} FROM expected) x) b"""
    sql, params = _statement(ctes, body, None, d)
    missing, extra = set(), set()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for side, *row in cursor.fetchall():
            (missing if side == "missing" else extra).add(_typed(row))
    return missing, extra
