"""What the ``arkhiv`` commands share: settings, the store, failed writes as one sentence and an
exit code, and the search options of ``export`` and ``delete``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

import click

from archive.config import ConfigError, Settings, load_settings
from archive.store import Store, StoreError
from archive.stores import STORE_ERRORS
from archive.stores import open_store as open_configured_store
from index.searching.request import FACET_PARAMS, RequestError, SearchRequest, request_from_mapping
from index.segments import indexer
from index.segments.layout import IndexMissing

# Exit codes beyond click's own (0 done, 1 a difference or some records rejected, 2 usage or
# nothing readable): the archive itself could not be written (a full disk, a damaged store).
EXIT_WRITE_FAILED = 3


def settings_from_env() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def open_store(settings: Settings) -> Store:
    try:
        return open_configured_store(settings)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    except STORE_ERRORS as exc:
        raise click.ClickException(f"the store cannot be opened: {exc}") from None


@contextmanager
def writing(command: str):
    """Report a failed write of the store or the index as one sentence and exit 3."""
    try:
        yield
    except (indexer.IndexWriteError, IndexMissing) as exc:
        click.echo(f"arkhiv {command}: {exc}", err=True)
        sys.exit(EXIT_WRITE_FAILED)
    except STORE_ERRORS as exc:
        click.echo(
            f"arkhiv {command}: the store could not be written: {exc}. Every batch committed "
            "before it is kept; run the command again when the cause is mended.",
            err=True,
        )
        sys.exit(EXIT_WRITE_FAILED)


SEARCH_PARAMS = ("q", "language", "source", "author", "tag", "date_from", "date_to", "sort")


def search_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options of a search, as on the search page (``-q``, filters, dates, sort)."""
    options = [
        click.option("-q", "--query", "q", default="", help="The search, as typed on the page."),
        click.option("--language", multiple=True, help="Filter by language (repeatable)."),
        click.option("--source", multiple=True, help="Filter by outlet (repeatable)."),
        click.option("--author", multiple=True, help="Filter by author (repeatable)."),
        click.option("--tag", multiple=True, help="Filter by tag (repeatable)."),
        click.option(
            "--from", "date_from", help="Published on or after (2016, 2016-05, 2016-05-12)."
        ),
        click.option("--to", "date_to", help="Published on or before."),
        click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"])),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def search_request(q, language, source, author, tag, date_from, date_to, sort) -> SearchRequest:
    """The search the options of :func:`search_options` describe (a usage error if bad)."""
    try:
        return request_from_mapping(
            {
                "q": q,
                "language": list(language),
                "source": list(source),
                "author": list(author),
                "tag": list(tag),
                "from": date_from,
                "to": date_to,
                "sort": sort,
            }
        )
    except RequestError as exc:
        raise click.UsageError(str(exc)) from None


def is_everything(request: SearchRequest) -> bool:
    """Whether a search admits every article (no query, no filter, no dates)."""
    filtered = any(request.selected(facet) for facet in FACET_PARAMS)
    return not (request.q or filtered or request.date_from or request.date_to)
