"""Citizen ID numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015)."""

from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhengwu.core import regions
from zhengwu.core.errors import ApplicationError, CoreError
from zhengwu.core.idnumbers import (
    CREDIT_CHARSET,
    REGISTRATION_AUTHORITIES,
    CreditCode,
    ResidentId,
    make_credit_code,
    make_resident_id,
    mask_middle,
    random_credit_code,
    random_resident_id,
    validate_credit_code,
    validate_resident_id,
)

TODAY = date(2025, 6, 1)
KNOWN_CREDIT_CODES = ["91110000600037341L", "11220000013544357T", "11220000013544234R"]

area_codes = st.sampled_from([d.code for p in regions.provinces() for d in regions.divisions_under(p.code)])
births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
resident_ids = st.builds(make_resident_id, area_codes, births, st.integers(0, 999))
credit_codes = st.builds(
    make_credit_code,
    st.tuples(st.sampled_from(sorted(REGISTRATION_AUTHORITIES)), st.sampled_from("123456789")).map("".join),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(CREDIT_CHARSET, min_size=8, max_size=8),
)


def _error(call: object, value: str) -> ApplicationError:
    assert callable(call)
    with pytest.raises(ApplicationError) as caught:
        call(value)
    return caught.value


# --- resident ID: examples ----------------------------------------------------------------


def test_example_resident_id_parts() -> None:
    resident = validate_resident_id("11010519491231002X")
    assert resident == ResidentId("11010519491231002X", "110105", date(1949, 12, 31), "女", "002")
    assert resident.province_code == "110000"
    assert resident.masked() == "1101**********002X"
    assert "11010519491231002X" not in repr(resident)


@pytest.mark.parametrize(
    "spelling", ["11010519491231002x", " 110105 19491231 002X ", "１１０１０５１９４９１２３１００２Ｘ"]
)
def test_lowercase_x_spaces_and_full_width_digits_are_normalised(spelling: str) -> None:
    assert validate_resident_id(spelling).number == "11010519491231002X"


def test_odd_sequence_is_male() -> None:
    number = make_resident_id("220104", date(1980, 5, 17), 11)
    assert validate_resident_id(number).sex == "男"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "公民身份号码不能为空"),
        ("110105194912310", "公民身份号码应为 18 位，实际为 15 位"),
        ("1101051949123100X2", "公民身份号码第 17 位应为数字，实际为“X”"),
        ("11010519491231002A", "公民身份号码第 18 位（校验码）应为数字或 X，实际为“A”"),
        ("10010519491231002X", "公民身份号码前 2 位 10 不是有效的省级行政区划代码"),
        ("99010519491231002X", "公民身份号码前 2 位 99 不是有效的省级行政区划代码"),
        ("110105194913310025", "出生日期 19491331 不是有效日期"),
        ("110105190002290021", "出生日期 19000229 不是有效日期"),
        ("110105189912310021", "出生日期 18991231 早于 1900 年 1 月 1 日"),
        ("110105203001010021", "出生日期 20300101 晚于今天"),
        ("110105194912310025", "公民身份号码校验码错误：应为 X，实际为 5"),
    ],
)
def test_resident_id_errors_say_what_is_wrong(value: str, message: str) -> None:
    error = _error(lambda v: validate_resident_id(v, today=TODAY), value)
    assert error.code == CoreError.INVALID_RESIDENT_ID
    assert error.message == message
    assert error.fields == {"id_number": message}


def test_birth_today_is_accepted_and_tomorrow_is_not() -> None:
    assert validate_resident_id(make_resident_id("220102", TODAY, 1), today=TODAY).birth_date == TODAY
    with pytest.raises(ApplicationError, match="晚于今天"):
        validate_resident_id(make_resident_id("220102", date(2025, 6, 2), 1), today=TODAY)


def test_historical_area_code_under_a_real_province_is_accepted() -> None:
    # 220381 was 公主岭市 before 2020: people born there keep their number.
    assert validate_resident_id(make_resident_id("220381", date(1975, 3, 8), 21)).area_code == "220381"


def test_make_resident_id_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="area_code"):
        make_resident_id("2201", date(1980, 1, 1), 1)
    with pytest.raises(ValueError, match="sequence"):
        make_resident_id("220102", date(1980, 1, 1), 1000)


# --- resident ID: properties --------------------------------------------------------------


@given(resident_ids)
def test_every_generated_resident_id_validates(number: str) -> None:
    resident = validate_resident_id(number, today=TODAY)
    assert resident.number == number
    assert resident.sex == ("男" if int(number[16]) % 2 else "女")


@settings(deadline=None)
@given(resident_ids, st.integers(0, 17), st.sampled_from("0123456789X"))
def test_any_single_character_change_is_caught(number: str, position: int, char: str) -> None:
    if number[position] == char:
        return
    changed = number[:position] + char + number[position + 1 :]
    with pytest.raises(ApplicationError) as caught:
        validate_resident_id(changed, today=TODAY)
    assert caught.value.code == CoreError.INVALID_RESIDENT_ID


@given(resident_ids)
def test_masked_form_keeps_length_and_ends(number: str) -> None:
    masked = validate_resident_id(number, today=TODAY).masked()
    assert len(masked) == len(number)
    assert masked[:4] == number[:4] and masked[-4:] == number[-4:]
    assert masked[4:-4] == "*" * 10


@given(st.text(max_size=30), st.integers(0, 10), st.integers(0, 10))
def test_mask_middle_keeps_length(value: str, keep_start: int, keep_end: int) -> None:
    masked = mask_middle(value, keep_start, keep_end)
    assert len(masked) == len(value)
    if keep_start + keep_end < len(value):
        assert masked.startswith(value[:keep_start]) and masked.endswith(value[len(value) - keep_end :])


def test_mask_middle_examples() -> None:
    assert mask_middle("13912345678", 3, 4) == "139****5678"
    assert mask_middle("张三丰", 1, 0) == "张**"
    assert mask_middle("abc", 2, 2) == "***"
    assert mask_middle("abcdef", 1, 1, mask="#") == "a####f"
    with pytest.raises(ValueError, match="negative"):
        mask_middle("abc", -1, 0)


def test_random_resident_ids_are_valid_and_reproducible() -> None:
    numbers = [random_resident_id(random.Random(seed)) for seed in range(50)]
    assert numbers == [random_resident_id(random.Random(seed)) for seed in range(50)]
    for number in numbers:
        assert regions.is_valid_region_code(validate_resident_id(number).area_code)
    female = random_resident_id(random.Random(1), area_code="222401", sex="女")
    assert validate_resident_id(female).sex == "女"
    assert female.startswith("222401")


# --- credit code: examples ----------------------------------------------------------------


@pytest.mark.parametrize("code", KNOWN_CREDIT_CODES)
def test_known_credit_codes_are_valid(code: str) -> None:
    assert validate_credit_code(code).code == code


def test_credit_code_parts() -> None:
    parsed = validate_credit_code("91110000600037341l")
    assert parsed == CreditCode("91110000600037341L", "9", "1", "110000", "600037341")
    assert parsed.authority_name == "工商"
    assert parsed.org_type_name == "企业"
    assert parsed.org_code_display == "60003734-1"
    assert validate_credit_code(" 1122 0000 0135 4435 7T ").org_type_name == "机关"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "统一社会信用代码不能为空"),
        ("9111000060003734", "统一社会信用代码应为 18 位，实际为 16 位"),
        ("9111000060003734IL", "统一社会信用代码第 17 位“I”不是允许的字符（数字或除 I、O、S、V、Z 以外的大写字母）"),
        ("91110000600037341-", "统一社会信用代码第 18 位“-”不是允许的字符（数字或除 I、O、S、V、Z 以外的大写字母）"),
        ("B1110000600037341L", "统一社会信用代码第 1 位（登记管理部门代码）“B”无效"),
        ("90110000600037341L", "统一社会信用代码第 2 位（机构类别代码）“0”无效，应为数字 1–9"),
        ("91A10000600037341L", "统一社会信用代码第 3–8 位（登记管理机关行政区划码）“A10000”应为 6 位数字"),
        ("91110000600037342L", "统一社会信用代码第 9–17 位（组织机构代码）校验码错误：应为 1，实际为 2"),
        ("91110000600037341M", "统一社会信用代码校验码错误：第 18 位应为 L，实际为 M"),
    ],
)
def test_credit_code_errors_say_what_is_wrong(value: str, message: str) -> None:
    error = _error(validate_credit_code, value)
    assert error.code == CoreError.INVALID_CREDIT_CODE
    assert error.message == message
    assert error.fields == {"credit_code": message}


def test_letter_authorities_are_allowed() -> None:
    for authority in "ANY":
        code = make_credit_code(f"{authority}1", "220100", "MA0000A1")
        assert validate_credit_code(code).authority == authority


def test_make_credit_code_computes_both_check_characters() -> None:
    assert make_credit_code("91", "110000", "60003734") == "91110000600037341L"
    assert make_credit_code("11", "220000", "01354435") == "11220000013544357T"
    with pytest.raises(ValueError, match="prefix2"):
        make_credit_code("01", "220000", "01354435")
    with pytest.raises(ValueError, match="org_body8"):
        make_credit_code("91", "220000", "0135443I")


# --- credit code: properties --------------------------------------------------------------


@given(credit_codes)
def test_every_generated_credit_code_validates(code: str) -> None:
    assert validate_credit_code(code).code == code


@settings(deadline=None)
@given(credit_codes, st.integers(0, 17), st.sampled_from(CREDIT_CHARSET))
def test_any_single_character_change_of_a_credit_code_is_caught(code: str, position: int, char: str) -> None:
    if code[position] == char:
        return
    changed = code[:position] + char + code[position + 1 :]
    with pytest.raises(ApplicationError) as caught:
        validate_credit_code(changed)
    assert caught.value.code == CoreError.INVALID_CREDIT_CODE


def test_random_credit_codes_are_valid_and_reproducible() -> None:
    codes = [random_credit_code(random.Random(seed)) for seed in range(50)]
    assert codes == [random_credit_code(random.Random(seed)) for seed in range(50)]
    for code in codes:
        parsed = validate_credit_code(code)
        assert regions.is_valid_region_code(parsed.region_code)
        assert parsed.org_type_name is not None
    assert random_credit_code(random.Random(3), prefix2="92", region_code="220104").startswith("92220104")
