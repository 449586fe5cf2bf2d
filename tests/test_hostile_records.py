"""Hostile records (issue 9): each is one reject with its line or index and a reason a person can
act on, never a traceback; the good records around it are stored; what is stored goes out again
as strict JSON, and a CSV export never hands a spreadsheet a formula."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import sqlite3
from pathlib import Path

import pytest

from archive.intake import Rejection, take_in
from archive.reader import inflate, read_records
from archive.strict_json import MAX_DEPTH, MAX_RECORD_BYTES
from index.searching.export import spreadsheet_cell
from tests.conftest import article, run_arkhiv
from webapp.app import create_app


def strict_loads(text: str):
    """``json.loads`` as RFC 8259 reads: NaN, Infinity and -Infinity refused."""

    def refuse(name: str):
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def good(i: int) -> str:
    return json.dumps(article(i))


def hostile(name: str, fields: str) -> str:
    """A record that is fine but for ``fields`` (JSON text, not a Python value: most of these
    cannot be written by ``json.dumps``)."""
    return f'{{"id": "h-{name}", "title": "Hostile {name}", "body": "A body.", {fields}}}'


DEEP = "[" * 100_000 + "]" * 100_000
# (record text, the reject's error, or its start when the rest is explanation)
HOSTILE = [
    (hostile("deep", f'"nest": {DEEP}'), "nesting deeper than 64 levels"),
    (
        '{"id": "h-surrogate", "title": "Tick\\ud800 tock", "body": "A body."}',
        "title: lone surrogate \\ud800 at character 5",
    ),
    (
        '{"id": ' + "7" * 5000 + ', "title": "Big id", "body": "A body."}',
        "id: integer of 5000 digits; give ids as strings",
    ),
    (hostile("nan", '"score": NaN'), "score: NaN is not JSON"),
    (hostile("infinity", '"score": Infinity'), "score: Infinity is not JSON"),
    (hostile("minus-infinity", '"score": -Infinity'), "score: -Infinity is not JSON"),
    (hostile("overflow", '"score": 1e400'), "score: 1e400 is beyond the range of a number"),
    (hostile("nested-nan", '"meta": {"scores": [1, NaN]}'), "meta.scores[1]: NaN is not JSON"),
    (hostile("twice", '"title": "Again"'), 'field "title" appears twice'),
    (hostile("long-number", '"n": 1' + "0" * 200), "n: number of 201 digits; at most 100"),
]


def read_rejects(path: Path) -> list[dict]:
    return [strict_loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def stored_ids(home: Path) -> list[str]:
    with sqlite3.connect(home / "archive.sqlite3") as db:
        return sorted(row[0] for row in db.execute("SELECT id FROM articles"))


def interleaved() -> tuple[list[str], list[str]]:
    """Good, hostile, good, hostile, ..., good: the texts and the ids of the good ones."""
    texts, good_ids = [good(0)], ["a-0"]
    for number, (text, _) in enumerate(HOSTILE, start=1):
        texts += [text, good(number)]
        good_ids.append(f"a-{number}")
    return texts, sorted(good_ids)


def import_rejecting(home: Path, tmp_path: Path, *paths: Path) -> tuple[list[dict], str]:
    rejects = tmp_path / "rejects.jsonl"
    result = run_arkhiv(
        home, "import", "--no-progress", "--no-index", "--rejects", str(rejects), *map(str, paths)
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stderr
    return read_rejects(rejects), result.stderr


def assert_errors(rejected: list[dict], expected: list[str]) -> None:
    assert len(rejected) == len(expected)
    for found, wanted in zip(rejected, expected, strict=True):
        assert found["error"].startswith(wanted), (found["error"], wanted)


def test_json_lines_each_hostile_record_one_reject_neighbours_kept(home, tmp_path):
    texts, good_ids = interleaved()
    path = tmp_path / "hostile.jsonl"
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    rejected, stderr = import_rejecting(home, tmp_path, path)
    assert [r["line"] for r in rejected] == list(range(2, 2 * len(HOSTILE) + 1, 2))
    assert_errors(rejected, [error for _, error in HOSTILE])
    assert "rejected hostile.jsonl" not in stderr or "(line 2): nesting deeper" in stderr
    assert stored_ids(home) == good_ids


@pytest.mark.parametrize("form", ["array", "wrapper", "array.gz", "lines.gz"])
def test_same_rules_for_arrays_wrappers_and_gzip(home, tmp_path, form):
    texts, good_ids = interleaved()
    array = "[" + ",\n".join(texts) + "]"
    content = {
        "array": array,
        "wrapper": '{"source": "scraper", "articles": ' + array + "}",
        "array.gz": array,
        "lines.gz": "\n".join(texts),
    }[form].encode()
    path = tmp_path / ("hostile.jsonl.gz" if form == "lines.gz" else f"hostile.{form}")
    path.write_bytes(gzip.compress(content) if form.endswith(".gz") else content)
    if form == "wrapper":
        path = path.rename(tmp_path / "hostile.json")
    rejected, _ = import_rejecting(home, tmp_path, path)
    place = "line" if form == "lines.gz" else "index"
    first = 2 if place == "line" else 1
    assert [r[place] for r in rejected] == list(range(first, first + 2 * len(HOSTILE), 2))
    assert_errors(rejected, [error for _, error in HOSTILE])
    assert stored_ids(home) == good_ids


def test_single_object_files_same_rules(home, tmp_path):
    paths = [tmp_path / "before.json", tmp_path / "after.json"]
    paths[0].write_text(good(1))
    paths[1].write_text(json.dumps(article(2), indent=2))
    for number, (text, _) in enumerate(HOSTILE):
        paths.insert(-1, tmp_path / f"hostile-{number}.json")
        paths[-2].write_text(text)
    rejected, _ = import_rejecting(home, tmp_path, *paths)
    assert_errors(rejected, [error for _, error in HOSTILE])
    assert {r["index"] for r in rejected} == {0}
    assert stored_ids(home) == ["a-1", "a-2"]


def test_a_file_of_one_object_past_the_limit_is_one_reject(home, tmp_path):
    big = tmp_path / "big.json"
    members = ", ".join(f'"part{i}": "{"z" * (MAX_RECORD_BYTES // 3)}"' for i in range(4))
    big.write_text('{"id": "big", "title": "Big", "body": "b", ' + members + "}")
    after = tmp_path / "after.json"
    after.write_text(good(1))
    rejected, _ = import_rejecting(home, tmp_path, big, after)
    assert [r["index"] for r in rejected] == [0]
    said = re.fullmatch(
        r"record of ([\d,]+) bytes or more; at most 8,388,608 \(8 MiB\)", rejected[0]["error"]
    )
    # Counted without the white space between fields: at least that many.
    assert said and MAX_RECORD_BYTES < int(said[1].replace(",", "")) <= big.stat().st_size
    assert stored_ids(home) == ["a-1"]


def test_limits_at_and_past_the_edge(home, tmp_path):
    nested = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)  # the record is the first level
    too_deep = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    many = ", ".join(f'"f{i}": {i}' for i in range(997))  # 997 + id, title, body = 1,000
    lines = [
        hostile("depth-64", f'"nest": {nested}'),
        hostile("depth-65", f'"nest": {too_deep}'),
        hostile("fields-1000", many),
        hostile("fields-1001", many + ', "one_more": 1'),
        hostile("digits-100", '"n": ' + "9" * 100),
        hostile("long-string", '"note": "' + "x" * 2_000_001 + '"'),
        hostile("long-line", '"note": "' + "y" * MAX_RECORD_BYTES + '"'),
        good(1),
    ]
    path = tmp_path / "limits.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rejected, _ = import_rejecting(home, tmp_path, path)
    assert [(r["line"], r["error"]) for r in rejected] == [
        (2, "nesting deeper than 64 levels"),
        (4, "1,001 fields in one object; at most 1,000"),
        (6, "note: string of 2,000,001 characters; at most 2,000,000"),
        (7, f"record of {len(lines[6]) + 1:,} bytes or more; at most 8,388,608 (8 MiB)"),
    ]
    assert rejected[3]["raw"].startswith('{"id": "h-long-line"')
    assert len(rejected[3]["raw"]) < 2000
    assert stored_ids(home) == ["a-1", "h-depth-64", "h-digits-100", "h-fields-1000"]


@pytest.mark.parametrize("name", ["cut.jsonl.gz", "cut.json.gz"])
def test_truncated_gzip_keeps_what_can_be_read(home, tmp_path, name):
    records = [article(i) for i in range(400)]
    if name.endswith(".jsonl.gz"):
        text = "".join(json.dumps(r) + "\n" for r in records)
    else:
        text = json.dumps(records)
    whole = gzip.compress(text.encode())
    path = tmp_path / name
    path.write_bytes(whole[: len(whole) // 2])
    rejected, stderr = import_rejecting(home, tmp_path, path)
    kept = stored_ids(home)
    assert 0 < len(kept) < 400
    assert kept == sorted(f"a-{i}" for i in range(len(kept)))  # the first ones, each once
    assert len(rejected) == 1
    assert "the compressed data ends early (the file is cut off)" in rejected[0]["error"]
    place = "line" if name.endswith(".jsonl.gz") else "index"
    assert rejected[0][place] == len(kept) + (place == "line")
    assert "nothing was imported" not in stderr


def test_damaged_gzip_is_a_reject_not_a_traceback(home, tmp_path):
    whole = bytearray(gzip.compress("".join(good(i) + "\n" for i in range(400)).encode()))
    middle = len(whole) // 2
    whole[middle : middle + 40] = bytes(40)
    path = tmp_path / "damaged.jsonl.gz"
    path.write_bytes(bytes(whole))
    rejected, _ = import_rejecting(home, tmp_path, path)
    # Deflate does not notice: the bytes after the damage decode to garbage, each line rejected
    # for what it is, until the checksum at the end tells.
    assert rejected[-1]["error"].startswith(
        "the compressed data fails its checksum (CRC check failed"
    )
    assert "import a good copy" in rejected[-1]["error"]
    assert 0 < len(stored_ids(home)) < 400


FORMULAS = [
    '=HYPERLINK("http://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
]


@pytest.fixture
def formula_archive(home, tmp_path) -> Path:
    records = [
        article(i, id=f"f-{i}", title=title, authors=[title], tags=["=1+1"])
        for i, title in enumerate(FORMULAS)
    ]
    records.append(
        article(
            9,
            id="plain",
            body="Lines\u2028and\x85breaks\u2029inside",
            extra={"score": 1.5, "deep": [[[{"ok": True}]]]},
        )
    )
    path = tmp_path / "formulas.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    result = run_arkhiv(home, "import", "--no-progress", str(path))
    assert result.returncode == 0, result.stderr
    return home


def test_csv_export_neutralises_formulas_jsonl_stays_exact(formula_archive):
    exported = run_arkhiv(formula_archive, "export", "--format", "csv")
    assert exported.returncode == 0, exported.stderr
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(exported.stdout))}
    for i, formula in enumerate(FORMULAS):
        row = rows[f"f-{i}"]
        assert row["title"] == "'" + formula
        assert row["authors"] == "'" + formula
        assert row["tags"] == "'=1+1"
    assert rows["plain"]["title"] == "Article 9 about the budget"
    for row in rows.values():  # no cell a spreadsheet would run
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())
    # One line per article however lines are split: U+2028, U+2029 and U+0085 are escaped.
    lines = run_arkhiv(formula_archive, "export", "--format", "jsonl").stdout.splitlines()
    records = {r["id"]: r for r in map(strict_loads, lines)}
    assert [records[f"f-{i}"]["title"] for i in range(len(FORMULAS))] == FORMULAS
    assert records["plain"]["extra"] == {"score": 1.5, "deep": [[[{"ok": True}]]]}
    assert records["plain"]["body"] == "Lines\u2028and\x85breaks\u2029inside"


def test_export_of_a_record_stored_before_nan_was_refused_says_so(formula_archive):
    with sqlite3.connect(formula_archive / "archive.sqlite3") as db:
        (text,) = db.execute("SELECT record FROM articles WHERE id = 'plain'").fetchone()
        record = json.loads(text)
        record["extra"]["score"] = float("nan")  # as an import before issue 9 stored it
        db.execute("UPDATE articles SET record = ? WHERE id = 'plain'", (json.dumps(record),))
    exported = run_arkhiv(formula_archive, "export", "--format", "jsonl")
    assert exported.returncode == 1
    assert "Traceback" not in exported.stderr
    assert "cannot be written as JSON (Out of range float values" in exported.stderr
    client = create_app({"ARKHIV_HOME": str(formula_archive), "TESTING": True}).test_client()
    response = client.get("/export?format=jsonl")
    assert response.status_code == 409
    assert "import it again to mend it" in response.get_json()["error"]["message"]


def test_web_csv_export_neutralises_formulas(formula_archive):
    client = create_app({"ARKHIV_HOME": str(formula_archive), "TESTING": True}).test_client()
    response = client.get("/export?format=csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    titles = sorted(row["title"] for row in rows)
    assert titles == sorted(
        ["'" + formula for formula in FORMULAS] + ["Article 9 about the budget"]
    )
    answer = client.get("/api/articles/plain")
    assert strict_loads(answer.get_data(as_text=True))["extra"]["score"] == 1.5


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("a=1", "a=1"),
        (" =1", " =1"),
        ("", ""),
    ],
)
def test_spreadsheet_cell(cell, shown):
    assert spreadsheet_cell(cell) == shown


def test_take_in_a_request_body_the_same_way():
    """What ``POST /api/articles`` is to do: a body stream, read and taken in by the library."""
    texts, good_ids = interleaved()
    body = gzip.compress(("\n".join(texts) + "\n").encode())
    taken = list(take_in(read_records(inflate(io.BytesIO(body)), "request", "lines")))
    rejections = [t for t in taken if isinstance(t, Rejection)]
    assert sorted(t.id for t in taken if not isinstance(t, Rejection)) == good_ids
    assert [r.where for r in rejections] == [
        {"file": "request", "line": line} for line in range(2, 2 * len(HOSTILE) + 1, 2)
    ]
    assert_errors([r.as_dict() for r in rejections], [error for _, error in HOSTILE])
