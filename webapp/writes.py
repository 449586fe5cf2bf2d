"""Writing over HTTP (DESIGN.md), each with a token: ``POST /api/articles`` takes what
``arkhiv import`` takes and answers per item; ``DELETE /api/articles/<id>`` takes an article down.

Both write the store only, batch by batch (the store serialises their transactions with those
of every other writer: SQLite's file lock, PostgreSQL's lock on the last number's row), and take
no import lock: that lock is for writers of the index, and a POST waiting for the follower's
catch-up to end would write at the speed of indexing. The index follows the store on its own
(:mod:`index.segments.follower`): what a POST stored is searchable a moment later.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, request

from archive.bulk import take_bulk
from archive.reader import ReadError
from archive.stores import STORE_ERRORS
from archive.takedowns import DELETED, NOT_FOUND, Takedowns
from archive.upload import BodyTooLarge, BodyUnreadable, NoRoom, is_gzipped, spooled_body
from webapp.api import error_response
from webapp.auth import token_required
from webapp.reading_room import reading_room

bp = Blueprint("writes", __name__, url_prefix="/api")
LINES_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")
MAX_REASON = 1000


@bp.errorhandler(BodyTooLarge)
def too_large(exc: BodyTooLarge) -> Response:
    return error_response(413, str(exc), code="upload.too_large")


@bp.errorhandler(BodyUnreadable)
@bp.errorhandler(ReadError)
def unreadable(exc: Exception) -> Response:
    return error_response(400, f"{exc}; nothing was stored", code="upload.unreadable")


@bp.errorhandler(NoRoom)
def no_room(exc: NoRoom) -> Response:
    current_app.logger.error("receiving a body failed: %s", exc)
    response = error_response(
        503, f"{exc}; nothing was stored; try again when there is room", code="upload.no_room"
    )
    response.headers["Retry-After"] = "60"
    return response


def store_failed(exc: Exception) -> Response:
    current_app.logger.error("writing the store failed: %s", exc)
    return error_response(
        503,
        f"the store could not be written ({exc}); every batch committed before it is kept, "
        "and sending the same body again stores the rest",
        code="store.unwritable",
    )


for _error in STORE_ERRORS:  # SQLite's, and PostgreSQL's when it is the store
    bp.register_error_handler(_error, store_failed)


@bp.post("/articles")
@token_required
def post_articles(token: str) -> Response:
    room = reading_room()
    settings = room.settings
    request.max_content_length = settings.max_upload_bytes  # this route only; others: 64 KB
    gzipped = is_gzipped(request.headers.get("Content-Encoding"))
    name = "body.jsonl" if request.mimetype in LINES_TYPES else "body.json"
    spooled = spooled_body(
        request.stream,
        gzipped=gzipped,
        limit=settings.max_upload_bytes,
        directory=settings.uploads_dir,
        name=name,
    )
    with spooled as body:
        answer = take_bulk(room.store, settings, body)
    current_app.extensions["arkhiv_metrics"].count_written(answer.report)
    current_app.logger.info(
        "token %s posted %s added, %s updated, %s unchanged, %s rejected",
        token,
        answer.report.added,
        answer.report.updated,
        answer.report.unchanged,
        answer.report.rejected,
    )
    return Response(answer.chunks(), mimetype="application/json")


def _reason() -> str:
    reason = request.args.get("reason")
    if reason is None and request.is_json:
        body: Any = request.get_json(silent=True)
        reason = body.get("reason") if isinstance(body, dict) else None
    if reason is not None and not isinstance(reason, str):
        abort(400, description="reason: expected a string")
    return (reason or "").strip()[:MAX_REASON]


@bp.delete("/articles/<path:article_id>")
@token_required
def delete_article(article_id: str, token: str) -> Response:
    room = reading_room()
    reason = _reason()
    (outcome,) = Takedowns(room.store).delete([article_id], reason=reason, by=token)
    if outcome.status == NOT_FOUND:
        abort(404, description=f"there is no article with id {article_id[:200]!r}")
    if outcome.status == DELETED:
        current_app.extensions["arkhiv_metrics"].takedowns.inc()
        current_app.logger.info("token %s took down %r", token, article_id[:200])
    return jsonify({"status": outcome.status, **outcome.takedown.as_dict()})
