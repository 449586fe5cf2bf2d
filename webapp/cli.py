"""The ``arkhiv`` command line: each command a few lines over the library.

Errors reach the user as one sentence on stderr and an exit code, never as a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from archive.config import ConfigError, Settings, load_settings
from archive.importer import Importer, import_lock
from archive.reader import ReadError
from archive.store import Store, StoreError
from index import indexer


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _store(settings: Settings) -> Store:
    try:
        return Store(settings.store_path, settings.default_zone)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None


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
def import_command(
    paths: tuple[Path, ...], rejects: Path | None, dry_run: bool, no_progress: bool
) -> None:
    """Import articles from .json, .jsonl or .ndjson files (optionally .gz).

    Exit 0: every record taken; 1: some rejected, the rest kept; 2: nothing could be read.
    """
    settings = _settings()
    progress = not no_progress and sys.stderr.isatty()
    store = _store(settings)
    rejects_file = None
    try:
        if rejects:
            rejects_file = open(rejects, "w", encoding="utf-8")  # noqa: SIM115
        importer = Importer(
            store, settings, rejects=rejects_file, dry_run=dry_run, progress=progress
        )
        if dry_run:
            report = importer.run(paths)
        else:
            with import_lock(settings, on_wait=lambda message: click.echo(message, err=True)):
                report = importer.run(paths)
                indexer.catch_up(store, settings.index_dir, _index_progress(progress, "indexing"))
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
    sys.exit(report.exit_code)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the counts as a JSON object.")
def stats(as_json: bool) -> None:
    """Counts: articles, languages, sources, date range, store size."""
    settings = _settings()
    figures = _store(settings).stats()
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
    click.echo(f"store:     {figures['store_bytes'] / 1e6:.1f} MB at {settings.store_path}")


@main.command()
def reindex() -> None:
    """Rebuild the search index from the store."""
    settings = _settings()
    store = _store(settings)
    with import_lock(settings, on_wait=lambda message: click.echo(message, err=True)):
        count = indexer.rebuild(
            store, settings.index_dir, _index_progress(sys.stderr.isatty(), "indexing")
        )
    click.echo(f"indexed {count:,} articles")


@main.command()
def check() -> None:
    """Exit 0 when the store and the search index agree; otherwise say what differs."""
    settings = _settings()
    result = indexer.compare(_store(settings), settings.index_dir)
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


if __name__ == "__main__":
    main()
