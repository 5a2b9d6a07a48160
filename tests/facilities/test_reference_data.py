"""The reference data every registry starts with (data migration)."""

from facilities.models import District, Sector


def test_it_loads_the_eight_districts_of_lai_chau_with_their_statistical_codes(db):
    assert dict(District.objects.values_list("code", "name")) == {
        "105": "Thành phố Lai Châu",
        "106": "Tam Đường",
        "107": "Mường Tè",
        "108": "Sìn Hồ",
        "109": "Phong Thổ",
        "110": "Than Uyên",
        "111": "Tân Uyên",
        "112": "Nậm Nhùn",
    }


def test_it_loads_the_sectors_named_in_the_plan(db):
    assert set(Sector.objects.values_list("code", flat=True)) == {
        "mining",
        "agro_forestry_processing",
        "construction_materials",
        "hydropower",
        "traditional_crafts",
        "livestock",
        "slaughterhouse",
        "healthcare",
        "tourism_hospitality",
        "trade_services",
        "manufacturing",
        "other",
    }
