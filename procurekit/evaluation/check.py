"""`check`: evaluate a rule set on a contract dataset and explain every verdict."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import re
from collections import Counter
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import polars as pl

import procurekit.conditions as ex
from procurekit import l10n
from procurekit.dataset.fact_frames import (
    derive_frames,
    derive_many,
    hours_gaps_frame,
    hours_keys,
    input_frames,
    table_rows,
)
from procurekit.dataset.facts import Fact, missing_sources
from procurekit.dataset.read import Dataset, read_dataset
from procurekit.errors import DatasetError, ProcurekitError
from procurekit.evaluation.columnar import verdict_frame
from procurekit.evaluation.engines import Plan, get_engine, load_checked_ruleset, make_plan
from procurekit.ruleset.load import VERDICTS, Rule, RuleSet, Scalar, resolve_ref
from procurekit.ruleset.model import scalar_type
from procurekit.ruleset.subjects import SUBJECTS

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
#: Version of the `check --format json` document (procurekit/schemas/check.schema.json describes it):
#: 1.1 added format_version, and since and contract_point per finding.
FORMAT_VERSION = "1.1"


@dataclass(frozen=True)
class Finding:
    """One verdict of one rule on one subject, with everything that decided it."""

    rule: str
    subject: str
    verdict: str
    message: str
    values: dict[str, Any]
    clause: str
    reference: str

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape of a finding."""
        return {
            "rule": self.rule,
            "subject": self.subject,
            "verdict": self.verdict,
            "message": self.message,
            "values": self.values,
            "clause": self.clause,
            "reference": self.reference,
        }


@dataclass(frozen=True)
class NotEvaluated:
    """A rule (or one subject of it) that could not be evaluated, and why."""

    rule: str
    reason: str
    subject: str | None = None


#: What `check` does with ok verdicts: explain them as findings (message and values), list them as
#: findings without message and values, or only count them (`CheckResult.ok_counts`).
OkVerdicts = Literal["explained", "listed", "counted"]

#: (since, contract point) for each of the findings given: see `CheckResult.to_json`.
FindingContext = Callable[["CheckResult", list[Finding]], list[tuple[str | None, str | None]]]


@dataclass
class CheckResult:
    """The outcome of a check: every finding (the ok ones unless only counted) and what could not be
    evaluated."""

    ruleset: RuleSet
    dataset: Dataset
    as_of: dt.date
    engine: str
    lang: str
    findings: list[Finding] = field(default_factory=list)
    not_evaluated: list[NotEvaluated] = field(default_factory=list)
    #: The day asked for, when it lay after the contract's end (then `as_of` is the end).
    requested_as_of: dt.date | None = None
    #: What was done with ok verdicts (see `OkVerdicts`): with "counted", `findings` holds no ok finding.
    ok: OkVerdicts = "explained"
    #: The number of ok verdicts of each rule that has any (whether or not they are in `findings`).
    ok_counts: dict[str, int] = field(default_factory=dict)
    #: Per rule of `ok_counts`: how many of its other findings come before its first ok subject, so a
    #: tally can be ordered as a full listing would be (`tally`).
    ok_first: dict[str, int] = field(default_factory=dict)

    @property
    def notes(self) -> list[str]:
        """What a reader must know about what was checked, one sentence each, in `lang`."""
        out = []
        end = self.dataset.contract.end
        if self.requested_as_of is not None:
            out.append(
                f"{self.requested_as_of.isoformat()} er efter kontraktens ophør {end.isoformat()}: forløb og "
                f"måneder er opgjort pr. ophøret, frister pr. {self.requested_as_of.isoformat()}."
                if self.lang == "da" else
                f"{self.requested_as_of.isoformat()} is after the contract's end {end.isoformat()}: courses and "
                f"months are measured to the end, deadlines as of {self.requested_as_of.isoformat()}."
            )
        if self.nothing_checked:
            out.append("Datasættet indeholder ingen deltagere og ingen andre rækker: intet er kontrolleret."
                       if self.lang == "da" else
                       "The dataset holds no participants and no other rows: nothing was checked.")
        elif not table_rows(self.dataset)["participants"]:
            out.append("Datasættet indeholder ingen deltagere: ingen deltager er kontrolleret."
                       if self.lang == "da" else "The dataset holds no participants: no participant was checked.")
        return out

    @property
    def nothing_checked(self) -> bool:
        """True when the dataset holds no data at all (no participant, no row in any other table), as
        an untouched `dataset template` does: a check that passes it has checked nothing."""
        return not any(table_rows(self.dataset).values())

    @property
    def summary(self) -> dict[str, int]:
        """Number of verdicts per verdict (ok verdicts from `ok_counts`, listed or not)."""
        counts = Counter(f.verdict for f in self.findings if f.verdict != "ok")
        counts["ok"] = sum(self.ok_counts.values())
        return {v: counts.get(v, 0) for v in VERDICTS}

    def tally(self, rule_id: str, found: list[Finding]) -> dict[str, int]:
        """The verdicts of one rule counted, in the order they first appear among its subjects.

        Args:
            rule_id: the rule.
            found: its findings, in the order of `findings`.
        """
        counts: dict[str, int] = {}
        oks = self.ok_counts.get(rule_id, 0) if self.ok == "counted" else 0
        for j, f in enumerate(found):
            if oks and j == self.ok_first.get(rule_id):
                counts["ok"] = oks
            counts[f.verdict] = counts.get(f.verdict, 0) + 1
        if oks:
            counts.setdefault("ok", oks)
        return counts

    @property
    def has_violation(self) -> bool:
        """True when at least one finding is a violation."""
        return any(f.verdict == "violation" for f in self.findings)

    def to_json(self, include_ok: bool = False, context: FindingContext | None = None) -> dict[str, Any]:
        """The documented JSON document of `procurekit check --format json`.

        Args:
            include_ok: also list the ok findings.
            context: (since, contract point) of each finding shown. Both come from the documents layer
                (breaches over months, the clause library), which sits above this one, so it is passed in:
                `procurekit.check_json` passes `documents.actions.finding_context`. Without it both are null.
        """
        shown = [f for f in self.findings if include_ok or f.verdict != "ok"]
        found = context(self, shown) if context is not None else [(None, None)] * len(shown)
        findings = [
            {**f.to_json(), "since": since, "contract_point": point}
            for f, (since, point) in zip(shown, found, strict=True)
        ]
        return {
            "format_version": FORMAT_VERSION,
            "ruleset": {"id": self.ruleset.id, "version": self.ruleset.version, "digest": self.ruleset.digest},
            "contract": self.dataset.contract.contract_id,
            "as_of": self.as_of.isoformat(),
            **({"requested_as_of": self.requested_as_of.isoformat()} if self.requested_as_of else {}),
            **({"nothing_checked": True} if self.nothing_checked else {}),
            **({"notes": self.notes} if self.notes else {}),
            "engine": self.engine,
            "summary": self.summary,
            "findings": findings,
            "not_evaluated": [
                {"rule": n.rule, "subject": n.subject, "reason": n.reason} for n in self.not_evaluated
            ],
        }


def default_as_of(dataset: Dataset, today: dt.date | None = None) -> dt.date:
    """Today, or the contract's end when the contract has ended."""
    today = today or dt.date.today()
    return min(today, dataset.contract.end)


def contract_day(dataset: Dataset, as_of: dt.date | None) -> tuple[dt.date, dt.date | None]:
    """The day a check is made for, and the day asked for when that lay after the contract's end.

    A day after the end is the end: the contract's own period bounds every obligation, so a participant
    still active at the end is judged as of the end, not as of a later day.

    Raises:
        DatasetError: `as_of` is before the contract's start (nothing can have happened yet).
    """
    if as_of is None:
        return default_as_of(dataset), None
    contract = dataset.contract
    if as_of < contract.start:
        raise DatasetError(
            dataset.path / "contract.yaml",
            f"start: the contract starts {contract.start.isoformat()}; a check as of "
            f"{as_of.isoformat()} is before it",
        )
    if as_of > contract.end:
        return contract.end, as_of
    return as_of, None


def ruleset_for(dataset: Dataset, rules: str | Path | None) -> RuleSet:
    """The rule set named on the command line, or else the one contract.yaml names."""
    if rules is not None:
        return load_checked_ruleset(rules if isinstance(rules, Path) else resolve_ref(str(rules)))
    return load_checked_ruleset(resolve_ref(dataset.contract.ruleset, base=dataset.path))


def check(
    dataset: Dataset | Path | str,
    rules: RuleSet | str | Path | None = None,
    as_of: dt.date | None = None,
    engine: str = "durable",
    lang: str = "da",
    ok: OkVerdicts = "explained",
    part: tuple[int, int] | None = None,
) -> CheckResult:
    """Check a contract dataset against a rule set.

    Args:
        dataset: a `Dataset` or the path of a dataset folder.
        rules: a `RuleSet`, a bundled id or a path; default: the rule set contract.yaml names.
        as_of: the day to check for; default `default_as_of`.
        engine: "durable" (durable_rules) or "python" (the plain evaluator).
        lang: language of the messages (da or en).
        ok: what to do with ok verdicts: "explained" (findings with message and values), "listed" (findings
            without them) or "counted" (`CheckResult.ok_counts` only: fastest when they are not shown).
            Every other verdict is always explained.
        part: (index, count): check only the index-th of `count` consecutive, near-equal slices of the
            participant and participant-month subjects (in their order); the other subjects, and every
            not-evaluated entry, only in part 0. The parts' findings, put together kind by kind and rule
            by rule in part order, are the whole check's (`batch.merge_parts`): so several processes can
            share one large contract.

    Raises:
        ProcurekitError: unusable dataset or rules.
    """
    if part is not None and not 0 <= part[0] < part[1]:
        raise ValueError(f"part {part[0]} of {part[1]}: no such part")
    if ok not in ("explained", "listed", "counted"):
        raise ValueError(f"ok must be explained, listed or counted, not {ok!r}")
    runner = get_engine(engine)
    steps = _checking(_begun(dataset, rules, as_of, engine, lang, ok), part)
    try:
        plan, frame = next(steps)
        while True:
            plan, frame = steps.send(verdict_frame(runner, plan, frame))
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


def check_many(
    datasets: Sequence[Dataset | ProcurekitError],
    rules: RuleSet | str | Path | None = None,
    as_of: dt.date | None = None,
    engine: str = "durable",
    lang: str = "da",
    ok: OkVerdicts = "explained",
) -> list[CheckResult | ProcurekitError]:
    """`check` of several datasets (a register's, read by `read_datasets`): each dataset's result is its
    `check`, or the error it raises (a dataset given as an error stays that error).

    The checks run side by side, and the rows of every fact frame that the same plan (rules, parameter
    values, subject kind) evaluates on frames of the same columns are evaluated at once: a verdict is its
    row's alone, and a small contract's evaluation is mostly the fixed cost of planning the query.
    """
    if ok not in ("explained", "listed", "counted"):
        raise ValueError(f"ok must be explained, listed or counted, not {ok!r}")
    runner = get_engine(engine)
    results: list[CheckResult | ProcurekitError | None] = [None] * len(datasets)
    waiting: dict[int, tuple[Generator[Evaluation, pl.DataFrame, CheckResult], Evaluation]] = {}

    def advance(number: int, steps: Generator[Evaluation, pl.DataFrame, CheckResult],
                verdicts: pl.DataFrame | None) -> None:
        try:
            waiting[number] = (steps, next(steps) if verdicts is None else steps.send(verdicts))
        except StopIteration as done:
            results[number] = done.value
            waiting.pop(number, None)
        except ProcurekitError as exc:
            results[number] = exc
            waiting.pop(number, None)

    begun: dict[int, Begun] = {}
    for number, dataset in enumerate(datasets):
        try:
            if isinstance(dataset, ProcurekitError):
                raise dataset
            begun[number] = _begun(dataset, rules, as_of, engine, lang, ok)
        except ProcurekitError as exc:
            results[number] = exc
    derived = _derived(begun)
    for number, started in begun.items():
        advance(number, _checking(started, None, derived.get(number)), None)
    while waiting:
        together: dict[tuple[Any, ...], list[int]] = {}
        for number, (_, (plan, frame)) in waiting.items():
            together.setdefault((plan.key, tuple(frame.schema.items())), []).append(number)
        for numbers in together.values():
            frames = [waiting[n][1][1] for n in numbers]
            verdicts = verdict_frame(runner, waiting[numbers[0]][1][0], pl.concat(frames) if len(frames) > 1
                                     else frames[0])
            for number, start, frame in zip(numbers, itertools.accumulate((f.height for f in frames), initial=0),
                                            frames, strict=False):
                advance(number, waiting[number][0], verdicts.slice(start, frame.height))
    return [r for r in results if r is not None]  # every dataset has its result: none is left waiting


def _derived(begun: dict[int, Begun]) -> dict[int, tuple[dict[str, pl.DataFrame], pl.Series]]:
    """The fact frames and hours gaps of checks begun, made together (`derive_many`) for those whose tables
    are alike (the same tables with the same columns of the same types); the others' are left out."""
    alike: dict[tuple[Any, ...], list[int]] = {}
    for number, (_, _, tables) in begun.items():
        alike.setdefault(tuple((name, tuple(t.schema.items())) for name, t in tables.items()), []).append(number)
    out: dict[int, tuple[dict[str, pl.DataFrame], pl.Series]] = {}
    for numbers in (n for n in alike.values() if len(n) > 1):
        try:
            made = derive_many([begun[n][0].dataset for n in numbers], [begun[n][1] for n in numbers],
                               [begun[n][2] for n in numbers])
        except ProcurekitError:  # each derives its own, and raises its own problem
            continue
        out.update(zip(numbers, made, strict=True))
    return out


#: What a check asks to be evaluated: a plan and the fact frame (rows) it is evaluated on.
Evaluation = tuple[Plan, pl.DataFrame]


#: A check begun (`_begun`): its result so far, the day what is known is judged by, and the dataset's tables.
Begun = tuple["CheckResult", dt.date, dict[str, pl.DataFrame]]


def _begun(
    dataset: Dataset | Path | str,
    rules: RuleSet | str | Path | None,
    as_of: dt.date | None,
    engine: str,
    lang: str,
    ok: OkVerdicts,
) -> Begun:
    ds = dataset if isinstance(dataset, Dataset) else read_dataset(dataset)
    ruleset = rules if isinstance(rules, RuleSet) else ruleset_for(ds, rules)
    day, requested = contract_day(ds, as_of)
    result = CheckResult(ruleset, ds, day, engine, lang, requested_as_of=requested, ok=ok)
    known = requested or day  # deadlines and what is known: the day asked for (fact_frames.derive_frames)
    return result, known, input_frames(ds)


def _checking(
    begun: Begun,
    part: tuple[int, int] | None,
    derived: tuple[dict[str, pl.DataFrame], pl.Series] | None = None,
) -> Generator[Evaluation, pl.DataFrame, CheckResult]:
    """`check`'s steps: it yields each (plan, fact frame) to be evaluated, is sent the verdicts
    (`verdict_frame`'s), and returns the result. `derived`: the dataset's fact frames and hours gaps, when
    made already (`derive_many`)."""
    result, known, tables = begun
    ds, ruleset = result.dataset, result.ruleset
    params = ruleset.params_at(result.as_of)
    whole = part is None or part[0] == 0  # what is not split goes with part 0
    if derived is None:
        keys = hours_keys(tables)
        frames = derive_frames(ds, known, tables, keys)
        # The hours gaps now, before any verdicts are held (a large contract's take a tenth of a GB).
        gaps = hours_gaps_frame(ds, known, tables, keys) if whole and keys is not None else None
        del keys
    else:
        frames, gaps = derived
    for kind in SUBJECTS:
        if not whole and kind not in PARTED:
            continue
        runnable: list[Rule] = []
        for rule in (r for r in ruleset.rules if r.subject == kind):
            absent = [s for s in rule.requires if s not in ds.sources]
            if absent:
                tables_named = "; ".join(f"{a}.csv or sheet '{a}'" for a in absent)
                reason = f"no {', '.join(absent)} table in the dataset ({tables_named})"
                if whole:
                    result.not_evaluated.append(NotEvaluated(rule.id, reason))
            else:
                runnable.append(rule)
        if not runnable:
            continue
        frame = frames[kind] if part is None or kind not in PARTED else _slice(frames[kind], part)
        yield from _evaluate_kind(result, kind, runnable, frame, params)
        if kind == "participant_month" and gaps is not None:
            missing = gaps.to_list()
            for rule in (r for r in runnable if "hours" in r.requires):
                result.not_evaluated.extend(
                    NotEvaluated(rule.id, f"no row for {g} in the hours table", g) for g in missing
                )
    return result


#: The subject kinds `check(part=…)` splits: one participant's facts never depend on another's, and none
#: lacks a table row (their not-evaluated entries are absent tables and hours gaps, all made by part 0).
PARTED = ("participant", "participant_month")


def _slice(frame: pl.DataFrame, part: tuple[int, int]) -> pl.DataFrame:
    index, count = part
    lo, hi = frame.height * index // count, frame.height * (index + 1) // count
    return frame.slice(lo, hi - lo)


def _evaluate_kind(
    result: CheckResult,
    kind: str,
    rules: list[Rule],
    frame: pl.DataFrame,
    params: dict[str, Scalar],
) -> Generator[Evaluation, pl.DataFrame, None]:
    """Evaluate the rules of one subject kind on its fact frame (yielding each plan and frame, sent their
    verdicts: `_checking`); explain every verdict that is not ok (and the ok ones as `result.ok` asks), in
    subject order per rule."""
    per_rule: dict[str, list[tuple[int, str]]] = {r.id: [] for r in rules}  # (row, verdict) to explain
    first_ok: dict[str, int] = {}
    groups = _missing_groups(frame)
    for missing, rows in groups:
        # A fact lacking its row in one data file (a month not in supplier.csv) is still evaluated by
        # the rules that do not need that file; one plan per distinct set of missing files.
        usable = [r for r in rules if not missing_sources(missing).intersection(r.requires)]
        if not usable:
            continue
        plan = make_plan(result.ruleset, kind, params, usable)
        verdicts = yield plan, frame if rows is None else frame.select(pl.all().gather(rows))
        for i, rp in enumerate(plan.rules):
            _collect(result, rp.rule.id, verdicts[f"r{i}"], rows, per_rule[rp.rule.id], first_ok)
    facts = _facts(kind, frame, sorted({k for found in per_rule.values() for k, _ in found}),
                   _explained_fields(rules, result.lang))
    param_units = {n: p.unit for n, p in result.ruleset.parameters.items()}
    subjects = frame["subject"]
    lacking: list[tuple[str, frozenset[str]]] | None = None
    for rule in rules:
        found = sorted(per_rule[rule.id])
        reference = result.ruleset.reference(rule, result.as_of)  # values of the check date
        explainer = Explainer(rule, params, result.lang, value_units(rule, param_units), reference)
        for k, verdict in found:
            if verdict == "ok" and result.ok == "listed":
                result.findings.append(Finding(rule.id, subjects[k], verdict, "", {}, rule.clause, reference))
            else:
                result.findings.append(explainer(facts[k], verdict))
        if rule.id in first_ok:
            result.ok_first[rule.id] = bisect.bisect_left([k for k, v in found if v != "ok"], first_ok[rule.id])
        if rule.requires:
            if lacking is None:
                lacking = _lacking(frame) if any(missing for missing, _ in groups) else []
            _not_evaluated(result, rule, lacking)


def _missing_groups(frame: pl.DataFrame) -> list[tuple[str, pl.Series | None]]:
    """The distinct `missing` values of a fact frame with their rows (None: every row), in order."""
    distinct = frame["missing"].unique(maintain_order=True).to_list()
    if len(distinct) <= 1:
        return [(m, None) for m in distinct]
    index = frame.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("k"), "missing")
    return [(m, index.filter(pl.col("missing") == m)["k"]) for m in distinct]


def _collect(
    result: CheckResult,
    rule_id: str,
    verdicts: pl.Series,
    rows: pl.Series | None,
    found: list[tuple[int, str]],
    first_ok: dict[str, int],
) -> None:
    """Count a rule's ok verdicts and note the rows whose finding is built: (row of the frame, verdict)."""
    ok = verdicts == "ok"
    count = int(ok.sum())
    if count:
        result.ok_counts[rule_id] = result.ok_counts.get(rule_id, 0) + count
        at = int(ok.arg_true()[0])
        at = at if rows is None else int(rows[at])
        first_ok[rule_id] = min(first_ok.get(rule_id, at), at)
    shown = verdicts.is_not_null() if result.ok != "counted" else verdicts.is_not_null() & ~ok
    positions = shown.arg_true()
    picked = verdicts.gather(positions).to_list()
    where = positions.to_list() if rows is None else rows.gather(positions).to_list()
    found.extend(zip(where, picked, strict=True))


def _explained_fields(rules: list[Rule], lang: str) -> set[str]:
    """The fact fields explaining these rules' findings reads: the names the rules use, those their messages
    show, and `active` (which picks a message)."""
    out = {"active"}
    for rule in rules:
        out.update(rule.names)
        for text in [*rule.messages.values(), *rule.active_messages.values()]:
            out.update(_PLACEHOLDER.findall(text.get(lang)))
    return out


#: The most rows of a fact frame `_facts` picks rows from by gathering them (0.24 ms on 18,000 rows, where the
#: mask takes 0.97 ms); a larger frame is masked, as gathering copies each of its columns first.
_GATHER_UP_TO = 100_000


def _facts(kind: str, frame: pl.DataFrame, rows: list[int], needed: set[str]) -> dict[int, Fact]:
    """The facts of these rows of a fact frame, by row: only the `needed` fields."""
    if not rows:
        return {}
    fields = [n for n in SUBJECTS[kind] if n in needed]
    columns = ["subject", "missing", *fields]
    if frame.height <= _GATHER_UP_TO:
        picked = frame.select(pl.col(columns).gather(rows))
    else:
        # Lazily, by a mask (`rows` are in order): `frame[rows]`, an eager `select` and a gather first join each
        # column's chunks (a copy of the whole frame, 0.15-0.25 GB for a large contract, to pick a few rows).
        mask = pl.repeat(False, frame.height, dtype=pl.Boolean, eager=True).scatter(rows, True)
        picked = frame.lazy().select(columns).filter(mask).collect()
    return {
        k: Fact(subject, dict(zip(fields, values, strict=True)), missing_sources(missing))
        for k, (subject, missing, *values) in zip(rows, picked.iter_rows(), strict=True)
    }


def _lacking(frame: pl.DataFrame) -> list[tuple[str, frozenset[str]]]:
    """The subjects of a fact frame lacking their row in a data file, with the files."""
    lacking = frame.lazy().select("subject", "missing").filter(pl.col("missing") != "").collect()  # see _facts
    return [(subject, missing_sources(missing)) for subject, missing in lacking.iter_rows()]


def _not_evaluated(result: CheckResult, rule: Rule, lacking: list[tuple[str, frozenset[str]]]) -> None:
    """A subject lacking its row in a data file the rule requires is not evaluated by it."""
    for subject, sources in lacking:
        if any(s in sources for s in rule.requires):
            tables = ", ".join(sorted(sources))
            result.not_evaluated.append(NotEvaluated(rule.id, f"no row for {subject} in the {tables} table", subject))


def explain(
    rule: Rule,
    fact: Fact,
    verdict: str,
    params: dict[str, Scalar],
    lang: str,
    units: Mapping[str, str] | None = None,
    reference: str | None = None,
) -> Finding:
    """Build a finding: the message with values filled in, and the values that decided it.

    A placeholder is filled by `procurekit.l10n` with the precision the value has: a share (a name of
    unit "share" in `units`) as a percentage, a date or a month in words, a data code in the message's
    language. `reference` is the rule's reference with its parameter values filled in (default: the text
    as written).
    """
    return Explainer(rule, params, lang, units, reference)(fact, verdict)


class Explainer:
    """`explain` for many facts of one rule: what does not depend on the fact is worked out once."""

    def __init__(
        self,
        rule: Rule,
        params: dict[str, Scalar],
        lang: str,
        units: Mapping[str, str] | None = None,
        reference: str | None = None,
    ) -> None:
        self.rule, self.lang, self.units = rule, lang, units or {}
        self.reference = rule.reference if reference is None else reference
        fields = SUBJECTS[rule.subject]
        self.types: dict[str, str] = {n: f.type for n, f in fields.items()}
        self.params: dict[str, Any] = {}
        for name, value in params.items():
            if name not in fields:  # a fact's own value wins over a parameter of its name
                self.params[name] = value.toordinal() if isinstance(value, dt.date) else ex.exact(value)
                self.types.setdefault(name, scalar_type(value))
        consts = {n: ex.Const(v, self.types[n]) for n, v in self.params.items()}
        self.lets: list[tuple[str, ex.Node]] = []
        for name, node in rule.lets.items():  # an earlier let is read from the values, as it was computed
            self.lets.append((name, ex.bind(node, consts, {})))
            self.types[name] = ex.typecheck(node, self.types)
        self.templates: dict[tuple[str, bool], tuple[list[str], list[str]] | None] = {}
        self.words: dict[tuple[str, type, Any], str] = {}

    def __call__(self, fact: Fact, verdict: str) -> Finding:
        rule, types = self.rule, self.types
        env: dict[str, Any] = {**self.params, **fact.values}
        for name, bound in self.lets:
            env[name] = ex.evaluate(bound, env)
        values = {n: _display(env[n], types[n]) for n in rule.names if n in env}
        active = env.get("active") is True
        template = self.templates[verdict, active] if (verdict, active) in self.templates else self.template(
            verdict, active)
        if template is not None:
            pieces, shown = template  # pieces: text, name, text, name, ..., text
            words = [self.text(p, env.get(p)) if i % 2 else p for i, p in enumerate(pieces)]
            message = "".join(words)
            for n in shown:
                if n in env and n not in values:
                    values[n] = _display(env[n], types[n])
        else:
            message = rule.title.get(self.lang)
        return Finding(rule.id, fact.subject, verdict, message, values, rule.clause, self.reference)

    def template(self, verdict: str, active: bool) -> tuple[list[str], list[str]] | None:
        """The message of a verdict split at its placeholders (text, name, text, …, text) and the names it
        shows, in order; None when the rule has no message for the verdict (its title is the message)."""
        text = self.rule.active_messages.get(verdict) if active else None
        text = text or self.rule.messages.get(verdict)
        found = None
        if text is not None:
            written = text.get(self.lang)
            found = (_PLACEHOLDER.split(written), _PLACEHOLDER.findall(written))
        self.templates[verdict, active] = found
        return found

    def text(self, name: str, value: Any) -> str:
        """A placeholder's value in words (`_text`), worked out once per name and value."""
        key = (name, type(value), value)  # the type: True is never taken for 1 (equal, and hashed alike)
        found = self.words.get(key)
        if found is None:
            found = self.words[key] = _text(name, type(value).__name__, value, self.types.get(name),
                                            self.units.get(name, ""), self.lang)
        return found


def _display(value: Any, kind: str | None) -> Any:
    """A value as it appears in JSON: dates as ISO strings, whole floats as ints, others rounded."""
    if value is None:
        return None
    if kind == ex.DATE:
        return dt.date.fromordinal(int(value)).isoformat()
    if isinstance(value, Decimal):
        # A JSON number, never a string: whole values as ints, others to 4 decimals as before.
        return int(value) if value == value.to_integral_value() else float(round(value, 4))
    if isinstance(value, float):
        return int(value) if value.is_integer() else round(value, 4)
    return value


def value_units(rule: Rule, units: Mapping[str, str]) -> dict[str, str]:
    """The units of the names a rule uses: the parameters' own, and a `let` value's from what it is compared with.

    (`target_group_share >= min_target_group_share` makes the let a share, as its parameter is.)
    """
    out = dict(units)
    for tree in rule.predicates().values():
        for node in ex.walk(tree):
            if isinstance(node, ex.Cmp) and isinstance(node.left, ex.Name) and isinstance(node.right, ex.Name):
                a, b = node.left.name, node.right.name
                if a in rule.lets and b in out:
                    out.setdefault(a, out[b])
                elif b in rule.lets and a in out:
                    out.setdefault(b, out[a])
    return out


@functools.lru_cache(maxsize=4096)
def _text(name: str, of_type: str, value: Any, kind: str | None, unit: str, lang: str) -> str:
    """A value as it appears in a message: "3. maj 2018", "12.326,5", "9,99 %", "løntilskud" in Danish.

    Cached: the same dates, months and numbers recur across thousands of findings. The value's type is part
    of the key, so True is never taken for 1 (they are equal, and hash alike).
    """
    return l10n.value(value, lang, unit=unit, field=name, is_date=kind == ex.DATE)
