"""What the list pages share: sortable columns from a whitelist (with a deterministic
tie-break), page numbers, and filter forms whose labels match what their pickers list.

A sort key is one of the page's named columns; anything else falls back to the page's
default order, so a URL can never order by an arbitrary field (docs/web.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django import forms
from django.db.backends.signals import connection_created
from django.db.models import CharField, Func, IntegerField
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

SORT_PARAM = "sort"
# What an empty option of a filter says: every value, not an unchosen "---------".
ALL_LABEL = _("Tất cả")


@dataclass(frozen=True)
class Column:
    """A column of a list: its header and, when sortable, its key in the URL."""

    label: str
    key: str | None = None


@dataclass(frozen=True)
class Sort:
    key: str
    descending: bool

    @property
    def param(self) -> str:
        return f"-{self.key}" if self.descending else self.key


def requested_sort(request, allowed: Sequence[str], default: str) -> Sort:
    """``?sort=name`` or ``?sort=-name`` when ``name`` is whitelisted, else ``default``."""
    value = request.GET.get(SORT_PARAM, "")
    key = value.removeprefix("-")
    if key not in allowed:
        return Sort(default, False)
    return Sort(key, value.startswith("-"))


def order_queryset(queryset, sort: Sort, fields: dict[str, tuple[str, ...]], tie: str = "pk"):
    """The queryset in ``sort``'s order, then by ``tie`` (so a page never shifts)."""
    sign = "-" if sort.descending else ""
    return queryset.order_by(*(f"{sign}{f}" for f in fields[sort.key]), tie)


class Casefold(Func):
    """``str.casefold`` of a text column in SQL, to sort as Python sorts
    ``value.casefold()`` (code point order of the folded text).

    PostgreSQL: ``LOWER(x) COLLATE "C"`` — lowered under the database's own collation
    (which knows Vietnamese capitals: Đ → đ), compared byte by byte, i.e. by code point.
    It equals casefold for the letters of Vietnamese and English; the few letters whose
    casefold differs from their lower case (German ß, Greek final sigma) would sort
    apart. The expression index ``facility_name_sort`` (facilities migration 0013) is
    on this very expression. SQLite: Python's own casefold, registered on every
    connection below (SQLite's LOWER folds ASCII only).
    """

    function = "LOWER"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = self.as_sql(compiler, connection, **extra_context)
        return f'{sql} COLLATE "C"', params

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="ENVREG_CASEFOLD", **extra_context)


def _casefold(value):
    return None if value is None else value.casefold()


@receiver(connection_created, dispatch_uid="envreg_sqlite_casefold")
def _register_casefold(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function("ENVREG_CASEFOLD", 1, _casefold, deterministic=True)


class ranked(Func):  # noqa: N801 (used as a function of the sort)
    """Order rows by the label of ``expression``'s value as Python sorts
    ``label.casefold()``: ``CASE expression WHEN value THEN rank ... END``, each value
    ranked by its folded label among all of them, NULL (and any value not in
    ``labels``) as ``labels[None]`` ("" when absent). For the few values of a reference
    table — districts, communes, sectors, reasons — whose labels are translated or read
    from another table. The simple CASE evaluates ``expression`` once per row (a
    searched CASE would repeat it in every WHEN: the reason is a lookup of the
    standing)."""

    output_field = IntegerField()

    def __init__(self, expression, labels: dict):
        folded = {value: str(label).casefold() for value, label in labels.items()}
        folded.setdefault(None, "")
        order = {key: rank for rank, key in enumerate(sorted(set(folded.values())))}
        self.ranks = {value: order[key] for value, key in folded.items() if value is not None}
        self.default = order[folded[None]]
        super().__init__(expression)

    def as_sql(self, compiler, connection, **extra_context):
        subject, params = compiler.compile(self.source_expressions[0])
        whens = " ".join("WHEN %s THEN %s" for _ in self.ranks)
        for value, rank in self.ranks.items():
            params = (*params, value, rank)
        return f"CASE {subject} {whens} ELSE %s END", (*params, self.default)


def header_cells(request, columns: Sequence[Column], sort: Sort) -> list[dict]:
    """Each column's header: label, and for a sortable one the URL that sorts by it
    (ascending, or descending when it is already the ascending order) and aria-sort."""
    cells = []
    for column in columns:
        cell = {"label": column.label, "key": column.key, "url": None, "aria_sort": None}
        if column.key:
            params = request.GET.copy()
            params.pop("page", None)
            current = column.key == sort.key
            params[SORT_PARAM] = f"-{column.key}" if current and not sort.descending else column.key
            cell["url"] = f"?{params.urlencode()}"
            if current:
                cell["aria_sort"] = "descending" if sort.descending else "ascending"
        cells.append(cell)
    return cells


def label_filters(form: forms.Form, labels: dict[str, str]) -> None:
    """Page labels for the filters (a picker of names is not titled "code") and "All"
    for every empty option."""
    for name, label in labels.items():
        if name in form.fields:
            form.fields[name].label = label
    for field in form.fields.values():
        if not isinstance(field, forms.ChoiceField):
            continue
        if isinstance(field, forms.ModelChoiceField):
            field.empty_label = ALL_LABEL  # read when the options are listed
        elif hasattr(field, "empty_label"):
            # django-filter's ChoiceField adds its empty option when its choices are set
            # (and keeps the result): set them again without the old empty option.
            field.empty_label = ALL_LABEL
            field.choices = [(value, label) for value, label in field.choices if value != ""]
        else:
            field.choices = [
                (value, ALL_LABEL if value == "" else label) for value, label in field.choices
            ]
