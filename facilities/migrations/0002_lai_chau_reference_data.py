"""Lai Châu's eight district-level units (official statistical codes) and the sectors
named in the green-growth action plan (Decision 1498/QĐ-UBND)."""

from django.db import migrations

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


def load(apps, schema_editor):
    District = apps.get_model("facilities", "District")
    Sector = apps.get_model("facilities", "Sector")
    for code, name in DISTRICTS:
        District.objects.update_or_create(code=code, defaults={"name": name})
    for code, name_vi, name_en in SECTORS:
        Sector.objects.update_or_create(
            code=code, defaults={"name_vi": name_vi, "name_en": name_en}
        )


def unload(apps, schema_editor):
    apps.get_model("facilities", "District").objects.filter(
        code__in=[c for c, _ in DISTRICTS]
    ).delete()
    apps.get_model("facilities", "Sector").objects.filter(
        code__in=[c for c, *_ in SECTORS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("facilities", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
