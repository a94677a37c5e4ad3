"""Does the yardstick agree with procurekit where the rules are hard to get right? Not a test.

    python bench/agreement.py

bench/speed.py runs this first: a yardstick that silently disagreed would make its own "agrees" column
worthless. Compared (non-ok findings as contract, rule, subject, verdict; and the verdict counts):
bench/yardstick.py against `procurekit.check` with both engines, on

- examples/ikast-brande as of four days (early, mid, its end, after its end), and
- an edge register written here: four contracts (one without supplier.csv, one without hours.csv, periods
  from and to a month's last day) whose cells sit on the rules' boundaries: years on benefits 4.99/5/5.00,
  leaving on the day before, on and after the 18-month cap (from the 31st), active courses whose cap falls
  within the warning days, job offers on, before and after the deadline or not yet given (due), total
  hours just under, on and over 37 × 52 / 12, months with and without paid hours, head counts around the
  ratio's band, target-group shares just under, on and over 10 %, months missing from hours or supplier.csv,
  as of the same four kinds of day.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for _p in (ROOT, ROOT / "bench"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import yardstick  # noqa: E402


def differences(name_a: str, a: tuple[list[list[str]], dict[str, int]],
                name_b: str, b: tuple[list[list[str]], dict[str, int]], show: int = 10) -> list[str]:
    """Lines describing how two (findings, counts) differ; empty when they are equal."""
    if a == b:
        return []
    out = [f"{name_a} and {name_b} differ: {len(a[0]):,} vs {len(b[0]):,} non-ok findings; "
           f"counts {a[1]} vs {b[1]}"]
    only_a = sorted(set(map(tuple, a[0])) - set(map(tuple, b[0])))
    only_b = sorted(set(map(tuple, b[0])) - set(map(tuple, a[0])))
    for name, rows in ((name_a, only_a), (name_b, only_b)):
        if rows:
            out.append(f"  only in {name} ({len(rows):,}), the first {min(show, len(rows))}:")
            out += [f"    {' | '.join(r)}" for r in rows[:show]]
    if not only_a and not only_b and a[0] != b[0]:
        out.append("  the same findings, but a different number of times (repeated rows)")
    return out

EXAMPLE = ROOT / "examples" / "ikast-brande"
EXAMPLE_DAYS = ("2017-03-31", "2018-06-30", "2019-10-31", "2020-06-30")
EDGE_DAYS = ("2018-05-31", "2019-03-17", "2019-08-31", "2020-09-30")
#: (contract id, start, end, participants, has hours.csv, has supplier.csv)
EDGE_CONTRACTS = (
    ("EDGE-1", dt.date(2017, 1, 31), dt.date(2019, 8, 31), 120, True, True),
    ("EDGE-2", dt.date(2016, 11, 1), dt.date(2019, 10, 31), 40, True, True),
    ("EDGE-3", dt.date(2018, 2, 28), dt.date(2020, 2, 29), 25, True, False),
    ("EDGE-4", dt.date(2017, 6, 15), dt.date(2019, 12, 31), 16, False, True),
)
HOURS = (("110", "0", "0"), ("100", "30", "30.333"), ("100", "30", "30.334"), ("160.3333333", "0", "0"),
         ("160", "0", "0.34"), ("0", "0", "0"), ("107.5", "25", "12"), ("40", "0", "0"), ("0", "0.5", "0"),
         ("20.25", "0", "125"), ("0", "0", "160.33"))
FTE = (("80", "8"), ("80", "7.99"), ("80.0", "8.01"), ("80", "8.0"), ("33.3", "3.33"), ("33.3", "3.32"),
       ("33.3", "3.34"), ("0", "0"), ("12.5", "1.25"))
STAFF = (0, 1, 4, 5, 9, 10, 49, 50, 51, 55, 60, 61, 200, 300, 500, 1000)


def _add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def _months(first: dt.date, last: dt.date) -> list[str]:
    a, b = first.year * 12 + first.month - 1, last.year * 12 + last.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(a, b + 1)]


def _person(rng: random.Random, start: dt.date, end: dt.date) -> dict[str, str]:
    """One participant on the rules' boundaries: enrolment (often a month's last day), exit, job offer."""
    enrolled = start + dt.timedelta(days=rng.randrange(-40, (end - start).days - 20))
    if rng.random() < 0.3:
        enrolled = enrolled.replace(day=calendar.monthrange(enrolled.year, enrolled.month)[1])
    aim = rng.random()
    if aim < 0.2:  # still active, the cap a warning's days (60) after one of the check days, give or take one
        day = dt.date.fromisoformat(rng.choice(EDGE_DAYS)) + dt.timedelta(days=60 + rng.choice((-1, 0, 1)))
        enrolled = _add_months(day, -18)
    cap = _add_months(enrolled, 18)
    row = {"participant_id": "", "years_on_benefits": rng.choice(("4.99", "5", "5.00", "4.9", "7.5", "12", "5.01")),
           "enrolled_on": enrolled.isoformat(), "left_on": "", "exit_reason": "", "met_stability": "",
           "met_efficiency": "", "met_quality": "", "job_offer_on": "", "job_offer_terms": ""}
    if 0.2 <= aim < 0.35:  # completed, no offer yet: due until the deadline (30 days), a violation after
        left = dt.date.fromisoformat(rng.choice(EDGE_DAYS)) - dt.timedelta(days=30 + rng.choice((-1, 0, 1)))
        enrolled = min(enrolled, left - dt.timedelta(days=100))
        row.update(enrolled_on=enrolled.isoformat(), left_on=left.isoformat(), exit_reason="completed",
                   met_stability="true", met_efficiency="true", met_quality="true")
        return row
    if aim >= 0.2 and rng.random() < 0.75:
        left = max(enrolled, cap + dt.timedelta(days=rng.choice((-1, 0, 1, -59, -60, -61, -200, 5, -400))))
        row["left_on"] = left.isoformat()
        row["exit_reason"] = rng.choices(("completed", "dropped_out", "other"), (6, 2, 1))[0]
        if rng.random() < 0.75:
            offer = left + dt.timedelta(days=rng.choice((0, 12, 29, 30, 31, 45, 200)))
            row["job_offer_on"] = offer.isoformat()
            row["job_offer_terms"] = rng.choices(("ordinary", "subsidised", "flexjob"), (8, 1, 1))[0]
    for name in ("met_stability", "met_efficiency", "met_quality"):
        row[name] = rng.choices(("true", "ja", "TRUE", "false", "nej", ""), (10, 3, 2, 2, 1, 2))[0]
    return row


def write_edge_register(folder: Path, seed: int = 17) -> Path:
    """Write the edge register (see the module doc) into `folder`; return it."""
    rng = random.Random(seed)
    for cid, start, end, n, has_hours, has_supplier in EDGE_CONTRACTS:
        c = folder / cid
        c.mkdir(parents=True)
        (c / "contract.yaml").write_text(
            f"contract_id: {cid}\nmunicipality: Kant Kommune\nsupplier: Grænse A/S\nruleset: ikast-brande\n"
            f"start: {start}\nend: {end}\n", encoding="utf-8")
        people = []
        for i in range(n):
            row = _person(rng, start, end)
            row["participant_id"] = f"{cid}-{i:03d}"
            people.append(row)
        _write(c / "participants.csv", people)
        if has_hours:
            hours = []
            for p in people:
                last = dt.date.fromisoformat(p["left_on"]) if p["left_on"] else end
                for month in _months(dt.date.fromisoformat(p["enrolled_on"]), last):
                    if rng.random() < 0.05:
                        continue  # a gap: not evaluated by either
                    praktik, subsidised, ordinary = rng.choice(HOURS)
                    hours.append({"participant_id": p["participant_id"], "month": month, "praktik_hours": praktik,
                                  "subsidised_hours": subsidised, "ordinary_hours": ordinary})
            _write(c / "hours.csv", hours)
        if has_supplier:
            supplier = []
            for month in _months(start, end):
                if rng.random() < 0.05:
                    continue
                contract_fte, target_fte = rng.choice(FTE)
                supplier.append({"month": month, "ordinary_staff": str(rng.choice(STAFF)),
                                 "contract_fte": contract_fte, "target_group_fte": target_fte})
            _write(c / "supplier.csv", supplier)
    return folder


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def procurekit_result(path: Path, day: dt.date, engine: str) -> tuple[list[list[str]], dict[str, int]]:
    """Non-ok findings and verdict counts of `procurekit.check` on a contract or every contract of a register."""
    import procurekit

    folders = [path] if (path / "contract.yaml").is_file() else sorted(p for p in path.iterdir() if p.is_dir())
    found: list[list[str]] = []
    counts = {v: 0 for v in ("violation", "warning", "due", "ok")}
    for folder in folders:
        result = procurekit.check(folder, as_of=day, engine=engine, ok="counted")
        cid = result.dataset.contract.contract_id
        found += [[cid, f.rule, f.subject, f.verdict] for f in result.findings if f.verdict != "ok"]
        for v, n in result.summary.items():
            counts[v] += n
    return sorted(found), counts


def report() -> tuple[list[str], list[str]]:
    """(lines for the results, mismatch lines): the yardstick against both engines on both datasets."""

    problems: list[str] = []
    compared = 0
    seen: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        edge = write_edge_register(Path(tmp) / "edge")
        cases = [(EXAMPLE, d) for d in EXAMPLE_DAYS] + [(edge, d) for d in EDGE_DAYS]
        for path, day_text in cases:
            day = dt.date.fromisoformat(day_text)
            doc = yardstick.run(path, day)
            mine = (doc["findings"], doc["summary"])
            for v, n in doc["summary"].items():
                seen[v] = seen.get(v, 0) + n
            compared += len(doc["findings"])
            for engine in ("python", "durable"):
                diff = differences("yardstick", mine, f"procurekit {engine}", procurekit_result(path, day, engine))
                if diff:
                    name = "examples/ikast-brande" if path == EXAMPLE else "the edge register"
                    problems += [f"{name} as of {day_text}: {diff[0]}", *diff[1:]]
    verdicts = ", ".join(f"{n:,} {v}" for v, n in seen.items())
    status = "**they differ** (see the mismatch above)" if problems else "identical in every case"
    lines = [
        f"Before timing anything, bench/agreement.py compares the yardstick with `procurekit.check` (python and "
        f"durable engines) on examples/ikast-brande as of {', '.join(EXAMPLE_DAYS)} and on a register made to sit "
        f"on the rules' boundaries ({', '.join(c[0] for c in EDGE_CONTRACTS)}; "
        f"{sum(c[3] for c in EDGE_CONTRACTS)} participants) as of {', '.join(EDGE_DAYS)}: {verdicts} verdicts, "
        f"{compared:,} of them not ok, {status}."
    ]
    return lines, problems


if __name__ == "__main__":
    out, wrong = report()
    print("\n".join([*out, *wrong]))
    sys.exit(1 if wrong else 0)
