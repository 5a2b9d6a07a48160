"""The base of every registry viewset, and the districts, sectors and enterprises.

``RegistryViewSet`` puts the API's common rules in one place:

* reads are scoped by the queryset (facilities.access), so what a user may not see is 404;
* writes ask ``may_write``/``may_write_object`` (403), run inside one transaction that
  first claims the row with the If-Match version (facilities.concurrency, 412), and
  record the user and reason (``change_reason`` field or X-Change-Reason header);
* ``ETag`` on every response that carries one object;
* ids in URLs are digits only (``export.xlsx`` and friends are other routes, and a
  40-digit id is a 404 rather than an integer overflow).
"""

from __future__ import annotations

from django.db import transaction
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from facilities.access import can_manage_registry, enterprises_for
from facilities.api.pagination import RegistryPagination
from facilities.api.permissions import RegistryPermission
from facilities.api.serializers import (
    CommuneSerializer,
    DistrictSerializer,
    EnterpriseSerializer,
    SectorSerializer,
)
from facilities.concurrency import claim_or_412, etag_for
from facilities.filtersets import CommuneFilterSet, EnterpriseFilterSet
from facilities.history import change_context
from facilities.models import Commune, District, Sector

ID_REGEX = r"[0-9]{1,18}"


class RegistryViewSet(viewsets.GenericViewSet):
    """Shared behaviour of the API's viewsets (see the module docstring)."""

    registry_api = True  # read by facilities.api.schema (error bodies, headers)
    permission_classes = [RegistryPermission]
    pagination_class = RegistryPagination
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields: list[str] = []
    lookup_value_regex = ID_REGEX

    # --- permissions --------------------------------------------------------------
    def may_read(self, user) -> bool:
        """May ``user`` (who has a registry role) read here? Scoping is the queryset's."""
        return True

    def may_write(self, user) -> bool:
        """May ``user`` make this request's kind of write at all? (403 when not)"""
        return can_manage_registry(user)

    def may_write_object(self, user, obj) -> bool:
        """May ``user`` write ``obj`` (visible to them)? (403 when not)"""
        return self.may_write(user)

    # --- request plumbing ---------------------------------------------------------
    def finalize_response(self, request, response, *args, **kwargs):
        data = getattr(response, "data", None)
        if (
            200 <= response.status_code < 300
            and isinstance(data, dict)
            and isinstance(data.get("version"), int)
        ):
            response["ETag"] = etag_for(data["version"])
        return super().finalize_response(request, response, *args, **kwargs)

    def reason_from(self, serializer=None) -> str | None:
        """The ``change_reason`` field if sent (the header is applied by middleware)."""
        if serializer is None:
            return None
        return serializer.validated_data.pop("change_reason", None) or None

    def reload(self, instance):
        """The saved object as the list shows it (annotations, joins)."""
        return self.get_queryset().filter(pk=instance.pk).first() or instance

    def claimed_object(self):
        """The object of a detail write, re-read after claiming its row (If-Match → 412)."""
        instance = self.get_object()
        claim_or_412(type(instance), instance.pk, self.request)
        return self.get_object()

    def run_action(self, body_class, service, *, target: str, field: str) -> Response:
        """One state action: validate the body, claim the row (If-Match → 412), call the
        service with the object, the user, ``field`` and the reason, answer the object."""
        body = body_class(data=self.request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            instance = self.claimed_object()
            service(
                **{target: instance, field: body.validated_data[field]},
                user=self.request.user,
                reason=body.validated_data.get("change_reason"),
            )
        return Response(self.get_serializer(self.reload(instance)).data)


class RegistryModelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RegistryViewSet):
    """List, retrieve, create, update (PUT/PATCH) and delete with the shared rules."""

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with (
            transaction.atomic(),
            change_context(user=request.user, reason=self.reason_from(serializer)),
        ):
            self.perform_create(serializer)
        instance = self.reload(serializer.instance)
        return Response(self.get_serializer(instance).data, status=201)

    def perform_create(self, serializer):
        serializer.save()

    def update(self, request, *args, partial=False, **kwargs):
        with transaction.atomic():
            instance = self.claimed_object()
            serializer = self.get_serializer(instance, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            with change_context(user=request.user, reason=self.reason_from(serializer)):
                self.perform_update(serializer)
        return Response(self.get_serializer(self.reload(serializer.instance)).data)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def perform_update(self, serializer):
        serializer.save()

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            instance = self.claimed_object()
            with change_context(user=request.user):
                self.perform_destroy(instance)
        return Response(status=204)

    def perform_destroy(self, instance):
        instance.delete()


@extend_schema_view(
    list=extend_schema(summary="Districts of Lai Châu (official statistical codes)"),
    retrieve=extend_schema(summary="One district"),
)
class DistrictViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RegistryViewSet):
    """Reference data: the eight district-level units (read-only for everyone)."""

    queryset = District.objects.all()
    serializer_class = DistrictSerializer
    lookup_value_regex = r"[0-9]{3}"
    filter_backends: list = []


@extend_schema_view(
    list=extend_schema(summary="Commune-level units of Lai Châu from 2025-07-01 (national codes)"),
    retrieve=extend_schema(summary="One commune or ward"),
)
class CommuneViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RegistryViewSet):
    """Reference data: the 38 commune-level units (read-only for everyone)."""

    # Query 1: the communes; query 2: their former districts (prefetched).
    queryset = Commune.objects.prefetch_related("former_districts")
    serializer_class = CommuneSerializer
    filterset_class = CommuneFilterSet
    filter_backends = [DjangoFilterBackend]
    lookup_value_regex = r"[0-9]{5}"

    def filter_queryset(self, queryset):
        # A commune straddling two districts would appear twice through the join.
        return super().filter_queryset(queryset).distinct()


@extend_schema_view(
    list=extend_schema(summary="Economic sectors"),
    retrieve=extend_schema(summary="One sector"),
)
class SectorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RegistryViewSet):
    """Reference data: the sectors of the green-growth plan (read-only for everyone)."""

    queryset = Sector.objects.all()
    serializer_class = SectorSerializer
    lookup_value_regex = r"[a-z_]{1,40}"
    filter_backends: list = []


class EnterpriseViewSet(RegistryModelViewSet):
    """Enterprises: all of them for staff roles, its own for a business user."""

    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet
    ordering_fields = ["name", "tax_code", "id"]

    def get_queryset(self):
        return enterprises_for(self.request.user)
