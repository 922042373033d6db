"""The certificate identifier and its ISO 7064 hybrid MOD 37,36 check character."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhengwu.certificates.identifiers import ALPHABET, PREFIX, build, check_char, is_valid_check, parse

TYPE_CODE = "11100000MB01430H0G001"
ISSUER = "11220000013544357T"


def reference_check_char(body: str) -> str:
    """ISO 7064 hybrid MOD 37,36 written out as the standard states it (independent of stdnum).

    P1 = M (36); for each character a: S = (P + a) mod M, with 0 read as M; P = 2·S mod (M + 1).
    The check character c makes (P + c) mod M = 1.
    """
    modulus = 36
    product = modulus
    for char in body:
        total = (product + ALPHABET.index(char)) % modulus or modulus
        product = (total * 2) % (modulus + 1)
    return ALPHABET[(1 - product) % modulus]


# Known answers derived by hand (M = 36, M + 1 = 37; values 0-9 → 0-9, A-Z → 10-35):
#
#   "A0": P = 36; 'A' = 10: S = (36 + 10) mod 36 = 10, P = 20 mod 37 = 20;
#         '0' = 0:  S = (20 + 0) mod 36 = 20,  P = 40 mod 37 = 3;
#         c with (3 + c) mod 36 = 1 → c = 34 → 'Y'.
#   "12": P = 36; '1': S = 1, P = 2; '2': S = 4, P = 8; (8 + c) mod 36 = 1 → c = 29 → 'T'.
#   "0":  P = 36; '0': S = 36 mod 36 = 0 → read as 36, P = 72 mod 37 = 35;
#         (35 + c) mod 36 = 1 → c = 2 → '2'.
@pytest.mark.parametrize(("body", "expected"), [("A0", "Y"), ("12", "T"), ("0", "2")])
def test_check_char_known_answers_derived_by_hand(body: str, expected: str) -> None:
    assert check_char(body) == expected
    assert reference_check_char(body) == expected
    assert is_valid_check(body + expected)


def test_a_full_identifier_has_the_layout_of_the_rules() -> None:
    ident = build(type_code=TYPE_CODE, issuer_code=ISSUER, serial=1)
    text = str(ident)
    assert text.startswith(PREFIX + ".")
    assert text.split(".")[5:] == [TYPE_CODE, ISSUER, "00000001", "001", ident.check]
    # The check covers type + issuer + serial + version, without the dots.
    assert ident.check == reference_check_char(TYPE_CODE + ISSUER + "00000001" + "001")
    assert parse(text) == ident
    assert parse(text.lower()) == ident


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1.2.156.3005.2",
        f"1.2.156.3005.1.{TYPE_CODE}.{ISSUER}.00000001.001.0",  # wrong prefix
        f"1.2.156.3005.2.{TYPE_CODE[:-1]}.{ISSUER}.00000001.001.0",  # type code too short
        f"1.2.156.3005.2.{TYPE_CODE}.{ISSUER}.00000001.01.0",  # version not 3 digits
        f"1.2.156.3005.2.{TYPE_CODE}.{ISSUER}.0000000A.001.0",  # serial not digits
    ],
)
def test_malformed_identifiers_are_refused(text: str) -> None:
    assert parse(text) is None


def test_a_wrong_check_character_is_refused() -> None:
    text = str(build(type_code=TYPE_CODE, issuer_code=ISSUER, serial=42))
    wrong = ALPHABET[(ALPHABET.index(text[-1]) + 1) % 36]
    assert parse(text[:-1] + wrong) is None


def test_bad_input_to_check_char_raises_value_error() -> None:
    with pytest.raises(ValueError):
        check_char("")
    with pytest.raises(ValueError):
        check_char("AB-1")


bodies = st.text(alphabet=ALPHABET, min_size=1, max_size=60)


@given(body=bodies)
def test_stdnum_agrees_with_the_standard_as_written(body: str) -> None:
    assert check_char(body) == reference_check_char(body)


@given(body=bodies, data=st.data())
def test_every_single_character_substitution_is_detected(body: str, data: st.DataObject) -> None:
    full = body + check_char(body)
    position = data.draw(st.integers(min_value=0, max_value=len(full) - 1), label="position")
    replacement = data.draw(st.sampled_from([c for c in ALPHABET if c != full[position]]), label="replacement")
    changed = full[:position] + replacement + full[position + 1 :]
    assert not is_valid_check(changed)


@given(serial=st.integers(min_value=1, max_value=99_999_999), data=st.data())
def test_a_changed_identifier_part_is_refused(serial: int, data: st.DataObject) -> None:
    text = str(build(type_code=TYPE_CODE, issuer_code=ISSUER, serial=serial))
    positions = [i for i, c in enumerate(text) if c != "." and i >= len(PREFIX) + 1]
    position = data.draw(st.sampled_from(positions), label="position")
    pool = "0123456789" if text[position].isdigit() else ALPHABET
    replacement = data.draw(st.sampled_from([c for c in pool if c != text[position]]), label="replacement")
    assert parse(text[:position] + replacement + text[position + 1 :]) is None
