"""Generate the synthetic example contract in examples/ikast-brande/ (deterministic).

The contract is modelled on Ikast-Brande's cleaning contract from November 2016: 15 training places,
courses of at most 18 months, praktik hours converted step by step into paid hours, most participants
completing into ordinary jobs. Everyone here is invented. A few breaches a contract manager would want
caught are planted on purpose (see PLANTED below); tests/test_example.py checks they are found.

Run: python examples/generate_ikast_brande.py [OUT_DIR]
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
from pathlib import Path

START = dt.date(2016, 11, 3)
END = dt.date(2019, 10, 31)
PLACES = 15

PLANTED = {
    "IB-007": "eligibility: 4.5 years on benefits",
    "IB-012": "cap: course of 19 months",
    "IB-019": "guarantee: job offered 45 days after completing",
    "IB-023": "guarantee: job offered on subsidised terms",
    "IB-028": "hours: internship only in course months 5-6",
    "IB-031": "hours: 175 hours in one month",
}


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month0 + 1, d)
        except ValueError:
            continue
    raise AssertionError


def _months(first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    out = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def generate(out: Path) -> None:
    rng = random.Random(2016)
    people = []
    free = [START + dt.timedelta(days=rng.randrange(0, 20)) for _ in range(PLACES)]
    n = 0
    while True:
        slot = min(range(PLACES), key=lambda s: free[s])
        enrolled = free[slot]
        if enrolled > dt.date(2019, 6, 1):
            break
        n += 1
        pid = f"IB-{n:03d}"
        dropped = rng.random() < 0.2 and pid not in PLANTED
        if dropped:
            left = enrolled + dt.timedelta(days=rng.randrange(45, 240))
        else:
            left = _add_months(enrolled, rng.randrange(12, 18)) + dt.timedelta(days=rng.randrange(0, 20))
            left = min(left, _add_months(enrolled, 18))
        if pid == "IB-012":
            left = _add_months(enrolled, 19)
        active = left > END
        p = {
            "participant_id": pid,
            "years_on_benefits": round(rng.uniform(5.2, 14.0), 1),
            "enrolled_on": enrolled,
            "left_on": None if active else left,
            "exit_reason": None if active else ("dropped_out" if dropped else "completed"),
            "met": (None, None, None),
            "job_offer_on": None,
            "job_offer_terms": None,
        }
        if pid == "IB-007":
            p["years_on_benefits"] = 4.5
        if p["exit_reason"] == "completed":
            met_all = rng.random() < 0.9
            p["met"] = (True, True, met_all)
            if met_all:
                p["job_offer_on"] = left + dt.timedelta(days=rng.randrange(0, 15))
                p["job_offer_terms"] = "ordinary"
        if pid == "IB-019":
            p["met"] = (True, True, True)
            p["job_offer_on"] = left + dt.timedelta(days=45)
            p["job_offer_terms"] = "ordinary"
        if pid == "IB-023":
            p["met"] = (True, True, True)
            p["job_offer_on"] = left + dt.timedelta(days=10)
            p["job_offer_terms"] = "subsidised"
        people.append(p)
        gap = rng.randrange(5, 20)
        free[slot] = left + dt.timedelta(days=gap)
        p["slot"] = slot
    _plant_overlap(people)
    out.mkdir(parents=True, exist_ok=True)
    _write_contract(out)
    _write_participants(out, people)
    staff_by_month = _write_hours_and_supplier(out, people, rng)
    assert staff_by_month


def _occupancy(people: list[dict], day: dt.date) -> int:
    return sum(1 for p in people if p["enrolled_on"] <= day and (p["left_on"] is None or day <= p["left_on"]))


def _plant_overlap(people: list[dict]) -> None:
    """Let one participant stay until the day their successor starts: 16 places on that day."""
    for later in people[20:]:
        before = [p for p in people if p.get("slot") == later["slot"] and p["left_on"]
                  and p["left_on"] < later["enrolled_on"] and p["exit_reason"] == "dropped_out"]
        if before and _occupancy(people, later["enrolled_on"]) == 15:
            before[-1]["left_on"] = later["enrolled_on"]
            PLANTED[before[-1]["participant_id"]] = f"capacity: stays until {later['enrolled_on']} (16 places)"
            return
    raise AssertionError("no day to plant the capacity breach")


def _write_contract(out: Path) -> None:
    (out / "contract.yaml").write_text(
        "# Synthetic example modelled on Ikast-Brande's 2016 cleaning contract. Everyone is invented.\n"
        "contract_id: IB-RENG-2016\n"
        "municipality: Ikast-Brande Kommune\n"
        "supplier: Eksempel Rengøring A/S\n"
        "title: Rengøring af kommunale institutioner med jobtræningscenter\n"
        "ruleset: ikast-brande\n"
        "start: 2016-11-01\n"
        "end: 2019-10-31\n",
        encoding="utf-8",
    )


def _fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _write_participants(out: Path, people: list[dict]) -> None:
    with (out / "participants.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["participant_id", "years_on_benefits", "enrolled_on", "left_on", "exit_reason",
                    "met_stability", "met_efficiency", "met_quality", "job_offer_on", "job_offer_terms"])
        for p in people:
            w.writerow([_fmt(v) for v in (p["participant_id"], p["years_on_benefits"], p["enrolled_on"],
                        p["left_on"], p["exit_reason"], *p["met"], p["job_offer_on"], p["job_offer_terms"])])


def _write_hours_and_supplier(out: Path, people: list[dict], rng: random.Random) -> dict:
    trainees: dict[tuple[int, int], int] = {}
    with (out / "hours.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["participant_id", "month", "praktik_hours", "subsidised_hours", "ordinary_hours"])
        for p in people:
            last = p["left_on"] or END
            for k, (y, m) in enumerate(_months(p["enrolled_on"], last), start=1):
                praktik = max(0, 110 - max(0, k - 3) * 14)
                subsidised = 25 if 4 <= k <= 9 else 0
                ordinary = min(125, max(0, k - 3) * 12)
                if p["participant_id"] == "IB-028" and k in (5, 6):
                    praktik, subsidised, ordinary = 100, 0, 0
                if p["participant_id"] == "IB-031" and k == 8:
                    ordinary += 100
                jitter = rng.choice([0, 0, 2.5, -2.5])
                praktik = max(0.0, praktik + jitter) if praktik else 0
                w.writerow([p["participant_id"], f"{y:04d}-{m:02d}", _num(praktik), _num(subsidised), _num(ordinary)])
                if praktik > 0 or subsidised > 0:
                    trainees[(y, m)] = trainees.get((y, m), 0) + 1
    staff = {}
    with (out / "supplier.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["month", "ordinary_staff", "contract_fte", "target_group_fte"])
        for y, m in _months(dt.date(2016, 11, 1), END):
            ordinary_staff = 104 + rng.randrange(0, 10)
            contract_fte = round(78 + rng.uniform(0, 4), 1)
            share = 0.08 if (y, m) == (2018, 2) else rng.uniform(0.105, 0.14)
            w.writerow([f"{y:04d}-{m:02d}", ordinary_staff, contract_fte, round(contract_fte * share, 1)])
            staff[(y, m)] = ordinary_staff
    return staff


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "ikast-brande"
    generate(target)
    print(f"wrote {target}")
