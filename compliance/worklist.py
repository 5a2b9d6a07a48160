"""The inspector's work list: everything due in a user's area, as one list by urgency.

Each kind of work is one entry of ``KINDS`` (a code, labels, the rows due on a day as a
queryset built from the indexed predicates, the sort key, and the action). Adding a kind
is adding an entry; its position in ``KINDS`` is its urgency.

The list is built in SQL at any size (docs/performance.md, "Work list"):

1. counts: the counts per kind of the day, stored per place for the current generation
   of the stored figures (``stored_cells``; counted again after any write that can
   change them), summed over the user's area and filters; the kinds whose writes do not
   move the generation, and a search, are counted live — one query;
2. the page: only the kinds that rows N…N+50 fall in (``spans``, from the counts), each
   by its own ORDER BY (since, id) LIMIT/OFFSET, in one UNION ALL — an index walk inside
   each kind, never a sort of every row due;
3. the page's details: one UNION ALL of the 50 objects by primary key, with their
   facility's code, name and place.

Three queries whatever the size of the registry and whatever the page. Each kind is a
predicate of docs/methodology.md ("overdue corrective action", "active", "measure in
place"); "assessment expired", "never assessed" and "new build without a measure" read
the facility standing (compliance/standing.py), which holds the latest finalized visit
and the measures in place as date ranges.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import (
    CharField,
    Count,
    DateField,
    Exists,
    Expression,
    F,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast, TruncDate
from django.db.models.signals import pre_delete, pre_save
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.choices import MeasureCategory, MeasureKind
from compliance.indicators.stored import (
    BEFORE_WRITE,
    CARRIED_WITH_FIGURES,
    GENERATION,
    UNWRITTEN,
)
from compliance.models import (
    Certificate,
    CleanTechMeasure,
    FiguresGeneration,
    StandingAspect,
    StoredWorklistCounts,
)
from compliance.selectors import assessment_window_start, standing_on
from compliance.standing import decides_standing, facilities_fed_by
from facilities.access import draft_author, inspectable_place, restrict_to_inspectable
from facilities.choices import PRODUCTION_ACTIVITIES, CommuneKind
from facilities.models import (
    Facility,
    in_districts_q,
    new_build_since,
    sole_former_district_communes,
)
from facilities.predicates import active_on, lookup
from facilities.text import search_key
from facilities.views import with_next
from inspections.choices import (
    EvidenceStatus,
    FindingCategory,
    InspectionKind,
    InspectionStatus,
    ReinspectionStatus,
    Severity,
)
from inspections.models import Finding, Inspection, ReinspectionRequest, RemediationEvidence
from inspections.predicates import overdue_on

PER_PAGE = 50

# The narrow columns every kind yields, in this order (the union matches by position).
NARROW = ("w_kind", "w_since", "w_obj", "w_facility")
DETAIL = (
    "w_kind",
    "w_obj",
    "w_topic",
    "w_subtopic",
    "w_note",
    "f_code",
    "f_name",
    "f_district",
    "f_commune",
    "f_commune_kind",
)


def _blank() -> Value:
    return Value("", output_field=CharField())


@dataclass(frozen=True)
class WorkKind:
    """One kind of work: what is due, since when, and the one action that does it.

    ``due(today)`` returns the rows due on ``today`` (no area, no filter): the model's,
    or, when ``rows_path`` is set, rows of another model (the facility standing's) that
    lead to the object, a facility, through ``rows_path``;
    ``since(today)`` the date each row is due from (its sort key within the kind);
    ``facility_path`` the lookup from the model to its facility ("" for Facility);
    ``details`` expressions for ``topic``, ``subtopic`` and ``note`` that ``what`` reads;
    ``action_url(item)`` the page of the action, to which the list adds ``?next=``;
    ``short_label`` the name on the count's link (the label when empty).
    """

    code: str
    label: str
    model: type[Model]
    facility_path: str
    due: Callable[[datetime.date], QuerySet]
    since: Callable[[datetime.date], Expression]
    since_label: str
    action_label: str
    action_url: Callable[[WorkItem], str]
    what: Callable[[WorkItem], str]
    details: dict[str, Expression] = field(default_factory=dict)
    # The name on the count's link above the list (short: six of them fit a phone).
    short_label: str = ""
    rows_path: str | None = None

    @property
    def due_path(self) -> str:
        """The lookup from the rows of ``due`` to their facility."""
        return self.facility_path if self.rows_path is None else self.rows_path

    @property
    def facility_id_path(self) -> str:
        return f"{self.due_path}_id" if self.due_path else "pk"

    @property
    def obj_path(self) -> str:
        """The object's id on the rows of ``due``."""
        return "pk" if self.rows_path is None else self.facility_id_path


@dataclass
class WorkItem:
    """One row of the list: a kind, the object, its facility, and since when it is due."""

    kind: WorkKind
    since: datetime.date | None
    obj_id: int
    facility_id: int
    facility_code: str = ""
    facility_name: str = ""
    district_name: str | None = None
    commune_name: str | None = None
    commune_kind: str | None = None
    topic: str = ""
    subtopic: str = ""
    note: str = ""
    next_url: str = ""

    @property
    def commune_full_name(self) -> str | None:
        if not self.commune_name:
            return None
        if self.commune_kind == CommuneKind.PHUONG:
            return str(_("Phường %(name)s") % {"name": self.commune_name})
        return str(_("Xã %(name)s") % {"name": self.commune_name})

    @property
    def what(self) -> str:
        return self.kind.what(self)

    @property
    def action_url(self) -> str:
        return with_next(self.kind.action_url(self), self.next_url)


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


# --- the kinds ------------------------------------------------------------------------


def _overdue_findings(today):
    return Finding.objects.filter(overdue_on(today))


def _inspection_standing(today):
    # The standing's latest finalized visit on ``today`` (compliance/standing.py: its row
    # holds from the visit until the next finalized one; a same-day tie is one row).
    return standing_on(today, StandingAspect.INSPECTION)


def _assessment_expired(today):
    # The latest finalized visit is before the window. The rows are the standing's (the
    # facility through ``rows_path``), so that the kind is read in the order of its
    # since, the visit (valid_from), by the index facility_standing_on.
    window = assessment_window_start(today)
    return _inspection_standing(today).filter(active_on(today, "facility"), valid_from__lt=window)


def _not_assessed(today):
    # No finalized visit up to today: no inspection row of the standing holds today (its
    # rows run without a gap from the first visit on). NOT EXISTS: an anti-join, served
    # per facility by facility_standing_lookup.
    assessed = _inspection_standing(today).filter(facility_id=OuterRef("pk"))
    return Facility.objects.filter(active_on(today)).filter(~Exists(assessed))


def _new_build_without_measure(today):
    # The standing's measure rows are the days a counted, verified measure is in place
    # (measure_in_place_on).
    in_place = standing_on(today, StandingAspect.MEASURE, facility_id=OuterRef("pk"))
    return Facility.objects.filter(
        active_on(today),
        activity__in=PRODUCTION_ACTIVITIES,
        operating_since__gte=new_build_since(),
    ).filter(~Exists(in_place))


def _measures_to_verify(today):
    return CleanTechMeasure.objects.filter(verified_on__isnull=True, removed_on__isnull=True)


def _drafts(today):
    return Inspection.objects.filter(status=InspectionStatus.DRAFT)


def _waiting_evidence(today):
    return RemediationEvidence.objects.filter(
        finding=OuterRef("pk"), status=EvidenceStatus.SUBMITTED
    )


def _findings_with_evidence(today):
    # The finding is the row (its evidence page is the action); at most one evidence
    # waits per finding (a constraint of RemediationEvidence).
    return Finding.objects.filter(Exists(_waiting_evidence(today)))


def _evidence_sent_on(today):
    return Subquery(
        _waiting_evidence(today).annotate(day=TruncDate("submitted_at")).values("day")[:1],
        output_field=DateField(),
    )


def _pending_reinspections(today):
    return ReinspectionRequest.objects.filter(status=ReinspectionStatus.PENDING)


def _visit_url(item: WorkItem) -> str:
    return reverse("inspection_create", args=[item.facility_id])


def _finding_what(item: WorkItem) -> str:
    category, severity = _label(FindingCategory, item.topic), _label(Severity, item.subtopic)
    return f"{category} ({severity}): {item.note}"


def _measure_what(item: WorkItem) -> str:
    text = f"{_label(MeasureKind, item.topic)} · {_label(MeasureCategory, item.subtopic)}"
    return f"{text}: {item.note}" if item.note else text


def _draft_what(item: WorkItem) -> str:
    kind = _label(InspectionKind, item.topic)
    return f"{kind}: {item.note}" if item.note else kind


KINDS: tuple[WorkKind, ...] = (
    WorkKind(
        code="overdue",
        label=_("Quá hạn khắc phục"),
        model=Finding,
        facility_path="inspection__facility",
        due=_overdue_findings,
        since=lambda today: F("deadline"),
        since_label=_("Thời hạn khắc phục"),
        action_label=_("Ghi nhận khắc phục"),
        action_url=lambda item: reverse("finding_resolve", args=[item.obj_id]),
        what=_finding_what,
        details={"topic": F("category"), "subtopic": F("severity"), "note": F("description")},
    ),
    WorkKind(
        code="evidence",
        label=_("Minh chứng khắc phục chờ xem xét"),
        model=Finding,
        facility_path="inspection__facility",
        due=_findings_with_evidence,
        since=_evidence_sent_on,
        since_label=_("Gửi ngày"),
        action_label=_("Xem xét minh chứng"),
        action_url=lambda item: reverse("finding_evidence", args=[item.obj_id]),
        what=_finding_what,
        details={"topic": F("category"), "subtopic": F("severity"), "note": F("description")},
        short_label=_("Minh chứng chờ xem xét"),
    ),
    WorkKind(
        code="reinspection",
        label=_("Đề nghị kiểm tra lại chờ trả lời"),
        model=ReinspectionRequest,
        facility_path="facility",
        due=_pending_reinspections,
        since=lambda today: TruncDate("requested_at"),
        since_label=_("Đề nghị ngày"),
        action_label=_("Trả lời đề nghị"),
        action_url=lambda item: reverse("reinspection_answer", args=[item.obj_id]),
        what=lambda item: item.note,
        details={"note": F("reason")},
        short_label=_("Đề nghị kiểm tra lại"),
    ),
    WorkKind(
        code="expired",
        label=_("Kết quả kiểm tra đã quá hạn"),
        model=Facility,
        facility_path="",
        due=_assessment_expired,
        rows_path="facility",
        since=lambda today: F("valid_from"),
        since_label=_("Lần kiểm tra gần nhất"),
        action_label=_("Ghi nhận kiểm tra"),
        action_url=_visit_url,
        what=lambda item: str(_("Cần kiểm tra lại: kết quả lần trước đã hết thời hạn.")),
        short_label=_("Hết hạn kiểm tra"),
    ),
    WorkKind(
        code="not_assessed",
        label=_("Chưa được kiểm tra"),
        model=Facility,
        facility_path="",
        due=_not_assessed,
        since=lambda today: F("operating_since"),
        since_label=_("Hoạt động từ"),
        action_label=_("Ghi nhận kiểm tra"),
        action_url=_visit_url,
        what=lambda item: str(_("Chưa có đợt kiểm tra nào được hoàn tất.")),
        short_label=_("Chưa kiểm tra"),
    ),
    WorkKind(
        code="no_measure",
        label=_("Cơ sở sản xuất mới xây dựng chưa có biện pháp được xác nhận"),
        model=Facility,
        facility_path="",
        due=_new_build_without_measure,
        since=lambda today: F("operating_since"),
        since_label=_("Hoạt động từ"),
        action_label=_("Ghi nhận kiểm tra"),
        action_url=_visit_url,
        what=lambda item: str(
            _("Chưa có biện pháp công nghệ sạch, giảm thiểu ô nhiễm được xác nhận.")
        ),
        short_label=_("Mới xây dựng, chưa có biện pháp"),
    ),
    WorkKind(
        code="unverified",
        label=_("Biện pháp chờ xác nhận"),
        model=CleanTechMeasure,
        facility_path="facility",
        due=_measures_to_verify,
        since=lambda today: F("installed_on"),
        since_label=_("Ngày lắp đặt"),
        action_label=_("Xác nhận"),
        action_url=lambda item: reverse("measure_verify", args=[item.obj_id]),
        what=_measure_what,
        details={"topic": F("kind"), "subtopic": F("category"), "note": F("description")},
        short_label=_("Chờ xác nhận"),
    ),
    WorkKind(
        code="draft",
        label=_("Bản nháp chưa hoàn tất"),
        model=Inspection,
        facility_path="facility",
        due=_drafts,
        since=lambda today: F("visited_on"),
        since_label=_("Ngày kiểm tra"),
        action_label=_("Tiếp tục bản nháp"),
        action_url=lambda item: reverse("inspection_edit", args=[item.obj_id]),
        what=_draft_what,
        # subtopic: who started the draft (its "Bỏ" is offered to them and administrators).
        details={"topic": F("kind"), "subtopic": draft_author(Inspection), "note": F("summary")},
        short_label=_("Bản nháp"),
    ),
)

KIND_BY_CODE = {kind.code: kind for kind in KINDS}
RANK = {kind.code: rank for rank, kind in enumerate(KINDS, start=1)}


# --- the selector ---------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """Where and what: a district (code), a commune (code), free text, kinds (codes)."""

    district: str | None = None
    commune: str | None = None
    q: str = ""
    kinds: Sequence[str] = ()


def _area_filter(kind: WorkKind, filters: Filters) -> Q:
    path = kind.due_path
    prefix = f"{path}__" if path else ""
    condition = Q()
    if filters.district:
        condition &= in_districts_q([filters.district], prefix=prefix)
    if filters.commune:
        condition &= Q(**{lookup(path, "commune_id"): filters.commune})
    key = search_key(filters.q or "")
    if key:
        condition &= Q(**{f"{lookup(path, 'search_key')}__contains": key})
    return condition


def _rows(kind: WorkKind, user, today: datetime.date, filters: Filters) -> QuerySet:
    """The kind's rows due today in the user's area and the filters' place and search."""
    rows = restrict_to_inspectable(kind.due(today), user, facility_path=kind.due_path)
    return rows.filter(_area_filter(kind, filters)).order_by()


def _narrow_part(kind: WorkKind, user, today: datetime.date, filters: Filters) -> QuerySet:
    return (
        _rows(kind, user, today, filters)
        .annotate(
            w_kind=Value(RANK[kind.code], output_field=IntegerField()),
            w_since=kind.since(today),
            w_obj=F(kind.obj_path),
            w_facility=F(kind.facility_id_path),
        )
        .values_list(*NARROW)
    )


def _union(parts: list[QuerySet]) -> QuerySet | None:
    if not parts:
        return None
    return parts[0].union(*parts[1:], all=True)


def _sql(queryset: QuerySet) -> tuple[str, tuple] | None:
    """The statement of ``queryset`` (None when it can match nothing: an inspector
    without an area)."""
    try:
        return queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        return None


def _union_all(statements: list[tuple[str, tuple]]) -> tuple[str, list]:
    """One statement of the parts, each kept whole in its own FROM (its ORDER BY and
    LIMIT stay its own: SQLite refuses them in the arms of a UNION)."""
    sql = " UNION ALL ".join(
        f"SELECT * FROM ({part}) AS part{n}"  # noqa: S608 (compiled by the ORM)
        for n, (part, _params) in enumerate(statements)
    )
    return sql, [param for _part, params in statements for param in params]


def count_statement(
    user, today: datetime.date, filters: Filters, kinds: Sequence[WorkKind] = KINDS
) -> tuple[str, list] | None:
    """The statement of the live counts: a COUNT per kind, each on its own plan (no row
    leaves its kind's scan), as rows (kind's rank, count); None when nothing can match."""
    statements = []
    for kind in kinds:
        part = _sql(_rows(kind, user, today, filters).values("pk"))
        if part is not None:
            sql, params = part
            count = f"SELECT {RANK[kind.code]} AS w_kind, COUNT(*) AS n FROM ({sql}) AS due"  # noqa: S608
            statements.append((count, params))
    return _union_all(statements) if statements else None


def counts(user, today: datetime.date, filters: Filters) -> dict[str, int]:
    """How many rows of each kind (all kinds, whatever ``filters.kinds``): one query
    when the day's counts are stored for the current generation (``stored_cells``),
    else counted and stored first. A search is counted live (its rows are few: the
    trigram index finds them)."""
    if search_key(filters.q or ""):
        return _live_counts(user, today, filters, KINDS)
    cells, live = _stored_and_live(user, today, filters)
    if cells is None:
        cells = _store_cells(today)
    result = dict.fromkeys(RANK, 0)
    result.update(live)
    in_area = inspectable_place(user)
    for code, district, commune, count in cells:
        if (
            in_area(district, commune)
            and (not filters.district or district == filters.district)
            and (not filters.commune or commune == filters.commune)
        ):
            result[code] += count
    return result


def _live_counts(user, today, filters, kinds) -> dict[str, int]:
    result = dict.fromkeys(RANK, 0)
    statement = count_statement(user, today, filters, kinds)
    if statement is None:  # an inspector without an area
        return result
    code_of = {rank: code for code, rank in RANK.items()}
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(*statement)
        for rank, count in cursor.fetchall():
            result[code_of[rank]] = count
    return result


# --- the stored counts ----------------------------------------------------------------
# Counting every facility of the area on every page costs seconds at national size
# (docs/performance.md, "Work list"). The counts of a day change only when the registry
# does, and every write that can change them moves the stored figures' generation on
# (compliance/standing.py: the inspections, findings and measures through the standing,
# a facility's own columns and a commune's former districts by forgetting the figures).
# So they are counted once per generation and day, for the whole province, per place
# (the district of the facility and its commune) — any area or place filter is a sum of
# those cells — and stored (StoredWorklistCounts). The kinds whose writes do not move
# the generation (evidence, re-inspection requests: few rows) are always counted live.
LIVE = ("evidence", "reinspection")


def _rules_key() -> str:
    # The rule settings the counts depend on (the window, the new-build baseline).
    return f"{new_build_since().isoformat()}|{settings.ASSESSMENT_VALID_YEARS}"


def _current_counts(today: datetime.date) -> QuerySet:
    """The stored counts of ``today`` under the current generation and rules (0 or 1)."""
    generation = FiguresGeneration.objects.filter(pk=GENERATION).values("number")[:1]
    return StoredWorklistCounts.objects.filter(
        as_of=today, rules=_rules_key(), generation=Subquery(generation)
    )


def _stored_and_live(user, today, filters) -> tuple[list | None, dict[str, int]]:
    """The stored cells of ``today`` under the current generation (None when none are)
    and the live kinds' counts for the user and filters: one statement."""
    columns = [_sql(_current_counts(today).values("cells")[:1])]
    live = [kind for kind in KINDS if kind.code in LIVE]
    for kind in live:
        rows = _sql(_rows(kind, user, today, filters).values("pk"))
        if rows is not None:
            rows = (f"SELECT COUNT(*) FROM ({rows[0]}) AS due", rows[1])  # noqa: S608
        columns.append(rows)
    sql = ", ".join(f"({column[0]})" if column else "0" for column in columns)
    params = [param for column in columns if column for param in column[1]]
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(f"SELECT {sql}", params)  # noqa: S608
        cells, *numbers = cursor.fetchone()
    if isinstance(cells, str):  # SQLite answers JSON as text
        cells = json.loads(cells)
    return cells, {kind.code: number for kind, number in zip(live, numbers, strict=True)}


def cells_statement(
    today: datetime.date, facility_ids: Sequence[int] | None = None
) -> tuple[str, list]:
    """The statement of ``stored_cells``: per stored kind, its rows due on ``today`` in
    the province (or of ``facility_ids`` only) counted by (district, commune) as recorded
    on the facility."""
    statements = []
    for kind in KINDS:
        if kind.code in LIVE:
            continue
        district = lookup(kind.due_path, "district_id")
        commune = lookup(kind.due_path, "commune_id")
        due = kind.due(today)
        if facility_ids is not None:
            due = due.filter(**{f"{kind.facility_id_path}__in": facility_ids})
        rows = due.order_by().values_list(district, commune).annotate(n=Count("*"))
        sql, params = _sql(rows)
        statements.append((f"SELECT {RANK[kind.code]} AS w_kind, * FROM ({sql}) AS cells", params))  # noqa: S608
    return _union_all(statements)


def _cell_counts(
    today: datetime.date, facility_ids: Sequence[int] | None = None
) -> dict[tuple, int]:
    """{(kind, district of the facility, commune): count} of ``stored_cells``."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(*cells_statement(today, facility_ids))
        found = cursor.fetchall()
    # The district of a facility without one recorded is its commune's only former one.
    derived = dict(sole_former_district_communes().values_list("commune_id", "only_district"))
    code_of = {rank: code for code, rank in RANK.items()}
    cells: dict[tuple, int] = {}
    for rank, district, commune, count in found:
        key = (code_of[rank], district or derived.get(commune), commune)
        cells[key] = cells.get(key, 0) + count
    return cells


def _as_list(cells: dict[tuple, int]) -> list[list]:
    return [[*key, count] for key, count in sorted(cells.items(), key=str) if count]


def stored_cells(today: datetime.date) -> list[list]:
    """[kind, district of the facility, commune, count] of every stored kind due on
    ``today`` in the province, grouped by place: one statement (the seconds a page
    saves, paid once per generation and day) and the communes' former districts."""
    return _as_list(_cell_counts(today))


def store_counts(today: datetime.date) -> bool:
    """Count and store ``today``'s counts unless they are stored for the current
    generation (``manage.py warm_figures``, after midnight); whether they were counted."""
    if _current_counts(today).exists():
        return False
    _store_cells(today)
    return True


def _store_cells(today: datetime.date) -> list[list]:
    # The generation is read before counting: counts that a write commits under are
    # stored under the generation it left behind, and never read.
    generation = (
        FiguresGeneration.objects.filter(pk=GENERATION).values_list("number", flat=True).first()
    )
    cells = stored_cells(today)
    if generation is not None:  # (none before the first write of the standing)
        StoredWorklistCounts.objects.bulk_create(
            [
                StoredWorklistCounts(
                    as_of=today, rules=_rules_key(), generation=generation, cells=cells
                )
            ],
            ignore_conflicts=True,  # stored meanwhile by another page: the same counts
        )
        StoredWorklistCounts.objects.filter(generation__lt=generation).delete()
    return cells


# Carried by each write (compliance/indicators/stored.py ``CARRIED_WITH_FIGURES``): the
# kinds read from the standing and the facility's columns could be counted before the
# standing's refresh, but the kinds read from the records (overdue findings, measures to
# verify, drafts) are already changed by then. So the counts of a record's facilities
# are read in its pre_save / pre_delete (``_before_record_write``), with the generation
# they were read under; the write carries them only if that generation is still the one
# its lock holds — no other write came between — and drops them otherwise (the next
# page counts the province again), as it does after a bulk write, which has no pre_save.


@dataclass
class _CountsCarry:
    """Today's stored counts found by a writer under the generation lock, and its
    facilities' share of them before the write."""

    today: datetime.date
    row: StoredWorklistCounts
    before: dict[tuple, int] | None  # None: not known, the counts are dropped


@dataclass(frozen=True)
class _BeforeWrite:
    generation: int | None
    facility_ids: frozenset[int]
    cells: dict[tuple, int]


def _before(generation: int, facility_ids: Sequence[int], today) -> dict[tuple, int] | None:
    before = BEFORE_WRITE.get()
    if before == UNWRITTEN:  # a facility's own save, carried before it happens
        return _cell_counts(today, facility_ids) if facility_ids else {}
    if (
        isinstance(before, _BeforeWrite)
        and before.generation == generation
        and before.facility_ids >= set(facility_ids)
    ):
        return before.cells
    return None


def _carry_start(generation: int, facility_ids: Sequence[int]) -> _CountsCarry | None:
    today = timezone.localdate()
    row = StoredWorklistCounts.objects.filter(
        as_of=today, rules=_rules_key(), generation=generation
    ).first()
    if row is None:  # nothing stored for today under this generation: nothing to carry
        return None
    return _CountsCarry(today, row, _before(generation, facility_ids, today))


def _carry_end(carry: _CountsCarry | None, generation: int, facility_ids: Sequence[int]) -> None:
    """Today's counts move to the next generation changed by exactly what the write
    changed for its facilities (after − before), like the stored figures; dropped when
    what they were before the write is not known."""
    if carry is None:
        return
    if carry.before is None:
        carry.row.delete()
        return
    after = _cell_counts(carry.today, facility_ids) if facility_ids else {}
    cells = {tuple(cell[:3]): cell[3] for cell in carry.row.cells}
    for key in carry.before.keys() | after.keys():
        cells[key] = cells.get(key, 0) + after.get(key, 0) - carry.before.get(key, 0)
    carry.row.cells = _as_list(cells)
    carry.row.generation = generation + 1
    carry.row.save(update_fields=["cells", "generation"])
    StoredWorklistCounts.objects.exclude(pk=carry.row.pk).delete()


def _before_record_write(sender, instance, **kwargs):
    """pre_save / pre_delete of a record the standing follows: its facilities' counts as
    they are before the write, if today's are stored (else there is nothing to carry)."""
    instance._before_write = None
    adding = instance._state.adding or kwargs.get("signal") is pre_delete
    if not connection.in_atomic_block or not decides_standing(instance, adding):
        return
    generation = (
        FiguresGeneration.objects.filter(pk=GENERATION).values_list("number", flat=True).first()
    )
    today = timezone.localdate()
    if not StoredWorklistCounts.objects.filter(
        as_of=today, rules=_rules_key(), generation=generation
    ).exists():
        return
    ids = sorted(facilities_fed_by(sender, [instance]))
    instance._before_write = _BeforeWrite(generation, frozenset(ids), _cell_counts(today, ids))


for _model in (Inspection, Finding, CleanTechMeasure, Certificate):
    for _signal in (pre_save, pre_delete):
        _signal.connect(
            _before_record_write,
            sender=_model,
            dispatch_uid=f"worklist_before_{_signal is pre_save}_{_model.__name__}",
        )


CARRIED_WITH_FIGURES.append((_carry_start, _carry_end))


def chosen_kinds(filters: Filters) -> list[WorkKind]:
    return [kind for kind in KINDS if not filters.kinds or kind.code in filters.kinds]


def spans(
    kinds: Sequence[WorkKind], counted: dict[str, int], offset: int, limit: int
) -> list[tuple[WorkKind, int, int]]:
    """The kinds that rows ``offset`` to ``offset + limit`` of the list fall in, each with
    the rows of it they take (from, to): the kinds follow one another in urgency, so
    page N is the end of one kind, the start of the next, or a stretch of one."""
    taken, start = [], 0
    for kind in kinds:
        size = counted[kind.code]
        low, high = max(offset - start, 0), min(offset + limit - start, size)
        if low < high:
            taken.append((kind, low, high))
        start += size
    return taken


def page_statement(
    user, today: datetime.date, filters: Filters, counted: dict[str, int], offset: int, limit: int
) -> tuple[str, list] | None:
    """The statement of ``page``: only the kinds the page falls in, each in its own
    order (since, id) cut by its own LIMIT/OFFSET — an index walk, not a sort of every
    row due (docs/performance.md, "Work list"); None when the page is empty."""
    statements = []
    for kind, low, high in spans(chosen_kinds(filters), counted, offset, limit):
        ordered = _narrow_part(kind, user, today, filters).order_by("w_since", "w_obj")
        part = _sql(ordered[low:high])
        if part is not None:
            statements.append(part)
    if not statements:
        return None
    sql, params = _union_all(statements)
    # Each part is in its order already and a kind's (since, id) are unique: ordering the
    # (at most ``limit``) rows again is the order of the parts, whatever the plan.
    return f"{sql} ORDER BY w_kind, w_since, w_obj", params


def page(
    user,
    today: datetime.date,
    filters: Filters,
    *,
    offset: int,
    limit: int = PER_PAGE,
    counted: dict[str, int] | None = None,
) -> list[WorkItem]:
    """Rows ``offset`` to ``offset + limit`` of the list, by urgency: two queries (and
    the counts first, when not given: they tell which kinds the page falls in)."""
    if counted is None:
        counted = counts(user, today, filters)
    statement = page_statement(user, today, filters, counted, offset, limit)
    if statement is None:
        return []
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(*statement)
        found = cursor.fetchall()
    code_of = {rank: code for code, rank in RANK.items()}
    items = [
        WorkItem(KIND_BY_CODE[code_of[rank]], _day(since), obj, facility)
        for rank, since, obj, facility in found
    ]
    _load_details(items)
    return items


def _day(value) -> datetime.date | None:
    # SQLite answers a raw statement's dates as text.
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _detail_part(kind: WorkKind, ids: list[int]) -> QuerySet:
    path = kind.facility_path
    text = {name: kind.details.get(name, _blank()) for name in ("topic", "subtopic", "note")}
    return (
        kind.model.objects.filter(pk__in=ids)
        .order_by()
        .annotate(
            w_kind=Value(RANK[kind.code], output_field=IntegerField()),
            w_obj=F("pk"),
            w_topic=_as_text(text["topic"]),
            w_subtopic=_as_text(text["subtopic"]),
            w_note=_as_text(text["note"]),
            f_code=F(lookup(path, "code")),
            f_name=F(lookup(path, "name")),
            f_district=F(lookup(path, "district__name")),
            f_commune=F(lookup(path, "commune__name")),
            f_commune_kind=F(lookup(path, "commune__kind")),
        )
        .values_list(*DETAIL)
    )


def _as_text(expression):
    return Cast(expression, output_field=TextField())


def _load_details(items: list[WorkItem]) -> None:
    """Fill the page's rows with their object's and facility's text: one query."""
    ids: dict[str, list[int]] = {}
    for item in items:
        ids.setdefault(item.kind.code, []).append(item.obj_id)
    union = _union([_detail_part(KIND_BY_CODE[code], pks) for code, pks in ids.items()])
    if union is None:
        return
    found = {(rank, obj): rest for rank, obj, *rest in union}
    for item in items:
        row = found.get((RANK[item.kind.code], item.obj_id))
        if row is None:  # gone between the two queries
            continue
        (
            item.topic,
            item.subtopic,
            item.note,
            item.facility_code,
            item.facility_name,
            item.district_name,
            item.commune_name,
            item.commune_kind,
        ) = row


class WorkList:
    """The filtered list as Django's Paginator wants it: ``count()`` from the counts
    (no query) and slices that run ``page`` (two queries)."""

    def __init__(self, user, today: datetime.date, filters: Filters, next_url: str = ""):
        self.user = user
        self.today = today
        self.filters = filters
        self.next_url = next_url
        self.counts = counts(user, today, filters)

    def count(self) -> int:
        return sum(self.counts[kind.code] for kind in chosen_kinds(self.filters))

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("WorkList supports slices only")
        start = index.start or 0
        stop = self.count() if index.stop is None else index.stop
        if stop <= start:  # an empty list: nothing to ask the database
            return []
        items = page(
            self.user,
            self.today,
            self.filters,
            offset=start,
            limit=stop - start,
            counted=self.counts,
        )
        for item in items:
            item.next_url = self.next_url
        return items
