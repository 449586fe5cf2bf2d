"""The import's promise, tried with generated input (Hypothesis): JSON documents and byte strings
made of valid records, records with one field broken, random nesting, random escapes, random
bytes, byte order marks, CRLF, gzip and truncations.

The promise: ``arkhiv import`` exits 0, 1 or 2 as documented and never with a traceback; every good
record is stored once and every broken one is a reject; every stored record goes out through
``arkhiv export`` as strict JSON (NaN and Infinity refused), with its unknown fields exactly as they
came in, and through ``--format csv`` without a cell a spreadsheet would run.

``make test`` runs a few examples of each (the ``short`` Hypothesis profile); ``make fuzz`` many
(``HYPOTHESIS_PROFILE=fuzz``). The profiles are in ``tests/conftest.py``.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sqlite3
import tempfile
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from click.testing import CliRunner
from hypothesis import assume, given
from hypothesis import strategies as st

from archive.json_scan import Scanner, StructureError
from archive.record import _OWN_META, ALIASES, CANONICAL_FIELDS
from archive.strict_json import MAX_DEPTH, JsonRejected, decode
from tests.test_hostile_records import strict_loads
from webapp.cli import main

BOM = b"\xef\xbb\xbf"
RESERVED = {*CANONICAL_FIELDS, *ALIASES, *_OWN_META, "extra"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# -- JSON values that the archive keeps exactly ---------------------------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
extra_names = st.text(min_size=1, max_size=10).filter(lambda name: name not in RESERVED)
titles = st.text(min_size=1, max_size=40).filter(lambda text: text.split())


@dataclass
class Entry:
    """One record of a generated batch: its text, and what the import should make of it."""

    text: bytes
    stored_id: str | None  # the id it is stored under; None: it is to be rejected
    extra: dict = field(default_factory=dict)
    keeps_structure: bool = True  # whether it can stand as an item of an array
    blank: bool = False  # a JSON Lines line of white space only: neither stored nor rejected


@st.composite
def good_records(draw, number: int) -> tuple[dict, dict]:
    record = {
        "id": draw(st.just(10**6 + number) | st.text(max_size=8).map(f"g{number}-".__add__)),
        "title": draw(titles),
        "body": draw(st.text(max_size=120)),
    }
    language = draw(st.sampled_from(["en", "uk", None]))
    if language:
        record["language"] = language
    if draw(st.booleans()):
        days = st.dates(min_value=date(1000, 1, 1), max_value=date(9998, 12, 31))
        record["published"] = draw(days.map(lambda day: day.isoformat()))
    if draw(st.booleans()):
        record["authors"] = draw(st.lists(st.text(max_size=15), max_size=3))
    if draw(st.booleans()):
        record["tags"] = draw(st.text(max_size=15))
    if draw(st.booleans()):
        record["url"] = "https://example.org/" + draw(st.text("abcxyz019-_/", max_size=12))
    extra = draw(st.dictionaries(extra_names, json_values, max_size=3))
    return {**record, **extra}, extra


def stored_id(record: dict) -> str:
    return unicodedata.normalize("NFC", str(record["id"])).strip()


def dumped(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode()


def with_field(record: dict, name: str, fragment: str) -> bytes:
    """``record`` with field ``name`` (in place of any it had) whose value is JSON text, maybe not
    JSON at all, added at the end."""
    text = json.dumps({k: v for k, v in record.items() if k != name}, ensure_ascii=False)
    return f"{text[:-1]}, {json.dumps(name)}: {fragment}}}".encode()


def without(extra: dict, name: str) -> dict:
    return {k: v for k, v in extra.items() if k != name}


def nested(draw, depth: int) -> str:
    text = ""
    for _ in range(depth):
        text = draw(st.sampled_from(["[{}]", '{{"k": {}}}', "[1, {}]"])).format(text or "0")
    return text


ESCAPES = st.one_of(
    st.sampled_from(["\\n", "\\t", '\\"', "\\\\", "\\/", "\\b", "\\f", "\\r", "a", "Ї"]),
    st.integers(0, 0xFFFF).map(lambda code: f"\\u{code:04x}"),
    st.integers(0xD800, 0xDFFF).map(lambda code: f"\\u{code:04X}"),
)


def keeps(text: str) -> bool:
    """Whether a string's JSON text holds only characters (no lone surrogate)."""
    try:
        json.loads(text).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@st.composite
def entries(draw, number: int) -> Entry:
    record, extra = draw(good_records(number))
    kind = draw(
        st.sampled_from(
            [
                "good",
                "good",
                "good",
                "bad field",
                "not JSON",
                "nesting",
                "escapes",
                "escaped name",
                "big number",
                "twice",
                "not an object",
                "garbage line",
                "cut line",
            ]
        )
    )
    if kind == "good":
        return Entry(dumped(record), stored_id(record), extra)
    if kind == "bad field":
        name, value = draw(
            st.sampled_from(
                [
                    ("title", None),
                    ("title", "   "),
                    ("title", 7),
                    ("title", ["a list"]),
                    ("body", None),
                    ("body", 42),
                    ("published", "2016-13-01"),
                    ("published", "yesterday"),
                    ("url", "javascript:alert(1)"),
                    ("url", "ftp://example.org/x"),
                    ("id", True),
                    ("id", ""),
                    ("id", "x" * 600),
                    ("id", [1]),
                    ("authors", 7),
                    ("language", "english"),
                ]
            )
        )
        broken = dict(record)
        if value is None:
            broken.pop(name)
        else:
            broken[name] = value
        return Entry(dumped(broken), None)
    if kind == "not JSON":
        fragment = draw(st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400", "-1e999"]))
        return Entry(with_field(record, draw(extra_names), fragment), None)
    if kind == "nesting":
        depth = draw(st.integers(1, 3 * MAX_DEPTH))
        text = with_field(record, "nest", nested(draw, depth))
        # The record is the first level.
        if depth + 1 > MAX_DEPTH:
            return Entry(text, None)
        return Entry(
            text, stored_id(record), {**without(extra, "nest"), "nest": json.loads(text)["nest"]}
        )
    if kind == "escapes":
        name = draw(st.sampled_from(["title", "body", "note"]))
        fragment = '"x' + "".join(draw(st.lists(ESCAPES, min_size=1, max_size=8))) + '"'
        text = with_field(record, name, fragment)
        if not keeps(fragment):
            return Entry(text, None)
        if name == "note":
            extra = {**without(extra, "note"), "note": json.loads(fragment)}
        return Entry(text, stored_id(record), extra)
    if kind == "escaped name":
        name = "n" + "".join(draw(st.lists(ESCAPES, min_size=1, max_size=4)))
        text = json.dumps(record, ensure_ascii=False)
        text = f'{text[:-1]}, "{name}": 1}}'.encode()
        if not keeps(f'"{name}"') or json.loads(f'"{name}"') in record:
            return Entry(text, None)  # a lone surrogate, or a field given twice
        return Entry(text, stored_id(record), {**extra, json.loads(f'"{name}"'): 1})
    if kind == "big number":
        digits = draw(st.integers(101, 6000))
        if draw(st.booleans()):
            return Entry(with_field(record, "id", "9" * digits), None)
        return Entry(with_field(record, draw(extra_names), "1" * digits), None)
    if kind == "twice":
        text = json.dumps(record, ensure_ascii=False)
        return Entry(f'{text[:-1]}, "title": "again"}}'.encode(), None)
    if kind == "not an object":
        value = draw(json_values.filter(lambda value: not isinstance(value, dict)))
        return Entry(json.dumps(value).encode(), None)
    if kind == "garbage line":
        line = draw(st.binary(min_size=1, max_size=60)).replace(b"\n", b" ")
        blank = not line.strip(b" \t\r\n")
        return Entry(line, None, keeps_structure=False, blank=blank)
    # A record cut short.
    text = dumped(record)
    return Entry(text[: draw(st.integers(1, len(text) - 1))], None, keeps_structure=False)


@dataclass
class Batch:
    """Files to import at once, the entries they hold, and how much can be said of the outcome:
    ``exact`` (every good entry stored, every other rejected), ``prefix`` (the files were cut
    short: what is stored is good entries), ``any`` (random bytes: no traceback, strict JSON out).
    ``readable``: whether each file begins as JSON must (after a BOM and white space)."""

    files: list[tuple[str, bytes]]
    entries: list[Entry]
    readable: bool = True
    oracle: str = "exact"


def gzipped(content: bytes) -> bytes:
    return gzip.compress(content, mtime=0)


@st.composite
def batches(draw) -> Batch:
    form = draw(st.sampled_from(["jsonl", "array", "wrapper", "objects"]))
    made = [draw(entries(number)) for number in range(draw(st.integers(1, 6)))]
    if draw(st.booleans()):  # a record given again: stored once all the same
        made.append(draw(st.sampled_from(made)))
    if form != "jsonl":
        assume(all(entry.keeps_structure for entry in made))
    compress = draw(st.booleans())
    bom = BOM if draw(st.booleans()) else b""
    if form == "objects":
        # A file of one array is an array of records (none, for []), not one record.
        assume(not any(entry.text.startswith(b"[") for entry in made))
        files = [(f"record-{i}.json", bom + entry.text) for i, entry in enumerate(made)]
    elif form == "jsonl":
        end = b"\r\n" if draw(st.booleans()) else b"\n"
        blank = end if draw(st.booleans()) else b""
        if not bom and made[0].text.startswith(BOM):  # then it is the file's byte order mark
            rest = made[0].text.removeprefix(BOM)
            made[0] = replace(made[0], blank=made[0].blank or not rest.strip(b" \t\r\n"))
        # JSON Lines in a .json file are read as such when the first line is a whole value.
        name = "batch.json" if made[0].stored_id and draw(st.booleans()) else "batch.jsonl"
        files = [(name, bom + blank.join(entry.text + end for entry in made))]
    else:
        space = draw(st.sampled_from([b",", b", ", b",\n", b"\r\n,\t"]))
        array = b"[" + space.join(entry.text for entry in made) + b"]"
        if form == "wrapper":
            array = b'{"source": "fuzz", "articles": ' + array + b', "count": 1}'
        files = [("batch.json", bom + array)]
    readable = all(
        content.removeprefix(BOM).lstrip(b" \t\r\n")[:1] in (b"[", b"{") for _, content in files
    )
    if compress:
        files = [(name + ".gz", gzipped(content)) for name, content in files]
    batch = Batch(files, made, readable)
    if draw(st.booleans()) and draw(st.booleans()):  # one in four: the last file cut short
        name, content = files[-1]
        files[-1] = (name, content[: draw(st.integers(0, len(content) - 1))])
        batch.oracle = "prefix"
    return batch


# -- running the real command line ---------------------------------------------------------------


def arkhiv(home: Path, *args: str):
    """``arkhiv`` in this process; any exception is the promise broken (a traceback)."""
    result = CliRunner().invoke(main, list(args), env={"ARKHIV_HOME": str(home)})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert "Traceback" not in result.output
    return result


def stored(home: Path) -> list[str]:
    if not (home / "archive.sqlite3").exists():
        return []
    with sqlite3.connect(home / "archive.sqlite3") as db:
        return [row[0] for row in db.execute("SELECT id FROM articles")]


def check_exports(home: Path, ids: list[str]) -> dict[str, dict]:
    """Every stored article in both exports: strict JSON; no cell a spreadsheet would run."""
    if not ids:
        return {}  # nothing stored: there may be no index to export from, and nothing to check
    lines = arkhiv(home, "export", "--format", "jsonl").stdout.splitlines()
    records = {record["id"]: record for record in map(strict_loads, lines)}
    assert sorted(records) == sorted(ids)
    rows = list(csv.reader(io.StringIO(arkhiv(home, "export", "--format", "csv").stdout)))
    assert len(rows) == len(ids) + 1
    assert not any(cell.startswith(FORMULA_START) for row in rows for cell in row)
    return records


def import_batch(batch: Batch) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        paths = []
        for name, content in batch.files:
            (root / name).write_bytes(content)
            paths.append(str(root / name))
        home = root / "home"
        result = arkhiv(home, "import", "--no-progress", *paths)
        ids = stored(home)
        assert len(ids) == len(set(ids))  # each once
        assert result.exit_code in (0, 1, 2), result.output
        exported = check_exports(home, ids)
        if batch.oracle == "any":
            return
        good = {entry.stored_id: entry for entry in batch.entries if entry.stored_id}
        assert set(ids) <= set(good)  # nothing broken was stored
        for article_id, record in exported.items():  # unknown fields exactly as they came
            assert record.get("extra", {}) == good[article_id].extra
        if batch.oracle == "prefix":
            return
        if not batch.readable:  # not JSON at all: refused whole
            assert result.exit_code == 2, result.output
            assert ids == []
            return
        rejected = sum(1 for e in batch.entries if not e.stored_id and not e.blank)
        assert result.exit_code == (1 if rejected else 0), result.output
        assert f"{rejected} rejected" in result.stdout
        assert sorted(ids) == sorted(good)


@given(batches())
def test_import_keeps_its_promise(batch):
    import_batch(batch)


@st.composite
def mutated(draw) -> Batch:
    """A generated batch with random bytes changed, inserted, dropped or repeated."""
    batch = draw(batches())
    name, content = batch.files[0]
    data = bytearray(content)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["change", "insert", "drop", "repeat"]))
        if action == "change" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif action == "drop":
            del data[at : at + draw(st.integers(1, 16))]
        else:
            data[at:at] = data[at : at + draw(st.integers(1, 16))]
    return Batch([(name, bytes(data))], batch.entries, oracle="any")


random_files = st.builds(
    lambda data, name, compress: Batch(
        [(name, gzipped(data) if compress else data)], [], oracle="any"
    ),
    st.binary(max_size=300),
    st.sampled_from(["any.json", "any.jsonl"]),
    st.booleans(),
)


@given(mutated() | random_files)
def test_import_of_damaged_or_random_bytes_never_breaks(batch):
    """Whatever the bytes: exit 0, 1 or 2, no traceback, nothing stored that was not a good
    record of the batch, and what was stored goes out as strict JSON."""
    import_batch(batch)


# -- the parts, with many more examples than the command line allows ----------------------------


@given(
    st.lists(json_values, max_size=8),
    st.integers(1, 64),
    st.sampled_from([None, 2]),
    st.booleans(),
)
def test_scanner_splits_arrays_as_json_reads_them(items, chunk_size, indent, ascii_only):
    text = json.dumps(items, indent=indent, ensure_ascii=ascii_only).encode()
    scanner = Scanner(io.BytesIO(BOM + text), limit=1 << 20, chunk_size=chunk_size)
    found = [json.loads(item.text) for item in scanner.array_items()]
    assert scanner.at_end()
    assert json.dumps(found) == json.dumps(items)


# Bytes that look like JSON's structure, to meet the scanner's every state at a chunk's edge.
json_shards = st.lists(
    st.sampled_from(
        [b"[", b"]", b"{", b"}", b'"', b"\\", b",", b":", b" ", b"\n", b"1", b"ab", b"\\u"]
    )
    | st.binary(max_size=3),
    max_size=60,
).map(lambda shards: b"[" + b"".join(shards))


def scanned(data: bytes, chunk_size: int) -> list:
    """What the scanner makes of ``data``, read ``chunk_size`` bytes at a time."""
    scanner = Scanner(io.BytesIO(data), limit=16, chunk_size=chunk_size)
    found: list = []
    try:
        found.extend(scanner.array_items())
        found.append(("end", scanner.at_end()))
    except StructureError as exc:
        found.append(("not JSON", str(exc)))
    return found


@given(json_shards | st.binary(max_size=100), st.integers(1, 8))
def test_scanner_reads_the_same_whatever_the_chunks(data, chunk_size):
    assert scanned(data, chunk_size) == scanned(data, 1 << 16)


@given(
    st.one_of(
        st.text(max_size=200),
        st.lists(
            ESCAPES | st.sampled_from(['"', "[", "]", "{", "}", ":", ",", "NaN", "1e400", "-"])
        )
        .map("".join)
        .map(lambda body: '{"a": "' + body + '"}'),
        json_values.map(json.dumps),
    )
)
def test_decode_keeps_a_value_exactly_or_says_why_not(text):
    try:
        value = decode(text)
    except JsonRejected as exc:
        assert str(exc)
        return
    again = json.dumps(value, ensure_ascii=False, allow_nan=False)
    again.encode("utf-8")
    assert decode(again) == value
