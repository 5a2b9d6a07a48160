"""The registry: administrative units, sectors, enterprises and their facilities."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Ord, Substr
from django.db.models.lookups import Exact
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken
from simple_history.models import HistoricalRecords
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.vn import mst

from facilities.choices import Activity, CommuneKind, Role, UnitGap
from facilities.text import nfc, search_key

# Vietnam's mainland bounding box (with Phú Quốc and Côn Đảo), in WGS 84 degrees.
VIETNAM_LATITUDE = (Decimal("8.0"), Decimal("23.4"))
VIETNAM_LONGITUDE = (Decimal("102.1"), Decimal("109.5"))
# Lai Châu's extent with a small margin (21°40'–22°50' N, 102°19'–103°59' E): a location
# offered by a phone in the field must fall inside it (facilities.services.facility_locate).
LAI_CHAU_LATITUDE = (Decimal("21.6"), Decimal("22.9"))
LAI_CHAU_LONGITUDE = (Decimal("102.2"), Decimal("104.1"))

TAX_CODE_PATTERN = r"^[0-9]{10}(-[0-9]{3})?$"
# The weights of stdnum.vn.mst's check digit, so the database can hold the same rule.
TAX_CODE_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def _tax_code_digit(position: int):
    """The digit at 1-based ``position`` of tax_code as an integer expression (no cast:
    a non-digit gives a wrong number rather than a database error)."""
    return Ord(Substr("tax_code", position, 1)) - 48


def _tax_code_check_digit_condition() -> Q:
    """tax_code's 10th digit equals 10 - (weighted sum of the first nine mod 11)."""
    total = sum(
        (_tax_code_digit(i) * weight for i, weight in enumerate(TAX_CODE_WEIGHTS, start=1)),
        Value(0),
    )
    return Q(Exact(_tax_code_digit(10), Value(10) - total % 11))


class RegistryModel(models.Model):
    """Base of every registry model: NFC text, a search key, and a version for If-Match.

    ``version`` grows by one on every save; the API compares it inside the UPDATE
    (facilities.concurrency) so that of two concurrent writers exactly one wins.
    """

    # Fields whose folded text feeds ``search_key`` (set by subclasses that are searched).
    search_fields: tuple[str, ...] = ()

    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        abstract = True

    # Columns that follow from the others or from saving itself: never "a change".
    BOOKKEEPING_FIELDS = frozenset({"id", "version", "created_at", "updated_at", "search_key"})

    def save(self, *args, **kwargs):
        self.normalize()
        if not self._state.adding:
            # A write that changes nothing changes nothing: no new version (clients
            # holding the ETag keep a valid one) and no history row (nothing to tell).
            if not self.changed_fields(kwargs.get("update_fields")):
                return
            self.version += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version", "updated_at"} | (
                    {"search_key"} if self.search_fields else set()
                )
        super().save(*args, **kwargs)
        self._loaded_values = {
            f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields
        }

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_values = dict(zip(field_names, values, strict=True))
        return instance

    def changed_fields(self, fields=None) -> set[str]:
        """The attnames whose value differs from what was loaded (or last saved).

        A field that was not loaded (deferred) counts as changed: we cannot tell.
        """
        loaded = getattr(self, "_loaded_values", None)
        if self._state.adding or loaded is None:
            return {f.attname for f in self._meta.concrete_fields}
        names = None if fields is None else set(fields)
        return {
            f.attname
            for f in self._meta.concrete_fields
            if f.name not in self.BOOKKEEPING_FIELDS
            and (names is None or f.name in names or f.attname in names)
            and (f.attname not in loaded or loaded[f.attname] != getattr(self, f.attname))
        }

    def full_clean(self, *args, **kwargs) -> None:
        """Validate the values as they will be stored (NFC, canonical tax code).

        Normalising first means uniqueness is checked against the stored form: a tax
        code typed as 0101245486001 collides with the stored 0101245486-001.
        """
        self.normalize()
        super().full_clean(*args, **kwargs)

    def normalize(self) -> None:
        """Store text as NFC and refresh the search key (called by save and bulk writes)."""
        for field in self._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                value = getattr(self, field.attname)
                if isinstance(value, str):
                    setattr(self, field.attname, nfc(value))
        if self.search_fields:
            self.search_key = search_key(*(getattr(self, f) for f in self.search_fields))


class District(models.Model):
    """A district-level unit of Lai Châu, keyed by its official statistical code."""

    code = models.CharField(_("mã"), max_length=3, primary_key=True)
    name = models.CharField(_("tên"), max_length=100, unique=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("huyện / thành phố")
        verbose_name_plural = _("huyện / thành phố")

    def __str__(self) -> str:
        return self.name


# The first day of the 38 commune-level units: the district level ends on the day before
# (Resolution 1670/NQ-UBTVQH15; docs/geography.md).
REFORM_DATE = datetime.date(2025, 7, 1)


class Commune(models.Model):
    """A commune-level unit of Lai Châu from 1 July 2025 (xã or phường), keyed by its
    5-digit national code, with the districts its former units belonged to."""

    code = models.CharField(_("mã"), max_length=5, primary_key=True)
    name = models.CharField(_("tên"), max_length=100, unique=True)
    kind = models.CharField(_("loại"), max_length=6, choices=CommuneKind.choices)
    former_districts = models.ManyToManyField(
        District,
        related_name="communes",
        verbose_name=_("huyện cũ (trước 01/07/2025)"),
    )

    history = HistoricalRecords(m2m_fields=[former_districts])

    class Meta:
        ordering = ["code"]
        verbose_name = _("xã / phường")
        verbose_name_plural = _("xã / phường")

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        """ "Xã Bình Lư", "Phường Tân Phong" (English: "Bình Lư commune")."""
        if self.kind == CommuneKind.PHUONG:
            return str(_("Phường %(name)s") % {"name": self.name})
        return str(_("Xã %(name)s") % {"name": self.name})


def sole_former_district_communes():
    """(commune code, district code) of the communes with exactly one former district —
    those from which a facility's district can be derived (docs/geography.md)."""
    return (
        Commune.former_districts.through.objects.values("commune_id")
        .annotate(n_districts=Count("district_id"), only_district=Max("district_id"))
        .filter(n_districts=1)
    )


def place_district_expression():
    """The *district of a facility* (docs/geography.md): its
    recorded district, else the former district of its commune when it has exactly one,
    else NULL. An expression on Facility rows (a correlated subquery on 38 rows)."""

    derived = Subquery(
        sole_former_district_communes()
        .filter(commune_id=OuterRef("commune_id"))
        .values("only_district")[:1]
    )
    return Coalesce(F("district_id"), derived, output_field=models.CharField())


def in_districts_q(codes, *, prefix: str = "") -> Q:
    """Facilities whose district (recorded, or derived from the commune) is in ``codes``.

    ``prefix`` is the lookup from the queried model to its Facility ("facility__"); ""
    for Facility itself. The scope filter ``district=X`` and inspectors' access use it.
    """
    codes = list(codes)
    derived = sole_former_district_communes().filter(only_district__in=codes)
    return Q(**{f"{prefix}district_id__in": codes}) | Q(
        **{
            f"{prefix}district__isnull": True,
            f"{prefix}commune_id__in": derived.values("commune_id"),
        }
    )


def unit_gap_q(gap: str) -> Q:
    """Facilities with the data gap ``gap`` (facilities.choices.UnitGap):

    * ``missing_district``: active on some day before 1 July 2025 (operating before it)
      with no district — none recorded and none derivable from the commune;
    * ``missing_commune``: active on some day from 1 July 2025 (operating, not closed
      by then) with no commune.

    Old records are not refused for these gaps; the registry lists them to be worked down.
    """
    if gap == UnitGap.MISSING_DISTRICT:
        derivable = sole_former_district_communes().values("commune_id")
        return NO_DISTRICT_BEFORE_REFORM & ~Q(commune_id__in=derivable)
    if gap == UnitGap.MISSING_COMMUNE:
        return NO_COMMUNE_FROM_REFORM
    raise ValueError(gap)


# The conditions of the two gaps on the facility's own columns, shared by unit_gap_q and
# the partial indexes of Facility that hold just those (few) facilities, so that counting
# a gap reads a small index instead of every facility (docs/performance.md).
NO_DISTRICT_BEFORE_REFORM = Q(operating_since__lt=REFORM_DATE, district__isnull=True)
NO_COMMUNE_FROM_REFORM = Q(operating_since__isnull=False, commune__isnull=True) & (
    Q(closed_on__isnull=True) | Q(closed_on__gt=REFORM_DATE)
)


class Sector(models.Model):
    """An economic sector named in the green-growth plan (code as in docs/api.md)."""

    code = models.CharField(_("mã"), max_length=40, primary_key=True)
    name_vi = models.CharField(_("tên (tiếng Việt)"), max_length=120)
    name_en = models.CharField(_("tên (tiếng Anh)"), max_length=120)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("ngành, lĩnh vực")
        verbose_name_plural = _("ngành, lĩnh vực")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language (Vietnamese unless English is chosen)."""
        return self.name_en if (get_language() or "vi").startswith("en") else self.name_vi


def validate_tax_code(value: str) -> None:
    """A Vietnamese tax code (mã số thuế): 10 digits with check digit, or 10-3 (branch)."""
    try:
        mst.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("Mã số thuế %(value)s không hợp lệ: %(detail)s"),
            code="invalid_tax_code",
            params={"value": value, "detail": _tax_code_problem(value)},
        ) from exc


def _tax_code_problem(value: str) -> str:
    digits = mst.compact(value)
    if not digits.isdigit() or len(digits) not in (10, 13):
        return str(_("cần 10 chữ số, hoặc 13 chữ số dạng 0123456789-001"))
    return str(_("sai chữ số kiểm tra"))


def canonical_tax_code(value: str) -> str:
    """The one stored form: 0101245486 or 0101245486-001."""
    return mst.format(value)


class Enterprise(RegistryModel):
    """A business that owns facilities, identified by its tax code."""

    search_fields = ("name", "tax_code", "representative", "address")

    name = models.CharField(_("tên doanh nghiệp"), max_length=255)
    tax_code = models.CharField(_("mã số thuế"), max_length=14, validators=[validate_tax_code])
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    representative = models.CharField(
        _("người đại diện theo pháp luật"), max_length=120, blank=True
    )
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    # Searched with LIKE '%…%' (facilities.filtersets.SearchFilter): a btree cannot serve
    # that; on PostgreSQL a pg_trgm GIN index does (migration 0005, docs/performance.md).
    search_key = models.TextField(editable=False, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("doanh nghiệp")
        verbose_name_plural = _("doanh nghiệp")
        constraints = [
            models.UniqueConstraint(
                fields=["tax_code"],
                name="enterprise_tax_code_unique",
                violation_error_message=_("Đã có doanh nghiệp với mã số thuế này."),
            ),
            models.CheckConstraint(
                condition=Q(tax_code__regex=TAX_CODE_PATTERN)
                & ~Q(tax_code__regex=r"^[0-9]{2}0000000")
                & ~Q(tax_code__endswith="-000"),
                name="enterprise_tax_code_format",
                violation_error_message=_(
                    "Mã số thuế phải có 10 chữ số, hoặc 13 chữ số dạng 0123456789-001."
                ),
            ),
            models.CheckConstraint(
                condition=_tax_code_check_digit_condition(),
                name="enterprise_tax_code_check_digit",
                violation_error_message=_("Mã số thuế sai chữ số kiểm tra."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.tax_code})"

    def normalize(self) -> None:
        super().normalize()
        if self.tax_code:
            # An invalid code is left as typed, so the message quotes what the user typed
            # (mst.format would turn a 9-digit code into "010124548-").
            if mst.is_valid(self.tax_code):
                self.tax_code = canonical_tax_code(self.tax_code)
            self.search_key = search_key(*(getattr(self, f) for f in self.search_fields))


class Facility(RegistryModel):
    """A production or business establishment (cơ sở SXKD) at one location."""

    search_fields = ("code", "name", "address")

    code = models.CharField(_("mã cơ sở"), max_length=30)
    name = models.CharField(_("tên cơ sở"), max_length=255)
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        related_name="facilities",
        verbose_name=_("doanh nghiệp"),
    )
    activity = models.CharField(_("loại hình"), max_length=12, choices=Activity.choices)
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="facilities", verbose_name=_("ngành")
    )
    # Where the facility was before 1 July 2025 and where it is from that day; either may
    # be empty (a facility opened after the reform has no district). The registry lists
    # the gaps instead of refusing old records (unit_gap_q).
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="facilities",
        verbose_name=_("huyện / thành phố (trước 01/07/2025)"),
        # The index facility_district_sector (district, sector) serves lookups by district.
        db_index=False,
    )
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="facilities",
        verbose_name=_("xã / phường (từ 01/07/2025)"),
        # The index facility_commune_sector (commune, sector) serves lookups by commune.
        db_index=False,
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    latitude = models.DecimalField(
        _("vĩ độ"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("kinh độ"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    operating_since = models.DateField(_("ngày đi vào hoạt động"), null=True, blank=True)
    closed_on = models.DateField(_("ngày ngừng hoạt động"), null=True, blank=True)
    # As Enterprise.search_key: a pg_trgm GIN index on PostgreSQL (migration 0005).
    search_key = models.TextField(editable=False, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("cơ sở sản xuất, kinh doanh")
        verbose_name_plural = _("cơ sở sản xuất, kinh doanh")
        indexes = [
            models.Index(fields=["district", "sector"], name="facility_district_sector"),
            models.Index(fields=["operating_since", "closed_on"], name="facility_active"),
            models.Index(fields=["commune", "sector"], name="facility_commune_sector"),
            models.Index(
                fields=["commune"],
                condition=NO_DISTRICT_BEFORE_REFORM,
                name="facility_gap_no_district",
            ),
            models.Index(
                fields=["operating_since"],
                condition=NO_COMMUNE_FROM_REFORM,
                name="facility_gap_no_commune",
            ),
        ]
        constraints = [
            # On PostgreSQL this constraint's index also includes the population's
            # columns (migration 0012), so an indicator's population in code order — the
            # pages of the list behind a figure and of /api/v1/indicators/facilities/ —
            # is an index-only scan (docs/performance.md, "Lists in pages"). Not declared
            # here: Django leaves a constraint with INCLUDE out on SQLite altogether.
            models.UniqueConstraint(
                fields=["code"],
                name="facility_code_unique",
                violation_error_message=_("Đã có cơ sở với mã này."),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(operating_since__isnull=False, closed_on__gt=F("operating_since")),
                name="facility_closed_after_operating",
                violation_error_message=_("Ngày ngừng hoạt động phải sau ngày đi vào hoạt động."),
            ),
            models.CheckConstraint(
                condition=Q(district__isnull=False) | Q(commune__isnull=False),
                name="facility_has_unit",
                violation_error_message=_("Cần chọn huyện (trước 01/07/2025) hoặc xã / phường."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                # Both set explicitly: with one of them NULL the comparisons below are
                # NULL, and a CHECK passes on NULL.
                | Q(
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=VIETNAM_LATITUDE[0],
                    latitude__lte=VIETNAM_LATITUDE[1],
                    longitude__gte=VIETNAM_LONGITUDE[0],
                    longitude__lte=VIETNAM_LONGITUDE[1],
                ),
                name="facility_coordinates_in_vietnam",
                violation_error_message=_(
                    "Tọa độ phải nằm trong lãnh thổ Việt Nam (vĩ độ 8,0–23,4; kinh độ 102,1–109,5)"
                    " và có đủ cả vĩ độ lẫn kinh độ."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def place_district_code(self) -> str | None:
        """The district of this facility: recorded, else its commune's only former
        district, else None (the same rule as ``place_district_expression``)."""
        if self.district_id is not None:
            return self.district_id
        if self.commune_id is None:
            return None
        return (
            sole_former_district_communes()
            .filter(commune_id=self.commune_id)
            .order_by("commune_id")
            .values_list("only_district", flat=True)
            .first()
        )

    def clean(self) -> None:
        """Cross-field rules with the message on the field the user must fix."""
        if self.closed_on and (not self.operating_since or self.closed_on <= self.operating_since):
            raise ValidationError(
                {"closed_on": _("Ngày ngừng hoạt động phải sau ngày đi vào hoạt động.")}
            )
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(
                {
                    "longitude" if self.longitude is None else "latitude": _(
                        "Cần có đủ cả vĩ độ và kinh độ."
                    )
                }
            )
        if self.district_id is None and self.commune_id is None:
            raise ValidationError(
                {"commune": _("Cần chọn huyện (trước 01/07/2025) hoặc xã / phường.")}
            )
        if self.district_id and self.commune_id:
            # An importer checking thousands of rows passes every commune's former districts
            # (``former_districts_known``) rather than one query per row.
            known = getattr(self, "former_districts_known", None)
            former = (
                known.get(self.commune_id, set())
                if known is not None
                else set(
                    Commune.former_districts.through.objects.filter(
                        commune_id=self.commune_id
                    ).values_list("district_id", flat=True)
                )
            )
            if former and self.district_id not in former:
                raise ValidationError(
                    {
                        "district": _(
                            "Huyện cũ của cơ sở phải là một trong các huyện đã hợp thành"
                            " xã / phường đã chọn (%(codes)s)."
                        )
                        % {"codes": ", ".join(sorted(former))}
                    }
                )
        errors = {}
        if self.latitude is not None and not (
            VIETNAM_LATITUDE[0] <= self.latitude <= VIETNAM_LATITUDE[1]
        ):
            errors["latitude"] = _("Vĩ độ phải trong khoảng 8,0–23,4 (lãnh thổ Việt Nam).")
        if self.longitude is not None and not (
            VIETNAM_LONGITUDE[0] <= self.longitude <= VIETNAM_LONGITUDE[1]
        ):
            errors["longitude"] = _("Kinh độ phải trong khoảng 102,1–109,5 (lãnh thổ Việt Nam).")
        if errors:
            raise ValidationError(errors)


def new_build_since() -> datetime.date:
    """The configured NEW_BUILD_SINCE date (default 2012-11-30, Decision 1498)."""
    return datetime.date.fromisoformat(str(settings.NEW_BUILD_SINCE))


class Profile(models.Model):
    """What a user may do in the registry: a role, plus districts or an enterprise."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="registry_profile",
        verbose_name=_("tài khoản"),
    )
    role = models.CharField(_("vai trò"), max_length=12, choices=Role.choices)
    districts = models.ManyToManyField(
        District, blank=True, related_name="inspector_profiles", verbose_name=_("địa bàn")
    )
    communes = models.ManyToManyField(
        Commune,
        blank=True,
        related_name="inspector_profiles",
        verbose_name=_("địa bàn xã / phường"),
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="user_profiles",
        verbose_name=_("doanh nghiệp"),
    )

    history = HistoricalRecords(m2m_fields=[districts, communes])

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("hồ sơ người dùng")
        verbose_name_plural = _("hồ sơ người dùng")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role=Role.BUSINESS) | Q(enterprise__isnull=False),
                name="profile_business_has_enterprise",
                violation_error_message=_("Tài khoản doanh nghiệp phải gắn với một doanh nghiệp."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_role_display()})"


class ApiToken(AuthToken):
    """An API token as the admin lists it (django-rest-knox's table, our labels).

    Only the digest is stored; the token itself was shown once, to its holder.
    """

    class Meta:
        proxy = True
        ordering = ["-created", "digest"]
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("các mã truy cập API")

    def __str__(self) -> str:
        return f"{self.token_key}… ({self.user})"


class DepartmentNameQuerySet(models.QuerySet):
    def in_force_on(self, day: datetime.date) -> DepartmentName | None:
        """The name that took effect last on or before ``day`` (None before the first)."""
        return self.filter(effective_from__lte=day).order_by("-effective_from").first()


class DepartmentName(models.Model):
    """A name of the environment department, from the day it took effect.

    Page headers, report workbooks and exports carry the name in force on their date
    (docs/geography.md); administrators correct the list in the admin.
    """

    effective_from = models.DateField(_("có hiệu lực từ ngày"), unique=True)
    name_vi = models.CharField(_("tên (tiếng Việt)"), max_length=200)
    name_en = models.CharField(_("tên (tiếng Anh)"), max_length=200)

    history = HistoricalRecords()
    objects = DepartmentNameQuerySet.as_manager()

    class Meta:
        ordering = ["effective_from"]
        verbose_name = _("tên cơ quan quản lý môi trường")
        verbose_name_plural = _("tên cơ quan quản lý môi trường")

    def __str__(self) -> str:
        return f"{self.name_vi} ({self.effective_from:%d/%m/%Y})"

    @property
    def name(self) -> str:
        """The name in the active language (Vietnamese unless English is chosen)."""
        return self.name_en if (get_language() or "vi").startswith("en") else self.name_vi


def department_name_on(day: datetime.date) -> str:
    """The department's name in force on ``day`` in the active language ("" if none)."""
    found = DepartmentName.objects.in_force_on(day)
    return found.name if found else ""
