"""What one `ledger add` records, gathered before the database is touched.

The dataset's files are read as bytes before and after the dataset is read and checked; if they changed
in between, nothing is recorded. Every stored text is searched for CPR-shaped numbers first (comments in
contract.yaml, note sheets of a workbook and cell comments included, which the dataset reader skips).
The rule set is stored twice: its source files as written (leaf first, then each file it extends) and
one flattened, self-contained rule-set file that loads to the same digest; `verify` re-runs with that.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import re
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from procurekit.dataset import Dataset, looks_like_cpr, read_dataset
from procurekit.errors import DatasetError
from procurekit.evaluation import CheckResult, Finding
from procurekit.evaluation import load_checked_ruleset as load_ruleset
from procurekit.evaluation.check import check
from procurekit.ledger.db import LedgerError
from procurekit.months import month_of, parse_month
from procurekit.ruleset import RuleSet, resolve_ref

TABLES = ("participants", "hours", "supplier", "turnover")
MAX_XML_PART = 512 * 1024 * 1024
_TEXT_NODE = re.compile(rb">([^<]+)<")


@dataclass(frozen=True)
class Case:
    """The current state of one case in one submission: a rule on a participant, or on the contract's months."""

    rule: str
    case_subject: str  # participant id; "" for month and year rules
    verdict: str
    since_subject: str  # first subject of the trailing run with this verdict
    latest_subject: str
    message: str
    values: dict[str, Any]


@dataclass(frozen=True)
class RuleInfo:
    """What the ledger keeps of each rule, for texts without loading the rule set."""

    rule: str
    subject_kind: str
    title_da: str
    title_en: str
    clause: str
    reference: str
    lets: tuple[str, ...]


@dataclass
class Prepared:
    """One submission, ready to be stored."""

    folder: Path
    contract_id: str
    contract_json: str
    files: dict[str, bytes]
    ruleset: RuleSet
    ruleset_files: list[tuple[str, bytes]]
    flat: bytes
    rules: list[RuleInfo]
    result: CheckResult
    rows: list[tuple[str, int, str, str]]
    cases: list[Case]
    as_of: dt.date
    month: str
    received: dt.date | None
    note: str | None
    engine: str
    lang: str

    @property
    def content_key(self) -> str:
        """The identity of a submission: its files, its rule set, the day it is checked as of, the engine."""
        return sha256_hex(canonical({
            "files": {name: sha256_hex(data) for name, data in sorted(self.files.items())},
            "ruleset": self.ruleset.digest,
            "flat": sha256_hex(self.flat),
            "as_of": self.as_of.isoformat(),
            "engine": self.engine,
        }))


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of `data`, hex."""
    return hashlib.sha256(data).hexdigest()


def canonical(data: Any) -> bytes:
    """Canonical JSON bytes (sorted keys, no spaces) for hashing."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


#: How the ledger runs a check: `check` itself, or `batch.check_apart` (in a worker process) where the process
#: must outlive the rules engine (the web workspace's server).
Checker = Callable[..., CheckResult]


def prepare(
    dataset: Path | str,
    rules: str | None = None,
    as_of: dt.date | None = None,
    received: dt.date | None = None,
    note: str | None = None,
    engine: str = "durable",
    lang: str = "da",
    checker: Checker = check,
) -> Prepared:
    """Read, refuse CPR-like content, check (by `checker`), and gather everything `add` stores.

    Raises:
        ProcurekitError: the dataset or rule set cannot be used (nothing is stored).
    """
    folder = Path(dataset)
    if note is not None and looks_like_cpr(note):
        raise LedgerError("--note: looks like a CPR number; use a pseudonym (value not shown)")
    before = dataset_files(folder) if folder.is_dir() else {}
    ds = read_dataset(folder)
    for name, data in before.items():
        refuse_cpr(folder / name, data)
    ruleset_path = resolve_ref(rules) if rules is not None else resolve_ref(ds.contract.ruleset, base=folder)
    ruleset = load_ruleset(ruleset_path)
    chain = ruleset_chain(ruleset_path)
    for name, data in chain:
        refuse_cpr(Path(name), data)
    flat = flatten(ruleset)
    day = as_of or as_of_for(ds)
    result = checker(ds, ruleset, as_of=day, engine=engine, lang=lang, ok="listed")
    if dataset_files(folder) != before:
        raise DatasetError(folder, "files changed while being recorded; nothing was recorded, try again")
    infos = rule_infos(ruleset)
    kinds = {r.rule: r.subject_kind for r in infos}
    return Prepared(
        folder=folder,
        contract_id=ds.contract.contract_id,
        contract_json=ds.contract.model_dump_json(),
        files=before,
        ruleset=ruleset,
        ruleset_files=chain,
        flat=flat,
        rules=infos,
        result=result,
        rows=data_rows(ds),
        cases=cases_of(result.findings, kinds),
        as_of=day,
        month=day.strftime("%Y-%m"),
        received=received,
        note=note,
        engine=engine,
        lang=lang,
    )


def dataset_files(folder: Path) -> dict[str, bytes]:
    """The files a dataset is read from: contract.yaml, `<table>.csv` and the `.xlsx` workbooks."""
    out: dict[str, bytes] = {}
    names = ["contract.yaml", *(f"{t}.csv" for t in TABLES)]
    names += sorted(
        p.name for p in folder.iterdir()
        if p.suffix.lower() == ".xlsx" and not p.name.startswith(("~$", ".")) and p.is_file()
    )
    for name in names:
        path = folder / name
        if path.is_file():
            try:
                out[name] = path.read_bytes()
            except OSError as exc:
                raise DatasetError(path, f"cannot read file ({exc.strerror})") from None
    return out


def refuse_cpr(path: Path, data: bytes) -> None:
    """Refuse a file holding anything shaped like a CPR number anywhere (the value is never shown).

    Raises:
        DatasetError: CPR-like content found.
    """
    if path.suffix.lower() == ".xlsx":
        texts = list(_workbook_texts(path, data))
    else:
        texts = [("", data.decode("utf-8", errors="replace"))]
    for part, text in texts:
        for number, line in enumerate(text.splitlines(), start=1):
            if looks_like_cpr(line):
                where = f" [{part}]" if part else f":{number}"
                raise DatasetError(
                    f"{path}{where}", "looks like a CPR number; use pseudonyms (value not shown; nothing recorded)"
                )


def _workbook_texts(path: Path, data: bytes) -> list[tuple[str, str]]:
    # Every text node of every XML part: cells, shared strings, note sheets, cell comments.
    out = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            for info in book.infolist():
                if not info.filename.endswith(".xml"):
                    continue
                if info.file_size > MAX_XML_PART:  # the reader refuses such workbooks first; never skip unread
                    raise DatasetError(path, f"part {info.filename} is larger than {MAX_XML_PART // 2**20} MiB")
                raw = book.read(info)
                nodes = b"\n".join(m.group(1) for m in _TEXT_NODE.finditer(raw))
                out.append((info.filename, nodes.decode("utf-8", errors="replace")))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise DatasetError(path, "not a readable .xlsx workbook") from None
    return out


def ruleset_chain(path: Path) -> list[tuple[str, bytes]]:
    """The rule set's source files as written: the file itself, then each file it `extends`."""
    out: list[tuple[str, bytes]] = []
    seen: set[Path] = set()
    current: Path | None = path.resolve()
    while current is not None and current not in seen:
        seen.add(current)
        data = current.read_bytes()
        out.append((current.name, data))
        try:
            doc = yaml.safe_load(data)
        except yaml.YAMLError:  # the loader accepted it, so this does not happen; stop the walk
            break
        parent = doc.get("extends") if isinstance(doc, dict) else None
        current = resolve_ref(str(parent), base=current.parent).resolve() if parent else None
    return out


def flatten(ruleset: RuleSet) -> bytes:
    """One self-contained rule-set file (no `extends`) that loads to the same digest.

    Raises:
        LedgerError: it does not (the rule set could not be stored faithfully).
    """
    doc: dict[str, Any] = {
        "id": ruleset.id,
        "title": ruleset.title.model_dump(),
        "jurisdiction": ruleset.jurisdiction,
        "version": ruleset.version,
        "description": ruleset.description,
        "parameters": {
            name: {
                "values": {since: {"value": value, "source": source} for since, value, source in p.values},
                "unit": p.unit,
                "description": p.description,
                "source": p.source,
                "confidence": p.confidence,
            }
            for name, p in ruleset.parameters.items()
        },
        "rules": [r.source for r in ruleset.rules],
    }
    text = "# The rule set as resolved when recorded in the procurekit ledger (extends flattened).\n"
    text += yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=10_000)
    data = text.encode("utf-8")
    if load_flat(data, ruleset.id).digest != ruleset.digest:
        raise LedgerError(f"rule set {ruleset.id}: cannot be stored faithfully (flattened digest differs)")
    return data


def load_flat(data: bytes, ruleset_id: str) -> RuleSet:
    """Load a flattened rule set from its stored bytes."""
    with tempfile.TemporaryDirectory(prefix="procurekit-ledger-") as tmp:
        path = Path(tmp) / f"{ruleset_id}.yaml"
        path.write_bytes(data)
        return load_ruleset(path, check_unused=False)  # history loads as it was stored


def rule_infos(ruleset: RuleSet) -> list[RuleInfo]:
    """Each rule's id, subject, titles, clause, reference and `let` names (a deadline is a date-valued let)."""
    out = []
    for r in ruleset.rules:
        lets = tuple(r.source.get("let", {}))
        out.append(RuleInfo(r.id, r.subject, r.title.da, r.title.en, r.clause, r.reference, lets))
    return out


def as_of_for(ds: Dataset) -> dt.date:
    """The last day of the last month the dataset reports (hours, supplier, dates), within the contract."""
    months: list[str] = []
    if ds.hours:
        months += [h.month for h in ds.hours]
    if ds.supplier:
        months += [s.month for s in ds.supplier]
    for p in ds.participants:
        months += [d.strftime("%Y-%m") for d in (p.enrolled_on, p.left_on, p.job_offer_on) if d is not None]
    if ds.turnover:
        months += [t.reported_on.strftime("%Y-%m") for t in ds.turnover]
    c = ds.contract
    if not months:
        return c.start
    end = month_of(parse_month(max(months)))[1]
    return max(c.start, min(end, c.end))


def data_rows(ds: Dataset) -> list[tuple[str, int, str, str]]:
    """Every row of every table: (table, position, subject, JSON of the parsed cells)."""
    out: list[tuple[str, int, str, str]] = []
    tables: dict[str, Any] = {
        "participants": ds.participants, "hours": ds.hours, "supplier": ds.supplier, "turnover": ds.turnover,
    }
    for table, rows in tables.items():
        for i, row in enumerate(rows or (), start=1):
            data = {f.name: _json_value(getattr(row, f.name)) for f in dataclasses.fields(row)}
            out.append((table, i, _row_subject(table, data), json.dumps(data, ensure_ascii=False)))
    return out


def _row_subject(table: str, data: dict[str, Any]) -> str:
    if table == "participants":
        return str(data["participant_id"])
    if table == "hours":
        return f"{data['participant_id']}@{data['month']}"
    if table == "supplier":
        return str(data["month"])
    return str(data.get("year", ""))


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Stored as the float the row held before numbers became exact decimals: a ledger written
        # earlier compares equal row for row.
        return float(value)
    return value.isoformat() if isinstance(value, dt.date) else value


def cases_of(findings: list[Finding], kinds: dict[str, str]) -> list[Case]:
    """The cases of one submission whose current verdict is not ok.

    A participant rule's case is the participant; a participant-month rule's case is the participant,
    judged by its latest month; a month or year rule's case is the contract, judged by its latest month
    or year. `since_subject` is where the trailing run of the current verdict began.
    """
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        kind = kinds.get(f.rule, "participant")
        if kind == "participant":
            key = f.subject
        elif kind == "participant_month":
            key = f.subject.split("@", 1)[0]
        else:
            key = ""
        groups[(f.rule, key)].append(f)
    out = []
    for (rule, key), found in groups.items():
        found.sort(key=lambda f: f.subject.rsplit("@", 1)[-1])
        latest = found[-1]
        if latest.verdict == "ok":
            continue
        start = len(found) - 1
        while start > 0 and found[start - 1].verdict == latest.verdict:
            start -= 1
        out.append(Case(rule, key, latest.verdict, found[start].subject, latest.subject, latest.message,
                        latest.values))
    out.sort(key=lambda c: (c.rule, c.case_subject))
    return out
