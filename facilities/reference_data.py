"""Lai Châu's reference data: the eight district-level units (until 30 June 2025), the 38
commune-level units (from 1 July 2025, Resolution 1670/NQ-UBTVQH15) with their former
districts, the sectors named in the green-growth action plan, and the names of the
environment department with the date each took effect (docs/geography.md).

Loaded by data migrations and kept present after every migrate *and flush*
(post_migrate): a flush — which transactional tests and ``manage.py flush`` run — empties
every table, and a registry without its units cannot record anything.

Every row written here leaves a history row with the system account and a reason, like
any other write: the loader writes with plain queries and records the history itself,
so that it works the same inside a migration (where models have no signals) and after
a flush.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

REFERENCE_DATA_REASON = "Dữ liệu tham chiếu tỉnh Lai Châu (docs/geography.md)"

DISTRICTS = [
    ("105", "Thành phố Lai Châu"),
    ("106", "Tam Đường"),
    ("107", "Mường Tè"),
    ("108", "Sìn Hồ"),
    ("109", "Phong Thổ"),
    ("110", "Than Uyên"),
    ("111", "Tân Uyên"),
    ("112", "Nậm Nhùn"),
]

# (national code, name, kind, former district codes) — Resolution 1670/NQ-UBTVQH15.
COMMUNES = [
    ("03388", "Đoàn Kết", "phuong", ("105", "109")),
    ("03408", "Tân Phong", "phuong", ("105", "106")),
    ("03390", "Bình Lư", "xa", ("106",)),
    ("03405", "Tả Lèng", "xa", ("106",)),
    ("03424", "Bản Bo", "xa", ("106",)),
    ("03430", "Khun Há", "xa", ("106",)),
    ("03394", "Sin Suối Hồ", "xa", ("106", "109")),
    ("03549", "Phong Thổ", "xa", ("109",)),
    ("03562", "Sì Lở Lầu", "xa", ("109",)),
    ("03571", "Dào San", "xa", ("109",)),
    ("03583", "Khổng Lào", "xa", ("109",)),
    ("03433", "Bum Tở", "xa", ("107",)),
    ("03439", "Thu Lũm", "xa", ("107",)),
    ("03442", "Pa Ủ", "xa", ("107",)),
    ("03445", "Mường Tè", "xa", ("107",)),
    ("03451", "Mù Cả", "xa", ("107",)),
    ("03463", "Tà Tổng", "xa", ("107",)),
    ("03466", "Bum Nưa", "xa", ("107",)),
    ("03434", "Nậm Hàng", "xa", ("112",)),
    ("03460", "Hua Bum", "xa", ("112",)),
    ("03472", "Mường Mô", "xa", ("112",)),
    ("03487", "Lê Lợi", "xa", ("108", "112")),
    ("03503", "Pa Tần", "xa", ("108", "112")),
    ("03478", "Sìn Hồ", "xa", ("108",)),
    ("03508", "Hồng Thu", "xa", ("108",)),
    ("03517", "Nậm Tăm", "xa", ("108",)),
    ("03529", "Tủa Sín Chải", "xa", ("108",)),
    ("03532", "Pu Sam Cáp", "xa", ("108",)),
    ("03538", "Nậm Mạ", "xa", ("108",)),
    ("03544", "Nậm Cuổi", "xa", ("108",)),
    ("03595", "Than Uyên", "xa", ("110",)),
    ("03618", "Mường Than", "xa", ("110",)),
    ("03637", "Mường Kim", "xa", ("110",)),
    ("03640", "Khoen On", "xa", ("110",)),
    ("03598", "Tân Uyên", "xa", ("111",)),
    ("03601", "Mường Khoa", "xa", ("111",)),
    ("03613", "Nậm Sỏ", "xa", ("111",)),
    ("03616", "Pắc Ta", "xa", ("111",)),
]

SECTORS = [
    ("mining", "Khai thác, chế biến khoáng sản", "Mining and mineral processing"),
    ("agro_forestry_processing", "Chế biến nông, lâm sản", "Agro-forestry processing"),
    ("construction_materials", "Sản xuất vật liệu xây dựng", "Construction materials"),
    ("hydropower", "Thủy điện", "Hydropower"),
    ("traditional_crafts", "Làng nghề, tiểu thủ công nghiệp", "Traditional crafts"),
    ("livestock", "Trang trại chăn nuôi", "Livestock farms"),
    ("slaughterhouse", "Cơ sở giết mổ gia súc, gia cầm", "Slaughterhouses"),
    ("healthcare", "Cơ sở y tế", "Healthcare"),
    ("tourism_hospitality", "Du lịch, nhà hàng, khách sạn", "Tourism and hospitality"),
    ("trade_services", "Thương mại, dịch vụ", "Trade and services"),
    ("manufacturing", "Công nghiệp chế biến, chế tạo", "Manufacturing"),
    ("other", "Khác", "Other"),
]

# (took effect on, Vietnamese name, English name). The first date is the re-establishment
# of Lai Châu province (1 January 2004); administrators can correct these in the admin.
DEPARTMENT_NAMES = [
    (
        datetime.date(2004, 1, 1),
        "Sở Tài nguyên và Môi trường tỉnh Lai Châu",
        "Lai Châu Department of Natural Resources and Environment",
    ),
    (
        datetime.date(2025, 3, 1),
        "Sở Nông nghiệp và Môi trường tỉnh Lai Châu",
        "Lai Châu Department of Agriculture and Environment",
    ),
]


class _Loader:
    """Writes reference rows and their history rows through ``get_model`` (the
    migration's historical models or the live ones)."""

    def __init__(self, get_model):
        self.get_model = get_model
        self.now = timezone.now()
        self._user_id = None

    @property
    def user_id(self):
        if self._user_id is None:
            user_model = self.get_model(*settings.AUTH_USER_MODEL.split("."))
            user, created = user_model.objects.get_or_create(
                username=settings.SYSTEM_USERNAME,
                defaults={"is_active": False, "first_name": "EnvReg", "last_name": "system"},
            )
            if created:
                # "!" starts an unusable password (django.contrib.auth.hashers).
                user.password = "!reference-data"
                user.save(update_fields=["password"])
            self._user_id = user.pk
        return self._user_id

    def history(self, model_name: str, obj, history_type: str):
        """One history row of ``obj`` as it now stands, by the system account."""
        history_model = self.get_model("facilities", f"Historical{model_name}")
        values = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
        return history_model.objects.create(
            **values,
            history_date=self.now,
            history_type=history_type,
            history_user_id=self.user_id,
            history_change_reason=REFERENCE_DATA_REASON,
        )

    def upsert(self, model_name: str, key: dict, values: dict):
        """Create or refresh one row; a history row when something changed. Returns
        (object, history row or None)."""
        model = self.get_model("facilities", model_name)
        obj = model.objects.filter(**key).first()
        if obj is None:
            obj = model.objects.bulk_create([model(**key, **values)])[0]
            obj = model.objects.get(**key)
            return obj, self.history(model_name, obj, "+")
        if all(getattr(obj, name) == value for name, value in values.items()):
            return obj, None
        model.objects.filter(pk=obj.pk).update(**values)
        obj = model.objects.get(pk=obj.pk)
        return obj, self.history(model_name, obj, "~")

    def backfill(self, model_name: str) -> None:
        """A creation row for reference rows written before they had history."""
        model = self.get_model("facilities", model_name)
        history_model = self.get_model("facilities", f"Historical{model_name}")
        pk = model._meta.pk.attname
        recorded = set(history_model.objects.values_list(pk, flat=True))
        for obj in model.objects.exclude(**{f"{pk}__in": recorded}):
            self.history(model_name, obj, "+")


def load_reference_data(get_model) -> None:
    """Create or refresh districts, communes, sectors and department names (idempotent),
    with history. ``get_model(app_label, model_name)``: ``apps.get_model`` of a migration
    or of the running project."""
    loader = _Loader(get_model)
    for code, name in DISTRICTS:
        loader.upsert("District", {"code": code}, {"name": name})
    for code, name_vi, name_en in SECTORS:
        loader.upsert("Sector", {"code": code}, {"name_vi": name_vi, "name_en": name_en})
    if _has_model(get_model, "Commune"):
        _load_communes(loader)
    if _has_model(get_model, "DepartmentName"):
        for effective_from, name_vi, name_en in DEPARTMENT_NAMES:
            department = get_model("facilities", "DepartmentName")
            # Only missing names are added: an administrator's correction stands.
            if not department.objects.filter(effective_from=effective_from).exists():
                loader.upsert(
                    "DepartmentName",
                    {"effective_from": effective_from},
                    {"name_vi": name_vi, "name_en": name_en},
                )
    for model_name in ("District", "Sector"):
        loader.backfill(model_name)


def _has_model(get_model, name: str) -> bool:
    try:
        get_model("facilities", name)
    except LookupError:
        return False
    return True


def _load_communes(loader: _Loader) -> None:
    commune_model = loader.get_model("facilities", "Commune")
    through = commune_model.former_districts.through
    m2m_history = loader.get_model("facilities", "HistoricalCommune_former_districts")
    for code, name, kind, former in COMMUNES:
        commune, history = loader.upsert("Commune", {"code": code}, {"name": name, "kind": kind})
        current = set(through.objects.filter(commune_id=code).values_list("district_id", flat=True))
        if current != set(former):
            through.objects.filter(commune_id=code).delete()
            through.objects.bulk_create(
                [through(commune_id=code, district_id=d) for d in sorted(former)]
            )
            if history is None:
                history = loader.history("Commune", commune, "~")
        if history is not None:
            m2m_history.objects.bulk_create(
                [
                    m2m_history(
                        history=history, id=link.pk, commune_id=code, district_id=link.district_id
                    )
                    for link in through.objects.filter(commune_id=code).order_by("district_id")
                ]
            )


def ensure_reference_data(**kwargs) -> None:
    """post_migrate handler: reload the reference data when a flush has removed it."""
    from django.apps import apps

    from facilities.models import Commune, DepartmentName, District, Sector

    if (
        District.objects.count() != len(DISTRICTS)
        or Sector.objects.count() < len(SECTORS)
        or Commune.objects.count() != len(COMMUNES)
        or not DepartmentName.objects.exists()
    ):
        load_reference_data(apps.get_model)
