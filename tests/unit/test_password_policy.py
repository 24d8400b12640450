"""The citizen password policy: 8–128 Unicode characters, never truncated, no composition rules; not the
social-insurance number, phone or birth date, not a common password, not guessable by the strength estimate
(repeats, sequences, keyboard walks, the citizen's own name), not the current or the initial password."""

from __future__ import annotations

import unicodedata

import pytest

from chalicelib.domain.credentials import hash_password, new_initial_password, verify_password
from chalicelib.domain.password_policy import (
    MAX_LENGTH,
    MIN_LENGTH,
    PasswordRejected,
    acceptable_password,
    common_passwords,
    new_citizen_initial_password,
    normalise_password,
    password_problem,
    staff_password_problem,
)

SIN = "0123456789"  # the 10-digit social-insurance number is the citizen's username
VIETNAMESE = "Mật khẩu của tôi 2026"
CURRENT = "Trời xanh mây trắng 1985"
INITIAL = new_initial_password()
# 128 characters, most of them of three bytes: far past bcrypt's 72-byte cut.
LONG_MULTIBYTE = ("Trăm năm trong cõi người ta, chữ tài chữ mệnh khéo là ghét nhau. " * 2)[:MAX_LENGTH - 1] + "a"


def problem(password: object, **hashes: str) -> tuple[str, str] | None:
    return password_problem(password, username=SIN, **hashes)  # type: ignore[arg-type]


# Each Argon2 hash costs ~30 ms: three, made once for the module.
@pytest.fixture(scope="module")
def current_hash() -> str:
    return hash_password(normalise_password(CURRENT))


@pytest.fixture(scope="module")
def initial_hash() -> str:
    return hash_password(INITIAL)


@pytest.fixture(scope="module")
def long_hash() -> str:
    return hash_password(LONG_MULTIBYTE)


# --- accepted -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [VIETNAMESE, "correct horse battery staple", "kqz7 wbm2", "Нас не догонят", "蓝色的海洋和天空", "🔑🔑 mở cửa 🔑🔑"],
)
def test_any_unicode_password_of_a_fitting_length_is_accepted(password: str):
    assert problem(password) is None


def test_no_composition_rules_all_lower_case_letters_are_fine():
    assert problem("trongxanhmaynui") is None


def test_a_vietnamese_password_is_accepted_with_the_current_and_initial_hashes_given(current_hash, initial_hash):
    assert problem(VIETNAMESE, current_hash=current_hash, initial_hash=initial_hash) is None


def test_an_accepted_password_comes_back_normalised_for_hashing():
    nfd = unicodedata.normalize("NFD", VIETNAMESE)

    assert acceptable_password(nfd, username=SIN) == unicodedata.normalize("NFC", VIETNAMESE)


# --- normalisation --------------------------------------------------------------------------------------------


def test_the_nfd_and_nfc_forms_of_a_password_are_equal_after_normalising():
    nfc = unicodedata.normalize("NFC", VIETNAMESE)
    nfd = unicodedata.normalize("NFD", VIETNAMESE)

    assert nfc != nfd
    assert len(nfd) > len(nfc)
    assert normalise_password(nfd) == normalise_password(nfc) == nfc


def test_a_password_hashed_from_an_iphone_verifies_when_typed_on_an_nfd_keyboard(current_hash):
    typed_on_android = unicodedata.normalize("NFD", CURRENT)

    assert verify_password(current_hash, normalise_password(typed_on_android))


# --- length ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("length", "accepted"),
    [(0, False), (MIN_LENGTH - 1, False), (MIN_LENGTH, True), (MAX_LENGTH, True), (MAX_LENGTH + 1, False)],
    ids=["empty", "7", "8", "128", "129"],
)
def test_length_is_8_to_128_characters(length: int, accepted: bool):
    password = ("kqz7wbm2" * 17)[:length]

    assert (problem(password) is None) is accepted


def test_the_limits_are_8_and_128():
    assert (MIN_LENGTH, MAX_LENGTH) == (8, 128)


def test_too_short_and_too_long_say_the_limit_in_both_languages():
    short, short_vi = problem("kqz7wbm")
    long, long_vi = problem("k" * 129)

    assert "8" in short and "8" in short_vi
    assert "128" in long and "128" in long_vi


def test_length_is_counted_in_code_points_not_bytes():
    seven = "ệắờữịỗằ"  # 21 bytes of UTF-8
    eight = "ệắờữịỗằẫ"

    assert problem(seven) is not None
    assert problem(eight) is None


def test_length_is_counted_after_nfc_so_combining_marks_do_not_count():
    seven_nfd = unicodedata.normalize("NFD", "ệ" * 7)  # 21 code points before normalising

    assert len(seven_nfd) == 21
    assert problem(seven_nfd) is not None


def test_a_128_character_multibyte_password_is_accepted_and_not_truncated(long_hash):
    assert len(LONG_MULTIBYTE) == 128 and len(LONG_MULTIBYTE.encode("utf-8")) > 2 * 72
    assert acceptable_password(LONG_MULTIBYTE, username=SIN) == LONG_MULTIBYTE
    # Differs only in its last character: a hash that cut the input would take it for the same password.
    almost = LONG_MULTIBYTE[:-1] + "b"
    assert problem(almost, current_hash=long_hash) is None
    assert problem(LONG_MULTIBYTE, current_hash=long_hash) is not None


def test_129_multibyte_characters_are_refused():
    assert problem("ệ" * 129) is not None


# --- social-insurance number ----------------------------------------------------------------------------------


@pytest.mark.parametrize("password", [SIN, f"bhxh{SIN}", f"{SIN}!", f"Số {SIN} của tôi"])
def test_the_social_insurance_number_or_a_password_containing_it_is_refused(password: str):
    reason, reason_vi = problem(password)

    assert "social-insurance number" in reason
    assert "BHXH" in reason_vi


def test_part_of_the_number_is_not_the_number():
    assert problem(f"x{SIN[:-1]}x") is None


# --- common passwords -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["password", "PASSWORD", "Password", "matkhau123", "MatKhau123", "anhyeuem", "iloveyou", "12345678", "qwertyuiop"],
)
def test_a_common_password_is_refused_in_any_case(password: str):
    reason, reason_vi = problem(password)

    assert "common" in reason
    assert "phổ biến" in reason_vi


def test_the_shipped_list_has_at_least_ten_thousand_passwords():
    assert len(common_passwords()) >= 10_000


def test_the_list_is_lower_case_nfc_and_its_header_is_skipped():
    words = common_passwords()

    assert all(w == w.lower() and unicodedata.is_normalized("NFC", w) for w in words)
    assert not any(w.startswith("#") for w in words)
    assert "" not in words


def test_the_list_includes_passwords_common_in_viet_nam():
    assert {"matkhau", "matkhau123", "anhyeuem", "emyeuanh", "vietnam123", "hanoi123", "88888888"} <= common_passwords()


# --- current and initial password -----------------------------------------------------------------------------


def test_the_current_password_is_refused(current_hash):
    reason, _ = problem(CURRENT, current_hash=current_hash)

    assert "current" in reason


def test_the_current_password_in_another_normal_form_is_refused(current_hash):
    assert problem(unicodedata.normalize("NFD", CURRENT), current_hash=current_hash) is not None


def test_the_initial_password_is_refused(current_hash, initial_hash):
    reason, reason_vi = problem(INITIAL, current_hash=current_hash, initial_hash=initial_hash)

    assert "initial" in reason
    assert "ban đầu" in reason_vi


def test_a_password_that_differs_from_the_current_only_in_case_is_allowed(current_hash):
    assert problem(CURRENT.upper(), current_hash=current_hash) is None


def test_a_damaged_stored_hash_does_not_refuse_a_good_password():
    assert problem(VIETNAMESE, current_hash="not a hash", initial_hash="") is None


# --- the exception --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("password", [None, 12345678, b"bytes-password", ["a" * 8]])
def test_a_password_that_is_not_text_is_refused(password: object):
    assert problem(password) is not None


def test_a_refused_password_raises_with_both_reasons():
    with pytest.raises(PasswordRejected) as caught:
        acceptable_password("matkhau123", username=SIN)

    assert isinstance(caught.value, ValueError)
    assert (caught.value.reason, caught.value.reason_vi) == problem("matkhau123")
    assert str(caught.value) == caught.value.reason


# --- guessable: repeats, sequences, keyboard walks (NIST SP 800-63B), by zxcvbn's estimate ----------------------

AN = {"username": "0101234567", "full_name": "Nguyễn Văn An", "date_of_birth": "1985-03-12", "phone": "+84912000001"}


def an_problem(password: str) -> tuple[str, str] | None:
    return password_problem(password, **AN)


@pytest.mark.parametrize("password, why, why_vi", [
    ("aaaaaaaa", "repeats a character", "lặp lại một ký tự"),
    ("abcabcabcabc", "repeats a character or a group", "nhóm ký tự"),
    ("ệệệệệệệệệệ", "repeats", "lặp lại"),
    ("abcdefghij", "run of letters or digits in order", "dãy chữ hoặc số liên tiếp"),
    ("zyxwvutsrq", "run of letters or digits in order", "liên tiếp"),
    ("qwertyuiop[]", "walk along the keyboard", "phím liền nhau trên bàn phím"),
    ("zxcvbnm,./", "walk along the keyboard", "bàn phím"),
    ("asdfghjkl;'", "walk along the keyboard", "bàn phím"),
])
def test_repeats_sequences_and_keyboard_walks_are_refused_saying_which_and_how_strong(password, why, why_vi):
    reason, reason_vi = an_problem(password)
    assert why in reason and why_vi in reason_vi
    assert "Estimated strength 0 of 4" in reason or "Estimated strength 1 of 4" in reason
    assert "cần từ 2/4 trở lên" in reason_vi


def test_only_the_first_32_characters_are_estimated_so_a_guessable_start_is_refused():
    assert an_problem("a" * 32 + "Trời xanh mây trắng 1985") is not None
    assert an_problem("Trời xanh mây trắng 1985" + "a" * 32) is None


# --- the citizen's own details ----------------------------------------------------------------------------------

@pytest.mark.parametrize("password, fact, fact_vi", [
    ("nguyenvanan", "your name", "họ tên"),
    ("Nguyễn Văn An", "your name", "họ tên"),
    ("NguyenVanAn85", "your name", "họ tên"),
    ("VanAn1985!", "your name and date of birth", "họ tên và ngày sinh"),
    ("Annguyen@", "your name", "họ tên"),
])
def test_a_password_built_from_the_citizens_name_is_refused(password, fact, fact_vi):
    reason, reason_vi = an_problem(password)
    assert f"built from {fact}" in reason and f"được ghép từ {fact_vi} của bạn" in reason_vi


@pytest.mark.parametrize("password", ["12031985An", "x19850312x", "An@120385"])
def test_the_date_of_birth_in_any_usual_order_is_refused(password):
    assert an_problem(password) == ("The password must not contain your date of birth.",
                                    "Mật khẩu không được chứa ngày sinh của bạn.")


@pytest.mark.parametrize("password", ["0912000001An", "Gọi 912000001 nhé", "84912000001!"])
def test_the_phone_number_in_any_form_is_refused(password):
    assert an_problem(password) == ("The password must not contain your phone number.",
                                    "Mật khẩu không được chứa số điện thoại của bạn.")


@pytest.mark.parametrize("password", [
    "Nguyễn Văn An yêu Hà Nội mùa thu", "NguyenVanAn@Xk92mq", "Vận hành an toàn 2026", "CongDan@Demo2026",
])
def test_a_strong_password_may_still_contain_a_name_or_a_year(password):
    assert an_problem(password) is None


def test_without_the_citizens_details_the_same_password_is_judged_on_its_own():
    assert password_problem("VanAn1985!", username=SIN) is None
    assert an_problem("VanAn1985!") is not None


# --- passwords the project itself sets or uses --------------------------------------------------------------------

def test_the_demo_passwords_pass_for_the_demo_people():
    from local.seed import DEMO_CITIZEN_PASSWORD, DEMO_CITIZENS, DEMO_STAFF_PASSWORD, staff_username

    for citizen in DEMO_CITIZENS:
        assert password_problem(DEMO_CITIZEN_PASSWORD, username=citizen["username"], full_name=citizen["full_name"],
                                date_of_birth=citizen["date_of_birth"], phone=citizen["phone"]) is None
    for office in ("HN-HK", "HCM-Q1", "VSS"):
        assert staff_password_problem(DEMO_STAFF_PASSWORD, username=staff_username(office),
                                      full_name=f"Cán bộ một cửa {office}") is None


def test_every_initial_password_sent_by_sms_passes_the_policy_it_must_then_be_changed_under():
    for _ in range(100):
        initial = new_citizen_initial_password(**AN)
        assert len(initial) == 10 and an_problem(initial) is None


# --- staff passwords (python -m cli.staff) ------------------------------------------------------------------------

@pytest.mark.parametrize("password, reason", [
    ("kqz7wbm2xyz", "at least 12 characters"),
    ("aaaaaaaaaaaaaaaa", "repeats"),
    ("le.thi.cuc 2026 xanh", "must not contain the username"),
    ("LeThiCuc@2026", "built from your name"),
])
def test_a_staff_password_has_12_characters_and_the_same_rules(password, reason):
    problem = staff_password_problem(password, username="le.thi.cuc", full_name="Lê Thị Cúc")
    assert problem is not None and reason in problem[0]
    assert staff_password_problem("Một mật khẩu dài đủ 2026", username="le.thi.cuc", full_name="Lê Thị Cúc") is None
