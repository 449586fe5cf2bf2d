"""The API's description (``/api/openapi.json``, ``/api/docs``) against the code: a valid OpenAPI
3.1 document naming every route a program may call, shown to a person by the app itself, and
Schemathesis against ``arkhiv serve`` with a token finding no server error and no answer that
breaks it (a short round here; ``make fuzz-api`` runs it at length)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from tests.web_fixtures import http, serve_with_token
from webapp.app import create_app
from webapp.openapi import description

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
# Checks run: every one Schemathesis has but the two that judge how strict the server is with
# values the schema allows or refuses. The server reads query values leniently (" 5" is page 5,
# tag=true is a tag named "true"), and some rules span parameters (``from`` after ``to``, 30
# February), which JSON Schema cannot say; those answer 400, which the description lists.
NOT_CHECKED = "positive_data_acceptance,negative_data_rejection"
# Routes for people, not programs: pages, the explorer, choosing the interface language.
FOR_PEOPLE = re.compile(r"^/($|article/|explore|language/|static/|api/docs$|api/openapi\.json$)")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    server = serve_with_token(tmp_path_factory.mktemp("described"), "schemathesis")
    yield server
    log = server.stop()
    assert "Traceback" not in log, log


@pytest.fixture(scope="module")
def document(served):
    answer = http("GET", served.url + "/api/openapi.json")
    assert answer.status == 200
    return answer.json()


def test_the_description_is_valid_openapi_3_1_with_this_server(served, document):
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": served.url + "/"}]
    assert document["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


def test_every_route_a_program_may_call_is_described():
    app = create_app({"ARKHIV_HOME": "/nonexistent", "TESTING": True})
    routes = set()
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        if FOR_PEOPLE.match(path):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((method.lower(), path))
    described = {(method, path) for path, item in description()["paths"].items() for method in item}
    assert routes == described


def test_every_status_a_route_answers_is_described(served, document):
    """A few answers of each kind, checked by hand (Schemathesis checks the rest)."""
    cases = [
        ("GET", "/api/search?page=0", 400),
        ("GET", "/api/articles/no-such-article", 404),
        ("POST", "/api/articles", 401),
        ("GET", "/api/timeline?interval=fortnight", 400),
    ]
    for method, url, status in cases:
        answer = http(method, served.url + url, b"[]" if method == "POST" else None)
        assert answer.status == status, (url, answer.body)
        path = url.split("?")[0].replace("no-such-article", "{article_id}")
        responses = document["paths"][path][method.lower()]["responses"]
        assert str(status) in responses, (url, status)
        assert set(answer.json()["error"]) >= {"status", "code", "message"}


def test_the_docs_page_shows_every_operation_with_no_script_of_its_own(served, document):
    answer = http("GET", served.url + "/api/docs")
    assert answer.status == 200
    page = answer.body.decode()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert f'id="{operation["operationId"]}"' in page
            assert f"<code>{method.upper()} {path}</code>" in page
    for name in document["components"]["schemas"]:
        assert f'id="schema-{name}"' in page
    # The description's `code` spans are shown as code, not as backticks.
    assert "<code>uk</code>" in page and "`" not in page
    assert "<script>" not in page and "http://" not in page.replace(served.url, "")
    policy = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]


def test_the_described_examples_are_taken(served, document):
    """The body's example in the description is one a client can send as it stands. (Before
    Schemathesis, whose stateful round posts the same example and then takes it down.)"""
    body = document["paths"]["/api/articles"]["post"]["requestBody"]["content"]["application/json"]
    answer = http(
        "POST",
        served.url + "/api/articles",
        json.dumps(body["example"]).encode(),
        {"Authorization": f"Bearer {served.secret}", "Content-Type": "application/json"},
    )
    assert answer.status == 200, answer.body
    assert [item["status"] for item in answer.json()["items"]] in (["added"], ["unchanged"])


def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_description(
    served, document, tmp_path
):
    examples = os.environ.get("ARKHIV_API_FUZZ_EXAMPLES", "8")
    report = tmp_path / "schemathesis.json"
    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            served.url + "/api/openapi.json",
            "--header",
            f"Authorization: Bearer {served.secret}",
            "--checks",
            "all",
            "--exclude-checks",
            NOT_CHECKED,
            "--max-examples",
            examples,
            "--seed",
            os.environ.get("ARKHIV_API_FUZZ_SEED", "20261207"),
            "--workers",
            "2",
            # Correctness, not speed, on a shared machine: a slow answer or a slow draw of data
            # is no failure here (speed is measured by bench/).
            "--request-timeout",
            "120",
            "--suppress-health-check",
            "too_slow",
            "--report",
            "ndjson",
            "--report-ndjson-path",
            str(report),
            "--output-truncate",
            "true",
        ],
        capture_output=True,
        text=True,
        timeout=3000,
        cwd=tmp_path,  # its cache folder, .schemathesis/, goes there
    )
    print(run.stdout[-3000:])
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    summary = _summary(run.stdout)
    assert summary["operations"] == sum(len(item) for item in document["paths"].values()), summary
    assert summary["generated"] >= summary["operations"] * int(examples), summary


def _summary(out: str) -> dict[str, int]:
    """What Schemathesis says it did: operations tested, test cases generated."""
    tested = re.search(r"Tested: (\d+)", out)
    generated = re.search(r"(\d+) generated", out)
    assert tested and generated, out[-3000:]
    return {"operations": int(tested.group(1)), "generated": int(generated.group(1))}
