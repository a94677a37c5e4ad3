"""A comparison between two fields is false when one is missing, in durable_rules as in Python
(inside an `and`, durable's `$m` matched a missing field: hypothesis found it)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers import make_dataset, participant, write_rules

from procurekit import check


@pytest.mark.parametrize("op", ["==", "!=", "<", "<=", ">", ">="])
def test_field_comparison_with_a_missing_field(tmp_path: Path, op: str) -> None:
    rules = write_rules(tmp_path / "r.yaml", f"""
        id: nulls
        title: {{da: N, en: N}}
        rules:
          - id: nulls.rule
            subject: participant
            title: {{da: r, en: r}}
            condition: 'not (years_on_benefits >= 0 and enrolled_on {op} left_on)'
            message:
              violation: {{da: v, en: v}}
            clause: c
            reference: r
    """)
    ds = make_dataset(tmp_path / "ds", [participant("A", enrolled_on="2017-01-01")])
    found = {
        engine: [f.verdict for f in check(ds, rules=rules, as_of=dt.date(2017, 1, 1), engine=engine).findings]
        for engine in ("durable", "python")
    }
    assert found == {"durable": ["ok"], "python": ["ok"]}
