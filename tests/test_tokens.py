"""Tokens: created by the command line (the secret shown once, only its hash kept), listed,
revoked, and asked for by every write over HTTP."""

from __future__ import annotations

import hashlib
import json

import pytest

from tests.conftest import article, home_store, run_arkhiv
from webapp.app import create_app

pytestmark = pytest.mark.both_stores


def create_token(home, name: str) -> str:
    created = run_arkhiv(home, "token", "create", name)
    assert created.returncode == 0, created.stderr
    return created.stdout.splitlines()[-1]


@pytest.fixture
def app(home):
    return create_app({"ARKHIV_HOME": str(home), "TESTING": True})


def post(client, secret: str | None, records=None):
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return client.post("/api/articles", json=records or [article(1)], headers=headers)


def test_create_prints_the_secret_alone_on_its_last_line_and_keeps_only_its_hash(home):
    created = run_arkhiv(home, "token", "create", "scraper-1")
    assert created.returncode == 0, created.stderr
    lines = created.stdout.splitlines()
    secret = lines[-1]
    assert secret == secret.strip() and " " not in secret and len(secret) >= 43
    assert "not shown again" in lines[0]
    raw = b"".join(
        path.read_bytes()
        for path in home.glob("*")  # on PostgreSQL, nothing here
        if path.name.startswith("archive.sqlite3")
    )
    assert secret.encode() not in raw
    with home_store(home) as store:
        rows = store.db.execute("SELECT * FROM tokens").fetchall()
        assert secret not in repr(rows)
        (stored,) = store.db.execute(
            "SELECT secret_hash FROM tokens WHERE name = 'scraper-1'"
        ).fetchone()
    assert stored == hashlib.sha256(secret.encode()).hexdigest()
    # Each token its own secret.
    assert create_token(home, "scraper-2") != secret


@pytest.mark.parametrize("name", ["", "has space", ".leading-dot", "x" * 65, "имʼя"])
def test_a_name_that_cannot_name_a_token_is_refused(home, name):
    refused = run_arkhiv(home, "token", "create", name)
    assert refused.returncode == 1
    assert "cannot name a token" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_a_taken_name_is_refused_and_the_first_token_keeps_working(home, app):
    secret = create_token(home, "desk")
    again = run_arkhiv(home, "token", "create", "desk")
    assert again.returncode == 1 and "exists" in again.stderr
    assert post(app.test_client(), secret).status_code == 200


def test_list_shows_names_created_and_last_used(home, app):
    secret = create_token(home, "desk")
    create_token(home, "idle")
    listed = run_arkhiv(home, "token", "list")
    assert listed.returncode == 0
    lines = dict(line.split("\t", 1) for line in listed.stdout.splitlines())
    assert set(lines) == {"desk", "idle"}
    assert "last used never" in lines["desk"] and "created 20" in lines["desk"]
    assert post(app.test_client(), secret).status_code == 200
    as_json = [
        json.loads(line) for line in run_arkhiv(home, "token", "list", "--json").stdout.splitlines()
    ]
    used = {token["name"]: token["last_used_at"] for token in as_json}
    assert used["desk"] is not None and used["idle"] is None
    assert secret not in listed.stdout


def test_revoke_takes_effect_on_the_next_request(home, app):
    secret = create_token(home, "desk")
    client = app.test_client()
    assert post(client, secret).status_code == 200
    revoked = run_arkhiv(home, "token", "revoke", "desk")
    assert revoked.returncode == 0, revoked.stderr
    refused = post(client, secret, [article(2)])
    assert refused.status_code == 401
    assert "not valid" in refused.get_json()["error"]["message"]
    assert client.get("/api/articles/a-2").status_code == 404  # nothing stored
    unknown = run_arkhiv(home, "token", "revoke", "desk")
    assert unknown.returncode == 1 and "no token called 'desk'" in unknown.stderr


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer arkhiv_not-a-real-secret"],
)
def test_writes_without_a_valid_token_answer_401_and_store_nothing(home, app, authorization):
    create_token(home, "desk")
    client = app.test_client()
    headers = {} if authorization is None else {"Authorization": authorization}
    for response in (
        client.post("/api/articles", json=[article(1)], headers=headers),
        client.delete("/api/articles/a-1", headers=headers),
    ):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
        assert response.get_json()["error"]["status"] == 401
        assert "not-a-real-secret" not in response.get_data(as_text=True)
    assert client.get("/api/articles/a-1").status_code == 404
