"""Lai Châu's reference data: the eight district-level units with their official
statistical codes, and the sectors named in the green-growth action plan.

Loaded by data migration 0002 and kept present after every migrate *and flush*
(post_migrate): a flush — which transactional tests and ``manage.py flush`` run — empties
every table, and a registry without its districts cannot record anything.
"""

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


def load_reference_data(district_model, sector_model) -> None:
    """Create or refresh the districts and sectors (idempotent)."""
    for code, name in DISTRICTS:
        district_model.objects.update_or_create(code=code, defaults={"name": name})
    for code, name_vi, name_en in SECTORS:
        sector_model.objects.update_or_create(
            code=code, defaults={"name_vi": name_vi, "name_en": name_en}
        )


def ensure_reference_data(**kwargs) -> None:
    """post_migrate handler: reload the reference data when a flush has removed it."""
    from facilities.models import District, Sector

    if District.objects.count() != len(DISTRICTS) or Sector.objects.count() < len(SECTORS):
        load_reference_data(District, Sector)
