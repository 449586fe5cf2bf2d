"""``arkhiv follow``: the feeds the archive follows (``add``, ``list``, ``remove``) and reading
them (``run``). Each a few lines over :mod:`archive.followed` and :mod:`archive.following`."""

from __future__ import annotations

import json
import sys
import threading
from typing import TYPE_CHECKING

import click

from archive.followed import DEFAULT_DELAY, FeedError, FollowedFeeds
from archive.importer import import_lock
from index.segments import indexer
from webapp.cli_support import open_store, settings_from_env, writing

if TYPE_CHECKING:
    from archive.following import FollowReport


@click.group()
def follow() -> None:
    """Feeds the archive follows: RSS, Atom, JSON Feed, news sitemaps and sitemaps.

    Each new item's page is fetched politely (robots.txt, a delay per site, conditional
    requests; see ARKHIV_CONTACT) and its article stored as `arkhiv import` stores one."""


@follow.command("add")
@click.argument("url")
@click.option("--source", help="The outlet's name for its articles (default: the site's own).")
@click.option("--language", help="The feed's language (uk, en), where a page says none.")
@click.option(
    "--delay",
    type=float,
    default=DEFAULT_DELAY,
    show_default=True,
    help="Seconds between two requests to the feed's sites.",
)
def follow_add(url: str, source: str | None, language: str | None, delay: float) -> None:
    """Follow the feed at URL (again: change its source, language or delay)."""
    try:
        feed = FollowedFeeds(open_store(settings_from_env())).add(
            url, source=source, language=language, delay=delay
        )
    except FeedError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"following {feed.url} (a request every {feed.delay:g} s at most)")


@follow.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per feed.")
def follow_list(as_json: bool) -> None:
    """Every feed followed: its articles, when it was read, when it last gave a new article,
    and what went wrong last time."""
    feeds = FollowedFeeds(open_store(settings_from_env())).list()
    for feed in feeds:
        if as_json:
            click.echo(json.dumps(feed.as_dict(), ensure_ascii=False))
            continue
        state = f"failing: {feed.last_error}" if feed.last_error else "ok"
        click.echo(
            f"{feed.url}\t{feed.source or '-'}\t{feed.articles} articles\t"
            f"checked {feed.last_checked or 'never'}\tnew {feed.last_new or 'never'}\t{state}"
        )
    if not feeds and not as_json:
        click.echo("no feed is followed; `arkhiv follow add URL` follows one", err=True)


@follow.command("remove")
@click.argument("url")
def follow_remove(url: str) -> None:
    """Stop following URL (its articles stay in the archive)."""
    try:
        FollowedFeeds(open_store(settings_from_env())).remove(url)
    except FeedError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"no longer following {url}")


@follow.command("run")
@click.option("--once", is_flag=True, help="Read every feed once and stop.")
def follow_run(once: bool) -> None:
    """Read the feeds and store their new articles, then bring the index up to date.

    With --once, every feed is read once; exit 0: every feed was read, 1: some failed (each
    said on stderr). Without, the feeds are read as they fall due (ARKHIV_FOLLOW_EVERY) until
    interrupted."""
    from archive.following import Following  # the extractor loads in a second: only here

    settings = settings_from_env()
    store = open_store(settings)
    following = Following(store, settings)

    def searchable(report: FollowReport) -> None:
        _tell(report)
        if report.new_articles:
            with writing("follow"):
                _catch_up(settings, store)

    try:
        if once:
            with writing("follow"):
                report = following.run()
            searchable(report)
            sys.exit(report.exit_code)
        click.echo(
            f"following {len(following.feeds.list())} feeds, each read every "
            f"{settings.follow_every:g} s; Ctrl-C stops",
            err=True,
        )
        stop = threading.Event()
        try:
            following.follow(stop.wait, searchable)
        except KeyboardInterrupt:
            click.echo("stopped", err=True)
    finally:
        following.close()


def _catch_up(settings, store) -> None:
    """Make what was stored searchable, under the import lock as every writer of the index."""
    with import_lock(settings, on_wait=lambda message: click.echo(message, err=True)):
        indexer.catch_up(store, settings.index_dir)


def _tell(report: FollowReport) -> None:
    for reading in report.readings:
        if reading.failed:
            click.echo(f"failed: {reading.url}: {reading.error}", err=True)
        elif reading.not_modified:
            click.echo(f"{reading.url}: not modified")
        else:
            left = f", {reading.left} left for the next reading" if reading.left else ""
            click.echo(
                f"{reading.url}: {reading.new_articles} new articles "
                f"({reading.items} items, {reading.known} seen before{left})"
            )
        for error in reading.page_errors[:5]:
            click.echo(f"  page not taken: {error}", err=True)
        if len(reading.page_errors) > 5:
            click.echo(f"  … and {len(reading.page_errors) - 5} more pages not taken", err=True)
    failed = len(report.failed)
    click.echo(
        f"read {len(report.readings)} feeds: {report.new_articles} new articles, "
        f"{report.requests} requests ({report.not_modified} not modified)"
        + (f"; {failed} failed" if failed else "")
    )
