"""`--debug` / PROCUREKIT_DEBUG=1: the traceback of an internal error (exit 3), and only when asked for."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import procurekit
from procurekit.cli import cli


def _boom() -> list[object]:
    raise RuntimeError("a bug")


@pytest.mark.parametrize(
    ("args", "env", "shown"),
    [
        ([], {}, False),
        (["--debug"], {}, True),
        ([], {"PROCUREKIT_DEBUG": "1"}, True),
        ([], {"PROCUREKIT_DEBUG": "0"}, False),
    ],
)
def test_internal_error_shows_a_traceback_only_when_asked(
    monkeypatch: pytest.MonkeyPatch, args: list[str], env: dict[str, str], shown: bool
) -> None:
    monkeypatch.delenv("PROCUREKIT_DEBUG", raising=False)
    monkeypatch.setattr(procurekit, "list_bundled", _boom)  # `rules list` imports it when run
    result = CliRunner().invoke(cli, [*args, "rules", "list"], env=env, catch_exceptions=False)
    assert result.exit_code == 3
    assert result.stdout == ""
    last = "Error: internal error (RuntimeError: a bug); please report it"
    assert result.stderr.splitlines()[-1] == last
    if shown:
        assert result.stderr.startswith("Traceback (most recent call last):")
        assert "in _boom" in result.stderr
    else:
        assert result.stderr == last + "\n"


def test_debug_does_not_change_a_clean_run() -> None:
    plain = CliRunner().invoke(cli, ["rules", "list"], catch_exceptions=False)
    debug = CliRunner().invoke(cli, ["--debug", "rules", "list"], catch_exceptions=False)
    assert (debug.exit_code, debug.stdout, debug.stderr) == (plain.exit_code, plain.stdout, plain.stderr) == (
        0, plain.stdout, "")
