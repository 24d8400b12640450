"""The counter console (bàn làm việc một cửa): the staff web page, served by the API itself.

GET /console is the page; GET /console/{asset} its scripts, style sheet and icon, all from
chalicelib/console/ (packaged with the function, so the page and the API it calls are one deployment and
one origin). Chalice routes cannot be greedy, so the assets live flat in that one folder, and only files
that exist there with a known type are served.

Every answer carries the security headers: a CSP with no inline script or style (`'self'` only, images
also from the documents bucket for the presigned links), no framing, no sniffing, no referrer. The page's
links to its files are made absolute from the path it was asked under, so they work at `/console`, at
`/console/` and under API Gateway's stage prefix (`/v1/console`) alike; a `<base>` would do that too, but
would also turn the page's `#/…` links into links to another document.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from chalice import Blueprint, Response

from chalicelib.config import get_settings
from chalicelib.errors import NotFoundError
from chalicelib.http import api_route

bp = Blueprint(__name__)
CONSOLE_DIR = Path(__file__).resolve().parent.parent / "console"
PAGE = "index.html"
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
}
_ASSET_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}\.(?:html|css|js|svg)$")
_SAFE_PATH = re.compile(r"^((?:/[A-Za-z0-9_~-]+)*/console)(?:/|/index\.html)?$")
_PREFIX_MARK = "__CONSOLE__"


def _not_found() -> NotFoundError:
    return NotFoundError("No such file in the console.", "Không có tệp này trong bàn làm việc.")


@lru_cache(maxsize=32)
def _asset(name: str) -> tuple[str, str, str] | None:
    """(text, content type, ETag) of a file of the console folder, or None."""
    if not _ASSET_NAME.fullmatch(name):
        return None
    path = CONSOLE_DIR / name
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    return text, _TYPES[path.suffix], '"' + hashlib.sha256(text.encode()).hexdigest()[:20] + '"'


def _image_sources() -> str:
    """Where the presigned image links point: the documents bucket (or the local S3 endpoint)."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        parts = urlsplit(endpoint)
        return f"{parts.scheme}://{parts.netloc}"
    settings = get_settings()
    bucket, region = settings.documents_bucket, settings.region
    return f"https://{bucket}.s3.{region}.amazonaws.com https://{bucket}.s3.amazonaws.com"


@lru_cache(maxsize=1)
def security_headers() -> dict[str, str]:
    policy = "; ".join([
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src 'self' {_image_sources()}",
        "connect-src 'self'",
        "media-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])
    headers = {
        "Content-Security-Policy": policy,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Permissions-Policy": "camera=(self), microphone=(), geolocation=(), payment=()",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if not get_settings().local_mode:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


def _serve(text: str, content_type: str, etag: str) -> Response:
    headers = {**security_headers(), "Content-Type": content_type, "ETag": etag, "Cache-Control": "no-cache"}
    if bp.current_request.headers.get("if-none-match") == etag:
        return Response(body="", status_code=304, headers=headers)
    return Response(body=text, status_code=200, headers=headers)


def files_prefix(path: str | None) -> str:
    """Where the console's files are, from the path the page was asked under (API Gateway's
    `requestContext.path`: `/v1/console` on its own URL, `/console` behind a custom domain or locally)."""
    match = _SAFE_PATH.fullmatch(path or "")
    return match.group(1) if match else "/console"


@api_route(bp, "/console", methods=["GET"])
def console_page() -> Response:
    found = _asset(PAGE)
    if found is None:
        raise _not_found()
    text, content_type, etag = found
    prefix = files_prefix((bp.current_request.context or {}).get("path"))
    # The ETag covers the prefix too: the same file asked under another prefix is another page.
    etag = '"' + hashlib.sha256(f"{etag}{prefix}".encode()).hexdigest()[:20] + '"'
    return _serve(text.replace(_PREFIX_MARK, prefix), content_type, etag)


@api_route(bp, "/console/{asset}", methods=["GET"])
def console_asset(asset: str) -> Response:
    if asset == PAGE:
        return console_page()
    found = _asset(asset)
    if found is None:
        raise _not_found()
    return _serve(*found)
