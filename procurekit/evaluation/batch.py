"""Checks run in worker processes: isolation, a timeout, both cores for a register or a large contract.

A check runs in a forked worker process, so a crash or a hang inside durable_rules' C core (which never
releases the GIL, so no thread could stop it) becomes a clear `EngineError` instead of a dead or stuck
command: the parent waits with a timeout, then stops the workers. A *register* is a folder of contract
dataset folders; its contracts are shared out over `jobs` workers and the results put back in folder
order, so the output is identical to a single-process run. One *large* contract (more than `SPLIT_AT`
participant-months, estimated from hours.csv's lines) is checked, when `jobs` asks for it, in parts, one per
worker, by participant
(`check(part=…)`); each worker reads the dataset itself (the workers are forked before anything is read:
polars' running thread pool does not survive fork), and one of them, which holds the dataset already, puts the
parts back together (`merge_parts`) into the very check one process makes and renders it: the parent reads
nothing.

Workers are made for bulk work: what they inherit is frozen out of the cyclic garbage collector's sight,
and the collector runs rarely (`bulk_gc`); objects of a check are freed by reference counting anyway.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import itertools
import multiprocessing
import operator
import os
import stat
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from procurekit.errors import DatasetError, EngineError, ProcurekitError

if TYPE_CHECKING:
    from procurekit.dataset.read import Dataset
    from procurekit.evaluation.check import CheckResult, OkVerdicts
    from procurekit.ruleset.load import RuleSet

DEFAULT_TIMEOUT = 600.0
T = TypeVar("T")
#: A contract with more participant-months than this is checked in parts, one per worker (given more
#: than one): below it, starting a second worker costs more than it saves.
SPLIT_AT = 20_000
#: The cyclic collector's thresholds during bulk work (Python's default is 700, 10, 10): a check makes
#: millions of objects, few of them in cycles, and a collection walks every young one.
BULK_GC = (100_000, 50, 100)


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
    #: One contract, not a register: only the output asked for is made, and JSON comes back as its text
    #: (a large check's document is 20 MB: writing it in the worker beats pickling it to the parent).
    single: bool = False


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


#: How a worker turns a check into its outputs: (check, include_ok, notes) -> the JSON document, and the
#: text; and check -> its notes. The documents layer above this one adds breaches and next steps to the
#: findings (`procurekit.check_json`, `check_text`, `documents.actions.finding_notes`), so the caller passes
#: them in; they must be module-level functions (they are pickled to the workers). The notes are made once
#: per check and shared by the JSON and the text.
Render = tuple[
    Callable[["CheckResult", bool, Any], dict[str, Any]],
    Callable[["CheckResult", bool, Any], str],
    Callable[["CheckResult"], dict[str, dict[Any, Any]]],
]


#: A call for a worker: a module-level function and its arguments.
Call = tuple[Callable[..., dict[str, Any]], tuple[Any, ...]]


@contextmanager
def bulk_gc() -> Iterator[None]:
    """Bulk work: the cyclic garbage collector runs rarely (`BULK_GC`), and never over the objects that
    existed before (modules, the rule set, a dataset read); the collector's settings are restored after."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*BULK_GC)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def share_cores(workers: int) -> None:
    """Give each of `workers` worker processes an equal share of the CPUs for polars' thread pool.

    polars sizes its pool once, when it is imported, from `POLARS_MAX_THREADS` (default: every CPU), so
    this works only before polars is first imported; it leaves a value the user set alone. Measured on a
    register of 98 contracts (2 CPUs, 2 workers): two threads a worker 4.6-5.3 s, one 4.1-4.3 s (less
    contention, and a small query's start-up costs less on one thread).
    """
    if workers < 2 or "polars" in sys.modules or "POLARS_MAX_THREADS" in os.environ:
        return
    os.environ["POLARS_MAX_THREADS"] = str(max(1, (os.cpu_count() or 1) // workers))


def worker_count(workers: int | None, jobs: int) -> int:
    """The number of worker processes `run_jobs` starts for `jobs` jobs (`workers`: as asked; None: CPUs)."""
    return max(1, min(workers or os.cpu_count() or 1, jobs))


def _worker_start() -> None:
    # A worker lives for one run and is ours alone: bulk settings for its whole life.
    gc.freeze()
    gc.set_threshold(*BULK_GC)


def run_job(job: Job, render: Render) -> dict[str, Any]:
    """Check one dataset (in a worker); return its JSON document, text and whether it has a violation."""
    from procurekit.evaluation.check import check

    try:
        result = check(job.path, job.rules, as_of=job.as_of, engine=job.engine, lang=job.lang,
                       ok="explained" if job.include_ok else "counted")
    except ProcurekitError as exc:  # custom exception signatures do not survive pickling
        return {"error": str(exc)}
    return _rendered(result, job, render)


def run_together(jobs: list[Job], render: Render) -> dict[str, Any]:
    """Several jobs of a register (in a worker), alike but for their folders: their datasets read together
    (`read_datasets`) and checked side by side (`check_many`); each result is `run_job`'s, in job order."""
    from procurekit.dataset.read import read_datasets
    from procurekit.evaluation.check import check_many

    first = jobs[0]
    if any(dataclasses.replace(job, path=first.path) != first for job in jobs):
        raise ValueError("jobs checked together must differ in their folders only")
    checked = check_many(read_datasets([job.path for job in jobs]), first.rules, as_of=first.as_of,
                         engine=first.engine, lang=first.lang, ok="explained" if first.include_ok else "counted")
    return {"together": [{"error": str(found)} if isinstance(found, ProcurekitError) else _rendered(found, job, render)
                         for job, found in zip(jobs, checked, strict=True)]}


def _rendered(result: CheckResult, job: Job, render: Render) -> dict[str, Any]:
    to_json, to_text, annotate = render
    notes = annotate(result)
    if job.single:
        from procurekit.evaluation.output import to_json as json_text

        made = to_text(result, job.include_ok, notes) if job.text else json_text(to_json(result, job.include_ok, notes))
        return {"output": made, "violation": result.has_violation}
    return {
        "json": to_json(result, job.include_ok, notes),
        "text": to_text(result, job.include_ok, notes) if job.text else None,
        "violation": result.has_violation,
    }


def run_apart(call: Callable[..., T], *args: Any, what: Path | str, timeout: float = DEFAULT_TIMEOUT,
              server: bool = False, **kwargs: Any) -> T:
    """`call(*args, **kwargs)` in a worker process, for a process that must outlive whatever the rules engine
    does: a crash of durable_rules' C core, or a call that takes longer than `timeout` (0: no limit), becomes an
    `EngineError` naming `what` instead of ending the process or holding it (the C core never releases the
    GIL). `call` is a module-level function; its arguments and result travel pickled. `server`: the worker
    always comes from the fork server, never a fork of this process (a server has other threads, whose locks
    a forked child would inherit held).

    Raises:
        ProcurekitError: what `call` raised of procurekit's errors (as one with its message).
        EngineError: the worker crashed or did not finish within `timeout`.
    """
    context = _fork_server() if server else None
    (found,) = _in_workers([(_apart, (call, args, kwargs))], [Path(what)], 1, timeout, context=context)
    if "error" in found:
        raise ProcurekitError(found["error"])
    return found["result"]  # type: ignore[no-any-return]


def _apart(call: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    try:
        return {"result": call(*args, **kwargs)}
    except ProcurekitError as exc:  # custom exception signatures do not survive pickling
        return {"error": str(exc)}


def map_apart(call: Callable[[Any], T], items: list[Any], what: Path | str, workers: int | None = None,
              timeout: float = DEFAULT_TIMEOUT, progress: Callable[[int, int], None] | None = None) -> list[T]:
    """`call(item)` for every item, in up to `workers` worker processes (default: the CPUs), results in item
    order; `progress` is called with (done, all) as they come in. A crash, or a run longer than `timeout`
    (0: no limit), is an `EngineError` naming `what`.

    Raises:
        ProcurekitError: what `call` raised of procurekit's errors (as one with its message).
        EngineError: a worker crashed or the run took longer than `timeout`.
    """
    calls: list[Call] = [(_apart, (call, (item,), {})) for item in items]
    found = _in_workers(calls, [Path(what)] * len(items), worker_count(workers, len(items)), timeout, progress)
    for result in found:
        if "error" in result:
            raise ProcurekitError(result["error"])
    return [result["result"] for result in found]


def check_apart(
    dataset: Dataset,
    rules: RuleSet,
    as_of: dt.date | None = None,
    engine: str = "durable",
    lang: str = "da",
    ok: OkVerdicts = "explained",
    timeout: float = DEFAULT_TIMEOUT,
) -> CheckResult:
    """`check` in a worker process from the fork server (`run_apart`): the web workspace's server checks this
    way, so that the engine cannot take it down. The dataset and the result travel pickled (the tables as
    Arrow data).

    Raises:
        ProcurekitError: the check could not use the dataset or the rules.
        EngineError: the worker crashed or did not finish within `timeout`.
    """
    from procurekit.evaluation.check import check

    return run_apart(check, dataset, rules, what=dataset.path, timeout=timeout, server=True, as_of=as_of,
                     engine=engine, lang=lang, ok=ok)


def run_check(job: Job, render: Render, workers: int | None = None,
              timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
    """Check one contract dataset in a worker process, or in parts over `workers` when it is large and
    more than one worker is asked for.

    The result is `run_job`'s, whatever the parts. Parts are asked for, never the default: each reads and
    derives the whole dataset, so two parts hold it twice. Measured on 1.8M participant-months (2 cores):
    the durable engine takes 12.6 s in one worker (0.9 GB) and 8.5 s in two (1.5 GB in all); the python
    engine, column-wise already, 3.5 s in one and 4.3 s in two.

    Raises:
        ProcurekitError: the dataset or the rules could not be used.
        EngineError: a worker crashed or the run took longer than `timeout`.
    """
    # Workers are forked before anything is read: polars' thread pool, once running, does not survive
    # fork(). So the size is estimated from the file, each worker reads the dataset itself, and a worker
    # that holds it renders the merged check (a third read, here, cost a core's worth of time and memory).
    with bulk_gc():
        count = max(1, min(workers or 1, 8))
        parts = count if count > 1 and _hours_rows(job.path) > SPLIT_AT else 1
        if parts == 1:
            return run_jobs([job], render, workers=1, timeout=timeout)[0]
        *found, merged = _in_workers(
            [(_run_part, (job, i, parts)) for i in range(parts)], [job.path] * parts, parts, timeout,
            then=lambda found: None if any("error" in p for p in found) else (_merged, (job, found, render)))
        for part in [*found, merged]:
            if "error" in part:
                raise ProcurekitError(part["error"])
        return merged


def _hours_rows(folder: Path) -> int:
    """About how many participant-months a dataset holds: the lines of its hours.csv (0 without one; a
    workbook is never split)."""
    path = folder / "hours.csv"
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return 0  # a FIFO or a folder: the reader refuses it, clearly; reading it here would block
        with path.open("rb") as fh:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    except OSError:
        return 0


#: The dataset a worker read for a part of a large contract (`_run_part`), kept for `_merged`.
_READ: dict[Path, Dataset] = {}


def _run_part(job: Job, index: int, count: int) -> dict[str, Any]:
    """One part of a large contract's check (in a worker): the result's fields but the dataset. (The notes
    are made of the merged check: a participant's months may lie in two parts, and a breach with them.)"""
    from procurekit.evaluation.check import check

    try:
        result = check(_READ.get(job.path, job.path), job.rules, as_of=job.as_of, engine=job.engine,
                       lang=job.lang, ok="explained" if job.include_ok else "counted", part=(index, count))
    except ProcurekitError as exc:
        return {"error": str(exc)}
    if job.path not in _READ:
        _READ.clear()
        _READ[job.path] = result.dataset
    return part_result(result)


def _merged(job: Job, parts: list[dict[str, Any]], render: Render) -> dict[str, Any]:
    """The parts of a large contract's check put together and rendered (in a worker, as `run_job`): by a
    worker that read the dataset for a part, or else reads it."""
    from procurekit.dataset.read import read_dataset

    dataset = _READ.pop(job.path, None)
    try:
        dataset = dataset if dataset is not None else read_dataset(job.path)
    except ProcurekitError as exc:
        return {"error": str(exc)}
    return _rendered(merge_parts(dataset, parts), job, render)


def part_result(result: CheckResult) -> dict[str, Any]:
    """A part's check as a worker sends it back: its fields but the dataset, each finding as a tuple of
    its fields (a frozen dataclass pickles and unpickles several times slower than a tuple)."""
    out = {f.name: getattr(result, f.name) for f in dataclasses.fields(result) if f.name != "dataset"}
    out["findings"] = list(map(_finding_fields(), result.findings))
    return out


def _finding_fields() -> Callable[[Any], tuple[Any, ...]]:
    from procurekit.evaluation.check import Finding

    return operator.attrgetter(*(f.name for f in dataclasses.fields(Finding)))


def merge_parts(dataset: Dataset, parts: list[dict[str, Any]]) -> CheckResult:
    """The check of a whole contract from its parts (`part_result`, in part order), as one process makes it.

    Findings come kind by kind and rule by rule, each rule's in subject order: so each rule's findings
    are its findings in part 0, then in part 1, and so on. What is not split (other subjects, every
    not-evaluated entry) is part 0's.
    """
    from procurekit.evaluation.check import CheckResult, Finding
    from procurekit.ruleset.subjects import SUBJECTS

    first = parts[0]
    at = [f.name for f in dataclasses.fields(Finding)].index("rule")
    grouped: list[dict[str, list[tuple[Any, ...]]]] = []
    for part in parts:
        by_rule: dict[str, list[tuple[Any, ...]]] = {}
        for row in part["findings"]:
            by_rule.setdefault(row[at], []).append(row)
        grouped.append(by_rule)
    rules = first["ruleset"].rules
    rows = [row for kind in SUBJECTS for rule in rules if rule.subject == kind
            for by_rule in grouped for row in by_rule.get(rule.id, ())]
    # Counted ok verdicts: summed; a rule's first ok subject is in the first part that has one, after the
    # rule's other findings of the parts before it.
    ok_counts: dict[str, int] = {}
    ok_first: dict[str, int] = {}
    before: dict[str, int] = {}
    for part, by_rule in zip(parts, grouped, strict=True):
        for rule_id, n in part["ok_counts"].items():
            ok_counts[rule_id] = ok_counts.get(rule_id, 0) + n
            if rule_id not in ok_first and rule_id in part["ok_first"]:
                ok_first[rule_id] = before.get(rule_id, 0) + part["ok_first"][rule_id]
        for rule_id, found in by_rule.items():
            before[rule_id] = before.get(rule_id, 0) + len(found)
    return CheckResult(**{**first, "dataset": dataset, "findings": list(itertools.starmap(Finding, rows)),
                          "ok_counts": ok_counts, "ok_first": ok_first})


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
    count = worker_count(workers, len(jobs))
    chunks = chunked(jobs, count)
    done = list(itertools.accumulate(len(chunk) for chunk in chunks))
    calls: list[Call] = [(run_job, (chunk[0], render)) if len(chunk) == 1 else (run_together, (chunk, render))
                         for chunk in chunks]
    results = [result for found in _in_workers(
        calls, [_named(chunk) for chunk in chunks], count, timeout,
        None if progress is None else lambda n, _: progress(done[n - 1], len(jobs)),
    ) for result in found.get("together", [found])]
    for result in [] if keep_errors else results:
        if "error" in result:
            raise ProcurekitError(result["error"])
    return results


#: The most CSV bytes of the contracts a worker reads together (`chunked`).
CHUNK_BYTES = 32 << 20
#: About how many chunks a worker gets (`chunked`): more share the work out more evenly at the end, fewer
#: share more of each query's fixed cost (measured on 98 contracts: 6 as good as any; chunks shrinking
#: towards the end were no faster).
CHUNKS_A_WORKER = 6


def chunked(jobs: list[Job], workers: int) -> list[list[Job]]:
    """A register's jobs in consecutive chunks, one a worker call, its contracts read together: about
    `CHUNKS_A_WORKER` chunks a worker, by their tables' sizes, none over `CHUNK_BYTES` but a single large
    contract."""
    sizes = [_csv_bytes(job.path) for job in jobs]
    most = max(1, min(CHUNK_BYTES, sum(sizes) // (workers * CHUNKS_A_WORKER)))
    chunks: list[list[Job]] = []
    held = 0
    for job, size in zip(jobs, sizes, strict=True):
        if not chunks or held + size > most:
            chunks.append([])
            held = 0
        chunks[-1].append(job)
        held += size
    return chunks


def _csv_bytes(folder: Path) -> int:
    """The size of a dataset's CSV tables (0 for what is not a regular file: the reader says what it is)."""
    total = 0
    for name in ("participants", "hours", "supplier", "turnover"):
        with contextlib.suppress(OSError):
            found = (folder / f"{name}.csv").stat()
            total += found.st_size if stat.S_ISREG(found.st_mode) else 0
    return total


def _named(chunk: list[Job]) -> Path:
    """How an engine error names a chunk of contracts: its folder, or its first and last folders."""
    return chunk[0].path if len(chunk) == 1 else Path(f"{chunk[0].path} … {chunk[-1].path.name}")


def _in_workers(
    calls: list[Call],
    paths: list[Path],
    count: int,
    timeout: float,
    progress: Callable[[int, int], None] | None = None,
    then: Callable[[list[dict[str, Any]]], Call | None] | None = None,
    context: multiprocessing.context.BaseContext | None = None,
) -> list[dict[str, Any]]:
    """Run each (function, arguments) in one of `count` forked workers; results in call order. `then`
    makes one more call (or None) of the results, run by one of the same workers once every result is
    in (so it may use what a worker kept); its result comes last. `context`: where the workers come from
    (default `_context()`).

    Raises:
        EngineError: a worker crashed, or the calls took longer than `timeout` (0: no limit); names the
            dataset (`paths`, one per call) whose result was awaited.
    """
    pool = ProcessPoolExecutor(max_workers=count, mp_context=context or _context(), initializer=_worker_start)
    try:
        futures: list[Future[dict[str, Any]]] = [pool.submit(func, *args) for func, args in calls]
        results = []
        deadline = None if not timeout else _now() + timeout
        for path, future in zip(paths, futures, strict=True):
            results.append(_result(future, path, deadline, timeout))
            if progress is not None:
                progress(len(results), len(calls))
        last = then(results) if then is not None else None
        if last is not None:
            results.append(_result(pool.submit(last[0], *last[1]), paths[-1], deadline, timeout))
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown()
    return results


def _result(future: Future[dict[str, Any]], path: Path, deadline: float | None, timeout: float) -> dict[str, Any]:
    """A worker's result, awaited until `deadline` at most.

    Raises:
        EngineError: the worker crashed or the deadline passed.
    """
    left = None if deadline is None else max(0.0, deadline - _now())
    try:
        return future.result(timeout=left)
    except FutureTimeout:
        raise EngineError(
            f"{path}: the rules engine did not finish within {timeout:g} s; nothing was written"
        ) from None
    except BrokenProcessPool:
        raise EngineError(f"{path}: the rules engine crashed in its worker process; nothing was written") from None


def _context() -> multiprocessing.context.BaseContext:
    """Fork, unless polars' thread pool runs in this process (any computation starts it): a child forked
    beside a running pool inherits the pool without its threads and hangs on its first parallel
    operation, so the workers then come from a fork server, a fresh process that has imported procurekit
    but computed nothing. Merely importing polars is harmless (its one thread is "polars-ooc-clea")."""
    if not _polars_pool_running():
        return multiprocessing.get_context("fork")
    return _fork_server()


def _fork_server() -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["procurekit.evaluation.check"])
    return context


def start_fork_server() -> None:
    """Start the fork server now (see `_context`), so that the first check a long-lived process makes in a
    worker does not wait about a second for it: the web workspace calls this as it starts."""
    from multiprocessing import forkserver

    _fork_server()
    forkserver.ensure_running()


#: Names (prefixes) of the threads of polars' thread pool and async runtime, which a computation starts.
_POLARS_POOL = ("polars-", "tokio-", "async-exec")


def _polars_pool_running() -> bool:
    try:
        names = [Path(f"/proc/self/task/{t}/comm").read_text().strip() for t in os.listdir("/proc/self/task")]
    except OSError:  # no /proc: be safe
        return "polars" in sys.modules
    return any(n.startswith(_POLARS_POOL) and n != "polars-ooc-clea" for n in names)


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
