"""The API's description for programs (``/api/openapi.json``) and for people (``/api/docs``, a
page the app renders from the same document: no script, nothing fetched from elsewhere)."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, jsonify, render_template, request
from markupsafe import Markup, escape
from werkzeug.wrappers import Response

from index.searching.request import SearchRequest
from webapp.openapi import description
from webapp.search_view import search_href

bp = Blueprint("api_docs", __name__, url_prefix="/api")
METHODS = ("get", "post", "put", "delete")
_CODE = re.compile(r"`([^`]+)`")


@bp.get("/openapi.json")
def openapi_json() -> Response:
    return jsonify(description(request.host_url))


@bp.get("/docs")
def docs() -> str:
    document = description(request.host_url)
    operations = [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]
    return render_template(
        "api_docs.html",
        document=document,
        operations=operations,
        schemas=document["components"]["schemas"],
        shared=document["components"]["responses"],
        kind=schema_kind,
        prose=prose,
        search=SearchRequest(),
        href=search_href,
    )


def schema_kind(schema: dict[str, Any] | None) -> str:
    """A schema in a few words: ``array of Hit``, ``integer, 1 to 100``, ``string or null``."""
    if not schema:
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    kind = schema.get("type", "any")
    words = " or ".join(kind) if isinstance(kind, list) else kind
    if kind == "array" and "items" in schema:
        words = f"array of {schema_kind(schema['items'])}"
    if "enum" in schema:
        words += ": " + ", ".join(f"{value}" for value in schema["enum"])
    if "minimum" in schema and "maximum" in schema:
        words += f", {schema['minimum']:,} to {schema['maximum']:,}"
    if "maxLength" in schema:
        words += f", at most {schema['maxLength']:,} characters"
    if "maxItems" in schema:
        words += f", at most {schema['maxItems']:,}"
    if "default" in schema:
        words += f" (default {schema['default']})"
    return words


def prose(text: str | None) -> Markup:
    """A description as HTML: escaped, its `code` spans (CommonMark's backticks) in ``<code>``."""
    return Markup(_CODE.sub(r"<code>\1</code>", str(escape(text or ""))))
