"""The registry: administrative units, sectors, enterprises and their facilities."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Ord, Substr
from django.db.models.lookups import Exact
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken
from simple_history.models import HistoricalRecords
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.vn import mst

from facilities.choices import Activity, Role
from facilities.text import nfc, search_key

# Vietnam's mainland bounding box (with Phú Quốc and Côn Đảo), in WGS 84 degrees.
VIETNAM_LATITUDE = (Decimal("8.0"), Decimal("23.4"))
VIETNAM_LONGITUDE = (Decimal("102.1"), Decimal("109.5"))

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

    def save(self, *args, **kwargs):
        self.normalize()
        if not self._state.adding:
            self.version += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version", "updated_at"} | (
                    {"search_key"} if self.search_fields else set()
                )
        super().save(*args, **kwargs)

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


class Sector(models.Model):
    """An economic sector named in the green-growth plan (code as in api.md)."""

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
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="facilities",
        verbose_name=_("huyện / thành phố"),
        db_index=False,  # facility_district_sector (district, sector) serves it
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
        ]
        constraints = [
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
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registry_profile"
    )
    role = models.CharField(_("vai trò"), max_length=12, choices=Role.choices)
    districts = models.ManyToManyField(
        District, blank=True, related_name="inspector_profiles", verbose_name=_("địa bàn")
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="user_profiles",
        verbose_name=_("doanh nghiệp"),
    )

    history = HistoricalRecords(m2m_fields=[districts])

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
