"""The built wheel ships the data folders users copy and adapt (rules/, clauses/, templates/)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_contains_the_data_folders(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("procurekit-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("rules", "clauses", "templates"):
        shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / folder).rglob("*") if p.is_file()}
        assert shipped, folder
        assert {f"procurekit/{name}" for name in shipped} <= names
    assert "procurekit/rules/ikast-brande.yaml" in names
    assert "procurekit/py.typed" in names
    assert "procurekit/cli.py" in names
