"""Where the archive lives and the settings read from the environment.

Everything the archive writes lives under ``$ARKHIV_HOME`` (default ``./arkhiv-data``).
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigError(ValueError):
    """A setting from the environment cannot be used."""


def _languages_from_env() -> tuple[str, ...]:
    raw = os.environ.get("ARKHIV_LANGUAGES", "uk,en,ru")
    languages = tuple(code.strip().lower() for code in raw.split(",") if code.strip())
    if not languages:
        raise ConfigError("ARKHIV_LANGUAGES: expected a comma-separated list such as uk,en,ru")
    return languages


def _zone_from_env() -> ZoneInfo:
    name = os.environ.get("ARKHIV_TIMEZONE", "UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"ARKHIV_TIMEZONE: unknown time zone {name!r}") from exc


# The host names a request may carry (Host header) when ARKHIV_TRUSTED_HOSTS is unset: this
# machine. Links in feeds and redirects are built from the request's host, so only these.
DEFAULT_TRUSTED_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def _trusted_hosts_from_env() -> tuple[str, ...]:
    raw = os.environ.get("ARKHIV_TRUSTED_HOSTS")
    if raw is None:
        return DEFAULT_TRUSTED_HOSTS
    hosts = tuple(host.strip().lower() for host in raw.split(",") if host.strip())
    if not hosts:
        raise ConfigError(
            "ARKHIV_TRUSTED_HOSTS: expected a comma-separated list of host names, "
            "such as archive.example.org,localhost"
        )
    return hosts


DEFAULT_MAX_UPLOAD_MB = 100


def _whole_number_from_env(name: str, default: int, what: str, highest: int | None = None) -> int:
    """``$name`` as a whole number of ``what``, 1 or more (at most ``highest``)."""
    raw = os.environ.get(name, str(default)).strip()
    try:
        number = int(raw)
    except ValueError:
        number = 0
    if number < 1 or (highest is not None and number > highest):
        most = f" (at most {highest:,})" if highest is not None else ""
        raise ConfigError(
            f"{name}: expected a whole number of {what}, 1 or more{most}, got {raw!r}"
        )
    return number


def _max_upload_mb_from_env() -> int:
    return _whole_number_from_env("ARKHIV_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB, "megabytes")


def _database_url_from_env() -> str | None:
    """``ARKHIV_DATABASE_URL``: unset (or empty) for SQLite in the home, else a PostgreSQL URL."""
    raw = os.environ.get("ARKHIV_DATABASE_URL", "").strip()
    if not raw:
        return None
    if not raw.startswith(("postgresql://", "postgres://")):
        raise ConfigError(
            "ARKHIV_DATABASE_URL: expected postgresql://user:password@host:port/database "
            "(or unset for SQLite in ARKHIV_HOME)"
        )
    return raw


def _flag_from_env(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "yes", "on", "true"):
        return True
    if raw in ("0", "no", "off", "false"):
        return False
    raise ConfigError(f"{name}: expected 1 or 0, got {raw!r}")


def _number_from_env(name: str, default: float, least: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = least - 1
    if not value >= least:  # also refuses NaN
        raise ConfigError(f"{name}: expected a number, at least {least:g}, got {raw!r}")
    return value


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def _log_level_from_env() -> str:
    level = os.environ.get("ARKHIV_LOG_LEVEL", "WARNING").strip().upper()
    if level not in LOG_LEVELS:
        raise ConfigError(
            f"ARKHIV_LOG_LEVEL: {level!r} is not a level; use one of {', '.join(LOG_LEVELS)}"
        )
    return level


def _contact_from_env() -> str | None:
    raw = os.environ.get("ARKHIV_CONTACT", "").strip()
    # It goes into a header: a line break or a control character would end it.
    if any(ord(char) < 32 or ord(char) == 127 for char in raw) or not raw.isascii():
        raise ConfigError("ARKHIV_CONTACT: expected an e-mail address or URL in plain ASCII")
    return raw or None


def _fetch_private_from_env() -> bool | tuple[str, ...]:
    """``ARKHIV_FETCH_PRIVATE``: 1 (every address), 0 or unset (public ones only), or the
    networks allowed besides the public internet."""
    raw = os.environ.get("ARKHIV_FETCH_PRIVATE", "").strip()
    if "/" not in raw and "." not in raw and ":" not in raw:
        return _flag_from_env("ARKHIV_FETCH_PRIVATE", False)
    networks = []
    for part in raw.split(","):
        try:
            networks.append(str(ipaddress.ip_network(part.strip(), strict=False)))
        except ValueError:
            raise ConfigError(
                "ARKHIV_FETCH_PRIVATE: expected 1, 0, or networks such as 10.1.0.0/16,"
                f"127.0.0.1/32; {part.strip()!r} is not one"
            ) from None
    return tuple(networks)


# Following feeds (archive.following): how often each feed is read, how long a fetch may take,
# and how large a page may be.
DEFAULT_FOLLOW_EVERY = 900.0
DEFAULT_FETCH_TIMEOUT = 20.0
DEFAULT_FETCH_MAX_MB = 10.0
DEFAULT_IMPORT_BATCH = 5_000
# A batch is held in memory until it is committed: a hundred thousand articles is a few hundred MB.
MAX_IMPORT_BATCH = 100_000


@dataclass(frozen=True)
class Settings:
    """The archive's settings. Build with :func:`load_settings` or directly in tests."""

    home: Path
    default_zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    languages: tuple[str, ...] = ("uk", "en", "ru")
    trusted_hosts: tuple[str, ...] = DEFAULT_TRUSTED_HOSTS
    # The largest body POST /api/articles takes, inflated (ARKHIV_MAX_UPLOAD_MB).
    max_upload_mb: int = DEFAULT_MAX_UPLOAD_MB
    # ARKHIV_DATABASE_URL: None for SQLite at store_path, else the PostgreSQL store shared by
    # every node (each node keeps its own index under its home).
    database_url: str | None = None
    # ARKHIV_COPIES=0: store articles without looking for their copies (see archive.copies);
    # `arkhiv copies --update` finds them later.
    detect_copies: bool = True
    # ARKHIV_CONTACT: an e-mail address or URL, named in the User-Agent of every request made
    # while following feeds, so that a site's operator can reach whoever runs this archive.
    contact: str | None = None
    # ARKHIV_FETCH_PRIVATE=1: fetching may reach loopback, private and link-local addresses (an
    # intranet's feeds, a test's own server); off, a feed cannot point the archive at them.
    # A list of networks instead (10.1.0.0/16,127.0.0.1/32) allows those only.
    fetch_private: bool = False
    fetch_private_networks: tuple[str, ...] = ()
    # ARKHIV_FOLLOW=0: `arkhiv serve` does not follow the feeds (`arkhiv follow run` still does).
    follow: bool = True
    # ARKHIV_FOLLOW_EVERY: seconds between two readings of one feed while serving.
    follow_every: float = DEFAULT_FOLLOW_EVERY
    # ARKHIV_FETCH_TIMEOUT: seconds a fetch may wait for a connection or the next bytes, and
    # four times that for a whole page; ARKHIV_FETCH_MAX_MB: the largest page or feed taken.
    fetch_timeout: float = DEFAULT_FETCH_TIMEOUT
    fetch_max_mb: float = DEFAULT_FETCH_MAX_MB
    # ARKHIV_IMPORT_BATCH: articles per transaction of `arkhiv import`. Larger is faster (each
    # commit writes the pages it changed once: the copy bands' are spread over the whole table);
    # an import killed keeps every batch it committed.
    import_batch: int = DEFAULT_IMPORT_BATCH
    # ARKHIV_LOG_LEVEL: what `arkhiv serve` logs; INFO adds each index generation opened and how
    # long it took.
    log_level: str = "WARNING"

    @property
    def fetch_max_bytes(self) -> int:
        return int(self.fetch_max_mb * 1024 * 1024)

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    @property
    def store_path(self) -> Path:
        return self.home / "archive.sqlite3"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def import_lock_path(self) -> Path:
        return self.home / "import.lock"

    @property
    def uploads_dir(self) -> Path:
        """Where request bodies are spooled while they are imported (beside the store, not in a
        temporary folder that may be memory)."""
        return self.home / "uploads"


def load_settings(home: str | os.PathLike[str] | None = None) -> Settings:
    """Settings from the environment; ``home`` overrides ``$ARKHIV_HOME``."""
    home_path = Path(home or os.environ.get("ARKHIV_HOME") or "arkhiv-data")
    private = _fetch_private_from_env()
    return Settings(
        home=home_path.resolve(),
        default_zone=_zone_from_env(),
        languages=_languages_from_env(),
        trusted_hosts=_trusted_hosts_from_env(),
        max_upload_mb=_max_upload_mb_from_env(),
        database_url=_database_url_from_env(),
        detect_copies=os.environ.get("ARKHIV_COPIES", "1").strip().lower()
        not in ("0", "no", "off", "false"),
        contact=_contact_from_env(),
        fetch_private=private is True,
        fetch_private_networks=private if isinstance(private, tuple) else (),
        follow=_flag_from_env("ARKHIV_FOLLOW", True),
        follow_every=_number_from_env("ARKHIV_FOLLOW_EVERY", DEFAULT_FOLLOW_EVERY, 1),
        fetch_timeout=_number_from_env("ARKHIV_FETCH_TIMEOUT", DEFAULT_FETCH_TIMEOUT, 0.1),
        fetch_max_mb=_number_from_env("ARKHIV_FETCH_MAX_MB", DEFAULT_FETCH_MAX_MB, 0.01),
        import_batch=_whole_number_from_env(
            "ARKHIV_IMPORT_BATCH", DEFAULT_IMPORT_BATCH, "articles", MAX_IMPORT_BATCH
        ),
        log_level=_log_level_from_env(),
    )
