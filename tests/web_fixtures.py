"""Archives for the web tests: the demo fixtures imported into a temporary ``$ARKHIV_HOME`` by the
real ``arkhiv import`` (no mocks), and a live waitress server over one."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

# Debian's chromium, as every browser test and the screenshots launch it (Playwright cannot
# download browsers here).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
DEMO_FILES = ("seed.json", "articles.jsonl")
ARKHIV = Path(sys.executable).parent / "arkhiv"

# Pages that show the hostile articles of fixtures/xss.jsonl, or hostile text from the query.
XSS_PAGES = [
    "/?q=budget",
    "/?q=budget&per_page=100&facet_size=1000",
    "/?per_page=100",
    "/article/xss-title-script",
    "/article/xss-body-img",
    "/article/xss-body-link",
    "/article/xss-meta-markup",
    "/?q=%3Cscript%3Ealert(1)%3C/script%3E",
    "/?q=(%3Cscript%3Ealert(1)%3C/script%3E",  # a notice that quotes the query
    "/?from=%3Cscript%3Ealert(1)%3C/script%3E",  # a refusal that quotes the value
]


def import_fixtures(home: Path, *names: str) -> Path:
    """Import fixture files (default: the demo archive) into ``home`` with ``arkhiv import``."""
    files = [str(FIXTURES / name) for name in (names or DEMO_FILES)]
    env = {**os.environ, "ARKHIV_HOME": str(home)}
    done = subprocess.run(
        [str(ARKHIV), "import", "--no-progress", *files],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return home


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    server: object
    thread: threading.Thread

    def stop(self) -> None:
        time.sleep(0.2)  # let waitress finish the last answer before closing
        self.server.close()
        self.thread.join(timeout=10)


def start_server(home: Path) -> LiveServer:
    """The app on waitress (as ``arkhiv serve`` runs it) in a thread, on a free port."""
    from waitress.server import create_server

    from webapp.app import create_app

    app = create_app({"ARKHIV_HOME": str(home)})
    port = free_port()
    server = create_server(app, host="127.0.0.1", port=port, threads=4, ident="arkhiv")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/api/search?per_page=1", timeout=2).read()
            break
        except OSError:
            time.sleep(0.05)
    return LiveServer(url, server, thread)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        import json

        return json.loads(self.body)


def http(method: str, url: str, body: bytes | None = None, headers: dict | None = None, timeout=60):
    """One request with any method and body; the answer whatever its status."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Answer(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Answer(error.code, dict(error.headers), error.read())


@dataclass
class ServedArchive:
    """``arkhiv serve`` running over a home, as an operator runs it (its follower included)."""

    home: Path
    url: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> str:
        """Stop the server (SIGTERM); returns what it wrote on stderr."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)
        return self.log.read_text()


def serve_archive(home: Path, log: Path, threads: int = 4, **env: str) -> ServedArchive:
    """Start ``arkhiv serve`` over ``home`` on a free port (``env``: more settings) and wait
    until it answers."""
    port = free_port()
    with open(log, "w") as stderr:
        process = subprocess.Popen(
            [str(ARKHIV), "serve", "--port", str(port), "--threads", str(threads)],
            env={**os.environ, "ARKHIV_HOME": str(home), **env},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    served = ServedArchive(home, f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"arkhiv serve exited: {log.read_text()}")
        try:
            urllib.request.urlopen(served.url + "/healthz", timeout=5).read()
            return served
        except OSError:
            time.sleep(0.1)
    served.stop()
    raise AssertionError("arkhiv serve did not answer")


def wait_until(predicate, timeout: float = 30.0, every: float = 0.1) -> float:
    """Seconds until ``predicate()`` held (an assertion error past ``timeout``)."""
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < timeout, "not within the time allowed"
        time.sleep(every)
    return time.monotonic() - started


def serve_with_token(folder: Path, token_name: str) -> ServedArchive:
    """The fixtures served by ``arkhiv serve`` in ``folder``, with a token made for
    ``token_name`` whose secret is the server's ``secret``."""
    home = import_fixtures(folder / "home")
    created = subprocess.run(
        [str(ARKHIV), "token", "create", token_name],
        env={**os.environ, "ARKHIV_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert created.returncode == 0, created.stderr
    server = serve_archive(home, folder / "serve.log")
    server.secret = created.stdout.splitlines()[-1]
    return server
