"""No output format of the demo contains a CPR number, nor anything but pseudonyms for participants."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from test_documents import CPR, text_of

from procurekit.cli import cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "ikast-brande"


def test_every_demo_output_is_free_of_cpr_numbers(tmp_path: Path) -> None:
    runner = CliRunner()
    runs = [
        ["check", str(EXAMPLE), "--format", "json", "--all", "-o", str(tmp_path / "check.json")],
        ["check", str(EXAMPLE), "--all", "-o", str(tmp_path / "check.txt")],
        *(["tender", str(EXAMPLE / "tender.yaml"), "--format", f, "-o", str(tmp_path / "tender")]
          for f in ("docx", "pdf", "html", "md", "ocds", "eforms")),
        *(["report", str(EXAMPLE), "--format", f, "-o", str(tmp_path / f"report.{f}")]
          for f in ("html", "md", "docx", "pdf")),
    ]
    for args in runs:
        result = runner.invoke(cli, args, catch_exceptions=False)
        assert result.exit_code in (0, 1), (args, result.stderr)
    outputs = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".png"]
    assert len(outputs) == 2 + 4 * 4 + 2 + 4  # the pack: three documents and the internal note
    assert len(list(tmp_path.glob("report-*.png"))) == 4  # the Markdown report's charts, beside it
    ids = {line.split(",")[0] for line in (EXAMPLE / "participants.csv").read_text().splitlines()[1:]}
    for path in outputs:
        text = text_of(path.name, path.read_bytes())
        assert not CPR.search(text), path.name
        if path.name.startswith("report") or path.name.startswith("check"):
            shown = set(re.findall(r"\bIB-\d{3}\b", text))
            assert shown and shown <= ids, path.name
