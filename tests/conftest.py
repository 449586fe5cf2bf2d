"""Shared fixtures: a small archive in a temporary folder, built through the real code paths."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# The fuzzer's profiles (tests/test_fuzz_import.py): a short run in `make test`, a long one in
# `make fuzz` (HYPOTHESIS_PROFILE=fuzz). Generated imports are slow next to Hypothesis's usual
# examples: no deadline, and no complaint about it.
_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile("short", max_examples=20, deadline=None, suppress_health_check=_SLOW)
settings.register_profile("fuzz", max_examples=3000, deadline=None, suppress_health_check=_SLOW)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "short"))

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
DEMO_FILES = (FIXTURES / "seed.json", FIXTURES / "articles.jsonl")


def article(i: int, **extra) -> dict:
    """A small English article about the budget, numbered ``i`` (fields overridable)."""
    return {
        "id": f"a-{i}",
        "title": f"Article {i} about the budget",
        "body": f"Body of article {i}. The council discussed the budget and the schools.",
        "language": "en",
        "published": f"20{10 + i % 15}-0{1 + i % 9}-1{i % 9}",
        "authors": [f"Author {i % 7}"],
        "tags": ["budget", f"tag{i % 5}"],
        "source": f"Outlet {i % 3}",
        **extra,
    }


def write_jsonl(path: Path, records) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return path


def corpus_dir() -> Path:
    return Path(os.environ.get("ARKHIV_CORPUS", ROOT.parent / "shared" / "corpus"))


def corpus_files() -> list[Path]:
    return sorted(corpus_dir().glob("*.jsonl"))


needs_corpus = pytest.mark.skipif(
    not corpus_files(),
    reason=f"the real corpus is not at {corpus_dir()} (set ARKHIV_CORPUS to where it is)",
)


def arkhiv_command() -> list[str]:
    executable = shutil.which("arkhiv", path=str(Path(sys.executable).parent))
    return [executable] if executable else [sys.executable, "-m", "webapp.cli"]


def run_arkhiv(home: Path, *args: str, input: str | None = None, timeout: float = 600):
    """Run the real command line with ``ARKHIV_HOME=home``."""
    env = {**os.environ, "ARKHIV_HOME": str(home)}
    return subprocess.run(
        [*arkhiv_command(), *args],
        env=env,
        capture_output=True,
        text=True,
        input=input,
        timeout=timeout,
        cwd=ROOT,
    )


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server of its own in a temporary folder, for the whole session (skips, with
    the reason, only where PostgreSQL's binaries are not installed)."""
    from tests.pg_server import PgServer, binaries

    if binaries() is None:
        pytest.skip("PostgreSQL is not installed (make test installs Debian's postgresql)")
    server = PgServer().start()
    yield server
    server.stop()


@pytest.fixture
def database_url(postgres) -> str:
    """An empty PostgreSQL store of its own for one test."""
    return postgres.new_schema()


STORE_KINDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc):
    # A module marked both_stores runs each of its tests on SQLite and on PostgreSQL.
    if metafunc.definition.get_closest_marker("both_stores") and "store_kind" in (
        metafunc.fixturenames
    ):
        metafunc.parametrize("store_kind", STORE_KINDS, indirect=True)


@pytest.fixture
def store_kind(request) -> str:
    """Which store the test's home uses: SQLite unless the test is parametrised."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def home(tmp_path: Path, store_kind: str, request, monkeypatch) -> Path:
    """A new ``$ARKHIV_HOME``; on PostgreSQL, ARKHIV_DATABASE_URL names a new empty store (for
    this process and the commands it runs)."""
    if store_kind == "postgresql":
        monkeypatch.setenv("ARKHIV_DATABASE_URL", request.getfixturevalue("database_url"))
    else:
        monkeypatch.delenv("ARKHIV_DATABASE_URL", raising=False)
    return tmp_path / "home"


def home_store(home: Path):
    """The store of ``home`` as the command line opens it (SQLite in it, or ARKHIV_DATABASE_URL)."""
    from archive.config import load_settings
    from archive.stores import open_store

    return open_store(load_settings(home))


@pytest.fixture
def settings(home: Path):
    from archive.config import Settings

    return Settings(home=home, database_url=os.environ.get("ARKHIV_DATABASE_URL") or None)


@pytest.fixture
def store(settings):
    from archive.stores import open_store

    with open_store(settings) as opened:
        yield opened


@pytest.fixture(scope="session")
def demo_archive(tmp_path_factory) -> Path:
    """A home with the demo archive (fixtures/) imported and indexed, shared by read-only tests."""
    home = tmp_path_factory.mktemp("demo") / "home"
    result = run_arkhiv(home, "import", "--no-progress", *map(str, DEMO_FILES))
    assert result.returncode == 0, result.stderr
    return home


@pytest.fixture(scope="session")
def demo_index(demo_archive: Path):
    from archive.store import Store
    from index.searching.search import SearchIndex

    store = Store(demo_archive / "archive.sqlite3")
    return SearchIndex(demo_archive / "index", store)
