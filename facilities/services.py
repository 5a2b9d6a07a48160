"""Writes of the facilities app: accounts and their roles, enterprise registration."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from facilities.access import can_inspect, can_manage_registry
from facilities.choices import Role
from facilities.concurrency import claim_row
from facilities.history import change_context, clean_reason
from facilities.models import (
    LAI_CHAU_LATITUDE,
    LAI_CHAU_LONGITUDE,
    Commune,
    District,
    Enterprise,
    Facility,
    Profile,
)
from facilities.roles import GROUP_NAMES, sync_role_groups


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    password: str | None = None,
    districts: Iterable[str] = (),
    communes: Iterable[str] = (),
    enterprise: Enterprise | None = None,
    email: str = "",
    full_name: str = "",
):
    """Create (or update) a login with a registry role, its group and its profile.

    Inspectors need at least one district or commune; business users need an enterprise.
    """
    if role not in Role.values:
        raise ValidationError({"role": _("Vai trò không hợp lệ: %(role)s") % {"role": role}})
    codes = sorted(set(districts))
    found = list(District.objects.filter(code__in=codes))
    if len(found) != len(codes):
        unknown = sorted(set(codes) - {d.code for d in found})
        raise ValidationError(
            {"districts": _("Không có huyện với mã: %(codes)s") % {"codes": ", ".join(unknown)}}
        )
    commune_codes = sorted(set(communes))
    found_communes = list(Commune.objects.filter(code__in=commune_codes))
    if len(found_communes) != len(commune_codes):
        unknown = sorted(set(commune_codes) - {c.code for c in found_communes})
        raise ValidationError(
            {
                "communes": _("Không có xã / phường với mã: %(codes)s")
                % {"codes": ", ".join(unknown)}
            }
        )
    if role == Role.INSPECTOR and not found and not found_communes:
        raise ValidationError({"districts": _("Cán bộ kiểm tra cần ít nhất một địa bàn.")})
    if role == Role.BUSINESS and enterprise is None:
        raise ValidationError({"enterprise": _("Tài khoản doanh nghiệp cần một doanh nghiệp.")})

    user_model = get_user_model()
    first, _sep, last = full_name.rpartition(" ")
    user = user_model.objects.filter(username=username).first() or user_model(username=username)
    user.email = email
    user.first_name, user.last_name = (first, last) if first else (last, "")
    user.is_staff = role in (Role.ADMIN, Role.AUDITOR)
    if password:
        # The password validators (AUTH_PASSWORD_VALIDATORS), like every password form.
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from None
        user.set_password(password)
    elif not user.has_usable_password() or not user.password:
        user.set_unusable_password()
    user.save()

    if not Group.objects.filter(name=GROUP_NAMES[role]).exists():
        sync_role_groups()
    user.groups.remove(*Group.objects.filter(name__in=GROUP_NAMES.values()))
    user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))

    profile, _created = Profile.objects.update_or_create(
        user=user,
        defaults={"role": role, "enterprise": enterprise if role == Role.BUSINESS else None},
    )
    profile.districts.set(found if role == Role.INSPECTOR else [])
    profile.communes.set(found_communes if role == Role.INSPECTOR else [])
    return user


@transaction.atomic
def user_sync_role(*, user) -> None:
    """Give ``user`` the group (and staff flag) of its profile's role, and no other role's.

    Used after the profile is edited in the admin, where the role is chosen on the user.
    """
    profile = Profile.objects.filter(user=user).first()
    if Group.objects.filter(name__in=GROUP_NAMES.values()).count() != len(GROUP_NAMES):
        sync_role_groups()
    user.groups.remove(*Group.objects.filter(name__in=GROUP_NAMES.values()))
    if profile is None:
        return
    user.groups.add(Group.objects.get(name=GROUP_NAMES[profile.role]))
    staff = profile.role in (Role.ADMIN, Role.AUDITOR) or user.is_superuser
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])
    if profile.role != Role.INSPECTOR and profile.districts.exists():
        profile.districts.clear()
    if profile.role != Role.INSPECTOR and profile.communes.exists():
        profile.communes.clear()


@transaction.atomic
def enterprise_create(*, user, reason: str, **fields) -> Enterprise:
    """Register an enterprise, validated, with history attributed to ``user`` and ``reason``.

    Two requests registering the same tax code at the same moment can both pass
    validation before either row exists; the database's unique constraint then stops
    the second. Its IntegrityError is turned back into the same ValidationError that
    validation gives ("Đã có doanh nghiệp với mã số thuế này."), so the caller shows a
    clear message instead of failing with a server error. On SQLite the IMMEDIATE
    transaction already serialises the two, and validation itself reports the duplicate.
    """
    enterprise = Enterprise(**fields)
    enterprise.full_clean()
    with change_context(user=user, reason=reason):
        try:
            # A savepoint, so that the outer transaction stays usable after the violation.
            with transaction.atomic():
                enterprise.save()
        except IntegrityError:
            # The concurrent row has committed by now (that is what made the insert
            # fail), so the constraint check sees it and raises the user's message.
            enterprise.validate_constraints()
            raise
    return enterprise


@transaction.atomic
def facility_locate(
    *, user, facility: Facility, latitude: Decimal, longitude: Decimal, reason: str | None = None
) -> Facility:
    """Record where ``facility`` is, as measured on site (the visit form's "use my
    location"): by those who may inspect it, and only a point inside Lai Châu — a phone
    that reports somewhere else has not found the facility. Unchanged values write nothing.
    """
    if not can_inspect(user, facility):
        raise PermissionDenied(_("Cơ sở này không thuộc địa bàn được giao cho bạn."))
    errors = {}
    if not LAI_CHAU_LATITUDE[0] <= latitude <= LAI_CHAU_LATITUDE[1]:
        errors["latitude"] = _("Vĩ độ này nằm ngoài tỉnh Lai Châu (21,6–22,9).")
    if not LAI_CHAU_LONGITUDE[0] <= longitude <= LAI_CHAU_LONGITUDE[1]:
        errors["longitude"] = _("Kinh độ này nằm ngoài tỉnh Lai Châu (102,2–104,1).")
    if errors:
        raise ValidationError(errors)
    if (facility.latitude, facility.longitude) == (latitude, longitude):
        return facility
    facility.latitude, facility.longitude = latitude, longitude
    facility.full_clean()
    with change_context(user=user, reason=reason or _("cập nhật tọa độ tại nơi kiểm tra")):
        facility.save()
    return facility


# --- office forms: the administrator's registry writes (docs/web.md, "Office forms") ------


def require_registry_manager(user) -> None:
    """403 for anyone who may not create or edit registry records."""
    if not can_manage_registry(user):
        raise PermissionDenied(_("Chỉ quản trị viên được sửa sổ đăng ký."))


def require_reason(reason: str | None) -> str:
    """The change reason of an office form: required, stored with the history row."""
    cleaned = clean_reason((reason or "").strip())
    if not cleaned:
        raise ValidationError({"reason": _("Cần ghi lý do thay đổi.")})
    return cleaned


def claim_version(model: type[models.Model], pk, version: int | None) -> None:
    """Lock the row for this transaction if it is still at ``version`` (the form's).

    Two people editing the same record from the same page: the second save finds the
    version moved on and is refused with a message instead of silently overwriting the
    first (the same claim as the API's If-Match, facilities.concurrency).
    """
    if not claim_row(model, pk, None if version is None else {version}):
        raise ValidationError(
            _(
                "Bản ghi này vừa được người khác sửa sau khi bạn mở trang."
                " Hãy mở lại trang để xem nội dung mới rồi sửa lại."
            ),
            code="stale",
        )


def save_with_reason(instance, *, user, reason: str) -> None:
    """Validate and save ``instance`` with history attributed to ``user`` and ``reason``;
    a concurrent duplicate (unique constraint) comes back as the validation message."""
    instance.full_clean()
    with change_context(user=user, reason=reason):
        try:
            with transaction.atomic():
                instance.save()
        except IntegrityError:
            instance.validate_constraints()
            raise


def registry_update(model, pk, *, user, reason: str, version: int | None, fields: dict):
    """Change the record ``pk`` of ``model`` from an office form: administrators only, a
    required reason, refused if someone else saved it since the form's ``version``."""
    require_registry_manager(user)
    reason = require_reason(reason)
    claim_version(model, pk, version)
    # Re-read after the claim: a form may have written typed values onto the instance.
    record = model.objects.get(pk=pk)
    for name, value in fields.items():
        setattr(record, name, value)
    save_with_reason(record, user=user, reason=reason)
    return record


@transaction.atomic
def enterprise_update(
    *, enterprise: Enterprise, user, reason: str, version: int | None = None, **fields
) -> Enterprise:
    """Change an enterprise's details (administrators only), with a required reason."""
    return registry_update(
        Enterprise, enterprise.pk, user=user, reason=reason, version=version, fields=fields
    )


@transaction.atomic
def enterprise_register(*, user, reason: str, **fields) -> Enterprise:
    """``enterprise_create`` from an office form: administrators only, reason required."""
    require_registry_manager(user)
    return enterprise_create(user=user, reason=require_reason(reason), **fields)


@transaction.atomic
def facility_create(*, user, reason: str, **fields) -> Facility:
    """Register a facility (administrators only); the code defaults to the next free one."""
    require_registry_manager(user)
    reason = require_reason(reason)
    if not fields.get("code"):
        fields["code"] = next_facility_code()
    facility = Facility(**fields)
    save_with_reason(facility, user=user, reason=reason)
    return facility


@transaction.atomic
def facility_update(
    *, facility: Facility, user, reason: str, version: int | None = None, **fields
) -> Facility:
    """Change a facility's details (administrators only), with a required reason."""
    return registry_update(
        Facility, facility.pk, user=user, reason=reason, version=version, fields=fields
    )


FACILITY_CODE_PREFIX = "LC-"
FACILITY_CODE_DIGITS = 6


def next_facility_code() -> str:
    """The registry's proposal for a new facility: LC-nnnnnn after the highest one in use.

    The province's codes are LC- and six digits (seed_demo, the importer's workbooks);
    codes in another form (typed by hand, TD-001) are left out of the count. One query
    on the unique index of ``code``: the codes of this form sort as their numbers.
    """
    last = (
        Facility.objects.filter(
            code__regex=rf"^{FACILITY_CODE_PREFIX}[0-9]{{{FACILITY_CODE_DIGITS}}}$"
        )
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    number = int(last.removeprefix(FACILITY_CODE_PREFIX)) + 1 if last else 1
    return f"{FACILITY_CODE_PREFIX}{number:0{FACILITY_CODE_DIGITS}d}"
