"""Checks run in worker processes: isolation, a timeout, both cores for a register of contracts.

A check runs in a forked worker process, so a crash or a hang inside durable_rules' C core (which never
releases the GIL, so no thread could stop it) becomes a clear `EngineError` instead of a dead or stuck
command: the parent waits with a timeout, then stops the workers. A *register* is a folder of contract
dataset folders; its contracts are shared out over `jobs` workers and the results put back in folder
order, so the output is identical to a single-process run.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from procurekit.errors import DatasetError, EngineError, ProcurekitError

if TYPE_CHECKING:
    from procurekit.evaluation.check import CheckResult

DEFAULT_TIMEOUT = 600.0


@dataclass(frozen=True)
class Job:
    """What one worker needs to check one contract dataset."""

    path: Path
    rules: str | None
    as_of: dt.date | None
    engine: str
    lang: str
    include_ok: bool
    text: bool


def find_datasets(path: Path) -> list[Path]:
    """The dataset itself, or every contract dataset folder directly inside a register folder.

    Raises:
        DatasetError: neither a dataset nor a folder of datasets.
    """
    if not path.is_dir():
        raise DatasetError(path, "not a folder (a contract dataset is a folder with contract.yaml)")
    if (path / "contract.yaml").is_file():
        return [path]
    found = sorted(p for p in path.iterdir() if p.is_dir() and (p / "contract.yaml").is_file())
    if not found:
        raise DatasetError(path / "contract.yaml", "missing (every dataset needs contract.yaml)")
    return found


#: How a worker turns a check into its outputs: (result, include_ok) -> the JSON document, and the text.
#: The documents layer above this one adds breaches and next steps (`procurekit.check_json`/`check_text`),
#: so the caller passes them in; they must be module-level functions (they are pickled to the workers).
Render = tuple[Callable[["CheckResult", bool], dict[str, Any]], Callable[["CheckResult", bool], str]]


def run_job(job: Job, render: Render) -> dict[str, Any]:
    """Check one dataset (in a worker); return its JSON document, text and whether it has a violation."""
    from procurekit.evaluation.check import check

    to_json, to_text = render
    try:
        result = check(job.path, job.rules, as_of=job.as_of, engine=job.engine, lang=job.lang,
                       ok="explained" if job.include_ok else "counted")
    except ProcurekitError as exc:  # custom exception signatures do not survive pickling
        return {"error": str(exc)}
    return {
        "json": to_json(result, job.include_ok),
        "text": to_text(result, job.include_ok) if job.text else None,
        "violation": result.has_violation,
    }


def run_jobs(
    jobs: list[Job],
    render: Render,
    workers: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    keep_errors: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Run every job in forked worker processes; results in job order.

    Args:
        jobs: the checks to run.
        render: the JSON and the text of a check (see `Render`).
        workers: number of processes (default: the number of CPUs, at most one per job).
        timeout: seconds allowed for the whole run; 0 means no limit.
        keep_errors: return a job whose input or rules could not be used as `{"error": one line}` (a
            register checks every readable contract) instead of raising.
        progress: called with (jobs done, jobs in all) as results come in.

    Raises:
        ProcurekitError: the first job whose input or rules could not be used (unless `keep_errors`).
        EngineError: a worker crashed or the run took longer than `timeout`.
    """
    count = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    context = multiprocessing.get_context(_start_method())
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(["procurekit"])
    pool = ProcessPoolExecutor(max_workers=count, mp_context=context)
    try:
        futures = [pool.submit(run_job, job, render) for job in jobs]
        results = []
        deadline = None if not timeout else _now() + timeout
        for job, future in zip(jobs, futures, strict=True):
            left = None if deadline is None else max(0.0, deadline - _now())
            try:
                results.append(future.result(timeout=left))
                if progress is not None:
                    progress(len(results), len(jobs))
            except FutureTimeout:
                raise EngineError(
                    f"{job.path}: the rules engine did not finish within {timeout:g} s; nothing was written"
                ) from None
            except BrokenProcessPool:
                raise EngineError(
                    f"{job.path}: the rules engine crashed in its worker process; nothing was written"
                ) from None
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown()
    for result in [] if keep_errors else results:
        if "error" in result:
            raise ProcurekitError(result["error"])
    return results


#: Names (prefixes) of the threads of polars' thread pool and async runtime, which a computation starts.
_POLARS_POOL = ("polars-", "tokio-", "async-exec")


def _start_method() -> str:
    """How to start workers: "fork", unless polars' thread pool runs in this process (any check done in
    it starts the pool), then "forkserver". A child forked beside a running pool inherits the pool without
    its threads and hangs on its first parallel operation; the fork server is a fresh process that has
    imported procurekit but computed nothing. Merely importing polars is harmless ("polars-ooc-clea")."""
    try:
        names = [Path(f"/proc/self/task/{t}/comm").read_text().strip() for t in os.listdir("/proc/self/task")]
    except OSError:  # no /proc: be safe
        return "forkserver"
    running = [n for n in names if n.startswith(_POLARS_POOL) and n != "polars-ooc-clea"]
    return "forkserver" if running else "fork"


def _now() -> float:
    import time

    return time.monotonic()


def _stop(pool: ProcessPoolExecutor) -> None:
    # The one use of a private attribute here: before Python 3.14 (`terminate_workers`) an executor
    # cannot kill a worker that hangs or spins; `shutdown` waits for it. `_processes` maps pid to
    # Process on 3.11 and 3.12 (requires-python bounds us below 3.13); getattr keeps this harmless if
    # it goes away: the workers are then left to the timeout of the caller.
    for process in list(getattr(pool, "_processes", {}).values()):
        if process.is_alive():
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def register_json(path: Path, paths: list[Path], results: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON document for a register: totals, one check document per readable contract, and one
    `{"dataset", "error"}` per contract that could not be checked (`paths` and `results` in the same order)."""
    totals: dict[str, int] = {}
    checked = [r for r in results if "error" not in r]
    for r in checked:
        for verdict, n in r["json"]["summary"].items():
            totals[verdict] = totals.get(verdict, 0) + n
    from procurekit.evaluation.check import FORMAT_VERSION

    return {"format_version": FORMAT_VERSION, "register": str(path), "contracts": len(results), "summary": totals,
            "checks": [r["json"] for r in checked], "errors": register_errors(paths, results)}


def register_errors(paths: list[Path], results: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The contracts of a register that could not be checked: their folder and one-line error."""
    return [{"dataset": str(p), "error": r["error"]} for p, r in zip(paths, results, strict=True) if "error" in r]
