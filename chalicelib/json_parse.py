"""Request bodies as strict JSON objects: whatever a client sends, a clear 400/413, never a 500.

Python's `json` is lenient where a client's mistake (or an attack) should be refused: it takes the last of
two duplicate keys (so two layers of a system can read different values), accepts NaN and Infinity (not
JSON), turns 1e999 into infinity, and keeps lone surrogates that later fail when stored.
"""

from __future__ import annotations

import json
import math
from typing import Any

from chalicelib.errors import BadRequestError, PayloadTooLargeError

MAX_BODY_BYTES = 64 * 1024
MAX_NUMBER_CHARS = 32  # far beyond any amount or id; longer is noise, and big ints are slow to parse


class _Refused(ValueError):
    def __init__(self, message: str, message_vi: str) -> None:
        super().__init__(message)
        self.message, self.message_vi = message, message_vi


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    body = dict(pairs)
    if len(body) != len(pairs):
        raise _Refused("The JSON body has a duplicate key.", "Nội dung JSON có khóa bị lặp.")
    return body


def _constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON value.", f"{name} không phải là giá trị JSON hợp lệ.")


def _number(text: str) -> Any:
    if len(text) > MAX_NUMBER_CHARS:
        raise _Refused("A number in the JSON body is too long.", "Một số trong nội dung JSON quá dài.")
    value = float(text) if any(c in text for c in ".eE") else int(text)
    if isinstance(value, float) and not math.isfinite(value):
        raise _Refused("A number in the JSON body is too large.", "Một số trong nội dung JSON quá lớn.")
    return value


def parse_object(raw: bytes) -> dict[str, Any]:
    """The body as a dict; an empty body is an empty object."""
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLargeError()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw.decode("utf-8"), object_pairs_hook=_object, parse_constant=_constant,
                          parse_int=_number, parse_float=_number)
        json.dumps(body, ensure_ascii=False).encode("utf-8")  # a lone surrogate ("\ud800") fails here
    except _Refused as refused:
        raise BadRequestError(refused.message, refused.message_vi) from None
    except (UnicodeError, ValueError, RecursionError):  # not UTF-8, not JSON, nested too deep
        raise BadRequestError() from None
    if not isinstance(body, dict):
        raise BadRequestError()
    return body
