"""Output files: `-o -`, targets that must not be replaced, symlinks, modes under the umask, stale temp files.

Cases that git can hold (a folder as target, `-o -` for a folder of files, too long a name) are in
tests/corpus/out-*; the ones here need FIFOs, devices, symlinks, other users, umasks or killed processes.
"""

from __future__ import annotations

import io
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from helpers import make_dataset, participant

import procurekit.files as _output
from procurekit.cli import cli
from procurekit.errors import OutputError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "ikast-brande"
ASSUMPTIONS = EXAMPLE / "assumptions.yaml"
ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (mknod, lchown)")


def invoke(*args: str) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout_bytes, result.stderr


def run(*args: str, timeout: float = 120, **kw: object) -> subprocess.CompletedProcess[bytes]:
    """The CLI in its own process (umask and FIFOs are process-wide; a hang ends at `timeout`)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "procurekit", *args], capture_output=kw.pop("capture", True),
                          timeout=timeout, env=env, **kw)  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def ds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_dataset(tmp_path_factory.mktemp("outputs") / "ds", [participant("A", years_on_benefits=1)])


# --- -o - ----------------------------------------------------------------------------------------------

COMMANDS = {
    "check-text": ["check", "{ds}", "--as-of", "2017-03-01"],
    "check-json": ["check", "{ds}", "--as-of", "2017-03-01", "--format", "json"],
    "report-html": ["report", "{ds}", "--as-of", "2017-03-01", "--format", "html"],
    "report-md": ["report", "{ds}", "--as-of", "2017-03-01", "--format", "md"],
    "report-pdf": ["report", "{ds}", "--as-of", "2017-03-01", "--format", "pdf"],
    "business-case-json": ["business-case", "--assumptions", str(ASSUMPTIONS), "--format", "json"],
    "business-case-html": ["business-case", "{ds}", "--assumptions", str(ASSUMPTIONS), "--format", "html"],
    "rules-explain": ["rules", "explain", "ikast-brande", "--as-of", "2018-01-01"],
    "rules-schema": ["rules", "schema"],
}


@pytest.mark.parametrize("name", COMMANDS)
def test_dash_writes_to_stdout_exactly_what_the_file_holds(name: str, ds: Path, tmp_path: Path) -> None:
    args = [a.replace("{ds}", str(ds)) for a in COMMANDS[name]]
    code, out, err = invoke(*args, "-o", "-")
    assert err == "" and out
    target = tmp_path / "file"
    code_file, out_file, err_file = invoke(*args, "-o", str(target))
    # Markdown also writes its charts beside the file (listed after it); to stdout only the document goes.
    assert (code_file, out_file, err_file.splitlines()[0]) == (code, b"", f"wrote {target}")
    written = target.read_bytes()
    if name == "report-md":  # the chart images are named after the file (report-*.png on stdout)
        written = written.replace(b"](file-", b"](report-")
    assert out == written
    assert not (tmp_path.parent / "-").exists() and not Path("-").exists()


def test_dash_writes_a_docx_report_as_bytes(ds: Path, tmp_path: Path) -> None:
    args = ["report", str(ds), "--as-of", "2017-03-01", "--format", "docx"]
    code, out, err = invoke(*args, "-o", "-")
    assert (code, err) == (1, "")
    invoke(*args, "-o", str(tmp_path / "r.docx"))

    def texts(document: docx.document.Document) -> list[str]:
        return [p.text for p in document.paragraphs]

    assert texts(docx.Document(io.BytesIO(out))) == texts(docx.Document(str(tmp_path / "r.docx")))


def test_tender_notice_data_to_stdout_and_a_file_named_dash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = invoke("tender", str(EXAMPLE / "tender.yaml"), "--format", "ocds", "-o", "-")
    assert code == 0 and all(line.startswith("fill-in: ") for line in err.splitlines())  # nothing "wrote"
    assert out.startswith(b'{\n  "ocid": ')
    monkeypatch.chdir(tmp_path)
    code, out, err = invoke("rules", "schema", "-o", "./-")  # a file that is called "-"
    assert (code, out, err) == (0, b"", "wrote -\n")
    assert (tmp_path / "-").read_text(encoding="utf-8").startswith("{")


def test_a_path_ending_in_a_slash_is_not_a_file_name(tmp_path: Path) -> None:
    code, _, err = invoke("rules", "schema", "-o", f"{tmp_path}/out/")
    assert code == 2 and "names a folder; give a file name" in err
    assert list(tmp_path.iterdir()) == []


def test_a_closed_pipe_is_one_line_exit_2() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(
        [sys.executable, "-m", "procurekit", "report", str(EXAMPLE), "--format", "pdf", "-o", "-"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.read(4) == b"%PDF"
        proc.stdout.close()  # the reader leaves (`| head`), far from the end of the PDF
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=120) == 2
    assert err == "Error: standard output was closed before everything was written\n"


def test_partial_writes_of_a_raw_stdout_are_completed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under PYTHONUNBUFFERED, sys.stdout.buffer is the raw file: one write may take only part."""

    class Trickle:
        def __init__(self) -> None:
            self.got = bytearray()
            self.buffer = self
            self.calls = 0

        def write(self, b: memoryview) -> int | None:
            self.calls += 1
            if self.calls % 3 == 0:
                return None  # a full non-blocking pipe
            self.got += b[:7]
            return min(7, len(b))

        def flush(self) -> None:
            pass

    monkeypatch.setattr(sys, "stdout", Trickle())
    _output.write_stdout("æøå " * 100)
    assert bytes(sys.stdout.got) == ("æøå " * 100).encode("utf-8")  # type: ignore[attr-defined]


# --- targets that are not regular files ------------------------------------------------------------------

def test_a_fifo_target_is_refused_without_blocking(ds: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    done = run("check", str(ds), "--as-of", "2017-03-01", "--format", "json", "-o", str(fifo), timeout=60)
    assert done.returncode == 2
    assert done.stderr.decode() == (
        f"Error: {fifo}: not a regular file (a FIFO); refusing to replace it; -o - writes to standard output\n"
    )
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and done.stdout == b""


def test_a_folder_target_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "report.html"
    (folder / "inside").mkdir(parents=True)
    code, out, err = invoke("business-case", "--assumptions", str(ASSUMPTIONS), "--format", "html",
                            "-o", str(folder))
    assert (code, out) == (2, b"")
    assert err == f"Error: {folder}: not a regular file (a folder); refusing to replace it\n"
    assert (folder / "inside").is_dir()


@ROOT_ONLY
def test_a_device_node_is_never_replaced(tmp_path: Path) -> None:
    node = tmp_path / "null"
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a private /dev/null
    link = tmp_path / "link"
    link.symlink_to(node)
    for target in (node, link):
        code, _, err = invoke("rules", "schema", "-o", str(target))
        assert code == 2
        assert err == (f"Error: {target}: not a regular file (a character device); refusing to replace it; "
                       "-o - writes to standard output\n")
    assert stat.S_ISCHR(os.lstat(node).st_mode) and link.is_symlink()


def test_dev_stdout_is_written_to_not_replaced(tmp_path: Path) -> None:
    """`-o /dev/stdout >> log` appends like a shell redirection; it never renames a file over the log."""
    log = tmp_path / "log.txt"
    log.write_text("earlier lines\n", encoding="utf-8")
    with log.open("ab") as fh:
        done = run("rules", "schema", "-o", "/dev/stdout", stdout=fh, stderr=subprocess.PIPE, capture=False)
    assert done.returncode == 0, done.stderr
    text = log.read_text(encoding="utf-8")
    assert text.startswith("earlier lines\n{\n") and text.endswith("}\n")
    done = run("rules", "schema", "-o", "/dev/stdout")  # a pipe
    assert done.returncode == 0 and done.stdout.startswith(b"{")
    done = run("rules", "schema", "-o", "/dev/fd/9")
    assert done.returncode == 2 and done.stderr == b"Error: /dev/fd/9: cannot write (Bad file descriptor)\n"


# --- symlinks ------------------------------------------------------------------------------------------

def test_a_symlink_is_written_through_and_stays_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "data" / "schema.json"
    real.parent.mkdir()
    real.write_text("old\n", encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / "schema.json"
    link.symlink_to(Path("data") / "schema.json")
    chain = tmp_path / "chain.json"
    chain.symlink_to(link.name)
    for target in (link, chain):
        code, _, err = invoke("rules", "schema", "-o", str(target))
        assert (code, err) == (0, f"wrote {target}\n")
        assert link.is_symlink() and chain.is_symlink()
        assert real.read_text(encoding="utf-8").startswith("{")
        assert stat.S_IMODE(real.stat().st_mode) == 0o640
        real.write_text("old\n", encoding="utf-8")
    assert sorted(p.name for p in real.parent.iterdir()) == ["schema.json"]


def test_a_dangling_symlink_creates_the_file_it_names(tmp_path: Path) -> None:
    link = tmp_path / "out.json"
    link.symlink_to("made.json")
    _output.write_atomic(link, "{}\n")
    assert link.is_symlink() and (tmp_path / "made.json").read_text(encoding="utf-8") == "{}\n"


def test_a_symlink_loop_is_one_line(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to("loop")
    code, _, err = invoke("rules", "schema", "-o", str(loop))
    assert code == 2 and err == f"Error: {loop}: cannot write (Too many levels of symbolic links)\n"
    assert loop.is_symlink()


@ROOT_ONLY
def test_a_planted_symlink_in_a_shared_folder_is_not_followed(tmp_path: Path) -> None:
    """Like fs.protected_symlinks: another user's link in a sticky world-writable folder (/tmp)."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    victim = tmp_path / "victim.conf"
    victim.write_text("precious\n", encoding="utf-8")
    link = shared / "report.json"
    link.symlink_to(victim)
    os.lchown(link, 54321, 54321)
    with pytest.raises(OutputError, match="a symlink of another user in a shared folder; refusing to follow it"):
        _output.write_atomic(link, "x")
    assert victim.read_text(encoding="utf-8") == "precious\n" and link.is_symlink()
    os.lchown(link, os.geteuid(), os.getegid())  # our own link there is followed
    _output.write_atomic(link, "x")
    assert victim.read_text(encoding="utf-8") == "x"


# --- modes -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_files_honour_the_umask(umask: int, mode: int, tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    done = run("rules", "schema", "-o", str(target), umask=umask)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(target.stat().st_mode) == mode


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o644)
    done = run("rules", "schema", "-o", str(target), umask=0o077)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o644 and target.read_text(encoding="utf-8") != "old\n"
    target.chmod(0o600)
    _output.write_atomic(target, "again\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


# --- temporary files -----------------------------------------------------------------------------------

def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_temp_files_of_a_killed_write_are_removed_by_the_next_write(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old\n", encoding="utf-8")
    stuck = (
        "import sys, time\nfrom pathlib import Path\nimport procurekit.files as _output\n"
        "_output.os.replace = lambda *a: time.sleep(300)\n"
        "_output.write_atomic(Path(sys.argv[1]), 'x' * 8_000_000)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writer = subprocess.Popen([sys.executable, "-c", stuck, str(target)], env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        left = [p for p in tmp_path.iterdir() if p.name.endswith(".procurekit-tmp")]
        if left and left[0].stat().st_size == 8_000_000:
            break
        time.sleep(0.05)
    os.kill(writer.pid, signal.SIGKILL)  # kill -9 between writing and renaming
    writer.wait(timeout=60)
    assert len(left) == 1 and left[0].name.startswith(f".report.json.{writer.pid}-")
    assert target.read_text(encoding="utf-8") == "old\n"
    _output.write_atomic(target, "new\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
    assert target.read_text(encoding="utf-8") == "new\n"


def test_only_our_own_stale_temp_files_are_removed(tmp_path: Path) -> None:
    dead, alive = _dead_pid(), os.getpid()
    old = time.time() - _output.STALE_AFTER - 60
    removed = [f".out.json.{dead}-0123abcd.procurekit-tmp", f".out.json.{alive}-89abcdef.procurekit-tmp"]
    kept = [
        f".out.json.{alive}-fedcba98.procurekit-tmp",  # a write that is still going on
        f".other.json.{dead}-0123abcd.procurekit-tmp",  # another target's
        f".out.json.{dead}-0123abcd.tmp",  # not our pattern
        f".out.json.{dead}-0123abcd.procurekit-tmp.bak",
        "out.json.procurekit-tmp",
    ]
    for name in removed + kept:
        (tmp_path / name).write_text("partial", encoding="utf-8")
    os.utime(tmp_path / removed[1], (old, old))
    folder = tmp_path / f".out.json.{dead}-aaaaaaaa.procurekit-tmp"  # named like ours but a folder
    folder.mkdir()
    link = tmp_path / f".out.json.{dead}-bbbbbbbb.procurekit-tmp"  # ... or a symlink
    link.symlink_to(tmp_path / kept[0])
    _output.write_atomic(tmp_path / "out.json", "{}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*kept, folder.name, link.name, "out.json"])


def test_a_long_name_gets_a_short_temp_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = "æ" * 120 + ".json"  # 245 bytes: a valid name, too long to have more added
    seen: list[str] = []
    real_replace = os.replace

    def spy(src: str, dst: Path) -> None:
        seen.append(Path(src).name)
        real_replace(src, dst)

    monkeypatch.setattr(_output.os, "replace", spy)
    _output.write_atomic(tmp_path / name, "{}\n")
    assert (tmp_path / name).read_text(encoding="utf-8") == "{}\n"
    assert len(seen) == 1 and len(os.fsencode(seen[0])) < 60 and seen[0].endswith(".procurekit-tmp")


# --- failures leave nothing behind; input errors are exit 2 ----------------------------------------------

def test_a_failed_write_removes_the_folders_it_made(tmp_path: Path) -> None:
    target = tmp_path / "new" / "deeper" / ("x" * 300)
    code, out, err = invoke("rules", "schema", "-o", str(target))
    assert (code, out) == (2, b"")
    assert err == f"Error: {target}: cannot write (File name too long)\n"
    assert list(tmp_path.iterdir()) == []


LONG = "x" * 300


@pytest.mark.parametrize("args", [
    ["check", "{tmp}/" + LONG],
    ["check", "{ds}", "--rules", LONG],
    ["report", "{ds}", "--templates", LONG, "-o", "{tmp}/r.html"],
    ["report", "{ds}", "--clauses", LONG, "-o", "{tmp}/r.html"],
    ["tender", "{tmp}/" + LONG],
    ["rules", "validate", LONG],
    ["rules", "test", LONG],
    ["rules", "init", "x", "--from", "ikast-brande", "-o", "{tmp}/" + LONG],
    ["dataset", "template", "{tmp}/" + LONG],
])
def test_a_too_long_input_path_is_exit_2_naming_it(args: list[str], ds: Path, tmp_path: Path) -> None:
    filled = [a.replace("{ds}", str(ds)).replace("{tmp}", str(tmp_path)) for a in args]
    code, out, err = invoke(*filled)
    assert (code, out) == (2, b""), err
    assert err.startswith("Error: ") and err.count("\n") == 1 and "internal error" not in err
    assert LONG in err and "File name too long" in err
    assert list(tmp_path.iterdir()) == []


def test_an_os_error_on_a_path_is_exit_2_and_without_a_path_exit_3(
    ds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import procurekit.cli.check as cli_module

    def denied(path: Path) -> list[Path]:
        raise PermissionError(13, "Permission denied", str(path / "participants.csv"))

    monkeypatch.setattr(cli_module, "find_datasets", denied)
    code, _, err = invoke("check", str(ds))
    assert (code, err) == (2, f"Error: {ds / 'participants.csv'}: Permission denied\n")

    def broken(path: Path) -> list[Path]:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(cli_module, "find_datasets", broken)
    code, _, err = invoke("check", str(ds))
    assert (code, err) == (3, "Error: internal error (OSError: [Errno 5] Input/output error); please report it\n")
