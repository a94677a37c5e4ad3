"""Files: where the bundled data folders (rules/, clauses/, templates/) live, writing files atomically, and
keeping what was loaded from files while they do not change (`FileCache`).

In a built wheel they are inside the package (hatch force-include); in a source checkout they are the
top-level folders next to the package.


Every output of procurekit is written here. The contract (README, "Output files"):

* A file is written in full to a temporary file beside it, then renamed into place: a crash or a kill
  never leaves half a file, and a failed run leaves the old file as it was.
* A new file gets the mode 0o666 less the umask (the kernel applies the umask, and any default ACL, when
  the temporary file is created; no umask is read, so nothing process-global is touched). Replacing an
  existing file keeps its permission bits (and, where allowed, its owner and group).
* An existing target that is not a regular file (a folder, a FIFO, a device, a socket) is refused, never
  replaced or opened: opening a FIFO would block, replacing a device node (as root) would destroy it.
* A symlink is written through: the file it points to is replaced atomically and the link stays a link.
  Like the kernel's fs.protected_symlinks, a link another user owns in a sticky world-writable folder
  (/tmp) is not followed.
* Temporary files are named `.<name>.<pid>-<8 hex>.procurekit-tmp`. A write removes those an earlier,
  interrupted write of the same target left behind: ours by that exact pattern, regular files of the same
  owner, whose writer process is gone or which are older than STALE_AFTER seconds.
* STDOUT ("-") writes the same bytes to standard output instead.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import stat
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Generic, TypeVar

from procurekit.errors import OutputError

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the bundled folder `name` (rules, clauses or templates)."""
    inside = _PACKAGE / name
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / name


def fingerprint(path: Path, limit: int = 5 * 1024 * 1024) -> str | None:
    """A digest of a file's bytes, for a cache of what was loaded from it (a rule set, the clauses).

    None when it is not a regular file, is larger than `limit` bytes or cannot be read: what was loaded
    from such a file is not cached. A digest, not the modification time: a file rewritten within the
    clock's tick, at the same size, still reads as changed.
    """
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:  # a FIFO would block, a device never end
            return None
        with open(path, "rb") as fh:
            raw = fh.read(limit + 1)
    except OSError:
        return None
    return hashlib.sha256(raw).hexdigest() if len(raw) <= limit else None


T = TypeVar("T")


class FileCache(Generic[T]):
    """What a process loaded from files (a rule set, the clause library), kept while none of them changed.

    Each entry holds the `fingerprint` of every file it was read from, taken *before* reading: a file
    that changes while (or after) it is read no longer matches, and the entry is not used. An entry with
    a file that has no fingerprint (not a regular file, unreadable) is never kept. Thread-safe; the
    `keep` most recently used entries are kept.
    """

    def __init__(self, keep: int = 8) -> None:
        self._entries: OrderedDict[Hashable, tuple[tuple[tuple[Path, str | None], ...], T]] = OrderedDict()
        self._lock = threading.Lock()
        self._keep = keep

    def get(self, key: Hashable) -> T | None:
        """The value kept under `key`, if every file it was read from is unchanged."""
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or any(fingerprint(path) != digest for path, digest in entry[0]):
            return None
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
        return entry[1]

    def put(self, key: Hashable, files: Sequence[tuple[Path, str | None]], value: T) -> None:
        """Keep `value`, read from `files` ((path, fingerprint before reading) each)."""
        if any(digest is None for _, digest in files):
            return
        with self._lock:
            self._entries[key] = (tuple(files), value)
            while len(self._entries) > self._keep:
                self._entries.popitem(last=False)


STDOUT = "-"
STALE_AFTER = 600.0
_TMP_SUFFIX = ".procurekit-tmp"
_TMP = re.compile(r"\.(?P<key>.+)\.(?P<pid>[0-9]+)-[0-9a-f]{8}" + re.escape(_TMP_SUFFIX), re.DOTALL)
_MAX_KEY = 200  # bytes of the target's name kept in a temporary name (a name is at most 255 bytes)


_KIND = {stat.S_IFDIR: "a folder", stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a character device",
         stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket"}


def write_output(target: Path | str, data: str | bytes) -> None:
    """Write `data` to the file `target` atomically, or to standard output when `target` is STDOUT.

    A path that names one of our open file descriptors (/dev/stdout, /dev/stderr, /dev/fd/N,
    /proc/self/fd/N) is written to that descriptor, like a shell redirection: what it points to (a pipe,
    a terminal, a file opened for appending) is the caller's, never replaced.

    Raises:
        OutputError: the file cannot be written (one line naming it).
    """
    if isinstance(target, str):
        if target != STDOUT:
            raise ValueError(f"not an output target: {target!r}")
        write_stdout(data)
        return
    try:
        fd = _descriptor(target)
        if fd is not None:
            _write_descriptor(fd, data.encode("utf-8") if isinstance(data, str) else data)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write ({exc.strerror or exc})") from None
    if fd is None:
        write_atomic(target, data)


def write_stdout(data: str | bytes) -> None:
    """Write `data` to standard output as bytes (text as UTF-8): exactly what a file would hold."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text-only stream (some embedding): only text can go there
        sys.stdout.write(raw.decode("utf-8", errors="replace"))
        sys.stdout.flush()
        return
    _write_all(buffer.write, raw)  # under PYTHONUNBUFFERED this is the raw file: writes may be partial
    buffer.flush()


def _write_all(write: Callable[[memoryview], int | None], raw: bytes) -> None:
    """Call `write` until all of `raw` is written (a raw file or os.write may take only part of it)."""
    view = memoryview(raw)
    while view:
        written = write(view)
        if written is None:  # a non-blocking stream that is full: wait for the reader
            time.sleep(0.01)
            continue
        view = view[written:]


_FD_LINK = re.compile(r"/(?:dev|proc/(?:self|thread-self|(?P<pid>[0-9]+)))/fd/(?P<fd>[0-9]+)")


def _descriptor(path: Path) -> int | None:
    """The number of our open file descriptor that `path` (or a symlink it goes through) names, if any."""
    for _ in range(40):
        match = _FD_LINK.fullmatch(os.path.abspath(path))
        if match and (match["pid"] is None or int(match["pid"]) == os.getpid()):
            return int(match["fd"])
        if not os.path.islink(path):
            return None
        path = path.parent / os.readlink(path)
    return None


def _write_descriptor(fd: int, raw: bytes) -> None:
    if fd == 1:
        write_stdout(raw)
        return
    sys.stdout.flush()
    sys.stderr.flush()
    _write_all(lambda view: os.write(fd, view), raw)


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write a file via a temporary file and rename, so a crash never leaves half a file.

    Raises:
        OutputError: the file cannot be written (one line naming it).
    """
    write_all_atomic({Path(path): data})


def write_all_atomic(files: dict[Path, str | bytes]) -> None:
    """Write several files so that either all of them are replaced or none is.

    Every file is first written in full to a temporary file beside its target; only when all are
    written are they renamed into place. A failure removes the temporary files and the folders this call
    created, and leaves the old files intact. See the module docstring for modes, symlinks and targets
    that are refused.

    Raises:
        OutputError: a file cannot be written (one line naming it).
    """
    staged: list[tuple[str, Path, Path]] = []  # temporary file, file it replaces, path as given
    created: list[Path] = []
    current = Path(".")
    try:
        for path, data in files.items():
            current = Path(path)
            created += _make_parents(current.parent)
            final, old = _destination(current)
            _remove_stale(final)
            raw = data.encode("utf-8") if isinstance(data, str) else data
            staged.append((_stage(final, raw, old), final, current))
        for tmp, final, given in staged:
            current = given
            os.replace(tmp, final)
    except OSError as exc:
        _discard(staged, created)
        raise OutputError(f"{current}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        _discard(staged, created)
        raise


def _make_parents(folder: Path) -> list[Path]:
    """Create `folder` and its missing parents; return the folders created, outermost first."""
    missing: list[Path] = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    missing.reverse()
    for made, path in enumerate(missing):
        try:
            path.mkdir()
        except BaseException:
            _remove_folders(missing[:made])
            raise
    return missing


def _destination(path: Path) -> tuple[Path, os.stat_result | None]:
    """The file to replace for `path` (through symlinks) and its status (None: no such file yet).

    Raises:
        OutputError: `path` exists and is not a regular file, or is a symlink not to be followed.
    """
    try:
        old: os.stat_result | None = os.stat(path)  # through symlinks; never opens anything
    except FileNotFoundError:
        old = None
    if _descriptor(path) is not None:
        raise OutputError(f"{path}: names an open file descriptor; refusing to replace what it points to")
    if old is not None and not stat.S_ISREG(old.st_mode):
        kind = _KIND.get(stat.S_IFMT(old.st_mode), "not a file")
        hint = "; -o - writes to standard output" if kind in ("a FIFO", "a character device") else ""
        raise OutputError(f"{path}: not a regular file ({kind}); refusing to replace it{hint}")
    for _ in range(40):  # the kernel's limit on symlinks in a row (ELOOP)
        if not os.path.islink(path):
            return path, old
        _may_follow(path)
        path = path.parent / os.readlink(path)
    raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path))


def _may_follow(link: Path) -> None:
    """Refuse a symlink the kernel's fs.protected_symlinks would not let another user follow either.

    In a sticky world-writable folder (/tmp) anyone can plant a link named like the output, pointing at
    a file of the victim's; only links owned by us or by the folder's owner are followed there.
    """
    folder = os.stat(link.parent)
    if folder.st_mode & stat.S_ISVTX and folder.st_mode & stat.S_IWOTH:
        owner = os.lstat(link).st_uid
        if owner not in (os.geteuid(), folder.st_uid):
            raise OutputError(
                f"{link}: a symlink of another user in a shared folder; refusing to follow it"
            )


def _stage(final: Path, raw: bytes, old: os.stat_result | None) -> str:
    """Write `raw` in full to a new temporary file beside `final`; return its path.

    Created with mode 0o666 so the kernel applies the umask (and a default ACL); an existing file's
    permission bits, owner and group are carried over. On failure the temporary file is removed.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    while True:
        tmp = str(final.parent / f".{_tmp_key(final.name)}.{os.getpid()}-{secrets.token_hex(4)}{_TMP_SUFFIX}")
        try:
            fd = os.open(tmp, flags, 0o666)
            break
        except FileExistsError:
            continue
    try:
        try:
            if old is not None:
                _keep_owner_and_mode(fd, old)
            _write_all(lambda view: os.write(fd, view), raw)
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        _unlink(tmp)
        raise
    return tmp


def _keep_owner_and_mode(fd: int, old: os.stat_result) -> None:
    if (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid()):
        for uid in (old.st_uid, -1):  # root keeps the owner; anyone may keep a group they are in
            try:
                os.fchown(fd, uid, old.st_gid)
                break
            except OSError:
                continue
    os.fchmod(fd, stat.S_IMODE(old.st_mode) & 0o777)


def _tmp_key(name: str) -> str:
    """The part of a temporary file's name that stands for its target (a digest when the name is long)."""
    if len(os.fsencode(name)) <= _MAX_KEY:
        return name
    return hashlib.sha256(os.fsencode(name)).hexdigest()[:16]


def _remove_stale(final: Path) -> None:
    """Remove temporary files an interrupted earlier write of `final` left behind (best effort).

    Only files matching our exact name pattern for this target, regular, owned by us, and either
    written by a process that no longer runs or older than STALE_AFTER seconds.
    """
    key = _tmp_key(final.name)
    try:
        entries = list(os.scandir(final.parent))
    except OSError:
        return
    for entry in entries:
        match = _TMP.fullmatch(entry.name)
        if match is None or match["key"] != key:
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid():
                continue
            if _running(int(match["pid"])) and time.time() - st.st_mtime < STALE_AFTER:
                continue
            os.unlink(entry.path)
        except OSError:
            continue


def _running(pid: int) -> bool:
    """Whether a process with this id runs (on this machine)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except (OverflowError, OSError):
        return False
    return True


def _discard(staged: list[tuple[str, Path, Path]], created: list[Path]) -> None:
    for tmp, _, _ in staged:
        _unlink(tmp)
    _remove_folders(created)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _remove_folders(created: list[Path]) -> None:
    """Remove the folders a failed write created (innermost first; only if still empty)."""
    for folder in reversed(created):
        try:
            folder.rmdir()
        except OSError:
            pass
