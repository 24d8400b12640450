"""Reading one row of a bulk file: typed values, with every problem collected (English and Vietnamese)
instead of stopping at the first. The record and directory validators build on it."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.form01 import clean_text


class RowReader:
    def __init__(self, row: dict[str, Any]) -> None:
        self.row = row
        self.fields: dict[str, str] = {}
        self.fields_vi: dict[str, str] = {}

    def fail(self, name: str, en: str, vi: str) -> None:
        self.fields.setdefault(name, en)
        self.fields_vi.setdefault(name, vi)

    def _raw(self, name: str, required: bool) -> Any:
        raw = self.row.get(name)
        if raw is None or (isinstance(raw, str) and clean_text(raw) == "") or raw == []:
            if required:
                self.fail(name, "is required", "bắt buộc nhập")
            return None
        return raw

    def text(self, name: str, *, required: bool = True, max_len: int = 200) -> str | None:
        raw = self._raw(name, required)
        if raw is None:
            return None
        if not isinstance(raw, str):
            self.fail(name, "must be text", "phải là chuỗi ký tự")
            return None
        value = clean_text(raw)
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
            self.fail(name, "must not contain control characters", "không được chứa ký tự điều khiển")
            return None
        if len(value) > max_len:
            self.fail(name, f"must be at most {max_len} characters", f"chỉ được dài tối đa {max_len} ký tự")
            return None
        return value
