"""The ``arkhiv`` command line: each command a few lines over the library.

Errors reach the user as one sentence on stderr and an exit code, never as a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from archive.config import Settings
from archive.importer import ImportBusy, Importer, import_lock
from archive.reader import ReadError
from archive.store import Store
from archive.warc import describe_passed_over
from index.segments import indexer
from index.segments.import_indexing import import_and_index
from webapp.cli_follow import follow
from webapp.cli_newsroom import COMMANDS
from webapp.cli_support import (
    open_store,
    search_options,
    search_request,
    settings_from_env,
    writing,
)


def _index_progress(enabled: bool, label: str):
    if not enabled:
        return None
    state = {"last": 0}

    def report(done: int, total: int) -> None:
        if done - state["last"] >= 250 or done == total:
            state["last"] = done
            click.echo(f"\r{label}: {done:,}/{total:,}".ljust(50), err=True, nl=done == total)

    return report


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="arkhiv")
def main() -> None:
    """Arkhiv: a searchable archive of news in Ukrainian and English.

    Data lives under $ARKHIV_HOME (default ./arkhiv-data).
    """


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write each rejected record here as a JSON line.",
)
@click.option("--dry-run", is_flag=True, help="Validate and report; write nothing.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
@click.option(
    "--no-index",
    is_flag=True,
    help="Store only; the index catches up at the next import, serve or reindex.",
)
@click.option(
    "--no-copies",
    is_flag=True,
    help="Do not look for copies of one story now; `arkhiv copies --update` does it later.",
)
def import_command(
    paths: tuple[Path, ...],
    rejects: Path | None,
    dry_run: bool,
    no_progress: bool,
    no_index: bool,
    no_copies: bool,
) -> None:
    """Import articles from .json, .jsonl or .ndjson files (optionally .gz), and from web
    archives (.warc, .warc.gz: each HTML page is one article; other records are passed over).

    Exit 0: every record taken; 1: some rejected, the rest kept; 2: nothing could be read;
    3: the store or the index could not be written (e.g. a full disk).
    """
    settings = settings_from_env()
    progress = not no_progress and sys.stderr.isatty()
    store = open_store(settings)
    if no_copies:
        store.detect_copies = False
    rejects_file = None
    try:
        if rejects:
            rejects_file = open(rejects, "w", encoding="utf-8")  # noqa: SIM115
        importer = Importer(
            store,
            settings,
            rejects=rejects_file,
            dry_run=dry_run,
            progress=progress,
            batch_size=settings.import_batch,
        )
        if dry_run:
            report = importer.run(paths)
        else:
            with (
                writing("import"),
                import_lock(settings, on_wait=lambda message: click.echo(message, err=True)),
            ):
                if no_index:
                    report = importer.run(paths)
                else:
                    report = import_and_index(
                        importer, paths, store, settings, _index_progress(progress, "indexing")
                    )
    except ReadError as exc:
        click.echo(f"arkhiv import: {exc}; nothing was imported", err=True)
        sys.exit(2)
    finally:
        if rejects_file:
            rejects_file.close()
    for rejection in importer.rejections[:20]:
        where = ", ".join(f"{k} {v}" for k, v in rejection.where.items() if k != "file")
        click.echo(f"rejected {rejection.where['file']} ({where}): {rejection.error}", err=True)
    if report.rejected > 20:
        click.echo(
            f"… and {report.rejected - 20} more rejected"
            + (f" (all in {rejects})" if rejects else " (use --rejects FILE to keep them)"),
            err=True,
        )
    verb = "would be" if dry_run else ""
    click.echo(
        f"{'dry run: ' if dry_run else ''}{report.added} added, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.rejected} rejected {verb}".rstrip()
        + f" in {report.seconds:.2f} s"
    )
    if report.passed_over:
        click.echo(f"passed over, not articles: {describe_passed_over(report.passed_over)}")
    sys.exit(report.exit_code)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the counts as a JSON object.")
def stats(as_json: bool) -> None:
    """Counts: articles, languages, sources, date range, store size."""
    settings = settings_from_env()
    figures = open_store(settings).stats()
    if as_json:
        click.echo(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    click.echo(f"articles:  {figures['articles']:,}")
    languages = ", ".join(f"{code} {count:,}" for code, count in figures["languages"].items())
    click.echo(f"languages: {languages or '-'}")
    click.echo(f"sources:   {figures['sources']:,}")
    for row in figures["by_source"][:10]:
        click.echo(f"  {row['articles']:>8,}  {row['source'] or '(no source)'}")
    dates = figures["published"]
    if dates:
        click.echo(f"published: {dates['first']} … {dates['last']} ({dates['dated']:,} dated)")
    click.echo(f"store:     {figures['store_bytes'] / 1e6:.1f} MB at {figures['store_at']}")


@main.command()
def reindex() -> None:
    """Rebuild the search index from the store."""
    settings = settings_from_env()
    store = open_store(settings)
    with (
        writing("reindex"),
        import_lock(settings, on_wait=lambda message: click.echo(message, err=True)),
    ):
        count = indexer.rebuild(
            store, settings.index_dir, _index_progress(sys.stderr.isatty(), "indexing")
        )
    click.echo(f"indexed {count:,} articles")


@main.command()
@click.option("--update", is_flag=True, help="Find the copies of articles stored without.")
def copies(update: bool) -> None:
    """Copies of one story: how many articles still wait for detection; --update finds their
    copies (articles imported with --no-copies or before detection existed) and updates the
    index."""
    settings = settings_from_env()
    store = open_store(settings)
    if not update:
        click.echo(f"{store.unsigned_count():,} articles not yet compared for copies")
        return
    with (
        writing("copies"),
        import_lock(settings, on_wait=lambda message: click.echo(message, err=True)),
    ):
        count = store.sign_unsigned()
        indexer.catch_up(
            store, settings.index_dir, _index_progress(sys.stderr.isatty(), "indexing")
        )
    click.echo(f"compared {count:,} articles for copies")


@main.command()
def check() -> None:
    """Exit 0 when the store and the search index agree; otherwise say what differs."""
    settings = settings_from_env()
    result = indexer.compare(open_store(settings), settings.index_dir)
    if result.agree:
        click.echo(
            f"ok: {result.store_articles:,} articles in the store and the index "
            f"(change {result.store_seq})"
        )
        return
    for difference in result.differences:
        click.echo(f"differs: {difference}", err=True)
    click.echo(
        "run `arkhiv import` again or `arkhiv reindex` to bring the index up to date", err=True
    )
    sys.exit(1)


@main.command()
@click.option(
    "--language",
    type=click.Choice(["uk", "en"]),
    help="Accepted for clarity; each word is analysed by its script either way.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per token.")
@click.argument("text", required=False)
def analyze(language: str | None, as_json: bool, text: str | None) -> None:
    """Show how TEXT (or standard input) is indexed: each token and its terms, and for a name
    its key, official spelling, Ukrainian form and spelling in each romanisation."""
    from index.text.analysis import analyze as analyze_text
    from index.text.name_variants import name_variants

    if text is None:
        text = sys.stdin.read()
    for token in analyze_text(text, language):
        variants = name_variants(token["token"])
        if variants is not None and variants["official"] is not None:
            token["name"] = variants
        if as_json:
            click.echo(json.dumps(token, ensure_ascii=False))
            continue
        click.echo(f"{token['token']}\t{' '.join(token['terms'])}")
        if "name" in token:
            for line in _name_lines(token["name"]):
                click.echo(f"  {line}")


def _name_lines(variants: dict) -> list[str]:
    lines = [
        f"name key: {variants['key']}",
        f"official (2010): {variants['official']}",
        f"Ukrainian: {variants['ukrainian']}",
    ]
    lines += [f"{system}: {spelling}" for system, spelling in variants["spellings"].items()]
    if variants["older"]:
        lines.append(f"older English: {', '.join(variants['older'])}")
    return lines


@main.command()
@search_options
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True
)
@click.option(
    "-o",
    "--output",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="Write here instead of standard output.",
)
def export(q: str, language, source, author, tag, date_from, date_to, sort, fmt, output) -> None:
    """Write the articles a search finds (all of them, not one page) as JSON Lines or CSV."""
    from index.searching.export import export_lines
    from index.searching.search import SearchIndex
    from index.searching.views import IndexUnavailable

    settings = settings_from_env()
    store = open_store(settings)
    request = search_request(q, language, source, author, tag, date_from, date_to, sort)
    index = SearchIndex(settings.index_dir, store)
    try:
        for line in export_lines(index.matching_articles(request), fmt):
            output.write(line)
    except IndexUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    except ValueError as exc:  # NaN or Infinity in an article stored before they were refused
        raise click.ClickException(
            f"an article cannot be written as JSON ({exc}); import it again to mend it"
        ) from None


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option("--debug", is_flag=True, help="Flask's debug server instead of waitress.")
@click.option(
    "--no-follow",
    is_flag=True,
    help="Do not follow the feeds (as ARKHIV_FOLLOW=0); `arkhiv follow run` still does.",
)
def serve(host: str, port: int, threads: int, debug: bool, no_follow: bool) -> None:
    """Serve the web app on a production WSGI server (waitress).

    A follower process keeps the index following the store: what is written over HTTP, by an
    import with --no-index or a takedown is searchable a few seconds later. Another reads the
    feeds followed (`arkhiv follow add`) as they fall due, unless --no-follow."""
    from archive.feed_follower import FeedFollowerProcess
    from archive.upload import remove_stale
    from index.segments.follower import FollowerProcess
    from webapp.app import create_app

    settings = settings_from_env()
    store = open_store(settings)
    _catch_up_before_serving(settings, store)
    remove_stale(settings.uploads_dir)  # bodies a killed server was taking
    app = create_app({"ARKHIV_HOME": str(settings.home)})
    follower = app.extensions["arkhiv_follower"] = FollowerProcess(settings).start()
    feeds = None
    if settings.follow and not no_follow:
        feeds = FeedFollowerProcess(settings).start_once_followed(store)
        app.extensions["arkhiv_feed_follower"] = feeds
    click.echo(f"Arkhiv serving {store.count():,} articles on http://{host}:{port}/", err=True)
    try:
        if debug:
            app.run(host=host, port=port, debug=True, use_reloader=False)
            return
        from webapp.server import serve as serve_app

        serve_app(app, host=host, port=port, threads=threads)
    finally:
        if feeds is not None:
            feeds.stop()
        follower.stop()


def _catch_up_before_serving(settings: Settings, store: Store) -> None:
    """Bring the index up to date (a killed import leaves work to finish), under the import lock
    like every writer. When an import or a reindex holds it, that writer brings the index up to
    date itself: serve what is there meanwhile rather than wait."""
    try:
        with import_lock(settings, wait=False), writing("serve"):
            indexer.catch_up(store, settings.index_dir)
    except ImportBusy:
        click.echo(
            "an import or a reindex is running; serving the index as it is while it works",
            err=True,
        )


for command in (*COMMANDS, follow):
    main.add_command(command)


if __name__ == "__main__":
    main()
