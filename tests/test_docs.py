"""The documents hold: README.md and docs/*.md link only to what exists, name no machine's
folders, name repository files that exist, and their console examples run.

A console example is a fenced block of ``console`` whose commands start with ``$ `` (a line ending
in a backslash goes on to the next); the lines between commands are their output, shown for the
reader. The examples of one document run in order, in one shell, in a working folder holding
``fixtures/``, with ``$ARKHIV_HOME`` an archive of the demo fixtures that ``arkhiv serve`` serves;
``http://localhost:5000`` (or ``127.0.0.1``) is that server. Each command must exit 0; each
``curl`` must answer 2xx, or exactly the status its shown output starts with
(``HTTP/1.1 400 BAD REQUEST``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.web_fixtures import ARKHIV, ROOT, http, import_fixtures, serve_archive

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# The server the documents name (`make run` serves on 127.0.0.1:5000; localhost reaches it).
DOCUMENTED_URLS = ("http://localhost:5000", "http://127.0.0.1:5000")

FENCE = re.compile(r"^(```|~~~)")
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^()\s]+)(?:\s+\"[^\"]*\")?\)")
CODE_SPAN = re.compile(r"`([^`\n]+)`")
# A folder of someone's machine: the place a document's reader is least likely to have.
MACHINE_PATH = re.compile(r"(?<![\w.])/(?:work|home|root|tmp|Users|mnt|media|var/folders)/")
# Code spans that name a file or folder of the repository.
REPOSITORY_PATH = re.compile(r"^(?:archive|index|webapp|bench|tests|fixtures|docs)/[\w./-]*$")
# Made by a command, not kept in the repository (see .gitignore).
GENERATED = {"bench/results/"}
BENCH_MODULE = re.compile(r"\bbench\.([a-z_]+)\b")
HTTP_STATUS = re.compile(r"^HTTP/[\d.]+ (\d{3})\b")


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def prose_lines(path: Path) -> list[tuple[int, str]]:
    """The lines of a document outside fenced blocks, with their numbers."""
    lines, fenced = [], False
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if FENCE.match(line.lstrip()):
            fenced = not fenced
        elif not fenced:
            lines.append((number, line))
    return lines


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: its text as shown, lower case, punctuation dropped,
    spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link counts by its text
    text = text.replace("`", "").replace("*", "").strip().lower()
    kept = "".join(
        char
        for char in text
        if char in " -_" or unicodedata.category(char)[0] in "LN"  # letters, digits
    )
    return kept.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading's anchor, a repeated one numbered as GitHub numbers it (``-1``, ``-2``)."""
    seen: dict[str, int] = {}
    found = set()
    for _, line in prose_lines(path):
        heading = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not heading:
            continue
        base = slug(heading.group(1))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


@pytest.mark.parametrize("document", DOCUMENTS, ids=relative)
def test_links_resolve(document: Path) -> None:
    broken = []
    for number, line in prose_lines(document):
        for target in LINK.findall(line):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
                continue
            file_part, _, anchor = target.partition("#")
            linked = (document.parent / file_part).resolve() if file_part else document
            where = f"{relative(document)}:{number}: {target}"
            if not linked.exists():
                broken.append(f"{where}: no such file")
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
                broken.append(f"{where}: no heading #{anchor} in {linked.name}")
            elif anchor and linked.suffix != ".md":
                broken.append(f"{where}: an anchor into a file that is not a document")
    assert not broken, "\n".join(broken)


def test_every_document_is_linked_from_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    unlinked = [relative(doc) for doc in DOCUMENTS[1:] if f"]({relative(doc)})" not in readme]
    assert not unlinked, f"not linked from README.md: {unlinked}"


@pytest.mark.parametrize("document", DOCUMENTS, ids=relative)
def test_each_document_opens_with_its_reader(document: Path) -> None:
    lines = [line for line in document.read_text().splitlines() if line.strip()]
    assert lines[0].startswith("# "), "a document opens with its title"
    if document.parent.name == "docs":
        assert lines[1].startswith("For "), "the line after the title says who it is for"


@pytest.mark.parametrize("document", DOCUMENTS, ids=relative)
def test_no_machine_paths(document: Path) -> None:
    found = [
        f"{relative(document)}:{number}: {line.strip()}"
        for number, line in enumerate(document.read_text().splitlines(), 1)
        if MACHINE_PATH.search(line)
    ]
    assert not found, "a folder of one machine:\n" + "\n".join(found)


@pytest.mark.parametrize("document", DOCUMENTS, ids=relative)
def test_repository_paths_exist(document: Path) -> None:
    missing = []
    for number, line in prose_lines(document):
        for span in CODE_SPAN.findall(line):
            named = REPOSITORY_PATH.match(span) and span not in GENERATED
            if named and not (ROOT / span).exists():
                missing.append(f"{relative(document)}:{number}: `{span}`")
        for module in BENCH_MODULE.findall(line):
            if not (ROOT / "bench" / f"{module}.py").exists():
                missing.append(f"{relative(document)}:{number}: bench.{module}")
    assert not missing, "named but not in the repository:\n" + "\n".join(missing)


def test_architecture_names_every_module() -> None:
    """docs/architecture.md says what each module of the three packages is for."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    modules = [
        relative(module)
        for package in ("archive", "index", "webapp")
        for module in sorted((ROOT / package).rglob("*.py"))
        if module.name != "__init__.py"
    ]
    unnamed = [module for module in modules if f"`{module}`" not in text]
    assert not unnamed, f"modules docs/architecture.md does not name: {unnamed}"


# -- the console examples ---------------------------------------------------------------------


@dataclass
class Command:
    line: int  # where it starts in its document
    text: str  # as the shell reads it (continuations joined by the shell itself)
    shown: list[str]  # the output shown after it


def console_commands(path: Path) -> list[Command]:
    commands: list[Command] = []
    in_console = continued = False
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if FENCE.match(line.lstrip()):
            in_console = not in_console and line.strip() in ("```console", "~~~console")
            continued = False
        elif in_console and continued:
            commands[-1].text += "\n" + line
            continued = line.endswith("\\")
        elif in_console and line.startswith("$ "):
            commands.append(Command(number, line[2:], []))
            continued = line.endswith("\\")
        elif in_console and commands:
            commands[-1].shown.append(line)
    return commands


EXAMPLES = [doc for doc in DOCUMENTS if console_commands(doc)]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo archive served by ``arkhiv serve``, and a working folder with ``fixtures/``."""
    base = tmp_path_factory.mktemp("docs")
    home = import_fixtures(base / "home", "seed.json", "articles.jsonl", "copies.jsonl")
    served = serve_archive(home, base / "serve.log", ARKHIV_FOLLOW="0")
    yield served
    served.stop()


def test_there_are_examples_to_run() -> None:
    assert len(EXAMPLES) >= 4, EXAMPLES
    assert sum(len(console_commands(doc)) for doc in EXAMPLES) >= 30


SERVED_LINK = re.compile(r"<?(https?://(?:localhost|127\.0\.0\.1):5000[^\s<>)`\"']*)")


def served_links() -> list[tuple[str, int, str]]:
    """Links to the documented server in the documents' prose: (document, line, URL)."""
    return [
        (relative(document), number, url)
        for document in DOCUMENTS
        for number, line in prose_lines(document)
        for url in SERVED_LINK.findall(line)
    ]


def test_links_to_the_server_answer(demo) -> None:
    """The pages a document sends its reader to (the README's "try ...") answer 200 from the
    demo archive."""
    links = served_links()
    assert links, "no document links to the served archive"
    failed = []
    for name, number, url in links:
        path = url.split(":5000", 1)[1] or "/"
        answer = http("GET", demo.url + quote(path, safe="/?=&%:+"))
        if answer.status != 200:
            failed.append(f"{name}:{number}: {url} answered {answer.status}")
    assert not failed, "\n".join(failed)


@pytest.mark.skipif(shutil.which("curl") is None, reason="the examples call curl, not installed")
@pytest.mark.parametrize("document", EXAMPLES, ids=relative)
def test_console_examples_run(document: Path, demo, tmp_path: Path) -> None:
    commands = console_commands(document)
    (tmp_path / "fixtures").symlink_to(ROOT / "fixtures")
    # Each curl also reports its status on stderr, after a marker naming its command.
    script = [
        "set -eo pipefail",
        "curl() { command curl --write-out '%{stderr}::status %{http_code}\\n' \"$@\"; }",
        "trap 'echo \"::failed $BASH_COMMAND\" >&2' ERR",
    ]
    for index, command in enumerate(commands):
        script.append(f"echo '::command {index}' >&2")
        text = command.text
        for documented in DOCUMENTED_URLS:
            text = text.replace(documented, demo.url)
        script.append(text)
    env = {
        **os.environ,
        "ARKHIV_HOME": str(demo.home),
        "ARKHIV_FOLLOW": "0",
        "PATH": f"{ARKHIV.parent}{os.pathsep}{os.environ['PATH']}",
    }
    done = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    statuses: dict[int, list[int]] = {}
    current = -1
    for line in done.stderr.splitlines():
        if line.startswith("::command "):
            current = int(line.split()[1])
        elif line.startswith("::status "):
            statuses.setdefault(current, []).append(int(line.split()[1]))
    name = relative(document)
    if done.returncode != 0:
        failed = commands[current]
        pytest.fail(
            f"{name}:{failed.line}: `{failed.text}` exited {done.returncode}\n{done.stderr[-3000:]}"
        )
    for index, command in enumerate(commands):
        if not re.search(r"(^|[\s;|&(])curl\s", command.text):
            continue
        shown = [int(m.group(1)) for line in command.shown if (m := HTTP_STATUS.match(line))]
        answered = statuses.get(index, [])
        assert answered, f"{name}:{command.line}: curl answered nothing"
        for status in answered:
            expected = f"{shown[0]}" if shown else "2xx"
            ok = status == shown[0] if shown else 200 <= status < 300
            assert ok, f"{name}:{command.line}: `{command.text}` answered {status}, not {expected}"
