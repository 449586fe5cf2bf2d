"""Tokens: who may write to the archive over HTTP.

A token is a name and a secret of 32 random bytes. The secret is shown once, when the token is
created; the store keeps only its SHA-256, so a copy of the store (a backup) holds no secret.
A request's secret is hashed and compared with every token's hash in constant time. Revoking
deletes the row: the next request with that secret is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from archive.store import Store, now_text

SECRET_PREFIX = "arkhiv_"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# "Last used" is written at most this often per token, so that reading does not write each time.
LAST_USED_EVERY = timedelta(seconds=60)


class TokenError(ValueError):
    """A token that cannot be created or revoked (a bad or taken name, an unknown one)."""


@dataclass(frozen=True)
class Token:
    name: str
    created_at: str
    last_used_at: str | None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


class Tokens:
    """The tokens kept in ``store``."""

    def __init__(self, store: Store):
        self.store = store

    def create(self, name: str) -> str:
        """A new token called ``name``; returns its secret, which is kept nowhere."""
        if not _NAME.fullmatch(name):
            raise TokenError(
                f"{name[:80]!r} cannot name a token: use 1 to 64 letters, digits, '.', '_' or '-', "
                "beginning with a letter or digit"
            )
        secret = SECRET_PREFIX + secrets.token_urlsafe(32)
        with self.store.writing() as change:
            taken = change.db.execute("SELECT 1 FROM tokens WHERE name = ?", (name,)).fetchone()
            if taken:
                raise TokenError(f"a token called {name!r} exists; revoke it first")
            change.db.execute(
                "INSERT INTO tokens (name, secret_hash, created_at) VALUES (?, ?, ?)",
                (name, _digest(secret), now_text()),
            )
        return secret

    def list(self) -> list[Token]:
        rows = self.store.db.execute(
            "SELECT name, created_at, last_used_at FROM tokens ORDER BY created_at, name"
        )
        return [Token(*row) for row in rows]

    def revoke(self, name: str) -> None:
        with self.store.writing() as change:
            if not change.db.execute("DELETE FROM tokens WHERE name = ?", (name,)).rowcount:
                raise TokenError(f"there is no token called {name!r}")

    def authenticate(self, secret: str) -> str | None:
        """The name of the token whose secret this is, or None. Every token's hash is compared,
        each in constant time, so the time taken says nothing about the secret."""
        digest = _digest(secret)
        found = None
        rows = self.store.db.execute("SELECT name, secret_hash, last_used_at FROM tokens")
        for name, secret_hash, last_used_at in rows.fetchall():
            if hmac.compare_digest(digest, secret_hash):
                found = (name, last_used_at)
        if found is None:
            return None
        name, last_used_at = found
        if last_used_at is None or _older_than(last_used_at, LAST_USED_EVERY):
            self.store.db.execute(
                "UPDATE tokens SET last_used_at = ? WHERE name = ?", (now_text(), name)
            )
        return name


def _older_than(stamp: str, age: timedelta) -> bool:
    try:
        return datetime.now(UTC) - datetime.fromisoformat(stamp) > age
    except ValueError:
        return True
