"""Passwords are stored only as Argon2id hashes; initial passwords are typeable; tokens are long and random."""

from __future__ import annotations

import base64
import hashlib
import re
import string
import unicodedata

import pytest

from chalicelib.domain.credentials import (
    hash_password,
    new_initial_password,
    new_token,
    password_hasher,
    same_digest,
    token_digest,
    verify_password,
)

PASSWORD = "Mật-khẩu cán bộ 2026"
ARGON2_HASH = re.compile(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$")


@pytest.fixture(scope="module")
def stored() -> str:
    return hash_password(PASSWORD)


def b64_unpadded(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def test_a_password_is_hashed_with_argon2id_at_the_owasp_baseline(stored: str):
    match = ARGON2_HASH.fullmatch(stored)

    assert match, stored
    memory_kib, passes, lanes, salt, digest = match.groups()
    assert (int(memory_kib), int(passes), int(lanes)) == (19 * 1024, 2, 1)
    assert len(b64_unpadded(salt)) == 16
    assert len(b64_unpadded(digest)) == 32


def test_the_hash_does_not_contain_the_password(stored: str):
    assert PASSWORD not in stored
    assert "Mật" not in stored


def test_the_same_password_hashes_differently_each_time(stored: str):
    again = hash_password(PASSWORD)

    assert again != stored
    assert verify_password(again, PASSWORD)


def test_the_right_password_verifies(stored: str):
    assert verify_password(stored, PASSWORD) is True


@pytest.mark.parametrize(
    "attempt",
    ["", "mật-khẩu cán bộ 2026", "Mật-khẩu cán bộ 2026 ", "Mat-khau can bo 2026", PASSWORD[:-1], PASSWORD + "7"],
)
def test_a_wrong_password_does_not_verify(stored: str, attempt: str):
    assert verify_password(stored, attempt) is False


def test_a_differently_normalised_password_does_not_verify(stored: str):
    # The bytes are compared, so clients must send what they showed the user; this pins that behaviour.
    assert verify_password(stored, unicodedata.normalize("NFD", PASSWORD)) is False


@pytest.mark.parametrize(
    "bad_hash",
    [
        "",
        "not a hash",
        "$argon2id$v=19$m=19456,t=2,p=1$bad",
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$",
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",  # bcrypt
        "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8",  # sha-256
        "Mat-khau can bo 2026",
    ],
    ids=["empty", "text", "truncated", "no-digest", "bcrypt", "sha256", "plain-password"],
)
def test_a_stored_value_that_is_not_an_argon2_hash_never_verifies(bad_hash: str):
    assert verify_password(bad_hash, PASSWORD) is False


@pytest.mark.parametrize("bad_hash", [PASSWORD, "$argon2id$v=19$m=19456,t=2,p=1$sälz$hash"])
def test_a_stored_value_with_non_ascii_characters_never_verifies(bad_hash: str):
    assert verify_password(bad_hash, PASSWORD) is False


def test_a_damaged_hash_never_verifies(stored: str):
    damaged = stored[:-3] + ("AAA" if not stored.endswith("AAA") else "BBB")

    assert verify_password(damaged, PASSWORD) is False


def test_a_hash_with_weaker_parameters_would_be_flagged_for_rehashing(stored: str):
    weak = stored.replace("m=19456,t=2,p=1", "m=8,t=1,p=1")

    assert password_hasher().check_needs_rehash(weak)
    assert not password_hasher().check_needs_rehash(stored)


# --- initial passwords ----------------------------------------------------------------------------------------

PASSWORDS = [new_initial_password() for _ in range(200)]
CONFUSABLE = set("0O1lI")


def test_an_initial_password_has_ten_characters():
    assert {len(password) for password in PASSWORDS} == {10}


def test_an_initial_password_has_no_confusable_characters():
    used = set("".join(PASSWORDS))

    assert not used & CONFUSABLE
    assert used <= set(string.ascii_letters + string.digits)


def test_an_initial_password_has_a_digit_a_lower_and_an_upper_case_letter():
    for password in PASSWORDS:
        assert any(c.isdigit() for c in password), password
        assert any(c.islower() for c in password), password
        assert any(c.isupper() for c in password), password


def test_two_hundred_initial_passwords_are_all_different():
    assert len(set(PASSWORDS)) == 200


def test_the_whole_alphabet_is_used():
    # 200 × 10 draws from 57 symbols: missing one would mean the alphabet or the draw is skewed.
    assert len(set("".join(PASSWORDS))) == 26 + 26 + 10 - len(CONFUSABLE)


@pytest.mark.parametrize("length", [8, 16, 32])
def test_an_initial_password_can_be_asked_for_in_another_length(length: int):
    password = new_initial_password(length)

    assert len(password) == length
    assert not set(password) & CONFUSABLE


# --- tokens ---------------------------------------------------------------------------------------------------


def test_a_token_carries_256_random_bits_in_url_safe_text():
    token = new_token()

    assert len(token) == 43
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    assert len(base64.urlsafe_b64decode(token + "=")) == 32


def test_tokens_are_all_different():
    assert len({new_token() for _ in range(200)}) == 200


def test_a_token_is_stored_as_its_sha256_hex_digest():
    assert token_digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    token = new_token()
    assert token_digest(token) == hashlib.sha256(token.encode()).hexdigest()
    assert token not in token_digest(token)


def test_the_right_token_matches_its_stored_digest():
    token = new_token()

    assert same_digest(token, token_digest(token)) is True


@pytest.mark.parametrize(
    "tamper",
    [lambda t: t[:-1], lambda t: t + "A", lambda t: t.upper(), lambda t: "", lambda t: new_token()],
    ids=["shortened", "extended", "upper-cased", "empty", "another-token"],
)
def test_any_other_token_does_not_match(tamper):
    token = "Jd1t3QBSpD2N7cU_2Vb3J8bqX6w9o1ZqZ0-4x0mJjmY"

    assert same_digest(tamper(token), token_digest(token)) is False


def test_a_digest_is_compared_exactly():
    digest = token_digest("abc")

    assert same_digest("abc", digest.upper()) is False
    assert same_digest("abc", digest[:-1]) is False
    assert same_digest("abc", "") is False
