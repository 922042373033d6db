"""SM3/SM4/SM2 against published test vectors, and the encrypted field with its blind index."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhengwu.core import crypto
from zhengwu.core.errors import ApplicationError, CoreError

KEY = bytes(range(16))


def test_sm3_matches_the_standard_vectors() -> None:
    # GB/T 32905-2016 appendix A, examples 1 and 2.
    assert crypto.sm3_hex("abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert crypto.sm3_hex(b"abcd" * 16) == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_sm4_block_matches_the_standard_vector() -> None:
    # GB/T 32907-2016 appendix A example 1: one block under ECB.
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()  # noqa: S305 - test vector only
    assert (encryptor.update(key) + encryptor.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=512))
def test_sm4_gcm_round_trips(data: bytes) -> None:
    assert crypto.sm4_decrypt(KEY, crypto.sm4_encrypt(KEY, data)) == data


def test_sm4_detects_tampering_and_wrong_keys() -> None:
    blob = bytearray(crypto.sm4_encrypt(KEY, b"11010519491231002X"))
    blob[-1] ^= 1
    with pytest.raises(ApplicationError) as caught:
        crypto.sm4_decrypt(KEY, bytes(blob))
    assert caught.value.code == CoreError.CRYPTO_FAILURE
    with pytest.raises(ApplicationError):
        crypto.sm4_decrypt(bytes(16), crypto.sm4_encrypt(KEY, b"x"))


def test_sm3_hmac_is_keyed() -> None:
    assert crypto.sm3_hmac_hex(b"k1", "v") != crypto.sm3_hmac_hex(b"k2", "v")
    assert len(crypto.sm3_hmac_hex(b"k1", "v")) == 64


def test_sm2_signs_and_verifies() -> None:
    pair = crypto.sm2_generate_keypair()
    signature = crypto.sm2_sign(pair.private_key, pair.public_key, "电子证照".encode())
    assert crypto.sm2_verify(pair.public_key, "电子证照".encode(), signature)
    assert not crypto.sm2_verify(pair.public_key, "电子证照!".encode(), signature)
    other = crypto.sm2_generate_keypair()
    assert not crypto.sm2_verify(other.public_key, "电子证照".encode(), signature)
    assert not crypto.sm2_verify(pair.public_key, b"x", "zz" * 64)


def test_sm2_verifies_the_standard_example() -> None:
    # GB/T 32918.5-2017 appendix A (recommended curve, default ID): key, message and signature.
    public = (
        "09f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020"
        "ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13"
    )
    signature = (
        "f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3"
        "b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa"
    )
    assert crypto.sm2_verify(public, b"message digest", signature)
    assert not crypto.sm2_verify(public, b"message digesT", signature)


def test_sm2_works_for_a_public_key_whose_hex_starts_with_04() -> None:
    # d = 11 gives a public key beginning "04"; gmssl's constructor took that for the
    # uncompressed-point prefix and stripped it (and more), so such keys never verified.
    private = f"{11:064x}"
    public = (
        "04b3cb10c9c6d8e27c1aab770f67f543125dcdd589c2ff82668c74d78ce20ace"
        "63516355287e39fe4918e5c02e2b0b930c94816e63c4bc72739a8fd805174a4b"
    )
    assert crypto._sm2(private, "")._kg(11, crypto.sm2.default_ecc_table["g"]) == public
    for _ in range(3):
        signature = crypto.sm2_sign(private, public, "电子证照".encode())
        assert crypto.sm2_verify(public, "电子证照".encode(), signature)


def test_text_encryption_and_blind_index(settings: object) -> None:
    stored = crypto.encrypt_text("11010519491231002X")
    assert stored.startswith("sm4g2:") and "1101" not in stored
    assert crypto.encrypt_text("11010519491231002X") != stored  # fresh nonce each time
    assert crypto.decrypt_text(stored) == "11010519491231002X"
    # Normalised before indexing: a lowercase x finds the same person.
    assert crypto.blind_index("11010519491231002x", purpose="id") == crypto.blind_index(
        " 11010519491231002X", purpose="id"
    )
    assert crypto.blind_index("11010519491231002X", purpose="id") != crypto.blind_index(
        "11010519491231002X", purpose="phone"
    )


def test_decrypting_garbage_is_a_clear_error() -> None:
    with pytest.raises(ApplicationError):
        crypto.decrypt_text("plain text")
