"""Pagination of every API list: ``page`` and ``page_size`` (50 by default, at most 500)."""

from rest_framework.pagination import PageNumberPagination


class RegistryPagination(PageNumberPagination):
    # A larger page_size is capped at max_page_size, and a malformed one falls back to
    # the default, never an error (docs/api.md); a page beyond the last is a 404.
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
