"""The built wheel ships the data folders users copy and adapt (rules/, clauses/, templates/)."""

from __future__ import annotations

import os
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
    assert "procurekit/schemas/check.schema.json" in names
    assert "procurekit/cli/__init__.py" in names
    web = {p.relative_to(ROOT).as_posix() for sub in ("templates", "static")
           for p in (ROOT / "procurekit" / "web" / sub).rglob("*") if p.is_file()}
    assert web and web <= names  # the web workspace's pages and style sheet

    # Installed from the wheel (unpacked onto the path ahead of the checkout), the bundled rules, clauses
    # and templates are found inside the package and the tender pack renders.
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = subprocess.run([sys.executable, "-c", "import procurekit; print(procurekit.__file__)"],
                           env=env, cwd=tmp_path, capture_output=True, text=True, check=True)
    assert where.stdout.startswith(str(site))
    done = subprocess.run(
        [sys.executable, "-m", "procurekit", "tender", str(ROOT / "examples" / "ikast-brande" / "tender.yaml"),
         "--format", "md", "-o", str(tmp_path / "out")],
        env=env, cwd=tmp_path, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "18 måneder" in (tmp_path / "out" / "kontraktbilag.md").read_text(encoding="utf-8")
