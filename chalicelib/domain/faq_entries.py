"""What an FAQ row (data/reference/faq.jsonl) holds beyond its question and answer, and the checks on it.

- `category`: one of `CATEGORIES`. `APP_HELP` ("Hướng dẫn sử dụng ứng dụng này") holds the rules of this
  application itself — the 7-day initial password, 5 wrong passwords → 15 minutes locked, photo sizes,
  OTP limits, its screens — so they are never presented as the social-insurance agency's own rules; the
  other categories are questions about BHXH and BHYT.
- `phrasings`: other ways people ask the same question, as they type them ("quên pass vssid", "lấy lại
  mật khẩu"); the support chat matches on them (`faq_match`), the API does not show them.
- `examples`: questions people really asked that this entry answers (câu hỏi thực tế), copied from the
  evaluation set's batches once they have been measured (`tools/faq_examples.py`); the chat learns from
  them how people ask (`faq_match`), the API does not show them.
- Provenance, as in every reference file: `source` (what the facts are taken from, as cited in
  data/reference/SOURCES.md) or `demo: true` (sample text, to be labelled as such). A row with neither is
  refused.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.form01 import clean_text
from chalicelib.domain.provenance import read_provenance
from chalicelib.domain.row_reader import RowReader

CATEGORIES: dict[str, str] = {
    "GENERAL": "Giới thiệu và liên hệ",
    "REGISTRATION": "Đăng ký giao dịch điện tử",
    "HEALTH_INSURANCE": "Thẻ BHYT và khám chữa bệnh BHYT",
    "CONTRIBUTIONS": "Tham gia và đóng BHXH, BHYT",
    "BENEFITS": "Chế độ BHXH và bảo hiểm thất nghiệp",
    "APP_HELP": "Hướng dẫn sử dụng ứng dụng này",
}
MAX_PHRASINGS = 60
MAX_PHRASING_LENGTH = 200
MAX_EXAMPLES = 300
MAX_EXAMPLE_LENGTH = 600
_TRUE = ("true", "1", "yes")
_FALSE = ("false", "0", "no", "")


def category(r: RowReader) -> str | None:
    value = r.text("category", max_len=40)
    if value is not None and value.upper() not in CATEGORIES:
        r.fail("category", f"must be one of {', '.join(CATEGORIES)}", f"phải là một trong {', '.join(CATEGORIES)}")
        return None
    return value.upper() if value is not None else None


def phrasings(r: RowReader) -> list[str] | None:
    """A list of text (JSON list, or "A|B" in CSV); empty when missing."""
    return _texts(r, "phrasings", MAX_PHRASINGS, MAX_PHRASING_LENGTH, "cách hỏi")


def examples(r: RowReader) -> list[str] | None:
    """A list of text (JSON list, or "A|B" in CSV); empty when missing."""
    return _texts(r, "examples", MAX_EXAMPLES, MAX_EXAMPLE_LENGTH, "câu hỏi mẫu")


def _texts(r: RowReader, name: str, max_items: int, max_len: int, what_vi: str) -> list[str] | None:
    raw = r.row.get(name)
    if raw is None or raw == "":
        return []
    items = raw.split("|") if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        r.fail(name, "must be a list of text", "phải là danh sách chuỗi ký tự")
        return None
    values = [clean_text(i) for i in items if clean_text(i)]
    if len(values) > max_items or any(len(v) > max_len for v in values):
        r.fail(name, f"must be at most {max_items} {name} of at most {max_len} characters",
               f"tối đa {max_items} {what_vi}, mỗi {what_vi} tối đa {max_len} ký tự")
        return None
    return values


def provenance(r: RowReader) -> dict[str, Any]:
    """`source` and `demo`, by the rule every public reference file follows (domain/provenance.py)."""
    found = read_provenance(r)
    return {"source": found.source, "demo": found.demo}
