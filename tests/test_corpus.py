"""Every hostile input in tests/corpus gives its one expected line on stderr, exit code 2, and no output.

A case is a folder with `expected.txt` (the exact stderr line after "Error: "; `{DS}` stands for the case
folder). By default the case folder is a dataset and the command is
`check {DS} --format json -o {OUT}`. A case may hold `args.txt` instead: one command-line argument per
line, with `{DS}` for the case folder and `{OUT}` for an output path in a fresh temporary folder (which
must still not exist afterwards). No case may end in a traceback, exit 3 or a signal.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from procurekit.cli import cli

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p for p in CORPUS.iterdir() if (p / "expected.txt").is_file())
DEFAULT_ARGS = ["check", "{DS}", "--format", "json", "-o", "{OUT}"]


def case_args(case: Path, out: Path) -> list[str]:
    """The command line of a corpus case, placeholders filled in."""
    args_file = case / "args.txt"
    raw = args_file.read_text(encoding="utf-8").splitlines() if args_file.is_file() else DEFAULT_ARGS
    return [a.replace("{DS}", str(case)).replace("{OUT}", str(out)) for a in raw if a.strip()]


def test_corpus_is_there() -> None:
    assert len(CASES) >= 15


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Path, tmp_path: Path) -> None:
    expected = (case / "expected.txt").read_text(encoding="utf-8").replace("{DS}", str(case))
    target = tmp_path / "out"
    result = CliRunner().invoke(cli, case_args(case, target))
    assert result.stderr == f"Error: {expected}"
    assert result.exit_code == 2
    assert result.stdout == ""
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_the_corpus_read_together_is_each_case_read_alone() -> None:
    # A register's contracts are read together (read_datasets): every hostile case gives the very error
    # it gives alone, whichever contracts it is read with.
    from procurekit.dataset.read import read_dataset, read_datasets
    from procurekit.errors import ProcurekitError

    cases = [c for c in CASES if not (c / "args.txt").is_file()]
    example = Path(__file__).resolve().parents[1] / "examples" / "ikast-brande"
    folders = [example, *cases, example]

    def alone(folder: Path) -> str:
        try:
            return f"read {read_dataset(folder).contract.contract_id}"
        except ProcurekitError as exc:
            return str(exc)

    together = [str(r) if isinstance(r, ProcurekitError) else f"read {r.contract.contract_id}"
                for r in read_datasets(folders)]
    assert together == [alone(f) for f in folders]
    assert sum(t.startswith("read ") for t in together) >= 2
