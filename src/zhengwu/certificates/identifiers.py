"""Electronic certificate identifiers (电子证照标识, GB/T 36903 as docs/rules.md §5 states it).

    1.2.156.3005.2.{type code}.{issuer code}.{serial}.{version}.{check}

- type code (证照类型代码): the defining authority's 18-character unified social credit code
  followed by a 3-digit sequence (21 characters);
- issuer code (颁发机构代码): the issuing department's 18-character credit code;
- serial (流水号): digits assigned by the issuer, here 8 digits per type and issuer;
- version (版本号): 3 digits, "001" for the first issue;
- check (校验位): ISO 7064 hybrid MOD 37,36 over type + issuer + serial + version (the four
  parts concatenated without dots), one character of 0-9A-Z.

The check character comes from python-stdnum (`stdnum.iso7064.mod_37_36`), a maintained
implementation of ISO 7064; these functions only add the identifier's layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum.iso7064 import mod_37_36

PREFIX = "1.2.156.3005.2"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SERIAL_DIGITS = 8
FIRST_VERSION = "001"

_PATTERN = re.compile(
    r"^1\.2\.156\.3005\.2\.(?P<type>[0-9A-Z]{18}\d{3})\.(?P<issuer>[0-9A-Z]{18})\.(?P<serial>\d{1,20})"
    r"\.(?P<version>\d{3})\.(?P<check>[0-9A-Z])$"
)


def check_char(body: str) -> str:
    """ISO 7064 hybrid MOD 37,36 check character of `body` (characters 0-9A-Z)."""
    body = body.upper()
    if not body or any(c not in ALPHABET for c in body):
        raise ValueError("body must be a non-empty string of 0-9A-Z")
    return str(mod_37_36.calc_check_digit(body, alphabet=ALPHABET))


def is_valid_check(body_with_check: str) -> bool:
    """True when the last character is the right check character for the rest."""
    if len(body_with_check) < 2:
        return False
    try:
        return check_char(body_with_check[:-1]) == body_with_check[-1].upper()
    except ValueError:
        return False


@dataclass(frozen=True)
class Identifier:
    type_code: str
    issuer_code: str
    serial: str
    version: str
    check: str

    @property
    def body(self) -> str:
        return self.type_code + self.issuer_code + self.serial + self.version

    def __str__(self) -> str:
        return f"{PREFIX}.{self.type_code}.{self.issuer_code}.{self.serial}.{self.version}.{self.check}"


def build(*, type_code: str, issuer_code: str, serial: int | str, version: str = FIRST_VERSION) -> Identifier:
    """The identifier for these parts, with its check character."""
    serial_text = f"{int(serial):0{SERIAL_DIGITS}d}" if isinstance(serial, int) else serial
    parts = Identifier(type_code.upper(), issuer_code.upper(), serial_text, version, "")
    if not _PATTERN.match(str(parts) + "0"):
        raise ValueError(f"identifier parts are malformed: {parts!r}")
    return Identifier(parts.type_code, parts.issuer_code, parts.serial, parts.version, check_char(parts.body))


def parse(text: str) -> Identifier | None:
    """The parts of a well-formed identifier whose check character is right, else None."""
    match = _PATTERN.match(text.strip().upper()) if isinstance(text, str) else None
    if match is None:
        return None
    parsed = Identifier(match["type"], match["issuer"], match["serial"], match["version"], match["check"])
    return parsed if check_char(parsed.body) == parsed.check else None
