"""Generate synthetic contract datasets of any size (for benchmarks; everyone is invented).

    python bench/synth.py OUT_DIR --participants 100000 --contracts 98

writes OUT_DIR/c001 … OUT_DIR/c098, each a contract dataset folder (contract.yaml, participants.csv,
hours.csv with 18 months per participant, supplier.csv). A few percent of rows break a rule, as real
data would. Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

START = dt.date(2017, 1, 1)
END = dt.date(2021, 12, 31)


def _month(index: int) -> str:
    y, m = divmod(index, 12)
    return f"{y:04d}-{m + 1:02d}"


def write_contract(folder: Path, n: int, seed: int, months_per_person: int = 18) -> int:
    """Write one contract with `n` participants; return the number of hours rows written."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "contract.yaml").write_text(
        f"contract_id: SYN-{seed:04d}\nmunicipality: Syntetisk Kommune {seed}\nsupplier: Syntetisk A/S\n"
        f"ruleset: ikast-brande\nstart: {START}\nend: {END}\n",
        encoding="utf-8",
    )
    rows = 0
    span = (END - START).days - 600
    with (folder / "participants.csv").open("w", encoding="utf-8") as pf, (folder / "hours.csv").open(
        "w", encoding="utf-8"
    ) as hf:
        pf.write("participant_id,years_on_benefits,enrolled_on,left_on,exit_reason,met_stability,"
                 "met_efficiency,met_quality,job_offer_on,job_offer_terms\n")
        hf.write("participant_id,month,praktik_hours,subsidised_hours,ordinary_hours\n")
        for i in range(n):
            pid = f"S{seed:03d}-P{i:06d}"  # letters between the digit runs: never CPR-shaped
            enrolled = START + dt.timedelta(days=rng.randrange(span))
            first = enrolled.year * 12 + enrolled.month - 1
            last_month = first + months_per_person - 1
            y, m = divmod(last_month, 12)
            left = dt.date(y, m + 1, min(enrolled.day, 28))
            if rng.random() < 0.01:
                left += dt.timedelta(days=40)  # over the 18-month cap
                last_month += 1
            completed = rng.random() < 0.8
            reason = "completed" if completed else "dropped_out"
            met = "true,true,true" if completed else ",,"
            offer = terms = ""
            if completed:
                offer = (left + dt.timedelta(days=rng.randrange(0, 40))).isoformat()
                terms = "ordinary" if rng.random() < 0.97 else "subsidised"
            years = round(rng.uniform(4.8, 15), 1)
            pf.write(f"{pid},{years},{enrolled},{left},{reason},{met},{offer},{terms}\n")
            for k in range(last_month - first + 1):
                praktik = max(0, 110 - max(0, k - 2) * 14)
                subsidised = 25 if 3 <= k <= 8 else 0
                ordinary = min(125, max(0, k - 2) * 12)
                if rng.random() < 0.01:
                    subsidised = ordinary = 0
                hf.write(f"{pid},{_month(first + k)},{praktik},{subsidised},{ordinary}\n")
                rows += 1
    with (folder / "supplier.csv").open("w", encoding="utf-8") as sf:
        sf.write("month,ordinary_staff,contract_fte,target_group_fte\n")
        first = START.year * 12 + START.month - 1
        last = END.year * 12 + END.month - 1
        for index in range(first, last + 1):
            staff = max(50, n // 2 + rng.randrange(0, 50))
            fte = round(staff * 0.8, 1)
            sf.write(f"{_month(index)},{staff},{fte},{round(fte * rng.uniform(0.09, 0.14), 1)}\n")
    return rows


def write_register(out: Path, participants: int, contracts: int, seed: int = 1) -> int:
    """Write `contracts` contract folders sharing `participants`; return the hours rows written."""
    rows = 0
    per, extra = divmod(participants, contracts)
    for c in range(contracts):
        rows += write_contract(out / f"c{c + 1:03d}", per + (1 if c < extra else 0), seed * 1000 + c)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--contracts", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rows = write_register(args.out, args.participants, args.contracts, args.seed)
    print(f"wrote {args.contracts} contracts, {args.participants} participants, {rows} participant-months")


if __name__ == "__main__":
    main()
