"""The commands of running an archive as a newsroom does: tokens for writing over HTTP,
takedowns (``delete``, ``undelete``, ``deletions``) and ``backup``. Each a few lines over
:mod:`archive.tokens`, :mod:`archive.takedowns` and :mod:`archive.backup`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from archive.backup import BackupError, backup
from archive.importer import import_lock
from archive.takedowns import DELETED, NOT_FOUND, PURGED, RESTORED, UNBLOCKED, Takedowns
from archive.tokens import TokenError, Tokens
from index.segments import indexer
from webapp.cli_support import (
    is_everything,
    open_store,
    search_options,
    search_request,
    settings_from_env,
    writing,
)

# -- tokens ---------------------------------------------------------------------------------------


@click.group()
def token() -> None:
    """Tokens that may write over HTTP (POST and DELETE /api/articles)."""


@token.command("create")
@click.argument("name")
def token_create(name: str) -> None:
    """Create a token called NAME and print its secret, once (the store keeps only a hash)."""
    try:
        secret = Tokens(open_store(settings_from_env())).create(name)
    except TokenError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"token {name!r} created; its secret is below and is not shown again:")
    click.echo(secret)


@token.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per token.")
def token_list(as_json: bool) -> None:
    """Every token: its name, when it was created and last used."""
    tokens = Tokens(open_store(settings_from_env())).list()
    for found in tokens:
        if as_json:
            click.echo(json.dumps(found.__dict__))
        else:
            click.echo(
                f"{found.name}\tcreated {found.created_at}\t"
                f"last used {found.last_used_at or 'never'}"
            )
    if not tokens and not as_json:
        click.echo("no tokens; `arkhiv token create NAME` makes one", err=True)


@token.command("revoke")
@click.argument("name")
def token_revoke(name: str) -> None:
    """Revoke the token called NAME: its next request is refused."""
    try:
        Tokens(open_store(settings_from_env())).revoke(name)
    except TokenError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"token {name!r} revoked")


# -- takedowns ------------------------------------------------------------------------------------


def _matching_ids(settings, store, request) -> list[tuple[str, str]]:
    from index.searching.search import SearchIndex
    from index.searching.views import IndexUnavailable

    index = SearchIndex(settings.index_dir, store)
    try:
        return [(article.id, article.title) for article in index.matching_articles(request)]
    except IndexUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        index.close()


@click.command()
@click.argument("ids", nargs=-1)
@search_options
@click.option("--reason", default="", help="Why (kept in the log; shown when it is re-sent).")
@click.option("--dry-run", is_flag=True, help="Say how many and which; take nothing down.")
@click.option("--purge", is_flag=True, help="Also erase the text for good (the block stays).")
def delete(ids, q, language, source, author, tag, date_from, date_to, sort, reason, dry_run, purge):
    """Take articles down: the IDS given, or every article a search finds.

    They leave search, facets, exports, feeds and related articles; their pages answer 410; and
    importing or posting them again is refused until `arkhiv undelete`."""
    settings = settings_from_env()
    store = open_store(settings)
    request = search_request(q, language, source, author, tag, date_from, date_to, sort)
    searched = not is_everything(request)
    if ids and searched:
        raise click.UsageError("give ids or search options, not both")
    if not ids and not searched:
        raise click.UsageError("give the ids to take down, or search options that select them")
    chosen = _matching_ids(settings, store, request) if searched else [(i, "") for i in ids]
    if dry_run:
        for article_id, title in chosen:
            click.echo(f"{article_id}\t{title}".rstrip())
        click.echo(f"dry run: {len(chosen):,} articles would be taken down", err=True)
        return
    takedowns = Takedowns(store)
    chosen_ids = [article_id for article_id, _ in chosen]
    with writing("delete"), import_lock(settings, on_wait=lambda m: click.echo(m, err=True)):
        act = takedowns.purge if purge else takedowns.delete
        outcomes = act(chosen_ids, reason=reason)
        indexer.catch_up(store, settings.index_dir)
        if purge:
            indexer.expunge(settings.index_dir)
    missing = [o.id for o in outcomes if o.status == NOT_FOUND]
    for outcome in outcomes:
        if outcome.status != NOT_FOUND:
            click.echo(f"{outcome.status}\t{outcome.id}")
    for article_id in missing:
        click.echo(f"arkhiv delete: there is no article with id {article_id!r}", err=True)
    done = sum(o.status in (DELETED, PURGED) for o in outcomes)
    click.echo(f"{done:,} {'purged' if purge else 'taken down'}", err=True)
    if purge and not takedowns.log_emptied:
        click.echo(
            "arkhiv delete: the store's write-ahead log could not be emptied now (a reader held "
            "it): it may keep earlier copies of the text until the next checkpoint; run the "
            "purge again when the archive is quiet",
            err=True,
        )
    sys.exit(1 if missing else 0)


@click.command()
@click.argument("ids", nargs=-1, required=True)
def undelete(ids: tuple[str, ...]) -> None:
    """Lift the takedown of IDS: each comes back as it was (a purged one only stops being
    refused: its text is gone)."""
    settings = settings_from_env()
    store = open_store(settings)
    takedowns = Takedowns(store)
    with writing("undelete"), import_lock(settings, on_wait=lambda m: click.echo(m, err=True)):
        outcomes = [takedowns.undelete(article_id) for article_id in ids]
        indexer.catch_up(store, settings.index_dir)
    failed = False
    for outcome in outcomes:
        if outcome.status == RESTORED:
            click.echo(f"restored\t{outcome.id}")
        elif outcome.status == UNBLOCKED:
            click.echo(f"unblocked\t{outcome.id}\t(purged: import it again to bring it back)")
        else:
            failed = True
            click.echo(f"arkhiv undelete: {outcome.id!r} is not taken down", err=True)
    sys.exit(1 if failed else 0)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--limit", type=int, help="Only the newest N.")
def deletions(as_json: bool, limit: int | None) -> None:
    """Who took down, undeleted or purged what, when and why (newest first)."""
    entries = Takedowns(open_store(settings_from_env())).log(limit)
    for entry in entries:
        if as_json:
            click.echo(json.dumps(entry.__dict__, ensure_ascii=False))
        else:
            why = f"\t{entry.reason}" if entry.reason else ""
            click.echo(f"{entry.at}\t{entry.action}\t{entry.id}\tby {entry.by}{why}")
    if not entries and not as_json:
        click.echo("nothing has been taken down", err=True)


# -- backup ---------------------------------------------------------------------------------------


@click.command("backup")
@click.argument("destination", type=click.Path(path_type=Path))
def backup_command(destination: Path) -> None:
    """Copy the store to DESTINATION (a new file, or a folder) while the archive works on."""
    store = open_store(settings_from_env())
    try:
        made = backup(store, destination)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"backed up {made.articles:,} articles (change {made.last_seq}) to {made.path} "
        f"({made.bytes / 1e6:.1f} MB in {made.seconds:.1f} s)"
    )


COMMANDS = (token, delete, undelete, deletions, backup_command)
