"""Captcha answers are random and readable, stored only as a digest, typed in any case; the picture is a PNG."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from chalicelib.domain.captcha_text import ALPHABET, answer_digest, new_answer, same_answer
from chalicelib.services.captcha_image import render_png

LOOK_ALIKES = set("0O1IL")
ANSWERS = [new_answer() for _ in range(1000)]
CAPTCHA_ID = "c-7f3a9e"

# --- answers --------------------------------------------------------------------------------------------------


def test_an_answer_has_five_characters():
    assert {len(answer) for answer in ANSWERS} == {5}


@pytest.mark.parametrize("length", [4, 6, 8])
def test_an_answer_can_be_asked_for_in_another_length(length: int):
    assert len(new_answer(length)) == length


def test_answers_use_upper_case_letters_and_digits_without_look_alikes():
    used = set("".join(ANSWERS))

    assert used <= set(ALPHABET)
    assert not used & LOOK_ALIKES
    assert all(c.isdigit() or (c.isascii() and c.isupper()) for c in used)


def test_the_whole_alphabet_is_used():
    # 5,000 draws from 31 symbols: a missing one would mean the alphabet or the draw is skewed.
    assert set("".join(ANSWERS)) == set(ALPHABET)
    assert len(ALPHABET) == 36 - len(LOOK_ALIKES)


def test_a_thousand_answers_are_practically_all_different():
    # 31^5 ≈ 28.6 million answers: a thousand draws collide about once in 57 runs.
    assert len(set(ANSWERS)) >= 995


# --- digests --------------------------------------------------------------------------------------------------


def test_the_answer_is_stored_as_a_sha256_digest_that_does_not_show_it():
    digest = answer_digest(CAPTCHA_ID, "AB3CD")

    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert "AB3CD" not in digest


@pytest.mark.parametrize("typed", ["AB3CD", "ab3cd", "Ab3cD", " ab3cd ", "AB3CD\n"])
def test_the_answer_may_be_typed_in_any_case_and_with_stray_spaces(typed: str):
    assert same_answer(CAPTCHA_ID, typed, answer_digest(CAPTCHA_ID, "AB3CD")) is True


@pytest.mark.parametrize("typed", ["AB3C", "AB3CDE", "AB3 CD", "XB3CD", "", "AB3CD0"])
def test_a_wrong_answer_does_not_match(typed: str):
    assert same_answer(CAPTCHA_ID, typed, answer_digest(CAPTCHA_ID, "AB3CD")) is False


def test_a_digest_fits_only_its_own_captcha():
    digest = answer_digest(CAPTCHA_ID, "AB3CD")

    assert same_answer("c-other", "AB3CD", digest) is False


@pytest.mark.parametrize("typed", [None, 12345, ["AB3CD"]])
def test_an_answer_that_is_not_text_does_not_match(typed: object):
    assert same_answer(CAPTCHA_ID, typed, answer_digest(CAPTCHA_ID, "AB3CD")) is False  # type: ignore[arg-type]


# --- the picture ----------------------------------------------------------------------------------------------


def test_the_picture_is_a_200_by_70_png():
    png = render_png("AB3CD")

    assert isinstance(png, bytes)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.size == (200, 70)


def test_the_same_answer_is_drawn_differently_each_time():
    assert render_png("AB3CD") != render_png("AB3CD")
