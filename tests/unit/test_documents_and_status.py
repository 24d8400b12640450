"""Uploaded images are judged by their bytes, and a registration moves only along the legal transitions."""

from __future__ import annotations

import io
import itertools

import pytest
from PIL import Image

from chalicelib.domain.documents import (
    ALLOWED_CONTENT_TYPES,
    DOCUMENT_KINDS,
    document_key,
    document_problem,
    form01_key,
    sniff_image_type,
)
from chalicelib.domain.registration_status import (
    DECIDED,
    EDITABLE,
    SUBMITTABLE,
    TRANSITIONS,
    RegistrationStatus,
    can_move,
    holds_claim,
)

KB = 1024
MB = 1024 * 1024
MIN_BYTES, MAX_BYTES = 20 * KB, 5 * MB  # the configured defaults
HEAD = 32  # how many leading bytes the S3 adapter reads for the check
TOO_SMALL = ("is smaller than 20 KB", "nhỏ hơn 20 KB")
TOO_LARGE = ("is larger than 5 MB", "lớn hơn 5 MB")


def image_bytes(kind: str, mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (8, 8), color=(200, 30, 30) if mode == "RGB" else 1).save(buffer, format=kind)
    return buffer.getvalue()


JPEG = image_bytes("JPEG")
PNG = image_bytes("PNG")
PNG_GREYSCALE = image_bytes("PNG", mode="L")
GIF = image_bytes("GIF")
BMP = image_bytes("BMP")
TIFF = image_bytes("TIFF")


def test_the_fixtures_are_what_they_claim_to_be():
    for data, kind in ((JPEG, "JPEG"), (PNG, "PNG"), (GIF, "GIF"), (BMP, "BMP"), (TIFF, "TIFF")):
        assert Image.open(io.BytesIO(data)).format == kind


# --- sniffing -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "content_type"),
    [(JPEG, "image/jpeg"), (PNG, "image/png"), (PNG_GREYSCALE, "image/png")],
    ids=["jpeg", "png", "png-greyscale"],
)
def test_real_jpeg_and_png_are_recognised_from_their_first_bytes(data: bytes, content_type: str):
    assert sniff_image_type(data) == content_type
    assert sniff_image_type(data[:HEAD]) == content_type
    assert content_type in ALLOWED_CONTENT_TYPES


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

FAKES = {
    "empty": b"",
    "text-renamed-jpg": b"Day la mot tep van ban, khong phai anh.\n",
    "html": b"<!DOCTYPE html><html><script>alert(1)</script></html>",
    "svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
    "zip": b"PK\x03\x04\x14\x00\x00\x00",
    "exe": b"MZ\x90\x00\x03\x00\x00\x00",
    "gif": GIF,
    "bmp": BMP,
    "tiff": TIFF,
    "png-signature-only": PNG_SIGNATURE,
    "png-signature-without-ihdr": PNG_SIGNATURE + b"\x00\x00\x00\x0cIDAT" + b"\x00" * 16,
    "png-signature-then-text": PNG_SIGNATURE + b"hello, world, not an image",
    "png-without-signature": PNG[8:],
    "png-broken-signature": b"\x89PNG\n\r\x1a\n" + PNG[8:],
    "jpeg-first-two-bytes": JPEG[:2],
    "jpeg-without-soi": JPEG[2:],
    "jpeg-magic-in-the-middle": b"xx" + JPEG,
}


@pytest.mark.parametrize("data", FAKES.values(), ids=FAKES.keys())
def test_anything_else_is_not_an_image(data: bytes):
    assert sniff_image_type(data) is None
    assert sniff_image_type(data[:HEAD]) is None


# --- document_problem -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [JPEG, PNG], ids=["jpeg", "png"])
@pytest.mark.parametrize("size", [MIN_BYTES, 300 * KB, MAX_BYTES], ids=["smallest", "typical", "largest"])
def test_a_real_image_within_the_limits_has_no_problem(data: bytes, size: int):
    assert document_problem(size, data[:HEAD], MIN_BYTES, MAX_BYTES) is None


@pytest.mark.parametrize("data", [JPEG, PNG], ids=["jpeg", "png"])
def test_a_tiny_real_image_is_too_small(data: bytes):
    assert len(data) < MIN_BYTES

    assert document_problem(len(data), data[:HEAD], MIN_BYTES, MAX_BYTES) == TOO_SMALL


def test_one_byte_under_the_minimum_is_too_small():
    assert document_problem(MIN_BYTES - 1, JPEG[:HEAD], MIN_BYTES, MAX_BYTES) == TOO_SMALL


def test_one_byte_over_the_maximum_is_too_large():
    assert document_problem(MAX_BYTES + 1, PNG[:HEAD], MIN_BYTES, MAX_BYTES) == TOO_LARGE


@pytest.mark.parametrize("data", FAKES.values(), ids=FAKES.keys())
def test_a_fake_image_is_refused_for_what_it_is_whatever_its_size(data: bytes):
    for size in (0, 300 * KB, 50 * MB):
        assert document_problem(size, data[:HEAD], MIN_BYTES, MAX_BYTES) == (
            "is not a JPEG or PNG image",
            "không phải ảnh JPEG hoặc PNG",
        )


def test_the_limits_in_the_messages_follow_the_configuration():
    assert document_problem(10, JPEG[:HEAD], 50 * KB, 2 * MB) == ("is smaller than 50 KB", "nhỏ hơn 50 KB")
    assert document_problem(3 * MB, JPEG[:HEAD], 50 * KB, 2 * MB) == ("is larger than 2 MB", "lớn hơn 2 MB")


def test_the_three_documents_live_under_their_registration():
    assert DOCUMENT_KINDS == ("id_front", "id_back", "portrait")
    keys = {document_key("3f2a9c1e", kind) for kind in DOCUMENT_KINDS}
    assert keys == {
        "registrations/3f2a9c1e/id_front",
        "registrations/3f2a9c1e/id_back",
        "registrations/3f2a9c1e/portrait",
    }


def test_each_submission_attempt_has_its_own_form01_pdf():
    assert form01_key("3f2a9c1e", 1) == "registrations/3f2a9c1e/form01-1.pdf"
    assert form01_key("3f2a9c1e", 2) != form01_key("3f2a9c1e", 1)


# --- registration status --------------------------------------------------------------------------------------

S = RegistrationStatus
LEGAL_MOVES = {
    (S.DRAFT, S.AWAITING_VERIFICATION),  # Ghi nhận
    (S.AWAITING_VERIFICATION, S.APPROVED),
    (S.AWAITING_VERIFICATION, S.REJECTED),
    (S.AWAITING_VERIFICATION, S.EXPIRED),
    (S.REJECTED, S.AWAITING_VERIFICATION),  # corrected and submitted again
    (S.EXPIRED, S.AWAITING_VERIFICATION),
}
ALL_MOVES = list(itertools.product(RegistrationStatus, repeat=2))


def test_the_states_are_the_five_of_the_contract():
    assert [status.value for status in RegistrationStatus] == [
        "DRAFT", "AWAITING_VERIFICATION", "APPROVED", "REJECTED", "EXPIRED",
    ]


def test_every_state_has_its_transitions_listed():
    assert set(TRANSITIONS) == set(RegistrationStatus)


@pytest.mark.parametrize(("source", "target"), sorted(LEGAL_MOVES), ids=[f"{a}->{b}" for a, b in sorted(LEGAL_MOVES)])
def test_a_legal_move_is_allowed(source: RegistrationStatus, target: RegistrationStatus):
    assert can_move(source, target)


ILLEGAL_MOVES = [move for move in ALL_MOVES if move not in LEGAL_MOVES]


@pytest.mark.parametrize(("source", "target"), ILLEGAL_MOVES, ids=[f"{a}->{b}" for a, b in ILLEGAL_MOVES])
def test_any_other_move_is_refused(source: RegistrationStatus, target: RegistrationStatus):
    assert not can_move(source, target)


def test_an_approved_registration_is_final():
    assert TRANSITIONS[S.APPROVED] == frozenset()
    assert not any(can_move(S.APPROVED, target) for target in RegistrationStatus)


def test_nothing_moves_back_to_draft_and_nothing_skips_verification():
    assert not any(can_move(source, S.DRAFT) for source in RegistrationStatus)
    for decided in (S.APPROVED, S.REJECTED, S.EXPIRED):
        sources = {source for source in RegistrationStatus if can_move(source, decided)}
        assert sources == {S.AWAITING_VERIFICATION}


def test_only_drafts_and_rejected_or_expired_registrations_can_be_changed_or_submitted():
    assert EDITABLE == SUBMITTABLE == {S.DRAFT, S.REJECTED, S.EXPIRED}
    assert S.AWAITING_VERIFICATION not in EDITABLE
    assert S.APPROVED not in EDITABLE


def test_editable_states_are_exactly_those_that_can_be_submitted():
    assert {source for source, target in LEGAL_MOVES if target == S.AWAITING_VERIFICATION} == set(SUBMITTABLE)


def test_staff_decisions_are_approval_and_rejection():
    assert DECIDED == {S.APPROVED, S.REJECTED}


@pytest.mark.parametrize(
    ("status", "blocks"),
    [
        (S.DRAFT, True),
        (S.AWAITING_VERIFICATION, True),
        (S.APPROVED, True),
        (S.REJECTED, False),
        (S.EXPIRED, False),
    ],
)
def test_which_states_hold_the_social_insurance_number(status: RegistrationStatus, blocks: bool):
    assert holds_claim(status) is blocks


def test_statuses_compare_equal_to_their_stored_strings():
    assert S("AWAITING_VERIFICATION") is S.AWAITING_VERIFICATION
    assert S.APPROVED == "APPROVED"
    with pytest.raises(ValueError):
        S("approved")
