"""Tokens on requests: ``Authorization: Bearer <secret>`` names who writes (401 otherwise)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from archive.tokens import Tokens
from webapp.reading_room import reading_room


def _refused(message: str) -> Unauthorized:
    return Unauthorized(message, www_authenticate=WWWAuthenticate("bearer", {"realm": "arkhiv"}))


def token_name() -> str:
    """The name of the token the request carries; :class:`Unauthorized` (401) without a valid
    one. The secret is never logged nor repeated in an answer."""
    scheme, _, secret = (request.headers.get("Authorization") or "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise _refused("writing needs a token: send Authorization: Bearer <token>")
    name = Tokens(reading_room().store).authenticate(secret)
    if name is None:
        raise _refused("the token is not valid (unknown or revoked)")
    return name


def token_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """The view runs only with a valid token, whose name it receives as ``token``."""

    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        return view(*args, token=token_name(), **kwargs)

    return checked
