"""The fixed wording of Form 01: the addressee in full, nationality, the notice channels and the commitment."""

from __future__ import annotations

import pytest

from chalicelib.domain.form01_terms import (
    COMMITMENT_EN,
    COMMITMENT_VI,
    addressee,
    channel_lines_vi,
    channels_or_default,
    commitment_view,
    full_office_name,
    nationality_of,
)


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("BHXH quận Hoàn Kiếm", "Bảo hiểm xã hội quận Hoàn Kiếm"),
        ("BHXH TP Hà Nội", "Bảo hiểm xã hội thành phố Hà Nội"),
        ("BHXH TP. Hồ Chí Minh", "Bảo hiểm xã hội thành phố Hồ Chí Minh"),
        ("BHXH tỉnh Cao Bằng", "Bảo hiểm xã hội tỉnh Cao Bằng"),
        ("Bảo hiểm xã hội cơ sở Hoàn Kiếm", "Bảo hiểm xã hội cơ sở Hoàn Kiếm"),  # already in full
        ("BHXH TP Thủ Đức", "Bảo hiểm xã hội thành phố Thủ Đức"),
    ],
)
def test_an_office_name_is_written_out_in_full(short: str, full: str):
    assert full_office_name(short) == full


def test_the_addressee_names_the_office_and_the_provincial_office_it_belongs_to():
    assert addressee("BHXH quận Hoàn Kiếm", "BHXH TP Hà Nội") == (
        "Bảo hiểm xã hội quận Hoàn Kiếm (thuộc Bảo hiểm xã hội thành phố Hà Nội)")
    assert addressee("BHXH TP Hà Nội", None) == "Bảo hiểm xã hội thành phố Hà Nội"


@pytest.mark.parametrize(("written", "stored"), [("Viet Nam", "Việt Nam"), ("VIỆT NAM", "Việt Nam"),
                                                 ("Vietnam", "Việt Nam"), ("Lào", "Lào"), ("Nhật Bản", "Nhật Bản")])
def test_nationality_spellings(written: str, stored: str):
    assert nationality_of(written) == stored


def test_channel_lines_tick_what_was_chosen_and_name_where_it_goes():
    lines = channel_lines_vi(["SMS", "VSSID"], "0901234567", "huong@example.vn")

    assert lines == [
        "[x] Tin nhắn SMS tới số 0901234567",
        "[  ] Thư điện tử",  # an address given but e-mail not chosen: no notices go there
        "[x] Ứng dụng VssID (theo dõi trạng thái tờ khai)",
    ]


def test_a_registration_stored_before_the_choice_gets_the_defaults():
    assert channels_or_default(None, "huong@example.vn") == ("SMS", "EMAIL", "VSSID")
    assert channels_or_default(None, None) == ("SMS", "VSSID")
    assert channels_or_default(["SMS"], "huong@example.vn") == ("SMS",)


def test_the_commitment_has_the_same_points_in_both_languages():
    view = commitment_view()

    assert len(COMMITMENT_VI) == len(COMMITMENT_EN) == 4
    assert view == {"vi": list(COMMITMENT_VI), "en": list(COMMITMENT_EN)}
    assert all(point.isascii() for point in COMMITMENT_EN)
    assert "đúng sự thật" in COMMITMENT_VI[0]
    assert "giữ bí mật" in COMMITMENT_VI[2]
