"""What the server logs: warnings by default, each index generation opened at INFO, and a clear
refusal of a level that is not one."""

from __future__ import annotations

import logging

import pytest
from werkzeug.datastructures import MultiDict

from archive.config import ConfigError, load_settings
from archive.store import Store
from index.searching.request import SearchRequest
from index.searching.search import SearchIndex


def test_the_level_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("ARKHIV_LOG_LEVEL", raising=False)
    assert load_settings(tmp_path).log_level == "WARNING"
    monkeypatch.setenv("ARKHIV_LOG_LEVEL", " info ")
    assert load_settings(tmp_path).log_level == "INFO"
    monkeypatch.setenv("ARKHIV_LOG_LEVEL", "loud")
    with pytest.raises(ConfigError, match="ARKHIV_LOG_LEVEL: 'LOUD' is not a level; use one of"):
        load_settings(tmp_path)


def test_each_generation_opened_is_logged_with_its_time(demo_archive, caplog):
    index = SearchIndex(demo_archive / "index", Store(demo_archive / "archive.sqlite3"))
    try:
        with caplog.at_level(logging.INFO, logger="index.searching.views"):
            index.search(SearchRequest.from_args(MultiDict({"q": "Kyiv"})))
            index.search(
                SearchRequest.from_args(MultiDict({"q": "Kyiv"}))
            )  # the same generation: not again
        opened = [r.getMessage() for r in caplog.records if "opened generation" in r.getMessage()]
        assert len(opened) == 1
        assert opened[0].startswith("opened generation ") and opened[0].endswith(" s")
        assert " of build-" in opened[0]
    finally:
        index.close()


def test_serve_refuses_a_level_that_is_not_one_before_it_starts(tmp_path):
    from click.testing import CliRunner

    from webapp.cli import main

    env = {"ARKHIV_HOME": str(tmp_path / "home"), "ARKHIV_LOG_LEVEL": "loud"}
    result = CliRunner().invoke(main, ["serve", "--port", "1"], env=env)
    assert result.exit_code == 1
    assert "ARKHIV_LOG_LEVEL: 'LOUD' is not a level; use one of DEBUG, INFO" in result.output
    assert not (tmp_path / "home").exists()  # refused before anything was made
