"""The published contract (chalicelib/openapi.json, served at GET /v1/openapi.json) against the code.

The document must be valid OpenAPI 3.0, list exactly the routes the app registers (local-only `/_local/`
routes excepted), describe every error in the shared `Error` shape, and cover what API.md fixes.
No AWS needed: importing `app` only reads the environment.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
OPENAPI_FILE = ROOT / "chalicelib" / "openapi.json"
API_MD_CANDIDATES = [os.environ.get("VSSID_API_MD"), "/work/shared/API.md", str(ROOT / "API.md")]
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
ERROR_REF = "#/components/schemas/Error"
LOCAL_PREFIX = "/_local/"


@pytest.fixture(scope="module")
def raw_text() -> str:
    return OPENAPI_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def doc(raw_text: str) -> dict[str, Any]:
    return json.loads(raw_text)


@pytest.fixture(scope="module")
def app_routes() -> set[tuple[str, str]]:
    """(path, method) of every deployable route, from the app as deployed (local mode off)."""
    os.environ.pop("VSSID_LOCAL_MODE", None)
    from app import app

    return {
        (path, method.lower())
        for path, methods in app.routes.items()
        if not path.startswith(LOCAL_PREFIX)
        for method in methods
    }


@pytest.fixture(scope="module")
def api_md() -> str:
    for candidate in API_MD_CANDIDATES:
        if candidate and Path(candidate).is_file():
            return Path(candidate).read_text(encoding="utf-8")
    pytest.skip("API.md not found (set VSSID_API_MD to its path)")


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def _pointer(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"only local $refs are allowed, found {ref!r}"
    node: Any = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"$ref {ref!r} does not resolve (missing {part!r})"
        node = node[part]
    return node


def _resolve(doc: dict[str, Any], node: Any) -> Any:
    seen: set[str] = set()
    while isinstance(node, dict) and "$ref" in node:
        assert node["$ref"] not in seen, f"$ref cycle at {node['$ref']}"
        seen.add(node["$ref"])
        node = _pointer(doc, node["$ref"])
    return node


def _refs(node: Any, where: str = "#") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield where, value
            else:
                yield from _refs(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _refs(value, f"{where}/{index}")


def _template(path: str) -> str:
    """`/v1/registrations/{id}` and `/v1/registrations/{registration_id}` are the same route."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def _schema(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return doc["components"]["schemas"][name]


# --- the document itself ---------------------------------------------------------------------------


def test_document_parses_as_openapi_3_0(doc: dict[str, Any]):
    assert re.fullmatch(r"3\.0\.\d+", doc.get("openapi", "")), doc.get("openapi")
    assert doc["info"]["title"] and doc["info"]["version"]
    assert doc["paths"], "the document lists no paths"
    assert {"url": "http://127.0.0.1:8000", "description": "make run"} in doc.get("servers", [])


def test_document_is_utf8_json_with_two_space_indent(raw_text: str, doc: dict[str, Any]):
    # Vietnamese stays readable in the file: real characters, no \u escapes; the layout is canonical.
    assert raw_text == json.dumps(doc, ensure_ascii=False, indent=2) + "\n", (
        "rewrite openapi.json with json.dumps(doc, ensure_ascii=False, indent=2) plus a final newline"
    )
    assert "Tờ khai" in raw_text


def test_every_ref_resolves(doc: dict[str, Any]):
    refs = list(_refs(doc))
    assert refs, "expected components to be referenced with $ref"
    broken = []
    for where, ref in refs:
        try:
            _resolve(doc, {"$ref": ref})
        except AssertionError as exc:
            broken.append(f"{where}: {exc}")
    assert not broken, "unresolved $refs:\n" + "\n".join(broken)


def test_security_schemes(doc: dict[str, Any]):
    schemes = doc["components"]["securitySchemes"]
    assert schemes["citizenBearer"] == {**schemes["citizenBearer"], "type": "http", "scheme": "bearer"}
    assert schemes["staffBearer"] == {**schemes["staffBearer"], "type": "http", "scheme": "bearer"}
    assert schemes["registrationKey"] == {
        **schemes["registrationKey"], "type": "apiKey", "in": "header", "name": "X-Registration-Key",
    }
    for path, method, operation in _operations(doc):
        for requirement in operation.get("security", []):
            unknown = set(requirement) - set(schemes)
            assert not unknown, f"{method.upper()} {path} uses undefined security schemes {unknown}"


def test_openapi_spec_validator_accepts_the_document(doc: dict[str, Any]):
    """Full structural validation, when the optional validator is installed."""
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(doc)


# --- contract drift: the document and the app's routes ------------------------------------------------


def test_documented_operations_equal_the_app_routes(doc: dict[str, Any], app_routes: set[tuple[str, str]]):
    documented = {(path, method) for path, method, _ in _operations(doc)}
    assert not any(path.startswith(LOCAL_PREFIX) for path, _ in documented), "/_local/ routes are never deployed"
    undocumented = sorted(app_routes - documented)
    stale = sorted(documented - app_routes)
    problems = []
    if undocumented:
        problems.append("routes the app registers but openapi.json lacks:\n  "
                        + "\n  ".join(f"{m.upper()} {p}" for p, m in undocumented))
    if stale:
        problems.append("operations in openapi.json the app does not register:\n  "
                        + "\n  ".join(f"{m.upper()} {p}" for p, m in stale))
    assert not problems, "\n".join(problems)


def test_every_operation_has_id_success_and_error_responses(doc: dict[str, Any]):
    ids: dict[str, str] = {}
    problems = []
    for path, method, operation in _operations(doc):
        name = f"{method.upper()} {path}"
        operation_id = operation.get("operationId")
        if not operation_id:
            problems.append(f"{name}: no operationId")
        elif operation_id in ids:
            problems.append(f"{name}: operationId {operation_id!r} also used by {ids[operation_id]}")
        else:
            ids[operation_id] = name
        if not operation.get("summary"):
            problems.append(f"{name}: no summary")
        responses = operation.get("responses", {})
        if not any(re.fullmatch(r"2\d\d", str(code)) for code in responses):
            problems.append(f"{name}: no 2xx response")
        errors = {str(code): _resolve(doc, r) for code, r in responses.items() if re.fullmatch(r"[45]\d\d", str(code))}
        if not errors:
            problems.append(f"{name}: no 4xx/5xx response")
        for code, response in errors.items():
            media = response.get("content", {}).get("application/json", {})
            if media.get("schema", {}).get("$ref") != ERROR_REF:
                problems.append(f"{name}: response {code} does not use {ERROR_REF}")
        if "500" not in responses:
            problems.append(f"{name}: no 500 (every route can answer INTERNAL_ERROR)")
    assert not problems, "\n".join(problems)


def test_body_routes_document_size_and_media_type_errors(doc: dict[str, Any]):
    for path, method, operation in _operations(doc):
        if "requestBody" in operation:
            assert {"413", "415"} <= set(operation["responses"]), f"{method.upper()} {path}: needs 413 and 415"
            assert "application/json" in operation["requestBody"]["content"]


def test_idempotent_operations_document_key_errors(doc: dict[str, Any]):
    for path, method, operation in _operations(doc):
        names = {_resolve(doc, p)["name"] for p in operation.get("parameters", [])}
        if "Idempotency-Key" in names:
            assert {"409", "422", "503"} <= set(operation["responses"]), (
                f"{method.upper()} {path}: Idempotency-Key needs 409 REQUEST_IN_PROGRESS, 422 IDEMPOTENCY_KEY_REUSED"
                " and 503"
            )


def test_error_schema_lists_every_error_code_the_code_defines(doc: dict[str, Any], app_routes: set[Any]):
    # `app_routes` imports app.py, which defines some errors of its own (415, 406).
    from chalicelib.errors import AppError

    error = _schema(doc, "Error")
    assert error["required"] == ["error"]
    inner = error["properties"]["error"]
    assert set(inner["required"]) == {"code", "message", "message_vi"}
    assert {"fields", "fields_vi"} <= set(inner["properties"])
    assert inner["properties"]["code"]["type"] == "string"

    def subclasses(cls: type) -> Iterator[type]:
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    codes = {AppError.code} | {cls.code for cls in subclasses(AppError)}
    missing = sorted(code for code in codes if f"`{code}`" not in inner["properties"]["code"]["description"])
    assert not missing, f"error codes not listed in Error.code's description: {missing}"


# --- schemas against the validators -------------------------------------------------------------------


def test_form01_schema_matches_the_validator(doc: dict[str, Any]):
    from chalicelib.domain.form01 import FIELDS, GENDERS, OPTIONAL_FIELDS
    from chalicelib.domain.form01_terms import NOTICE_CHANNELS, VIETNAM
    from chalicelib.domain.identity import ID_TYPES

    form = _schema(doc, "Form01")
    properties = form["properties"]
    assert set(properties) == set(FIELDS)
    assert set(form["required"]) == set(FIELDS) - set(OPTIONAL_FIELDS)
    assert properties["nationality"]["default"] == VIETNAM
    assert properties["notice_channels"]["items"]["enum"] == list(NOTICE_CHANNELS)
    assert "CMND hết giá trị sử dụng từ 01/01/2025" in properties["id_type"]["description"]
    assert properties["social_insurance_number"]["pattern"] == "^[0-9]{10}$"
    assert properties["gender"]["enum"] == list(GENDERS)
    assert properties["id_type"]["enum"] == list(ID_TYPES)
    for name in ("date_of_birth", "id_issued_on"):
        assert properties[name]["format"] == "date"
    assert properties["email"].get("nullable") is True


def test_submit_documents_the_commitment_without_breaking_the_empty_body(doc: dict[str, Any]):
    body = doc["paths"]["/v1/registrations/{registration_id}/submit"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert body["required"] is False and "required" not in schema  # API.md: the body may be empty
    assert schema["properties"]["commitment_accepted"]["enum"] == [True]
    assert "commitment" in _schema(doc, "RegistrationView")["required"]


def test_status_enum_matches_the_domain(doc: dict[str, Any]):
    from chalicelib.domain.registration_status import RegistrationStatus

    assert _schema(doc, "RegistrationStatus")["enum"] == [s.value for s in RegistrationStatus]


def test_presigned_uploads_shape(doc: dict[str, Any]):
    from chalicelib.domain.documents import DOCUMENT_KINDS

    presigned = _schema(doc, "PresignedPost")
    assert set(presigned["required"]) == {"url", "fields"}
    assert presigned["properties"]["fields"]["additionalProperties"] == {"type": "string"}
    assert set(_schema(doc, "Uploads")["required"]) == set(DOCUMENT_KINDS)


def test_form01_pdf_route_documents_pdf_and_redirect(doc: dict[str, Any]):
    responses = doc["paths"]["/v1/registrations/{registration_id}/form01"]["get"]["responses"]
    assert responses["200"]["content"]["application/pdf"]["schema"] == {"type": "string", "format": "binary"}
    assert "Location" in responses["303"]["headers"]


# --- API.md, the fixed contract ---------------------------------------------------------------------

_ENDPOINT = re.compile(r"\b(GET|POST|PUT|PATCH|DELETE)\s+(/v1/[^\s?`·|\\]*)")


def _api_md_rows(text: str) -> Iterator[tuple[list[tuple[str, str]], str]]:
    """For each table row: the `METHOD /path` pairs of its first column, and the whole row."""
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = re.split(r"(?<!\\)\|", line.strip("|"))
        endpoints = [(m.lower(), p) for m, p in _ENDPOINT.findall(cells[0])]
        if endpoints:
            yield endpoints, line


def test_api_md_paths_the_app_implements_are_documented(
    doc: dict[str, Any], app_routes: set[tuple[str, str]], api_md: str
):
    contract = {(method, _template(path)) for endpoints, _ in _api_md_rows(api_md) for method, path in endpoints}
    assert len(contract) > 20, "API.md's tables were not parsed"
    implemented = {(method, _template(path)) for path, method in app_routes}
    documented = {(method, _template(path)) for path, method, _ in _operations(doc)}
    subset = contract & implemented
    assert ("post", "/v1/registrations") in subset
    missing = sorted(subset - documented)
    assert not missing, "API.md endpoints the app implements but openapi.json lacks: " + ", ".join(
        f"{m.upper()} {p}" for m, p in missing
    )


def test_api_md_form01_body_fields_are_in_the_schema(doc: dict[str, Any], api_md: str):
    [row] = [line for endpoints, line in _api_md_rows(api_md) if ("post", "/v1/registrations") in endpoints]
    body = re.search(r"Body:\s*`([^`]*)`", row)
    assert body, "API.md no longer names the POST /v1/registrations body"
    named = [re.match(r"\s*([a-z_]+)", part).group(1) for part in body.group(1).split(",")]
    assert "full_name" in named and "office_code" in named
    missing = sorted(set(named) - set(_schema(doc, "Form01")["properties"]))
    assert not missing, f"Form01 lacks fields API.md names: {missing}"
