"""The error summary at the top of a form: every error of the page in one list, each a
link to its field (templates/includes/_error_summary.html; docs/web.md)."""

from __future__ import annotations

from django import forms, template
from django.utils.translation import gettext as _

register = template.Library()


def _field_entries(form: forms.BaseForm, row: int | None = None) -> list[dict]:
    entries = [{"href": "", "text": error} for error in form.non_field_errors()]
    for field in form:
        if field.is_hidden:
            entries += [{"href": "", "text": error} for error in field.errors]
            continue
        label = field.label
        if row is not None:
            label = _("%(label)s, dòng %(number)s") % {"label": label, "number": row}
        for error in field.errors:
            entries.append({"href": f"#{field.id_for_label}", "label": label, "text": error})
    return entries


def error_entries(*sources) -> list[dict]:
    """Entries ({href, label, text}) for forms, formsets and plain messages, in page order.

    A plain message is ``str`` (no link) or ``(field id, message)``.
    """
    entries: list[dict] = []
    for source in sources:
        if not source:
            continue
        if isinstance(source, forms.BaseFormSet):
            entries += [{"href": "", "text": error} for error in source.non_form_errors()]
            for number, form in enumerate(source.forms, start=1):
                entries += _field_entries(form, row=number)
        elif isinstance(source, forms.BaseForm):
            entries += _field_entries(source)
        elif isinstance(source, tuple):
            field_id, message = source
            entries.append({"href": f"#{field_id}", "text": message})
        else:
            entries.append({"href": "", "text": str(source)})
    return entries


@register.inclusion_tag("includes/_error_summary.html")
def error_summary(*sources):
    """``{% error_summary form formset ... %}``: nothing when there is no error."""
    return {"entries": error_entries(*sources)}
