"""Scenario tests as data: named cases of input rows and expected findings, run through `check()`.

A scenario file (`<name>.scenarios.yaml`; the bundled ones are `rules/scenarios/<rule set>.scenarios.yaml`)
names a rule set and holds cases. Each case is a small contract dataset written out as real files
(contract.yaml and CSV tables), read by the dataset reader and checked by `check()` on every engine
(durable and python by default), exactly as `procurekit check` would. Only the findings a case lists
are asserted; `only: true` also asserts that the listed rules gave no other finding, `absent:` that a
rule gave none at all, `not_evaluated:` that a rule was reported as not evaluated. Both engines must
also agree on every finding.

Parameters can be overridden for the whole file or for one case (the rule-set format, dated `values`
included), which is how a value that changes mid-contract is tested before and after its date.
An expectation marked `boundary: true` sits at a rule's limit: `coverage_gaps` demands, for every rule,
one such ok expectation and one with the rule's failing verdict.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from procurekit.dataset.read import read_dataset
from procurekit.dataset.schema import HOURS_COLUMNS, PARTICIPANT_COLUMNS, SUPPLIER_COLUMNS, TURNOVER_COLUMNS
from procurekit.errors import DatasetError, ProcurekitError, RuleFileError, RuleSetErrors
from procurekit.evaluation.check import CheckResult, check
from procurekit.evaluation.engines import load_checked_ruleset
from procurekit.ruleset.load import (
    ParameterFile,
    RuleSet,
    RuleSetFile,
    Scalar,
    Verdict,
    bundled_rules_dir,
    merge_child,
    pydantic_errors,
    resolve_ref,
)
from procurekit.yamlio import LineMap, Loc, load_mapping

SUFFIX = ".scenarios.yaml"
ENGINES = ("durable", "python")

#: The tables a case may give, their CSV file and columns (in the order they are written).
TABLES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "participants": (
        "participants.csv",
        tuple(PARTICIPANT_COLUMNS),
        ("participant_id", "years_on_benefits", "enrolled_on", "left_on", "exit_reason"),
    ),
    "hours": ("hours.csv", tuple(HOURS_COLUMNS), tuple(HOURS_COLUMNS)),
    "supplier": ("supplier.csv", tuple(SUPPLIER_COLUMNS), tuple(SUPPLIER_COLUMNS)),
    "turnover": ("turnover.csv", tuple(TURNOVER_COLUMNS), tuple(TURNOVER_COLUMNS)),
}

Row = dict[str, Scalar | None]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ContractFields(_Strict):
    """contract.yaml fields of the cases (the rule set is the scenario file's)."""

    contract_id: str = "SCENARIO"
    municipality: str = "Scenarie Kommune"
    supplier: str = "Leverandør A/S"
    start: dt.date | None = None
    end: dt.date | None = None
    title: str | None = None


class Expect(_Strict):
    """One finding a case must produce."""

    rule: str
    subject: str = Field(description="participant id, <id>@YYYY-MM, YYYY-MM or YYYY")
    verdict: Verdict
    message: str | None = Field(None, description="the exact message, in the case's language")
    boundary: bool = Field(False, description="this expectation sits at the rule's limit (coverage)")

    @field_validator("subject", mode="before")
    @classmethod
    def _year_as_text(cls, value: Any) -> Any:
        # `subject: 2021` (a year, unquoted) is read by YAML as a number.
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class ExpectNotEvaluated(_Strict):
    """A rule (for one subject, or as a whole) the check must report as not evaluated."""

    rule: str
    subject: str | None = None


class Case(_Strict):
    """A named case: inputs and expected findings."""

    name: str = Field(min_length=1)
    description: str | None = None
    as_of: dt.date
    lang: Literal["da", "en"] = "da"
    contract: ContractFields | None = None
    parameters: dict[str, ParameterFile] = Field(default_factory=dict)
    participants: list[Row] = Field(default_factory=list)
    hours: list[Row] | None = None
    supplier: list[Row] | None = None
    turnover: list[Row] | None = None
    expect: list[Expect] = Field(default_factory=list)
    only: bool = Field(False, description="the listed rules give no finding besides the listed ones")
    absent: list[str] = Field(default_factory=list, description="rules that give no finding at all")
    not_evaluated: list[ExpectNotEvaluated] = Field(default_factory=list)


class ScenarioFileSpec(_Strict):
    """A scenario file."""

    ruleset: str = Field(description="bundled id, or a path relative to this file")
    description: str | None = None
    engines: list[Literal["durable", "python"]] = Field(default=["durable", "python"], min_length=1)
    contract: ContractFields = Field(default_factory=ContractFields)
    parameters: dict[str, ParameterFile] = Field(default_factory=dict)
    cases: list[Case] = Field(min_length=1)


@dataclass(frozen=True)
class LoadedCase:
    """A case ready to run: its rule set (with overrides) and where it is written."""

    spec: Case
    index: int
    line: int
    ruleset: RuleSet
    contract: dict[str, Any]
    lines: LineMap


@dataclass(frozen=True)
class ScenarioFile:
    """A loaded scenario file."""

    path: Path
    ruleset: RuleSet
    engines: tuple[str, ...]
    cases: tuple[LoadedCase, ...]


@dataclass
class CaseResult:
    """The outcome of one case: failures, each `file:line case [engines]: expected …, got …`."""

    file: ScenarioFile
    case: LoadedCase
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when every expectation held on every engine."""
        return not self.failures


# --- loading -----------------------------------------------------------------------------------


def shown_path(path: Path) -> str:
    """A path as printed: relative to the working directory when it is below it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


def bundled_scenarios() -> list[Path]:
    """The scenario files shipped with the bundled rule sets."""
    return sorted((bundled_rules_dir() / "scenarios").glob(f"*{SUFFIX}"))


def find_scenarios(refs: Sequence[str]) -> list[Path]:
    """Scenario files for command-line arguments: files, folders (searched), or bundled rule-set ids.

    Raises:
        ProcurekitError: an argument that is none of these.
    """
    if not refs:
        return bundled_scenarios()
    out: list[Path] = []
    for ref in refs:
        path = Path(ref)
        if path.is_dir():
            found = sorted(path.rglob(f"*{SUFFIX}"))
            if not found:  # "0 passed" would read as success
                raise ProcurekitError(f"{ref}: no scenario files (*{SUFFIX}) in this folder")
            out += found
        elif path.is_file():
            out.append(path)
        else:
            mine = [p for p in bundled_scenarios() if p.name == f"{ref}{SUFFIX}"]
            if not mine:
                raise ProcurekitError(
                    f"{ref}: no such scenario file, folder or bundled rule set with scenarios"
                )
            out += mine
    return list(dict.fromkeys(out))


def load_scenarios(paths: Iterable[Path]) -> list[ScenarioFile]:
    """Load scenario files; every problem of every file is reported together.

    Raises:
        RuleSetErrors: each problem with file and line.
    """
    errors: list[RuleFileError] = []
    files: list[ScenarioFile] = []
    for path in paths:
        try:
            files.append(load_scenario_file(path))
        except RuleSetErrors as exc:
            errors += exc.errors
        except RuleFileError as exc:
            errors.append(exc)
    if errors:
        raise RuleSetErrors(errors)
    return files


def load_scenario_file(path: Path) -> ScenarioFile:
    """Load and check one scenario file: structure, rule set, parameter overrides, rule ids.

    Raises:
        RuleSetErrors: every problem found, each with file and line.
    """
    name = shown_path(path)
    try:
        data, lines = load_mapping(name, "a scenario file is a mapping of ruleset and cases")
    except RuleFileError as exc:
        raise RuleSetErrors([exc]) from None
    try:
        spec = ScenarioFileSpec.model_validate(data)
    except ValidationError as exc:
        raise RuleSetErrors(pydantic_errors(Path(name), lines, exc)) from None
    try:
        base = load_checked_ruleset(resolve_ref(spec.ruleset, base=path.parent))
    except ProcurekitError as exc:
        raise RuleSetErrors([RuleFileError(name, lines.line_of(("ruleset",)), str(exc))]) from None
    errors: list[RuleFileError] = []
    file_rs = _override(base, spec.parameters, name, lines, ("parameters",), errors)
    cases: list[LoadedCase] = []
    seen: dict[str, int] = {}
    for i, case in enumerate(spec.cases):
        loc: Loc = ("cases", i)
        line = lines.line_of(loc) or 1
        if case.name in seen:
            message = f"case name '{case.name}' is already on line {seen[case.name]}"
            errors.append(RuleFileError(name, line, message))
        seen.setdefault(case.name, line)
        rs = _override(file_rs, case.parameters, name, lines, (*loc, "parameters"), errors)
        contract = _contract(spec.contract, case.contract)
        for key in ("start", "end"):
            if contract.get(key) is None:
                message = f"case '{case.name}': no contract {key} (in file or case)"
                errors.append(RuleFileError(name, line, message))
        _check_rows(case, name, lines, loc, errors)
        known = {r.id for r in (rs or base).rules}
        mentioned: list[tuple[Loc, str]] = [((*loc, "expect", j), e.rule) for j, e in enumerate(case.expect)]
        mentioned += [((*loc, "absent", j), r) for j, r in enumerate(case.absent)]
        mentioned += [((*loc, "not_evaluated", j), n.rule) for j, n in enumerate(case.not_evaluated)]
        for where, rule_id in mentioned:
            if rule_id not in known:
                message = f"case '{case.name}': rule set {base.id} has no rule '{rule_id}'"
                errors.append(RuleFileError(name, lines.line_of(where), message))
        if not (case.expect or case.absent or case.not_evaluated):
            message = f"case '{case.name}': expects nothing (give expect, absent or not_evaluated)"
            errors.append(RuleFileError(name, line, message))
        if rs is not None:
            cases.append(LoadedCase(case, i, line, rs, contract, lines))
    if errors:
        raise RuleSetErrors(errors)
    return ScenarioFile(path, base, tuple(dict.fromkeys(spec.engines)), tuple(cases))


def _contract(defaults: ContractFields, case: ContractFields | None) -> dict[str, Any]:
    out = defaults.model_dump()
    if case is not None:
        out.update({k: v for k, v in case.model_dump(exclude_unset=True).items()})
    return {k: v for k, v in out.items() if v is not None or k in ("start", "end")}


def _override(
    parent: RuleSet | None,
    params: dict[str, ParameterFile],
    name: str,
    lines: LineMap,
    prefix: Loc,
    errors: list[RuleFileError],
) -> RuleSet | None:
    """The rule set with parameter overrides, merged exactly as a child rule-set file would be."""
    if parent is None or not params:
        return parent
    # The loader looks lines up under ("parameters", …); map them from where they are in this file.
    n = len(prefix)
    sub = LineMap({("parameters", *k[n:]): v for k, v in lines.items() if k[:n] == prefix})
    spec = RuleSetFile.model_validate(
        {"id": f"{parent.id}-scenario", "title": parent.title, "parameters": params}
    )
    ruleset, problems = merge_child(Path(name), spec, sub, parent)
    if problems:
        errors += problems
        return None
    from procurekit.evaluation.engines import durable_problems  # the engine module imports the rules module

    refused = durable_problems(ruleset)  # other values can fold a condition into another shape
    if refused:
        errors += [RuleFileError(name, lines.line_of(prefix), f"rule '{r.id}': {m}") for r, m in refused]
        return None
    return ruleset


def _check_rows(case: Case, name: str, lines: LineMap, loc: Loc, errors: list[RuleFileError]) -> None:
    for table, (_, columns, _) in TABLES.items():
        for j, row in enumerate(getattr(case, table) or ()):
            for key in row:
                if key not in columns:
                    errors.append(RuleFileError(
                        name,
                        lines.line_of((*loc, table, j, key)),
                        f"case '{case.name}': {table}[{j}]: unknown column '{key}'"
                        f" (expected: {', '.join(columns)})",
                    ))


# --- running -----------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text


def write_case(case: LoadedCase, folder: Path) -> Path:
    """Write a case as a contract dataset folder (contract.yaml and its CSV tables)."""
    folder.mkdir(parents=True, exist_ok=True)
    contract = {**case.contract, "ruleset": str(case.ruleset.path)}
    text = "".join(f"{k}: {_yaml_scalar(v)}\n" for k, v in contract.items())
    (folder / "contract.yaml").write_text(text, encoding="utf-8")
    for table, (filename, columns, required) in TABLES.items():
        rows = getattr(case.spec, table)
        if rows is None and table != "participants":
            continue
        used = {k for row in rows or () for k in row}
        header = [c for c in columns if c in required or c in used]
        body = [",".join(_cell(row.get(c)) for c in header) for row in rows or ()]
        (folder / filename).write_text("\n".join([",".join(header), *body]) + "\n", encoding="utf-8")
    return folder


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_case(file: ScenarioFile, case: LoadedCase, engines: Sequence[str] | None = None) -> CaseResult:
    """Run one case on each engine and compare the findings with what it expects.

    Raises:
        RuleSetErrors: the case's rows are not a valid dataset (file and line of the scenario).
    """
    outcome = CaseResult(file, case)
    engines = tuple(engines or file.engines)
    with tempfile.TemporaryDirectory(prefix="procurekit-scenario-") as tmp:
        folder = write_case(case, Path(tmp) / "dataset")
        try:
            dataset = read_dataset(folder)
        except DatasetError as exc:
            raise RuleSetErrors([_row_error(file, case, exc)]) from None
        results = {
            engine: check(dataset, case.ruleset, as_of=case.spec.as_of, engine=engine, lang=case.spec.lang)
            for engine in engines
        }
    problems: dict[str, list[str]] = {}
    for engine, result in results.items():
        for line, text in _compare(case, result):
            problems.setdefault(f"{line}\0{text}", []).append(engine)
    if len(results) > 1:
        keys = {e: _key(r) for e, r in results.items()}
        first, *others = engines
        for other in others:
            for diff in sorted(keys[first] ^ keys[other]):
                side = first if diff in keys[first] else other
                problems.setdefault(
                    f"{case.line}\0engines disagree: only {side} gave {' '.join(diff[:3])}", []
                ).append(side)
    name = shown_path(file.path)
    for key, on in problems.items():
        where, text = key.split("\0", 1)
        outcome.failures.append(f"{name}:{where} {case.spec.name} [{', '.join(on)}]: {text}")
    return outcome


def _key(result: CheckResult) -> set[tuple[str, str, str, str]]:
    return {(f.rule, f.subject, f.verdict, f.message) for f in result.findings}


def _row_error(file: ScenarioFile, case: LoadedCase, exc: DatasetError) -> RuleFileError:
    table = Path(exc.path).stem
    loc: Loc = ("cases", case.index)
    where = table
    if table in TABLES and exc.row is not None and exc.row >= 2:
        loc = (*loc, table, exc.row - 2, *((exc.column,) if exc.column else ()))
        where = f"{table}[{exc.row - 2}]" + (f".{exc.column}" if exc.column else "")
    elif table == "contract":
        loc = (*loc, "contract")
    return RuleFileError(
        shown_path(file.path), case.lines.line_of(loc), f"case '{case.spec.name}': {where}: {exc.message}"
    )


def _compare(case: LoadedCase, result: CheckResult) -> list[tuple[int, str]]:
    spec, lines = case.spec, case.lines
    loc: Loc = ("cases", case.index)
    found: dict[tuple[str, str], list[Any]] = {}
    for f in result.findings:
        found.setdefault((f.rule, f.subject), []).append(f)
    skipped = {(n.rule, n.subject) for n in result.not_evaluated}
    out: list[tuple[int, str]] = []
    for j, e in enumerate(spec.expect):
        line = lines.line_of((*loc, "expect", j)) or case.line
        want = f"expected {e.rule} {e.subject} {e.verdict}"
        got = found.get((e.rule, e.subject), [])
        if not got:
            skip = (e.rule, e.subject) in skipped or (e.rule, None) in skipped
            why = "not evaluated" if skip else "no finding"
            out.append((line, f"{want}, got {why}"))
            continue
        f = got[0]
        if f.verdict != e.verdict:
            out.append((line, f"{want}, got {f.verdict} ({f.message})"))
        elif e.message is not None and f.message != e.message:
            out.append((line, f"{want} with message '{e.message}', got '{f.message}'"))
    if spec.only:
        listed = {(e.rule, e.subject) for e in spec.expect}
        for rule in dict.fromkeys(e.rule for e in spec.expect):
            for f in result.findings:
                if f.rule == rule and (f.rule, f.subject) not in listed:
                    line = lines.line_of((*loc, "only")) or case.line
                    text = f"expected only the listed findings of {rule}, got {f.subject} {f.verdict}"
                    out.append((line, text))
    for j, rule in enumerate(spec.absent):
        for f in result.findings:
            if f.rule == rule:
                line = lines.line_of((*loc, "absent", j)) or case.line
                out.append((line, f"expected no finding of {rule}, got {f.subject} {f.verdict}"))
    for j, n in enumerate(spec.not_evaluated):
        if not any(r == n.rule and (n.subject is None or s == n.subject) for r, s in skipped):
            line = lines.line_of((*loc, "not_evaluated", j)) or case.line
            what = f"{n.rule} {n.subject}" if n.subject else n.rule
            out.append((line, f"expected {what} not evaluated, got evaluated"))
    return out


def run_scenarios(files: Sequence[ScenarioFile], engines: Sequence[str] | None = None) -> list[CaseResult]:
    """Run every case of every file.

    Raises:
        RuleSetErrors: a case whose rows are not a valid dataset (all such cases reported together).
    """
    results: list[CaseResult] = []
    errors: list[RuleFileError] = []
    for file in files:
        for case in file.cases:
            try:
                results.append(run_case(file, case, engines))
            except RuleSetErrors as exc:
                errors += exc.errors
    if errors:
        raise RuleSetErrors(errors)
    return results


# --- coverage ----------------------------------------------------------------------------------


def coverage_gaps(files: Sequence[ScenarioFile], rulesets: Sequence[RuleSet]) -> list[str]:
    """Rules without a boundary pair: an ok expectation and a failing one, both `boundary: true`.

    The failing verdict is the rule's severity (violation or warning). One line per gap.
    """
    seen: dict[str, set[tuple[str, str]]] = {}
    for file in files:
        for case in file.cases:
            for e in case.spec.expect:
                if e.boundary:
                    seen.setdefault(file.ruleset.id, set()).add((e.rule, e.verdict))
    gaps = []
    for rs in rulesets:
        have = seen.get(rs.id, set())
        for rule in rs.rules:
            lacking = [v for v in ("ok", rule.severity) if (rule.id, v) not in have]
            if lacking:
                gaps.append(f"{rs.id}: rule {rule.id} has no boundary case expecting {' and '.join(lacking)}")
    return gaps
