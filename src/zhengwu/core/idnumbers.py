"""Citizen ID numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015).

`validate_resident_id` and `validate_credit_code` normalise and check a number and return what it
says, or raise `ApplicationError` with a Chinese message naming exactly what is wrong. The `make_*`
and `random_*` functions build valid numbers for tests and demo data. docs/rules.md §8 has the
algorithms.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from django.utils import timezone

from zhengwu.core import regions
from zhengwu.core.errors import ApplicationError, CoreError

Sex = Literal["男", "女"]

# --- GB 11643-1999 -------------------------------------------------------------------------

RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK = "10X98765432"
EARLIEST_BIRTH = date(1900, 1, 1)

# --- GB 32100-2015 and GB 11714-1997 --------------------------------------------------------

CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# 登记管理部门代码 (position 1), GB 32100-2015 table 1.
REGISTRATION_AUTHORITIES: dict[str, str] = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}

# 机构类别代码 (position 2) names for the common authorities; any digit 1–9 is accepted.
ORGANISATION_TYPES: dict[str, str] = {
    "11": "机关",
    "12": "事业单位",
    "13": "中央编办直接管理机构编制的群众团体",
    "19": "其他",
    "51": "社会团体",
    "52": "民办非企业单位",
    "53": "基金会",
    "59": "其他",
    "91": "企业",
    "92": "个体工商户",
    "93": "农民专业合作社",
    "Y1": "其他",
}


@dataclass(frozen=True, slots=True)
class ResidentId:
    number: str
    area_code: str
    birth_date: date
    sex: Sex
    sequence: str

    @property
    def province_code(self) -> str:
        return self.area_code[:2] + "0000"

    def masked(self) -> str:
        """`1101**********002X`: the first 4 and last 4 characters shown."""
        return mask_middle(self.number, 4, 4)

    def __str__(self) -> str:
        return self.number

    def __repr__(self) -> str:
        # Personal information: keep the full number out of logs and tracebacks.
        return f"ResidentId({self.masked()!r})"


@dataclass(frozen=True, slots=True)
class CreditCode:
    code: str
    authority: str
    org_type: str
    region_code: str
    org_code: str

    @property
    def authority_name(self) -> str:
        return REGISTRATION_AUTHORITIES[self.authority]

    @property
    def org_type_name(self) -> str | None:
        return ORGANISATION_TYPES.get(self.authority + self.org_type)

    @property
    def org_code_display(self) -> str:
        """The organisation code as printed on old certificates: `60003734-1`."""
        return f"{self.org_code[:8]}-{self.org_code[8]}"

    def __str__(self) -> str:
        return self.code


def mask_middle(value: str, keep_start: int, keep_end: int, mask: str = "*") -> str:
    """Replace all but the first `keep_start` and last `keep_end` characters with `mask`.

    The length never changes. A value too short to hide anything is masked whole.
    """
    if keep_start < 0 or keep_end < 0:
        raise ValueError("keep_start and keep_end must not be negative")
    if len(mask) != 1:
        raise ValueError("mask must be one character")
    if keep_start + keep_end >= len(value):
        return mask * len(value)
    return value[:keep_start] + mask * (len(value) - keep_start - keep_end) + value[len(value) - keep_end :]


def _normalise(value: str) -> str:
    # NFKC turns full-width digits and letters (Chinese input methods) into ASCII.
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


# --- resident ID ---------------------------------------------------------------------------


def resident_id_check_char(first17: str) -> str:
    total = sum(int(char) * weight for char, weight in zip(first17, RESIDENT_ID_WEIGHTS, strict=True))
    return RESIDENT_ID_CHECK[total % 11]


def _resident_error(message: str) -> ApplicationError:
    return ApplicationError(CoreError.INVALID_RESIDENT_ID, message, {"id_number": message})


def validate_resident_id(value: str, *, today: date | None = None) -> ResidentId:
    """Check an 18-character 公民身份号码 and return its parts; raise ApplicationError if wrong."""
    number = _normalise(value)
    if not number:
        raise _resident_error("公民身份号码不能为空")
    if len(number) != 18:
        raise _resident_error(f"公民身份号码应为 18 位，实际为 {len(number)} 位")
    for position, char in enumerate(number[:17], start=1):
        if not ("0" <= char <= "9"):
            raise _resident_error(f"公民身份号码第 {position} 位应为数字，实际为“{char}”")
    if not ("0" <= number[17] <= "9" or number[17] == "X"):
        raise _resident_error(f"公民身份号码第 18 位（校验码）应为数字或 X，实际为“{number[17]}”")
    area_code = number[:6]
    if not regions.is_province_code(area_code):
        raise _resident_error(f"公民身份号码前 2 位 {area_code[:2]} 不是有效的省级行政区划代码")
    birth_text = number[6:14]
    try:
        birth = date(int(birth_text[:4]), int(birth_text[4:6]), int(birth_text[6:]))
    except ValueError:
        raise _resident_error(f"出生日期 {birth_text} 不是有效日期") from None
    if birth < EARLIEST_BIRTH:
        raise _resident_error(f"出生日期 {birth_text} 早于 1900 年 1 月 1 日")
    if birth > (today or timezone.localdate()):
        raise _resident_error(f"出生日期 {birth_text} 晚于今天")
    expected = resident_id_check_char(number[:17])
    if number[17] != expected:
        raise _resident_error(f"公民身份号码校验码错误：应为 {expected}，实际为 {number[17]}")
    sequence = number[14:17]
    return ResidentId(
        number=number,
        area_code=area_code,
        birth_date=birth,
        sex="男" if int(sequence[2]) % 2 else "女",
        sequence=sequence,
    )


def make_resident_id(area_code: str, birth: date, sequence: int) -> str:
    """A valid ID number for tests and demo data; `sequence` 0–999 (odd = male)."""
    if len(area_code) != 6 or not area_code.isdigit():
        raise ValueError(f"area_code must be 6 digits, got {area_code!r}")
    if not 0 <= sequence <= 999:
        raise ValueError(f"sequence must be 0–999, got {sequence}")
    first17 = f"{area_code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + resident_id_check_char(first17)


def random_resident_id(
    rng: random.Random,
    *,
    area_code: str | None = None,
    born_from: date = date(1940, 1, 1),
    born_to: date = date(2005, 12, 31),
    sex: Sex | None = None,
) -> str:
    """A random valid ID number: a county of GB/T 2260 unless `area_code` is given."""
    if area_code is None:
        area_code = rng.choice([d.code for d in regions.divisions_under(rng.choice(regions.provinces()).code)])
    birth = born_from + timedelta(days=rng.randint(0, (born_to - born_from).days))
    sequence = rng.randint(0, 499) * 2 + rng.randint(0, 1)
    if sex is not None:
        sequence = sequence - sequence % 2 + (1 if sex == "男" else 0)
    return make_resident_id(area_code, birth, sequence)


# --- unified social credit code -------------------------------------------------------------


def _org_value(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10


def org_code_check_char(body8: str) -> str:
    """GB 11714 check character for an 8-character organisation code body."""
    total = sum(_org_value(char) * weight for char, weight in zip(body8, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CHARSET.index(char) * weight for char, weight in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def _credit_error(message: str) -> ApplicationError:
    return ApplicationError(CoreError.INVALID_CREDIT_CODE, message, {"credit_code": message})


def validate_credit_code(value: str) -> CreditCode:
    """Check an 18-character 统一社会信用代码 and return its parts; raise ApplicationError if wrong."""
    code = _normalise(value)
    if not code:
        raise _credit_error("统一社会信用代码不能为空")
    if len(code) != 18:
        raise _credit_error(f"统一社会信用代码应为 18 位，实际为 {len(code)} 位")
    for position, char in enumerate(code, start=1):
        if char not in CREDIT_CHARSET:
            raise _credit_error(
                f"统一社会信用代码第 {position} 位“{char}”不是允许的字符（数字或除 I、O、S、V、Z 以外的大写字母）"
            )
    if code[0] not in REGISTRATION_AUTHORITIES:
        raise _credit_error(f"统一社会信用代码第 1 位（登记管理部门代码）“{code[0]}”无效")
    if code[1] not in "123456789":
        raise _credit_error(f"统一社会信用代码第 2 位（机构类别代码）“{code[1]}”无效，应为数字 1–9")
    region_code = code[2:8]
    if not region_code.isdigit():
        raise _credit_error(f"统一社会信用代码第 3–8 位（登记管理机关行政区划码）“{region_code}”应为 6 位数字")
    org_code = code[8:17]
    expected_org = org_code_check_char(org_code[:8])
    if org_code[8] != expected_org:
        raise _credit_error(
            f"统一社会信用代码第 9–17 位（组织机构代码）校验码错误：应为 {expected_org}，实际为 {org_code[8]}"
        )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise _credit_error(f"统一社会信用代码校验码错误：第 18 位应为 {expected}，实际为 {code[17]}")
    return CreditCode(code=code, authority=code[0], org_type=code[1], region_code=region_code, org_code=org_code)


def make_credit_code(prefix2: str, region_code: str, org_body8: str) -> str:
    """A valid credit code from its parts, with both check characters computed."""
    if len(prefix2) != 2 or prefix2[0] not in REGISTRATION_AUTHORITIES or prefix2[1] not in "123456789":
        raise ValueError(f"prefix2 must be an authority code and a type digit, got {prefix2!r}")
    if len(region_code) != 6 or not region_code.isdigit():
        raise ValueError(f"region_code must be 6 digits, got {region_code!r}")
    if len(org_body8) != 8 or any(char not in CREDIT_CHARSET for char in org_body8):
        raise ValueError(f"org_body8 must be 8 characters of {CREDIT_CHARSET}, got {org_body8!r}")
    first17 = prefix2 + region_code + org_body8 + org_code_check_char(org_body8)
    return first17 + credit_code_check_char(first17)


def random_credit_code(
    rng: random.Random,
    *,
    prefix2: str | None = None,
    region_code: str | None = None,
) -> str:
    """A random valid credit code; a known authority/type and a GB/T 2260 code unless given."""
    if prefix2 is None:
        prefix2 = rng.choice(sorted(ORGANISATION_TYPES))
    if region_code is None:
        region_code = rng.choice([d.code for d in regions.divisions_under(rng.choice(regions.provinces()).code)])
    body = "".join(rng.choice(CREDIT_CHARSET) for _ in range(8))
    return make_credit_code(prefix2, region_code, body)
