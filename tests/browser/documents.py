"""Stand-in photos a citizen uploads with Form 01: an ID card front and back and a portrait, drawn with Pillow.

Not real documents (a grey "MẪU" — specimen — stamp on each); they look enough like one that a screenshot
of the console shows what an officer compares. Each is a JPEG of 20 KB or more, as the upload policy needs.
"""

from __future__ import annotations

import io
import random
from importlib.resources import files
from typing import Any

CARD = (856, 540)  # ID-1 card proportions (85.6 × 54 mm)


def _font(size: int, bold: bool = False) -> Any:
    from PIL import ImageFont

    name = "Roboto-Bold.ttf" if bold else "Roboto-Regular.ttf"
    return ImageFont.truetype(str(files("font_roboto") / "files" / name), size)


def _grain(image: Any, seed: int) -> Any:
    """Paper-like noise: real photos are never flat colour (and a flat JPEG would be under 20 KB)."""
    from PIL import Image

    rng = random.Random(seed)
    noise = Image.frombytes("L", image.size, bytes(rng.randrange(0, 40) for _ in range(image.size[0] * image.size[1])))
    return Image.composite(image, Image.new("RGB", image.size, (120, 120, 120)), noise.point(lambda v: 255 - v))


def _jpeg(image: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=88)
    return buffer.getvalue()


def _stamp(draw: Any, size: tuple[int, int]) -> None:
    draw.text((size[0] - 170, 20), "MẪU", font=_font(54, bold=True), fill=(150, 150, 150))


def _face(size: tuple[int, int], tone: tuple[int, int, int]) -> Any:
    """A head-and-shoulders silhouette of `size`."""
    from PIL import Image, ImageDraw

    width, height = size
    image = Image.new("RGB", size, (214, 226, 240))
    draw = ImageDraw.Draw(image)
    cx = width // 2
    draw.ellipse((cx - width * 0.42, height * 0.62, cx + width * 0.42, height * 1.4), fill=(40, 60, 96))
    draw.ellipse((cx - width * 0.24, height * 0.18, cx + width * 0.24, height * 0.66), fill=tone)
    draw.chord((cx - width * 0.26, height * 0.12, cx + width * 0.26, height * 0.5), 180, 360, fill=(30, 30, 34))
    return image


def id_front(person: dict[str, str], seed: int = 1) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", CARD, (236, 242, 232))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, CARD[0], 96), fill=(196, 40, 40))
    draw.text((28, 14), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", font=_font(26, bold=True), fill=(255, 230, 120))
    draw.text((28, 52), "Độc lập - Tự do - Hạnh phúc", font=_font(22), fill=(255, 255, 255))
    draw.text((290, 112), "CĂN CƯỚC CÔNG DÂN", font=_font(38, bold=True), fill=(160, 20, 20))
    image.paste(_face((230, 296), (224, 184, 150)), (32, 124))
    rows = [("Số / No.", person["id_number"]), ("Họ và tên / Full name", person["full_name"].upper()),
            ("Ngày sinh / Date of birth", "/".join(reversed(person["date_of_birth"].split("-")))),
            ("Giới tính / Sex", "Nam" if person["gender"] == "male" else "Nữ"), ("Quốc tịch", "Việt Nam")]
    y = 172
    for label, value in rows:
        draw.text((290, y), label, font=_font(19), fill=(70, 70, 70))
        draw.text((290, y + 22), value, font=_font(28, bold=True), fill=(20, 20, 20))
        y += 66
    _stamp(draw, CARD)
    return _jpeg(_grain(image, seed))


def id_back(person: dict[str, str], seed: int = 2) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", CARD, (232, 238, 240))
    draw = ImageDraw.Draw(image)
    draw.text((32, 30), "Đặc điểm nhân dạng: Sẹo chấm C.1cm trên trước mày phải", font=_font(22), fill=(30, 30, 30))
    draw.text((32, 70), f"Ngày cấp: {'/'.join(reversed(person.get('id_issued_on', '2021-04-01').split('-')))}",
              font=_font(22), fill=(30, 30, 30))
    draw.text((32, 110), "CỤC TRƯỞNG CỤC CẢNH SÁT QLHC VỀ TTXH", font=_font(22, bold=True), fill=(30, 30, 30))
    for index in range(2):
        draw.rectangle((640 + index * 110, 30, 730 + index * 110, 150), outline=(90, 90, 90), width=3)
    rng = random.Random(seed)
    for line in range(3):
        text = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<") for _ in range(30))
        draw.text((32, 380 + line * 44), text, font=_font(30), fill=(25, 25, 25))
    _stamp(draw, CARD)
    return _jpeg(_grain(image, seed))


def portrait(seed: int = 3) -> bytes:
    from PIL import ImageDraw

    size = (480, 600)
    image = _face(size, (226, 188, 152))
    draw = ImageDraw.Draw(image)
    draw.text((size[0] - 150, 16), "MẪU", font=_font(48, bold=True), fill=(150, 150, 150))
    return _jpeg(_grain(image, seed))


def documents_of(person: dict[str, str], seed: int = 1) -> dict[str, bytes]:
    return {"id_front": id_front(person, seed), "id_back": id_back(person, seed + 1), "portrait": portrait(seed + 2)}
