"""Page numbers for the pagination include: first, last and two either side."""

from django import template

register = template.Library()


@register.filter
def page_numbers(page_obj):
    """1 … 4 5 [6] 7 8 … 40: numbers, with the paginator's ellipsis between gaps."""
    return page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)
